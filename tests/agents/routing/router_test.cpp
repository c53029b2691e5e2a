// Property tests: every router equals plain Dijkstra (and Boost's) on random pairs, with and
// without closures and travel-time overrides.
#include "agents/routing/router.hpp"

#include <doctest/doctest.h>

#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/property_map/property_map.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "agents/routing/astar_router.hpp"
#include "agents/routing/dijkstra.hpp"
#include "agents/routing/landmarks.hpp"
#include "agents/world/generators.hpp"
#include "tests/agents/routing/route_compare.hpp"

using namespace swarm;
using namespace swarm::routing;
using routing::test::close;
using routing::test::compare;
using routing::test::geometric;
using routing::test::grid_city;
using routing::test::kScale;
using routing::test::random_mask;
using routing::test::random_pairs;

namespace {

// every router under test: A* with the line bound, A* with landmarks
std::vector<std::unique_ptr<Router>> routers_for(const world::RoadNetwork& net) {
    std::vector<std::unique_ptr<Router>> routers;
    RouterOptions line;
    line.landmark_count = 0;
    routers.push_back(make_router(net, line));
    RouterOptions alt;
    alt.landmark_count = 8;
    routers.push_back(make_router(net, alt));
    return routers;
}

// Boost's Dijkstra on graph(), closed edges weighted +inf
std::vector<double> boost_times(const world::RoadNetwork& net, NodeId from,
                                const world::EdgeMask* closed) {
    std::vector<double> weights(net.travel_times_s().begin(), net.travel_times_s().end());
    if (closed != nullptr) {
        for (EdgeId e = 0; e < weights.size(); ++e) {
            if (closed->test(e)) {
                weights[e] = std::numeric_limits<double>::infinity();
            }
        }
    }
    const world::Graph& g = net.graph();
    std::vector<double> dist(net.node_count());
    boost::dijkstra_shortest_paths(
        g, from,
        boost::weight_map(
            boost::make_iterator_property_map(weights.begin(), boost::get(boost::edge_index, g)))
            .distance_map(boost::make_iterator_property_map(dist.begin(),
                                                            boost::get(boost::vertex_index, g))));
    // Boost marks unreached nodes with numeric_limits::max(), we use +inf
    for (double& d : dist) {
        if (d == std::numeric_limits<double>::max()) {
            d = kUnreachable;
        }
    }
    return dist;
}

void check_against_boost(const world::RoadNetwork& net, const world::EdgeMask* closed,
                         std::size_t sources, std::uint64_t seed) {
    DijkstraRouter reference(net);
    auto routers = routers_for(net);
    std::vector<NodeId> all(net.node_count());
    for (NodeId v = 0; v < all.size(); ++v) {
        all[v] = v;
    }
    std::vector<double> ours(all.size());
    std::vector<double> theirs(all.size());
    const RouteView view{closed};
    std::mt19937_64 rng(seed);
    for (std::size_t s = 0; s < sources; ++s) {
        const auto from = static_cast<NodeId>(rng() % net.node_count());
        const std::vector<double> expected = boost_times(net, from, closed);
        reference.travel_times(from, all, ours, view);
        routers[1]->travel_times(from, all, theirs, view);
        for (NodeId v = 0; v < all.size(); ++v) {
            CAPTURE(v);
            CHECK(close(ours[v], expected[v]));
            CHECK(close(theirs[v], expected[v]));
        }
        // point-to-point A* on a few targets of the same source
        for (int k = 0; k < 10; ++k) {
            const auto to = static_cast<NodeId>(rng() % net.node_count());
            for (auto& router : routers) {
                CHECK(close(router->travel_time(from, to, view), expected[to]));
            }
        }
    }
}

}  // namespace

TEST_CASE("astar equals dijkstra on random pairs of generated networks") {
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
        for (const auto& net : {grid_city(seed), geometric(seed)}) {
            DijkstraRouter reference(net);
            const auto pairs = random_pairs(net, 500 / kScale, seed * 31);
            for (auto& router : routers_for(net)) {
                CAPTURE(router->name());
                const auto result = compare(*router, reference, pairs, {});
                CHECK(result.found == pairs.size());  // generators keep one strong component
            }
        }
    }
}

