#include "viz/live.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "agents/fleet/disruption.hpp"
#include "agents/fleet/fleet_model.hpp"
#include "tests/io/scenario/every_disruption_kind.hpp"
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
        CHECK(snap.state[v] == static_cast<std::uint8_t>(s.model().vehicles().hot[v].state));
    }
    CHECK(snap.kpi.created > 0);
    CHECK(snap.kpis.samples.size() == 21);    // t = 0, 30, ..., 600
    CHECK(snap.kpis.intervals.size() == 10);  // 60 s KPI grid
    CHECK(snap.kpis.has_orphaned);
    CHECK(b.published() == 21);
}

TEST_CASE("live commands are applied to the fleet at the next barrier") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    LiveSession s(o);
    s.set_links(true, true);
    s.commands().push({VizCommand::Kind::kCloseRoad, 3, 0.0});
    s.commands().push({VizCommand::Kind::kDepotDown, 1, 0.0});
    s.commands().push({VizCommand::Kind::kCutCloudLink, 0, 0.0});
    s.commands().push({VizCommand::Kind::kBreakFleetShare, 0, 0.1});
    s.commands().push({VizCommand::Kind::kDepotDown, 99, 0.0});  // no such depot: dropped
    s.run_until(5.0);
    REQUIRE(s.snapshots().acquire());
    const Snapshot& snap = s.snapshots().front();
    // the model changed, and the snapshot shows the model's state
    const agents::FleetModel& m = s.model();
    CHECK(m.roads().closed(3));
    CHECK(snap.edge_closed(3));
    const world::RoadNetwork& net = s.network();
    const world::EdgeId back = net.find_edge(net.target(3), net.source(3));
    if (back != world::kNoEdge) {
        CHECK(m.roads().closed(back));  // both directions of the street
        CHECK(snap.edge_closed(back));
    }
    CHECK(snap.closed_count() == m.roads().closed_count());
    CHECK_FALSE(m.depot_up(1));
    CHECK(snap.depot_down == std::vector<std::uint8_t>{0, 1});
    CHECK_FALSE(m.cloud_up());
    CHECK_FALSE(snap.cloud_link_up);
    std::size_t broken = 0;
    for (const std::uint8_t st : snap.state) {
        broken += st == static_cast<std::uint8_t>(agents::VehicleState::kBroken) ? 1U : 0U;
    }
    CHECK(broken == 4);  // 10% of 40
    CHECK(s.adapter().applied() == 4);
    CHECK(s.adapter().rejected() == 1);
    CHECK(snap.kpis.disruptions.size() == 4);
    CHECK(snap.kpis.disruptions.front() == doctest::Approx(0.0));
    // links: within radio range, never an agent with itself
    const double range = m.spec().comms.radio_range_m;
    CHECK_FALSE(snap.radio_links.empty());
    for (const AgentLink& l : snap.radio_links) {
        CHECK(l.a != l.b);
        const agents::Point a = m.board().entry(l.a).position;
        const agents::Point b = m.board().entry(l.b).position;
        CHECK(std::hypot(a.x - b.x, a.y - b.y) <= range + 1e-6);
    }
}

TEST_CASE("commands become the fleet's disruption actions") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    LiveSession s(o);
    const agents::DisruptionAction close =
        DisruptionAdapter::to_action({VizCommand::Kind::kCloseRoad, 3, 0.0}, s.model());
    CHECK(close.kind == agents::DisruptionKind::kCloseRoads);
    CHECK(std::is_sorted(close.edges.begin(), close.edges.end()));
    CHECK(std::find(close.edges.begin(), close.edges.end(), 3U) != close.edges.end());
    const agents::DisruptionAction brk =
        DisruptionAdapter::to_action({VizCommand::Kind::kBreakFleetShare, 0, 0.1}, s.model());
    CHECK(brk.kind == agents::DisruptionKind::kBreakVehicles);
    CHECK(brk.fraction == 0.1);
    CHECK(
        DisruptionAdapter::to_action({VizCommand::Kind::kRestoreCloudLink, 0, 0}, s.model()).kind ==
        agents::DisruptionKind::kCloudUp);
    CHECK_THROWS_AS(
        DisruptionAdapter::to_action({VizCommand::Kind::kCloseRoad, 1u << 30, 0}, s.model()),
        std::invalid_argument);
    CHECK_THROWS_AS(
        DisruptionAdapter::to_action({VizCommand::Kind::kBreakFleetShare, 0, 0.0}, s.model()),
        std::invalid_argument);
}

TEST_CASE("live dashboard onsets come from the kinds table, depot_docks among them") {
    LiveOptions o;
    o.scenario = test::write_small_scenario(
                     io::testing::every_disruption_kind_toml("east", 60.0, 60.0, 600.0, 600.0))
                     .string();
    o.sample_s = 60.0;
    LiveSession s(o);
    s.run_until(60.0 * static_cast<double>(agents::kDisruptionKindCount + 1));
    REQUIRE(s.snapshots().acquire());
    std::vector<double> starts;
    for (const agents::DisruptionKindInfo& k : agents::kDisruptionKinds) {
        if (k.role != agents::DisruptionRole::kEnd) {
            starts.push_back(60.0 * static_cast<double>(static_cast<std::size_t>(k.kind) + 1));
        }
    }
    CHECK(s.snapshots().front().kpis.disruptions == starts);
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

TEST_CASE("live snapshots carry what the vehicles learn and their model exchanges") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    o.overrides = {"learning.mode=gossip", "learning.wear.enabled=true",
                   "learning.congestion.enabled=true", "learning.round_s=30"};
    o.sample_s = 30.0;
    LiveSession s(o);
    s.set_links(false, true);
    s.run_until(600.0);
    REQUIRE(s.snapshots().acquire());
    const Snapshot& snap = s.snapshots().front();
    const agents::FleetLearning* l = s.model().learning();
    REQUIRE(l != nullptr);
    REQUIRE(snap.extra.size() == agents::FleetLearning::kValues);
    for (std::size_t i = 0; i < snap.extra.size(); ++i) {
        CHECK(snap.extra[i].name == agents::FleetLearning::kValueNames[i]);
        REQUIRE(snap.extra[i].values.size() == snap.agents());
        CHECK(std::equal(snap.extra[i].values.begin(), snap.extra[i].values.end(),
                         l->value(i).begin()));
    }
    // wear is spread over the fleet, and the latest round's model transfers are drawn
    const auto& wear = snap.extra[0].values;
    CHECK(*std::max_element(wear.begin(), wear.end()) > 0.3F);
    CHECK(!l->round_exchanges().empty());
    CHECK(snap.gossip.size() >= l->round_exchanges().size());
}
