#include "agents/fleet/kpi_observer.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "agents/fleet/fleet_model.hpp"

namespace swarm::agents {

namespace {

// FNV-1a over 64-bit words
struct Hasher {
    std::uint64_t h = 1469598103934665603ull;
    void add(std::uint64_t x) {
        for (int i = 0; i < 8; ++i) {
            h ^= (x >> (8 * i)) & 0xFFu;
            h *= 1099511628211ull;
        }
    }
    void add(std::int64_t x) { add(static_cast<std::uint64_t>(x)); }
    void add(double x) { add(std::bit_cast<std::uint64_t>(x)); }
};

}  // namespace

std::uint64_t kpi_hash(const KpiSummary& s, const KpiSeries& series) {
    Hasher h;
    // orders
    h.add(s.created);
    h.add(s.delivered);
    h.add(s.delivered_on_time);
    h.add(s.delivered_late);
    h.add(s.delivered_short);
    h.add(s.failed);
    h.add(s.backlog);
    for (const std::uint64_t n : s.failed_by_reason) {
        h.add(n);
    }
    h.add(static_cast<std::uint64_t>(s.intervals));
    h.add(s.due);
    h.add(s.due_on_time_in_full);
    h.add(s.due_delivered);
    h.add(s.on_time_in_full_pct);
    h.add(s.fill_rate);
    h.add(s.outcomes.served);
    h.add(s.outcomes.lost);
    h.add(s.outcomes.lapsed);
    h.add(s.service_level);
    h.add(s.service_level_min);
    h.add(s.unassigned);
    h.add(s.oldest_unassigned_age_s);
    h.add(s.at_risk);
    h.add(s.overdue);
    h.add(s.lateness_p50_s);
    h.add(s.lateness_p90_s);
    h.add(s.lateness_p99_s);
    h.add(s.lateness_max_s);
    for (const std::uint64_t n : s.lateness_histogram.counts) {
        h.add(n);
    }
    h.add(s.orphaned);
    h.add(s.reassigned);
    h.add(s.time_to_reassign_mean_s);
    h.add(s.time_to_reassign_max_s);
    // fleet and depots
    h.add(s.veh_km);
    h.add(s.drive_hours);
    h.add(s.energy_kwh);
    h.add(s.utilisation);
    h.add(s.queue_mean);
    h.add(s.queue_max);
    h.add(s.dock_busy_h);
    h.add(s.decision_latency_mean_s);
    h.add(s.disruptions);
    h.add(s.breakdowns);
    h.add(s.time_to_impact_s);
    h.add(s.time_to_recover_s);
    h.add(s.resilience_loss_s);
    h.add(s.messages);
    h.add(s.bytes);
    h.add(s.cost);
    h.add(s.cost_lateness);
    for (const std::optional<std::uint64_t>& n :
         {s.services, s.wear_breakdowns, s.learning_rounds, s.model_bytes}) {
        h.add(n ? *n : ~std::uint64_t{0});
    }
    // only runs that sign or tamper have these (the hashes of the others stay as they were)
    for (const std::optional<std::uint64_t>& n : {s.model_rejected, s.model_tampered}) {
        if (n) {
            h.add(*n);
        }
    }
    for (const GroupKpis& g : s.groups) {
        h.add(std::uint64_t{g.vehicles_used});
        h.add(g.deliveries);
        h.add(g.veh_km);
    }
    h.add(s.risk_model_loss);
    h.add(s.risk_model_accuracy);
    h.add(s.travel_time_rmse);
    h.add(s.model_consensus);
    // the series, column by column
    for (std::size_t k = 0; k < series.size(); ++k) {
        h.add(series.created(k));
        h.add(series.due(k));
        h.add(series.on_time_in_full(k));
        h.add(series.delivered_by_due(k));
        h.add(series.delivered(k));
        h.add(series.failed(k));
        h.add(series.settled_by_due(k));
        h.add(series.served(k));
        h.add(series.lost(k));
        h.add(series.busy(k));
        h.add(series.accounted(k));
    }
    return h.h;
}

namespace {

double distance(Point a, Point b) {
    return std::hypot(a.x - b.x, a.y - b.y);
}

// the fastest any vehicle of the fleet covers a straight-line metre, in seconds per metre
// (ground vehicles: the road detour over the fastest road at the fastest hour; drones fly
// straight)
double best_pace_s_per_m(const FleetSpec& spec) {
    double best = std::numeric_limits<double>::infinity();
    for (const FleetGroup& g : spec.fleets) {
        const VehicleType& t = spec.types[g.type];
        double pace =
            t.kind == VehicleKind::kDrone
                ? 1.0 / t.cruise_mps
                : spec.allocation.detour_factor / (spec.net().max_speed_mps() * t.speed_factor);
        if (t.kind != VehicleKind::kDrone && !spec.speed_profile.empty()) {
            pace /= spec.speed_profile.max_factor();  // a profile may speed roads up
        }
        best = std::min(best, pace);
    }
    return best;
}

CostInputs cost_inputs(const FleetModel& model, const OrderTotals& orders,
                       const FleetCounters& fleet, const OpenOrderKpis& open) {
    CostInputs in;
    in.veh_km = fleet.metres() / 1000.0;
    in.energy_kwh = fleet.energy_kwh();
    in.late_minutes = model.spec().time.to_seconds(orders.late_total + open.overdue_ticks) / 60.0;
    in.late_orders = orders.delivered_late + open.overdue;
    in.failed = orders.failed;
    in.breakdowns = fleet.breakdowns;
    in.services = fleet.services;
    return in;
}

// resilience: Q over the complete intervals against the level before the first disruption,
// times measured from its onset (docs/disruptions.md)
void add_resilience_kpis(const FleetModel& model, FleetKpis& k) {
    KpiSummary& s = k.summary;
    const FleetSpec& spec = model.spec();
    const sim::TimeScale ts = spec.time;
    const auto& log = model.disruption_log();
    s.disruptions = log.size();
    s.time_to_impact_s = kNotApplicable;
    s.time_to_recover_s = kNotApplicable;
    s.resilience_loss_s = kNotApplicable;
    const Tick interval = model.kpi_interval();
    const std::size_t n = interval > 0 ? static_cast<std::size_t>(k.t / interval) : 0;
    if (log.empty()) {
        return;
    }
    const std::vector<double> q = k.series.service_levels(n);
    const Tick start = log.front().t;
    const Recovery r = time_to_recover(q, interval, spec.resilience.failure_threshold,
                                       spec.resilience.recovery_threshold, start);
    if (r.failed) {
        s.time_to_impact_s = ts.to_seconds(r.time_to_impact);
        s.time_to_recover_s = r.recovered ? ts.to_seconds(r.time_to_recover) : kNotApplicable;
    } else if (!q.empty()) {
        s.time_to_recover_s = 0.0;
    }
    const auto first = static_cast<std::size_t>(start / interval);
    double baseline = 0.0;
    for (std::size_t i = 0; i < first && i < q.size(); ++i) {
        baseline += q[i];
    }
    baseline = first > 0 ? baseline / static_cast<double>(std::min(first, q.size())) : 1.0;
    if (first < q.size()) {
        const std::vector<double> after(q.begin() + static_cast<std::ptrdiff_t>(first), q.end());
        s.resilience_loss_s = resilience_loss(after, baseline, interval, ts).loss_s;
    }
}

// comms, cost, the leading indicators, learning and the per-fleet figures
void add_fleet_kpis(const FleetModel& model, FleetKpis& k) {
    KpiSummary& s = k.summary;
    const FleetSpec& spec = model.spec();
    const sim::TimeScale ts = spec.time;
    s.breakdowns = k.fleet.breakdowns;
    add_resilience_kpis(model, k);
    const comms::MessageTotals c = model.comms_totals();
    s.messages = c.messages_sent;
    s.bytes = c.bytes_sent;
    const double agents = static_cast<double>(model.agent_count());
    s.messages_per_agent = static_cast<double>(c.messages_sent) / agents;
    s.bytes_per_agent = static_cast<double>(c.bytes_sent) / agents;

    const OpenOrderKpis open = open_order_kpis(model, k.t);
    s.unassigned = open.unassigned;
    s.oldest_unassigned_age_s = open.oldest_unassigned_created == sim::kTickNever
                                    ? kNotApplicable
                                    : ts.to_seconds(k.t - open.oldest_unassigned_created);
    s.at_risk = open.at_risk;
    s.overdue = open.overdue;

    const CostBreakdown cost =
        cost_of(spec.cost, cost_inputs(model, order_totals(k.depots), k.fleet, open));
    s.cost = cost.total();
    s.cost_distance = cost.distance;
    s.cost_energy = cost.energy;
    s.cost_lateness = cost.lateness;
    s.cost_failed = cost.failed;
    s.cost_vehicles = cost.vehicles;
    s.cost_per_delivered =
        s.delivered > 0 ? s.cost / static_cast<double>(s.delivered) : kNotApplicable;

    s.drive_hours = ts.to_seconds(model.fleet_tally().drive_time) / 3600.0;
    if (const FleetLearning* l = model.learning()) {
        const LearningTotals& lt = l->totals();
        s.services = k.fleet.services;
        s.wear_breakdowns = lt.wear_breakdowns;
        s.learning_rounds = lt.rounds;
        s.model_bytes = lt.model_bytes;
        if (spec.learning.exchange.sign) {
            s.model_rejected = lt.model_rejected;
        }
        if (spec.learning.exchange.tamper_rate > 0.0) {
            s.model_tampered = lt.model_tampered;
        }
        if (spec.learning.learns()) {
            const LearningMetrics& m = l->metrics();
            s.risk_model_loss = m.risk_loss;
            s.risk_model_accuracy = m.risk_accuracy;
            s.travel_time_rmse = m.travel_time_rmse;
            s.model_consensus = m.consensus_risk;
        }
    }

    // per scenario fleet (its groups summed), in the order the fleets first appear: the sums
    // over its vehicles from the model's tallies, kept as they change (the model numbers the
    // KPI groups in the same order)
    std::vector<FleetCounters> sums;
    for (std::size_t f = 0; f < spec.fleets.size(); ++f) {
        const FleetGroup& g = spec.fleets[f];
        const std::string& id = fleet_kpi_id(spec, g);
        auto it = std::find_if(s.groups.begin(), s.groups.end(),
                               [&](const GroupKpis& x) { return x.id == id; });
        if (it == s.groups.end()) {
            const FleetTally tally = model.group_tally(model.kpi_group(f));
            s.groups.push_back({id, 0, static_cast<std::uint32_t>(tally.used), 0, 0.0, 0.0});
            sums.push_back(tally.at(k.t));
            it = s.groups.end() - 1;
        }
        it->vehicles += g.count;
    }
    for (std::size_t i = 0; i < s.groups.size(); ++i) {
        GroupKpis& gk = s.groups[i];
        gk.deliveries = sums[i].deliveries;
        gk.veh_km = sums[i].metres() / 1000.0;
        gk.utilisation = sums[i].accounted() > 0 ? static_cast<double>(sums[i].busy) /
                                                       static_cast<double>(sums[i].accounted())
                                                 : kNotApplicable;
    }
}

}  // namespace

const std::string& fleet_kpi_id(const FleetSpec& spec, const FleetGroup& group) {
    return group.id.empty() ? spec.types[group.type].name : group.id;
}

OpenOrderKpis open_order_kpis(const FleetModel& model, sim::Tick t, bool with_risk) {
    OpenOrderKpis out;
    const FleetSpec& spec = model.spec();
    const world::RoadNetwork& net = spec.net();
    const double pace = best_pace_s_per_m(spec);
    // orders in the depots' books, and the vehicles holding some (assigned or picked up)
    std::vector<std::uint32_t> holders;
    for (std::uint32_t d = 0; d < model.depot_count(); ++d) {
        const OrderBook& book = model.depot(d).book;
        const Point depot = net.position(spec.depots[d].node);
        const sim::Tick dock = spec.time.from_seconds(spec.depots[d].dock_service.mean_s);
        // the closed orders among them by their state alone: only the open ones are unpacked
        const OrderView scan = book.from_oldest_open();
        for (std::size_t i = 0; i < scan.size(); ++i) {
            if (is_terminal(scan.state(i))) {
                continue;
            }
            const Order o = scan[i];
            if (with_risk &&
                (o.state == OrderState::kAssigned || o.state == OrderState::kPickedUp)) {
                if (o.vehicle < model.vehicle_count()) {
                    holders.push_back(o.vehicle);
                }
            }
            if (o.state == OrderState::kCreated) {
                ++out.unassigned;
                out.oldest_unassigned_created = std::min(out.oldest_unassigned_created, o.created);
            }
            if (t > o.due) {
                ++out.overdue;
                out.overdue_ticks += t - o.due;
            } else if (with_risk && o.state == OrderState::kCreated) {
                // unassigned: late even if the fastest vehicle loaded it now (at its pick-up
                // location once that opens, when it has one) and went straight
                const ReplayOrder* row = o.ref == kNoRef ? nullptr : &spec.replay.orders[o.ref];
                sim::Tick loaded = t + dock;
                Point from = depot;
                if (row != nullptr && row->has_pickup()) {
                    from = net.position(row->pickup);
                    loaded = std::max(t, spec.time.from_seconds(row->pickup_earliest_s)) +
                             spec.time.from_seconds(row->pickup_service_s);
                }
                const double drive_s = distance(from, net.position(o.customer_node)) * pace;
                const sim::Tick best =
                    std::max(loaded + spec.time.from_seconds(drive_s), o.ready) + o.service_time;
                out.at_risk += best > o.due ? 1u : 0u;
            }
        }
    }
    if (!with_risk) {
        return out;
    }
    // orders on vehicles: the vehicle's own straight-line estimate of its plan. Only a vehicle
    // holding an open order can count one, so those are all that is read (not the fleet)
    std::sort(holders.begin(), holders.end());
    holders.erase(std::unique(holders.begin(), holders.end()), holders.end());
    std::array<sim::Tick, kMaxPlan> handed_over{};
    for (const std::uint32_t v : holders) {
        const Plan& plan = model.vehicles().plan[v];
        if (plan.size == 0) {
            continue;
        }
        (void)estimate_plan(spec, model.vehicle_view(v, t), nullptr, t, handed_over);
        for (std::uint32_t i = 0; i < plan.size; ++i) {
            const PlanEntry& e = plan.entries[i];
            const Order& o = model.depot(e.depot).book.order({e.depot, e.order});
            const bool held =
                (o.state == OrderState::kAssigned || o.state == OrderState::kPickedUp) &&
                o.vehicle == v;
            out.at_risk += held && t <= o.due && handed_over[i] > o.due ? 1u : 0u;
        }
    }
    return out;
}

CostBreakdown cost_of(const CostParams& prices, const CostInputs& in) {
    CostBreakdown c;
    c.distance = in.veh_km * prices.per_km;
    c.energy = in.energy_kwh * prices.per_kwh;
    c.lateness = in.late_minutes * prices.per_late_minute +
                 static_cast<double>(in.late_orders) * prices.per_late_order;
    c.failed = static_cast<double>(in.failed) * prices.per_failed_order;
    c.vehicles = static_cast<double>(in.breakdowns) * prices.per_breakdown +
                 static_cast<double>(in.services) * prices.per_service;
    return c;
}

double running_cost(const FleetModel& model, sim::Tick t) {
    return running_cost(model, t, open_order_kpis(model, t, false));
}

double running_cost(const FleetModel& model, sim::Tick t, const OpenOrderKpis& open) {
    const FleetCounters fleet = model.fleet_counters(t);
    return cost_of(model.spec().cost, cost_inputs(model, order_totals(model), fleet, open)).total();
}

OrderTotals order_totals(const FleetModel& model) {
    OrderTotals sum;
    for (std::uint32_t d = 0; d < model.depot_count(); ++d) {
        sum += order_totals(model.depot(d).book.counters());
    }
    return sum;
}

std::vector<IntervalKpis> completed_intervals(const FleetModel& model, std::size_t from,
                                              sim::Tick t) {
    std::vector<IntervalKpis> out;
    const sim::Tick interval = model.kpi_interval();
    const auto complete = static_cast<std::size_t>(t / interval);
    if (complete <= from) {
        return out;
    }
    const KpiSeries fleet_series = model.fleet_series(t);
    for (std::size_t k = from; k < complete; ++k) {
        IntervalKpis iv;
        iv.end = static_cast<sim::Tick>(k + 1) * interval;
        for (std::uint32_t d = 0; d < model.depot_count(); ++d) {
            const KpiSeries& s = model.depot(d).book.series();
            iv.outcomes += s.service_counts(k);
            iv.due += s.due(k);
            iv.delivered += s.delivered(k);
        }
        iv.utilisation = fleet_series.utilisation(k);
        out.push_back(iv);
    }
    return out;
}

FleetKpis FleetKpiObserver::take(sim::Tick t) const {
    FleetKpis k;
    k.t = t;
    // depots, in id order: counters (queues advanced to t) and order series
    k.series = KpiSeries(model_.kpi_interval());
    for (std::uint32_t d = 0; d < model_.depot_count(); ++d) {
        const OrderBook& book = model_.depot(d).book;
        DepotCounters c = book.counters();
        c.queue.advance(t);
        k.depots += c;
        k.series += book.series();
    }
    // vehicles, in id order, and the fleet-time columns booked at barriers
    k.fleet = model_.fleet_counters(t);
    k.series += model_.fleet_series(t);
    SummaryScope scope;
    scope.start = 0;
    scope.end = t;
    scope.depots = model_.depot_count();
    scope.scale = model_.spec().time;
    k.summary = summarize(k.depots, k.fleet, k.series, scope);
    add_fleet_kpis(model_, k);
    k.hash = kpi_hash(k.summary, k.series);
    return k;
}

void FleetKpiObserver::on_sample(const sim::Engine& /*engine*/, sim::Tick t) {
    latest_ = take(t);
    ++samples_;
    const KpiSummary& s = latest_.summary;
    timeline_.push_back(
        {t, s.unassigned, s.oldest_unassigned_age_s, s.at_risk, s.overdue, s.backlog});
}

}  // namespace swarm::agents
