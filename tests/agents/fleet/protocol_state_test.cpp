// Each allocation protocol's own state into and out of a sim::StateArchive (checkpoints):
// saved mid-run, loaded into another run of the same spec, saved again, the same bytes.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agents/fleet/fleet_run.hpp"
#include "agents/fleet/protocol.hpp"
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

// the cloud link is down from 1020 s to 1080 s (every_disruption_kind: one kind a minute
// from 300 s); the fleet is busy enough that the dispatcher holds orders then
constexpr double kOutageS = 1020.0;
constexpr double kOutageEndS = 1080.0;

// the small city with every kind of disruption, at a demand that keeps the fleet busy
void prepare(SmallCity& city, std::string_view policy) {
    city.spec.allocation.policy = std::string(policy);
    city.spec.disruptions = testing::every_disruption_kind(city.network, 300.0, 60.0);
    for (DepotSpec& d : city.spec.depots) {
        d.demand_per_hour = 400.0;
    }
}

StateArchive saved(const FleetRun& run) {
    StateArchive ar;
    run.model().protocol().save(ar);
    return ar;
}

std::set<std::string> names(const StateArchive& ar) {
    std::set<std::string> out;
    for (const auto& [name, a] : ar.arrays()) {
        out.insert(name);
    }
    return out;
}

std::uint64_t count(const StateArchive& ar, const std::string& name) {
    return ar.arrays().at(name).count;
}

// the fields of a list of orders (save_orders) and of plans (save_plans)
void add_orders(std::set<std::string>& s, const std::string& name) {
    for (const char* f :
         {"key", "round", "customer", "depot", "size", "service_s", "ready", "due"}) {
        s.insert(name + "/" + f);
    }
}
void add_plans(std::set<std::string>& s, const std::string& name) {
    s.insert(name + "/size");
    s.insert(name + "/loaded");
    for (const char* f :
         {"row", "order", "customer", "depot", "size", "service_s", "ready", "due"}) {
        s.insert(name + "/entry/" + f);
    }
}

// what each protocol keeps between events: a field that goes missing fails here
std::set<std::string> expected_names(std::string_view protocol) {
    std::set<std::string> s;
    if (protocol == "auction") {
        s = {"best/count", "best/cost", "best/vehicle"};
    } else if (protocol == "cbba") {
        s = {"queue/offsets", "queue/values"};
    } else if (protocol == "cloud" || protocol == "oracle") {
        s = {"builds",
             "start_generation",
             "solving",
             "fresh",
             "known/state",
             "known/position",
             "known/position_time",
             "known/home_node",
             "known/energy_kwh",
             "known/shift_start",
             "known/shift_end",
             "known/takes_work",
             "known/at",
             "flight/count",
             "flight/sent",
             "pending/received",
             "pending/vehicle",
             "batch/received",
             "batch/vehicle"};
        add_plans(s, "known/plan");
        add_orders(s, "flight/order");
        add_orders(s, "pending/order");
        add_orders(s, "batch/order");
    }
    return s;  // first_claim: nothing
}

// the lists of a protocol's state that must have held something at one checkpoint or other
std::vector<std::string> lists(std::string_view protocol) {
    if (protocol == "auction") {
        return {"best/vehicle"};
    }
    if (protocol == "cbba") {
        return {"queue/values"};
    }
    if (protocol == "cloud") {
        return {"known/plan/entry/order", "flight/order/key", "pending/order/key",
                "batch/order/key"};
    }
    if (protocol == "oracle") {
        return {"known/plan/entry/order", "flight/order/key", "pending/order/key"};
    }
    return {};
}

}  // namespace

