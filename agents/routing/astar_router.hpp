// A* fastest paths: straight-line bound (distance / fastest speed), or ALT landmark bounds when
// the factory supplies Landmarks. Scratch is reused across queries (generation-stamped labels,
// 4-ary heap): no allocation and no O(N) clearing per query once warm. Not thread-safe: one
// AStarRouter per worker thread.
//
// Bounds are scaled by RouteView::min_time_ratio so that they stay admissible for any override
// whose times are >= ratio * free-flow; closures only lengthen routes, so masks need nothing.
// Nodes may be re-opened, so bounds off by float rounding never cost optimality.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "agents/routing/landmarks.hpp"
#include "agents/routing/router.hpp"
#include "agents/routing/search_space.hpp"

namespace swarm::routing {

class AStarRouter final : public Router {
  public:
    // landmarks: optional, shared with other routers of the same network
    explicit AStarRouter(const world::RoadNetwork& network,
                         std::shared_ptr<const Landmarks> landmarks = nullptr);

    const world::RoadNetwork& network() const override { return network_; }
    std::string_view name() const override { return landmarks_ ? "alt" : "astar"; }

    Route fastest(NodeId from, NodeId to, const RouteView& view = {}) override;
    double travel_time(NodeId from, NodeId to, const RouteView& view = {}) override;
    void travel_times(NodeId from, std::span<const NodeId> targets, std::span<double> out,
                      const RouteView& view = {}, double max_time_s = kUnreachable) override;
    const QueryStats& last_stats() const override { return stats_; }

    // null when made without (or with zero) landmarks
    const Landmarks* landmarks() const { return landmarks_.get(); }

    // seconds per metre no free-flow edge beats (straight line between its ends)
    double free_flow_s_per_m() const { return s_per_m_; }

  private:
    static constexpr std::size_t kActiveLandmarks = 8;

    // runs A* to `to`; true when reached
    bool search(NodeId from, NodeId to, const RouteView& view);
    template <class Times, class Bound>
    bool search_with(NodeId from, NodeId to, Times times, const world::EdgeMask* closed,
                     const Bound& bound);
    // the bound's scale: the view's override and class ratios, and for a time-dependent view
    // 1 / (max_factor x speed_factor), max_factor the largest speed factor the route may meet
    double ratio_for(const RouteView& view, double max_factor) const;

    const world::RoadNetwork& network_;
    std::shared_ptr<const Landmarks> landmarks_;
    double s_per_m_ = 0.0;
    detail::SearchSpace space_;
    std::vector<std::uint32_t> target_stamp_;  // one-to-many: 2g = pending, 2g + 1 = settled
    std::uint32_t target_generation_ = 0;
    QueryStats stats_;
};

}  // namespace swarm::routing
