// "Fork here" in the live view (viz/live.hpp, docs/viz.md): the branch continues the trunk's
// state at the fork time, advances in lockstep with it and receives the same commands.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/kpi_observer.hpp"
#include "agents/fleet/protocol.hpp"
#include "tests/viz/viz_test_util.hpp"
#include "viz/live.hpp"

using namespace swarm;
using namespace swarm::viz;

namespace {

// every vehicle's state, position and energy, the orders and the disruption log agree
void check_same_world(const agents::FleetModel& a, const agents::FleetModel& b, sim::Tick t) {
    REQUIRE(a.vehicle_count() == b.vehicle_count());
    for (std::uint32_t v = 0; v < a.vehicle_count(); ++v) {
        CHECK(a.vehicles().hot[v].state == b.vehicles().hot[v].state);
        CHECK(a.vehicles().hot[v].energy_kwh == b.vehicles().hot[v].energy_kwh);
        CHECK(a.position_at(v, t).x == b.position_at(v, t).x);
        CHECK(a.position_at(v, t).y == b.position_at(v, t).y);
    }
    const agents::OrderTotals oa = agents::order_totals(a);
    const agents::OrderTotals ob = agents::order_totals(b);
    CHECK(oa.created == ob.created);
    CHECK(oa.delivered_on_time == ob.delivered_on_time);
    CHECK(oa.delivered_late == ob.delivered_late);
    CHECK(oa.failed == ob.failed);
    REQUIRE(a.disruption_log().size() == b.disruption_log().size());
    for (std::size_t i = 0; i < a.disruption_log().size(); ++i) {
        CHECK(a.disruption_log()[i].t == b.disruption_log()[i].t);
        CHECK(a.disruption_log()[i].kind == b.disruption_log()[i].kind);
    }
}

void check_same_snapshot(const Snapshot& a, const Snapshot& b) {
    CHECK(a.time_s == b.time_s);
    CHECK(a.xy == b.xy);
    CHECK(a.state == b.state);
    CHECK(a.kpi.created == b.kpi.created);
    CHECK(a.kpi.delivered == b.kpi.delivered);
    CHECK(a.kpi.backlog == b.kpi.backlog);
    REQUIRE(a.kpis.intervals.size() == b.kpis.intervals.size());
    for (std::size_t k = 0; k < a.kpis.intervals.size(); ++k) {
        CHECK(a.kpis.intervals[k].service_level == b.kpis.intervals[k].service_level);
        CHECK(a.kpis.intervals[k].cost == b.kpis.intervals[k].cost);
    }
    CHECK(a.kpis.samples.size() == b.kpis.samples.size());
    CHECK(a.closed_edges == b.closed_edges);
    CHECK(a.depot_down == b.depot_down);
}

}  // namespace

TEST_CASE("a fork without changes continues the run exactly, commands and steps included") {
    for (const std::size_t threads : {std::size_t{1}, std::size_t{2}}) {
        CAPTURE(threads);
        LiveOptions o;
        o.scenario = test::write_small_scenario().string();
        o.threads = threads;
        o.sample_s = 10.0;
        o.fork_at_s = 600.0;
        o.script.push_back(parse_step("900:depot_down:west"));
        o.script.push_back(parse_step("1500:depot_up:west"));
        LiveSession s(o);
        s.run_until(599.0);
        CHECK_FALSE(s.has_branch());
        s.run_until(700.0);
        REQUIRE(s.has_branch());
        CHECK(s.fork_time_s() == 600.0);
        CHECK(s.fork_error().empty());
        // a command from the UI after the fork reaches both at the same instant
        s.commands().push({VizCommand::Kind::kCloseRoad, 3, 0.0});
        s.commands().push({VizCommand::Kind::kBreakFleetShare, 0, 0.1});
        s.run_until(1800.0);
        const sim::Tick t = s.scenario().spec.time.from_seconds(1800.0);
        check_same_world(s.model(), s.branch_model(), t);
        CHECK(s.branch_model().roads().closed(3));
        CHECK(s.model().disruption_log().size() == 4);  // the command, the break, both steps
        REQUIRE(s.snapshots().acquire());
        REQUIRE(s.branch_snapshots().acquire());
        const Snapshot& a = s.snapshots().front();
        const Snapshot& b = s.branch_snapshots().front();
        CHECK(a.time_s == 1800.0);
        check_same_snapshot(a, b);
        // the branch's history is the trunk's before the fork, and marks it
        CHECK(std::isnan(a.kpis.forked_at_s));
        CHECK(b.kpis.forked_at_s == 600.0);
        CHECK(b.kpis.samples.size() == 181);  // 0, 10, ..., 1800 s: none twice, none missing
    }
}

