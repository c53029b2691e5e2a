#include "agents/fleet/fleet_model.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <set>
#include <sstream>

#include "sim/executor.hpp"
#include "tests/agents/fleet/fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;
using agents::testing::run_for;
using agents::testing::run_options;
using swarm::agents::testing::SmallCity;

TEST_CASE("fleet: a driven route takes its length over speed edge by edge") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    run.model().enable_leg_log(true);
    const auto result = run_for(run, 1.0);
    const FleetModel& model = run.model();
    const auto& net = city.network;
    std::size_t ground_legs = 0;
    std::size_t drone_legs = 0;
    for (std::uint32_t v = 0; v < model.vehicle_count(); ++v) {
        const VehicleType& type = city.spec.types[model.vehicles().hot[v].type];
        const auto& log = model.leg_log(v);
        double metres = 0.0;
        for (std::size_t i = 0; i < log.size(); ++i) {
            const LegRecord& leg = log[i];
            const double seconds = city.spec.time.to_seconds(leg.end - leg.start);
            if (type.kind == VehicleKind::kGround) {
                // one edge per event; time = length / (road speed * speed factor), to a tick
                REQUIRE(leg.edge != world::kNoEdge);
                CHECK(net.source(leg.edge) == leg.from);
                CHECK(net.target(leg.edge) == leg.to);
                const double expect =
                    net.length_m(leg.edge) / (net.speed_mps(leg.edge) * type.speed_factor);
                CHECK(std::fabs(seconds - expect) <= 1e-6);
                ++ground_legs;
            } else {
                // drones: one straight leg at cruise speed
                const world::Point a = net.position(leg.from);
                const world::Point b = net.position(leg.to);
                const double d = std::hypot(a.x - b.x, a.y - b.y);
                CHECK(std::fabs(seconds - d / type.cruise_mps) <= 1e-6);
                CHECK(leg.metres == doctest::Approx(d));
                ++drone_legs;
            }
            // legs chain: each starts where the previous ended
            if (i > 0) {
                CHECK(log[i - 1].to == leg.from);
                CHECK(log[i - 1].end <= leg.start);
            }
            metres += leg.metres;
        }
        CHECK(metres == doctest::Approx(model.vehicles().hot[v].counters.metres()).epsilon(1e-6));
    }
    CHECK(ground_legs > 1000);
    CHECK(drone_legs >= 4);
    CHECK(result.kpi.delivered > 0);
}

TEST_CASE("fleet: positions are interpolated along the current edge or leg") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    run_for(run, 0.25);
    const FleetModel& model = run.model();
    const FleetState& f = model.vehicles();
    std::size_t moving = 0;
    for (std::uint32_t v = 0; v < model.vehicle_count(); ++v) {
        if (f.hot[v].moving == 0) {
            const world::Point p = model.position_at(v, run.engine().now());
            const world::Point n = city.network.position(f.hot[v].node);
            CHECK(p.x == n.x);
            CHECK(p.y == n.y);
            continue;
        }
        ++moving;
        const world::Point a = city.network.position(f.hot[v].node);
        const world::Point b = city.network.position(f.hot[v].leg_to);
        const sim::Tick mid = (f.hot[v].leg_start + f.hot[v].leg_end) / 2;
        const world::Point p = model.position_at(v, mid);
        CHECK(p.x == doctest::Approx((a.x + b.x) / 2).epsilon(1e-3));
        CHECK(p.y == doctest::Approx((a.y + b.y) / 2).epsilon(1e-3));
        const world::Point start = model.position_at(v, f.hot[v].leg_start);
        CHECK(start.x == a.x);
        const world::Point end = model.position_at(v, f.hot[v].leg_end + 1000);
        CHECK(end.x == b.x);
    }
    CHECK(moving > 0);
}

