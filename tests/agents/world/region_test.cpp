#include "agents/world/region.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "agents/world/generators.hpp"
#include "sim/random.hpp"

using namespace swarm::world;

namespace {

// a line of nodes 0..4 at x = 0, 100, ..., 400 joined both ways
RoadNetwork line_network() {
    RoadNetwork::Builder b;
    for (int i = 0; i < 5; ++i) {
        b.add_node({100.0 * i, 0.0}, static_cast<std::uint64_t>(i));
    }
    for (NodeId i = 0; i + 1 < 5; ++i) {
        b.add_edge(i, i + 1, 100.0, 10.0, RoadClass::kResidential);
        b.add_edge(i + 1, i, 100.0, 10.0, RoadClass::kResidential);
    }
    return std::move(b).build();
}

}  // namespace

TEST_CASE("circle contains its disc and boundary") {
    const Region c = Region::circle({10.0, 20.0}, 5.0);
    CHECK(c.shape() == Region::Shape::kCircle);
    CHECK(c.contains({10.0, 20.0}));
    CHECK(c.contains({15.0, 20.0}));  // on the boundary
    CHECK(c.contains({13.0, 24.0}));  // 3-4-5: exactly on the boundary
    CHECK_FALSE(c.contains({13.0, 24.1}));
    CHECK_FALSE(c.contains({14.0, 24.0}));  // inside the box, outside the disc
    CHECK(c.bounds().min.x == 5.0);
    CHECK(c.bounds().max.y == 25.0);
    CHECK(c.area_m2() == doctest::Approx(std::numbers::pi * 25.0));
}

TEST_CASE("polygon contains by the even-odd rule") {
    // an L shape: the square [0,20]^2 minus [10,20]x[10,20], clockwise
    const Region l = Region::polygon({{0, 0}, {0, 20}, {10, 20}, {10, 10}, {20, 10}, {20, 0}});
    CHECK(l.shape() == Region::Shape::kPolygon);
    CHECK(l.vertices().size() == 6);
    CHECK(l.contains({5, 5}));
    CHECK(l.contains({5, 15}));
    CHECK(l.contains({15, 5}));
    CHECK_FALSE(l.contains({15, 15}));  // the notch
    CHECK_FALSE(l.contains({-1, 5}));
    CHECK_FALSE(l.contains({25, 5}));
    CHECK(l.bounds().min.x == 0.0);
    CHECK(l.bounds().max.x == 20.0);
    CHECK(l.area_m2() == doctest::Approx(300.0));

    // a pentagram: its centre is crossed twice, so even-odd leaves it outside
    std::vector<Point> star;
    for (int k = 0; k < 5; ++k) {
        const double a = std::numbers::pi / 2.0 + (4.0 * std::numbers::pi * k / 5.0);
        star.push_back({100.0 * std::cos(a), 100.0 * std::sin(a)});
    }
    const Region s = Region::polygon(star);
    CHECK_FALSE(s.contains({0.0, 0.0}));
    CHECK(s.contains({0.0, 70.0}));  // inside the top point
}

TEST_CASE("polygon agrees with a circle approximated by many vertices") {
    std::vector<Point> ring;
    const int n = 720;
    for (int k = 0; k < n; ++k) {
        const double a = 2.0 * std::numbers::pi * k / n;
        ring.push_back({50.0 + (100.0 * std::cos(a)), -20.0 + (100.0 * std::sin(a))});
    }
    const Region poly = Region::polygon(ring);
    const Region disc = Region::circle({50.0, -20.0}, 100.0);
    swarm::sim::RandomStream rng(7, 1);
    int checked = 0;
    for (int i = 0; i < 5000; ++i) {
        const Point p{rng.uniform(-80.0, 180.0), rng.uniform(-150.0, 110.0)};
        const double d = std::hypot(p.x - 50.0, p.y + 20.0);
        if (std::fabs(d - 100.0) < 0.1) {
            continue;  // the chords cut up to 0.01 m inside the circle
        }
        CHECK(poly.contains(p) == disc.contains(p));
        ++checked;
    }
    CHECK(checked > 4900);
}

