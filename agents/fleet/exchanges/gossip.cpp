// `gossip`: push-pull with one random radio neighbour each round (Jelasity et al. 2005).
// Positions of the last board; pairs in vehicle order, so the result does not depend on
// threads. A transfer is lost with the radio loss between the two places.
#include <array>
#include <span>

#include "agents/fleet/model_exchanges.hpp"

namespace swarm::agents {

void exchange_gossip(ModelExchangeRound& r) {
    sim::RandomStream rng = r.stream();
    std::array<std::uint32_t, 64> near{};
    const std::size_t fanout = r.spec.gossip_fanout;
    const std::uint32_t bytes = r.bytes;
    for (std::uint32_t v = 0; v < r.vehicles(); ++v) {
        const world::Point p = r.board.entry(v).position;
        if (r.radio_blocked(p)) {
            continue;
        }
        auto reachable = [&](std::uint32_t u, const FleetBoard::Entry& e) {
            return u != v && !r.radio_blocked(e.position);
        };
        const std::size_t k = r.board.nearest(p, r.spec.comms.radio_range_m, reachable,
                                              std::span<std::uint32_t>(near).first(fanout));
        if (k == 0) {
            continue;
        }
        const std::uint32_t u = near[rng.below(k)];
        const double loss = r.conditions.radio_loss_between(p, r.board.entry(u).position);
        // push: u learns v's models; pull: v learns u's (from before the push)
        r.counters.record_send(v, bytes, comms::MessageCounters::kSerial);
        const bool pushed = !r.link.lost(comms::Link::kRadio, loss, rng);
        r.learning.count_transfer(v, u, bytes, pushed);
        if (!pushed) {
            r.counters.record_drop(v, comms::MessageCounters::kSerial);
            continue;
        }
        r.counters.record_receive(u, bytes, comms::MessageCounters::kSerial);
        const bool pulled = !r.link.lost(comms::Link::kRadio, loss, rng);
        if (!r.learning.push_pull(v, u, pulled).replied) {
            continue;  // u rejected v's update and does not reply
        }
        r.counters.record_send(u, bytes, comms::MessageCounters::kSerial);
        r.learning.count_transfer(u, v, bytes, pulled);
        if (pulled) {
            r.counters.record_receive(v, bytes, comms::MessageCounters::kSerial);
        } else {
            r.counters.record_drop(u, comms::MessageCounters::kSerial);
        }
    }
}

}  // namespace swarm::agents