TEST_CASE("protocol state: saved mid-run, loaded into a run of the same spec, saved the same") {
    for (const ProtocolInfo& p : protocols()) {
        CAPTURE(p.name);
        SmallCity city;
        prepare(city, p.name);
        sim::SerialExecutor serial;
        FleetRun run(city.spec, run_options(city.spec, *city.routers, serial, 2));
        // a run with state of its own, which each load replaces
        FleetRun other(city.spec, run_options(city.spec, *city.routers, serial, 2));
        run_to(other, 200.0);
        std::map<std::string, std::uint64_t> most;  // the longest of each list at a checkpoint
        for (double t = 60.0; t <= kOutageEndS; t += 20.0) {
            CAPTURE(t);
            run_to(run, t);
            const StateArchive ar = saved(run);
            REQUIRE(names(ar) == expected_names(p.name));
            for (const std::string& list : lists(p.name)) {
                most[list] = std::max(most[list], count(ar, list));
            }
            other.model().protocol().load(ar);
            CHECK(saved(other).checksum() == ar.checksum());
        }
        for (const std::string& list : lists(p.name)) {
            CAPTURE(list);
            CHECK(most[list] > 0);
        }
    }
}

TEST_CASE("protocol state: in a cloud outage the dispatcher's orders load into a fresh run") {
    for (const ProtocolInfo& p : protocols()) {
        CAPTURE(p.name);
        SmallCity city;
        prepare(city, p.name);
        sim::SerialExecutor serial;
        FleetRun run(city.spec, run_options(city.spec, *city.routers, serial, 2));
        run_to(run, kOutageS + 30.0);
        const StateArchive ar = saved(run);

        FleetRun fresh(city.spec, run_options(city.spec, *city.routers, serial, 2));
        fresh.start();  // attached, as a fork is before it loads
        const StateArchive before = saved(fresh);
        fresh.model().protocol().load(ar);
        const StateArchive after = saved(fresh);
        CHECK(after.checksum() == ar.checksum());
        if (p.name == "first_claim") {
            CHECK(ar.arrays().empty());  // stateless: its rounds live in the engine's events
            continue;
        }
        // a load that left a field as the fresh run had it would not pass this
        CHECK(before.checksum() != ar.checksum());
        if (p.name == "auction") {
            CHECK(count(ar, "best/cost") > 30);
        } else if (p.name == "cbba") {
            CHECK(count(ar, "queue/values") > 0);
        } else {
            // the cloud, link down, holds orders it cannot award; the oracle hears all
            CHECK(count(ar, "pending/order/key") > 0);
            CHECK(ar.get_value<std::uint64_t>("builds") > 200);
            CHECK(before.get_value<std::uint64_t>("builds") == 1);
            std::vector<std::int64_t> want;
            std::vector<std::int64_t> got;
            ar.get("pending/order/due", want);
            after.get("pending/order/due", got);
            CHECK(got == want);
            std::vector<std::uint8_t> plan_sizes;
            ar.get("known/plan/size", plan_sizes, fresh.model().vehicle_count());
            CHECK(std::any_of(plan_sizes.begin(), plan_sizes.end(),
                              [](std::uint8_t n) { return n > 0; }));
        }
    }
}

