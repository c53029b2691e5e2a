// `fedavg`: while the cloud link is up, every vehicle outside a radio blackout uploads,
// the cloud combines the uploads (FleetLearning::federated_round: the sample-weighted mean
// or the configured aggregator) and sends its model back (McMahan et al. 2017). A lost
// upload is left out, a lost download leaves the vehicle its own models (two loss draws
// per vehicle and round whatever happens).
#include <vector>

#include "agents/fleet/model_exchanges.hpp"

namespace swarm::agents {

void exchange_fedavg(ModelExchangeRound& r) {
    if (!r.conditions.cloud_up()) {
        return;
    }
    sim::RandomStream rng = r.stream();
    const std::uint32_t bytes = r.bytes;
    const std::uint32_t n = r.vehicles();
    std::vector<std::uint32_t> members;
    std::vector<std::uint32_t> receivers;
    for (std::uint32_t v = 0; v < n; ++v) {
        const world::Point p = r.board.entry(v).position;
        const double loss = r.conditions.loss_at(p, comms::Link::kCloud);
        const bool up_lost = r.link.lost(comms::Link::kCloud, loss, rng);
        const bool down_lost = r.link.lost(comms::Link::kCloud, loss, rng);
        if (r.radio_blocked(p)) {
            continue;
        }
        r.counters.record_send(v, bytes, comms::MessageCounters::kSerial);
        r.learning.count_transfer(v, n, bytes, !up_lost);  // the learning layer's cloud is n
        if (up_lost) {
            r.counters.record_drop(v, comms::MessageCounters::kSerial);
            continue;
        }
        r.counters.record_receive(r.cloud, bytes, comms::MessageCounters::kSerial);
        members.push_back(v);
        r.counters.record_send(r.cloud, bytes, comms::MessageCounters::kSerial);
        r.learning.count_transfer(n, v, bytes, !down_lost);
        if (down_lost) {
            r.counters.record_drop(r.cloud, comms::MessageCounters::kSerial);
            continue;
        }
        r.counters.record_receive(v, bytes, comms::MessageCounters::kSerial);
        receivers.push_back(v);
    }
    r.learning.federated_round(members, receivers);
}

}  // namespace swarm::agents
