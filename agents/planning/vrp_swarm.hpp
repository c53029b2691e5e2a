// The swarm protocols' decision rules on a static VRPTW instance (all orders known at t = 0,
// every vehicle at the depot), so that their routes can be set against the central solver
// and best-known solutions. docs/vrp.md says how each maps to its dynamic protocol.
//  - auction: orders are announced one at a time; each is offered to the K vehicles nearest
//    to its customer (a vehicle is where its route ends so far, the depot when empty) that
//    can still carry it; each bids its cheapest feasible insertion (added distance) and the
//    lowest bid wins (ties to the lower vehicle). When none of the K can take it the order
//    goes to the next K (the dynamic protocol's retry); no award is ever revised.
//  - cbba: the vehicles run CBBA (agents/coordination) on the complete communication graph;
//    a vehicle's score for a customer is a constant reward minus its cheapest feasible
//    insertion cost into its path, so bundles are built by cheapest insertion.
#pragma once

#include <cstdint>

#include "agents/planning/vrp.hpp"

namespace swarm::planning {

struct SwarmStats {
    std::uint64_t work = 0;      // insertion places evaluated
    std::uint64_t offers = 0;    // auction: offers made (one per candidate asked)
    std::uint32_t rounds = 0;    // cbba: consensus rounds
    std::uint64_t messages = 0;  // cbba: messages delivered
    bool converged = true;       // cbba: a quiet round with all neighbours agreeing
    std::size_t unassigned = 0;  // customers nobody took
};

struct AuctionOptions {
    enum class Announce : std::uint8_t {
        kReadyTime,  // by ready time, ties in file order (the order they would appear)
        kFile,       // in file order
    };
    std::uint32_t candidates = 4;  // K, as policies.max_offers
    Announce announce = Announce::kReadyTime;
};

struct CbbaVrpOptions {
    std::uint32_t max_rounds = 0;  // 0: 10 x customers + 100
};

// Both throw std::invalid_argument when validate() finds a problem (or K = 0).
[[nodiscard]] VrpSolution solve_auction(const VrpInstance& instance,
                                        const AuctionOptions& options = {},
                                        SwarmStats* stats = nullptr);
[[nodiscard]] VrpSolution solve_cbba(const VrpInstance& instance,
                                     const CbbaVrpOptions& options = {},
                                     SwarmStats* stats = nullptr);

}  // namespace swarm::planning
