// The fleet under a time-of-day speed profile (FleetSpec::speed_profile): every edge is
// driven at the speeds of the hours it is driven in, a trip takes what the planner's road
// legs say it takes, the peak slows the fleet, and runs stay identical on any thread count.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "agents/fleet/central_planner.hpp"
#include "tests/agents/fleet/fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;
using namespace swarm::agents::testing;
using routing::SpeedProfile;
using world::RoadClass;

namespace {

// the small city from 07:30: the arterials jam from 8 to 9, the streets a little less
void morning_peak(SmallCity& city) {
    routing::SpeedProfile::Classes f = routing::SpeedProfile::flat();
    auto& primary = f[static_cast<std::size_t>(RoadClass::kPrimary)];
    auto& residential = f[static_cast<std::size_t>(RoadClass::kResidential)];
    primary[7] = 0.8;
    primary[8] = 0.3;
    primary[9] = 0.6;
    residential[8] = 0.7;
    residential[9] = 0.8;
    city.spec.speed_profile = routing::SpeedProfile(f, city.network);
    city.spec.demand.start_hour = 7.5;
}

}  // namespace

TEST_CASE("time of day: every edge is driven at the speeds of its hours") {
    SmallCity city;
    morning_peak(city);
    city.spec.types[0].speed_factor = 0.8;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial, 1));
    run.model().enable_leg_log(true);
    const auto result = run_for(run, 1.0);
    CHECK(result.kpi.delivered > 50);
    const FleetSpec& spec = city.spec;
    std::size_t legs = 0;
    std::size_t slowed = 0;
    for (std::uint32_t v = 0; v < run.model().vehicle_count(); ++v) {
        for (const LegRecord& leg : run.model().leg_log(v)) {
            if (leg.edge == world::kNoEdge) {
                continue;  // a drone's straight leg
            }
            const double base = city.network.travel_time_s(leg.edge) / 0.8;
            const double at = spec.clock_s(spec.time.to_seconds(leg.start));
            const double expected =
                spec.speed_profile.traverse(city.network.road_class(leg.edge), at, base);
            CHECK(std::abs(spec.time.to_seconds(leg.end - leg.start) - expected) <= 1e-6);
            ++legs;
            slowed += expected > base * 1.01 ? 1U : 0U;
        }
    }
    CHECK(legs > 1000);
    CHECK(slowed > legs / 4);
}

TEST_CASE("time of day: a trip takes what the planner's road legs say (undisturbed roads)") {
    // one depot, one van, one order at a time: each trip (depot to customer, customer to the
    // depot) is routed when it starts and driven without a change of target (with more
    // depots a van going home may be sent to another depot's dock on the way)
    SmallCity city;
    morning_peak(city);
    city.spec.depots = {city.spec.depots[1]};
    city.spec.fleets = {{0, 1, 0, "van"}};
    city.spec.types[0].speed_factor = 0.9;
    city.spec.allocation.max_plan = 1;
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial, 1));
    run.model().enable_leg_log(true);
    (void)run_for(run, 2.0);
    const FleetSpec& spec = city.spec;
    auto router = city.routers->make();
    const routing::RouteView roads;
    RoutedLegs planner(*router, roads, &spec.speed_profile);
    const std::vector<LegRecord>& log = run.model().leg_log(0);
    std::size_t trips = 0;
    std::size_t crossed = 0;
    for (std::size_t i = 0; i < log.size();) {
        // a trip: legs end to end without a stop
        std::size_t j = i + 1;
        while (j < log.size() && log[j].start == log[j - 1].end && log[j].from == log[j - 1].to) {
            ++j;
        }
        ++trips;
        const double depart = spec.clock_s(spec.time.to_seconds(log[i].start));
        const Leg planned = planner.leg(log[i].from, log[j - 1].to, depart, 0.9);
        const double driven = spec.time.to_seconds(log[j - 1].end - log[i].start);
        // ticks round each edge's time: half a microsecond per edge at most
        const double slack = 1e-6 * static_cast<double>(j - i);
        CAPTURE(i);
        CHECK(std::abs(driven - planned.seconds) <= slack);
        // the peak is in it
        crossed +=
            SpeedProfile::hour_of(depart) != SpeedProfile::hour_of(depart + driven) ? 1U : 0U;
        i = j;
    }
    CHECK(trips > 20);
    CHECK(crossed > 0);
}

