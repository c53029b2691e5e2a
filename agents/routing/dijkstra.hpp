// Plain Dijkstra: the reference every faster router is tested against. No bound, no
// preprocessing. Labels reset through a list of the nodes the last query reached (no O(N)
// reset, no stamp to load per relaxation) and an indexed 4-ary heap of node ids with
// decrease-key (each node at most once in the heap), like Boost.Graph's; the loop is compiled
// with and without a closure mask. At least as fast as Boost.Graph's dijkstra_shortest_paths
// (bench/routing). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "agents/routing/router.hpp"

namespace swarm::routing {

class DijkstraRouter final : public Router {
  public:
    explicit DijkstraRouter(const world::RoadNetwork& network);

    const world::RoadNetwork& network() const override { return network_; }
    std::string_view name() const override { return "dijkstra"; }

    Route fastest(NodeId from, NodeId to, const RouteView& view = {}) override;
    double travel_time(NodeId from, NodeId to, const RouteView& view = {}) override;
    void travel_times(NodeId from, std::span<const NodeId> targets, std::span<double> out,
                      const RouteView& view = {}, double max_time_s = kUnreachable) override;
    const QueryStats& last_stats() const override { return stats_; }

  private:
    // settles nodes from `from` until `to` is settled (kNoNode: until the queue is empty or
    // the next time exceeds max_time_s); true when `to` was settled. Afterwards every reached
    // node whose time is <= max_time_s (or `to`) holds its final time.
    bool run(NodeId from, NodeId to, const RouteView& view, double max_time_s);
    template <bool kMasked, class Times>
    bool run_with(NodeId from, NodeId to, Times times, const world::EdgeMask* closed,
                  double max_time_s);

    bool reached(NodeId node) const { return dist_[node] != kUnreachable; }
    // heap of node ids keyed by dist_ (4-ary, indexed for decrease-key)
    void sift_up(std::size_t i, NodeId node);
    NodeId pop();

    const world::RoadNetwork& network_;
    std::vector<double> dist_;  // +inf = not reached; reset through touched_
    std::vector<EdgeId> parent_;
    std::vector<std::uint32_t> heap_pos_;  // position in heap_ of a queued node
    std::vector<NodeId> heap_;
    std::vector<NodeId> touched_;  // reached by the last query
    QueryStats stats_;
};

}  // namespace swarm::routing
