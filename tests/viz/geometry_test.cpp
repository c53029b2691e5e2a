#include "viz/geometry.hpp"

#include <doctest/doctest.h>

#include "agents/world/generators.hpp"

using namespace swarm;
using namespace swarm::viz;

TEST_CASE("camera maps world to pixels and back through pan and zoom") {
    Camera c;
    c.set_viewport(0, 0, 800, 600);
    c.fit({0, 0}, {1000, 500}, 0.0);
    CHECK(c.scale() == doctest::Approx(0.8));
    Vec2 p = c.to_pixel({500, 250});
    CHECK(p.x == doctest::Approx(400));
    CHECK(p.y == doctest::Approx(300));
    // y points up in the world, down on screen
    CHECK(c.to_pixel({500, 500}).y < p.y);
    c.pan_pixels(100, 0);
    CHECK(c.to_pixel({500, 250}).x == doctest::Approx(500));
    const Vec2 anchor{123, 77};
    const Vec2 w = c.to_world(anchor);
    c.zoom_at(anchor, 3.0);
    const Vec2 after = c.to_pixel(w);
    CHECK(after.x == doctest::Approx(anchor.x));
    CHECK(after.y == doctest::Approx(anchor.y));
    // the clip transform agrees with the pixel mapping
    float sx = 0, sy = 0, ox = 0, oy = 0;
    c.clip_transform(sx, sy, ox, oy);
    const Vec2 q = c.to_pixel({10, 20});
    CHECK(10 * sx + ox == doctest::Approx(q.x / 400.0 - 1.0).epsilon(1e-5));
    CHECK(20 * sy + oy == doctest::Approx(1.0 - q.y / 300.0).epsilon(1e-5));
}

TEST_CASE("road geometry has one segment per edge relative to the origin") {
    world::GridCityParams p;
    p.rows = 4;
    p.cols = 5;
    const world::RoadNetwork net = world::make_grid_city(p);
    const std::vector<world::NodeId> depots = {0, 7};
    const RoadGeometry g = build_road_geometry(net, depots);
    REQUIRE(g.edges() == net.edge_count());
    for (std::size_t e = 0; e < g.edges(); ++e) {
        const world::Point a = net.position(net.source(static_cast<world::EdgeId>(e)));
        CHECK(g.vertices[4 * e] == doctest::Approx(a.x - g.origin.x));
        CHECK(g.vertices[4 * e + 1] == doctest::Approx(a.y - g.origin.y));
    }
    REQUIRE(g.depots.size() == 4);
    CHECK(g.depots[2] == doctest::Approx(net.position(7).x - g.origin.x));
    CHECK(g.extent.x > 0.0);
}

TEST_CASE("picking finds the nearest agent edge and depot within the radius") {
    const std::vector<float> xy = {0, 0, 10, 0, 10, 10};
    CHECK(pick_agent(xy, {9, 1}, 3.0) == 1U);
    CHECK(pick_agent(xy, {9, 9}, 3.0) == 2U);
    CHECK_FALSE(pick_agent(xy, {50, 50}, 3.0).has_value());
    RoadGeometry g;
    g.vertices = {0, 0, 100, 0, 0, 0, 0, 100};
    g.depots = {50, 50};
    CHECK(pick_edge(g, {50, 2}, 5.0) == 0U);
    CHECK(pick_edge(g, {2, 60}, 5.0) == 1U);
    CHECK_FALSE(pick_edge(g, {50, 50}, 5.0).has_value());
    CHECK(pick_depot(g, {52, 49}, 5.0) == 0U);
    CHECK(segment_distance({50, 10}, {0, 0}, {100, 0}) == doctest::Approx(10));
    CHECK(segment_distance({-3, 4}, {0, 0}, {100, 0}) == doctest::Approx(5));
}
