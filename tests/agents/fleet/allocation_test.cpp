#include "agents/fleet/allocation.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "tests/agents/fleet/fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;

TEST_CASE("allocation: the lower bid wins, ties to the lower vehicle") {
    CHECK(cheaper(1.0, 5, 2.0, 1));
    CHECK(cheaper(1.0, 1, 1.0, 5));
    CHECK_FALSE(cheaper(1.0, 5, 1.0, 1));
}

TEST_CASE(
    "allocation: bids decline over capacity and full plans and while charging or low on energy") {
    agents::testing::SmallCity city;
    const FleetSpec& spec = city.spec;
    Plan plan;
    VehicleView me;
    me.type = &spec.types[0];
    me.position = spec.depots[0].node;
    me.home_node = spec.depots[0].node;
    me.energy_kwh = spec.types[0].battery_kwh;
    me.plan = &plan;
    OrderMsg order;
    order.depot = 0;
    order.customer = city.network.node_count() > 5 ? 5 : 0;
    order.size = 2;
    const auto cost = insertion_bid(spec, me, order, 0);
    REQUIRE(cost.has_value());
    CHECK(*cost > 0.0);
    // a busier vehicle bids higher
    plan.size = 1;
    plan.entries[0] = {0, 0, 0, order.customer, 1, kDemandService, 0, 0};
    const auto busier = insertion_bid(spec, me, order, 0);
    REQUIRE(busier.has_value());
    CHECK(*busier > *cost);
    plan.size = 0;
    // too big
    order.size = static_cast<std::uint16_t>(spec.types[0].capacity + 1);
    CHECK_FALSE(insertion_bid(spec, me, order, 0).has_value());
    order.size = 1;
    // charging
    me.state = VehicleState::kCharging;
    CHECK_FALSE(insertion_bid(spec, me, order, 0).has_value());
    me.state = VehicleState::kIdle;
    // nearly empty battery
    me.energy_kwh = 0.16 * spec.types[0].battery_kwh;
    CHECK_FALSE(insertion_bid(spec, me, order, 0).has_value());
    // full plan
    me.energy_kwh = spec.types[0].battery_kwh;
    plan.size = static_cast<std::uint8_t>(spec.allocation.max_plan);
    CHECK_FALSE(insertion_bid(spec, me, order, 0).has_value());
}

TEST_CASE("allocation: an order's own hand-over time delays the stops after it") {
    agents::testing::SmallCity city;
    const FleetSpec& spec = city.spec;
    Plan plan;
    VehicleView me;
    me.type = &spec.types[0];
    me.position = spec.depots[0].node;
    me.home_node = spec.depots[0].node;
    me.energy_kwh = spec.types[0].battery_kwh;
    me.plan = &plan;
    plan.size = 1;
    plan.entries[0] = {0, 0, 0, 5, 1, kDemandService, 0, 0};
    OrderMsg extra;
    extra.customer = 9;
    extra.size = 1;
    std::array<sim::Tick, kMaxPlan> handed{};
    const PlanEstimate base = estimate_plan(spec, me, &extra, 0, handed);
    const sim::Tick first = handed[0];
    // the planned order takes 10 minutes instead of the demand's 60 s: it and the next end later
    plan.entries[0].service_s = 600;
    const PlanEstimate longer = estimate_plan(spec, me, &extra, 0, handed);
    const sim::Tick more = spec.time.from_seconds(600.0 - spec.demand.customer_service_s);
    // (to a tick: the estimate adds seconds)
    const auto near = [](sim::Tick a, sim::Tick b) { return std::abs(a - b) <= 1; };
    CHECK(near(handed[0] - first, more));
    CHECK(near(longer.finish - base.finish, more));
    // and the extra order's own: its end, not the planned one's
    extra.service_s = 0;
    const PlanEstimate quick = estimate_plan(spec, me, &extra, 0, handed);
    CHECK(
        near(longer.finish - quick.finish, spec.time.from_seconds(spec.demand.customer_service_s)));
    CHECK(near(handed[0] - first, more));
    CHECK(service_seconds(spec, kDemandService) == spec.demand.customer_service_s);
    CHECK(service_seconds(spec, 42) == 42.0);
}