TEST_CASE("dijkstra and astar equal boost::dijkstra_shortest_paths") {
    const world::RoadNetwork net = grid_city(3);
    check_against_boost(net, nullptr, 20 / kScale, 5);
    const world::EdgeMask mask = random_mask(net.edge_count(), 0.15, 6);
    check_against_boost(net, &mask, 20 / kScale, 7);
}

TEST_CASE("closures: astar equals dijkstra on the masked graph") {
    std::uint64_t seed = 100;
    for (const auto& net : {grid_city(4), geometric(4)}) {
        DijkstraRouter reference(net);
        auto routers = routers_for(net);
        std::size_t unreachable = 0;
        for (const double fraction : {0.05, 0.1, 0.2}) {
            const world::EdgeMask mask = random_mask(net.edge_count(), fraction, ++seed);
            const auto pairs = random_pairs(net, 200, ++seed);
            for (auto& router : routers) {
                CAPTURE(router->name());
                CAPTURE(fraction);
                unreachable += compare(*router, reference, pairs, RouteView{&mask}).unreachable;
            }
        }
        // 20% closed disconnects some pairs: the not-found path is exercised
        CHECK(unreachable > 0);
    }
}

TEST_CASE("closures are per query: the same router serves different views") {
    const world::RoadNetwork net = grid_city(5);
    auto router = make_router(net);
    const NodeId from = 0;
    const auto to = static_cast<NodeId>(net.node_count() - 1);
    const Route open = router->fastest(from, to);
    REQUIRE(open.found);
    world::EdgeMask mask(net.edge_count());
    mask.set(open.edges[open.edges.size() / 2]);
    const Route detour = router->fastest(from, to, RouteView{&mask});
    REQUIRE(detour.found);
    CHECK(detour.travel_time_s >= open.travel_time_s);
    CHECK(std::find(detour.edges.begin(), detour.edges.end(), open.edges[open.edges.size() / 2]) ==
          detour.edges.end());
    CHECK(router->fastest(from, to).travel_time_s == open.travel_time_s);
}

TEST_CASE("overrides: slower and faster learned times are respected") {
    const world::RoadNetwork net = grid_city(6);
    DijkstraRouter reference(net);
    std::mt19937_64 rng(9);
    std::uniform_real_distribution<double> factor(0.5, 3.0);
    std::vector<float> times(net.edge_count());
    for (EdgeId e = 0; e < times.size(); ++e) {
        times[e] = static_cast<float>(net.travel_time_s(e) * factor(rng));
    }
    // a free edge: ratio 0, bounds switch off (at(): in a unity build gcc -O3 cannot tell that
    // the vector is not empty, -Wnull-dereference)
    times.at(0) = 0.0f;
    const world::EdgeMask mask = random_mask(net.edge_count(), 0.05, 10);
    const auto pairs = random_pairs(net, 200 / kScale, 11);
    for (auto& router : routers_for(net)) {
        CAPTURE(router->name());
        times[0] = static_cast<float>(net.travel_time_s(0));
        compare(*router, reference, pairs, make_view(net, &mask, times));
        // ratio unknown: the router scans the override itself
        compare(*router, reference, random_pairs(net, 20, 12), RouteView{nullptr, times});
        times[0] = 0.0f;
        compare(*router, reference, random_pairs(net, 20, 13), make_view(net, nullptr, times));
    }
    CHECK(override_ratio(net, times) == 0.0);
}

