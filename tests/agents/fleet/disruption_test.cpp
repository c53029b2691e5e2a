// Disruptions and self-healing (agents/fleet/disruption.*, FleetModel::apply): road state and
// knowledge, conservation of orders through breakdowns and depot closures, no vehicle entering
// a closed edge, the cloud policy stalling in a cloud outage while the auction keeps going,
// knowledge spreading, and results equal for 1 and 2 threads.
#include "agents/fleet/disruption.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;
using agents::testing::run_for;
using agents::testing::run_options;
using agents::testing::SmallCity;

namespace {

DisruptionSpec timed(std::string id, DisruptionAction a, double at_s, double duration_s = 0.0) {
    DisruptionSpec d;
    d.id = std::move(id);
    d.action = std::move(a);
    d.at_s = at_s;
    d.duration_s = duration_s;
    return d;
}

DisruptionAction action(DisruptionKind k) {
    DisruptionAction a;
    a.kind = k;
    a.label = to_string(k);
    return a;
}

// the edges within r of the network's centre
std::vector<EdgeId> central_edges(const world::RoadNetwork& net, double r) {
    const world::BoundingBox b = net.bounds();
    const Point c{(b.min.x + b.max.x) / 2, (b.min.y + b.max.y) / 2};
    return world::edges_in(net, world::Region::circle(c, r));
}

}  // namespace

TEST_CASE("disruptions: road state closes reopens and slows and explains closures and reopenings") {
    SmallCity city;
    RoadState roads(city.network.edge_count());
    DisruptionAction close = action(DisruptionKind::kCloseRoads);
    close.edges = {3, 5, 7};
    DisruptionAction close2 = action(DisruptionKind::kCloseRoads);
    close2.edges = {7, 9};
    DisruptionAction reopen = action(DisruptionKind::kReopenRoads);
    reopen.edges = {7};
    DisruptionAction slow = action(DisruptionKind::kSlowRoads);
    slow.edges = {11};
    slow.speed_factor = 0.5;
    CHECK(roads.apply(close, 10) == 0);
    CHECK(roads.apply(close2, 20) == 1);
    CHECK(roads.closed_count() == 4);
    CHECK(roads.why_closed(7).test(0));
    CHECK(roads.why_closed(7).test(1));
    CHECK(roads.why_open(7).count() == 0);  // closed
    CHECK(roads.why_open(4).count() == 0);  // never closed
    CHECK(roads.apply(reopen, 30) == 2);
    CHECK_FALSE(roads.closed(7));
    CHECK(roads.why_closed(7).count() == 0);
    CHECK(roads.why_open(7).count() == 1);  // the reopening, the one event to hear of
    CHECK(roads.why_open(7).test(2));
    CHECK(roads.why_open(9).count() == 0);
    CHECK(roads.why_closed(9).test(1));
    CHECK_FALSE(roads.why_closed(9).test(0));
    roads.apply(slow, 40);
    CHECK(roads.speed_factor(11) == doctest::Approx(0.5));
    CHECK(roads.speed_factor(12) == doctest::Approx(1.0));

    // what a vehicle believes depends on what it knows
    KnownRoadEvents first;
    first.set(0);
    world::EdgeMask believed;
    std::vector<float> factor;
    roads.believed(first, believed, factor);
    CHECK(believed.test(7));  // it has not heard of the reopening
    CHECK(believed.test(3));
    CHECK_FALSE(believed.test(9));
    CHECK(factor.empty());
    roads.believed(roads.all(), believed, factor);
    CHECK_FALSE(believed.test(7));
    CHECK(believed.test(9));
    REQUIRE(factor.size() == city.network.edge_count());
    CHECK(factor[11] == doctest::Approx(0.5F));

    // a slowdown, and its end, are news only to a vehicle that believes another speed there
    CHECK(roads.speed_news(first, 12).count() == 0);  // never slowed
    CHECK(roads.speed_news(first, 11).count() == 1);
    CHECK(roads.speed_news(first, 11).test(3));
    CHECK(roads.speed_news(roads.all(), 11).count() == 0);
    DisruptionAction end = slow;
    end.speed_factor = 1.0;
    CHECK(roads.apply(end, 50) == 4);
    CHECK(roads.speed_news(first, 11).count() == 0);  // never heard of it: 1 either way
    KnownRoadEvents slowed = first;
    slowed.set(3);
    CHECK(roads.speed_news(slowed, 11).test(4));      // the end is the news
    CHECK(roads.speed_news(slowed, 7).count() == 0);  // closures are not its business

    KnownRoadEvents a;
    a.set(1);
    CHECK(a.merge(first));
    CHECK_FALSE(a.merge(first));
    CHECK(a.covers(first));
    CHECK_FALSE(first.covers(a));
    CHECK(a.count() == 2);
}

