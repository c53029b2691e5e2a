#include "viz/dashboard.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cmath>

#include "viz/colormap.hpp"

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
    REQUIRE(tiles.size() == kTiles);
    CHECK(tiles[6].label == "Cost");
    CHECK(tiles[6].value == "2.00x");
    CHECK(tiles[6].level == TileLevel::kWarn);
    CHECK(tiles[6].measure == doctest::Approx(2.0));
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
    CHECK(tiles[6].value == "1.50x");
    CHECK(tiles[6].detail == "1200 vs baseline 800");
    CHECK(tiles[6].level == TileLevel::kWarn);
    CHECK(tiles[6].spark.size() == 4);
    // the baseline against this run: cheaper, fine
    CHECK(make_tiles(base, &h, 1e9)[6].level == TileLevel::kOk);
    tiles = make_tiles(h, nullptr, 1e9);
    CHECK(tiles[6].value == "1200");
    CHECK(tiles[6].level == TileLevel::kNone);  // nothing to judge it by
    // a baseline without the KPI (an old trace): both fall back to veh-h per delivery
    tiles = make_tiles(h, &(base = history({1, 1, 1, 1})), 1e9);
    CHECK(tiles[6].detail.find("veh-h") != std::string::npos);
}

TEST_CASE("tiles show service level on-time share orphans and recovery at t") {
    KpiHistory h = history({1.0, 0.5, 1.0});
    h.has_orphaned = true;
    h.disruptions = {60.0};
    std::vector<KpiTile> tiles = make_tiles(h, nullptr, 130.0);
    REQUIRE(tiles.size() == kTiles);
    CHECK(tiles[2].label == "Service level");
    CHECK(tiles[2].value == "50.0 %");
    CHECK(tiles[2].level == TileLevel::kAlert);
    CHECK(tiles[2].measure == 0.5);
    CHECK(tiles[2].spark.size() == 2);
    CHECK(tiles[3].value == "75.0 %");  // (10 + 5) / 20 due on time
    CHECK(tiles[3].level == TileLevel::kAlert);
    CHECK(tiles[4].value.rfind("> ", 0) == 0);
    CHECK(tiles[4].level == TileLevel::kAlert);  // not recovered yet
    CHECK(tiles[5].value == "2");                // orphaned at the sample of t = 120 s
    CHECK(tiles[5].level == TileLevel::kWarn);
    tiles = make_tiles(h, nullptr, 1e9);
    CHECK(tiles[2].value == "100.0 %");
    CHECK(tiles[2].level == TileLevel::kOk);
    CHECK(tiles[3].level == TileLevel::kWarn);  // 25 of 30 due on time: 83 %
    CHECK(tiles[4].value == "1 min");
    CHECK(tiles[4].level == TileLevel::kOk);  // recovered
    h.has_orphaned = false;
    CHECK(make_tiles(h, nullptr, 1e9)[5].value == "n/a");
    CHECK(make_tiles(h, nullptr, 1e9)[5].level == TileLevel::kNone);
    CHECK(make_tiles(KpiHistory{}, nullptr, 0.0)[2].value == "-");
    CHECK(make_tiles(KpiHistory{}, nullptr, 0.0)[2].level == TileLevel::kNone);
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

TEST_CASE("a share of good outcomes is judged against the run's thresholds") {
    swarm::agents::ResilienceParams r;  // 80 % and 95 %
    CHECK(share_level(1.0, r) == TileLevel::kOk);
    CHECK(share_level(0.95, r) == TileLevel::kOk);
    CHECK(share_level(0.94, r) == TileLevel::kWarn);
    CHECK(share_level(0.80, r) == TileLevel::kWarn);
    CHECK(share_level(0.79, r) == TileLevel::kAlert);
    CHECK(share_level(std::nan(""), r) == TileLevel::kNone);
    r.recovery_threshold = 0.99;
    CHECK(share_level(0.95, r) == TileLevel::kWarn);
    // every level colour is readable on the tile: >= 4.5:1 (WCAG 1.4.3, text)
    for (const TileLevel l :
         {TileLevel::kNone, TileLevel::kOk, TileLevel::kWarn, TileLevel::kAlert}) {
        CAPTURE(to_string(l));
        CHECK(contrast_ratio(level_colour(l), kTileBackground) >= 4.5);
        CHECK(contrast_ratio(level_colour(l), kPanelBackground) >= 4.5);
    }
}

TEST_CASE("the leading indicators lead: orders waiting and at risk while Q is still 100 %") {
    // a cloud outage as cloud_outage.toml shows it: Q stays 1 while the orders wait
    KpiHistory h = history({1.0, 1.0, 1.0, 1.0});
    h.has_leading = true;
    const std::array<double, 4> open = {80, 113, 120, 100};
    const std::array<double, 4> waiting = {0, 113, 12, 0};
    const std::array<double, 4> late = {0, 0, 10, 2};
    const std::array<double, 4> overdue = {0, 0, 8, 1};
    for (std::size_t k = 0; k < 4; ++k) {
        IntervalKpi& iv = h.intervals[k];
        iv.open = open[k];
        iv.unassigned = waiting[k];
        iv.at_risk = late[k];
        iv.overdue = overdue[k];
        iv.oldest_unassigned_age_s = waiting[k] > 0 ? 600.0 : std::nan("");
    }
    // before the first interval: nothing to judge
    std::vector<KpiTile> tiles = make_tiles(h, nullptr, 30.0);
    CHECK(tiles[0].label == "Orders waiting");
    CHECK(tiles[1].label == "Orders at risk");
    CHECK(tiles[0].level == TileLevel::kNone);
    CHECK(tiles[0].detail == "no interval yet");
    // every open order waits for a vehicle: alert, though Q is 100 %
    tiles = make_tiles(h, nullptr, 130.0);
    CHECK(tiles[0].value == "113");
    CHECK(tiles[0].detail == "of 113 open");
    CHECK(tiles[0].note.find("the oldest waiting for 10 min") != std::string::npos);
    CHECK(tiles[0].measure == 0.0);
    CHECK(tiles[0].level == TileLevel::kAlert);
    CHECK(tiles[1].value == "0");
    CHECK(tiles[1].level == TileLevel::kOk);
    CHECK(tiles[2].level == TileLevel::kOk);  // Q
    // 12 of 120 waiting (90 % accepted): warn; 18 at risk (8 past due, 10 to be late): 85 %
    tiles = make_tiles(h, nullptr, 190.0);
    CHECK(tiles[0].level == TileLevel::kWarn);
    CHECK(tiles[1].value == "18");
    CHECK(tiles[1].detail == "8 overdue, 10 late");
    CHECK(tiles[1].measure == doctest::Approx(1.0 - 18.0 / 120.0));
    CHECK(tiles[1].level == TileLevel::kWarn);
    CHECK(tiles[1].spark == std::vector<float>{0, 0, 18});
    tiles = make_tiles(h, nullptr, 1e9);
    CHECK(tiles[0].level == TileLevel::kOk);
    CHECK(tiles[1].level == TileLevel::kOk);  // 3 of 100: 97 %
    // nothing open: nothing waits, nothing is at risk
    h.intervals[3].open = 0.0;
    h.intervals[3].at_risk = h.intervals[3].overdue = 0.0;
    CHECK(leading_at(h, 1e9)->not_at_risk() == 1.0);
    // a trace without the indicators (before schema 1.5)
    h.has_leading = false;
    tiles = make_tiles(h, nullptr, 1e9);
    CHECK(tiles[0].value == "n/a");
    CHECK(tiles[1].level == TileLevel::kNone);
    CHECK_FALSE(leading_at(h, 1e9).has_value());
}
