// Queries on a customizable contraction hierarchy: elimination-tree searches (Bauer, Columbus,
// Rutter, Wagner 2016), which walk the tree path from the source and from the target to the
// root relaxing the upward arcs the metric kept, with no priority queue; paths unpack to
// original EdgeIds. (A bidirectional Dijkstra search with stall-on-demand on the arcs a perfect
// metric keeps, as in a plain CH query, was measured 3x slower on the 100k grid city and 1.3x
// (with path) to 4x (time only) slower on Monaco: docs/routing.md.)
//
// Which metric answers a query:
// - the Router interface (RouteView): a free-flow view (no mask, no override, no class
//   factors, no time of day) is answered by the factory's free-flow metric; any other view
//   falls back to an A* router (ALT when the factory has landmarks), because customizing for
//   a one-off view costs more than one search, and a time-dependent view (a speed profile)
//   has no static metric at all. Answers are exact either way.
// - the CchMetric overloads: a metric the caller customized for a view (CchMetric(topology,
//   view)) and keeps while that view is unchanged (a vehicle's known closures, a slowdown
//   set), e.g. the planner's travel-time matrix under current closures.
//
// Pruning (with landmarks): a walk skips a node when its label plus the landmark bound on the
// rest of the route exceeds a limit, first a little above the pair's own bound, and walks again
// at the time of the route found when that limit was too low; exact either way. Meetings are
// found as labels improve (a label plus the other side's label of the same node), so the best
// route found so far prunes both walks long before they join.
//
// One-to-many walks the source's tree path once, whole, then each target's backward walk
// pruned as above (without landmarks: buckets, as for matrices). Many-to-many puts the
// targets' backward walks into buckets once and scans them from each source's forward walk.
// Not thread-safe: one CchRouter per thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "agents/routing/astar_router.hpp"
#include "agents/routing/cch_metric.hpp"
#include "agents/routing/cch_topology.hpp"
#include "agents/routing/router.hpp"

namespace swarm::routing {

class CchRouter final : public Router {
  public:
    // free_flow: the metric of the network's own times, shared; landmarks: for the fallback
    // and, reordered by rank, for bounds that prune the tree walks (without them the walks
    // relax every node they reach); ranked: that reordered copy when the caller shares one
    // between routers (landmarks->reordered(topology.order())), else made here
    explicit CchRouter(std::shared_ptr<const CchMetric> free_flow,
                       std::shared_ptr<const Landmarks> landmarks = nullptr,
                       std::shared_ptr<const Landmarks> ranked = nullptr);

    const world::RoadNetwork& network() const override { return topology_->network(); }
    std::string_view name() const override { return "cch"; }

    Route fastest(NodeId from, NodeId to, const RouteView& view = {}) override;
    double travel_time(NodeId from, NodeId to, const RouteView& view = {}) override;
    void travel_times(NodeId from, std::span<const NodeId> targets, std::span<double> out,
                      const RouteView& view = {}, double max_time_s = kUnreachable) override;
    void travel_time_matrix(std::span<const NodeId> sources, std::span<const NodeId> targets,
                            std::span<double> out, const RouteView& view = {}) override;
    const QueryStats& last_stats() const override { return stats_; }

    // the same queries under a metric customized for some view (same topology as the router)
    Route fastest(NodeId from, NodeId to, const CchMetric& metric);
    double travel_time(NodeId from, NodeId to, const CchMetric& metric);
    void travel_times(NodeId from, std::span<const NodeId> targets, std::span<double> out,
                      const CchMetric& metric, double max_time_s = kUnreachable);
    void travel_time_matrix(std::span<const NodeId> sources, std::span<const NodeId> targets,
                            std::span<double> out, const CchMetric& metric);

    const CchMetric& free_flow() const { return *free_flow_; }
    // Walks shorter than this (both tree paths together; one-to-many: twice the source's) run
    // without bounds, where choosing landmarks costs more than the pruning saves (Monaco, tree
    // height 49: pruned time-only queries were 3x slower; the grid city's walks visit about
    // 1,500 nodes). 0 prunes every walk (tests).
    static constexpr std::uint32_t kDefaultPruneMinDepth = 256;
    void set_prune_min_depth(std::uint32_t depth) { prune_min_depth_ = depth; }
    // true when the view is the network's own times (answered by free_flow()); a
    // time-dependent view never is: its times depend on the departure
    static bool is_free_flow(const RouteView& view) {
        return view.closed == nullptr && view.travel_time_s.empty() && !view.has_classes() &&
               !view.time_dependent();
    }

