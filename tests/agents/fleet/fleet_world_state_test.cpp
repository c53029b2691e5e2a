// A FleetWorld in a sim::StateArchive (fleet_world_state.*): saved mid-run from shipped-like
// runs (disruptions of every target active, queues at docks, the cloud planner with
// priorities, learning), loaded into the world of a fresh run of the same spec and saved
// again, it gives the same arrays; every saved array is read back; a world of another shape
// refuses it by field name and stays as it was.
#include "agents/fleet/fleet_world_state.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agents/fleet/fleet_run.hpp"
#include "sim/executor.hpp"
#include "sim/state_archive.hpp"
#include "tests/agents/fleet/fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;
using agents::testing::run_options;
using agents::testing::run_to;
using agents::testing::SmallCity;
using sim::CheckpointError;
using sim::StateArchive;

namespace {

StateArchive saved(const FleetWorld& w) {
    StateArchive ar;
    const auto s = ar.scope("fleet");
    save_world(w, ar);
    return ar;
}

void load(FleetWorld& w, const StateArchive& ar) {
    const auto s = ar.scope("fleet");
    load_world(w, ar);
}

// Disruptions of every target, most of them still under way at the checkpoint: roads closed
// and slowed, depot 0 down, depot 1 on one dock, depot 2's stock cut, a blackout and a loss
// spike round the centre, the cloud link down, a demand surge, a fifth of the fleet broken
// and a failure process on two vans.
std::vector<DisruptionSpec> disruptions(const world::RoadNetwork& net) {
    const world::BoundingBox b = net.bounds();
    const Point centre{(b.min.x + b.max.x) / 2, (b.min.y + b.max.y) / 2};
    const std::vector<EdgeId> near = world::edges_in(net, world::Region::circle(centre, 300.0));
    REQUIRE(near.size() >= 4);
    std::vector<DisruptionSpec> list;
    const auto add = [&](DisruptionKind kind, double at_s, double duration_s,
                         const std::function<void(DisruptionAction&)>& set) {
        DisruptionSpec d;
        d.id = std::string(to_string(kind)) + std::to_string(list.size());
        d.at_s = at_s;
        d.duration_s = duration_s;
        d.action.kind = kind;
        d.action.label = d.id;
        set(d.action);
        list.push_back(std::move(d));
    };
    add(DisruptionKind::kCloseRoads, 300.0, 3600.0, [&](DisruptionAction& a) {
        a.edges = {near[0], near[1]};
    });
    add(DisruptionKind::kSlowRoads, 300.0, 3600.0, [&](DisruptionAction& a) {
        a.edges = {near[2], near[3]};
        a.speed_factor = 0.5;
    });
    add(DisruptionKind::kDepotDocks, 120.0, 7200.0, [](DisruptionAction& a) {
        a.depot = 1;
        a.docks = 1;
    });
    add(DisruptionKind::kDepotStock, 200.0, 0.0, [](DisruptionAction& a) {
        a.depot = 2;
        a.stock = 500;
    });
    add(DisruptionKind::kDemandSurge, 400.0, 3600.0,
        [](DisruptionAction& a) { a.multiplier = 2.0; });
    add(DisruptionKind::kDepotDown, 600.0, 3600.0, [](DisruptionAction& a) { a.depot = 0; });
    add(DisruptionKind::kRadioBlackout, 600.0, 3600.0,
        [&](DisruptionAction& a) { a.area = world::Region::circle(centre, 600.0); });
    add(DisruptionKind::kLossSpike, 600.0, 3600.0, [&](DisruptionAction& a) {
        a.loss = 0.3;
        a.area = world::Region::polygon({{centre.x - 900, centre.y - 900},
                                         {centre.x + 900, centre.y - 900},
                                         {centre.x, centre.y + 900}});
    });
    add(DisruptionKind::kCloudDown, 700.0, 3600.0, [](DisruptionAction& /*a*/) {});
    add(DisruptionKind::kBreakVehicles, 900.0, 1800.0,
        [](DisruptionAction& a) { a.fraction = 0.2; });
    add(DisruptionKind::kBreakVehicles, 0.0, 0.0, [](DisruptionAction& a) { a.vehicles = {3, 4}; });
    list.back().mtbf_s = 900.0;
    list.back().mttr_s = 300.0;
    return list;
}

// runs on in steps of a minute until `ready` holds (at most `limit_s`), then mid-run
template <class Ready>
bool run_until(FleetRun& run, double from_s, double limit_s, Ready&& ready) {
    for (double t = from_s; t <= limit_s; t += 60.0) {
        run_to(run, t);
        if (ready(run.model())) {
            return true;
        }
    }
    return false;
}

bool docks_queued(const FleetModel& m) {
    for (std::uint32_t d = 0; d < m.depot_count(); ++d) {
        if (m.depot(d).docks.queue_length() > 0) {
            return true;
        }
    }
    return false;
}

// saves the run's world, loads it into the world of a fresh run of the same spec at t = 0,
// saves that: the same arrays, name by name; returns the first archive
StateArchive round_trip(const FleetSpec& spec, const routing::RouterFactory& routers,
                        const FleetRun& run) {
    const FleetWorld& world = run.model().world();
    StateArchive a = saved(world);
    sim::SerialExecutor serial;
    FleetRun fresh(spec, run_options(spec, routers, serial));
    FleetWorld w = fresh.model().world();
    CHECK(saved(w).checksum() != a.checksum());  // there is something to load
    load(w, a);
    const StateArchive b = saved(w);
    CHECK(a.checksum() == b.checksum());
    REQUIRE(a.arrays().size() == b.arrays().size());
    for (const auto& entry : a.arrays()) {
        const std::string& name = entry.first;
        const sim::StateArray& array = entry.second;
        CAPTURE(name);
        REQUIRE(b.has(name));
        const sim::StateArray& other = b.arrays().at(name);
        CHECK(other.kind == array.kind);
        CHECK(other.count == array.count);
        CHECK(other.bytes == array.bytes);
    }
    // spot checks against the world itself, through its own comparisons
    CHECK(column(w.vehicles.hot, &VehicleHot::node) ==
          column(world.vehicles.hot, &VehicleHot::node));
    CHECK(column(w.vehicles.warm, &VehicleWarm::route) ==
          column(world.vehicles.warm, &VehicleWarm::route));
    CHECK(column(w.vehicles.hot, &VehicleHot::counters) ==
          column(world.vehicles.hot, &VehicleHot::counters));
    CHECK(w.vehicles.known == world.vehicles.known);
    CHECK(w.fleet_time.series == world.fleet_time.series);
    CHECK(w.roads.closed_count() == world.roads.closed_count());
    CHECK(w.roads.events().size() == world.roads.events().size());
    CHECK(w.conditions.blackout_count() == world.conditions.blackout_count());
    CHECK(w.conditions.spike_count() == world.conditions.spike_count());
    CHECK(w.conditions.version() == world.conditions.version());
    CHECK(w.board.size() == world.board.size());
    for (std::uint32_t d = 0; d < world.depots.size(); ++d) {
        const DepotState& x = w.depots[d];
        const DepotState& y = world.depots[d];
        CHECK(x.book.size() == y.book.size());
        CHECK(x.book.series() == y.book.series());
        CHECK(x.book.check_conservation().ok());
        CHECK(x.docks.queue_length() == y.docks.queue_length());
        CHECK(x.docks.servers() == y.docks.servers());
        CHECK(x.chargers.busy() == y.chargers.busy());
    }
    return a;
}

// every saved array is read back: changed in the archive, it changes the world loaded from
// it (or the load refuses it)
void every_array_is_loaded(const FleetSpec& spec, const routing::RouterFactory& routers,
                           const StateArchive& a) {
    sim::SerialExecutor serial;
    FleetRun fresh(spec, run_options(spec, routers, serial));
    const FleetWorld base = fresh.model().world();
    std::size_t checked = 0;
    for (const auto& entry : a.arrays()) {
        const std::string& name = entry.first;
        const sim::StateArray& array = entry.second;
        if (array.count == 0) {
            continue;
        }
        CAPTURE(name);
        StateArchive changed;
        for (const auto& [n, x] : a.arrays()) {
            sim::StateArray copy = x;
            if (n == name) {
                copy.bytes[0] ^= 1U;
            }
            changed.insert(n, std::move(copy));
        }
        FleetWorld w = base;
        try {
            load(w, changed);
        } catch (const CheckpointError&) {
            ++checked;
            continue;
        }
        const StateArchive b = saved(w);
        CHECK(b.arrays().at(name).bytes != array.bytes);
        ++checked;
    }
    CHECK(checked > 100);
}

}  // namespace

