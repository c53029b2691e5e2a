// Plain Dijkstra: the reference every faster router is tested against. No bound, no
// preprocessing; the scratch is the A* router's (generation-stamped labels, so no O(N) reset,
// and a 4-ary heap with lazy deletion), which makes it at least as fast as Boost.Graph's
// dijkstra_shortest_paths (bench/routing). Not thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "agents/routing/router.hpp"
#include "agents/routing/search_space.hpp"

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
    template <class Times>
    bool run_with(NodeId from, NodeId to, Times times, const world::EdgeMask* closed,
                  double max_time_s);

    const world::RoadNetwork& network_;
    detail::SearchSpace space_;
    QueryStats stats_;
};

}  // namespace swarm::routing
