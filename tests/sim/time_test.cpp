#include "sim/time.hpp"

#include <doctest/doctest.h>

using swarm::sim::kTickNever;
using swarm::sim::saturating_add;
using swarm::sim::Tick;
using swarm::sim::TimeScale;

TEST_CASE("time scale converts seconds and ticks both ways") {
    const TimeScale micro;
    CHECK(micro.from_seconds(1.0) == 1'000'000);
    CHECK(micro.from_seconds(0.0000015) == 2);  // rounds to nearest
    CHECK(micro.to_seconds(2'500'000) == doctest::Approx(2.5));
    const TimeScale milli{1000};
    CHECK(milli.from_seconds(3600.0) == 3'600'000);
    CHECK(milli.to_seconds(milli.from_seconds(12.345)) == doctest::Approx(12.345));
}

TEST_CASE("time scale refuses values that do not fit in ticks") {
    const TimeScale micro;
    CHECK_THROWS_AS(static_cast<void>(micro.from_seconds(1e15)), std::out_of_range);
    CHECK_THROWS_AS(static_cast<void>(micro.from_seconds(std::nan(""))), std::out_of_range);
}

TEST_CASE("saturating_add stops at never") {
    CHECK(saturating_add(5, 7) == 12);
    CHECK(saturating_add(kTickNever - 3, 10) == kTickNever);
    CHECK(saturating_add(kTickNever, 1) == kTickNever);
    CHECK(saturating_add(Tick{-5}, 3) == -2);
}
