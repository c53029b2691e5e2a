// The fleet layer's KPIs (agents/fleet/kpi_observer.*): the leading indicators against a
// recount of the order books, the cost of a stalled fleet against a working one, the
// per-fleet figures, figures that do not apply reading NaN / empty, never 0, and the
// observer's checkpoints (a fresh observer loaded mid-run saves the same; a resumed one
// samples on as the uninterrupted run's).
#include "agents/fleet/kpi_observer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "fleet_test_util.hpp"

using namespace swarm::agents;
using namespace swarm::agents::testing;
using swarm::sim::Tick;

namespace {

DisruptionSpec cloud_outage(double at_s, double duration_s) {
    DisruptionSpec s;
    s.id = "outage";
    s.action.kind = DisruptionKind::kCloudDown;
    s.at_s = at_s;
    s.duration_s = duration_s;
    return s;
}

// the leading indicators recounted from every order of every book
OpenOrderKpis recount(const FleetModel& model, Tick t) {
    OpenOrderKpis r;
    for (std::uint32_t d = 0; d < model.depot_count(); ++d) {
        for (const Order& o : model.depot(d).book.orders()) {
            if (is_terminal(o.state)) {
                continue;
            }
            if (o.state == OrderState::kCreated) {
                ++r.unassigned;
                r.oldest_unassigned_created = std::min(r.oldest_unassigned_created, o.created);
            }
            if (t > o.due) {
                ++r.overdue;
                r.overdue_ticks += t - o.due;
            }
        }
    }
    return r;
}

}  // namespace

TEST_CASE("kpi observer: during a cloud outage the held orders show as unassigned at once") {
    SmallCity city;
    city.spec.allocation.policy = "cloud";
    city.spec.demand.kpi_interval_s = 300.0;
    city.spec.disruptions.push_back(cloud_outage(1800.0, 1800.0));
    swarm::sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    // ten minutes into the outage
    const RunResult r = run_for(run, (1800.0 + 600.0) / 3600.0);
    const Tick t = city.spec.time.from_seconds(2400.0);
    const OpenOrderKpis open = open_order_kpis(run.model(), t);
    const OpenOrderKpis expected = recount(run.model(), t);
    CHECK(open.unassigned == expected.unassigned);
    CHECK(open.oldest_unassigned_created == expected.oldest_unassigned_created);
    CHECK(open.overdue == expected.overdue);
    CHECK(open.overdue_ticks == expected.overdue_ticks);
    // orders created since the outage wait; the oldest has waited about ten minutes
    CHECK(open.unassigned > 20);
    CHECK(r.kpi.unassigned == open.unassigned);
    CHECK(r.kpi.oldest_unassigned_age_s > 500.0);
    CHECK(r.kpi.oldest_unassigned_age_s <= 600.0);
    // at risk only counts open orders not yet due
    CHECK(open.at_risk <= r.kpi.backlog - open.overdue);
    // the timeline saw the pile-up at the first sample after the onset (samples every 300 s)
    const auto& tl = run.kpis().timeline();
    const auto at = [&](double seconds) {
        for (const LeadingSample& x : tl) {
            if (x.t == city.spec.time.from_seconds(seconds)) {
                return x;
            }
        }
        FAIL("no sample at " << seconds << " s");
        return LeadingSample{};
    };
    const LeadingSample onset = at(1800.0);
    const LeadingSample next = at(2100.0);
    CHECK(next.unassigned > onset.unassigned + 10);
    CHECK(next.oldest_unassigned_age_s > 250.0);
}