TEST_CASE("fleet world state: a disrupted run's world saves, loads and saves the same") {
    SmallCity city;
    city.spec.disruptions = disruptions(city.network);
    city.spec.validate();
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial, 2));
    // mid-run with everything under way and vehicles queued at a dock
    const bool ready = run_until(run, 1200.0, 3000.0, [](const FleetModel& m) {
        return docks_queued(m) && !m.depot_up(0) && m.comms_conditions().any_blackout() &&
               !m.cloud_up();
    });
    REQUIRE(ready);
    const FleetWorld& w = run.model().world();
    CHECK(w.roads.closed_count() > 0);
    CHECK(w.conditions.spike_count() > 0);
    CHECK(!w.active_conditions.empty());
    CHECK(w.disruption_log.size() >= 10);
    CHECK(w.depots[1].docks.servers() == 1);
    const StateArchive a = round_trip(city.spec, *city.routers, run);
    every_array_is_loaded(city.spec, *city.routers, a);
}

TEST_CASE("fleet world state: the cloud planner with priorities, and CBBA's plan estimates") {
    SmallCity city;
    // replayed orders with priorities beside the drawn demand: the depots count waiting
    // orders by priority
    OrderReplay r;
    r.first.push_back(0);
    for (std::uint32_t d = 0; d < city.spec.depot_count(); ++d) {
        for (std::uint32_t i = 0; i < 30; ++i) {
            ReplayOrder o;
            o.depot = d;
            o.customer = static_cast<NodeId>((d * 97 + i * 31) % city.network.node_count());
            o.release_s = 30.0 + 40.0 * i;
            o.earliest_s = o.release_s;
            o.latest_s = o.release_s + 1500.0;
            o.priority = static_cast<std::uint8_t>(i % 3);
            r.orders.push_back(o);
        }
        r.first.push_back(static_cast<std::uint32_t>(r.orders.size()));
    }
    city.spec.replay = r;
    for (const char* policy : {"cloud", "cbba"}) {
        CAPTURE(policy);
        city.spec.allocation.policy = policy;
        city.spec.validate();
        sim::SerialExecutor serial;
        FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
        run_to(run, 1500.0);
        CHECK(run.model().depot(0).waiting.size() == kMaxPriority + 1);
        const StateArchive a = round_trip(city.spec, *city.routers, run);
        every_array_is_loaded(city.spec, *city.routers, a);
    }
}

