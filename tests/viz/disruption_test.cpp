#include "viz/disruption.hpp"

#include <doctest/doctest.h>

#include <thread>

#include "agents/fleet/disruption_kinds.hpp"
#include "viz/timeline.hpp"

using namespace swarm;
using namespace swarm::viz;

TEST_CASE("every disruption kind is classified from the kinds table, live and on replay alike") {
    using agents::DisruptionKind;
    const std::vector<io::TraceKindInfo>& recorded = io::trace_event_kinds();
    const std::vector<DisruptionEffect> by_code = event_effects(recorded);
    REQUIRE(by_code.size() == recorded.size());
    for (std::size_t i = 0; i < agents::kDisruptionKindCount; ++i) {
        const auto kind = static_cast<DisruptionKind>(i);
        const agents::DisruptionKindInfo& k = agents::info(kind);
        CAPTURE(k.name);
        const DisruptionEffect live = effect_of(kind);
        // a trace's recorded table gives the same effect as the table itself
        CHECK(by_code.at(static_cast<std::size_t>(io::trace_event_kind(kind))) == live);
        // everything that is not an end starts a disruption (a jump target, a dashboard onset)
        CHECK(starts_disruption(live) == (k.role != agents::DisruptionRole::kEnd));
    }
    // the order lifecycle and state rows are not disruptions
    for (std::size_t code = 0; code < io::kTraceOrderKindCount; ++code) {
        CHECK(by_code[code] == DisruptionEffect::kNone);
    }
    // what each kind does to the map
    const auto of = [](DisruptionKind k) { return effect_of(k); };
    CHECK(of(DisruptionKind::kCloseRoads) == DisruptionEffect::kRoadClosed);
    CHECK(of(DisruptionKind::kReopenRoads) == DisruptionEffect::kRoadReopened);
    CHECK(of(DisruptionKind::kSlowRoads) == DisruptionEffect::kOther);
    CHECK(of(DisruptionKind::kDepotDown) == DisruptionEffect::kDepotDown);
    CHECK(of(DisruptionKind::kDepotUp) == DisruptionEffect::kDepotUp);
    CHECK(of(DisruptionKind::kDepotStock) == DisruptionEffect::kOther);
    CHECK(of(DisruptionKind::kBreakVehicles) == DisruptionEffect::kVehicleBroken);
    CHECK(of(DisruptionKind::kRepairVehicles) == DisruptionEffect::kNone);
    CHECK(of(DisruptionKind::kRadioBlackout) == DisruptionEffect::kOther);
    CHECK(of(DisruptionKind::kRadioRestore) == DisruptionEffect::kNone);
    CHECK(of(DisruptionKind::kLossSpike) == DisruptionEffect::kOther);
    CHECK(of(DisruptionKind::kLossEnd) == DisruptionEffect::kNone);
    CHECK(of(DisruptionKind::kCloudDown) == DisruptionEffect::kCloudDown);
    CHECK(of(DisruptionKind::kCloudUp) == DisruptionEffect::kCloudUp);
    CHECK(of(DisruptionKind::kDemandSurge) == DisruptionEffect::kOther);
    CHECK(of(DisruptionKind::kDemandSurgeEnd) == DisruptionEffect::kNone);
    CHECK(of(DisruptionKind::kDepotDocks) == DisruptionEffect::kOther);  // was missed by name
    CHECK(starts_disruption(of(DisruptionKind::kDepotDocks)));
    CHECK_FALSE(starts_disruption(DisruptionEffect::kRoadReopened));
}

TEST_CASE("kinds of a newer trace are classified by their recorded role and target") {
    io::TraceKindInfo k;
    k.name = "bridge_fell";
    CHECK(effect_of(k) == DisruptionEffect::kNone);  // no role: an order or state row
    k.disruption = "bridge_falls";
    k.role = "start";
    k.target = "roads";
    CHECK(effect_of(k) == DisruptionEffect::kRoadClosed);
    k.target = "bridges";  // a target this build does not draw
    CHECK(effect_of(k) == DisruptionEffect::kOther);
    k.role = "end";
    CHECK(effect_of(k) == DisruptionEffect::kNone);
    k.role = "escalate";  // a role this build does not know: still a disruption
    CHECK(effect_of(k) == DisruptionEffect::kOther);
}

TEST_CASE("disruption state applies closures depots and the cloud link") {
    DisruptionState s;
    s.reset(130, 3);
    s.apply(DisruptionEffect::kRoadClosed, 129);
    s.apply(DisruptionEffect::kRoadClosed, 5);
    s.apply(DisruptionEffect::kRoadReopened, 5);
    s.apply(DisruptionEffect::kRoadClosed, 100000);  // out of range: ignored
    CHECK(s.is_closed(129));
    CHECK_FALSE(s.is_closed(5));
    s.apply(DisruptionEffect::kDepotDown, 2);
    s.apply(DisruptionEffect::kCloudDown, 0);
    Snapshot snap;
    s.copy_to(snap);
    CHECK(snap.edge_closed(129));
    CHECK(snap.closed_count() == 1);
    CHECK(snap.depot_down == std::vector<std::uint8_t>{0, 0, 1});
    CHECK_FALSE(snap.cloud_link_up);
}

TEST_CASE("replayed events give the state at t and only known disruption kinds count") {
    // order rows and a code beyond the table: nothing changes and nothing is a jump target
    const std::vector<DisruptionEffect> effects = event_effects(io::trace_event_kinds());
    std::vector<io::TraceEvent> events(3);
    events[0].time = 10;
    events[0].kind = static_cast<std::int16_t>(io::TraceEventKind::kOrderCreated);
    events[1].time = 20;
    events[1].kind = static_cast<std::int16_t>(io::TraceEventKind::kDelivered);
    events[2].time = 30;
    events[2].kind = 999;  // unknown to this build
    DisruptionState s;
    s.reset(10, 1);
    replay_disruptions(events, effects, 100.0, s);
    CHECK(s.closed == std::vector<std::uint64_t>{0});
    CHECK(disruption_times(events, effects).empty());
}