TEST_CASE("kpi observer: a stalled fleet costs more than a working one with the same demand") {
    // the cloud is down for the whole run: orders wait, lapse and fail for want of a vehicle
    const auto cost = [](const char* policy, bool outage) {
        SmallCity city;
        city.spec.allocation.policy = policy;
        if (outage) {
            city.spec.disruptions.push_back(cloud_outage(0.0, 7200.0));
        }
        swarm::sim::SerialExecutor serial;
        FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
        return run_for(run, 1.0).kpi;
    };
    const KpiSummary stalled = cost("cloud", true);
    const KpiSummary working = cost("cloud", false);
    CHECK(stalled.created == working.created);  // the same demand
    CHECK(stalled.delivered == 0);
    CHECK(stalled.veh_km == 0.0);
    CHECK(stalled.cost > working.cost);
    // what the stalled fleet pays for: failed orders and orders held past due
    CHECK(stalled.cost_failed + stalled.cost_lateness == doctest::Approx(stalled.cost));
    CHECK(stalled.cost_lateness > 0.0);
    CHECK(std::isnan(stalled.cost_per_delivered));
    CHECK(working.cost_per_delivered ==
          doctest::Approx(working.cost / static_cast<double>(working.delivered)));
    CHECK(working.cost_distance + working.cost_energy + working.cost_lateness +
              working.cost_failed + working.cost_vehicles ==
          doctest::Approx(working.cost));
}

TEST_CASE("kpi observer: cost prices late minutes and a fee per order past due") {
    CostParams prices;
    prices.per_km = 1.0;
    prices.per_kwh = 2.0;
    prices.per_late_minute = 0.5;
    prices.per_late_order = 5.0;
    prices.per_failed_order = 25.0;
    prices.per_breakdown = 100.0;
    prices.per_service = 10.0;
    CostInputs in;
    in.veh_km = 10.0;
    in.energy_kwh = 3.0;
    in.late_minutes = 30.0;
    in.late_orders = 2;
    in.failed = 1;
    in.breakdowns = 1;
    in.services = 2;
    const CostBreakdown c = cost_of(prices, in);
    CHECK(c.distance == 10.0);
    CHECK(c.energy == 6.0);
    CHECK(c.lateness == 25.0);  // 30 x 0.5 + 2 x 5
    CHECK(c.failed == 25.0);
    CHECK(c.vehicles == 120.0);
    CHECK(c.total() == 186.0);
}

TEST_CASE("kpi observer: per-fleet figures add up and figures that do not apply are empty") {
    SmallCity city;
    swarm::sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    const KpiSummary s = run_for(run, 1.0).kpi;
    // the six groups of the spec (vans and drones at three depots) are two fleets
    REQUIRE(s.groups.size() == 2);
    CHECK(s.groups[0].id == "vans");
    CHECK(s.groups[1].id == "drones");
    CHECK(s.groups[0].vehicles + s.groups[1].vehicles == run.model().vehicle_count());
    CHECK(s.groups[0].deliveries + s.groups[1].deliveries == s.delivered);
    CHECK(s.groups[0].deliveries > 0);
    CHECK(s.groups[1].deliveries > 0);
    CHECK(s.groups[0].veh_km + s.groups[1].veh_km == doctest::Approx(s.veh_km));
    // no disruption, no learning: not applicable, not 0
    CHECK(s.disruptions == 0);
    CHECK(std::isnan(s.time_to_impact_s));
    CHECK(std::isnan(s.time_to_recover_s));
    CHECK(std::isnan(s.resilience_loss_s));
    CHECK_FALSE(s.learning_rounds.has_value());
    CHECK_FALSE(s.services.has_value());
    CHECK(std::isnan(s.risk_model_accuracy));
    // Q over the outcomes known in the complete intervals
    CHECK(s.outcomes.known() > 0);
    CHECK(s.service_level == doctest::Approx(static_cast<double>(s.outcomes.served) /
                                             static_cast<double>(s.outcomes.known())));
}

namespace {

// the same sample, NaN equal to NaN (no unassigned order: no oldest age)
bool same(const LeadingSample& a, const LeadingSample& b) {
    return a.t == b.t && a.unassigned == b.unassigned && a.at_risk == b.at_risk &&
           a.overdue == b.overdue && a.backlog == b.backlog &&
           std::bit_cast<std::uint64_t>(a.oldest_unassigned_age_s) ==
               std::bit_cast<std::uint64_t>(b.oldest_unassigned_age_s);
}

bool same(const std::vector<LeadingSample>& a, const std::vector<LeadingSample>& b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const auto& x, const auto& y) { return same(x, y); });
}

