// Fleet KPIs through the kernel's observer interface: a thin layer over agents/logistics. At
// each sample time (the exact state at that instant, between windows) the observer sums the
// depots' DepotCounters and KpiSeries and the vehicles' FleetCounters in id order and builds
// the logistics KpiSummary, so the figures and their hash are the same for any thread count.
#pragma once

#include <cstdint>

#include "agents/fleet/fleet_spec.hpp"
#include "agents/logistics/kpi.hpp"
#include "sim/observer.hpp"
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

// What the cost KPI charges for (CostParams prices each).
struct CostInputs {
    double veh_km = 0.0;
    double energy_kwh = 0.0;
    double late_minutes = 0.0;  // summed over late deliveries
    std::uint64_t failed = 0;
    std::uint64_t breakdowns = 0;
    std::uint64_t services = 0;
};
[[nodiscard]] double cost_of(const CostParams& prices, const CostInputs& in);
// the cost KPI of a run so far, at t (an O(vehicles + depots) sum: fine at every sample)
[[nodiscard]] double running_cost(const FleetModel& model, sim::Tick t);

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

  private:
    const FleetModel& model_;
    FleetKpis latest_;
    std::uint64_t samples_ = 0;
};

}  // namespace swarm::agents