TEST_CASE("time of day: the peak slows the fleet, and runs are identical on 1 and 2 threads") {
    SmallCity flat;
    flat.spec.demand.start_hour = 7.5;
    SmallCity peak;
    morning_peak(peak);
    sim::SerialExecutor serial;
    FleetRun a(flat.spec, run_options(flat.spec, *flat.routers, serial, 1));
    const auto without = run_for(a, 2.0);
    FleetRun b(peak.spec, run_options(peak.spec, *peak.routers, serial, 1));
    const auto with = run_for(b, 2.0);
    CHECK(with.event_hash != without.event_hash);
    // slower per kilometre driven
    CHECK(with.kpi.drive_hours / with.kpi.veh_km >
          1.1 * without.kpi.drive_hours / without.kpi.veh_km);
    for (const std::size_t threads : {1u, 2u}) {
        CAPTURE(threads);
        sim::TbbExecutor tbb(threads);
        FleetRun r(peak.spec, run_options(peak.spec, *peak.routers, tbb));
        const auto x = run_for(r, 2.0);
        CHECK(x.kpi_hash == with.kpi_hash);
        CHECK(x.event_hash == with.event_hash);
    }
    // the cloud planner's road legs and CBBA's scores too
    for (const char* policy : {"cloud", "cbba"}) {
        CAPTURE(policy);
        FleetSpec spec = peak.spec;
        spec.allocation.policy = policy;
        FleetRun one(spec, run_options(spec, *peak.routers, serial, 1));
        const auto ref = run_for(one, 1.0);
        CHECK(ref.kpi.delivered > 50);
        sim::TbbExecutor tbb(2);
        FleetRun two(spec, run_options(spec, *peak.routers, tbb));
        const auto x = run_for(two, 1.0);
        CHECK(x.kpi_hash == ref.kpi_hash);
        CHECK(x.event_hash == ref.event_hash);
    }
}

TEST_CASE("time of day: the planner's road legs are the fastest for every departure") {
    // asked in any order, within an hour and across its end, at two speed factors
    SmallCity city;
    morning_peak(city);
    auto router = city.routers->make();
    auto reference = city.routers->make();
    const routing::RouteView open;
    RoutedLegs legs(*router, open, &city.spec.speed_profile);
    std::mt19937_64 rng(5);
    const auto n = static_cast<std::uint32_t>(city.network.node_count());
    std::vector<std::pair<NodeId, NodeId>> pairs(12);
    for (auto& [a, b] : pairs) {
        a = static_cast<NodeId>(rng() % n);
        b = static_cast<NodeId>(rng() % n);
    }
    std::size_t compared = 0;
    for (int k = 0; k < 400; ++k) {
        const auto& [from, to] = pairs[rng() % pairs.size()];
        const double depart = 8.0 * 3600.0 + static_cast<double>(rng() % 7200) - 1800.0;
        const double factor = k % 2 == 0 ? 1.0 : 0.7;
        routing::RouteView view;
        view.profile = &city.spec.speed_profile;
        view.depart_s = depart;
        view.speed_factor = factor;
        const routing::Route best = reference->fastest(from, to, view);
        const Leg l = legs.leg(from, to, depart, factor);
        CAPTURE(depart);
        CHECK(std::abs(l.seconds - best.travel_time_s) <= 1e-9 * best.travel_time_s);
        compared += 1;
    }
    CHECK(compared == 400);
    CHECK(legs.routed() < 400);  // most legs are timed on a path of their hour
}
