// One message through the comms model: the single place where blackouts, the cloud link's
// state, loss and delay combine, so that every protocol (allocation, CBBA, gossip) charges
// its messages the same way.
#pragma once

#include <cstdint>

#include "agents/comms/comms_spec.hpp"
#include "agents/comms/conditions.hpp"
#include "sim/random.hpp"

namespace swarm::comms {

enum class DropReason : std::uint8_t {
    kNone,       // delivered
    kLoss,       // lost by the loss draw (base loss and spikes)
    kBlackout,   // sender or receiver inside a radio blackout
    kCloudDown,  // the cloud link is down
};
const char* to_string(DropReason reason);

struct Delivery {
    DropReason dropped = DropReason::kNone;
    sim::Tick delay = 0;           // when delivered: from send to arrival, >= min_delay()
    std::uint64_t wire_bytes = 0;  // payload + header: what the sender spends either way

    [[nodiscard]] bool delivered() const { return dropped == DropReason::kNone; }
};

// A radio message from an agent at `from` to one at `to` (range is the RadioGrid's
// business: call this for neighbours). Takes exactly one draw from rng whatever happens,
// so the stream's position never depends on the conditions.
Delivery send_radio(const LinkModel& link, const CommsConditions& conditions, world::Point from,
                    world::Point to, std::uint64_t payload_bytes, sim::RandomStream& rng);

// A message between the agent at `agent` and the cloud, either direction. Radio
// blackouts do not touch the cellular uplink; loss spikes for the cloud link do. One draw.
Delivery send_cloud(const LinkModel& link, const CommsConditions& conditions, world::Point agent,
                    std::uint64_t payload_bytes, sim::RandomStream& rng);

}  // namespace swarm::comms
