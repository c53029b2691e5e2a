#include "viz/timeline.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace swarm::viz;

TEST_CASE("timeline plays at its speed and stops at the end") {
    Timeline t({0, 60, 120, 180}, {});
    CHECK(t.time() == 0.0);
    t.advance(1.0);
    CHECK(t.time() == 0.0);  // paused
    t.set_speed(30.0);
    t.play();
    t.advance(1.0);
    CHECK(t.time() == doctest::Approx(30.0));
    t.advance(100.0);
    CHECK(t.time() == 180.0);
    CHECK_FALSE(t.playing());
    CHECK_THROWS_AS(t.set_speed(0.0), std::invalid_argument);
    CHECK_THROWS_AS(Timeline({}, {}), std::invalid_argument);
    CHECK_THROWS_AS(Timeline({5, 1}, {}), std::invalid_argument);
}

TEST_CASE("timeline scrubs and brackets frames for interpolation") {
    Timeline t({0, 60, 120}, {});
    t.seek(90.0);
    Timeline::Bracket b = t.bracket();
    CHECK(b.k0 == 1);
    CHECK(b.k1 == 2);
    CHECK(b.w == doctest::Approx(0.5));
    t.seek(-5.0);
    CHECK(t.time() == 0.0);
    b = t.bracket();
    CHECK(b.k0 == 0);
    CHECK(b.k1 == 0);
    t.seek(1e9);
    b = t.bracket();
    CHECK(b.k0 == 2);
    CHECK(b.k1 == 2);
    CHECK(t.bracket_at(60.0).k0 == 1);
    CHECK(t.bracket_at(60.0).w == 0.0);
}

TEST_CASE("timeline jumps to the next disruption in order") {
    Timeline t({0, 100, 200, 300}, {250.0, 50.0, 500.0});
    REQUIRE(t.jump_to_next_disruption());
    CHECK(t.time() == 50.0);
    REQUIRE(t.jump_to_next_disruption());
    CHECK(t.time() == 250.0);
    CHECK_FALSE(t.jump_to_next_disruption());  // 500 lies beyond the end
    CHECK(t.time() == 250.0);
}