TEST_CASE("fleet: orders are conserved and a broken book is caught") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    const auto result = run_for(run, 2.0);
    const auto& k = result.kpi;
    CHECK(k.created == k.delivered + k.failed + k.backlog);
    CHECK(k.created > 100);
    CHECK_NOTHROW(run.model().finish(run.engine()));
    // every depot's book agrees with the summary
    std::uint64_t created = 0;
    for (std::uint32_t d = 0; d < run.model().depot_count(); ++d) {
        const auto report = run.model().depot(d).book.check_conservation();
        CHECK(report.ok());
        created += report.created;
    }
    CHECK(created == k.created);
    // a depot whose counter claims an order the book does not hold
    run.model().depot_for_test(1).book.counters().created += 1;
    CHECK_THROWS_AS(run.model().finish(run.engine()), FleetModelError);
    run.model().depot_for_test(1).book.counters().created -= 1;
    CHECK_NOTHROW(run.model().finish(run.engine()));
    // an order counted as failed that the book never failed
    const auto no_vehicle = static_cast<std::size_t>(FailReason::kNoVehicle);
    run.model().depot_for_test(0).book.counters().failed_by_reason[no_vehicle] += 1;
    CHECK_THROWS_AS(run.model().finish(run.engine()), FleetModelError);
}

TEST_CASE("fleet: capacity and energy limits hold and vehicles charge and deliver on time") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    const auto result = run_for(run, 2.0);
    const FleetModel& model = run.model();
    const FleetState& f = model.vehicles();
    std::uint64_t drone_deliveries = 0;
    for (std::uint32_t v = 0; v < model.vehicle_count(); ++v) {
        const VehicleType& type = city.spec.types[f.hot[v].type];
        CHECK(f.warm[v].max_load <= type.capacity);
        CHECK(f.warm[v].energy_violations == 0);
        CHECK(f.hot[v].min_energy_kwh >= 0.0);
        CHECK(f.hot[v].energy_kwh <= type.battery_kwh + 1e-12);
        if (type.kind == VehicleKind::kDrone) {
            drone_deliveries += f.hot[v].counters.deliveries;
        }
    }
    std::uint64_t charges = 0;
    for (std::uint32_t d = 0; d < model.depot_count(); ++d) {
        charges += model.depot(d).chargers.stats().completed;
    }
    std::ostringstream text;
    result.kpi.print(text);
    MESSAGE(text.str());
    CHECK(charges > 0);
    CHECK(drone_deliveries > 0);
    CHECK(result.kpi.delivered > 100);
    CHECK(static_cast<double>(result.kpi.delivered_on_time) >
          0.5 * static_cast<double>(result.kpi.delivered));
    CHECK(result.kpi.veh_km > 0.0);
    CHECK(result.kpi.energy_kwh > 0.0);
    // the dock queue integral reaches the summary
    CHECK(result.kpi.queue_mean >= 0.0);
    CHECK(result.kpi.dock_busy_h > 0.0);
}

TEST_CASE("fleet: identical KPIs and event hash for any executor and thread count") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun reference(city.spec, run_options(city.spec, *city.routers, serial, 1));
    const auto ref = run_for(reference, 2.0);
    CHECK(ref.events > 10'000);
    const auto json = [](const KpiSummary& s) {
        std::ostringstream out;
        s.to_json(out);
        return out.str();
    };
    {
        FleetRun r(city.spec, run_options(city.spec, *city.routers, serial, 7));
        const auto x = run_for(r, 2.0);
        CHECK(x.kpi_hash == ref.kpi_hash);
        CHECK(x.event_hash == ref.event_hash);
    }
    for (const std::size_t threads : {1u, 2u, 4u}) {
        CAPTURE(threads);
        sim::TbbExecutor tbb(threads);
        FleetRun r(city.spec, run_options(city.spec, *city.routers, tbb));
        const auto x = run_for(r, 2.0);
        CHECK(x.kpi_hash == ref.kpi_hash);
        CHECK(x.event_hash == ref.event_hash);
        CHECK(json(x.kpi) == json(ref.kpi));
    }
    // a different seed gives a different history
    FleetRun other(city.spec, run_options(city.spec, *city.routers, serial, 1, 12));
    CHECK(run_for(other, 2.0).event_hash != ref.event_hash);
}

