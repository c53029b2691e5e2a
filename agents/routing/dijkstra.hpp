// Plain Dijkstra: the reference every faster router is tested against. Deliberately simple
// (std::priority_queue, double labels, a touched list to reset); not thread-safe.
#pragma once

#include <cstddef>
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
    // the next time exceeds max_time_s)
    void run(NodeId from, NodeId to, const RouteView& view, double max_time_s);

    const world::RoadNetwork& network_;
    std::vector<double> dist_;
    std::vector<EdgeId> parent_;
    std::vector<char> settled_;
    std::vector<NodeId> touched_;
    QueryStats stats_;
};

}  // namespace swarm::routing
