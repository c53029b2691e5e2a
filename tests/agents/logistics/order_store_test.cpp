#include "agents/logistics/order_store.hpp"

#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "agents/logistics/chunked_vector.hpp"
#include "sim/random.hpp"

using namespace swarm::agents;
using swarm::sim::kTickNever;

namespace {

constexpr Tick kStoreSecond = 1'000'000;

// a delivered order as a day's fleet makes them: it packs
Order delivered(std::uint32_t depot, std::uint32_t index) {
    Order o;
    o.id = {depot, index};
    o.depot = depot;
    o.customer_node = 1234;
    o.vehicle = 77;
    o.ref = kNoRef;
    o.state = OrderState::kDelivered;
    o.size = 1.0;
    o.created = 3600 * kStoreSecond + index;
    o.ready = o.created;
    o.due = o.created + 2 * 3600 * kStoreSecond;  // beyond 32 bits of microseconds
    o.service_time = 60 * kStoreSecond;
    o.first_assigned_at = o.created + 5 * kStoreSecond;
    o.assigned_at = o.first_assigned_at;
    o.picked_up_at = o.created + 300 * kStoreSecond;
    o.delivered_at = o.created + 900 * kStoreSecond;
    o.delivered_size = 1.0;
    return o;
}

void check_same(const Order& a, const Order& b) {
    CHECK(a.id == b.id);
    CHECK(a.depot == b.depot);
    CHECK(a.customer_node == b.customer_node);
    CHECK(a.vehicle == b.vehicle);
    CHECK(a.reassignments == b.reassignments);
    CHECK(a.ref == b.ref);
    CHECK(a.state == b.state);
    CHECK(a.reason == b.reason);
    CHECK(std::bit_cast<std::uint64_t>(a.size) == std::bit_cast<std::uint64_t>(b.size));
    CHECK(a.created == b.created);
    CHECK(a.ready == b.ready);
    CHECK(a.due == b.due);
    CHECK(a.service_time == b.service_time);
    CHECK(a.first_assigned_at == b.first_assigned_at);
    CHECK(a.assigned_at == b.assigned_at);
    CHECK(a.orphaned_at == b.orphaned_at);
    CHECK(a.picked_up_at == b.picked_up_at);
    CHECK(a.delivered_at == b.delivered_at);
    CHECK(a.failed_at == b.failed_at);
    CHECK(std::bit_cast<std::uint64_t>(a.delivered_size) ==
          std::bit_cast<std::uint64_t>(b.delivered_size));
}

}  // namespace

TEST_CASE("ChunkedVector grows by chunks, keeps elements in place and copies deeply") {
    ChunkedVector<std::uint32_t, 2> v;  // chunks of 4
    CHECK(v.empty());
    const std::uint32_t* first = &v.push_back(7);
    for (std::uint32_t i = 1; i < 10; ++i) {
        v.push_back(i);
    }
    CHECK(v.size() == 10);
    CHECK(first == &v[0]);  // never moved
    CHECK(v[9] == 9);
    CHECK(v.memory_bytes() >= 3 * 4 * sizeof(std::uint32_t));
    CHECK(v.memory_bytes() < 4 * 4 * sizeof(std::uint32_t) + 64);
    CHECK_THROWS_AS((void)v.at(10), std::out_of_range);
    ChunkedVector<std::uint32_t, 2> copy = v;
    copy[0] = 1;
    CHECK(v[0] == 7);
    CHECK(copy.to_vector().size() == 10);
    v.grow_to(13);
    CHECK(v.size() == 13);
    CHECK(v[12] == 0);
    v.assign(3, 5);
    CHECK(v.to_vector() == std::vector<std::uint32_t>{5, 5, 5});
}

