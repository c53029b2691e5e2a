// FleetModel replayed orders (fleet_model_replay.cpp, FleetSpec::replay): each order appears at
// its depot at its release time with its own window, beside the drawn demand or alone; an
// order released while its depot is closed goes to the nearest open depot; the same result
// for any thread count.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "agents/fleet/fleet_run.hpp"
#include "sim/executor.hpp"
#include "tests/agents/fleet/fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;
using agents::testing::run_for;
using agents::testing::run_options;
using agents::testing::SmallCity;

namespace {

// n orders per depot, released every `gap_s` from `first_s`, with a 20-minute window opening
// 10 minutes after release; with `own_service`, every other order has a hand-over time of its
// own (5 to 15 minutes), the rest the demand's
OrderReplay replay_list(const SmallCity& city, std::uint32_t n, double first_s, double gap_s,
                        bool own_service = false) {
    OrderReplay r;
    r.first.push_back(0);
    for (std::uint32_t d = 0; d < city.spec.depot_count(); ++d) {
        for (std::uint32_t i = 0; i < n; ++i) {
            ReplayOrder o;
            o.depot = d;
            o.customer = static_cast<NodeId>((d * 97 + i * 31) % city.network.node_count());
            o.size = 1 + i % 3;
            o.release_s = first_s + gap_s * i;
            o.earliest_s = o.release_s + 600.0;
            o.latest_s = o.earliest_s + 1200.0;
            o.priority = static_cast<std::uint8_t>(i);
            if (own_service && i % 2 == 1) {
                o.service_s = static_cast<std::uint16_t>(300 + 60 * (i % 11));
            }
            r.orders.push_back(o);
        }
        r.first.push_back(static_cast<std::uint32_t>(r.orders.size()));
    }
    return r;
}

}  // namespace

TEST_CASE("replay: orders appear at their release times with their own windows") {
    SmallCity city;
    for (DepotSpec& d : city.spec.depots) {
        d.demand_per_hour = 0.0;  // the replay alone
    }
    city.spec.replay = replay_list(city, 12, 30.0, 240.0);
    city.spec.validate();
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    const auto result = run_for(run, 2.0);
    CHECK(result.kpi.created == 36);
    const auto t = [&](double s) { return city.spec.time.from_seconds(s); };
    std::vector<int> seen(city.spec.replay.orders.size(), 0);
    for (std::uint32_t d = 0; d < city.spec.depot_count(); ++d) {
        for (const Order& o : run.model().depot(d).book.orders()) {
            REQUIRE(o.ref < seen.size());
            ++seen[o.ref];
            const ReplayOrder& r = city.spec.replay.orders[o.ref];
            CHECK(r.depot == d);
            CHECK(o.created == t(r.release_s));
            CHECK(o.ready == t(r.earliest_s));
            CHECK(o.due == t(r.latest_s));
            CHECK(o.customer_node == r.customer);
            CHECK(o.size == r.size);
            if (o.state == OrderState::kDelivered) {
                CHECK(o.delivered_at >= o.ready + o.service_time);  // waited for the window
            }
        }
    }
    CHECK(std::count(seen.begin(), seen.end(), 1) == static_cast<long>(seen.size()));
}

TEST_CASE("replay: mixed with the drawn demand, the same for any thread count") {
    SmallCity city;
    city.spec.replay = replay_list(city, 8, 0.0, 300.0);
    sim::SerialExecutor serial;
    FleetRun reference(city.spec, run_options(city.spec, *city.routers, serial));
    const auto ref = run_for(reference, 1.0);
    std::size_t replayed = 0;
    for (std::uint32_t d = 0; d < city.spec.depot_count(); ++d) {
        for (const Order& o : reference.model().depot(d).book.orders()) {
            replayed += o.ref != kNoRef ? 1 : 0;
        }
    }
    CHECK(replayed == 24);
    CHECK(ref.kpi.created > 24);  // drawn orders too
    for (const std::size_t threads : {2u, 4u}) {
        CAPTURE(threads);
        sim::TbbExecutor tbb(threads);
        FleetRun r(city.spec, run_options(city.spec, *city.routers, tbb));
        const auto other = run_for(r, 1.0);
        CHECK(other.kpi_hash == ref.kpi_hash);
        CHECK(other.event_hash == ref.event_hash);
    }
}

TEST_CASE("replay: an order released at a closed depot is served from the nearest open one") {
    SmallCity city;
    for (DepotSpec& d : city.spec.depots) {
        d.demand_per_hour = 0.0;
    }
    city.spec.replay = replay_list(city, 6, 600.0, 60.0);
    DisruptionSpec fire;
    fire.id = "fire";
    fire.action.kind = DisruptionKind::kDepotDown;
    fire.action.depot = 0;
    fire.at_s = 300.0;
    city.spec.disruptions.push_back(fire);
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    (void)run_for(run, 1.0);
    CHECK(run.model().depot(0).book.size() == 0);
    CHECK(run.model().depot(0).forwarded_out == 6);
    // depot 0's six arrive as forwarded orders at an open depot, still the table's (their
    // ids, hand-over times and priorities go with them)
    std::size_t forwarded = 0;
    std::vector<int> seen(6, 0);
    for (std::uint32_t d = 1; d < city.spec.depot_count(); ++d) {
        forwarded += run.model().depot(d).forwarded_in;
        for (const Order& o : run.model().depot(d).book.orders()) {
            if (o.ref < 6) {
                ++seen[o.ref];
            }
        }
    }
    CHECK(forwarded == 6);
    CHECK(std::count(seen.begin(), seen.end(), 1) == 6);
}