  private:
    struct BucketEntry {
        std::uint32_t node;  // rank
        std::uint32_t target;
        double dist;
    };

    // landmark lower bounds for one query (the ALT bounds, scaled by the metric's ratio)
    struct Bounds {
        static constexpr std::size_t kMax = 8;
        std::array<std::uint32_t, kMax> index{};
        std::array<double, kMax> to_t{};    // d(t, L)
        std::array<double, kMax> from_t{};  // d(L, t)
        std::array<double, kMax> to_s{};    // d(s, L)
        std::array<double, kMax> from_s{};  // d(L, s)
        std::size_t active = 0;
        double slack = 0.0;
        double scale = 1.0;
    };

    void check_metric(const CchMetric& metric) const;
    // picks the landmarks with the best bounds for ranks s -> t; returns that bound (0 without
    // landmarks)
    double set_bounds(std::uint32_t s, std::uint32_t t, const CchMetric& metric);
    // lower bound on the time from rank x to t (dir 0) or from s to x (dir 1)
    [[gnu::always_inline]] double bound(std::uint32_t x, unsigned dir) const;
    // forward search from s and backward from t; returns the time and sets meet_; for a path
    // (kPath) logs the walks' label improvements (log_); leaves every label at +inf
    template <bool kPath>
    double search(std::uint32_t s, std::uint32_t t, const CchMetric& metric);
    // one pair of tree walks that skips nodes whose labels plus bounds exceed `limit`: exact
    // when the time returned is <= limit; resets each label once its node is relaxed
    template <bool kPath>
    double walk(std::uint32_t s, std::uint32_t t, const CchMetric& metric, double limit);
    // relaxes x's arcs in one direction unless its label (plus bound) is >= best_ or > limit;
    // a label that improves where the other side has one lowers best_ (meet_ there)
    template <bool kPath>
    void relax(std::uint32_t x, unsigned dir, const CchMetric& metric, double limit, bool bounded);
    // appends the query arc slots from meet_ down to `start` in direction dir (driving order
    // reversed for dir 0), read back from log_[dir]
    void read_back(unsigned dir, std::uint32_t start, const CchMetric& metric);
    // one-to-many: the backward walk from t against a whole forward walk already in label_
    double walk_back(std::uint32_t t, const CchMetric& metric, double limit);
    void clear_back(std::uint32_t t);
    void fill_buckets(std::span<const NodeId> targets, const CchMetric& metric);
    // forward search from `from`, bucket scan into out (min), labels reset after
    void scan_buckets(NodeId from, std::span<double> out, const CchMetric& metric);

    std::shared_ptr<const CchTopology> topology_;
    std::shared_ptr<const CchMetric> free_flow_;
    std::shared_ptr<const Landmarks> ranked_;  // landmark rows by rank; null: no pruning bounds
    AStarRouter fallback_;
    Bounds bounds_;
    std::uint32_t prune_min_depth_ = kDefaultPruneMinDepth;
    // by rank: forward and backward label side by side (a label that improves is added to the
    // other to find meetings), +inf outside the current query
    std::vector<std::array<double, 2>> label_;
    // Per direction, a path query's walk in the order it ran: every label improvement (the
    // improved node; written at every arc, kept only when the label improved, so that the arc
    // loop has no read-modify-write of a predecessor) and where each relaxed node's
    // improvements start. A label was set by its last improvement, through the arc from the
    // relaxed node whose entries hold it (found in that node's arcs, heads ascending).
    struct WalkLog {
        std::vector<std::uint32_t> head;
        std::vector<std::uint32_t> tail;   // per relaxed node (tree height at most)
        std::vector<std::uint32_t> start;  // its first improvement
        std::uint32_t size = 0;
        std::uint32_t relaxed = 0;
    };
    std::array<WalkLog, 2> log_;
    double best_ = kUnreachable;  // the fastest meeting of the current walk
    std::uint32_t meet_ = CchTopology::kNone;
    std::vector<std::uint32_t> slots_;  // path arcs before unpacking
    CchMetric::UnpackScratch unpack_scratch_;
    std::vector<BucketEntry> entries_;
    std::vector<std::uint32_t> bucket_first_;  // by rank: first entry, valid at bucket_stamp_
    std::vector<std::uint32_t> bucket_stamp_;
    std::uint32_t bucket_generation_ = 0;
    QueryStats stats_;
};

}  // namespace swarm::routing
