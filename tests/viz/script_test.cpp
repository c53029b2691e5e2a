#include "viz/script.hpp"

#include <doctest/doctest.h>

#include <string>

#include "agents/fleet/fleet_model.hpp"
#include "io/scenario/road_names.hpp"
#include "tests/viz/viz_test_util.hpp"
#include "viz/live.hpp"

using namespace swarm;
using namespace swarm::viz;

namespace {

std::string parse_error(const std::string& text) {
    try {
        (void)parse_step(text);
    } catch (const ScriptError& e) {
        return e.what();
    }
    return "(no error)";
}

std::string resolve_error(const ScriptStep& step, const io::Scenario& s) {
    try {
        (void)resolve_step(step, s);
    } catch (const ScriptError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("--do steps: time, action and argument, errors naming the value") {
    const ScriptStep d = parse_step("600:depot_down:west");
    CHECK(d.at_s == 600.0);
    CHECK(d.action == "depot_down");
    CHECK(d.arg == "west");
    CHECK(d.flag == "--do");
    // a road name may hold ':' (and way:ID does)
    CHECK(parse_step("1500:close:way:4097656").arg == "way:4097656");
    CHECK(parse_step("0.5:cloud_cut").arg.empty());
    CHECK(parse_error("900:cloud_cutt")
              .find("--do '900:cloud_cutt': unknown action "
                    "'cloud_cutt', did you mean 'cloud_cut'?") == 0);
    CHECK(parse_error("abc:cloud_cut") ==
          "--do 'abc:cloud_cut': 'abc' is not a time in simulated seconds >= 0");
    CHECK(parse_error("-5:cloud_cut").find("not a time") != std::string::npos);
    CHECK(parse_error("cloud_cut").find("expected TIME:ACTION[:ARG]") != std::string::npos);
    CHECK(parse_error("10:close") == "--do '10:close': 'close' needs an argument: close:ROAD");
    CHECK(parse_error("10:cloud_cut:now") ==
          "--do '10:cloud_cut:now': 'cloud_cut' takes no "
          "argument");
}

TEST_CASE("--do steps resolve on the scenario as the mouse's commands") {
    const io::Scenario s = io::load_scenario(test::write_small_scenario());
    // depots by id or index
    const ScriptedCommand east = resolve_step(parse_step("60:depot_down:east"), s);
    CHECK(east.command.kind == VizCommand::Kind::kDepotDown);
    CHECK(east.command.target == 1);
    CHECK(resolve_step(parse_step("60:depot_up:0"), s).command.target == 0);
    CHECK(resolve_error(parse_step("60:depot_down:eats"), s) ==
          "--do '60:depot_down:eats': no depot 'eats', did you mean 'east'? (depots: west, "
          "east, or an index 0..1)");
    // a share as a fraction or a percentage
    CHECK(resolve_step(parse_step("60:break:0.2"), s).command.share == 0.2);
    CHECK(resolve_step(parse_step("60:break:25%"), s).command.share == 0.25);
    CHECK(resolve_error(parse_step("60:break:1.5"), s).find("(0, 1]") != std::string::npos);
    CHECK(resolve_error(parse_step("60:break:lots"), s).find("not a share") != std::string::npos);
    // a road by name: all its edges; by edge id: that street as a click
    const ScriptedCommand road = resolve_step(parse_step("60:close:Street 3"), s);
    CHECK(road.command.kind == VizCommand::Kind::kCloseRoad);
    CHECK(road.command.edges.size() > 10);
    CHECK(road.command.label == "Street 3");
    const ScriptedCommand edge = resolve_step(parse_step("60:reopen:17"), s);
    CHECK(edge.command.kind == VizCommand::Kind::kReopenRoad);
    CHECK(edge.command.target == 17);
    CHECK(edge.command.edges.empty());
    CHECK(resolve_error(close_step("Street 33"), s) ==
          "--close 'Street 33': no road named 'Street 33' in the network (did you mean 'Street "
          "3'?)");
    CHECK(resolve_error(parse_step("60:close:99999999"), s).find("is not in the network") !=
          std::string::npos);
    CHECK(resolve_error(parse_step("9999:cloud_cut"), s) ==
          "--do '9999:cloud_cut': time 9999 s is after the run's end (2400 s)");
}

TEST_CASE("scripted steps change the model at exactly their time, through the adapter") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    o.sample_s = 60.0;  // steps fall between snapshots: they must not wait for one
    for (const char* d :
         {"310:depot_down:east", "420:cloud_cut", "530:break:25%", "640:close:Street 3"}) {
        o.script.push_back(parse_step(d));
    }
    LiveSession s(o);
    s.run_until(300.0);
    CHECK(s.model().depot_up(1));
    CHECK(s.model().cloud_up());
    s.run_until(700.0);
    const agents::FleetModel& m = s.model();
    CHECK_FALSE(m.depot_up(1));
    CHECK_FALSE(m.cloud_up());
    const io::Road street = io::find_road(s.network(), "Street 3");
    for (const world::EdgeId e : street.edges) {
        CHECK(m.roads().closed(e));
    }
    // the log: each step at its own second, labelled as the mouse's commands are
    const std::vector<agents::AppliedDisruption>& log = m.disruption_log();
    REQUIRE(log.size() == 4);
    const sim::TimeScale& time = m.spec().time;
    CHECK(time.to_seconds(log[0].t) == 310.0);
    CHECK(log[0].kind == agents::DisruptionKind::kDepotDown);
    CHECK(time.to_seconds(log[1].t) == 420.0);
    CHECK(log[1].kind == agents::DisruptionKind::kCloudDown);
    CHECK(time.to_seconds(log[2].t) == 530.0);
    CHECK(log[2].affected == 10);  // 25% of 40 working vans
    CHECK(time.to_seconds(log[3].t) == 640.0);
    CHECK(log[3].label == "viz: close road 'Street 3'");
    CHECK(log[3].affected == street.edges.size());
    CHECK(s.adapter().applied() == 4);
    // the snapshot shows it
    REQUIRE(s.snapshots().acquire());
    const Snapshot& snap = s.snapshots().front();
    CHECK(snap.depot_down == std::vector<std::uint8_t>{0, 1});
    // ... and the strip lists all four as under way, with their labels and start times
    REQUIRE(snap.active.size() == 4);
    CHECK(snap.active[0].label == "viz: depot down 1");
    CHECK(snap.active[0].since_s == 310.0);
    CHECK(snap.active[1].what == "cloud link down");
    CHECK(snap.active[3].label == "viz: close road 'Street 3'");
}

TEST_CASE("a step naming nothing in the scenario stops the session before it runs") {
    LiveOptions o;
    o.scenario = test::write_small_scenario().string();
    o.script.push_back(parse_step("60:close:Nowhere Road"));
    CHECK_THROWS_AS(LiveSession{o}, ScriptError);
}