TEST_CASE("command queue drains in order and is safe across threads") {
    CommandQueue q;
    std::thread a([&] {
        for (std::uint32_t i = 0; i < 1000; ++i) {
            q.push({VizCommand::Kind::kCloseRoad, i, 0.0});
        }
    });
    std::vector<VizCommand> got;
    std::vector<VizCommand> batch;
    while (got.size() < 1000) {
        q.drain(batch);
        got.insert(got.end(), batch.begin(), batch.end());
    }
    a.join();
    for (std::uint32_t i = 0; i < 1000; ++i) {
        CHECK(got[i].target == i);
    }
    CHECK(q.pushed() == 1000);
    CHECK(q.drain(batch) == 0);
    CHECK(std::string(to_string(VizCommand::Kind::kBreakFleetShare)) == "break fleet share");
}

TEST_CASE("the strip's disruptions under way: starts until their end, matched by label or target") {
    using agents::DisruptionKind;
    ActiveDisruptions a;
    a.apply(100.0, DisruptionKind::kCloseRoads, "bridge closed", {4, 5});
    a.apply(200.0, DisruptionKind::kDepotDown, "viz: depot down 1", {1});
    a.apply(250.0, DisruptionKind::kCloudDown, "outage", {});
    a.apply(260.0, DisruptionKind::kSlowRoads, "jam", {7});  // a level, not a start
    std::vector<ActiveDisruption> now = a.active();
    REQUIRE(now.size() == 3);
    CHECK(now[0].label == "bridge closed");
    CHECK(now[0].what == "roads closed");
    CHECK(now[0].since_s == 100.0);
    // the mouse's "depot up" ends it by the depot, the cloud's end by its kind
    a.apply(300.0, DisruptionKind::kDepotUp, "viz: depot up 1", {1});
    a.apply(310.0, DisruptionKind::kCloudUp, "cloud back", {});
    now = a.active();
    REQUIRE(now.size() == 1);
    // another depot's end or other roads leave the closure alone; its inverse (same label) ends it
    a.apply(320.0, DisruptionKind::kReopenRoads, "other", {9});
    CHECK(a.active().size() == 1);
    a.apply(400.0, DisruptionKind::kReopenRoads, "bridge closed", {4, 5});
    CHECK(a.active().empty());
}

TEST_CASE("a trace's disruptions with label, start and end, by their rows' order") {
    using agents::DisruptionKind;
    const std::vector<io::TraceKindInfo>& kinds = io::trace_event_kinds();
    const auto row = [](double t, DisruptionKind k, std::uint64_t order, std::uint32_t edge) {
        io::TraceEvent e;
        e.time = t;
        e.kind = io::trace_event_kind(k);
        e.order = order;
        e.edge = edge;
        return e;
    };
    // a closure of three edges (three rows, one disruption), the cloud cut, then both ends
    const std::vector<io::TraceEvent> events = {
        row(600.0, DisruptionKind::kCloseRoads, 0, 4),
        row(600.0, DisruptionKind::kCloseRoads, 0, 5),
        row(600.0, DisruptionKind::kCloseRoads, 0, 6),
        row(2400.0, DisruptionKind::kCloudDown, 1, io::kTraceNoId),
        row(3000.0, DisruptionKind::kReopenRoads, 2, 4),
        row(3000.0, DisruptionKind::kReopenRoads, 2, 5),
        row(3000.0, DisruptionKind::kReopenRoads, 2, 6),
        row(3600.0, DisruptionKind::kCloudUp, 3, io::kTraceNoId),
    };
    const std::vector<std::string> labels = {"Bridge closed", "Cloud outage", "Bridge closed",
                                             "Cloud outage"};
    const std::vector<ActiveDisruption> all = trace_disruptions(events, kinds, labels);
    REQUIRE(all.size() == 2);
    CHECK(all[0].label == "Bridge closed");
    CHECK(all[0].until_s == 3000.0);
    CHECK(all[0].ended_by == "roads reopened");
    CHECK(all[1].what == "cloud link down");
    CHECK(all[1].since_s == 2400.0);
    CHECK(all[1].until_s == 3600.0);
    // under way: the closure at 10:20, both at 10:50, none at 11:00 (the scenario starts at 10 h)
    CHECK(active_at(all, 1200.0).size() == 1);
    const std::vector<ActiveDisruption> both = active_at(all, 2700.0);
    REQUIRE(both.size() == 2);
    CHECK(active_at(all, 3600.0).empty());
    CHECK(active_at(all, 599.0).empty());
    const SimClock clock{10.0};
    CHECK(strip_text(both[1], clock) ==
          "Cloud outage - cloud link down 10:40-11:00 (cloud link back)");
    CHECK(strip_text(both[0], clock) ==
          "Bridge closed - roads closed 10:10-10:50 (roads reopened)");
    // live: the end is not known yet
    ActiveDisruption open = both[1];
    open.until_s = -1.0;
    CHECK(strip_text(open, SimClock{}) == "Cloud outage - cloud link down since 0:40");
    // a label that repeats the kind's is not said twice
    ActiveDisruption same = both[1];
    same.label = "Cloud link down";
    CHECK(strip_text(same, clock) == "Cloud link down 10:40-11:00 (cloud link back)");
    // no labels (an older trace): the kind's label alone
    CHECK(strip_text(trace_disruptions(events, kinds, {})[1], clock) ==
          "cloud link down 10:40-11:00 (cloud link back)");
}
