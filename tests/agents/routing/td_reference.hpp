// Shared by the time-of-day routing tests: a plain time-dependent Dijkstra (the textbook
// label-setting search on earliest arrival, std::priority_queue, no reuse) and random
// profiles and networks with every road class.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <utility>
#include <vector>

#include "agents/routing/router.hpp"
#include "agents/routing/speed_profile.hpp"

namespace swarm::routing::test {

// earliest arrival (seconds after the view's departure) at every node
inline std::vector<double> td_reference(const world::RoadNetwork& net, NodeId from,
                                        const RouteView& view) {
    std::vector<double> dist(net.node_count(), kUnreachable);
    using Entry = std::pair<double, NodeId>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
    dist[from] = 0.0;
    queue.emplace(0.0, from);
    while (!queue.empty()) {
        const auto [d, u] = queue.top();
        queue.pop();
        if (d > dist[u]) {
            continue;
        }
        for (const EdgeId e : net.out_edges(u)) {
            if (view.closed != nullptr && view.closed->test(e)) {
                continue;
            }
            const double g = d + edge_time_at(net, view, e, d);
            if (g < dist[net.target(e)]) {
                dist[net.target(e)] = g;
                queue.emplace(g, net.target(e));
            }
        }
    }
    return dist;
}

// factors drawn in [lo, hi] for every class and hour
inline SpeedProfile::Classes random_factors(std::uint64_t seed, double lo = 0.3, double hi = 1.5) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> f(lo, hi);
    SpeedProfile::Classes c{};
    for (auto& hours : c) {
        for (double& x : hours) {
            x = f(rng);
        }
    }
    return c;
}

// the same graph with a road class drawn per edge (the generators use two)
inline world::RoadNetwork with_random_classes(const world::RoadNetwork& net, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    world::RoadNetwork::Builder b;
    for (NodeId v = 0; v < net.node_count(); ++v) {
        b.add_node(net.position(v), net.external_id(v));
    }
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        const auto c = static_cast<world::RoadClass>(rng() % world::kRoadClassCount);
        b.add_edge(net.source(e), net.target(e), net.length_m(e), net.speed_mps(e), c);
    }
    return std::move(b).build();
}

}  // namespace swarm::routing::test
