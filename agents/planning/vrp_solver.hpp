// The central VRPTW solver: a construction by cheapest insertion, local search (relocate,
// exchange, 2-opt*), then ruin and recreate in the manner of SISR (Christiaens and Vanden
// Berghe 2020, "Slack induction by string removals for vehicle routing problems",
// Transportation Science 54(2)): remove a few strings of customers close to a random one,
// reinsert them greedily with blinks, accept by simulated annealing; local search polishes
// the best. It minimizes total distance within the fleet size (vehicles follow), or, with
// minimize_vehicles, first eliminates routes by the same ruin and recreate. Same
// instance, options and seed give the same solution; the work counter (places and moves
// evaluated) is what a solve-time model can be built on (docs/vrp.md).
#pragma once

#include <cstdint>

#include "agents/planning/vrp.hpp"

namespace swarm::planning {

struct SolverOptions {
    std::uint64_t seed = 1;
    // ruin-and-recreate iterations (0: construction and local search only)
    std::uint64_t iterations = 30000;
    // > 0: also stop after this much wall time (then the result depends on the machine)
    double time_limit_s = 0.0;
    // > 0: also stop after this much work (places and moves evaluated)
    std::uint64_t work_limit = 0;
    double average_removed = 10.0;  // SISR c-bar
    std::uint32_t max_string = 10;  // SISR L_max
    double blink_rate = 0.01;
    double start_temperature = 10.0;  // annealing, in distance units
    double end_temperature = 0.1;
    // Vehicles first: before the distance phase, eliminate routes one at a time (empty the
    // smallest, anneal with one route fewer until all customers fit again) using up to
    // vehicle_share of the iterations; the distance phase then keeps that route count.
    bool minimize_vehicles = false;
    double vehicle_share = 0.3;
};

struct SolverStats {
    std::uint64_t iterations = 0;        // ruin-and-recreate iterations run
    std::uint64_t work = 0;              // insertion places + local-search moves evaluated
    double construction_distance = 0.0;  // after construction (and its local search)
    std::size_t unassigned = 0;          // customers no route could take
};

// Customers that fit nowhere (e.g. unreachable in their window) are left out; the result
// then fails evaluate(). Throws std::invalid_argument when validate() finds a problem.
[[nodiscard]] VrpSolution solve_central(const VrpInstance& instance,
                                        const SolverOptions& options = {},
                                        SolverStats* stats = nullptr);

class RoutingState;
// Local search to a local optimum: relocate and exchange between routes and 2-opt*
// (tail exchange), first improvement; returns the moves evaluated. vrp_local_search.cpp.
std::uint64_t local_search(RoutingState& state);

}  // namespace swarm::planning