TEST_CASE("fleet world state: a learning run's world, with repairs pending") {
    SmallCity city;
    FleetSpec spec = city.spec;
    FleetLearningSpec& l = spec.learning;
    l.mode = LearningMode::kGossip;
    l.congestion = true;
    l.wear = true;
    l.degradation.wear_per_hour = 0.5;
    l.degradation.base_hazard = 0.01;
    l.degradation.wear_hazard = 2.0;
    l.initial_wear_max = 0.9;
    spec.validate();
    sim::SerialExecutor serial;
    FleetRun run(spec, run_options(spec, *city.routers, serial));
    run_to(run, 1800.0);
    const FleetWorld& w = run.model().world();
    CHECK(w.learn_busy.size() == w.vehicles.size());
    CHECK(w.repair_at.size() == w.vehicles.size());
    CHECK(std::any_of(w.repair_at.begin(), w.repair_at.end(),
                      [](sim::Tick t) { return t != sim::kTickNever; }));
    const StateArchive a = round_trip(spec, *city.routers, run);
    every_array_is_loaded(spec, *city.routers, a);
}

TEST_CASE("fleet world state: a world of another shape refuses the checkpoint by field name") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    run_to(run, 900.0);
    const StateArchive a = saved(run.model().world());

    const auto refuses = [&](const FleetSpec& other, const std::string& message) {
        FleetRun fresh(other, run_options(other, *city.routers, serial));
        FleetWorld w = fresh.model().world();
        const std::uint64_t before = saved(w).checksum();
        CHECK_THROWS_WITH_AS(load(w, a), message.c_str(), CheckpointError);
        CHECK(saved(w).checksum() == before);  // left as it was
    };
    SUBCASE("another fleet size") {
        FleetSpec other = city.spec;
        other.fleets[0].count += 1;
        refuses(other,
                "checkpoint field 'fleet/vehicles/state' holds 30 elements; this run has 31");
    }
    SUBCASE("another depot count") {
        FleetSpec other = city.spec;
        DepotSpec extra = other.depots[0];
        extra.node = other.depots[2].node;
        other.depots.push_back(extra);
        refuses(other, "checkpoint field 'fleet/depots/stock' holds 3 elements; this run has 4");
    }
    SUBCASE("another KPI interval") {
        FleetSpec other = city.spec;
        other.demand.kpi_interval_s = 600.0;
        refuses(other, "checkpoint field 'fleet/depots/0/book/series/interval' holds " +
                           std::to_string(city.spec.time.from_seconds(900.0)) + "; this run has " +
                           std::to_string(other.time.from_seconds(600.0)));
    }
}

