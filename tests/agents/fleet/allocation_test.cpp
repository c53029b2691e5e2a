#include "agents/fleet/allocation.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include "tests/agents/fleet/fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;

TEST_CASE("allocation: policies by name") {
    CHECK(make_allocation_policy("nearest_bid")->name() == "nearest_bid");
    CHECK(make_allocation_policy("insertion")->name() == "nearest_bid");
    CHECK_THROWS_AS(make_allocation_policy("cbba-not-yet"), std::invalid_argument);
    const auto p = make_nearest_bid_policy();
    CHECK(p->better(1.0, 5, 2.0, 1));
    CHECK(p->better(1.0, 1, 1.0, 5));
    CHECK_FALSE(p->better(1.0, 5, 1.0, 1));
}

TEST_CASE(
    "allocation: bids decline over capacity and full plans and while charging or low on energy") {
    agents::testing::SmallCity city;
    const FleetSpec& spec = city.spec;
    const auto policy = make_nearest_bid_policy();
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
    const auto cost = policy->bid(spec, me, order, 0);
    REQUIRE(cost.has_value());
    CHECK(*cost > 0.0);
    // a busier vehicle bids higher
    plan.size = 1;
    plan.entries[0] = {0, 0, order.customer, 1, 0, 0};
    const auto busier = policy->bid(spec, me, order, 0);
    REQUIRE(busier.has_value());
    CHECK(*busier > *cost);
    plan.size = 0;
    // too big
    order.size = static_cast<std::uint16_t>(spec.types[0].capacity + 1);
    CHECK_FALSE(policy->bid(spec, me, order, 0).has_value());
    order.size = 1;
    // charging
    me.state = VehicleState::kCharging;
    CHECK_FALSE(policy->bid(spec, me, order, 0).has_value());
    me.state = VehicleState::kIdle;
    // nearly empty battery
    me.energy_kwh = 0.16 * spec.types[0].battery_kwh;
    CHECK_FALSE(policy->bid(spec, me, order, 0).has_value());
    // full plan
    me.energy_kwh = spec.types[0].battery_kwh;
    plan.size = static_cast<std::uint8_t>(spec.allocation.max_plan);
    CHECK_FALSE(policy->bid(spec, me, order, 0).has_value());
}
