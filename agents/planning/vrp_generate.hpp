// Instances for tests and benchmarks: Solomon-like random instances (R: uniform positions,
// C: clustered, RC: half each) with time windows every customer can meet alone, and the
// exact optimum of tiny instances by enumeration.
#pragma once

#include <cstdint>
#include <optional>

#include "agents/planning/vrp.hpp"

namespace swarm::planning {

enum class Layout : std::uint8_t { kRandom, kClustered, kMixed };

struct GenerateOptions {
    Layout layout = Layout::kRandom;
    std::size_t customers = 100;
    std::uint64_t seed = 1;
    double horizon = 230.0;  // the depot's due date (Solomon's R1: 230)
    double min_half_window = 5.0;
    double max_half_window = 30.0;
    double capacity = 200.0;
    std::uint32_t vehicles = 0;  // 0: customers / 2 + 1
};

// On a 100 x 100 square with the depot at its centre, demands 1..40, service 10, speed 1.
[[nodiscard]] VrpInstance generate_instance(const GenerateOptions& options);

struct Optimum {
    VrpSolution solution;
    double distance = 0.0;
};

// The minimum-distance feasible solution by enumeration (every subset's best route order,
// then the best partition within the fleet); nullopt when none is feasible. Throws
// std::invalid_argument above kMaxBruteForce customers.
inline constexpr std::size_t kMaxBruteForce = 8;
[[nodiscard]] std::optional<Optimum> brute_force_optimum(const VrpInstance& instance);

}  // namespace swarm::planning
