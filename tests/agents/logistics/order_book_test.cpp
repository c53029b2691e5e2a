#include "agents/logistics/order_book.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "sim/random.hpp"

using namespace swarm::agents;
using swarm::sim::kTickNever;

namespace {

constexpr Tick kHour = 3'600'000'000;

Order spec(Tick created, Tick due, double size = 1.0) {
    Order o;
    o.customer_node = 42;
    o.size = size;
    o.created = created;
    o.ready = created;
    o.due = due;
    o.service_time = 60'000'000;
    return o;
}

std::string error_of(auto&& f) {
    try {
        f();
    } catch (const OrderTransitionError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("create numbers orders per depot and resets lifecycle fields") {
    OrderBook book(3, kHour);
    Order s = spec(10, 1000);
    s.state = OrderState::kDelivered;  // ignored
    s.vehicle = 9;
    const OrderId a = book.create(s);
    const OrderId b = book.create(spec(20, 2000));
    CHECK(a == OrderId{3, 0});
    CHECK(b == OrderId{3, 1});
    const Order& o = book.order(a);
    CHECK(o.depot == 3);
    CHECK(o.state == OrderState::kCreated);
    CHECK(o.vehicle == kUnassignedVehicle);
    CHECK(o.customer_node == 42);
    CHECK(o.due == 1000);
    CHECK(o.assigned_at == kTickNever);
    CHECK(book.count(OrderState::kCreated) == 2);
    CHECK(book.open() == 2);
    CHECK(book.counters().created == 2);
    CHECK_THROWS_AS(book.create(spec(50, 40)), std::invalid_argument);
    CHECK_THROWS_AS(book.create(spec(0, 40, -1.0)), std::invalid_argument);
}

TEST_CASE("the legal lifecycle records timestamps and moves the counts") {
    OrderBook book(0, kHour);
    const OrderId id = book.create(spec(0, 1000));
    book.assign(id, 7, 10);
    CHECK(book.order(id).state == OrderState::kAssigned);
    CHECK(book.order(id).vehicle == 7);
    CHECK(book.order(id).first_assigned_at == 10);
    book.pick_up(id, 20);
    CHECK(book.count(OrderState::kPickedUp) == 1);
    book.deliver(id, 900);
    const Order& o = book.order(id);
    CHECK(o.state == OrderState::kDelivered);
    CHECK(o.picked_up_at == 20);
    CHECK(o.delivered_at == 900);
    CHECK(o.on_time());
    CHECK(o.in_full());
    CHECK(book.count(OrderState::kDelivered) == 1);
    CHECK(book.open() == 0);
    CHECK(book.counters().delivered_on_time_in_full == 1);
    const ConservationReport r = book.check_conservation();
    CHECK(r.ok());
    CHECK(r.message() ==
          "depot 0: conservation holds: created 1 = delivered 1 + failed 0 + open 0");
}

TEST_CASE("orders can fail from every open state with a reason") {
    OrderBook book(1, kHour);
    const OrderId a = book.create(spec(0, 100));
    const OrderId b = book.create(spec(0, 100));
    const OrderId c = book.create(spec(0, 100));
    book.assign(b, 1, 1);
    book.assign(c, 2, 1);
    book.pick_up(c, 2);
    book.fail(a, FailReason::kNoVehicle, 5);
    book.fail(b, FailReason::kDepotClosed, 5);
    book.fail(c, FailReason::kVehicleLost, 5);
    CHECK(book.count(OrderState::kFailed) == 3);
    CHECK(book.order(c).reason == FailReason::kVehicleLost);
    CHECK(book.counters().failed() == 3);
    CHECK(book.counters().failed_by_reason[static_cast<std::size_t>(FailReason::kDepotClosed)] ==
          1);
    CHECK(book.check_conservation().ok());
}

TEST_CASE("illegal transitions throw with the order id and both states") {
    OrderBook book(3, kHour);
    const OrderId id = book.create(spec(0, 100));
    CHECK(error_of([&] { book.deliver(id, 1); }) ==
          "order 3:0: illegal transition created -> delivered");
    CHECK(error_of([&] { book.pick_up(id, 1); }) ==
          "order 3:0: illegal transition created -> picked_up");
    CHECK(error_of([&] { book.unassign(id, 1); }) ==
          "order 3:0: illegal transition created -> created");
    book.assign(id, 4, 2);
    CHECK(error_of([&] { book.assign(id, 5, 3); }) ==
          "order 3:0: illegal transition assigned -> assigned");
    book.pick_up(id, 3);
    CHECK(error_of([&] { book.unassign(id, 4); }) ==
          "order 3:0: illegal transition picked_up -> created");
    book.deliver(id, 5);
    CHECK(error_of([&] { book.assign(id, 5, 6); }) ==
          "order 3:0: illegal transition delivered -> assigned");
    CHECK(error_of([&] { book.fail(id, FailReason::kExpired, 6); }) ==
          "order 3:0: illegal transition delivered -> failed");

    const OrderId f = book.create(spec(10, 100));
    book.fail(f, FailReason::kCancelled, 11);
    CHECK(error_of([&] { book.fail(f, FailReason::kExpired, 12); }) ==
          "order 3:1: illegal transition failed -> failed");

    // other bugs the book refuses
    const OrderId g = book.create(spec(10, 100));
    CHECK(error_of([&] {
              book.assign(OrderId{2, 0}, 1, 20);
          }) == "order 2:0: unknown to the book of depot 3 (3 orders)");
    CHECK(error_of([&] {
              book.pick_up(OrderId{3, 9}, 20);
          }) == "order 3:9: unknown to the book of depot 3 (3 orders)");
    CHECK(error_of([&] { book.assign(g, kUnassignedVehicle, 20); }) ==
          "order 3:2: assigned to no vehicle");
    CHECK(error_of([&] { book.fail(g, FailReason::kNone, 20); }) ==
          "order 3:2: failed without a reason");
    book.assign(g, 1, 20);
    CHECK(error_of([&] { book.pick_up(g, 19); }) ==
          "order 3:2: assigned -> picked_up at 19, before its last transition at 20");
    // refused transitions change nothing
    CHECK(book.order(g).state == OrderState::kAssigned);
    CHECK(book.check_conservation().ok());
}

TEST_CASE("an orphaned order goes back to created and its re-assignment is timed") {
    OrderBook book(0, kHour);
    const OrderId id = book.create(spec(0, 10'000));
    book.assign(id, 1, 100);
    book.unassign(id, 400);  // vehicle 1 broke down
    const Order& o = book.order(id);
    CHECK(o.state == OrderState::kCreated);
    CHECK(o.vehicle == kUnassignedVehicle);
    CHECK(o.orphaned_at == 400);
    CHECK(o.reassignments == 1);
    CHECK(book.counters().orphaned == 1);
    CHECK(book.counters().reassigned == 0);
    CHECK(book.check_conservation().ok());

    book.assign(id, 2, 1000);
    CHECK(book.counters().reassigned == 1);
    CHECK(book.counters().reassign_time == 600);
    book.unassign(id, 1100);
    book.assign(id, 3, 1300);
    CHECK(book.order(id).reassignments == 2);
    CHECK(book.order(id).first_assigned_at == 100);
    CHECK(book.order(id).assigned_at == 1300);
    CHECK(book.counters().reassign_time == 800);
    CHECK(book.counters().reassign_time_max == 600);
    CHECK(book.counters().assignments == 3);
    book.pick_up(id, 1400);
    book.deliver(id, 2000);
    CHECK(book.check_conservation().ok());
}

TEST_CASE("conservation holds through random legal transition sequences") {
    // property test: random legal moves, including orphaning, checked against shadow counts
    swarm::sim::RandomStream rng(20240611, 7);
    OrderBook book(5, kHour / 4);
    std::array<std::uint64_t, kOrderStateCount> shadow{};
    std::vector<OrderId> ids;
    Tick now = 0;
    for (int step = 0; step < 20'000; ++step) {
        now += static_cast<Tick>(rng.below(120'000'000));
        if (ids.empty() || rng.bernoulli(0.15)) {
            ids.push_back(book.create(spec(now, now + static_cast<Tick>(rng.below(2 * kHour)))));
            ++shadow[0];
            continue;
        }
        const OrderId id = ids[rng.below(ids.size())];
        const OrderState s = book.order(id).state;
        const auto moved = [&](OrderState to) {
            --shadow[static_cast<std::size_t>(s)];
            ++shadow[static_cast<std::size_t>(to)];
        };
        const double u = rng.uniform();
        const auto reason = static_cast<FailReason>(1 + rng.below(kFailReasonCount - 1));
        switch (s) {
            case OrderState::kCreated:
                if (u < 0.9) {
                    book.assign(id, static_cast<std::uint32_t>(rng.below(50)), now);
                    moved(OrderState::kAssigned);
                } else {
                    book.fail(id, reason, now);
                    moved(OrderState::kFailed);
                }
                break;
            case OrderState::kAssigned:
                if (u < 0.7) {
                    book.pick_up(id, now);
                    moved(OrderState::kPickedUp);
                } else if (u < 0.95) {
                    book.unassign(id, now);
                    moved(OrderState::kCreated);
                } else {
                    book.fail(id, reason, now);
                    moved(OrderState::kFailed);
                }
                break;
            case OrderState::kPickedUp:
                if (u < 0.95) {
                    if (rng.bernoulli(0.1)) {
                        book.deliver(id, now, book.order(id).size / 2);
                    } else {
                        book.deliver(id, now);
                    }
                    moved(OrderState::kDelivered);
                } else {
                    book.fail(id, reason, now);
                    moved(OrderState::kFailed);
                }
                break;
            default:
                // terminal: every further transition is refused and changes nothing
                CHECK_THROWS_AS(book.assign(id, 1, now), OrderTransitionError);
                break;
        }
        if (step % 1000 == 0) {
            REQUIRE(book.check_conservation().ok());
        }
    }
    const ConservationReport r = book.check_conservation();
    INFO(r.message());
    CHECK(r.ok());
    CHECK(r.created == ids.size());
    CHECK(r.by_state == shadow);
    CHECK(r.created == r.delivered() + r.failed() + r.open());
    CHECK(book.counters().orphaned > 100);
    CHECK(book.counters().reassigned > 100);
    CHECK(book.counters().delivered_short > 0);
    // the KPI counters and the series agree with the book
    const DepotCounters& c = book.counters();
    CHECK(c.delivered() == r.delivered());
    CHECK(c.failed() == r.failed());
    CHECK(c.late_samples.size() == c.delivered_late);
    const KpiSeries& series = book.series();
    CHECK(series.backlog_at(series.size()) == r.open());
}

TEST_CASE("a conservation report built from broken counts fails and says why") {
    const ConservationReport good = ConservationReport::from_counts(2, 10, {3, 1, 1, 4, 1});
    CHECK(good.ok());
    CHECK(good.open() == 5);
    const ConservationReport bad = ConservationReport::from_counts(2, 10, {3, 1, 1, 4, 0});
    CHECK_FALSE(bad.ok());
    CHECK(bad.message() ==
          "depot 2: order conservation violated\n"
          "  created 10 != delivered 4 + failed 0 + open 5");
}
