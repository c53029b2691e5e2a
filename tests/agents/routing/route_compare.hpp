// Shared by the routing tests: compare a router with the reference Dijkstra on random pairs;
// the generated networks and closures they run on.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "agents/routing/dijkstra.hpp"
#include "agents/routing/router.hpp"
#include "agents/world/generators.hpp"

#ifndef SWARM_ROUTING_TEST_SCALE
#define SWARM_ROUTING_TEST_SCALE 1
#endif

namespace swarm::routing::test {

inline constexpr std::size_t kScale = SWARM_ROUTING_TEST_SCALE;

inline bool close(double a, double b) {
    if (a == kUnreachable || b == kUnreachable) {
        return a == b;
    }
    return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b));
}

inline std::vector<std::pair<NodeId, NodeId>> random_pairs(const world::RoadNetwork& net,
                                                           std::size_t count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::pair<NodeId, NodeId>> pairs(count);
    for (auto& [a, b] : pairs) {
        a = static_cast<NodeId>(rng() % net.node_count());
        b = static_cast<NodeId>(rng() % net.node_count());
    }
    return pairs;
}

// the generated networks the property tests run on: a 40 x 50 grid city with one-way streets,
// a random geometric graph of 2000 nodes
inline world::RoadNetwork grid_city(std::uint64_t seed) {
    world::GridCityParams p;
    p.rows = 40;
    p.cols = 50;
    p.one_way_fraction = 0.2;
    p.seed = seed;
    return world::make_grid_city(p);
}

inline world::RoadNetwork geometric(std::uint64_t seed) {
    world::RandomGeometricParams p;
    p.nodes = 2000;
    p.seed = seed;
    return world::make_random_geometric(p);
}

// each edge closed with probability `fraction`
inline world::EdgeMask random_mask(std::size_t edges, double fraction, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution closed(fraction);
    world::EdgeMask mask(edges);
    for (EdgeId e = 0; e < edges; ++e) {
        if (closed(rng)) {
            mask.set(e);
        }
    }
    return mask;
}

struct CompareResult {
    std::size_t found = 0;
    std::size_t unreachable = 0;
};

// router vs reference on every pair: same reachability, same time, valid path whose times sum
// to the reported time, time-only query agrees. The router is asked with `query` (the view
// itself, or a CCH metric made for it); the reference and the path checks use `view`.
template <class AnyRouter, class Query>
CompareResult compare(AnyRouter& router, DijkstraRouter& reference,
                      const std::vector<std::pair<NodeId, NodeId>>& pairs, const RouteView& view,
                      const Query& query) {
    CompareResult result;
    const world::RoadNetwork& net = reference.network();
    for (const auto& pair : pairs) {
        // plain locals: clang 14 cannot capture structured bindings (CAPTURE's lambda)
        const NodeId from = pair.first;
        const NodeId to = pair.second;
        const Route expected = reference.fastest(from, to, view);
        const Route got = router.fastest(from, to, query);
        CAPTURE(from);
        CAPTURE(to);
        REQUIRE(got.found == expected.found);
        CHECK(got.from == from);
        CHECK(got.to == to);
        if (!got.found) {
            ++result.unreachable;
            CHECK(got.edges.empty());
            CHECK(got.travel_time_s == kUnreachable);
            CHECK(router.travel_time(from, to, query) == kUnreachable);
            continue;
        }
        ++result.found;
        CHECK(close(got.travel_time_s, expected.travel_time_s));
        const RouteCheck path = check_route(net, from, to, got.edges, view);
        CHECK(path.valid);
        CHECK(close(path.travel_time_s, got.travel_time_s));
        CHECK(close(path.length_m, got.length_m));
        CHECK(close(router.travel_time(from, to, query), expected.travel_time_s));
        // the reference's own path is valid too
        CHECK(check_route(net, from, to, expected.edges, view).valid);
    }
    return result;
}

inline CompareResult compare(Router& router, DijkstraRouter& reference,
                             const std::vector<std::pair<NodeId, NodeId>>& pairs,
                             const RouteView& view) {
    return compare(router, reference, pairs, view, view);
}

}  // namespace swarm::routing::test