TEST_CASE("fleet: the vehicle state machine refuses impossible transitions") {
    using S = VehicleState;
    CHECK(transition_allowed(S::kIdle, S::kToPickup));
    CHECK(transition_allowed(S::kToPickup, S::kLoading));
    CHECK(transition_allowed(S::kLoading, S::kEnRoute));
    CHECK(transition_allowed(S::kEnRoute, S::kDelivering));
    CHECK(transition_allowed(S::kDelivering, S::kReturning));
    CHECK(transition_allowed(S::kReturning, S::kCharging));
    CHECK(transition_allowed(S::kCharging, S::kIdle));
    CHECK(transition_allowed(S::kEnRoute, S::kBroken));
    // left without orders at its home node (all revoked while loading there): home at once,
    // charging when low (scenarios/demand_surge.toml, cloud, seed 1 threw here)
    CHECK(transition_allowed(S::kLoading, S::kCharging));
    CHECK(transition_allowed(S::kToPickup, S::kMaintenance));
    CHECK_FALSE(transition_allowed(S::kIdle, S::kDelivering));
    CHECK_FALSE(transition_allowed(S::kLoading, S::kDelivering));
    CHECK_FALSE(transition_allowed(S::kBroken, S::kEnRoute));
    CHECK_FALSE(transition_allowed(S::kBroken, S::kBroken));
    CHECK_FALSE(transition_allowed(S::kEnRoute, S::kLoading));
}

TEST_CASE("fleet: specs are validated") {
    SmallCity city;
    FleetSpec bad = city.spec;
    bad.allocation.max_plan = kMaxPlan + 1;
    CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
    bad = city.spec;
    bad.fleets.push_back({5, 1, 0, {}});
    CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
    bad = city.spec;
    bad.allocation.bid_window_s = city.spec.lookahead_s;  // shorter than offer + bid
    CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
    // settings under which no order could ever be allocated
    bad = city.spec;
    bad.comms.radio_latency_s = 2.0;  // the default window (three lookaheads) is too short
    CHECK(bad.bid_round_trip() > bad.bid_window());
    CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
    bad.allocation.bid_window_s = bad.time.to_seconds(bad.bid_round_trip());
    CHECK_NOTHROW(bad.validate());
    bad.allocation.policy = "cbba";  // no bid window: the latency is only slow
    bad.allocation.bid_window_s = 0.0;
    CHECK_NOTHROW(bad.validate());
    bad = city.spec;
    bad.allocation.policy = "cloud";
    bad.cloud.timeout_s = bad.time.to_seconds(bad.award_round_trip() - 1);
    CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
    bad.cloud.timeout_s = bad.time.to_seconds(bad.award_round_trip());
    CHECK_NOTHROW(bad.validate());
    CHECK(bad.award_round_trip(bad.one_order_solve()) >
          bad.award_round_trip() + bad.time.from_seconds(1.0) - 2);
    bad.comms.cloud_loss = 1.0;
    CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
    bad = city.spec;
    bad.comms.radio_loss = 1.0;
    CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
    CHECK_NOTHROW(city.spec.validate());
}

TEST_CASE("fleet: the summary accounts for every order and Q(t) stays in the unit interval") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    const auto result = run_for(run, 2.0);
    const KpiSummary& k = result.kpi;
    CHECK(k.created > 0);
    CHECK(k.delivered + k.failed + k.backlog == k.created);
    CHECK(k.delivered == k.delivered_on_time + k.delivered_late);
    // the KPI observer sampled on the grid, and its last sample is a valid aggregate
    CHECK(run.kpis().samples() > 0);
    CHECK(run.kpis().latest().summary.created <= k.created);
    // Q(t) over the complete intervals
    const KpiSeries& series = result.kpis.series;
    const std::size_t n = series.complete_before(result.kpis.t);
    REQUIRE(n > 0);
    CHECK(n == k.intervals);
    for (const double q : series.service_levels(n)) {
        CHECK(q >= 0.0);
        CHECK(q <= 1.0);
    }
    // vehicle time reaches the series at barriers: utilisation in [0, 1] and some busy time
    double busy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        CHECK(series.utilisation(i) >= 0.0);
        CHECK(series.utilisation(i) <= 1.0);
        busy += static_cast<double>(series.busy(i));
    }
    CHECK(busy > 0.0);
    CHECK(k.utilisation > 0.0);
    CHECK(k.utilisation <= 1.0);
    // every vehicle's time is accounted for over the whole run
    for (std::uint32_t v = 0; v < run.model().vehicle_count(); ++v) {
        CHECK(run.model().vehicle_counters(v, result.kpis.t).accounted() == result.kpis.t);
    }
}

