#include "agents/routing/astar_router.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace swarm::routing {

namespace {

// A bound that is always 0: plain Dijkstra order.
struct NoBound {
    double operator()(NodeId /*node*/) const { return 0.0; }
};

// straight line to the target at the fastest speed any edge achieves
struct LineBound {
    std::span<const world::Point> positions;
    world::Point target;
    double s_per_m;
    double operator()(NodeId node) const {
        const double dx = positions[node].x - target.x;
        const double dy = positions[node].y - target.y;
        return s_per_m * std::sqrt(dx * dx + dy * dy);
    }
};

// ALT: max over the active landmarks of d(v,L) - d(t,L) and d(L,t) - d(L,v). Infinite terms
// are right (v cannot reach t); NaN terms (both unreachable) fail the comparison and drop out.
template <std::size_t kMax>
struct LandmarkBound {
    const Landmarks* landmarks;
    std::array<std::size_t, kMax> index{};
    std::array<double, kMax> to_target{};    // d(t, L)
    std::array<double, kMax> from_target{};  // d(L, t)
    std::size_t active = 0;
    double slack = 0.0;
    double scale = 1.0;

    double raw(const float* row, std::size_t k) const {
        const std::size_t i = index[k];
        double best = -kUnreachable;
        const double a = static_cast<double>(row[2 * i]) - to_target[k];
        const double b = from_target[k] - static_cast<double>(row[2 * i + 1]);
        if (a > best) {
            best = a;
        }
        if (b > best) {
            best = b;
        }
        return best;
    }

    double operator()(NodeId node) const {
        const float* row = landmarks->row(node);
        double best = 0.0;
        for (std::size_t k = 0; k < active; ++k) {
            const double d = raw(row, k);
            if (d > best) {
                best = d;
            }
        }
        return best > slack ? scale * (best - slack) : 0.0;
    }
};

template <std::size_t kMax>
LandmarkBound<kMax> make_landmark_bound(const Landmarks& landmarks, NodeId from, NodeId to,
                                        double scale) {
    LandmarkBound<kMax> bound{&landmarks};
    bound.slack = landmarks.slack_s();
    bound.scale = scale;
    // rank every landmark by its bound on from -> to, keep the best few for this query
    const std::size_t count = landmarks.count();
    std::vector<std::pair<double, std::size_t>> ranked;
    ranked.reserve(count);
    const float* row = landmarks.row(from);
    LandmarkBound<1> one{&landmarks};
    one.active = 1;
    for (std::size_t i = 0; i < count; ++i) {
        one.index[0] = i;
        one.to_target[0] = landmarks.to_landmark(to, i);
        one.from_target[0] = landmarks.from_landmark(to, i);
        const double d = one.raw(row, 0);
        ranked.emplace_back(d == d ? d : -kUnreachable, i);
    }
    const std::size_t keep = std::min(kMax, count);
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                      ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; k < keep; ++k) {
        const std::size_t i = ranked[k].second;
        bound.index[k] = i;
        bound.to_target[k] = landmarks.to_landmark(to, i);
        bound.from_target[k] = landmarks.from_landmark(to, i);
    }
    bound.active = keep;
    return bound;
}

}  // namespace

AStarRouter::AStarRouter(const world::RoadNetwork& network,
                         std::shared_ptr<const Landmarks> landmarks)
    : network_(network),
      landmarks_(std::move(landmarks)),
      space_(network.node_count()),
      target_stamp_(network.node_count(), 0) {
    if (landmarks_ && landmarks_->count() == 0) {
        landmarks_.reset();
    }
    // the straight-line bound needs time >= s_per_m * chord for every edge; lengths alone may
    // be shorter than the chord (DIMACS weights, projections), so measure the chord
    double s_per_m = kUnreachable;
    const auto positions = network.positions();
    for (EdgeId e = 0; e < network.edge_count(); ++e) {
        const world::Point a = positions[network.source(e)];
        const world::Point b = positions[network.target(e)];
        const double chord = std::hypot(a.x - b.x, a.y - b.y);
        if (chord > 0.0) {
            s_per_m = std::min(s_per_m, network.travel_time_s(e) / chord);
        }
    }
    s_per_m_ = s_per_m == kUnreachable ? 0.0 : s_per_m * (1.0 - 1e-12);
    space_.heap().reserve(1024);
}

double AStarRouter::ratio_for(const RouteView& view, double max_factor) const {
    double ratio = static_time_ratio(network_, view);
    if (view.time_dependent()) {
        // no edge is crossed faster than at the largest factor of the hours it may be in
        ratio /= max_factor * view.speed_factor;
        ratio *= 1.0 - 1e-9;
    }
    return ratio;
}

template <class Times, class Bound>
bool AStarRouter::search_with(NodeId from, NodeId to, Times times, const world::EdgeMask* closed,
                              const Bound& bound) {
    space_.begin_query();
    stats_ = {};
    const std::uint32_t gen = space_.generation();
    auto& heap = space_.heap();
    const auto first_out = network_.first_out();
    const auto heads = network_.targets();

    const double start_bound = bound(from);
    space_.label(from) = {0.0, start_bound, world::kNoEdge, gen};
    if (start_bound == kUnreachable) {
        return false;
    }
    heap.push(start_bound, from);
    ++stats_.pushed;
    while (!heap.empty()) {
        const auto [f, u] = heap.pop();
        const detail::NodeLabel& lu = space_.label(u);
        // stale: the node was reached again more cheaply after this entry was pushed
        if (f > lu.dist + lu.bound) {
            continue;
        }
        ++stats_.settled;
        if (u == to) {
            return true;
        }
        const double du = lu.dist;
        for (EdgeId e = first_out[u], end = first_out[u + 1]; e < end; ++e) {
            if (closed != nullptr && closed->test(e)) {
                continue;
            }
            const NodeId v = heads[e];
            const double g = du + detail::time_at(times, e, du);
            detail::NodeLabel& lv = space_.label(v);
            if (lv.stamp != gen) {
                const double h = bound(v);
                lv = {g, h, e, gen};
                if (h != kUnreachable) {
                    heap.push(g + h, v);
                    ++stats_.pushed;
                }
            } else if (g < lv.dist) {
                lv.dist = g;
                lv.parent = e;
                if (lv.bound != kUnreachable) {
                    heap.push(g + lv.bound, v);
                    ++stats_.pushed;
                }
            }
        }
    }
    return false;
}

