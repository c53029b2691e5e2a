// Time of day: the speed model itself (integration through hours, FIFO, validation) and the
// routers under it, against a plain time-dependent Dijkstra and against brute force.
#include "agents/routing/speed_profile.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "agents/routing/cch_metric.hpp"
#include "agents/routing/cch_router.hpp"
#include "agents/routing/dijkstra.hpp"
#include "agents/routing/router.hpp"
#include "agents/world/generators.hpp"
#include "tests/agents/routing/route_compare.hpp"
#include "tests/agents/routing/td_reference.hpp"

using namespace swarm;
using namespace swarm::routing;
using routing::test::close;
using routing::test::kScale;
using world::RoadClass;

namespace {

constexpr double kH = SpeedProfile::kHourS;

// a line 0 -> 1 -> 2 of residential roads, 1000 m at 10 m/s
world::RoadNetwork line() {
    world::RoadNetwork::Builder b;
    for (int i = 0; i < 3; ++i) {
        b.add_node({1000.0 * i, 0.0}, static_cast<std::uint64_t>(i));
    }
    b.add_edge(0, 1, 1000.0, 10.0, RoadClass::kResidential);
    b.add_edge(1, 2, 1000.0, 10.0, RoadClass::kPrimary);
    return std::move(b).build();
}

world::RoadNetwork grid(std::uint64_t seed) {
    world::GridCityParams p;
    p.rows = 25;
    p.cols = 30;
    p.one_way_fraction = 0.2;
    p.seed = seed;
    return test::with_random_classes(world::make_grid_city(p), seed + 1);
}

// departures a few minutes before an hour boundary, so that routes cross it
std::vector<double> departures(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> before(0.0, 400.0);
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<double>(rng() % 48 + 1) * kH - before(rng);
    }
    return out;
}

}  // namespace

TEST_CASE("speed profile: an edge's time integrates through the hour boundaries it meets") {
    const world::RoadNetwork net = line();
    SpeedProfile::Classes f = SpeedProfile::flat();
    const auto res = static_cast<std::size_t>(RoadClass::kResidential);
    f[res][8] = 0.5;
    f[res][9] = 0.25;
    const SpeedProfile p(f, net);
    CHECK_FALSE(p.empty());
    CHECK(p.max_factor() == 1.0);
    // within an hour at factor 1: the base time itself, exactly
    CHECK(p.traverse(RoadClass::kResidential, 7 * kH + 100.0, 100.0) == 100.0);
    CHECK(p.traverse(RoadClass::kPrimary, 8 * kH + 100.0, 100.0) == 100.0);
    // at 0.5: twice as long
    CHECK(p.traverse(RoadClass::kResidential, 8 * kH + 100.0, 100.0) == 200.0);
    // 60 s of work before 8:00 at 1, the other 60 s at 0.5 (120 s): 180 s
    CHECK(p.traverse(RoadClass::kResidential, 8 * kH - 60.0, 120.0) == doctest::Approx(180.0));
    // through three hours: 1 h at 0.5 is 1800 s of work, then 0.25 for the 2000 s left and 1
    const double long_edge = 1800.0 + 900.0 + 100.0;
    CHECK(p.traverse(RoadClass::kResidential, 8 * kH, long_edge) ==
          doctest::Approx(2 * kH + 100.0));
    // every day alike: 8 h of day 3 is 8 h, and the night wraps from 23 h to 0 h
    CHECK(p.traverse(RoadClass::kResidential, 2 * 24 * kH + 8 * kH + 10.0, 50.0) == 100.0);
    CHECK(SpeedProfile::hour_of(24 * kH - 1e-9) == 23);
    CHECK(SpeedProfile::hour_of(24 * kH) == 0);
    CHECK(SpeedProfile::hour_of(3 * 24 * kH + 9 * kH + 1.0) == 9);
    CHECK(p.traverse(RoadClass::kResidential, 10.0, 0.0) == 0.0);
    // the network mean, weighted by free-flow time: half the time residential
    CHECK(p.mean_factor(7) == 1.0);
    CHECK(p.mean_factor(8) == doctest::Approx(2.0 / (1.0 + 2.0)));
    CHECK(p.mean_traverse(8 * kH, 100.0) == doctest::Approx(150.0));
}

TEST_CASE("speed profile: factors out of range are refused") {
    const world::RoadNetwork net = line();
    for (const double bad : {0.0, 0.01, 2.5, std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity()}) {
        SpeedProfile::Classes f = SpeedProfile::flat();
        f[3][17] = bad;
        CAPTURE(bad);
        CHECK_THROWS_AS(SpeedProfile(f, net), std::invalid_argument);
    }
    SpeedProfile::Classes f = SpeedProfile::flat();
    f[0][0] = 2.0;
    CHECK(SpeedProfile(f, net).max_factor() == 2.0);
    CHECK(SpeedProfile().empty());
}

