#include "viz/timeline.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

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

TEST_CASE("the clock of labels: the scenario's time of day, else the time since the start") {
    CHECK(SimClock{10.0}(2400.0) == "10:40");
    CHECK(SimClock{23.5}(3600.0) == "00:30");  // past midnight
    CHECK(SimClock{}(2400.0) == "0:40");
    CHECK(SimClock{}(5 * 3600.0 + 59.9) == "5:01");
    CHECK(SimClock{8.0}.axis_title() == "time of day");
    CHECK(SimClock{}.axis_title() == "time since start (h:mm)");
}

TEST_CASE("time axis ticks at round clock times, at most as many as asked") {
    const auto labels = [](const std::vector<AxisTick>& ticks) {
        std::vector<std::string> out;
        for (const AxisTick& t : ticks) {
            out.push_back(t.label);
        }
        return out;
    };
    // two hours from 10:00: every 30 min gives 5 ticks
    std::vector<AxisTick> t = time_ticks(0.0, 7200.0, SimClock{10.0}, 5);
    CHECK(labels(t) == std::vector<std::string>{"10:00", "10:30", "11:00", "11:30", "12:00"});
    CHECK(t[1].value == 1800.0);
    // from 10:20: the ticks stay on the clock's round times
    t = time_ticks(0.0, 7200.0, SimClock{10.0 + 1.0 / 3.0}, 3);
    CHECK(labels(t) == std::vector<std::string>{"11:00", "12:00"});
    CHECK(t[0].value == doctest::Approx(2400.0));
    // elapsed time, a day in 9 ticks at most: every 3 h, both ends included
    t = time_ticks(0.0, 86400.0, SimClock{}, 9);
    CHECK(t.size() == 9);
    CHECK(t[1].label == "3:00");
    CHECK(t.back().label == "24:00");
    CHECK(time_ticks(0.0, 0.0, SimClock{}, 5).empty());
}
