// Strongly connected components of a RoadNetwork and largest-component extraction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "agents/world/road_network.hpp"

namespace swarm::world {

struct SccReport {
    std::size_t nodes_kept = 0;
    std::size_t nodes_dropped = 0;
    std::size_t edges_kept = 0;
    std::size_t edges_dropped = 0;
};

struct Components {
    std::vector<std::uint32_t> component;  // component id per node
    std::size_t count = 0;
};

// Iterative Tarjan: no recursion, so million-node graphs cannot overflow the stack.
Components strong_components(const RoadNetwork& network);

bool is_strongly_connected(const RoadNetwork& network);

// The subnetwork induced by the nodes with keep[node] true; node and edge order preserved.
RoadNetwork induced_subnetwork(const RoadNetwork& network, const std::vector<bool>& keep);

// A new network restricted to the largest strongly connected component (ties: the component
// containing the lowest node id). An empty network stays empty.
RoadNetwork keep_largest_scc(const RoadNetwork& network, SccReport* report = nullptr);
// Same, but hands the input back without a rebuild when it is already strongly connected.
RoadNetwork keep_largest_scc(RoadNetwork&& network, SccReport* report = nullptr);

}  // namespace swarm::world