TEST_CASE("speed profile: leaving later never arrives earlier (FIFO), around every boundary") {
    const world::RoadNetwork net = line();
    const SpeedProfile p(test::random_factors(5, 0.05, 2.0), net);
    std::mt19937_64 rng(6);
    std::uniform_real_distribution<double> base(0.5, 5000.0);
    std::size_t crossings = 0;
    for (int trial = 0; trial < 200; ++trial) {
        const double b = base(rng);
        const auto c = static_cast<RoadClass>(trial % 9);
        const double boundary = static_cast<double>(trial % 30 + 1) * kH;
        double last = -std::numeric_limits<double>::infinity();
        for (double t = boundary - 2.0 * b - 7.0; t < boundary + 7.0; t += 0.37) {
            const double arrival = t + p.traverse(c, t, b);
            CHECK(arrival >= last);
            crossings += SpeedProfile::hour_of(arrival) != SpeedProfile::hour_of(t) ? 1U : 0U;
            last = arrival;
        }
    }
    CHECK(crossings > 1000);
}

TEST_CASE("time of day: every router equals a plain time-dependent Dijkstra") {
    const world::RoadNetwork net = grid(3);
    const SpeedProfile profile(test::random_factors(4), net);
    DijkstraRouter dijkstra(net);
    std::vector<std::unique_ptr<Router>> routers;
    for (const std::size_t landmarks : {std::size_t{0}, std::size_t{8}}) {
        RouterOptions o;
        o.landmark_count = landmarks;
        routers.push_back(make_router(net, o));
    }
    RouterOptions cch;
    cch.kind = RouterKind::kCch;
    routers.push_back(make_router(net, cch));  // falls back to ALT: no static metric
    std::mt19937_64 rng(7);
    world::EdgeMask mask(net.edge_count());
    std::vector<std::uint16_t> zone(net.edge_count());
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        mask.set(e, rng() % 40 == 0);
        zone[e] = static_cast<std::uint16_t>(e % 3);
    }
    const std::vector<float> zone_factor{0.7F, 1.0F, 2.5F};
    const auto deps = departures(30 / kScale, 8);
    const auto pairs = test::random_pairs(net, deps.size(), 9);
    std::vector<NodeId> all(net.node_count());
    for (NodeId v = 0; v < all.size(); ++v) {
        all[v] = v;
    }
    std::vector<double> out(all.size());
    for (int variant = 0; variant < 3; ++variant) {
        for (std::size_t i = 0; i < deps.size(); ++i) {
            RouteView view(variant > 0 ? &mask : nullptr);
            view.profile = &profile;
            view.depart_s = deps[i];
            view.speed_factor = variant == 2 ? 0.8 : 1.0;
            if (variant == 2) {
                view.edge_class = zone;  // predicted congestion by zone on top
                view.class_factor = zone_factor;
            }
            CAPTURE(variant);
            CAPTURE(view.depart_s);
            const auto [from, to] = pairs[i];
            const std::vector<double> expected = test::td_reference(net, from, view);
            test::compare(*routers[0], dijkstra, {{from, to}}, view);
            for (auto& r : routers) {
                CAPTURE(r->name());
                const Route got = r->fastest(from, to, view);
                CHECK(close(got.travel_time_s, expected[to]));
                if (got.found) {
                    const RouteCheck path = check_route(net, from, to, got.edges, view);
                    CHECK(path.valid);
                    CHECK(close(path.travel_time_s, got.travel_time_s));
                }
                r->travel_times(from, all, out, view);
                for (NodeId v = 0; v < all.size(); v += 7) {
                    CHECK(close(out[v], expected[v]));
                }
            }
        }
    }
}

