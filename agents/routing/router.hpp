// Fastest-path queries that honour a vehicle's own knowledge of the road network.
//
// A Router answers point-to-point and one-to-many queries on one immutable RoadNetwork. Each
// query carries a RouteView: the closures this vehicle knows about and, optionally, its own
// per-edge travel times. Implementations: DijkstraRouter (the reference), AStarRouter (A* with
// a straight-line bound, optionally ALT landmarks), CchRouter (customizable contraction
// hierarchy, cch_router.hpp); see docs/routing.md for which to choose.
//
// Thread-safety: a Router keeps per-query scratch (distance arrays, heap) and is NOT
// thread-safe. Make one Router per worker thread with RouterFactory::make(); the factory and
// the preprocessing it shares (landmarks, the CCH order and metric) are immutable and
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "agents/routing/speed_profile.hpp"
#include "agents/world/road_network.hpp"

namespace swarm::routing {

using world::EdgeId;
using world::NodeId;

inline constexpr double kUnreachable = std::numeric_limits<double>::infinity();

// What one vehicle believes about the network. The referenced data must outlive the query.
struct RouteView {
    RouteView() = default;
    explicit RouteView(const world::EdgeMask* closed_edges) : closed(closed_edges) {}
    RouteView(const world::EdgeMask* closed_edges, std::span<const float> times_s,
              double ratio = -1.0)
        : closed(closed_edges), travel_time_s(times_s), min_time_ratio(ratio) {}

    // edges this vehicle knows to be closed; nullptr = none known. Size must be edge_count().
    const world::EdgeMask* closed = nullptr;
    // per-edge travel times in seconds (learned, predicted, slowed down); empty = the
    // network's free-flow times. Size must be edge_count(); every value finite and >= 0.
    std::span<const float> travel_time_s;
    // a lower bound on travel_time_s[e] / network.travel_time_s(e) over all edges, which keeps
    // the A* bounds admissible. Negative = unknown: the router then scans the override once per
    // query (O(edges), correct but slow). Compute it once with override_ratio() and reuse it.
    double min_time_ratio = -1.0;
    // per-edge-class multipliers on top of those times (a vehicle's predicted congestion by
    // area): edge e takes time(e) * class_factor[edge_class[e]]. Both empty = none. Sizes:
    // edge_class edge_count(), class_factor above every class used; factors finite and > 0.
    // Not part of min_time_ratio: the routers fold in the smallest factor per query.
    std::span<const std::uint16_t> edge_class;
    std::span<const float> class_factor;
    // time of day (speed_profile.hpp): the times above are those at factor 1, and an edge
    // entered at clock time t takes profile->traverse(its road class, t, time / speed_factor);
    // the route departs at clock time depart_s. Null = none: times do not depend on the
    // departure (and speed_factor is not read: without a profile it scales every time alike,
    // so callers divide). Not part of min_time_ratio: the routers fold in the profile's
    // largest factor and speed_factor per query.
    const SpeedProfile* profile = nullptr;
    double depart_s = 0.0;
    double speed_factor = 1.0;  // the vehicle's share of each road's speed, > 0
    // who made the view may number it for caches that outlive a call (RoutedLegs): two views
    // with the same nonzero id at the same address have the same contents, so a view freed and
    // another made at its address is told apart. 0: not numbered (the address alone)
    std::uint64_t id = 0;

