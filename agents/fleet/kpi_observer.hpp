// Fleet KPIs, computed in the core and exposed through the kernel's observer interface. At
// each sample time (the exact state at that instant) the observer sums the depot and vehicle
// counters in id order, so the series and the summary are the same for any thread count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/observer.hpp"
#include "sim/time.hpp"

namespace swarm::agents {

class FleetModel;

// cumulative totals at one instant, plus the service level of the interval that ended there
struct FleetKpiSample {
    sim::Tick t = 0;
    std::uint64_t created = 0;
    std::uint64_t delivered = 0;
    std::uint64_t on_time = 0;
    std::uint64_t late = 0;
    std::uint64_t failed = 0;
    std::uint64_t backlog = 0;   // created, neither delivered nor failed
    double service_level = 1.0;  // Q(t): on-time / (delivered + failed) in the interval
    double utilisation = 0.0;    // share of vehicles busy (not idle, charging or broken)
    double vehicle_km = 0.0;
    double energy_kwh = 0.0;
    std::uint64_t dock_queue = 0;    // vehicles waiting for a dock, all depots
    std::uint64_t charge_queue = 0;  // vehicles waiting for a charging point, all depots
    std::uint64_t messages = 0;      // offers + bids + declines so far
};

struct FleetKpiSummary {
    std::uint64_t created = 0;
    std::uint64_t delivered = 0;
    std::uint64_t on_time = 0;
    std::uint64_t late = 0;
    std::uint64_t failed = 0;
    std::uint64_t backlog = 0;
    double on_time_rate = 0.0;     // on-time / delivered
    double mean_delivery_s = 0.0;  // created -> delivered, over delivered orders
    double vehicle_km = 0.0;
    double energy_kwh = 0.0;
    double mean_utilisation = 0.0;  // over samples
    double service_loss = 0.0;      // integral of (1 - Q(t)) dt, hours (resilience triangle)
    double mean_dock_wait_s = 0.0;  // over all loading-dock customers
    std::uint64_t energy_violations = 0;
    std::uint32_t max_load_over_capacity = 0;  // vehicles that ever exceeded their capacity
    // a hash of every figure above and of the series: equal across thread counts
    std::uint64_t hash = 0;

    [[nodiscard]] std::string to_string() const;
};

class FleetKpiObserver final : public sim::Observer {
  public:
    explicit FleetKpiObserver(const FleetModel& model) : model_(model) {}

    void on_sample(const sim::Engine& engine, sim::Tick t) override;

    // totals now (call after run; takes one more sample's worth of figures at `t`)
    [[nodiscard]] FleetKpiSample take(sim::Tick t) const;
    [[nodiscard]] FleetKpiSummary summary(sim::Tick t) const;
    [[nodiscard]] const std::vector<FleetKpiSample>& series() const { return series_; }

  private:
    const FleetModel& model_;
    std::vector<FleetKpiSample> series_;
};

}  // namespace swarm::agents
