#include "agents/routing/dijkstra.hpp"

#include <algorithm>
#include <stdexcept>

namespace swarm::routing {

DijkstraRouter::DijkstraRouter(const world::RoadNetwork& network)
    : network_(network), space_(network.node_count()) {
    space_.heap().reserve(1024);
}

template <class Times>
bool DijkstraRouter::run_with(NodeId from, NodeId to, Times times, const world::EdgeMask* closed,
                              double max_time_s) {
    space_.begin_query();
    stats_ = {};
    const std::uint32_t gen = space_.generation();
    auto& heap = space_.heap();
    const auto first_out = network_.first_out();
    const auto heads = network_.targets();
    space_.label(from) = {0.0, 0.0, world::kNoEdge, gen};
    heap.push(0.0, from);
    ++stats_.pushed;
    while (!heap.empty()) {
        const auto [d, u] = heap.pop();
        // stale: u was reached again more cheaply after this entry was pushed
        if (d > space_.label(u).dist) {
            continue;
        }
        if (d > max_time_s) {
            break;
        }
        ++stats_.settled;
        if (u == to) {
            return true;
        }
        for (EdgeId e = first_out[u], end = first_out[u + 1]; e < end; ++e) {
            if (closed != nullptr && closed->test(e)) {
                continue;
            }
            const NodeId v = heads[e];
            const double g = d + static_cast<double>(times[e]);
            detail::NodeLabel& lv = space_.label(v);
            if (lv.stamp != gen || g < lv.dist) {
                lv = {g, 0.0, e, gen};
                heap.push(g, v);
                ++stats_.pushed;
            }
        }
    }
    return false;
}

bool DijkstraRouter::run(NodeId from, NodeId to, const RouteView& view, double max_time_s) {
    check_node(network_, from);
    check_view(network_, view);
    return detail::with_edge_times(network_, view, [&](auto times) {
        return run_with(from, to, times, view.closed, max_time_s);
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

double DijkstraRouter::travel_time(NodeId from, NodeId to, const RouteView& view) {
    check_node(network_, to);
    return run(from, to, view, kUnreachable) ? space_.label(to).dist : kUnreachable;
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
        out[i] = space_.reached(t) && space_.label(t).dist <= max_time_s ? space_.label(t).dist
                                                                         : kUnreachable;
    }
}

}  // namespace swarm::routing