TEST_CASE("fleet: the day profile creates more orders at the peaks than at night") {
    SmallCity city;
    FleetSpec spec = city.spec;
    spec.demand.profile = DemandProfile::kDay;
    DepotSpec depot = spec.depots[0];
    depot.demand_per_hour = 20.0;
    spec.depots = {depot};
    spec.fleets = {{0, 4, 0, {}}};
    sim::SerialExecutor serial;
    FleetRun run(spec, run_options(spec, *city.routers, serial));
    run_for(run, 24.0);
    // orders created per hour of the day
    std::array<std::uint64_t, 24> per_hour{};
    for (const Order& o : run.model().depot(0).book.orders()) {
        const auto h = static_cast<std::size_t>(spec.time.to_seconds(o.created) / 3600.0);
        REQUIRE(h < 24);
        ++per_hour[h];
    }
    const std::uint64_t night = per_hour[1] + per_hour[2] + per_hour[3] + per_hour[4];
    const std::uint64_t peak = per_hour[8] + per_hour[9] + per_hour[15] + per_hour[16];
    MESSAGE("night (1-5 h) " << night << ", peaks (8-10 h, 15-17 h) " << peak);
    CHECK(peak > 4 * night);
    CHECK(peak > 80);
}

TEST_CASE("fleet: each depot LP is followed by its vehicles so depots spread over partitions") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetModel model(city.spec, *city.routers);
    const LpLayout& layout = model.layout();
    // no cloud dispatcher LP unless the policy is centralized
    REQUIRE(layout.size() == model.depot_count() + model.vehicle_count());
    CHECK(layout.cloud_lp() == LpLayout::kNoCloud);
    // the mapping is a bijection between LP ids and (kind, index)
    for (std::uint32_t d = 0; d < model.depot_count(); ++d) {
        const auto e = layout.at(model.depot_lp(d));
        CHECK(e.kind == LpLayout::Kind::kDepot);
        CHECK(e.index == d);
    }
    for (std::uint32_t v = 0; v < model.vehicle_count(); ++v) {
        const auto e = layout.at(model.vehicle_lp(v));
        CHECK(e.kind == LpLayout::Kind::kVehicle);
        CHECK(e.index == v);
        // a vehicle comes after its home depot and before the next depot
        const std::uint32_t home = model.vehicles().warm[v].home;
        CHECK(model.vehicle_lp(v) > model.depot_lp(home));
        if (home + 1 < model.depot_count()) {
            CHECK(model.vehicle_lp(v) < model.depot_lp(home + 1));
        }
    }
    // with 3 partitions, each depot lands in its own
    sim::Engine engine(model.engine_config(11, 3), model, serial);
    std::set<std::size_t> parts;
    for (std::uint32_t d = 0; d < model.depot_count(); ++d) {
        parts.insert(engine.partition_of(model.depot_lp(d)));
    }
    CHECK(parts.size() == 3);
}

// Vans only, no drawn demand, and the roads into the node nearest the city's centre closed
// from 1 s, for duration_s (0: to the end of the run); returns that node.
static NodeId close_roads_into_centre(SmallCity& city, double duration_s) {
    for (DepotSpec& d : city.spec.depots) {
        d.demand_per_hour = 0.0;
    }
    std::erase_if(city.spec.fleets, [](const FleetGroup& g) { return g.type != 0; });
    const world::RoadNetwork& net = city.network;
    const world::BoundingBox b = net.bounds();
    const NodeId x = nearest_node(net, {(b.min.x + b.max.x) / 2, (b.min.y + b.max.y) / 2});
    DisruptionSpec closure;
    closure.id = "closure";
    closure.action.kind = DisruptionKind::kCloseRoads;
    closure.action.label = "closed";
    for (const EdgeId e : net.in_edges(x)) {
        closure.action.edges.push_back(e);
    }
    closure.at_s = 1.0;
    closure.duration_s = duration_s;
    city.spec.disruptions.push_back(closure);
    return x;
}