TEST_CASE("allocation: offers at a crowded depot reach every type that can carry the order") {
    agents::testing::SmallCity city;
    const FleetSpec& spec = city.spec;
    // 20 idle vans (type 0) and 3 idle drones (type 1), all at depot 0: they tie at distance 0
    const Point here = city.network.position(spec.depots[0].node);
    std::vector<FleetBoard::Entry> entries(23);
    for (std::size_t v = 0; v < entries.size(); ++v) {
        entries[v].position = here;
        entries[v].type = v < 20 ? 0 : 1;
    }
    FleetBoard board(city.network.bounds(), spec.allocation.board_cell_m, entries.size(),
                     city.network.node_count());
    // all waiting in the depot's rank since tick 0
    std::vector<std::uint32_t> spots(entries.size(), spec.depots[0].node);
    board.rebuild(entries, spots, 0);
    std::array<std::uint32_t, 64> out{};
    OrderMsg order;
    order.depot = 0;
    order.size = 1;
    std::vector<int> offered(entries.size(), 0);
    for (std::uint32_t o = 0; o < 200; ++o) {
        order.set_order(o);
        const std::size_t n = nearest_candidates(spec, board, 0, order, out);
        // K vehicles, and the nearest drone when none of them is one (a drone carries one unit)
        REQUIRE(n >= spec.allocation.max_offers);
        REQUIRE(n <= spec.allocation.max_offers + 1);
        int drones = 0;
        for (std::size_t i = 0; i < n; ++i) {
            ++offered[out[i]];
            drones += out[i] >= 20 ? 1 : 0;
        }
        CHECK(drones >= 1);
    }
    // a taxi rank: while nobody moves, the front of the rank is offered every order (the
    // lower index first among those that joined together), and the first drone in it
    for (std::size_t v = 0; v < entries.size(); ++v) {
        const bool front = v < spec.allocation.max_offers || v == 20;
        CHECK(offered[v] == (front ? 200 : 0));
    }
    // those that leave and come back wait at the back: the next ones are offered
    std::vector<std::uint32_t> away;
    std::vector<FleetBoard::Entry> rows;
    for (std::uint32_t v = 0; v < spec.allocation.max_offers; ++v) {
        away.push_back(v);
        rows.push_back(entries[v]);
        rows.back().position = city.network.position(spec.depots[1].node);
    }
    board.update(away, rows, nullptr, std::vector<std::uint32_t>(away.size(), FleetBoard::kNoSpot),
                 10);
    board.update(away, std::vector<FleetBoard::Entry>(entries.begin(), entries.begin() + 4),
                 nullptr, std::vector<std::uint32_t>(away.size(), spec.depots[0].node), 20);
    CHECK(board.waiting_since(0) == 20);
    CHECK(board.waiting_since(4) == 0);
    REQUIRE(nearest_candidates(spec, board, 0, order, out) >= spec.allocation.max_offers);
    for (std::uint32_t i = 0; i < spec.allocation.max_offers; ++i) {
        CHECK(out[i] == spec.allocation.max_offers + i);
    }
    // one that passed on an offer goes to the back too, without leaving
    board.update(std::vector<std::uint32_t>{4}, std::vector<FleetBoard::Entry>{entries[4]}, nullptr,
                 std::vector<std::uint32_t>{spec.depots[0].node | FleetBoard::kToBack}, 30);
    CHECK(board.waiting_since(4) == 30);
    CHECK(board.spot(4) == spec.depots[0].node);
    REQUIRE(nearest_candidates(spec, board, 0, order, out) >= spec.allocation.max_offers);
    for (std::uint32_t i = 0; i < spec.allocation.max_offers; ++i) {
        CHECK(out[i] == spec.allocation.max_offers + 1 + i);
    }
    // the same order draws the same vehicles (deterministic)
    order.set_order(7);
    std::array<std::uint32_t, 64> again{};
    const std::size_t n1 = nearest_candidates(spec, board, 0, order, out);
    const std::size_t n2 = nearest_candidates(spec, board, 0, order, again);
    CHECK(n1 == n2);
    CHECK(std::equal(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n1), again.begin()));

    // a 2-unit order is never offered to a 1-unit drone
    order.size = 2;
    for (std::uint32_t o = 0; o < 50; ++o) {
        order.set_order(o);
        const std::size_t n = nearest_candidates(spec, board, 0, order, out);
        CHECK(n == spec.allocation.max_offers);
        for (std::size_t i = 0; i < n; ++i) {
            CHECK(out[i] < 20);
        }
    }

    // vehicles already holding orders at the spot come first: their trip takes one more
    entries[13].plan_size = 1;
    entries[13].state = VehicleState::kLoading;
    board.rebuild(entries, spots, 0);  // 13 holds an order: it does not wait in the rank
    order.size = 1;
    for (std::uint32_t o = 0; o < 20; ++o) {
        order.set_order(o);
        REQUIRE(nearest_candidates(spec, board, 0, order, out) > 0);
        CHECK(out[0] == 13);
    }
}

