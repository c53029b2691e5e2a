// Who may talk to whom: a comms::AgentGraph (CSR, sorted lists), except the complete graph,
// which is implicit so that 100,000 agents cost no memory. Directed edges get indices (for
// per-message state) and every edge knows its reverse.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "agents/comms/agent_graph.hpp"
#include "sim/random.hpp"

namespace swarm::learning {

enum class OverlayKind : std::uint8_t {
    kComplete,
    kRing,        // each agent linked to `degree`/2 neighbours on each side
    kRegular,     // random `degree`-regular (pairing model with edge switches)
    kSmallWorld,  // Watts-Strogatz: ring lattice of `degree`, each edge rewired w.p. rewire
    kRadio,       // agents within comms radio range of each other, rebuilt as they move
};
const char* to_string(OverlayKind kind);
OverlayKind overlay_kind_from_string(const std::string& name);

class Overlay {
  public:
    Overlay() = default;
    static Overlay complete(std::uint32_t agents);
    // any comms graph, e.g. the radio graph of a comms::RadioGrid
    static Overlay from_graph(comms::AgentGraph graph);
    // from undirected edges (duplicates dropped; std::invalid_argument for a self-loop)
    static Overlay from_edges(std::uint32_t agents,
                              const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges);

    [[nodiscard]] std::uint32_t agents() const { return agents_; }
    [[nodiscard]] bool is_complete() const { return complete_; }
    [[nodiscard]] std::uint32_t degree(std::uint32_t i) const {
        return complete_ ? agents_ - 1 : static_cast<std::uint32_t>(graph_.degree(i));
    }
    // the k-th neighbour of i, in increasing id order
    [[nodiscard]] std::uint32_t neighbour(std::uint32_t i, std::uint32_t k) const {
        return complete_ ? (k < i ? k : k + 1) : graph_.neighbours(i)[k];
    }
    // index of the directed edge i -> neighbour(i, k), in [0, edges())
    [[nodiscard]] std::uint64_t edge(std::uint32_t i, std::uint32_t k) const {
        return complete_ ? std::uint64_t{i} * (agents_ - 1) + k : offsets_[i] + k;
    }
    // index of the edge j -> i where j = neighbour(i, k)
    [[nodiscard]] std::uint64_t reverse(std::uint32_t i, std::uint32_t k) const;
    [[nodiscard]] std::uint64_t edges() const {
        return complete_ ? std::uint64_t{agents_} * (agents_ - 1) : offsets_.back();
    }
    [[nodiscard]] bool connected() const;

  private:
    std::uint32_t agents_ = 0;
    bool complete_ = false;
    comms::AgentGraph graph_;             // unless complete
    std::vector<std::uint64_t> offsets_;  // first directed edge of each agent
};

Overlay make_ring(std::uint32_t agents, std::uint32_t degree = 2);
Overlay make_random_regular(std::uint32_t agents, std::uint32_t degree, std::uint64_t seed);
Overlay make_small_world(std::uint32_t agents, std::uint32_t degree, double rewire,
                         std::uint64_t seed);

}  // namespace swarm::learning
