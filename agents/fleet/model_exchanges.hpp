// How the vehicles share their models each learning round ([learning] mode), by name: one
// registry (agents/fleet/exchanges/registry.cpp). A new way of sharing is one file in
// agents/fleet/exchanges/ plus one line there (docs/fleet-learning.md, "Adding an
// exchange"). An exchange decides who talks to whom and which messages arrive; what an
// update carries and how it is averaged is the learning layer's (FleetLearning::push_pull,
// federated_round over agents/learning/model_exchange.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agents/comms/conditions.hpp"
#include "agents/comms/counters.hpp"
#include "agents/fleet/fleet_board.hpp"
#include "agents/fleet/fleet_learning.hpp"
#include "agents/fleet/fleet_spec.hpp"

namespace swarm::agents {

// What an exchange may use in one round, at the barrier (serial: draw in vehicle order).
struct ModelExchangeRound {
    const FleetSpec& spec;
    const FleetBoard& board;  // positions of the last rebuild
    const comms::CommsConditions& conditions;
    const comms::LinkModel& link;
    comms::MessageCounters& counters;  // by comms agent (vehicles first; `cloud`)
    FleetLearning& learning;
    comms::AgentIndex cloud;
    std::uint64_t seed;   // the run's
    std::uint32_t round;  // learning rounds so far
    std::uint32_t bytes;  // wire bytes of one update (headers included)

    [[nodiscard]] std::uint32_t vehicles() const { return spec.vehicle_count(); }
    [[nodiscard]] bool radio_blocked(world::Point p) const { return !conditions.radio_ok(p); }
    // the round's stream for peers and losses
    [[nodiscard]] sim::RandomStream stream() const {
        return {seed, kModelExchangeStream, round, 0};
    }
};

using ModelExchangeFn = void (*)(ModelExchangeRound& round);

struct ModelExchangeInfo {
    std::string_view name;
    std::string_view summary;            // one line for the docs and messages
    bool shares = false;                 // models travel (compression, signatures and attacks act)
    bool server = false;                 // a server combines many uploads (robust aggregators act)
    ModelExchangeFn exchange = nullptr;  // null: nothing travels
};

// every registered exchange; index i is LearningMode{i} (off, local, gossip, fedavg first)
const std::vector<ModelExchangeInfo>& model_exchanges();
std::vector<std::string> model_exchange_names();
const ModelExchangeInfo& model_exchange(LearningMode mode);

}  // namespace swarm::agents