TEST_CASE("invalid regions are refused with a reason") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(Region::circle({0, 0}, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(Region::circle({0, 0}, -1.0), std::invalid_argument);
    CHECK_THROWS_AS(Region::circle({0, 0}, inf), std::invalid_argument);
    CHECK_THROWS_AS(Region::circle({0, 0}, nan), std::invalid_argument);
    CHECK_THROWS_AS(Region::circle({nan, 0}, 1.0), std::invalid_argument);
    CHECK_THROWS_WITH_AS(Region::polygon({{0, 0}, {1, 1}}),
                         "region polygon: needs at least 3 vertices, got 2", std::invalid_argument);
    CHECK_THROWS_AS(Region::polygon({{0, 0}, {1, 1}, {2, 2}}), std::invalid_argument);  // no area
    CHECK_THROWS_AS(Region::polygon({{0, 0}, {1, inf}, {2, 0}}), std::invalid_argument);
}

TEST_CASE("edges_in takes edges by either end or midpoint") {
    const RoadNetwork net = line_network();
    const auto ids_between = [&](NodeId a, NodeId b) {
        std::vector<EdgeId> ids;
        for (EdgeId e = 0; e < net.edge_count(); ++e) {
            const NodeId s = net.source(e);
            const NodeId t = net.target(e);
            if ((s == a && t == b) || (s == b && t == a)) {
                ids.push_back(e);
            }
        }
        return ids;
    };

    SUBCASE("a circle around node 2 takes both roads at node 2 both ways") {
        const auto edges = edges_in(net, Region::circle({200.0, 0.0}, 10.0));
        std::vector<EdgeId> expected = ids_between(1, 2);
        for (EdgeId e : ids_between(2, 3)) {
            expected.push_back(e);
        }
        std::sort(expected.begin(), expected.end());
        CHECK(edges == expected);
    }
    SUBCASE("a small circle at a midpoint takes only that road") {
        const auto edges = edges_in(net, Region::circle({350.0, 0.0}, 5.0));
        CHECK(edges == ids_between(3, 4));
    }
    SUBCASE("a region away from the road takes nothing") {
        CHECK(edges_in(net, Region::circle({200.0, 50.0}, 10.0)).empty());
    }
}

TEST_CASE("edges_in matches a brute-force test on a grid city") {
    GridCityParams params;
    params.rows = 20;
    params.cols = 20;
    const RoadNetwork net = make_grid_city(params);
    const Region poly = Region::polygon({{300, 300}, {1200, 500}, {900, 1400}, {200, 1000}});
    const auto edges = edges_in(net, poly);
    std::vector<EdgeId> brute;
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        const Point a = net.position(net.source(e));
        const Point b = net.position(net.target(e));
        if (poly.contains(a) || poly.contains(b) ||
            poly.contains({(a.x + b.x) / 2.0, (a.y + b.y) / 2.0})) {
            brute.push_back(e);
        }
    }
    CHECK(edges == brute);
    CHECK(edges.size() > 50);
    CHECK(edges.size() < net.edge_count() / 2);
    CHECK(std::is_sorted(edges.begin(), edges.end()));
}

TEST_CASE("region rings: a polygon with a hole, a multipolygon") {
    // a 100 m square with a 20 m hole, and a second square apart
    const std::vector<Point> outer = {{0, 0}, {100, 0}, {100, 100}, {0, 100}};
    const std::vector<Point> hole = {{40, 40}, {60, 40}, {60, 60}, {40, 60}};
    const std::vector<Point> apart = {{200, 0}, {210, 0}, {210, 10}};
    const Region r = Region::rings({outer, hole, apart});
    CHECK(r.shape() == Region::Shape::kPolygon);
    CHECK(r.ring_ends().size() == 3);
    CHECK(r.contains({10, 10}));
    CHECK_FALSE(r.contains({50, 50}));  // in the hole
    CHECK(r.contains({208, 1}));
    CHECK_FALSE(r.contains({150, 5}));  // between the parts
    CHECK(r.area_m2() == doctest::Approx(100.0 * 100 - 20 * 20 + 50));
    CHECK(r.bounds().max.x == 210.0);
    // one ring is a polygon
    const Region one = Region::rings({outer});
    CHECK(one.area_m2() == doctest::Approx(Region::polygon(outer).area_m2()));
    CHECK_THROWS_AS((void)Region::rings({}), std::invalid_argument);
    CHECK_THROWS_WITH_AS((void)Region::rings({outer, {{0, 0}, {1, 1}}}),
                         doctest::Contains("ring 1"), std::invalid_argument);
}