std::string json(const KpiSummary& s) {
    std::ostringstream out;
    s.to_json(out);
    return out.str();
}

// the small city with a KPI grid of 5 min and a cloud outage (resilience figures apply)
void for_checkpoints(SmallCity& city) {
    city.spec.allocation.policy = "cloud";
    city.spec.demand.kpi_interval_s = 300.0;
    city.spec.disruptions.push_back(cloud_outage(1200.0, 900.0));
}

swarm::sim::RunLimits until_s(const FleetSpec& spec, double s) {
    swarm::sim::RunLimits l;
    l.until = spec.time.from_seconds(s);
    return l;
}

}  // namespace

TEST_CASE("kpi observer: saved mid-run and loaded into a fresh run's observer, it saves the same") {
    SmallCity city;
    for_checkpoints(city);
    swarm::sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    (void)run.run(until_s(city.spec, 2850.0));  // between samples, after the outage began
    const FleetKpiObserver& kpis = run.kpis();
    REQUIRE(kpis.samples() == 9);
    swarm::sim::StateArchive saved;
    kpis.save(saved);
    // field by field, by name (a forgotten one fails the second save's checksum or these)
    for (const char* name :
         {"kpis/samples", "kpis/timeline/t", "kpis/timeline/oldest_unassigned_age_s",
          "kpis/latest/t", "kpis/latest/hash", "kpis/latest/depots/late_samples",
          "kpis/latest/depots/queue/area", "kpis/latest/fleet/busy", "kpis/latest/series/due",
          "kpis/latest/series/accounted", "kpis/latest/summary/cost",
          "kpis/latest/summary/resilience_loss_s", "kpis/latest/summary/services",
          "kpis/latest/summary/groups/id/values", "kpis/latest/summary/lateness_histogram"}) {
        CAPTURE(name);
        CHECK(saved.has(name));
    }

    FleetRun fresh(city.spec, run_options(city.spec, *city.routers, serial));
    FleetKpiObserver loaded(fresh.model());
    loaded.load(saved);
    swarm::sim::StateArchive again;
    loaded.save(again);
    CHECK(again.checksum() == saved.checksum());
    CHECK(loaded.samples() == kpis.samples());
    CHECK(same(loaded.timeline(), kpis.timeline()));
    CHECK(loaded.latest().t == kpis.latest().t);
    CHECK(loaded.latest().hash == kpis.latest().hash);
    CHECK(json(loaded.latest().summary) == json(kpis.latest().summary));
    CHECK(loaded.latest().series == kpis.latest().series);
    CHECK(loaded.latest().fleet == kpis.latest().fleet);
    CHECK(loaded.latest().depots.late_samples == kpis.latest().depots.late_samples);
    CHECK(loaded.latest().summary.disruptions == 2);  // the outage and its end

    // before the first sample there is nothing but empty figures, and that loads too
    FleetKpiObserver unsampled(fresh.model());
    swarm::sim::StateArchive empty;
    unsampled.save(empty);
    loaded.load(empty);
    CHECK(loaded.samples() == 0);
    CHECK(loaded.timeline().empty());
}