TEST_CASE(
    "allocation: a shift bounds what a vehicle takes: nothing before its start, nothing it "
    "cannot finish and be home from by its end") {
    agents::testing::SmallCity city;
    FleetSpec spec = city.spec;
    Plan plan;
    VehicleView me;
    me.type = &spec.types[0];
    me.position = spec.depots[0].node;
    me.home_node = spec.depots[0].node;
    me.energy_kwh = spec.types[0].battery_kwh;
    me.plan = &plan;
    OrderMsg order;
    order.depot = 0;
    order.customer = city.network.node_count() > 5 ? 5 : 0;
    order.size = 1;
    const sim::Tick now = spec.time.from_seconds(100.0);
    PlanEstimate est;
    REQUIRE(feasible(spec, me, order, now, &est));
    CHECK(est.home >= est.finish);  // the way home comes after the last hand-over
    // no shifts in the spec: unbounded
    set_shift(me, spec, 0);
    CHECK(me.shift_start == 0);
    CHECK(me.shift_end == sim::kTickNever);
    spec.shifts.assign(spec.vehicle_count(), VehicleShift{});
    spec.shifts[0] = {200.0, VehicleShift::kNoEnd};
    set_shift(me, spec, 0);
    CHECK_FALSE(feasible(spec, me, order, now));                      // not yet on duty
    CHECK(feasible(spec, me, order, spec.time.from_seconds(200.0)));  // on duty
    // an end just before the estimated return home refuses, at it accepts
    spec.shifts[0] = {0.0, spec.time.to_seconds(est.home) - 1.0};
    set_shift(me, spec, 0);
    CHECK_FALSE(feasible(spec, me, order, now));
    CHECK_FALSE(insertion_bid(spec, me, order, now).has_value());
    spec.shifts[0] = {0.0, spec.time.to_seconds(est.home)};
    set_shift(me, spec, 0);
    CHECK(feasible(spec, me, order, now));
}

TEST_CASE("allocation: an order with a pick-up location is fetched there, not at the depot") {
    agents::testing::SmallCity city;
    FleetSpec& spec = city.spec;
    const auto nodes = static_cast<NodeId>(city.network.node_count());
    // one table row: picked up at node P (opening at 900 s, 2 minutes to load), delivered
    // at the depot's own node
    ReplayOrder row;
    row.depot = 0;
    row.customer = spec.depots[0].node;
    row.pickup = nodes - 1 == row.customer ? 0 : nodes - 1;
    row.latest_s = 3600.0;
    row.pickup_earliest_s = 900.0;
    row.pickup_service_s = 120;
    spec.replay.orders = {row};
    spec.replay.first.assign(spec.depots.size() + 1, 1);
    spec.replay.first[0] = 0;
    OrderMsg m;
    m.depot = 0;
    m.size = 1;
    m.set_priority(7);
    m.set_row(0);
    CHECK(m.has_row());
    CHECK(m.priority() == 7);
    CHECK(customer_node(spec, m) == row.customer);
    CHECK(load_node(spec, m) == row.pickup);
    const PlanEntry e = PlanEntry::of(m);
    CHECK(e.has_row());
    CHECK(customer_node(spec, e) == row.customer);
    CHECK(load_node(spec, e) == row.pickup);
    // orders without a row: the depot and the customer as given
    OrderMsg plain;
    plain.depot = 0;
    plain.customer = 5;
    CHECK(!plain.has_row());
    CHECK(customer_node(spec, plain) == 5);
    CHECK(load_node(spec, plain) == spec.depots[0].node);

    Plan plan;
    VehicleView me;
    me.type = &spec.types[0];
    me.position = spec.depots[0].node;
    me.home_node = spec.depots[0].node;
    me.energy_kwh = spec.types[0].battery_kwh;
    me.plan = &plan;
    // there and back from the depot: waits for the opening, loads, delivers at the depot
    const PlanEstimate est = estimate_plan(spec, me, &m, 0);
    const Point a = city.network.position(spec.depots[0].node);
    const Point b = city.network.position(row.pickup);
    const double leg_s = std::hypot(a.x - b.x, a.y - b.y) * spec.allocation.detour_factor /
                         (city.network.max_speed_mps() * spec.types[0].speed_factor);
    const double expected = std::max(leg_s, 900.0) + 120.0 + leg_s + spec.demand.customer_service_s;
    CHECK(spec.time.to_seconds(est.finish) == doctest::Approx(expected).epsilon(1e-9));
    CHECK(est.end == row.customer);
}