TEST_CASE("disruptions: orders are conserved through breakdowns and depot closures") {
    SmallCity city;
    DisruptionAction brk = action(DisruptionKind::kBreakVehicles);
    brk.fraction = 0.3;
    city.spec.disruptions.push_back(timed("attrition", brk, 1200.0, 1800.0));
    DisruptionSpec wear = timed("wear", action(DisruptionKind::kBreakVehicles), 0.0);
    wear.mtbf_s = 3.0 * 3600.0;
    wear.mttr_s = 600.0;
    city.spec.disruptions.push_back(wear);
    DisruptionAction fire = action(DisruptionKind::kDepotDown);
    fire.depot = 1;
    // (at a time when depot 1 holds orders not yet loaded: those fail with it)
    city.spec.disruptions.push_back(timed("fire", fire, 1600.0));
    DisruptionSpec reopen = timed("reopen", action(DisruptionKind::kDepotUp), 0.0);
    reopen.action.depot = 1;
    reopen.after = "fire";
    reopen.after_delay_s = 1800.0;
    city.spec.disruptions.push_back(reopen);
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    const auto r = run_for(run, 2.0);  // finish() checks conservation at every depot
    CHECK(r.kpi.breakdowns >= 7);
    CHECK(r.kpi.orphaned > 0);
    CHECK(r.kpi.reassigned > 0);
    CHECK(r.kpi.failed_by_reason[static_cast<std::size_t>(FailReason::kDepotClosed)] > 0);
    CHECK(r.kpi.created == r.kpi.delivered + r.kpi.failed + r.kpi.backlog);
    // the depot reopened 30 min after the fire and its vehicles came home
    CHECK(run.model().depot_up(1));
    const auto& log = run.model().disruption_log();
    const auto up = std::find_if(log.begin(), log.end(), [](const AppliedDisruption& a) {
        return a.kind == DisruptionKind::kDepotUp;
    });
    REQUIRE(up != log.end());
    CHECK(up->t == city.spec.time.from_seconds(3400.0));
    std::uint32_t v = 0;
    for (const FleetGroup& g : city.spec.fleets) {
        for (std::uint32_t i = 0; i < g.count; ++i, ++v) {
            CHECK(run.model().vehicles().warm[v].home == g.home);
        }
    }
    // while it was closed its customers' orders went to the other depots
    std::uint64_t forwarded = 0;
    for (std::uint32_t d = 0; d < run.model().depot_count(); ++d) {
        forwarded += run.model().depot(d).forwarded_in;
    }
    CHECK(forwarded > 0);
    CHECK(forwarded == run.model().depot(1).forwarded_out);
}