TEST_CASE("protocol state: a run of another fleet or other depots refuses it by field") {
    for (const ProtocolInfo& p : protocols()) {
        if (p.name == "first_claim") {
            continue;  // nothing of its own to refuse
        }
        CAPTURE(p.name);
        SmallCity city;
        prepare(city, p.name);
        sim::SerialExecutor serial;
        FleetRun run(city.spec, run_options(city.spec, *city.routers, serial, 2));
        run_to(run, kOutageS + 30.0);
        const StateArchive ar = saved(run);

        // two depots, as many vehicles: the depot's lists (auction, cbba) or an order of
        // the third depot (cloud) do not fit
        SmallCity two;
        prepare(two, p.name);
        two.spec.depots.pop_back();
        two.spec.fleets.clear();
        for (std::uint32_t d = 0; d < 2; ++d) {
            two.spec.fleets.push_back({0, 12, d, "vans"});
            two.spec.fleets.push_back({1, 3, d, "drones"});
        }
        FleetRun depots(two.spec, run_options(two.spec, *two.routers, serial, 2));
        depots.start();
        REQUIRE(depots.model().vehicle_count() == run.model().vehicle_count());
        const std::string field = p.name == "auction" ? "best/count"
                                  : p.name == "cbba"  ? "queue/offsets"
                                                      : "depot";
        CHECK_THROWS_WITH_AS(depots.model().protocol().load(ar), doctest::Contains(field.c_str()),
                             CheckpointError);

        // the same depots, fewer vehicles: the cloud's view of each vehicle, the auction's
        // bids of vehicles the run does not have (cbba keeps nothing of the vehicles)
        if (p.name == "cbba") {
            continue;
        }
        SmallCity small;
        prepare(small, p.name);
        small.spec.fleets.clear();
        for (std::uint32_t d = 0; d < 3; ++d) {
            small.spec.fleets.push_back({0, 2, d, "vans"});
        }
        FleetRun fewer(small.spec, run_options(small.spec, *small.routers, serial, 2));
        fewer.start();
        if (p.name == "auction") {
            std::vector<std::uint32_t> vehicle;
            ar.get("best/vehicle", vehicle);
            REQUIRE(std::any_of(vehicle.begin(), vehicle.end(),
                                [](std::uint32_t v) { return v >= 6 && v != 0xFFFFFFFFu; }));
        }
        const std::uint64_t own = saved(fewer).checksum();
        const std::string what = p.name == "auction" ? "best/vehicle" : "known/state";
        CHECK_THROWS_WITH_AS(fewer.model().protocol().load(ar), doctest::Contains(what.c_str()),
                             CheckpointError);
        CHECK(saved(fewer).checksum() == own);  // a refused load changes nothing
    }
}

TEST_CASE("protocol state: plans and orders are saved field by field and checked on load") {
    std::vector<Plan> plans(2);
    OrderMsg m;
    m.set_order(7);
    m.set_priority(3);
    m.customer = 42;
    m.depot = 1;
    m.size = 2;
    m.round = 5;
    m.service_s = 30;
    m.ready = 10;
    m.due = 99;
    plans[1].entries[0] = PlanEntry::of(m);
    plans[1].entries[1] = PlanEntry::of(m);
    plans[1].entries[1].order = 8;
    plans[1].size = 2;
    plans[1].loaded = 1;
    StateArchive ar;
    save_plans(ar, "plan", plans);
    save_orders(ar, "orders", {m});
    CHECK(count(ar, "plan/entry/order") == 2);
    CHECK(ar.arrays().at("orders/due").kind == sim::ElementKind::kI64);

    const std::vector<Plan> back = load_plans(ar, "plan", 2, 2);
    CHECK(back[0].size == 0);
    CHECK(back[1].size == 2);
    CHECK(back[1].loaded == 1);
    CHECK(back[1].entries[1].order == 8);
    CHECK(back[1].entries[0].due == 99);
    const std::vector<OrderMsg> orders = load_orders(ar, "orders", 2, 1);
    CHECK(orders[0].key == m.key);
    CHECK(orders[0].round == 5);
    CHECK(orders[0].priority() == 3);

    CHECK_THROWS_WITH_AS((void)load_plans(ar, "plan", 3, 2), doctest::Contains("plan/size"),
                         CheckpointError);
    CHECK_THROWS_WITH_AS((void)load_plans(ar, "plan", 2, 1),
                         "checkpoint field 'plan/entry/depot' names depot 1, but this run has 1 "
                         "depots",
                         CheckpointError);
    CHECK_THROWS_WITH_AS((void)load_orders(ar, "orders", 2, 2), doctest::Contains("orders/key"),
                         CheckpointError);
    StateArchive bad;
    plans[0].size = kMaxPlan + 1;
    save_plans(bad, "plan", {plans[1]});
    bad.put("other/size", std::vector<std::uint8_t>{kMaxPlan + 1});
    bad.put("other/loaded", std::vector<std::uint8_t>{0});
    CHECK_THROWS_WITH_AS((void)load_plans(bad, "other", 1, 2), doctest::Contains("at most 4"),
                         CheckpointError);
}