TEST_CASE(
    "kpi observer: a resumed observer's timeline and last sample are the uninterrupted run's") {
    SmallCity city;
    for_checkpoints(city);
    swarm::sim::SerialExecutor serial;
    const double t_s = 2850.0;
    const double end_s = 5400.0;
    FleetRun whole(city.spec, run_options(city.spec, *city.routers, serial));
    (void)whole.run(until_s(city.spec, t_s));
    swarm::sim::StateArchive at_t;
    whole.kpis().save(at_t);
    (void)whole.run(until_s(city.spec, end_s));

    // the same run (deterministic: the model reaches the same state at t) whose own observer
    // samples only after t; the samples before come from the checkpoint
    FleetRunOptions o = run_options(city.spec, *city.routers, serial);
    o.kpi_samples = false;
    FleetRun resumed(city.spec, o);
    FleetKpiObserver kpis(resumed.model());
    resumed.add_observer(kpis, city.spec.time.from_seconds(3000.0),
                         city.spec.time.from_seconds(300.0));
    (void)resumed.run(until_s(city.spec, t_s));
    REQUIRE(kpis.samples() == 0);
    kpis.load(at_t);
    (void)resumed.run(until_s(city.spec, end_s));
    CHECK(resumed.engine().event_hash() == whole.engine().event_hash());
    CHECK(kpis.samples() == whole.kpis().samples());
    CHECK(same(kpis.timeline(), whole.kpis().timeline()));
    CHECK(kpis.latest().t == whole.kpis().latest().t);
    CHECK(kpis.latest().hash == whole.kpis().latest().hash);
    CHECK(resumed.finish(city.spec.time.from_seconds(end_s)).hash ==
          whole.finish(city.spec.time.from_seconds(end_s)).hash);
}

TEST_CASE("kpi observer: a checkpoint of another run's KPIs does not load, and changes nothing") {
    SmallCity city;
    for_checkpoints(city);
    swarm::sim::SerialExecutor serial;
    FleetRun run(city.spec, run_options(city.spec, *city.routers, serial));
    (void)run.run(until_s(city.spec, 1000.0));
    swarm::sim::StateArchive saved;
    run.kpis().save(saved);

    // another KPI grid
    SmallCity coarse;
    for_checkpoints(coarse);
    coarse.spec.demand.kpi_interval_s = 600.0;
    FleetRun other(coarse.spec, run_options(coarse.spec, *coarse.routers, serial));
    FleetKpiObserver kpis(other.model());
    CHECK_THROWS_WITH_AS(
        kpis.load(saved),
        doctest::Contains("series/interval' holds 300000000; this run has 600000000"),
        swarm::sim::CheckpointError);
    CHECK(kpis.samples() == 0);
    // other fleets
    SmallCity renamed;
    for_checkpoints(renamed);
    for (FleetGroup& g : renamed.spec.fleets) {
        g.id = g.type == 0 ? "trucks" : g.id;
    }
    FleetRun third(renamed.spec, run_options(renamed.spec, *renamed.routers, serial));
    FleetKpiObserver third_kpis(third.model());
    CHECK_THROWS_WITH_AS(third_kpis.load(saved),
                         "checkpoint field 'kpis/latest/summary/groups/id': fleets vans, drones; "
                         "this run's are trucks, drones",
                         swarm::sim::CheckpointError);
    swarm::sim::StateArchive partial;  // a missing field
    for (const auto& [name, a] : saved.arrays()) {
        if (name != "kpis/latest/summary/veh_km") {
            partial.insert(name, a);
        }
    }
    FleetRun fresh(city.spec, run_options(city.spec, *city.routers, serial));
    FleetKpiObserver fresh_kpis(fresh.model());
    // figures that do not give their hash
    swarm::sim::StateArchive forged;
    for (const auto& [name, a] : saved.arrays()) {
        swarm::sim::StateArray copy = a;
        if (name == "kpis/latest/summary/cost") {
            copy.bytes[7] ^= 0x01;
        }
        forged.insert(name, copy);
    }
    CHECK_THROWS_WITH_AS(fresh_kpis.load(forged), doctest::Contains("kpis/latest/hash"),
                         swarm::sim::CheckpointError);
    CHECK_THROWS_WITH_AS(fresh_kpis.load(partial),
                         "checkpoint field 'kpis/latest/summary/veh_km' is missing",
                         swarm::sim::CheckpointError);
    CHECK(fresh_kpis.samples() == 0);
}
