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

// Iterative Tarjan: no recursion, so million-node graphs cannot overflow the stack. Edges in
// `closed` (nullptr: none) are left out.
Components strong_components(const RoadNetwork& network, const EdgeMask* closed = nullptr);

// Which nodes an open route can reach, known without a search from the largest strongly
// connected component of the open roads: a node of it reaches exactly the nodes reachable from
// it. A search for a node that no open road reaches settles every node it can reach; asked
// here first, it is answered at once.
class OpenReach {
  public:
    OpenReach(const RoadNetwork& network, const EdgeMask* closed);
    // false only when no open route leads from `from` to `to`; true when one does or when it
    // is not known here (`from` outside the largest component: search)
    [[nodiscard]] bool may_reach(NodeId from, NodeId to) const {
        return component_[from] != largest_ || reached_[to] != 0;
    }
    [[nodiscard]] std::size_t memory_bytes() const {
        return component_.capacity() * sizeof(std::uint32_t) + reached_.capacity();
    }

  private:
    std::vector<std::uint32_t> component_;
    std::uint32_t largest_ = 0;
    std::vector<std::uint8_t> reached_;  // from the largest component
};

bool is_strongly_connected(const RoadNetwork& network);

// The subnetwork induced by the nodes with keep[node] true; node and edge order preserved.
RoadNetwork induced_subnetwork(const RoadNetwork& network, const std::vector<bool>& keep);

// A new network restricted to the largest strongly connected component (ties: the component
// containing the lowest node id). An empty network stays empty.
RoadNetwork keep_largest_scc(const RoadNetwork& network, SccReport* report = nullptr);
// Same, but hands the input back without a rebuild when it is already strongly connected.
RoadNetwork keep_largest_scc(RoadNetwork&& network, SccReport* report = nullptr);

}  // namespace swarm::world
