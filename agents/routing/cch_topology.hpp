// Customizable contraction hierarchy, metric-independent part (Dibbelt, Strasser, Wagner 2016):
// a nested-dissection order computed once per network with METIS, and the chordal supergraph
// obtained by contracting the nodes in that order, stored as upward arcs in CSR.
//
// Everything here is in rank space: node r is the r-th contracted (rank 0 = least important,
// the top separator holds the highest ranks). An arc (lo, hi) with lo < hi carries two
// directed weights in a CchMetric: "up" (lo -> hi) and "down" (hi -> lo). The elimination tree
// parent of r is its lowest upward neighbour; every node reachable upward from r is an
// ancestor of r in that tree, which lets queries walk tree paths with no priority queue.
//
// Immutable once built; share one per network between threads (std::shared_ptr<const>).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agents/world/road_network.hpp"

namespace swarm::routing {

class CchTopology {
  public:
    static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

    // Orders the network (METIS_NodeND on the undirected graph without self-loops and parallel
    // edges, seeded for determinism) and contracts it. The network must outlive the topology.
    explicit CchTopology(const world::RoadNetwork& network, std::uint64_t seed = 1);

    const world::RoadNetwork& network() const { return *network_; }
    std::size_t node_count() const { return node_at_.size(); }
    std::size_t arc_count() const { return head_.size(); }

    std::uint32_t rank(world::NodeId node) const { return rank_[node]; }
    world::NodeId node_at(std::uint32_t rank) const { return node_at_[rank]; }
    // elimination tree parent (kNone at a root: one root per connected component)
    std::uint32_t parent(std::uint32_t rank) const { return parent_[rank]; }

    // upward arcs of a rank: ids [first_up(r), first_up(r + 1)), heads ascending
    std::uint32_t first_up(std::uint32_t rank) const { return first_up_[rank]; }
    std::uint32_t head(std::uint32_t arc) const { return head_[arc]; }
    std::uint32_t tail(std::uint32_t arc) const { return tail_[arc]; }
    // the arc (lo, hi), lo < hi; kNone when the supergraph has no such arc
    std::uint32_t find_arc(std::uint32_t lo, std::uint32_t hi) const;

    // where original edge e lands: 2 * arc + 0 (up: its source has the lower rank) or
    // 2 * arc + 1 (down); kNone for a self-loop (never on a fastest path)
    std::uint32_t edge_slot(world::EdgeId e) const { return edge_slot_[e]; }

    // node_at() of every rank
    std::span<const world::NodeId> order() const { return node_at_; }
    std::span<const std::uint32_t> first_up() const { return first_up_; }
    std::span<const std::uint32_t> heads() const { return head_; }
    std::span<const std::uint32_t> parents() const { return parent_; }

    // lower triangles enumerated by one customization (each arc pair below a shared node)
    std::size_t triangle_count() const { return triangles_; }
    // the longest elimination-tree path (a bound on the nodes one query direction scans)
    std::size_t tree_height() const { return height_; }
    // nodes on the tree path from rank r to its root, r included (what a walk from r visits)
    std::uint32_t depth(std::uint32_t rank) const { return depth_[rank]; }
    double order_seconds() const { return order_s_; }
    double contraction_seconds() const { return contraction_s_; }
    std::size_t memory_bytes() const;

  private:
    void order(std::uint64_t seed);
    void contract();

    const world::RoadNetwork* network_;
    std::vector<std::uint32_t> rank_;     // NodeId -> rank
    std::vector<world::NodeId> node_at_;  // rank -> NodeId
    std::vector<std::uint32_t> parent_;
    std::vector<std::uint32_t> first_up_;  // node_count + 1
    std::vector<std::uint32_t> head_;
    std::vector<std::uint32_t> tail_;
    std::vector<std::uint32_t> edge_slot_;
    std::vector<std::uint32_t> depth_;
    std::size_t triangles_ = 0;
    std::size_t height_ = 0;
    double order_s_ = 0.0;
    double contraction_s_ = 0.0;
};

}  // namespace swarm::routing
