#include "viz/dashboard.hpp"

#include <doctest/doctest.h>

using namespace swarm::viz;

namespace {

// Q per 60 s interval; 10 agents; `util` busy share; 5 deliveries per interval
KpiHistory history(const std::vector<double>& q, double util = 0.5) {
    KpiHistory h;
    h.interval_s = 60.0;
    h.agents = 10;
    for (std::size_t k = 0; k < q.size(); ++k) {
        h.intervals.push_back({60.0 * static_cast<double>(k + 1), q[k], 10.0, 5.0, util});
        KpiPoint p;
        p.time_s = 60.0 * static_cast<double>(k + 1);
        p.failed = static_cast<double>(k);
        p.orphaned = 2.0 * static_cast<double>(k);
        h.samples.push_back(p);
    }
    return h;
}

}  // namespace

TEST_CASE("time to recover counts from the disruption's onset") {
    KpiHistory h = history({1.0, 0.98, 0.5, 0.7, 0.96, 1.0});
    h.disruptions = {70.0};
    const RecoveryFigure r = recovery_at(h, 1e9);
    CHECK(r.failed);
    CHECK(r.recovered);
    CHECK(r.failed_at_s == doctest::Approx(120.0));
    CHECK(r.time_to_recover_s == doctest::Approx(170.0));  // back at 240 s, onset at 70 s
    // at t = 250 s the recovery interval has not ended: still failing
    const RecoveryFigure early = recovery_at(h, 250.0);
    CHECK(early.failed);
    CHECK_FALSE(early.recovered);
    CHECK(early.time_to_recover_s == doctest::Approx(170.0));  // 240 - 70 so far
    // a disruption after t does not count yet
    h.disruptions = {1000.0};
    CHECK_FALSE(recovery_at(h, 300.0).failed);
}

TEST_CASE("cost per delivery and the baseline ratio") {
    const KpiHistory h = history({1, 1, 1, 1}, 0.5);
    // each interval: 0.5 * 10 agents * 60 s = 300 veh-s = 1/12 veh-h for 5 deliveries
    REQUIRE(cost_per_delivery(h, 1e9).has_value());
    CHECK(*cost_per_delivery(h, 1e9) == doctest::Approx(1.0 / 60.0));
    CHECK_FALSE(cost_per_delivery(h, 10.0).has_value());
    const KpiHistory base = history({1, 1, 1, 1}, 0.25);
    const std::vector<KpiTile> tiles = make_tiles(h, &base, 1e9);
    REQUIRE(tiles.size() == 5);
    CHECK(tiles[4].label == "Cost");
    CHECK(tiles[4].value == "2.00x");
    CHECK(tiles[4].alert);
}

TEST_CASE("the cost tile shows the cost KPI against the baseline when both report it") {
    KpiHistory h = history({1, 1, 1, 1});
    KpiHistory base = history({1, 1, 1, 1});
    for (std::size_t k = 0; k < 4; ++k) {
        h.intervals[k].cost = 300.0 * static_cast<double>(k + 1);
        base.intervals[k].cost = 200.0 * static_cast<double>(k + 1);
    }
    CHECK(*cost_at(h, 130.0) == doctest::Approx(600.0));
    CHECK_FALSE(cost_at(h, 10.0).has_value());
    std::vector<KpiTile> tiles = make_tiles(h, &base, 1e9);
    CHECK(tiles[4].value == "1.50x");
    CHECK(tiles[4].detail == "1200 vs baseline 800");
    CHECK(tiles[4].alert);
    CHECK(tiles[4].spark.size() == 4);
    tiles = make_tiles(h, nullptr, 1e9);
    CHECK(tiles[4].value == "1200");
    // a baseline without the KPI (an old trace): both fall back to veh-h per delivery
    tiles = make_tiles(h, &(base = history({1, 1, 1, 1})), 1e9);
    CHECK(tiles[4].detail.find("veh-h") != std::string::npos);
}

TEST_CASE("tiles show service level on-time share orphans and recovery at t") {
    KpiHistory h = history({1.0, 0.5, 1.0});
    h.has_orphaned = true;
    h.disruptions = {60.0};
    std::vector<KpiTile> tiles = make_tiles(h, nullptr, 130.0);
    CHECK(tiles[0].value == "50.0 %");
    CHECK(tiles[0].alert);
    CHECK(tiles[0].spark.size() == 2);
    CHECK(tiles[1].value == "75.0 %");  // (10 + 5) / 20 due on time
    CHECK(tiles[2].value == "2");       // orphaned at the sample of t = 120 s
    CHECK(tiles[3].value.rfind("> ", 0) == 0);
    tiles = make_tiles(h, nullptr, 1e9);
    CHECK(tiles[0].value == "100.0 %");
    CHECK(tiles[3].value == "1 min");
    h.has_orphaned = false;
    CHECK(make_tiles(h, nullptr, 1e9)[2].value == "n/a");
    CHECK(make_tiles(KpiHistory{}, nullptr, 0.0)[0].value == "-");
}

TEST_CASE("runs are named by their policy, not their file") {
    CHECK(policy_title("auction") == "Swarm (auction)");
    CHECK(policy_title("nearest_bid") == "Swarm (auction)");  // an alias
    CHECK(policy_title("cbba") == "Swarm (cbba)");
    CHECK(policy_title("cloud") == "Cloud");
    CHECK(policy_title("oracle") == "Oracle (ideal cloud)");
    CHECK(policy_title("no_such_policy").empty());
}

TEST_CASE("sparkline points span the box with y growing down") {
    const std::vector<float> pts = sparkline_points({0.0F, 1.0F, 0.5F}, 10, 0, 110, 20);
    REQUIRE(pts.size() == 6);
    CHECK(pts[0] == 10.0F);
    CHECK(pts[1] == 20.0F);  // the minimum at the bottom
    CHECK(pts[2] == 60.0F);
    CHECK(pts[3] == 0.0F);
    CHECK(pts[5] == 10.0F);
    CHECK(sparkline_points({3.0F}, 0, 0, 10, 10).size() == 4);
    CHECK(sparkline_points({}, 0, 0, 10, 10).empty());
}

TEST_CASE("the chart's threshold lines are named with the run's thresholds") {
    KpiHistory h;
    // the scenario's defaults, as the run summary's time to recover uses them
    CHECK(failure_line_label(h) == "failure threshold 80 %");
    CHECK(recovery_line_label(h) == "recovered 95 %");
    h.resilience.failure_threshold = 0.875;
    CHECK(failure_line_label(h) == "failure threshold 87.5 %");
    CHECK(percent_label(1.0) == "100 %");
    CHECK(percent_label(0.0) == "0 %");
}

TEST_CASE("a scenario has a time of day with the day profile or a start hour set") {
    swarm::agents::DemandSpec d;  // the day profile from midnight
    CHECK(day_start_hour(d) == 0.0);
    d.profile = swarm::agents::DemandProfile::kFlat;
    CHECK_FALSE(day_start_hour(d).has_value());  // shown as time since the start
    d.start_hour = 8.0;
    CHECK(day_start_hour(d) == 8.0);
}