TEST_CASE("replay: each order's own hand-over time is spent at its customer, any thread count") {
    SmallCity city;
    for (DepotSpec& d : city.spec.depots) {
        d.demand_per_hour = 0.0;
    }
    city.spec.replay = replay_list(city, 12, 30.0, 240.0, true);
    city.spec.validate();
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    run.model().enable_leg_log(true);
    const auto ref = run_for(run, 2.0);
    std::size_t own = 0;
    std::size_t checked = 0;
    for (std::uint32_t d = 0; d < city.spec.depot_count(); ++d) {
        for (const Order& o : run.model().depot(d).book.orders()) {
            const ReplayOrder& r = city.spec.replay.orders[o.ref];
            const double service_s = r.service_s == kDemandService
                                         ? city.spec.demand.customer_service_s
                                         : static_cast<double>(r.service_s);
            CHECK(o.service_time == city.spec.time.from_seconds(service_s));
            if (o.state != OrderState::kDelivered) {
                continue;
            }
            own += r.service_s != kDemandService ? 1 : 0;
            // handed over exactly its hand-over time after the vehicle reached the customer
            // (or after the window opened, when it came early)
            sim::Tick reached = -1;
            for (const LegRecord& leg : run.model().leg_log(o.vehicle)) {
                if (leg.to == o.customer_node && leg.end <= o.delivered_at) {
                    reached = std::max(reached, leg.end);
                }
            }
            if (reached < 0) {
                continue;  // loaded where the customer is: no leg to it
            }
            ++checked;
            CHECK(o.delivered_at == std::max(reached, o.ready) + o.service_time);
        }
    }
    CHECK(own > 5);
    CHECK(checked > 20);
    for (const std::size_t threads : {2u, 3u}) {
        CAPTURE(threads);
        sim::TbbExecutor tbb(threads);
        FleetRun r(city.spec, run_options(city.spec, *city.routers, tbb));
        const auto other = run_for(r, 2.0);
        CHECK(other.kpi_hash == ref.kpi_hash);
        CHECK(other.event_hash == ref.event_hash);
    }
}

TEST_CASE("replay: under scarce capacity higher priorities are served first, every policy") {
    // one van per depot for 24 orders each over 24 minutes: about half can be delivered in
    // their 20-minute windows; every other order has priority 1, the rest 0
    SmallCity city;
    for (DepotSpec& d : city.spec.depots) {
        d.demand_per_hour = 0.0;
    }
    city.spec.fleets.clear();
    for (std::uint32_t d = 0; d < city.spec.depot_count(); ++d) {
        city.spec.fleets.push_back({0, 1, d, "vans"});
    }
    OrderReplay r;
    r.first.push_back(0);
    for (std::uint32_t d = 0; d < city.spec.depot_count(); ++d) {
        for (std::uint32_t i = 0; i < 24; ++i) {
            ReplayOrder o;
            o.depot = d;
            o.customer = static_cast<NodeId>((d * 97 + i * 31) % city.network.node_count());
            o.release_s = 30.0 + 60.0 * i;
            o.earliest_s = o.release_s;
            o.latest_s = o.release_s + 1200.0;
            o.priority = static_cast<std::uint8_t>(i % 2);
            r.orders.push_back(o);
        }
        r.first.push_back(static_cast<std::uint32_t>(r.orders.size()));
    }
    for (const char* policy : {"auction", "cbba", "cloud"}) {
        CAPTURE(policy);
        city.spec.allocation.policy = policy;
        // delivered orders per priority, with the priorities and with them all 0
        auto delivered = [&](bool priorities) {
            city.spec.replay = r;
            for (ReplayOrder& o : city.spec.replay.orders) {
                o.priority = priorities ? o.priority : 0;
            }
            city.spec.validate();
            sim::SerialExecutor serial;
            FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
            (void)run_for(run, 1.0);
            std::array<int, 2> n{};
            for (std::uint32_t d = 0; d < city.spec.depot_count(); ++d) {
                for (const Order& o : run.model().depot(d).book.orders()) {
                    n[o.ref % 2] += o.state == OrderState::kDelivered ? 1 : 0;
                }
            }
            return n;
        };
        const std::array<int, 2> with = delivered(true);
        const std::array<int, 2> without = delivered(false);
        MESSAGE(std::string(policy), ": priority 0 / 1 delivered ", with[0], " / ", with[1],
                " of 36 each; all 0: ", without[0], " / ", without[1]);
        CHECK(with[0] + with[1] < 72);  // capacity is short
        CHECK(with[1] > with[0] + 6);
        CHECK(with[1] > without[1]);
    }
}
