// Orders loaded at a pick-up location of their own (ReplayOrder::pickup, docs/inputs.md): the
// vehicle loads at that node, not at the depot, after the pick-up window opens, and delivers
// in the order's window on every policy; the same for any thread count; a depot outage stops
// the depot's dispatch but not the pick-ups already assigned.
#include <doctest/doctest.h>

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

// n orders per depot released every 5 minutes, each picked up at a node of its own that
// opens 2 minutes after release (1 minute to load), delivered in a 40-minute window
OrderReplay pickup_list(const SmallCity& city, std::uint32_t n) {
    OrderReplay r;
    r.first.push_back(0);
    const auto nodes = static_cast<std::uint32_t>(city.network.node_count());
    for (std::uint32_t d = 0; d < city.spec.depot_count(); ++d) {
        for (std::uint32_t i = 0; i < n; ++i) {
            ReplayOrder o;
            o.depot = d;
            o.customer = static_cast<NodeId>((d * 97 + i * 31) % nodes);
            o.pickup = static_cast<NodeId>((d * 53 + i * 17 + 7) % nodes);
            o.size = 1 + i % 2;
            o.release_s = 60.0 + 300.0 * i;
            o.pickup_earliest_s = o.release_s + 120.0;
            o.pickup_service_s = 60;
            o.earliest_s = o.release_s;
            o.latest_s = o.release_s + 2400.0;
            r.orders.push_back(o);
        }
        r.first.push_back(static_cast<std::uint32_t>(r.orders.size()));
    }
    return r;
}

SmallCity pickup_city(const char* policy) {
    SmallCity city;
    for (DepotSpec& d : city.spec.depots) {
        d.demand_per_hour = 0.0;  // the table alone
    }
    city.spec.allocation.policy = policy;
    city.spec.replay = pickup_list(city, 8);
    city.spec.validate();
    return city;
}

}  // namespace

TEST_CASE("pick-up locations: loaded at the pick-up node after it opens, delivered in window") {
    for (const char* policy : {"auction", "cbba", "cloud"}) {
        const std::string name = policy;
        CAPTURE(name);
        SmallCity city = pickup_city(policy);
        sim::SerialExecutor serial;
        FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
        run.model().enable_leg_log(true);
        const auto ref = run_for(run, 1.5);
        CHECK(ref.kpi.created == 24);
        std::size_t delivered = 0;
        std::size_t on_time = 0;
        std::size_t driven_to_pickup = 0;
        for (std::uint32_t d = 0; d < city.spec.depot_count(); ++d) {
            // nothing is loaded at the depots' docks
            CHECK(run.model().depot(d).book.counters().dock_busy == 0);
            for (const Order& o : run.model().depot(d).book.orders()) {
                if (o.state != OrderState::kDelivered) {
                    continue;
                }
                ++delivered;
                on_time += o.delivered_at <= o.due ? 1 : 0;
                const ReplayOrder& r = city.spec.replay.orders[o.ref];
                // loaded once the pick-up window opened, with its service
                CHECK(o.picked_up_at >= city.spec.time.from_seconds(r.pickup_earliest_s + 60.0));
                CHECK(o.picked_up_at <= o.delivered_at);
                // at the pick-up node: the vehicle's last leg before loading ended there
                const LegRecord* last = nullptr;
                for (const LegRecord& leg : run.model().leg_log(o.vehicle)) {
                    if (leg.end <= o.picked_up_at) {
                        last = &leg;
                    }
                }
                if (last != nullptr) {
                    ++driven_to_pickup;
                    CHECK(last->to == r.pickup);
                }
            }
        }
        MESSAGE(std::string(policy), ": ", delivered, " of 24 delivered, ", on_time, " on time, ",
                driven_to_pickup, " driven to their pick-up");
        CHECK(delivered >= 20);
        CHECK(on_time >= 18);
        CHECK(driven_to_pickup >= 15);
        // the same for two threads
        sim::TbbExecutor tbb(2);
        FleetRun two(city.spec, run_options(city.spec, *city.routers, tbb));
        const auto other = run_for(two, 1.5);
        CHECK(other.kpi_hash == ref.kpi_hash);
        CHECK(other.event_hash == ref.event_hash);
    }
}

TEST_CASE("pick-up locations: a depot outage stops its dispatch, not its assigned pick-ups") {
    for (const char* policy : {"auction", "cloud"}) {
        const std::string name = policy;
        CAPTURE(name);
        SmallCity city = pickup_city(policy);
        DisruptionSpec fire;
        fire.id = "fire";
        fire.action.kind = DisruptionKind::kDepotDown;
        fire.action.depot = 0;
        fire.at_s = 400.0;  // two orders released and assigned, six to come
        city.spec.disruptions.push_back(fire);
        sim::SerialExecutor serial;
        FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
        (void)run_for(run, 1.5);
        const DepotState& down = run.model().depot(0);
        std::size_t kept = 0;
        for (const Order& o : down.book.orders()) {
            CHECK(o.reason != FailReason::kDepotClosed);
            kept += o.state == OrderState::kDelivered ? 1 : 0;
        }
        CHECK(kept >= 1);                // assigned before the outage, still delivered
        CHECK(down.forwarded_out == 6);  // released after it: dispatched by an open depot
        std::size_t forwarded_delivered = 0;
        for (std::uint32_t d = 1; d < city.spec.depot_count(); ++d) {
            for (const Order& o : run.model().depot(d).book.orders()) {
                if (o.ref < 8 && o.state == OrderState::kDelivered) {
                    ++forwarded_delivered;
                }
            }
        }
        CHECK(forwarded_delivered >= 5);
    }
}