TEST_CASE("class factors: predicted congestion by area scales every edge of its class") {
    const world::RoadNetwork net = grid_city(8);
    DijkstraRouter reference(net);
    std::mt19937_64 rng(21);
    std::uniform_real_distribution<double> factor(0.6, 4.0);
    // 16 classes by area, as a vehicle's congestion model predicts them
    const world::BoundingBox box = net.bounds();
    std::vector<std::uint16_t> edge_class(net.edge_count());
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        const world::Point p = net.position(net.source(e));
        const auto cx = static_cast<std::uint16_t>(
            std::min(3.0, 4.0 * (p.x - box.min.x) / (box.max.x - box.min.x + 1.0)));
        const auto cy = static_cast<std::uint16_t>(
            std::min(3.0, 4.0 * (p.y - box.min.y) / (box.max.y - box.min.y + 1.0)));
        edge_class[e] = static_cast<std::uint16_t>(cy * 4 + cx);
    }
    std::vector<float> class_factor(16);
    for (float& f : class_factor) {
        f = static_cast<float>(factor(rng));
    }
    const world::EdgeMask mask = random_mask(net.edge_count(), 0.03, 22);
    // the same times spelled out per edge, with and without a base override
    std::vector<float> slow(net.edge_count());
    std::vector<float> spelled(net.edge_count());
    std::vector<float> spelled_slow(net.edge_count());
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        slow[e] = static_cast<float>(net.travel_time_s(e) * (e % 7 == 0 ? 2.0 : 1.0));
        spelled[e] = static_cast<float>(net.travel_time_s(e) * class_factor[edge_class[e]]);
        spelled_slow[e] = static_cast<float>(double(slow[e]) * class_factor[edge_class[e]]);
    }
    RouteView scaled(&mask);
    scaled.edge_class = edge_class;
    scaled.class_factor = class_factor;
    RouteView scaled_slow = make_view(net, &mask, slow);
    scaled_slow.edge_class = edge_class;
    scaled_slow.class_factor = class_factor;
    const auto pairs = random_pairs(net, 100 / kScale, 23);
    // float products per edge against double products: equal to float precision
    const auto near = [](double a, double b) {
        return a == b || std::abs(a - b) <= 1e-5 * std::max(1.0, std::abs(b));
    };
    for (auto& router : routers_for(net)) {
        CAPTURE(router->name());
        compare(*router, reference, pairs, scaled);
        compare(*router, reference, pairs, scaled_slow);
        for (const auto& [from, to] : pairs) {
            const double a = router->travel_time(from, to, scaled);
            const double b = reference.travel_time(from, to, make_view(net, &mask, spelled));
            CHECK(near(a, b));
            const double c = router->travel_time(from, to, scaled_slow);
            const double d = reference.travel_time(from, to, make_view(net, &mask, spelled_slow));
            CHECK(near(c, d));
        }
    }
    // a route's check agrees, and bad class factors are refused
    const Route r = reference.fastest(pairs[0].first, pairs[0].second, scaled);
    CHECK(close(check_route(net, r.from, r.to, r.edges, scaled).travel_time_s, r.travel_time_s));
    class_factor[3] = 0.0F;
    CHECK_THROWS_AS(reference.fastest(pairs[0].first, pairs[0].second, scaled),
                    std::invalid_argument);
}

TEST_CASE("self route is zero and unreachable targets are not found") {
    world::RoadNetwork::Builder b;
    b.add_node({0, 0}, 10);
    b.add_node({100, 0}, 11);
    b.add_node({200, 0}, 12);
    b.add_edge(0, 1, 100.0, 10.0, world::RoadClass::kResidential);
    b.add_edge(1, 0, 100.0, 10.0, world::RoadClass::kResidential);
    b.add_edge(1, 2, 100.0, 10.0, world::RoadClass::kResidential);  // 2 is a dead end
    const world::RoadNetwork net = std::move(b).build();
    for (const RouterKind kind : {RouterKind::kDijkstra, RouterKind::kAStar}) {
        for (const std::size_t landmarks : {std::size_t{0}, std::size_t{2}}) {
            RouterOptions options;
            options.kind = kind;
            options.landmark_count = landmarks;
            auto router = make_router(net, options);
            const Route self = router->fastest(1, 1);
            CHECK(self.found);
            CHECK(self.travel_time_s == 0.0);
            CHECK(self.length_m == 0.0);
            CHECK(self.edges.empty());
            const Route there = router->fastest(0, 2);
            CHECK(there.found);
            CHECK(there.travel_time_s == doctest::Approx(20.0));
            CHECK(there.length_m == doctest::Approx(200.0));
            CHECK(there.edges.size() == 2);
            const Route back = router->fastest(2, 0);
            CHECK_FALSE(back.found);
            CHECK(back.travel_time_s == kUnreachable);
            CHECK(router->travel_time(2, 1) == kUnreachable);
            world::EdgeMask mask(net.edge_count());
            mask.set(net.find_edge(1, 2));
            CHECK_FALSE(router->fastest(0, 2, RouteView{&mask}).found);
            CHECK(router->fastest(0, 1, RouteView{&mask}).found);
        }
    }
}

