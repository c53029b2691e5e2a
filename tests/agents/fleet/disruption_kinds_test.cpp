// The table of disruption kinds (agents/fleet/disruption_kinds.hpp): every DisruptionKind value
// has its record, names that find it again, a start/end pair, an inverse when undoable, and an
// effect in the model. The scenario, trace, viz and Python tests check the other readers.
#include "agents/fleet/disruption_kinds.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "agents/fleet/disruption.hpp"
#include "fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;

TEST_CASE("disruption kinds: every kind has a record, names, a pair and its inverse") {
    std::set<std::string_view> names;
    std::set<std::string_view> events;
    for (std::size_t i = 0; i < kDisruptionKindCount; ++i) {
        const auto kind = static_cast<DisruptionKind>(i);
        const DisruptionKindInfo& k = info(kind);
        CAPTURE(k.name);
        CHECK(k.kind == kind);
        CHECK(std::string_view(to_string(kind)) == k.name);
        CHECK(disruption_kind(k.name) == kind);
        CHECK(names.insert(k.name).second);
        CHECK(events.insert(k.event).second);
        CHECK_FALSE(k.label.empty());
        CHECK(disruption_role(to_string(k.role)) == k.role);
        CHECK(disruption_target(to_string(k.target)) == k.target);
        const DisruptionKindInfo& p = info(k.pair);
        if (k.role == DisruptionRole::kSet) {
            CHECK(k.pair == kind);
        } else {
            CHECK(p.pair == kind);
            CHECK(p.target == k.target);
            CHECK(p.role == (k.role == DisruptionRole::kStart ? DisruptionRole::kEnd
                                                              : DisruptionRole::kStart));
        }
        DisruptionAction a;
        a.kind = kind;
        a.speed_factor = 0.5;
        a.docks = 3;
        const std::optional<DisruptionAction> undo = inverse(a);
        CHECK(undo.has_value() == k.undoable);
        if (undo) {
            CHECK(undo->kind == k.pair);
        }
    }
    CHECK_FALSE(disruption_kind("no_such_kind").has_value());
    CHECK(std::string_view(to_string(static_cast<DisruptionKind>(kDisruptionKindCount))) == "?");
    // a kSet kind undoes itself at its neutral value
    DisruptionAction slow;
    slow.kind = DisruptionKind::kSlowRoads;
    slow.speed_factor = 0.5;
    CHECK(inverse(slow)->speed_factor == 1.0);
    DisruptionAction docks;
    docks.kind = DisruptionKind::kDepotDocks;
    docks.docks = 1;
    CHECK(inverse(docks)->docks == 0);
    // the scenario names of the shipped files
    CHECK(info(DisruptionKind::kDepotDocks).name == "depot_docks");
    CHECK(info(DisruptionKind::kDepotDocks).target == DisruptionTarget::kDepot);
}

TEST_CASE("disruption kinds: the model applies every kind and logs it with its targets") {
    testing::SmallCity city;
    city.spec.disruptions = testing::every_disruption_kind(city.network, 60.0, 60.0);
    sim::SerialExecutor serial;
    FleetRun run(city.spec, testing::run_options(city.spec, *city.routers, serial, 2));
    const testing::RunResult r = testing::run_for(run, 0.5);
    const std::vector<AppliedDisruption>& log = run.model().disruption_log();
    REQUIRE(log.size() == kDisruptionKindCount);
    for (std::size_t i = 0; i < kDisruptionKindCount; ++i) {
        const DisruptionKindInfo& k = kDisruptionKinds[i];
        CAPTURE(k.name);
        CHECK(log[i].kind == k.kind);
        CHECK(log[i].t == city.spec.time.from_seconds(60.0 * static_cast<double>(i + 1)));
        // the targets the trace writes as rows: edges, the depot or the vehicles
        const DisruptionAction& a = city.spec.disruptions[i].action;
        switch (k.target) {
            case DisruptionTarget::kRoads:
                CHECK(log[i].targets == a.edges);
                break;
            case DisruptionTarget::kDepot:
                CHECK(log[i].targets == std::vector<std::uint32_t>{a.depot});
                break;
            case DisruptionTarget::kVehicles:
                CHECK(log[i].targets == a.vehicles);
                break;
            default:
                CHECK(log[i].targets.empty());
                break;
        }
    }
    CHECK(r.kpi.disruptions == kDisruptionKindCount);
    CHECK(r.kpi.created == r.kpi.delivered + r.kpi.failed + r.kpi.backlog);
}