TEST_CASE("disruptions: no vehicle enters a closed edge and unreachable orders are held") {
    SmallCity city;
    const std::vector<EdgeId> flooded = central_edges(city.network, 500.0);
    REQUIRE(flooded.size() > 20);
    DisruptionAction flood = action(DisruptionKind::kCloseRoads);
    flood.edges = flooded;
    const double t1 = 1200.0;
    const double t2 = 3000.0;
    city.spec.disruptions.push_back(timed("flood", flood, t1, t2 - t1));
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    run.model().enable_leg_log(true);
    const auto r = run_for(run, 1.5);
    const sim::Tick c1 = city.spec.time.from_seconds(t1);
    const sim::Tick c2 = city.spec.time.from_seconds(t2);
    std::uint64_t legs_on_flooded = 0;
    for (std::uint32_t v = 0; v < run.model().vehicle_count(); ++v) {
        for (const LegRecord& leg : run.model().leg_log(v)) {
            if (leg.edge == world::kNoEdge ||
                !std::binary_search(flooded.begin(), flooded.end(), leg.edge)) {
                continue;
            }
            ++legs_on_flooded;
            // entered before the closure (and driven to its end) or after the reopening
            CHECK((leg.start < c1 || leg.start >= c2));
        }
    }
    CHECK(legs_on_flooded > 0);  // the district is used before and after
    // orders into the district during the flood are held, not failed at once: delivered after
    // it, or failed as unreachable once due
    std::set<NodeId> district;
    for (const EdgeId e : flooded) {
        district.insert(city.network.source(e));
        district.insert(city.network.target(e));
    }
    std::uint64_t held = 0;
    for (std::uint32_t d = 0; d < city.spec.depot_count(); ++d) {
        for (const Order& o : run.model().depot(d).book.orders()) {
            if (o.state == OrderState::kFailed && o.reason == FailReason::kUnreachable) {
                CHECK(o.failed_at > o.due);
            }
            if (o.state == OrderState::kDelivered && o.created >= c1 && o.created < c2 &&
                o.delivered_at >= c2 && district.count(o.customer_node) > 0) {
                ++held;
            }
        }
    }
    CHECK(held > 0);
    MESSAGE("held and delivered after the flood: ", held, "; failed unreachable: ",
            r.kpi.failed_by_reason[static_cast<std::size_t>(FailReason::kUnreachable)]);
    // the closure was learnt and spread: every vehicle knew it by the end
    std::uint32_t knowing = 0;
    for (std::uint32_t v = 0; v < run.model().vehicle_count(); ++v) {
        knowing += run.model().vehicles().known[v].test(0) ? 1U : 0U;
    }
    CHECK(knowing == run.model().vehicle_count());
    // the vehicles' believed views (the closure known, then its reopening too) are model
    // memory: at least their two closure masks
    const FleetMemory memory = run.model().memory();
    CHECK(memory.views >= 2 * world::EdgeMask(city.network.edge_count()).memory_bytes());
    CHECK(memory.total() >= memory.views + memory.vehicles);
}

TEST_CASE("disruptions: vehicles learn a slowdown they meet, and its end, unannounced") {
    SmallCity city;
    // not announced and no cloud: the news can only start with a vehicle that meets the jam
    // (peers within 1 m, at the same node, pass it on)
    city.spec.comms.radio_range_m = 1.0;
    DisruptionAction slow = action(DisruptionKind::kSlowRoads);
    slow.edges = central_edges(city.network, 500.0);
    slow.speed_factor = 0.3;
    city.spec.disruptions.push_back(timed("jam", slow, 600.0, 1200.0));
    city.spec.disruptions.push_back(timed("cloud", action(DisruptionKind::kCloudDown), 0.0));
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    run_for(run, 1.0);
    std::uint32_t slowed = 0;
    std::uint32_t ended = 0;
    for (std::uint32_t v = 0; v < run.model().vehicle_count(); ++v) {
        const KnownRoadEvents& k = run.model().vehicles().known[v];
        slowed += k.test(0) ? 1U : 0U;
        ended += k.test(1) ? 1U : 0U;
        CHECK((!k.test(1) || k.test(0)));  // the end is news only to those who knew the jam
    }
    MESSAGE("vehicles that met the jam: ", slowed, ", that saw it end: ", ended, " of ",
            run.model().vehicle_count());
    CHECK(slowed > 0);
    CHECK(ended > 0);
}

