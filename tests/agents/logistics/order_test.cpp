#include "agents/logistics/order.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace swarm::agents;

TEST_CASE("order ids pack depot high and sequence low and print as depot:index") {
    const OrderId id{3, 17};
    CHECK(id.packed() == ((std::uint64_t{3} << 32) | 17u));
    CHECK(OrderId::unpack(id.packed()) == id);
    CHECK(to_string(id) == "3:17");
    // packed ids sort like (depot, index)
    CHECK(OrderId{1, 0xFFFF'FFFFu} < OrderId{2, 0});
    CHECK(OrderId{1, 0xFFFF'FFFFu}.packed() < OrderId{2, 0}.packed());
}

TEST_CASE("every state and fail reason has a distinct name") {
    std::set<std::string> names;
    for (std::size_t s = 0; s < kOrderStateCount; ++s) {
        names.emplace(to_string(static_cast<OrderState>(s)));
    }
    CHECK(names.size() == kOrderStateCount);
    CHECK(to_string(OrderState::kPickedUp) == "picked_up");
    std::set<std::string> reasons;
    for (std::size_t r = 0; r < kFailReasonCount; ++r) {
        reasons.emplace(to_string(static_cast<FailReason>(r)));
    }
    CHECK(reasons.size() == kFailReasonCount);
    CHECK(reasons.count("unknown") == 0);
    CHECK(to_string(FailReason::kNoVehicle) == "no_vehicle");
    CHECK(is_terminal(OrderState::kDelivered));
    CHECK(is_terminal(OrderState::kFailed));
    CHECK_FALSE(is_terminal(OrderState::kPickedUp));
}

TEST_CASE("an order's on-time and in-full flags and lateness follow its delivery") {
    Order o;
    o.size = 2.0;
    o.due = 100;
    CHECK(o.open());
    CHECK_FALSE(o.on_time());
    CHECK(o.lateness() == 0);
    o.state = OrderState::kDelivered;
    o.delivered_at = 100;
    o.delivered_size = 2.0;
    CHECK(o.on_time());
    CHECK(o.in_full());
    CHECK(o.lateness() == 0);
    o.delivered_at = 130;
    o.delivered_size = 1.0;
    CHECK_FALSE(o.on_time());
    CHECK_FALSE(o.in_full());
    CHECK(o.lateness() == 30);
}