    [[nodiscard]] bool has_classes() const { return !class_factor.empty(); }
    [[nodiscard]] bool time_dependent() const { return profile != nullptr && !profile->empty(); }
};

// the static travel time of edge e under the view (the times at factor 1 of a time-dependent
// view; CchMetric's input)
[[nodiscard]] inline double edge_time(const world::RoadNetwork& network, const RouteView& view,
                                      EdgeId e) {
    const double base = view.travel_time_s.empty() ? network.travel_time_s(e)
                                                   : static_cast<double>(view.travel_time_s[e]);
    return view.has_classes() ? base * static_cast<double>(view.class_factor[view.edge_class[e]])
                              : base;
}

// the travel time of edge e under the view when entered `elapsed_s` after the departure (what
// the routers and check_route use)
[[nodiscard]] inline double edge_time_at(const world::RoadNetwork& network, const RouteView& view,
                                         EdgeId e, double elapsed_s) {
    const double t = edge_time(network, view, e);
    return view.time_dependent()
               ? view.profile->traverse(network.road_class(e), view.depart_s + elapsed_s,
                                        t / view.speed_factor)
               : t;
}

namespace detail {
// throws std::invalid_argument when the view's arrays do not fit the network or a class
// factor is not finite and > 0 (every router and CchMetric::customize check this)
void check_view(const world::RoadNetwork& network, const RouteView& view);

// edge times scaled by class, indexable like the plain spans the hot loops take
template <class Base>
struct ClassScaledTimes {
    Base base;
    std::span<const std::uint16_t> edge_class;
    std::span<const float> factor;
    double operator[](std::size_t e) const {
        return static_cast<double>(base[e]) * static_cast<double>(factor[edge_class[e]]);
    }
};

// static times integrated through the hours of a speed profile from the departure
template <class Base>
struct TimeDependentTimes {
    TimeDependentTimes(Base b, std::span<const world::RoadClass> classes, const SpeedProfile* p,
                       double depart, double factor)
        : base(b),
          road_class(classes),
          profile(p),
          depart_s(depart),
          speed_factor(factor),
          hour(SpeedProfile::hour_of(depart)),
          hour_end(SpeedProfile::hour_start(depart) + SpeedProfile::kHourS) {}
    Base base;
    std::span<const world::RoadClass> road_class;
    const SpeedProfile* profile;
    double depart_s;
    double speed_factor;
    std::size_t hour;  // the departure's hour of day, ending at hour_end: most edges start in it
    double hour_end;
    double at(std::size_t e, double elapsed_s) const {
        const double t = depart_s + elapsed_s;
        const double b = static_cast<double>(base[e]) / speed_factor;
        return t < hour_end ? profile->traverse_within(road_class[e], hour, hour_end, t, b)
                            : profile->traverse(road_class[e], t, b);
    }
};

// the time of edge e entered `elapsed_s` after the departure, as the search loops ask for it:
// static times ignore the elapsed time (the same code as times[e])
template <class Times>
double time_at(const Times& times, std::size_t e, double /*elapsed_s*/) {
    return static_cast<double>(times[e]);
}
template <class Base>
double time_at(const TimeDependentTimes<Base>& times, std::size_t e, double elapsed_s) {
    return times.at(e, elapsed_s);
}

// calls fn with the view's edge times as one of eight types (free-flow or override, with or
// without class factors, static or time-dependent), so each search loop is compiled per case
// and the static ones pay nothing for the others
template <class Fn>
decltype(auto) with_edge_times(const world::RoadNetwork& network, const RouteView& view, Fn&& fn) {
    const auto timed = [&](auto times) {
        if (view.time_dependent()) {
            return fn(TimeDependentTimes<decltype(times)>{
                times, network.road_classes(), view.profile, view.depart_s, view.speed_factor});
        }
        return fn(times);
    };
    const auto scaled = [&](auto base) {
        return timed(ClassScaledTimes<decltype(base)>{base, view.edge_class, view.class_factor});
    };
    if (view.has_classes()) {
        return view.travel_time_s.empty() ? scaled(network.travel_times_s())
                                          : scaled(view.travel_time_s);
    }
    return view.travel_time_s.empty() ? timed(network.travel_times_s()) : timed(view.travel_time_s);
}
}  // namespace detail

// min over edges of override[e] / free_flow[e] (edges with zero free-flow time skipped), or 1
// when there is no such edge. Throws std::invalid_argument for a wrong size or a value that is
// negative or not finite.
double override_ratio(const world::RoadNetwork& network, std::span<const float> travel_time_s);

// the factor that keeps free-flow lower bounds (landmarks, straight lines) admissible for the
// view's static times: its override ratio (min_time_ratio, or scanned when unknown) times its
// smallest class factor; 1 for free flow and closures alone
double static_time_ratio(const world::RoadNetwork& network, const RouteView& view);

// A view with the override's ratio filled in.
RouteView make_view(const world::RoadNetwork& network, const world::EdgeMask* closed,
                    std::span<const float> travel_time_s = {});

struct Route {
    bool found = false;
    NodeId from = world::kNoNode;
    NodeId to = world::kNoNode;
    double travel_time_s = kUnreachable;  // under the view's travel times
    double length_m = 0.0;
    std::vector<EdgeId> edges;  // in driving order; empty when from == to or not found
};

// Counters of the last query, for benchmarks and tests.
struct QueryStats {
    std::size_t settled = 0;  // nodes taken from the queue (not counting stale entries)
    std::size_t pushed = 0;   // queue insertions
};

class Router {
  public:
    virtual ~Router() = default;
    Router() = default;
    Router(const Router&) = delete;
    Router& operator=(const Router&) = delete;