TEST_CASE("fleet world state: vehicles still driving out of order are refused") {
    // the board's rebuild merges them with the changed vehicles, both in increasing order
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    run_to(run, 900.0);
    FleetWorld w = run.model().world();
    REQUIRE(w.board_moving.size() >= 2);
    std::reverse(w.board_moving.begin(), w.board_moving.end());
    const StateArchive a = saved(w);
    FleetRun fresh(city.spec, run_options(city.spec, *city.routers, serial));
    FleetWorld into = fresh.model().world();
    try {
        load(into, a);
        FAIL("loaded");
    } catch (const CheckpointError& e) {
        const std::string what = e.what();
        CHECK(what.find("fleet/board_moving") != std::string::npos);
        CHECK(what.find("is not in increasing order") != std::string::npos);
    }
}

TEST_CASE("fleet world state: the archive names every member of the world") {
    SmallCity city;
    city.spec.disruptions = disruptions(city.network);
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    run_to(run, 1200.0);
    const StateArchive a = saved(run.model().world());
    // one name per member (fleet_world.hpp, fleet_state.hpp) and per member of the types
    // saved through their own save(): a member missing here is missing from checkpoints
    const std::vector<std::string> names = {
        // FleetState
        "vehicles/state", "vehicles/node", "vehicles/leg_to", "vehicles/leg_start",
        "vehicles/leg_end", "vehicles/dest", "vehicles/route/offsets", "vehicles/route/values",
        "vehicles/route_pos", "vehicles/route_dest", "vehicles/moving", "vehicles/type",
        "vehicles/home", "vehicles/load", "vehicles/energy_kwh", "vehicles/plan/entries/depot",
        "vehicles/plan/entries/row", "vehicles/plan/entries/order",
        "vehicles/plan/entries/customer", "vehicles/plan/entries/size",
        "vehicles/plan/entries/service_s", "vehicles/plan/entries/ready",
        "vehicles/plan/entries/due", "vehicles/plan/size", "vehicles/plan/loaded",
        "vehicles/counters/distance_mm", "vehicles/counters/energy_uwh", "vehicles/counters/busy",
        "vehicles/counters/idle", "vehicles/counters/charging", "vehicles/counters/down",
        "vehicles/counters/deliveries", "vehicles/counters/breakdowns",
        "vehicles/counters/services", "vehicles/state_since", "vehicles/max_load",
        "vehicles/min_energy_kwh", "vehicles/energy_violations", "vehicles/drive_time",
        "vehicles/returned_at", "vehicles/known", "vehicles/replan", "vehicles/service_due",
        "vehicles/changed",
        // DepotState, over the depots and per depot
        "depots/stock", "depots/demand_draws", "depots/cloud_draws", "depots/allocation/offers",
        "depots/allocation/bids", "depots/allocation/declines", "depots/allocation/rejects",
        "depots/allocation/retries", "depots/forwarded_in", "depots/forwarded_out",
        "depots/replay_next", "depots/0/waiting", "depots/0/allocations/round",
        "depots/0/allocations/awarding", "depots/0/allocations/waiting",
        "depots/0/allocations/unreachable", "depots/0/allocations/unreachable_round",
        "depots/0/dock_jobs/free", "depots/0/dock_jobs/slots/vehicle",
        "depots/0/dock_jobs/slots/count", "depots/0/dock_jobs/slots/epoch",
        "depots/0/dock_jobs/slots/depot", "depots/0/dock_jobs/slots/orders",
        "depots/0/charge_jobs/free", "depots/0/charge_jobs/slots/vehicle",
        "depots/0/charge_jobs/slots/kwh",
        // OrderBook
        "depots/2/book/depot", "depots/2/book/orders/customer_node", "depots/2/book/orders/size",
        "depots/2/book/orders/created", "depots/2/book/orders/ready", "depots/2/book/orders/due",
        "depots/2/book/orders/service_time", "depots/2/book/orders/state",
        "depots/2/book/orders/reason", "depots/2/book/orders/vehicle",
        "depots/2/book/orders/reassignments", "depots/2/book/orders/first_assigned_at",
        "depots/2/book/orders/assigned_at", "depots/2/book/orders/orphaned_at",
        "depots/2/book/orders/picked_up_at", "depots/2/book/orders/delivered_at",
        "depots/2/book/orders/failed_at", "depots/2/book/orders/delivered_size",
        "depots/2/book/orders/ref", "depots/2/book/by_state", "depots/2/book/oldest_open",
        "depots/2/book/counters/created", "depots/2/book/counters/assignments",
        "depots/2/book/counters/picked_up", "depots/2/book/counters/delivered_on_time",
        "depots/2/book/counters/delivered_late", "depots/2/book/counters/delivered_short",
        "depots/2/book/counters/delivered_on_time_in_full",
        "depots/2/book/counters/failed_by_reason", "depots/2/book/counters/orphaned",
        "depots/2/book/counters/reassigned", "depots/2/book/counters/reassign_time",
        "depots/2/book/counters/reassign_time_max", "depots/2/book/counters/first_assigned",
        "depots/2/book/counters/first_assign_wait", "depots/2/book/counters/late_samples",
        "depots/2/book/counters/late_total", "depots/2/book/counters/queue/since",
        "depots/2/book/counters/queue/level", "depots/2/book/counters/queue/max",
        "depots/2/book/counters/queue/area", "depots/2/book/counters/dock_busy",
        // KpiSeries (a depot's and the fleet's)
        "depots/2/book/series/interval", "depots/2/book/series/origin",
        "depots/2/book/series/created", "depots/2/book/series/due",
        "depots/2/book/series/on_time_in_full", "depots/2/book/series/delivered_by_due",
        "depots/2/book/series/settled_by_due", "depots/2/book/series/delivered",
        "depots/2/book/series/failed", "depots/2/book/series/served", "depots/2/book/series/lost",
        "depots/2/book/series/busy", "depots/2/book/series/accounted",
        // FifoStation
        "depots/1/docks/servers", "depots/1/docks/busy", "depots/1/docks/warmup",
        "depots/1/docks/last_change", "depots/1/docks/closed", "depots/1/docks/queue/id",
        "depots/1/docks/queue/created", "depots/1/docks/queue/arrived",
        "depots/1/docks/queue/source", "depots/1/docks/queue/flags",
        "depots/1/chargers/stats/arrivals", "depots/1/chargers/stats/started",
        "depots/1/chargers/stats/completed", "depots/1/chargers/stats/max_queue",
        "depots/1/chargers/stats/delayed", "depots/1/chargers/stats/wait/count",
        "depots/1/chargers/stats/wait/mean", "depots/1/chargers/stats/wait/m2",
        "depots/1/chargers/stats/wait/max", "depots/1/chargers/stats/sojourn/mean",
        "depots/1/chargers/stats/queue_area", "depots/1/chargers/stats/busy_area",
        "depots/1/chargers/stats/observed_from", "depots/1/chargers/stats/observed_to",
        // FleetBoard
        "board/built_at", "board/rows/x", "board/rows/y", "board/rows/state",
        "board/rows/plan_size", "board/rows/type", "board/rows/free_at", "board/rows/free_node",
        "board_moving",
        // RoadState
        "roads/edges", "roads/closed", "roads/speed_factor", "roads/events/kind",
        "roads/events/edges/offsets", "roads/events/edges/values", "roads/events/speed_factor",
        "roads/events/at", "roads/events/label/offsets", "roads/events/label/values", "depot_up",
        "demand_factor",
        // CommsConditions
        "conditions/blackouts/id", "conditions/blackouts/region/shape",
        "conditions/blackouts/region/centre_x", "conditions/blackouts/region/centre_y",
        "conditions/blackouts/region/radius_m", "conditions/blackouts/region/vertices_x/values",
        "conditions/blackouts/region/vertices_y/values",
        "conditions/blackouts/region/ring_ends/values", "conditions/spikes/id",
        "conditions/spikes/extra_loss", "conditions/spikes/links", "conditions/spikes/region/shape",
        "conditions/next_id", "conditions/cloud_up", "conditions/version",
        "active_conditions/label/values", "active_conditions/id",
        // the disruption log and the rest
        "disruption_log/t", "disruption_log/kind", "disruption_log/label/values",
        "disruption_log/affected", "disruption_log/targets/values", "disruption_log/value",
        "applied", "counters/messages_sent", "counters/bytes_sent", "counters/messages_received",
        "counters/bytes_received", "counters/dropped", "cloud_known", "gossip_rounds",
        "cloud_draws", "fleet_time/series/due", "fleet_time/booked_at", "fleet_time/busy_booked",
        "fleet_time/accounted_booked", "learn_busy", "repair_at"};
    for (const std::string& n : names) {
        CAPTURE(n);
        CHECK(a.has("fleet/" + n));
    }
    // and nothing else at the top: one group per FleetWorld member
    const std::set<std::string> members = {
        "vehicles",   "depots",        "board",       "board_moving",      "roads",
        "depot_up",   "demand_factor", "conditions",  "active_conditions", "disruption_log",
        "applied",    "counters",      "cloud_known", "gossip_rounds",     "cloud_draws",
        "fleet_time", "learn_busy",    "repair_at"};
    std::set<std::string> seen;
    for (const auto& [name, array] : a.arrays()) {
        REQUIRE(name.rfind("fleet/", 0) == 0);
        const std::string rest = name.substr(6);
        seen.insert(rest.substr(0, rest.find('/')));
    }
    CHECK(seen == members);
}
