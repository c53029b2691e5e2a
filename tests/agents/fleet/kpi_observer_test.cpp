// The fleet layer's KPIs (agents/fleet/kpi_observer.*): the leading indicators against a
// recount of the order books, the cost of a stalled fleet against a working one, the
// per-fleet figures, and figures that do not apply reading NaN / empty, never 0.
#include "agents/fleet/kpi_observer.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

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
