#include "agents/fleet/kpi_observer.hpp"

#include <bit>
#include <cmath>
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
    h.add(s.service_level_min);
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
    h.add(s.time_to_recover_s);
    h.add(s.resilience_loss_s);
    h.add(s.messages);
    h.add(s.bytes);
    h.add(s.cost);
    h.add(s.services);
    h.add(s.wear_breakdowns);
    h.add(s.learning_rounds);
    h.add(s.model_bytes);
    h.add(s.risk_model_loss);
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
        h.add(series.busy(k));
        h.add(series.accounted(k));
    }
    return h.h;
}

namespace {

// resilience, comms and cost figures of the summary (docs/disruptions.md)
void add_disruption_kpis(const FleetModel& model, FleetKpis& k) {
    KpiSummary& s = k.summary;
    const FleetSpec& spec = model.spec();
    const sim::TimeScale ts = spec.time;
    s.breakdowns = k.fleet.breakdowns;
    const auto& log = model.disruption_log();
    s.disruptions = log.size();
    // Q(t) over the complete intervals; the baseline is the level before the first disruption
    const Tick interval = model.kpi_interval();
    const std::size_t n = interval > 0 ? static_cast<std::size_t>(k.t / interval) : 0;
    std::vector<double> q = k.series.service_levels(n);
    for (double& x : q) {
        if (!std::isfinite(x)) {
            x = 1.0;  // nothing due in that interval: no shortfall
        }
    }
    if (!log.empty() && !q.empty()) {
        const Tick start = log.front().t;
        const Recovery r = time_to_recover(q, interval, spec.resilience.failure_threshold,
                                           spec.resilience.recovery_threshold, start);
        s.time_to_recover_s = !r.failed     ? 0.0
                              : r.recovered ? ts.to_seconds(r.time_to_recover)
                                            : -1.0;
        const auto first = static_cast<std::size_t>(start / interval);
        double baseline = 0.0;
        for (std::size_t i = 0; i < first && i < q.size(); ++i) {
            baseline += q[i];
        }
        baseline = first > 0 ? baseline / static_cast<double>(std::min(first, q.size())) : 1.0;
        std::vector<double> after(
            q.begin() + static_cast<std::ptrdiff_t>(std::min(first, q.size())), q.end());
        s.resilience_loss_s = resilience_loss(after, baseline, interval, ts).loss_s;
    }
    const comms::MessageTotals c = model.comms_totals();
    s.messages = c.messages_sent;
    s.bytes = c.bytes_sent;
    const double agents = static_cast<double>(model.agent_count());
    s.messages_per_agent = static_cast<double>(c.messages_sent) / agents;
    s.bytes_per_agent = static_cast<double>(c.bytes_sent) / agents;
    s.cost = cost_of(spec.cost, {s.veh_km, s.energy_kwh, ts.to_seconds(k.depots.late_total) / 60.0,
                                 s.failed, s.breakdowns, k.fleet.services});
    s.services = k.fleet.services;
    Tick driving = 0;
    for (std::uint32_t v = 0; v < model.vehicle_count(); ++v) {
        driving += model.vehicles().drive_time[v];
    }
    s.drive_hours = ts.to_seconds(driving) / 3600.0;
    if (const FleetLearning* l = model.learning()) {
        const LearningTotals& lt = l->totals();
        const LearningMetrics& m = l->metrics();
        s.wear_breakdowns = lt.wear_breakdowns;
        s.learning_rounds = lt.rounds;
        s.model_bytes = lt.model_bytes;
        s.risk_model_loss = m.risk_loss;
        s.risk_model_accuracy = m.risk_accuracy;
        s.travel_time_rmse = m.travel_time_rmse;
        s.model_consensus = m.consensus_risk;
    }
}

}  // namespace

double cost_of(const CostParams& prices, const CostInputs& in) {
    return in.veh_km * prices.per_km + in.energy_kwh * prices.per_kwh +
           in.late_minutes * prices.per_late_minute +
           static_cast<double>(in.failed) * prices.per_failed_order +
           static_cast<double>(in.breakdowns) * prices.per_breakdown +
           static_cast<double>(in.services) * prices.per_service;
}

double running_cost(const FleetModel& model, sim::Tick t) {
    CostInputs in;
    Tick late = 0;
    for (std::uint32_t d = 0; d < model.depot_count(); ++d) {
        const DepotCounters& c = model.depot(d).book.counters();
        late += c.late_total;
        in.failed += c.failed();
    }
    FleetCounters fleet;
    for (std::uint32_t v = 0; v < model.vehicle_count(); ++v) {
        fleet += model.vehicle_counters(v, t);
    }
    in.veh_km = fleet.metres() / 1000.0;
    in.energy_kwh = fleet.energy_kwh();
    in.late_minutes = model.spec().time.to_seconds(late) / 60.0;
    in.breakdowns = fleet.breakdowns;
    in.services = fleet.services;
    return cost_of(model.spec().cost, in);
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
    for (std::uint32_t v = 0; v < model_.vehicle_count(); ++v) {
        k.fleet += model_.vehicle_counters(v, t);
    }
    k.series += model_.fleet_series(t);
    SummaryScope scope;
    scope.start = 0;
    scope.end = t;
    scope.depots = model_.depot_count();
    scope.scale = model_.spec().time;
    k.summary = summarize(k.depots, k.fleet, k.series, scope);
    add_disruption_kpis(model_, k);
    k.hash = kpi_hash(k.summary, k.series);
    return k;
}

void FleetKpiObserver::on_sample(const sim::Engine& /*engine*/, sim::Tick t) {
    latest_ = take(t);
    ++samples_;
}

}  // namespace swarm::agents
