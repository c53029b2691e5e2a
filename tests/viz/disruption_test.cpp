#include "viz/disruption.hpp"

#include <doctest/doctest.h>

#include <thread>

#include "agents/fleet/disruption.hpp"

using namespace swarm;
using namespace swarm::viz;

TEST_CASE("event kinds are classified by name") {
    CHECK(classify_event_kind("road_closed") == DisruptionEffect::kRoadClosed);
    CHECK(classify_event_kind("RoadClosure") == DisruptionEffect::kRoadClosed);
    CHECK(classify_event_kind("road_reopened") == DisruptionEffect::kRoadReopened);
    CHECK(classify_event_kind("depot_down") == DisruptionEffect::kDepotDown);
    CHECK(classify_event_kind("depot_restored") == DisruptionEffect::kDepotUp);
    CHECK(classify_event_kind("cloud_link_cut") == DisruptionEffect::kCloudDown);
    CHECK(classify_event_kind("cloud_link_restored") == DisruptionEffect::kCloudUp);
    CHECK(classify_event_kind("vehicle_breakdown") == DisruptionEffect::kVehicleBroken);
    CHECK(classify_event_kind("demand_surge") == DisruptionEffect::kOther);
    // the order lifecycle and state rows of the current format are not disruptions
    for (std::size_t k = 0; k <= static_cast<std::size_t>(io::TraceEventKind::kVehicleState); ++k) {
        CHECK_MESSAGE(classify_event_kind(io::kTraceEventKindNames[k]) == DisruptionEffect::kNone,
                      io::kTraceEventKindNames[k]);
    }
    // the disruption rows of trace schema 1.2, by name
    CHECK(classify_event_kind("road_closed") == DisruptionEffect::kRoadClosed);
    CHECK(classify_event_kind("road_slowed") == DisruptionEffect::kOther);
    CHECK(classify_event_kind("depot_stock") == DisruptionEffect::kOther);
    CHECK(classify_event_kind("vehicle_broken") == DisruptionEffect::kVehicleBroken);
    CHECK(classify_event_kind("vehicle_repaired") == DisruptionEffect::kNone);
    CHECK(classify_event_kind("radio_restored") == DisruptionEffect::kNone);
    // the fleet's disruption kinds, by the names a trace will carry
    using agents::DisruptionKind;
    const auto of = [](DisruptionKind k) { return classify_event_kind(agents::to_string(k)); };
    CHECK(of(DisruptionKind::kCloseRoads) == DisruptionEffect::kRoadClosed);
    CHECK(of(DisruptionKind::kReopenRoads) == DisruptionEffect::kRoadReopened);
    CHECK(of(DisruptionKind::kSlowRoads) == DisruptionEffect::kOther);
    CHECK(of(DisruptionKind::kDepotDown) == DisruptionEffect::kDepotDown);
    CHECK(of(DisruptionKind::kDepotUp) == DisruptionEffect::kDepotUp);
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
    CHECK(event_kind_name(0) == "order_created");
    CHECK(event_kind_name(-1).empty());
    CHECK(event_kind_name(999).empty());
    CHECK(starts_disruption(DisruptionEffect::kRoadClosed));
    CHECK_FALSE(starts_disruption(DisruptionEffect::kRoadReopened));
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
    // the current format has no disruption kinds: nothing changes and nothing is a jump target
    std::vector<io::TraceEvent> events(3);
    events[0].time = 10;
    events[0].kind = static_cast<std::int16_t>(io::TraceEventKind::kOrderCreated);
    events[1].time = 20;
    events[1].kind = static_cast<std::int16_t>(io::TraceEventKind::kDelivered);
    events[2].time = 30;
    events[2].kind = 999;  // unknown to this build
    DisruptionState s;
    s.reset(10, 1);
    replay_disruptions(events, 100.0, s);
    CHECK(s.closed == std::vector<std::uint64_t>{0});
    CHECK(disruption_times(events).empty());
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
