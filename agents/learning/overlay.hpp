// Who may talk to whom: an undirected graph over agents. Stored as CSR (offsets and
// neighbour lists, each list sorted), except the complete graph, which is implicit so that
// 100,000 agents cost no memory. Directed edges have indices (for per-message state) and
// every edge knows its reverse.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sim/random.hpp"

namespace swarm::learning {

enum class OverlayKind : std::uint8_t {
    kComplete,
    kRing,        // each agent linked to `degree`/2 neighbours on each side
    kRegular,     // random `degree`-regular (pairing model with edge switches)
    kSmallWorld,  // Watts-Strogatz: ring lattice of `degree`, each edge rewired w.p. rewire
    kRadio,       // agents within radio range of each other, rebuilt as they move
};
const char* to_string(OverlayKind kind);
OverlayKind overlay_kind_from_string(const std::string& name);

class Overlay {
  public:
    Overlay() = default;
    static Overlay complete(std::uint32_t agents);
    // from undirected edges (duplicates and self-loops are dropped)
    static Overlay from_edges(std::uint32_t agents,
                              std::vector<std::pair<std::uint32_t, std::uint32_t>> edges);

    [[nodiscard]] std::uint32_t agents() const { return agents_; }
    [[nodiscard]] bool is_complete() const { return complete_; }
    [[nodiscard]] std::uint32_t degree(std::uint32_t i) const {
        return complete_ ? agents_ - 1 : offsets_[i + 1] - offsets_[i];
    }
    // the k-th neighbour of i, in increasing id order
    [[nodiscard]] std::uint32_t neighbour(std::uint32_t i, std::uint32_t k) const {
        return complete_ ? (k < i ? k : k + 1) : adjacency_[offsets_[i] + k];
    }
    // index of the directed edge i -> neighbour(i, k), in [0, edges())
    [[nodiscard]] std::uint64_t edge(std::uint32_t i, std::uint32_t k) const {
        return complete_ ? std::uint64_t{i} * (agents_ - 1) + k : std::uint64_t{offsets_[i]} + k;
    }
    // index of the edge j -> i where j = neighbour(i, k)
    [[nodiscard]] std::uint64_t reverse(std::uint32_t i, std::uint32_t k) const;
    [[nodiscard]] std::uint64_t edges() const {
        return complete_ ? std::uint64_t{agents_} * (agents_ - 1) : adjacency_.size();
    }
    [[nodiscard]] bool connected() const;

  private:
    std::uint32_t agents_ = 0;
    bool complete_ = false;
    std::vector<std::uint32_t> offsets_;
    std::vector<std::uint32_t> adjacency_;
};

Overlay make_ring(std::uint32_t agents, std::uint32_t degree = 2);
Overlay make_random_regular(std::uint32_t agents, std::uint32_t degree, std::uint64_t seed);
Overlay make_small_world(std::uint32_t agents, std::uint32_t degree, double rewire,
                         std::uint64_t seed);

}  // namespace swarm::learning
