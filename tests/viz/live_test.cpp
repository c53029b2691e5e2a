#include "viz/live.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "agents/fleet/fleet_model.hpp"
#include "tests/viz/viz_test_util.hpp"

using namespace swarm;
using namespace swarm::viz;

TEST_CASE("live session publishes snapshots of the model at sample times") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    o.sample_s = 30.0;
    LiveSession s(o);
    s.run_until(600.0);
    SnapshotBuffer& b = s.snapshots();
    REQUIRE(b.acquire());
    const Snapshot& snap = b.front();
    CHECK(snap.time_s == doctest::Approx(600.0));
    REQUIRE(snap.agents() == 40);
    // positions agree with the model (float, relative to the map origin)
    const sim::Tick t = s.scenario().spec.time.from_seconds(600.0);
    for (std::uint32_t v = 0; v < 40; ++v) {
        const agents::Point p = s.model().position_at(v, t);
        CHECK(snap.xy[2 * v] == doctest::Approx(p.x - s.roads().origin.x).epsilon(1e-5));
        CHECK(snap.state[v] == static_cast<std::uint8_t>(s.model().vehicles().state[v]));
    }
    CHECK(snap.kpi.created > 0);
    CHECK(snap.kpis.samples.size() == 21);    // t = 0, 30, ..., 600
    CHECK(snap.kpis.intervals.size() == 10);  // 60 s KPI grid
    CHECK(snap.kpis.has_orphaned);
    CHECK(b.published() == 21);
}

TEST_CASE("live commands reach the adapter at the next barrier on the simulation thread") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    LiveSession s(o);
    s.commands().push({VizCommand::Kind::kCloseRoad, 3, 0.0});
    s.commands().push({VizCommand::Kind::kDepotDown, 1, 0.0});
    s.commands().push({VizCommand::Kind::kCutCloudLink, 0, 0.0});
    s.commands().push({VizCommand::Kind::kBreakFleetShare, 0, 0.1});
    s.run_until(5.0);
    REQUIRE(s.snapshots().acquire());
    const Snapshot& snap = s.snapshots().front();
    CHECK(snap.edge_closed(3));
    // the reverse direction of the street closes with it
    const world::RoadNetwork& net = s.network();
    const world::EdgeId back = net.find_edge(net.target(3), net.source(3));
    if (back != world::kNoEdge) {
        CHECK(snap.edge_closed(back));
    }
    CHECK(snap.depot_down[1] == 1);
    CHECK_FALSE(snap.cloud_link_up);
    CHECK(s.adapter().recorded() == 4);
    CHECK(s.adapter().state().broken == 4);  // 10% of 40
    CHECK(snap.kpis.disruptions.size() == 4);
    // not applied to the model until the fleet's disruption API exists
    CHECK(s.adapter().applied_to_model() == 0);
}

TEST_CASE("live session paces against wall time pauses and stops") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    o.sample_s = 1.0;
    LiveSession s(o);
    s.set_speed(0.0);
    s.set_paused(true);
    s.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    // paused at the first barrier: at most the t = 0 snapshot
    CHECK(s.snapshots().published() <= 1);
    s.set_speed(20.0);  // 20 simulated s per wall s
    s.set_paused(false);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const std::uint64_t n = s.snapshots().published();
    CHECK(n >= 3);
    CHECK(n <= 30);    // ~10 s simulated in 0.5 s, never the whole 2,400 s
    s.set_speed(0.0);  // as fast as possible: runs to the end
    for (int i = 0; i < 200 && !s.finished(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(s.finished());
    CHECK(s.error().empty());
    REQUIRE(s.snapshots().acquire());
    CHECK(s.snapshots().front().time_s == doctest::Approx(2399.0));
    s.stop();
}

TEST_CASE("live session reports a bad scenario override") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    o.overrides = {"run.duration_s=-1"};
    CHECK_THROWS_AS(LiveSession{o}, io::ScenarioError);
}
