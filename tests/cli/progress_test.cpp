#include "cli/progress.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

using namespace swarm::cli;

TEST_CASE("clock text for elapsed times and ETAs") {
    CHECK(clock_text(0.0) == "0:00");
    CHECK(clock_text(7.4) == "0:07");
    CHECK(clock_text(754.0) == "12:34");
    CHECK(clock_text(3723.0) == "1:02:03");
    CHECK(clock_text(-1.0) == "-");
    CHECK(clock_text(std::numeric_limits<double>::quiet_NaN()) == "-");
}

TEST_CASE("eta assumes the pace so far") {
    CHECK(eta_seconds(0.25, 10.0) == doctest::Approx(30.0));
    CHECK(eta_seconds(1.0, 10.0) == doctest::Approx(0.0));
    CHECK(std::isnan(eta_seconds(0.0, 10.0)));
}

TEST_CASE("progress bar and plain line") {
    ProgressState p;
    p.sim_s = 900.0;
    p.end_s = 3600.0;
    p.elapsed_s = 10.0;
    p.events_per_s = 1234567.0;
    CHECK(progress_bar(p, 8) ==
          "[##......]  25%  sim 900/3600 s  elapsed 0:10  ETA 0:30  1,234,567 events/s");
    CHECK(progress_line(p) ==
          "progress: sim time 900 s of 3600 s (25.0%), elapsed 0:10, ETA 0:30, 1,234,567 "
          "events/s");
    p.sim_s = 0.0;  // no progress yet: no ETA
    CHECK(progress_line(p).find("ETA -,") != std::string::npos);
    p.sim_s = 5000.0;  // past the end (a last sample): full, never beyond
    CHECK(progress_bar(p, 4).rfind("[####] 100%", 0) == 0);
}
