#include "agents/routing/dijkstra.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <stdexcept>
#include <utility>

namespace swarm::routing {

namespace {}  // namespace

DijkstraRouter::DijkstraRouter(const world::RoadNetwork& network)
    : network_(network),
      dist_(network.node_count(), kUnreachable),
      parent_(network.node_count(), world::kNoEdge),
      settled_(network.node_count(), 0) {}

void DijkstraRouter::run(NodeId from, NodeId to, const RouteView& view, double max_time_s) {
    check_node(network_, from);
    check_view(network_, view);
    // reset only what the previous query touched
    for (const NodeId node : touched_) {
        dist_[node] = kUnreachable;
        parent_[node] = world::kNoEdge;
        settled_[node] = 0;
    }
    touched_.clear();
    stats_ = {};

    using Entry = std::pair<double, NodeId>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
    dist_[from] = 0.0;
    touched_.push_back(from);
    queue.push({0.0, from});
    ++stats_.pushed;
    while (!queue.empty()) {
        const auto [d, u] = queue.top();
        queue.pop();
        if (settled_[u] != 0) {
            continue;
        }
        if (d > max_time_s) {
            break;
        }
        settled_[u] = 1;
        ++stats_.settled;
        if (u == to) {
            break;
        }
        for (const EdgeId e : network_.out_edges(u)) {
            if (view.closed != nullptr && view.closed->test(e)) {
                continue;
            }
            const double w = edge_time(network_, view, e);
            const NodeId v = network_.target(e);
            if (d + w < dist_[v]) {
                if (dist_[v] == kUnreachable) {
                    touched_.push_back(v);
                }
                dist_[v] = d + w;
                parent_[v] = e;
                queue.push({d + w, v});
                ++stats_.pushed;
            }
        }
    }
}

Route DijkstraRouter::fastest(NodeId from, NodeId to, const RouteView& view) {
    check_node(network_, to);
    run(from, to, view, kUnreachable);
    Route route;
    route.from = from;
    route.to = to;
    if (settled_[to] == 0) {
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
    run(from, to, view, kUnreachable);
    return settled_[to] != 0 ? dist_[to] : kUnreachable;
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
        out[i] = settled_[t] != 0 && dist_[t] <= max_time_s ? dist_[t] : kUnreachable;
    }
}

}  // namespace swarm::routing
