// Fleet KPIs through the kernel's observer interface: a thin layer over agents/logistics. At
// each sample time (the exact state at that instant, between windows) the observer sums the
// depots' DepotCounters and KpiSeries and the vehicles' FleetCounters in id order and builds
// the logistics KpiSummary, so the figures and their hash are the same for any thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "agents/fleet/fleet_spec.hpp"
#include "agents/logistics/kpi.hpp"
#include "sim/observer.hpp"
#include "sim/state_archive.hpp"
#include "sim/time.hpp"

namespace swarm::agents {

class FleetModel;

// Everything aggregated at one instant: the sums the summary is built from, and the summary.
struct FleetKpis {
    sim::Tick t = 0;
    DepotCounters depots;    // all depots, dock queues advanced to t
    FleetCounters fleet;     // all vehicles, the current state's time up to t included
    KpiSeries series;        // all depots' order columns plus the fleet-time columns
    KpiSummary summary;      // summarize(depots, fleet, series, [0, t))
    std::uint64_t hash = 0;  // kpi_hash(summary, series): equal across thread counts
};

// a stable FNV-1a hash of every figure of the summary and of the series' columns
[[nodiscard]] std::uint64_t kpi_hash(const KpiSummary& summary, const KpiSeries& series);

// The order counts of all depots, summed in id order: what a trace frame or the live view
// shows at every sample, and what the cost KPI charges for failed and late orders. O(depots):
// no lateness samples, queues or series are copied.
struct OrderTotals {
    std::uint64_t created = 0;
    std::uint64_t delivered_on_time = 0;
    std::uint64_t delivered_late = 0;
    std::uint64_t failed = 0;
    std::uint64_t orphaned = 0;
    sim::Tick late_total = 0;  // the lateness of the late deliveries, summed

    [[nodiscard]] std::uint64_t delivered() const { return delivered_on_time + delivered_late; }
    [[nodiscard]] std::uint64_t open() const { return created - delivered() - failed; }
    // inline: the trace takes a depot's totals out of the sum and puts them back at every
    // sample whose journal names the depot
    OrderTotals& operator+=(const OrderTotals& other) {
        created += other.created;
        delivered_on_time += other.delivered_on_time;
        delivered_late += other.delivered_late;
        failed += other.failed;
        orphaned += other.orphaned;
        late_total += other.late_total;
        return *this;
    }
    OrderTotals& operator-=(const OrderTotals& other) {
        created -= other.created;
        delivered_on_time -= other.delivered_on_time;
        delivered_late -= other.delivered_late;
        failed -= other.failed;
        orphaned -= other.orphaned;
        late_total -= other.late_total;
        return *this;
    }
};
[[nodiscard]] inline OrderTotals order_totals(const DepotCounters& depot) {
    return {depot.created,  depot.delivered_on_time, depot.delivered_late,
            depot.failed(), depot.orphaned,          depot.late_total};
}
[[nodiscard]] OrderTotals order_totals(const FleetModel& model);

// One complete KPI interval summed over the depots (in id order) and the fleet: what a trace
// frame and the live view's dashboard carry per interval.
struct IntervalKpis {
    sim::Tick end = 0;       // the interval's end
    ServiceCounts outcomes;  // Q(k) = outcomes.q()
    std::uint64_t due = 0;
    std::uint64_t delivered = 0;
    double utilisation = 0.0;  // busy / accounted vehicle time
};
// the KPI intervals [from, t / kpi interval): those complete at t and not yet reported
[[nodiscard]] std::vector<IntervalKpis> completed_intervals(const FleetModel& model,
                                                            std::size_t from, sim::Tick t);

// The open orders at t, for the leading indicators and the cost of held orders.
struct OpenOrderKpis {
    std::uint64_t unassigned = 0;  // open and on no vehicle (kCreated in the book)
    sim::Tick oldest_unassigned_created = sim::kTickNever;
    std::uint64_t at_risk = 0;    // not yet due, but estimated to be handed over after due
    std::uint64_t overdue = 0;    // open past their due time
    sim::Tick overdue_ticks = 0;  // sum over the overdue ones of (t - due)
};
// O(open orders + planned orders). with_risk = false skips the at-risk estimate.
[[nodiscard]] OpenOrderKpis open_order_kpis(const FleetModel& model, sim::Tick t,
                                            bool with_risk = true);

// What the cost KPI charges for (CostParams prices each; docs/logistics.md "Cost").
struct CostInputs {
    double veh_km = 0.0;
    double energy_kwh = 0.0;
    double late_minutes = 0.0;      // late deliveries, and open orders past due, up to now
    std::uint64_t late_orders = 0;  // delivered late, or open past due
    std::uint64_t failed = 0;
    std::uint64_t breakdowns = 0;
    std::uint64_t services = 0;
};
struct CostBreakdown {
    double distance = 0.0;
    double energy = 0.0;
    double lateness = 0.0;
    double failed = 0.0;
    double vehicles = 0.0;  // breakdowns and services
    [[nodiscard]] double total() const { return distance + energy + lateness + failed + vehicles; }
};
[[nodiscard]] CostBreakdown cost_of(const CostParams& prices, const CostInputs& in);
// the cost KPI of a run so far, at t (an O(depots + open orders) sum, the vehicles' from the
// model's tallies: fine at every sample)
[[nodiscard]] double running_cost(const FleetModel& model, sim::Tick t);
// the same with the open orders already counted at t (open_order_kpis)
[[nodiscard]] double running_cost(const FleetModel& model, sim::Tick t, const OpenOrderKpis& open);

// the name a fleet group's figures go under in KpiSummary::groups (groups of one name are
// summed): its id, else its vehicle type's name
[[nodiscard]] const std::string& fleet_kpi_id(const FleetSpec& spec, const FleetGroup& group);

// The leading indicators at one sample (KpiSummary's fields of the same names).
struct LeadingSample {
    sim::Tick t = 0;
    std::uint64_t unassigned = 0;
    double oldest_unassigned_age_s = 0.0;  // NaN when none
    std::uint64_t at_risk = 0;
    std::uint64_t overdue = 0;
    std::uint64_t backlog = 0;  // open orders
};

class FleetKpiObserver final : public sim::Observer {
  public:
    explicit FleetKpiObserver(const FleetModel& model) : model_(model) {}

    // aggregates at t and keeps the result as latest()
    void on_sample(const sim::Engine& engine, sim::Tick t) override;

    // aggregates the model's state at t (e.g. the end of a run); any time after the last
    // event handled and not before the last sample
    [[nodiscard]] FleetKpis take(sim::Tick t) const;
    [[nodiscard]] const FleetKpis& latest() const { return latest_; }
    [[nodiscard]] std::uint64_t samples() const { return samples_; }
    // the leading indicators of every sample so far, in time order
    [[nodiscard]] const std::vector<LeadingSample>& timeline() const { return timeline_; }

    // Checkpoints (sim/state_archive.hpp): everything the samples so far left, under "kpis"
    // (latest(), its sums, series and summary field by field; timeline(); samples()), so that
    // a resumed run's latest sample, timeline and sample count are the uninterrupted run's.
    // load() expects an observer of a run of the same spec; it throws sim::CheckpointError,
    // and changes nothing, when the saved state does not fit (another KPI grid, other fleets,
    // figures that do not give their hash).
    void save(sim::StateArchive& ar) const;
    void load(const sim::StateArchive& ar);

  private:
    const FleetModel& model_;
    FleetKpis latest_;
    std::vector<LeadingSample> timeline_;
    std::uint64_t samples_ = 0;
};

}  // namespace swarm::agents