bool AStarRouter::search(NodeId from, NodeId to, const RouteView& view) {
    check_node(network_, from);
    check_node(network_, to);
    check_view(network_, view);
    auto run = [&](double ratio) {
        const auto with = [&](const auto& bound) {
            return detail::with_edge_times(network_, view, [&](auto times) {
                return search_with(from, to, times, view.closed, bound);
            });
        };
        if (ratio <= 0.0) {
            return with(NoBound{});
        }
        if (landmarks_) {
            return with(make_landmark_bound<kActiveLandmarks>(*landmarks_, from, to, ratio));
        }
        return with(LineBound{network_.positions(), network_.position(to), ratio * s_per_m_});
    };
    if (!view.time_dependent()) {
        return run(ratio_for(view, 1.0));
    }
    // Time of day: bounds from the hours of a route that ends by the end of the next hour,
    // tighter than the whole day's (a peak's factors are below the night's). They are
    // admissible along every such route, so a route found ending by then is the fastest;
    // else the search runs again with the day's bounds. Unreachable is unreachable either way.
    const SpeedProfile& p = *view.profile;
    const double horizon = SpeedProfile::hour_start(view.depart_s) + 2.0 * SpeedProfile::kHourS;
    const std::size_t h = SpeedProfile::hour_of(view.depart_s);
    const double near =
        std::max(p.max_factor_at(h), p.max_factor_at((h + 1) % SpeedProfile::kHours));
    if (near < p.max_factor()) {
        if (!run(ratio_for(view, near))) {
            return false;
        }
        if (view.depart_s + space_.label(to).dist <= horizon) {
            return true;
        }
    }
    return run(ratio_for(view, p.max_factor()));
}

Route AStarRouter::fastest(NodeId from, NodeId to, const RouteView& view) {
    Route route;
    route.from = from;
    route.to = to;
    if (!search(from, to, view)) {
        return route;
    }
    route.found = true;
    route.travel_time_s = space_.label(to).dist;
    for (NodeId node = to; node != from;) {
        const EdgeId e = space_.label(node).parent;
        route.edges.push_back(e);
        route.length_m += network_.length_m(e);
        node = network_.source(e);
    }
    std::reverse(route.edges.begin(), route.edges.end());
    return route;
}

double AStarRouter::travel_time(NodeId from, NodeId to, const RouteView& view) {
    return search(from, to, view) ? space_.label(to).dist : kUnreachable;
}

void AStarRouter::travel_times(NodeId from, std::span<const NodeId> targets, std::span<double> out,
                               const RouteView& view, double max_time_s) {
    check_node(network_, from);
    check_view(network_, view);
    if (out.size() != targets.size()) {
        throw std::invalid_argument("travel_times: out and targets differ in size");
    }
    for (const NodeId t : targets) {
        check_node(network_, t);
    }
    // mark the distinct targets; 2g = pending, 2g + 1 = settled
    if (++target_generation_ >= 0x7FFFFFFFu) {
        std::fill(target_stamp_.begin(), target_stamp_.end(), 0u);
        target_generation_ = 1;
    }
    const std::uint32_t pending = 2 * target_generation_;
    std::size_t remaining = 0;
    for (const NodeId t : targets) {
        if (target_stamp_[t] != pending) {
            target_stamp_[t] = pending;
            ++remaining;
        }
    }

    // Dijkstra order (no single target to aim at), stopped once every target is settled
    auto run = [&](auto times) {
        space_.begin_query();
        stats_ = {};
        const std::uint32_t gen = space_.generation();
        auto& heap = space_.heap();
        const auto first_out = network_.first_out();
        const auto heads = network_.targets();
        space_.label(from) = {0.0, 0.0, world::kNoEdge, gen};
        heap.push(0.0, from);
        ++stats_.pushed;
        while (!heap.empty() && remaining > 0) {
            const auto [d, u] = heap.pop();
            const detail::NodeLabel& lu = space_.label(u);
            if (d > lu.dist) {
                continue;
            }
            if (d > max_time_s) {
                break;
            }
            ++stats_.settled;
            if (target_stamp_[u] == pending) {
                target_stamp_[u] = pending + 1;
                --remaining;
            }
            for (EdgeId e = first_out[u], end = first_out[u + 1]; e < end; ++e) {
                if (view.closed != nullptr && view.closed->test(e)) {
                    continue;
                }
                const NodeId v = heads[e];
                const double g = d + detail::time_at(times, e, d);
                detail::NodeLabel& lv = space_.label(v);
                if (lv.stamp != gen || g < lv.dist) {
                    lv = {g, 0.0, e, gen};
                    heap.push(g, v);
                    ++stats_.pushed;
                }
            }
        }
    };
    detail::with_edge_times(network_, view, run);
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const NodeId t = targets[i];
        out[i] = target_stamp_[t] == pending + 1 ? space_.label(t).dist : kUnreachable;
    }
}

}  // namespace swarm::routing
