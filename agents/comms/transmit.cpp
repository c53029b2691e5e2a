#include "agents/comms/transmit.hpp"

namespace swarm::comms {

const char* to_string(DropReason reason) {
    switch (reason) {
        case DropReason::kNone:
            return "delivered";
        case DropReason::kLoss:
            return "loss";
        case DropReason::kBlackout:
            return "blackout";
        case DropReason::kCloudDown:
            return "cloud down";
    }
    return "unknown";
}

Delivery send_radio(const LinkModel& link, const CommsConditions& conditions, world::Point from,
                    world::Point to, std::uint64_t payload_bytes, sim::RandomStream& rng) {
    Delivery d;
    d.wire_bytes = link.wire_bytes(payload_bytes);
    // the draw comes first so that it is taken on every path
    const bool lost = link.lost(Link::kRadio, conditions.radio_loss_between(from, to), rng);
    if (conditions.any_blackout() && (!conditions.radio_ok(from) || !conditions.radio_ok(to))) {
        d.dropped = DropReason::kBlackout;
    } else if (lost) {
        d.dropped = DropReason::kLoss;
    } else {
        d.delay = link.delay(Link::kRadio, payload_bytes);
    }
    return d;
}

Delivery send_cloud(const LinkModel& link, const CommsConditions& conditions, world::Point agent,
                    std::uint64_t payload_bytes, sim::RandomStream& rng) {
    Delivery d;
    d.wire_bytes = link.wire_bytes(payload_bytes);
    const bool lost = link.lost(Link::kCloud, conditions.loss_at(agent, Link::kCloud), rng);
    if (!conditions.cloud_up()) {
        d.dropped = DropReason::kCloudDown;
    } else if (lost) {
        d.dropped = DropReason::kLoss;
    } else {
        d.delay = link.delay(Link::kCloud, payload_bytes);
    }
    return d;
}

}  // namespace swarm::comms