TEST_CASE("fleet: an order unreachable for now is held until the road reopens or it falls due") {
    // the roads into one customer are closed from 1 s to 1500 s; vans only (drones fly over)
    SmallCity city;
    const NodeId x = close_roads_into_centre(city, 1499.0);
    // a: the first to meet the closure, due long after the reopening: its van waits at the
    // closed road with it, sees it reopen and tells the others; b and c are released once the
    // closure is known (no van bids: held at the depot), b due during the closure, c after
    OrderReplay r;
    const auto order = [&](double release, double latest) {
        ReplayOrder o;
        o.depot = 0;
        o.customer = x;
        o.release_s = release;
        o.earliest_s = release;
        o.latest_s = latest;
        r.orders.push_back(o);
    };
    order(60.0, 3600.0);
    order(400.0, 900.0);
    order(700.0, 3600.0);
    r.first = {0, 3, 3, 3};
    city.spec.replay = r;
    city.spec.validate();
    const sim::Tick reopened = city.spec.time.from_seconds(1500.0);
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    const auto result = run_for(run, 1.5);
    const OrderBook& book = run.model().depot(0).book;
    REQUIRE(book.size() == 3);
    const Order& a = book.order({0, 0});
    const Order& late = book.order({0, 1});
    const Order& c = book.order({0, 2});
    // held, not failed at once: delivered after the reopening, or failed when due
    CHECK(a.state == OrderState::kDelivered);
    CHECK(a.delivered_at > reopened);
    CHECK(c.state == OrderState::kDelivered);
    CHECK(c.delivered_at > reopened);
    CHECK(late.state == OrderState::kFailed);
    CHECK(late.reason == FailReason::kUnreachable);
    CHECK(late.failed_at > late.due);
    CHECK(result.kpi.failed == 1);
    // the same for any thread count
    sim::TbbExecutor tbb(2);
    FleetRun two(city.spec, run_options(city.spec, *city.routers, tbb));
    const auto other = run_for(two, 1.5);
    CHECK(other.kpi_hash == result.kpi_hash);
    CHECK(other.event_hash == result.event_hash);
}

TEST_CASE("fleet: an order nobody can route holds back no lower-priority order") {
    // the roads into one customer close at 1 s for the whole run; vans only. The first order
    // there makes the vans learn it; then an urgent one there (priority 9) that no van can
    // route, and ordinary ones elsewhere (priority 0): they are served, not held behind it
    SmallCity city;
    const NodeId x = close_roads_into_centre(city, 0.0);
    const world::RoadNetwork& net = city.network;
    const world::BoundingBox b = net.bounds();
    OrderReplay r;
    const auto order = [&](double release, NodeId customer, std::uint8_t priority) {
        ReplayOrder o;
        o.depot = 0;
        o.customer = customer;
        o.release_s = release;
        o.earliest_s = release;
        o.latest_s = release + 1800.0;
        o.priority = priority;
        r.orders.push_back(o);
    };
    order(60.0, x, 0);
    order(600.0, x, 9);
    const NodeId corner = nearest_node(net, {b.min.x, b.min.y});
    for (int i = 0; i < 4; ++i) {
        order(700.0 + 60.0 * i, corner, 0);
    }
    r.first = {0, static_cast<std::uint32_t>(r.orders.size()),
               static_cast<std::uint32_t>(r.orders.size()),
               static_cast<std::uint32_t>(r.orders.size())};
    city.spec.replay = r;
    city.spec.validate();
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    (void)run_for(run, 1.0);
    const OrderBook& book = run.model().depot(0).book;
    REQUIRE(book.size() == 6);
    CHECK(book.order({0, 1}).state == OrderState::kFailed);
    CHECK(book.order({0, 1}).reason == FailReason::kUnreachable);
    for (std::uint32_t i = 2; i < 6; ++i) {
        CAPTURE(i);
        CHECK(book.order({0, i}).state == OrderState::kDelivered);
        CHECK(book.order({0, i}).delivered_at <= book.order({0, i}).due);
    }
}

TEST_CASE("fleet: an announced closure and its reopening reach every connected vehicle") {
    // no orders: nobody drives past the closed roads, so only an announcement tells anyone
    for (const bool announced : {false, true}) {
        CAPTURE(announced);
        SmallCity city;
        (void)close_roads_into_centre(city, 600.0);
        city.spec.disruptions.back().action.announced = announced;
        city.spec.validate();
        sim::SerialExecutor serial;
        FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
        (void)run_for(run, 0.25);
        const FleetWorld& world = run.model().world();
        REQUIRE(world.roads.events().size() == 2);  // the closure and its reopening
        for (std::uint32_t v = 0; v < world.vehicles.size(); ++v) {
            CAPTURE(v);
            CHECK(world.vehicles.known[v].count() == (announced ? 2U : 0U));
        }
    }
}