    virtual const world::RoadNetwork& network() const = 0;
    virtual std::string_view name() const = 0;

    // Fastest route; found == false when `to` cannot be reached under the view.
    virtual Route fastest(NodeId from, NodeId to, const RouteView& view = {}) = 0;

    // Travel time only (no path is built); kUnreachable when there is no route.
    virtual double travel_time(NodeId from, NodeId to, const RouteView& view = {}) = 0;

    // One-to-many: out[i] = travel time from `from` to targets[i], kUnreachable when there is
    // no route or the time exceeds max_time_s. Stops as soon as every target is settled.
    virtual void travel_times(NodeId from, std::span<const NodeId> targets, std::span<double> out,
                              const RouteView& view = {}, double max_time_s = kUnreachable) = 0;

    // Many-to-many: out[i * targets.size() + j] = travel time from sources[i] to targets[j]
    // (row-major), kUnreachable when there is none. out.size() must be the product. The
    // default runs travel_times once per source; CchRouter shares the target side.
    virtual void travel_time_matrix(std::span<const NodeId> sources,
                                    std::span<const NodeId> targets, std::span<double> out,
                                    const RouteView& view = {});

    virtual const QueryStats& last_stats() const = 0;

  protected:
    // argument checks every implementation runs before a query; throw on misuse
    static void check_node(const world::RoadNetwork& network, NodeId node);
    static void check_view(const world::RoadNetwork& network, const RouteView& view);
};

enum class RouterKind : std::uint8_t {
    kDijkstra,  // reference; no preprocessing
    kAStar,     // A* with the straight-line bound (and landmarks when landmark_count > 0)
    // customizable contraction hierarchy: exact, fastest on free-flow views and with explicit
    // CchMetric objects; other views fall back to ALT (see cch_router.hpp)
    kCch,
};

struct RouterOptions {
    RouterKind kind = RouterKind::kAStar;
    // ALT landmarks for A* (and for kCch's fallback on views it has no metric for):
    // preprocessing is 2 * landmark_count one-to-all searches and 8 * landmark_count bytes
    // per node. 0 = straight-line bound only.
    std::size_t landmark_count = 16;
    std::uint64_t seed = 1;  // first landmark choice; METIS' seed for kCch's order
};

class Landmarks;
class CchTopology;
class CchMetric;
class CchRouter;

// Holds the shared, immutable preprocessing and hands out one Router per thread. The network
// must outlive the factory and every router it made.
class RouterFactory {
  public:
    explicit RouterFactory(const world::RoadNetwork& network, const RouterOptions& options = {});
    ~RouterFactory();
    RouterFactory(RouterFactory&&) noexcept;
    RouterFactory& operator=(RouterFactory&&) noexcept;

    std::unique_ptr<Router> make() const;
    // kCch only (else std::logic_error): the concrete router, for queries with a CchMetric
    std::unique_ptr<CchRouter> make_cch() const;
    const world::RoadNetwork& network() const { return *network_; }
    const RouterOptions& options() const { return options_; }

    // kCch: the shared order and contracted graph (customize a CchMetric on it for a view),
    // and the free-flow metric; null for the other kinds
    const std::shared_ptr<const CchTopology>& cch_topology() const { return cch_topology_; }
    const std::shared_ptr<const CchMetric>& cch_free_flow() const { return cch_free_flow_; }

  private:
    const world::RoadNetwork* network_;
    RouterOptions options_;
    std::shared_ptr<const Landmarks> landmarks_;
    std::shared_ptr<const CchTopology> cch_topology_;
    std::shared_ptr<const CchMetric> cch_free_flow_;
    std::shared_ptr<const Landmarks> cch_landmarks_;  // landmarks_ by CCH rank
};

// One router without sharing (tests, tools). Prefer a RouterFactory for many threads.
std::unique_ptr<Router> make_router(const world::RoadNetwork& network,
                                    const RouterOptions& options = {});

// Sum of edge times under the view (time-dependent ones from its departure) and whether
// consecutive edges connect `from` to `to`.
struct RouteCheck {
    bool valid = false;
    double travel_time_s = 0.0;
    double length_m = 0.0;
};
RouteCheck check_route(const world::RoadNetwork& network, NodeId from, NodeId to,
                       std::span<const EdgeId> edges, const RouteView& view = {});

}  // namespace swarm::routing
