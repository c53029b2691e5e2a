#include "agents/routing/dijkstra.hpp"

#include <algorithm>
#include <stdexcept>

namespace swarm::routing {

DijkstraRouter::DijkstraRouter(const world::RoadNetwork& network)
    : network_(network),
      dist_(network.node_count(), kUnreachable),
      parent_(network.node_count(), world::kNoEdge),
      heap_pos_(network.node_count(), 0) {
    heap_.reserve(1024);
}

void DijkstraRouter::sift_up(std::size_t i, NodeId node) {
    const double key = dist_[node];
    while (i > 0) {
        const std::size_t parent = (i - 1) / 4;
        if (dist_[heap_[parent]] <= key) {
            break;
        }
        heap_[i] = heap_[parent];
        heap_pos_[heap_[i]] = static_cast<std::uint32_t>(i);
        i = parent;
    }
    heap_[i] = node;
    heap_pos_[node] = static_cast<std::uint32_t>(i);
}

NodeId DijkstraRouter::pop() {
    const NodeId top = heap_.front();
    const NodeId last = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_.size();
    if (n == 0) {
        return top;
    }
    const double key = dist_[last];
    std::size_t i = 0;
    for (;;) {
        const std::size_t first = 4 * i + 1;
        if (first >= n) {
            break;
        }
        const std::size_t end = std::min(first + 4, n);
        std::size_t best = first;
        double best_key = dist_[heap_[first]];
        for (std::size_t c = first + 1; c < end; ++c) {
            const double k = dist_[heap_[c]];
            if (k < best_key) {
                best = c;
                best_key = k;
            }
        }
        if (best_key >= key) {
            break;
        }
        heap_[i] = heap_[best];
        heap_pos_[heap_[i]] = static_cast<std::uint32_t>(i);
        i = best;
    }
    heap_[i] = last;
    heap_pos_[last] = static_cast<std::uint32_t>(i);
    return top;
}

template <bool kMasked, class Times>
bool DijkstraRouter::run_with(NodeId from, NodeId to, Times times, const world::EdgeMask* closed,
                              double max_time_s) {
    for (const NodeId node : touched_) {
        dist_[node] = kUnreachable;
    }
    touched_.clear();
    stats_ = {};
    heap_.clear();
    const auto first_out = network_.first_out();
    const auto heads = network_.targets();
    dist_[from] = 0.0;
    parent_[from] = world::kNoEdge;
    touched_.push_back(from);
    heap_.push_back(from);
    heap_pos_[from] = 0;
    ++stats_.pushed;
    while (!heap_.empty()) {
        const NodeId u = pop();
        const double d = dist_[u];
        if (d > max_time_s) {
            break;
        }
        ++stats_.settled;
        if (u == to) {
            return true;
        }
        for (EdgeId e = first_out[u], end = first_out[u + 1]; e < end; ++e) {
            if constexpr (kMasked) {
                if (closed->test(e)) {
                    continue;
                }
            }
            const NodeId v = heads[e];
            const double g = d + detail::time_at(times, e, d);
            const double old = dist_[v];
            if (g < old) {
                dist_[v] = g;
                parent_[v] = e;
                if (old == kUnreachable) {
                    touched_.push_back(v);
                    heap_.push_back(v);
                    sift_up(heap_.size() - 1, v);
                    ++stats_.pushed;
                } else {
                    // v is still queued: a settled node's time is <= d <= g
                    sift_up(heap_pos_[v], v);
                }
            }
        }
    }
    return false;
}

bool DijkstraRouter::run(NodeId from, NodeId to, const RouteView& view, double max_time_s) {
    check_node(network_, from);
    check_view(network_, view);
    return detail::with_edge_times(network_, view, [&](auto times) {
        return view.closed != nullptr ? run_with<true>(from, to, times, view.closed, max_time_s)
                                      : run_with<false>(from, to, times, nullptr, max_time_s);
    });
}

Route DijkstraRouter::fastest(NodeId from, NodeId to, const RouteView& view) {
    check_node(network_, to);
    Route route;
    route.from = from;
    route.to = to;
    if (!run(from, to, view, kUnreachable)) {
        return route;
    }
    route.found = true;
    route.travel_time_s = dist_[to];
    for (NodeId node = to; node != from;) {
        const EdgeId e = parent_[node];
        route.edges.push_back(e);
        route.length_m += network_.length_m(e);
        node = network_.source(e);
    }
    std::reverse(route.edges.begin(), route.edges.end());
    return route;
}

double DijkstraRouter::travel_time(NodeId from, NodeId to, const RouteView& view) {
    check_node(network_, to);
    return run(from, to, view, kUnreachable) ? dist_[to] : kUnreachable;
}

void DijkstraRouter::travel_times(NodeId from, std::span<const NodeId> targets,
                                  std::span<double> out, const RouteView& view, double max_time_s) {
    if (out.size() != targets.size()) {
        throw std::invalid_argument("travel_times: out and targets differ in size");
    }
    for (const NodeId t : targets) {
        check_node(network_, t);
    }
    // the reference settles everything within max_time_s
    run(from, world::kNoNode, view, max_time_s);
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const NodeId t = targets[i];
        out[i] = reached(t) && dist_[t] <= max_time_s ? dist_[t] : kUnreachable;
    }
}

}  // namespace swarm::routing