TEST_CASE("a fork under another policy shares the history and then goes its own way") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    o.sample_s = 30.0;
    o.fork_at_s = 600.0;
    o.fork_overrides = {"policies.allocation=cloud"};
    LiveSession s(o);
    s.run_until(1200.0);
    REQUIRE(s.has_branch());
    CHECK(s.model().protocol().name() == "auction");
    CHECK(s.branch_scenario().spec.allocation.policy == "cloud");
    CHECK(s.branch_model().protocol().name() == "cloud");
    REQUIRE(s.snapshots().acquire());
    REQUIRE(s.branch_snapshots().acquire());
    const Snapshot& a = s.snapshots().front();
    const Snapshot& b = s.branch_snapshots().front();
    CHECK(b.time_s == a.time_s);
    REQUIRE(a.kpis.samples.size() == b.kpis.samples.size());
    // orders arrive as in the trunk (the demand is the history's); what the fleet does differs
    CHECK(a.kpi.created == b.kpi.created);
    bool differs = false;
    for (std::size_t i = 0; i < a.kpis.samples.size(); ++i) {
        const KpiPoint& p = a.kpis.samples[i];
        const KpiPoint& q = b.kpis.samples[i];
        if (p.time_s < 600.0) {
            CHECK(p.delivered == q.delivered);
            CHECK(p.distance_km == q.distance_km);
        } else {
            differs = differs || p.distance_km != q.distance_km || p.delivered != q.delivered;
        }
    }
    CHECK(differs);
    CHECK(a.xy != b.xy);
}

TEST_CASE("the fork button forks at a snapshot after the request") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    o.sample_s = 10.0;
    LiveSession s(o);
    s.run_until(300.0);
    REQUIRE(s.snapshots().acquire());
    CHECK(s.request_fork({"policies.allocation=cbba"}).empty());
    const std::vector<std::string> again = s.request_fork({"policies.allocation=cloud"});
    REQUIRE(again.size() == 1);
    CHECK(again.front().find("on its way") != std::string::npos);
    s.run_until(400.0);
    REQUIRE(s.has_branch());
    // the next snapshot barrier sees the request; the fork is at the one after, on the grid
    CHECK(s.fork_time_s() == 320.0);
    CHECK(s.branch_scenario().spec.allocation.policy == "cbba");
    const std::vector<std::string> third = s.request_fork({"policies.allocation=cloud"});
    REQUIRE(third.size() == 1);
    CHECK(third.front().find("already") != std::string::npos);
}

TEST_CASE("a fork that may not happen is refused with the reason") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    o.sample_s = 10.0;
    SUBCASE("a change that shaped the history") {
        o.fork_at_s = 600.0;
        o.fork_overrides = {"demand.due_s=900"};
        try {
            LiveSession s(o);
            FAIL("no ForkError");
        } catch (const ForkError& e) {
            CHECK(std::string(e.what()).find("demand.due_s") != std::string::npos);
        }
    }
    SUBCASE("a value the scenario refuses") {
        o.fork_at_s = 600.0;
        o.fork_overrides = {"policies.allocation=nonsense"};
        CHECK_THROWS_AS(LiveSession{o}, ForkError);
    }
    SUBCASE("a time outside the run") {
        o.fork_at_s = 2400.0;
        CHECK_THROWS_WITH_AS(LiveSession{o}, doctest::Contains("not inside the run"), ForkError);
    }
    SUBCASE("from the button: nothing is asked for") {
        LiveSession s(o);
        s.run_until(100.0);
        REQUIRE(s.snapshots().acquire());
        const std::vector<std::string> p = s.request_fork({"run.seed=9"});
        REQUIRE(p.size() == 1);
        CHECK(p.front().find("run.seed") != std::string::npos);
        s.run_until(200.0);
        CHECK_FALSE(s.has_branch());
        CHECK(s.fork_error().empty());
    }
}

TEST_CASE("a fork asked for while the run goes on its own thread, as from the UI") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    o.sample_s = 10.0;
    LiveSession s(o);
    s.set_speed(600.0);  // 10 simulated minutes per wall second
    s.start();
    // the UI thread: wait for a snapshot, ask for the fork, then read both runs' snapshots
    for (int i = 0; i < 200 && !s.snapshots().acquire(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(s.request_fork({"policies.allocation=cloud"}).empty());
    for (int i = 0; i < 400 && !s.has_branch(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(s.has_branch());
    s.watch(3);
    s.set_links(true, true);
    s.set_speed(0.0);  // then as fast as possible, to the end
    for (int i = 0; i < 400 && !s.finished(); ++i) {
        s.snapshots().acquire();
        s.branch_snapshots().acquire();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(s.finished());
    CHECK(s.error().empty());
    CHECK(s.fork_error().empty());
    s.snapshots().acquire();
    s.branch_snapshots().acquire();
    CHECK(s.snapshots().front().time_s == 2390.0);
    CHECK(s.branch_snapshots().front().time_s == 2390.0);
    CHECK(s.branch_snapshots().front().detail.agent == 3);
    s.stop();
}