TEST_CASE("OrderStore packs a finished order to 64 B and reads it back exactly") {
    OrderStore store(3);
    Order o = delivered(3, 0);
    store.push_back(o);
    CHECK(store.aside() == 0);
    check_same(store.get(0), o);

    // a failed one, a fresh one, one never assigned, times before creation
    Order failed = delivered(3, 1);
    failed.state = OrderState::kFailed;
    failed.reason = FailReason::kExpired;
    failed.failed_at = failed.delivered_at;
    failed.delivered_at = kTickNever;
    failed.delivered_size = 0.0;
    failed.ready = failed.created - 10;
    store.push_back(failed);
    Order fresh = delivered(3, 2);
    fresh.state = OrderState::kCreated;
    fresh.vehicle = kUnassignedVehicle;
    fresh.first_assigned_at = fresh.assigned_at = fresh.picked_up_at = fresh.delivered_at =
        kTickNever;
    fresh.delivered_size = 0.0;
    store.push_back(fresh);
    CHECK(store.aside() == 0);
    check_same(store.get(1), failed);
    check_same(store.get(2), fresh);
    CHECK(store.state(1) == OrderState::kFailed);
    // one chunk of 32 packed records (and the table of chunks)
    CHECK(store.memory_bytes() >= 32 * sizeof(PackedOrder));
    CHECK(store.memory_bytes() < 33 * sizeof(PackedOrder));
    CHECK(sizeof(PackedOrder) * 2 == sizeof(Order));
}

TEST_CASE("OrderStore keeps a record aside when it does not pack, and takes it back") {
    OrderStore store(0);
    std::vector<Order> want;
    // reassigned, a part delivery, a due date past 2^39 ticks, a negative zero, both ends set
    Order reassigned = delivered(0, 0);
    reassigned.reassignments = 1;
    reassigned.orphaned_at = reassigned.first_assigned_at + 1;
    reassigned.assigned_at = reassigned.orphaned_at + 1;
    want.push_back(reassigned);
    Order part = delivered(0, 1);
    part.delivered_size = 0.5;
    want.push_back(part);
    Order far = delivered(0, 2);
    far.due = far.created + (Tick{1} << 40);
    want.push_back(far);
    Order neg = delivered(0, 3);
    neg.state = OrderState::kFailed;
    neg.reason = FailReason::kCancelled;
    neg.failed_at = neg.delivered_at;
    neg.delivered_at = kTickNever;
    neg.delivered_size = -0.0;
    want.push_back(neg);
    Order both = delivered(0, 4);
    both.failed_at = both.delivered_at;
    want.push_back(both);
    for (const Order& o : want) {
        store.push_back(o);
    }
    CHECK(store.aside() == want.size());
    for (std::uint32_t i = 0; i < want.size(); ++i) {
        check_same(store.get(i), want[i]);
    }
    // rewritten so that it packs: leaves the overflow
    store.set(1, delivered(0, 1));
    CHECK(store.aside() == want.size() - 1);
    check_same(store.get(1), delivered(0, 1));
    // an order written to another slot is a bug
    CHECK_THROWS_AS(store.set(2, delivered(0, 3)), std::logic_error);
}

TEST_CASE("OrderStore round-trips random records") {
    swarm::sim::RandomStream rng(7, 0);
    OrderStore store(5);
    std::vector<Order> want;
    for (std::uint32_t i = 0; i < 500; ++i) {
        Order o = delivered(5, i);
        const auto pick = [&](std::uint64_t n) { return rng.next_u64() % n; };
        o.created = static_cast<Tick>(pick(Tick{1} << 45));
        const auto time = [&]() -> Tick {
            return pick(5) == 0
                       ? kTickNever
                       : o.created + static_cast<Tick>(pick(Tick{1} << 41)) - (Tick{1} << 40);
        };
        o.ready = time();
        o.due = time();
        o.first_assigned_at = time();
        o.assigned_at = pick(2) == 0 ? o.first_assigned_at : time();
        o.picked_up_at = time();
        o.delivered_at = time();
        o.failed_at = pick(2) == 0 ? kTickNever : time();
        o.state = static_cast<OrderState>(pick(kOrderStateCount));
        o.size = static_cast<double>(pick(8)) / 2.0;
        o.delivered_size = pick(2) == 0 ? o.size : 0.0;
        o.reassignments = pick(4) == 0 ? 1 : 0;
        store.push_back(o);
        want.push_back(o);
    }
    CHECK(store.aside() > 0);
    CHECK(store.aside() < want.size());
    for (std::uint32_t i = 0; i < want.size(); ++i) {
        check_same(store.get(i), want[i]);
    }
}