TEST_CASE("one-to-many: times to a set of targets, bounded by max_time_s") {
    const world::RoadNetwork net = geometric(7);
    DijkstraRouter reference(net);
    auto router = make_router(net);
    std::mt19937_64 rng(14);
    for (int q = 0; q < 10; ++q) {
        const auto from = static_cast<NodeId>(rng() % net.node_count());
        std::vector<NodeId> targets(20);
        for (auto& t : targets) {
            t = static_cast<NodeId>(rng() % net.node_count());
        }
        targets.push_back(targets[0]);  // duplicates are fine
        targets.push_back(from);
        std::vector<double> got(targets.size());
        router->travel_times(from, targets, got);
        for (std::size_t i = 0; i < targets.size(); ++i) {
            CHECK(close(got[i], reference.travel_time(from, targets[i])));
        }
        CHECK(got.back() == 0.0);
        // with a limit: beyond it counts as unreachable
        const double limit = 60.0;
        std::vector<double> bounded(targets.size());
        router->travel_times(from, targets, bounded, {}, limit);
        for (std::size_t i = 0; i < targets.size(); ++i) {
            CHECK(bounded[i] == (got[i] <= limit ? got[i] : kUnreachable));
        }
    }
}

TEST_CASE("views are validated") {
    const world::RoadNetwork net = grid_city(8);
    auto router = make_router(net);
    world::EdgeMask wrong(3);
    CHECK_THROWS_AS(router->fastest(0, 1, RouteView{&wrong}), std::invalid_argument);
    std::vector<float> short_times(2, 1.0f);
    CHECK_THROWS_AS(router->fastest(0, 1, RouteView{nullptr, short_times}), std::invalid_argument);
    std::vector<float> negative(net.edge_count(), 1.0f);
    negative[5] = -1.0f;
    CHECK_THROWS_AS(override_ratio(net, negative), std::invalid_argument);
    CHECK_THROWS_AS(router->fastest(0, static_cast<NodeId>(net.node_count())), std::out_of_range);
}

TEST_CASE("scratch is reused: a warm router settles the same nodes on a repeated query") {
    const world::RoadNetwork net = grid_city(9);
    RouterFactory factory(net);
    auto a = factory.make();
    auto b = factory.make();  // routers of one factory share the landmarks
    const auto pairs = random_pairs(net, 50, 15);
    for (const auto& [from, to] : pairs) {
        const double first = a->travel_time(from, to);
        const std::size_t settled = a->last_stats().settled;
        CHECK(a->travel_time(from, to) == first);
        CHECK(a->last_stats().settled == settled);
        CHECK(b->travel_time(from, to) == first);
    }
    // landmarks prune: A* with landmarks settles fewer nodes than Dijkstra on average
    DijkstraRouter reference(net);
    std::size_t alt = 0;
    std::size_t plain = 0;
    for (const auto& [from, to] : pairs) {
        a->travel_time(from, to);
        alt += a->last_stats().settled;
        reference.travel_time(from, to);
        plain += reference.last_stats().settled;
    }
    CHECK(alt * 2 < plain);
}