TEST_CASE("disruptions: views of road news no vehicle holds are freed, the results unchanged") {
    // slowdowns coming and going across the map, learnt by meeting them and by radio: the
    // vehicles hold many different sets of known events over the run, each set a view
    const auto scenario = [](const char* policy, bool cloud) {
        SmallCity city;
        city.spec.allocation.policy = policy;
        city.spec.comms.radio_range_m = 300.0;
        city.spec.comms.radio_loss = 0.3;
        const world::BoundingBox b = city.network.bounds();
        for (int i = 0; i < 8; ++i) {
            DisruptionAction slow = action(DisruptionKind::kSlowRoads);
            const Point at{b.min.x + (b.max.x - b.min.x) * (0.15 + 0.1 * i),
                           b.min.y + (b.max.y - b.min.y) * (i % 2 == 0 ? 0.3 : 0.7)};
            slow.edges = world::edges_in(city.network, world::Region::circle(at, 400.0));
            slow.speed_factor = 0.5;
            city.spec.disruptions.push_back(
                timed("slow" + std::to_string(i), slow, 300.0 + 300.0 * i, 900.0));
        }
        if (!cloud) {
            city.spec.disruptions.push_back(
                timed("cloud", action(DisruptionKind::kCloudDown), 0.0));
        }
        return city;
    };
    for (const auto& run : {std::pair{"auction", false}, {"cloud", true}}) {
        const std::string policy = run.first;  // (clang 14 captures no structured binding)
        CAPTURE(policy);
        SmallCity city = scenario(policy.c_str(), run.second);
        sim::SerialExecutor serial;
        FleetRun kept(city.spec, run_options(city.spec, *city.routers, serial));
        kept.model().keep_views_for_test(true);
        const auto a = run_for(kept, 1.0);
        FleetRun freed(city.spec, run_options(city.spec, *city.routers, serial));
        const auto b = run_for(freed, 1.0);
        auto tbb = sim::make_executor(2);
        FleetRun parallel(city.spec, run_options(city.spec, *city.routers, *tbb, 4));
        const auto c = run_for(parallel, 1.0);
        CHECK(a.event_hash == b.event_hash);
        CHECK(a.kpi_hash == b.kpi_hash);
        CHECK(a.event_hash == c.event_hash);
        CHECK(a.kpi_hash == c.kpi_hash);
        // the views held: those of the sets in use at the last rebuild that freed any, and
        // those made since (up to twice as many before the next frees them)
        std::set<std::vector<std::uint64_t>> sets;
        for (const KnownRoadEvents& k : freed.model().vehicles().known) {
            sets.insert({k.words.begin(), k.words.end()});
        }
        MESSAGE(policy, ": views kept for the run ", kept.model().believed_views(),
                ", held at the end ", freed.model().believed_views(), " (", sets.size(),
                " sets in use)");
        CHECK(kept.model().believed_views() > 2 * freed.model().believed_views());
        CHECK(freed.model().memory().views < kept.model().memory().views);
    }
}

TEST_CASE("disruptions: road news spreads by radio without the cloud") {
    SmallCity city;
    city.spec.comms.radio_range_m = 600.0;
    city.spec.comms.radio_loss = 0.0;
    DisruptionAction flood = action(DisruptionKind::kCloseRoads);
    flood.edges = central_edges(city.network, 500.0);
    city.spec.disruptions.push_back(timed("flood", flood, 600.0));
    city.spec.disruptions.push_back(timed("cloud", action(DisruptionKind::kCloudDown), 0.0));
    sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    const auto r = run_for(run, 1.0);
    std::uint32_t knowing = 0;
    std::uint64_t received = 0;
    for (std::uint32_t v = 0; v < run.model().vehicle_count(); ++v) {
        knowing += run.model().vehicles().known[v].test(0) ? 1U : 0U;
        received += run.model().message_counters().agent(v).messages_received;
    }
    // some vehicles found it themselves; peers told most of the rest
    CHECK(knowing > run.model().vehicle_count() / 2);
    CHECK(received > 0);
    CHECK(r.kpi.messages > 0);
    CHECK(r.kpi.bytes >= r.kpi.messages * city.spec.comms.header_bytes);
}