TEST_CASE("time of day: brute force over every simple path of small graphs") {
    std::mt19937_64 rng(11);
    std::size_t compared = 0;
    for (int g = 0; g < 40; ++g) {
        // 7 nodes, slow long roads (an edge may span hours), random classes
        world::RoadNetwork::Builder b;
        for (int i = 0; i < 7; ++i) {
            b.add_node({static_cast<double>(rng() % 1000), static_cast<double>(rng() % 1000)},
                       static_cast<std::uint64_t>(i));
        }
        for (int k = 0; k < 18; ++k) {
            const auto u = static_cast<NodeId>(rng() % 7);
            const auto v = static_cast<NodeId>(rng() % 7);
            if (u != v) {
                b.add_edge(u, v, 1000.0 + static_cast<double>(rng() % 20000), 1.0,
                           static_cast<RoadClass>(rng() % 9));
            }
        }
        const world::RoadNetwork net = std::move(b).build();
        const SpeedProfile profile(test::random_factors(100 + static_cast<std::uint64_t>(g)), net);
        RouteView view;
        view.profile = &profile;
        view.depart_s = static_cast<double>(rng() % 86400);
        // every simple path from 0, by depth-first search, timed by check_route
        std::vector<double> best(net.node_count(), kUnreachable);
        std::vector<EdgeId> path;
        std::vector<char> on(net.node_count(), 0);
        const auto dfs = [&](auto&& self, NodeId u) -> void {
            const RouteCheck c = check_route(net, 0, u, path, view);
            best[u] = std::min(best[u], c.travel_time_s);
            on[u] = 1;
            for (const EdgeId e : net.out_edges(u)) {
                if (on[net.target(e)] == 0) {
                    path.push_back(e);
                    self(self, net.target(e));
                    path.pop_back();
                }
            }
            on[u] = 0;
        };
        dfs(dfs, 0);
        for (const RouterKind kind : {RouterKind::kDijkstra, RouterKind::kAStar}) {
            RouterOptions o;
            o.kind = kind;
            o.landmark_count = 2;
            auto r = make_router(net, o);
            for (NodeId t = 0; t < net.node_count(); ++t) {
                CAPTURE(g);
                CAPTURE(t);
                CHECK(close(r->travel_time(0, t, view), best[t]));
                compared += best[t] < kUnreachable ? 1U : 0U;
            }
        }
    }
    CHECK(compared > 200);
}

TEST_CASE("time of day: a route leaving later never arrives earlier") {
    const world::RoadNetwork net = grid(12);
    const SpeedProfile profile(test::random_factors(13, 0.1, 2.0), net);
    auto router = make_router(net);
    const auto pairs = test::random_pairs(net, 20 / kScale, 14);
    for (const auto& [from, to] : pairs) {
        double last = -kUnreachable;
        for (double t = 8 * kH - 900.0; t < 8 * kH + 60.0; t += 13.0) {
            RouteView view;
            view.profile = &profile;
            view.depart_s = t;
            const double arrival = t + router->travel_time(from, to, view);
            CHECK(arrival >= last - 1e-9 * std::abs(last));
            last = arrival;
        }
    }
}

TEST_CASE("time of day: a constant profile gives today's answers") {
    const world::RoadNetwork net = grid(15);
    auto router = make_router(net);
    DijkstraRouter dijkstra(net);
    const SpeedProfile ones(SpeedProfile::flat(), net);
    SpeedProfile::Classes half = SpeedProfile::flat();
    for (auto& hours : half) {
        hours.fill(0.5);
    }
    const SpeedProfile halves(half, net);
    const auto pairs = test::random_pairs(net, 50 / kScale, 16);
    const auto deps = departures(pairs.size(), 17);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const auto [from, to] = pairs[i];
        const double today = dijkstra.travel_time(from, to);
        RouteView view;
        view.depart_s = deps[i];
        view.profile = &ones;
        CHECK(close(router->travel_time(from, to, view), today));
        CHECK(close(dijkstra.travel_time(from, to, view), today));
        view.profile = &halves;
        CHECK(close(router->travel_time(from, to, view), 2.0 * today));
        // and a vehicle at 0.5 of each road's speed under the ones
        view.profile = &ones;
        view.speed_factor = 0.5;
        CHECK(close(router->travel_time(from, to, view), 2.0 * today));
    }
    // within one hour at factor 1 an edge's time is the static one, bit for bit
    RouteView view;
    view.profile = &ones;
    view.depart_s = 3 * kH;
    const Route r = dijkstra.fastest(pairs[0].first, pairs[0].second);
    CHECK(check_route(net, r.from, r.to, r.edges, view).travel_time_s ==
          check_route(net, r.from, r.to, r.edges).travel_time_s);
}

TEST_CASE("time of day: the CCH has no static metric for it and falls back") {
    const world::RoadNetwork net = grid(18);
    const SpeedProfile profile(test::random_factors(19), net);
    RouterOptions o;
    o.kind = RouterKind::kCch;
    const RouterFactory factory(net, o);
    RouteView view;
    view.profile = &profile;
    view.depart_s = 17 * kH - 200.0;
    CHECK_FALSE(CchRouter::is_free_flow(view));
    CHECK_THROWS_AS(CchMetric(factory.cch_topology(), view), std::invalid_argument);
    auto cch = factory.make_cch();
    DijkstraRouter dijkstra(net);
    test::compare(*cch, dijkstra, test::random_pairs(net, 20 / kScale, 20), view);
    // bad departures and speed factors are refused like any bad view
    view.speed_factor = 0.0;
    CHECK_THROWS_AS(dijkstra.travel_time(0, 1, view), std::invalid_argument);
    view.speed_factor = 1.0;
    view.depart_s = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(dijkstra.travel_time(0, 1, view), std::invalid_argument);
}
