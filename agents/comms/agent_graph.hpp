// An undirected communication graph over agents in compressed sparse row form: who can
// hear whom this window. Built from adjacency lists, an edge list or a RadioGrid; read by
// protocols (CBBA, gossip) and by tests through BFS, components and diameter.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

namespace swarm::comms {

using AgentIndex = std::uint32_t;
inline constexpr std::uint32_t kUnreachable = std::numeric_limits<std::uint32_t>::max();

class AgentGraph {
  public:
    AgentGraph() : offsets_(1, 0) {}

    // Lists may be unsorted and repeat entries (both are cleaned up). Throws
    // std::invalid_argument for an index out of range, a self loop, or an asymmetric pair
    // (j in lists[i] but i not in lists[j]).
    static AgentGraph from_lists(const std::vector<std::vector<AgentIndex>>& lists);
    // Undirected edges {a, b}; both directions are stored. Throws as from_lists.
    static AgentGraph from_edges(std::size_t agents,
                                 std::span<const std::pair<AgentIndex, AgentIndex>> edges);
    // every agent hears every other
    static AgentGraph complete(std::size_t agents);

    [[nodiscard]] std::size_t size() const { return offsets_.size() - 1; }
    // ascending, without i
    [[nodiscard]] std::span<const AgentIndex> neighbours(AgentIndex i) const {
        return {targets_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]};
    }
    [[nodiscard]] std::size_t degree(AgentIndex i) const { return offsets_[i + 1] - offsets_[i]; }
    // undirected edges (each stored twice)
    [[nodiscard]] std::size_t edge_count() const { return targets_.size() / 2; }
    [[nodiscard]] bool has_edge(AgentIndex a, AgentIndex b) const;

  private:
    friend class RadioGrid;
    std::vector<std::size_t> offsets_;  // size() + 1
    std::vector<AgentIndex> targets_;
};

// hop counts from source (kUnreachable for other components)
std::vector<std::uint32_t> bfs_hops(const AgentGraph& graph, AgentIndex source);

struct Components {
    // label[i] in [0, count); components are numbered in order of their smallest agent
    std::vector<std::uint32_t> label;
    std::vector<std::uint32_t> sizes;  // agents per component
    std::uint32_t count = 0;
};
Components connected_components(const AgentGraph& graph);

// The largest hop distance between two agents that can reach each other: the diameter of
// the widest component (0 for a graph without edges). A BFS from every agent, O(V (V + E)):
// for tests and CBBA round bounds, not for hot loops on large graphs.
std::uint32_t diameter(const AgentGraph& graph);

}  // namespace swarm::comms