TEST_CASE("disruptions: lossy road gossip in parallel chunks gives the serial results") {
    // the peer leg's pushes are found in parallel chunks; their loss draws must still be
    // taken in vehicle order, or who learns what would depend on the chunking
    SmallCity city;
    city.spec.comms.radio_range_m = 600.0;
    city.spec.comms.radio_loss = 0.4;
    DisruptionAction flood = action(DisruptionKind::kCloseRoads);
    flood.edges = central_edges(city.network, 500.0);
    city.spec.disruptions.push_back(timed("flood", flood, 600.0));
    DisruptionAction slow = action(DisruptionKind::kSlowRoads);
    slow.edges = central_edges(city.network, 1500.0);
    slow.speed_factor = 0.6;
    city.spec.disruptions.push_back(timed("slow", slow, 900.0));
    city.spec.disruptions.push_back(timed("cloud", action(DisruptionKind::kCloudDown), 0.0));
    sim::SerialExecutor serial;
    FleetRun one(city.spec, run_options(city.spec, *city.routers, serial));
    const auto a = run_for(one, 1.0);
    std::uint64_t dropped = 0;
    for (std::uint32_t v = 0; v < one.model().vehicle_count(); ++v) {
        dropped += one.model().message_counters().dropped()[v];
    }
    CHECK(dropped > 0);
    auto tbb = sim::make_executor(2);
    for (const std::size_t chunk : {std::size_t{3}, std::size_t{7}}) {
        CAPTURE(chunk);
        FleetRun chunked(city.spec, run_options(city.spec, *city.routers, *tbb, 4));
        chunked.model().phase_chunk_for_test(chunk);
        const auto c = run_for(chunked, 1.0);
        CHECK(a.event_hash == c.event_hash);
        CHECK(a.kpi_hash == c.kpi_hash);
    }
}

TEST_CASE("disruptions: in a cloud outage the cloud policy stalls while the auction delivers") {
    const double t1 = 1800.0;
    const double t2 = 3000.0;
    struct Outcome {
        std::uint64_t assigned_during = 0;  // first assignments inside the outage
        double decision_latency_s = 0.0;
        std::uint64_t delivered = 0;
    };
    const auto outcome = [&](const char* policy) {
        SmallCity city;
        city.spec.allocation.policy = policy;
        city.spec.disruptions.push_back(
            timed("outage", action(DisruptionKind::kCloudDown), t1, t2 - t1));
        sim::SerialExecutor serial;
        FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
        const auto r = run_for(run, 1.0);
        Outcome o;
        const sim::Tick a = city.spec.time.from_seconds(t1 + 1.0);  // after messages in flight
        const sim::Tick b = city.spec.time.from_seconds(t2);
        for (std::uint32_t d = 0; d < run.model().depot_count(); ++d) {
            for (const Order& ord : run.model().depot(d).book.orders()) {
                if (ord.first_assigned_at >= a && ord.first_assigned_at < b) {
                    ++o.assigned_during;
                }
            }
        }
        o.decision_latency_s = r.kpi.decision_latency_mean_s;
        o.delivered = r.kpi.delivered;
        return o;
    };
    const Outcome cloud = outcome("cloud");
    const Outcome auction = outcome("auction");
    const Outcome cbba = outcome("cbba");
    CHECK(cloud.assigned_during == 0);
    CHECK(auction.assigned_during > 50);
    CHECK(cbba.assigned_during > 50);
    CHECK(cloud.decision_latency_s > 10.0 * auction.decision_latency_s);
    CHECK(auction.delivered > cloud.delivered);
    CHECK(cbba.delivered > cloud.delivered);
}

