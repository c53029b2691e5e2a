#include "agents/fleet/fleet_model.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <set>

#include "sim/executor.hpp"
#include "tests/agents/fleet/fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;
using swarm::agents::testing::FleetRun;
using swarm::agents::testing::SmallCity;

TEST_CASE("fleet: a driven route takes its length over speed, edge by edge") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, *city.routers, serial, 0, 11, /*leg_log=*/true);
    const auto result = run.run(1.0);
    const FleetModel& model = *run.model;
    const auto& net = city.network;
    std::size_t ground_legs = 0;
    std::size_t drone_legs = 0;
    for (std::uint32_t v = 0; v < model.vehicle_count(); ++v) {
        const VehicleType& type = city.spec.types[model.vehicles().type[v]];
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
        CHECK(metres == doctest::Approx(model.vehicles().metres[v]));
    }
    CHECK(ground_legs > 1000);
    CHECK(drone_legs >= 4);
    CHECK(result.kpi.delivered > 0);
}

TEST_CASE("fleet: positions are interpolated along the current edge or leg") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, *city.routers, serial);
    run.run(0.25);
    const FleetModel& model = *run.model;
    const FleetState& f = model.vehicles();
    std::size_t moving = 0;
    for (std::uint32_t v = 0; v < model.vehicle_count(); ++v) {
        if (f.moving[v] == 0) {
            const world::Point p = model.position_at(v, run.engine->now());
            const world::Point n = city.network.position(f.node[v]);
            CHECK(p.x == n.x);
            CHECK(p.y == n.y);
            continue;
        }
        ++moving;
        const world::Point a = city.network.position(f.node[v]);
        const world::Point b = city.network.position(f.leg_to[v]);
        const sim::Tick mid = (f.leg_start[v] + f.leg_end[v]) / 2;
        const world::Point p = model.position_at(v, mid);
        CHECK(p.x == doctest::Approx((a.x + b.x) / 2).epsilon(1e-3));
        CHECK(p.y == doctest::Approx((a.y + b.y) / 2).epsilon(1e-3));
        const world::Point start = model.position_at(v, f.leg_start[v]);
        CHECK(start.x == a.x);
        const world::Point end = model.position_at(v, f.leg_end[v] + 1000);
        CHECK(end.x == b.x);
    }
    CHECK(moving > 0);
}

TEST_CASE("fleet: orders are conserved and a broken book is caught") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, *city.routers, serial);
    const auto result = run.run(2.0);
    const auto& k = result.kpi;
    CHECK(k.created == k.delivered + k.failed + k.backlog);
    CHECK(k.created > 100);
    CHECK_NOTHROW(run.model->finish(*run.engine));
    // a depot that forgets an order
    run.model->depot_for_test(1).counters.created += 1;
    CHECK_THROWS_AS(run.model->finish(*run.engine), FleetModelError);
    run.model->depot_for_test(1).counters.created -= 1;
    // a delivered order counted as failed too
    run.model->depot_for_test(0).counters.failed_no_vehicle += 1;
    CHECK_THROWS_AS(run.model->finish(*run.engine), FleetModelError);
}

TEST_CASE("fleet: capacity and energy limits hold, vehicles charge, deliveries are on time") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, *city.routers, serial);
    const auto result = run.run(2.0);
    const FleetModel& model = *run.model;
    const FleetState& f = model.vehicles();
    std::uint64_t drone_deliveries = 0;
    for (std::uint32_t v = 0; v < model.vehicle_count(); ++v) {
        const VehicleType& type = city.spec.types[f.type[v]];
        CHECK(f.max_load[v] <= type.capacity);
        CHECK(f.energy_violations[v] == 0);
        CHECK(f.min_energy_kwh[v] >= 0.0);
        CHECK(f.energy_kwh[v] <= type.battery_kwh + 1e-12);
        if (type.kind == VehicleKind::kDrone) {
            drone_deliveries += f.delivered[v];
        }
    }
    std::uint64_t charges = 0;
    for (std::uint32_t d = 0; d < model.depot_count(); ++d) {
        charges += model.depot(d).chargers.stats().completed;
    }
    MESSAGE(result.kpi.to_string());
    CHECK(charges > 0);
    CHECK(drone_deliveries > 0);
    CHECK(result.kpi.energy_violations == 0);
    CHECK(result.kpi.max_load_over_capacity == 0);
    CHECK(result.kpi.delivered > 100);
    CHECK(result.kpi.on_time_rate > 0.5);
    CHECK(result.kpi.vehicle_km > 0.0);
    CHECK(result.kpi.energy_kwh > 0.0);
}

TEST_CASE("fleet: identical KPIs and event hash for any executor and thread count") {
    SmallCity city;
    sim::SerialExecutor serial;
    FleetRun reference(city.spec, *city.routers, serial, 1);
    const auto ref = reference.run(2.0);
    CHECK(ref.events > 10'000);
    {
        FleetRun r(city.spec, *city.routers, serial, 7);
        const auto x = r.run(2.0);
        CHECK(x.kpi.hash == ref.kpi.hash);
        CHECK(x.event_hash == ref.event_hash);
    }
    for (const std::size_t threads : {1u, 2u, 4u}) {
        CAPTURE(threads);
        sim::TbbExecutor tbb(threads);
        FleetRun r(city.spec, *city.routers, tbb);
        const auto x = r.run(2.0);
        CHECK(x.kpi.hash == ref.kpi.hash);
        CHECK(x.event_hash == ref.event_hash);
        CHECK(x.kpi.to_string() == ref.kpi.to_string());
    }
    // a different seed gives a different history
    FleetRun other(city.spec, *city.routers, serial, 1, 12);
    CHECK(other.run(2.0).event_hash != ref.event_hash);
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
    CHECK_FALSE(transition_allowed(S::kIdle, S::kDelivering));
    CHECK_FALSE(transition_allowed(S::kLoading, S::kIdle));
    CHECK_FALSE(transition_allowed(S::kBroken, S::kBroken));
    CHECK_FALSE(transition_allowed(S::kEnRoute, S::kLoading));
}

TEST_CASE("fleet: specs are validated") {
    SmallCity city;
    FleetSpec bad = city.spec;
    bad.allocation.max_plan = kMaxPlan + 1;
    CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
    bad = city.spec;
    bad.fleets.push_back({5, 1, 0});
    CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
    bad = city.spec;
    bad.allocation.bid_window_s = city.spec.lookahead_s;  // shorter than offer + bid
    CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
    CHECK_NOTHROW(city.spec.validate());
}