TEST_CASE(
    "disruptions: every kind gives the same results on 1 and 2 threads, ahead or in lockstep") {
    SmallCity city;
    DisruptionAction close = action(DisruptionKind::kCloseRoads);
    close.edges = central_edges(city.network, 400.0);
    city.spec.disruptions.push_back(timed("close", close, 600.0, 1200.0));
    DisruptionAction slow = action(DisruptionKind::kSlowRoads);
    slow.edges = central_edges(city.network, 1200.0);
    slow.speed_factor = 0.5;
    city.spec.disruptions.push_back(timed("slow", slow, 300.0, 1800.0));
    DisruptionAction brk = action(DisruptionKind::kBreakVehicles);
    brk.fraction = 0.2;
    DisruptionSpec maybe = timed("maybe", brk, 900.0, 900.0);
    maybe.window_end_s = 1500.0;
    maybe.probability = 0.7;
    city.spec.disruptions.push_back(maybe);
    DisruptionAction fire = action(DisruptionKind::kDepotDown);
    fire.depot = 2;
    city.spec.disruptions.push_back(timed("fire", fire, 1000.0, 1200.0));
    DisruptionAction jam = action(DisruptionKind::kRadioBlackout);
    const world::BoundingBox b = city.network.bounds();
    jam.area = world::Region::circle(b.min, 1500.0);
    city.spec.disruptions.push_back(timed("jam", jam, 700.0, 900.0));
    DisruptionAction loss = action(DisruptionKind::kLossSpike);
    loss.loss = 0.3;
    city.spec.disruptions.push_back(timed("loss", loss, 800.0, 600.0));
    DisruptionAction surge = action(DisruptionKind::kDemandSurge);
    surge.multiplier = 3.0;
    city.spec.disruptions.push_back(timed("surge", surge, 1100.0, 600.0));
    city.spec.disruptions.push_back(
        timed("cloud", action(DisruptionKind::kCloudDown), 1300.0, 300.0));
    DisruptionAction docks = action(DisruptionKind::kDepotDocks);
    docks.depot = 0;
    docks.docks = 1;
    city.spec.disruptions.push_back(timed("docks", docks, 400.0, 1500.0));

    for (const char* policy : {"auction", "cloud", "cbba"}) {
        CAPTURE(policy);
        city.spec.allocation.policy = policy;
        sim::SerialExecutor serial;
        FleetRun one(city.spec, run_options(city.spec, *city.routers, serial, 4));
        const auto a = run_for(one, 1.0);
        auto tbb = sim::make_executor(2);
        FleetRun two(city.spec, run_options(city.spec, *city.routers, *tbb, 4));
        const auto c = run_for(two, 1.0);
        CHECK(a.event_hash == c.event_hash);
        CHECK(a.kpi_hash == c.kpi_hash);
        // the barrier phases' parallel paths (board rows, road news) in chunks of 7 vehicles
        FleetRun chunked(city.spec, run_options(city.spec, *city.routers, *tbb, 4));
        chunked.model().phase_chunk_for_test(7);
        const auto e = run_for(chunked, 1.0);
        CHECK(a.event_hash == e.event_hash);
        CHECK(a.kpi_hash == e.kpi_hash);
        // in lockstep windows instead of running ahead (sim::EngineConfig): the same events
        FleetRunOptions lockstep_options = run_options(city.spec, *city.routers, *tbb, 4);
        lockstep_options.run_ahead_lookaheads = 0;
        FleetRun lockstep(city.spec, lockstep_options);
        const auto l = run_for(lockstep, 1.0);
        CHECK(a.event_hash == l.event_hash);
        CHECK(a.kpi_hash == l.kpi_hash);
        CHECK(a.kpi.disruptions >= 16);
        CHECK(a.kpi.created == a.kpi.delivered + a.kpi.failed + a.kpi.backlog);
    }
}

TEST_CASE("disruptions: vehicles repaired within seconds carry on (stale dock and hand-over)") {
    // a vehicle that breaks at the dock, at a customer or mid-leg and is repaired before the
    // dock, the hand-over or the leg ends must ignore what was meant for it before the
    // breakdown (Loaded, Ready, ServiceDone) and head on from where it is
    SmallCity city;
    DisruptionAction flaky = action(DisruptionKind::kBreakVehicles);
    DisruptionSpec process = timed("flaky", flaky, 0.0);
    process.mtbf_s = 300.0;
    process.mttr_s = 5.0;
    city.spec.disruptions.push_back(process);
    for (const std::uint64_t seed : {1U, 2U, 3U}) {
        CAPTURE(seed);
        sim::SerialExecutor serial;
        FleetRun run(city.spec, run_options(city.spec, *city.routers, serial, 0, seed));
        const auto r = run_for(run, 1.0);  // finish() checks conservation; a stale message throws
        CHECK(r.kpi.breakdowns > 200);
        CHECK(r.kpi.delivered > 0);
        CHECK(r.kpi.created == r.kpi.delivered + r.kpi.failed + r.kpi.backlog);
    }
}
