// KPI accumulators and the run summary. Every LP keeps its own counters (no locks); at
// barriers they are summed in id order with `+=`. All sums are integers (ticks, millimetres,
// microwatt-hours, counts), so a total is exactly the same whatever order it is summed in,
// which keeps KPIs independent of partitions and of a future tree reduction across
// processes. Definitions and units: docs/logistics.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agents/logistics/order.hpp"
#include "sim/time.hpp"

namespace swarm::sim {
class StateArchive;
}

namespace swarm::agents {

// a figure that does not apply to the run (null in JSON, "-" in text)
inline constexpr double kNotApplicable = std::numeric_limits<double>::quiet_NaN();

// The time integral of a piecewise-constant integer level (a queue length): area in
// level x ticks, and the maximum level. Advance every integral to the same time before
// summing them: `+=` adds areas and levels, and keeps the larger `since` and `max`.
struct TimeIntegral {
    Tick since = 0;          // time of the last change (area covers [start, since))
    std::int64_t level = 0;  // current level
    std::int64_t max = 0;    // highest level seen
    std::int64_t area = 0;   // sum of level x ticks up to `since`

    // the level becomes `value` at `now` (now >= since)
    void set(Tick now, std::int64_t value);
    void add(Tick now, std::int64_t delta) { set(now, level + delta); }
    // integrate up to now without changing the level
    void advance(Tick now) { set(now, level); }

    TimeIntegral& operator+=(const TimeIntegral& other);
};

// Per-vehicle accumulators, small enough to keep one per vehicle LP (<= 64 bytes).
// Distance and energy are fixed point so that sums are exact and order-independent.
struct FleetCounters {
    std::int64_t distance_mm = 0;
    std::int64_t energy_uwh = 0;  // microwatt-hours; negative when regenerating
    Tick busy = 0;                // serving orders: to pick-up, loading, delivering
    Tick idle = 0;                // available, no order
    Tick charging = 0;            // at or queueing for a charger
    Tick down = 0;                // broken down, not available
    std::uint32_t deliveries = 0;
    std::uint32_t breakdowns = 0;
    std::uint32_t services = 0;  // planned maintenance visits

    void add_distance_m(double metres);
    void add_energy_kwh(double kwh);
    [[nodiscard]] double metres() const { return static_cast<double>(distance_mm) * 1e-3; }
    [[nodiscard]] double energy_kwh() const { return static_cast<double>(energy_uwh) * 1e-9; }
    [[nodiscard]] Tick accounted() const { return busy + idle + charging + down; }

    FleetCounters& operator+=(const FleetCounters& other);
    friend bool operator==(const FleetCounters&, const FleetCounters&) = default;
};
static_assert(sizeof(FleetCounters) <= 64, "one FleetCounters per vehicle: keep it small");

// Lateness of deliveries in fixed bins: bin 0 holds on-time deliveries (lateness 0), bin i
// in 1..8 lateness in (kEdgesMin[i-1], kEdgesMin[i]] minutes, bin 9 more than 120 minutes.
struct LatenessHistogram {
    static constexpr std::array<double, 9> kEdgesMin = {0, 1, 2, 5, 10, 15, 30, 60, 120};
    static constexpr std::size_t kBins = kEdgesMin.size() + 1;
    std::array<std::uint64_t, kBins> counts{};

    [[nodiscard]] static std::size_t bin(double lateness_s);
    void add(double lateness_s, std::uint64_t n = 1) { counts[bin(lateness_s)] += n; }
    [[nodiscard]] std::uint64_t total() const;

    LatenessHistogram& operator+=(const LatenessHistogram& other);
    friend bool operator==(const LatenessHistogram&, const LatenessHistogram&) = default;
};

// Per-depot accumulators. The order fields are written by the depot's OrderBook on every
// transition; `queue` and `dock_busy` by the depot LP itself.
struct DepotCounters {
    std::uint64_t created = 0;
    std::uint64_t assignments = 0;  // assign transitions, re-assignments included
    std::uint64_t picked_up = 0;
    std::uint64_t delivered_on_time = 0;  // delivered_at <= due
    std::uint64_t delivered_late = 0;
    std::uint64_t delivered_short = 0;  // handed over less than the order size
    std::uint64_t delivered_on_time_in_full = 0;
    std::array<std::uint64_t, kFailReasonCount> failed_by_reason{};
    std::uint64_t orphaned = 0;    // assigned -> created transitions
    std::uint64_t reassigned = 0;  // assignments of a previously orphaned order
    Tick reassign_time = 0;        // sum over re-assignments of (assigned_at - orphaned_at)
    Tick reassign_time_max = 0;
    // allocation latency: orders assigned at least once, and their waits from creation
    std::uint64_t first_assigned = 0;
    Tick first_assign_wait = 0;
    // lateness (ticks > 0) of every late delivery, in the order recorded; on-time deliveries
    // count as lateness 0 without a sample. Per depot only: memory is not a concern there.
    std::vector<Tick> late_samples;
    Tick late_total = 0;  // their sum (the cost KPI, cheap at every sample)
    TimeIntegral queue;   // vehicles waiting for a loading dock
    Tick dock_busy = 0;   // dock-ticks spent loading

    [[nodiscard]] std::uint64_t delivered() const { return delivered_on_time + delivered_late; }
    [[nodiscard]] std::uint64_t failed() const {
        std::uint64_t n = 0;
        for (const std::uint64_t c : failed_by_reason) {
            n += c;
        }
        return n;
    }
    // orders neither delivered nor failed
    [[nodiscard]] std::uint64_t open() const { return created - delivered() - failed(); }

    // appends the other's samples: sums are order-independent, sample order is not (the
    // summary sorts them)
    DepotCounters& operator+=(const DepotCounters& other);
};

// What became known in one interval of the service level: orders served (delivered on time
// and in full), lost (declared failed, or handed over short, before their due time) and
// lapsed (due in the interval and neither served nor lost by then: late, whatever happens
// next). Q = served / (served + lost + lapsed), the share of the outcomes that became known
// in the interval that were good; 1 when nothing became known (nobody was let down: check
// known() to tell). docs/logistics.md, "Service level".
struct ServiceCounts {
    std::uint64_t served = 0;
    std::uint64_t lost = 0;
    std::uint64_t lapsed = 0;

    [[nodiscard]] std::uint64_t known() const { return served + lost + lapsed; }
    [[nodiscard]] std::uint64_t bad() const { return lost + lapsed; }
    [[nodiscard]] double q() const;
    ServiceCounts& operator+=(const ServiceCounts& other);
    friend bool operator==(const ServiceCounts&, const ServiceCounts&) = default;
};

// Per-interval series on a fixed grid: interval k is [origin + k*I, origin + (k+1)*I).
// `due`, `on_time_in_full` and `settled_by_due` are binned by the order's due time,
// `created`, `delivered`, `failed`, `served` and `lost` by the time it happened. The service
// level Q(k) counts each order once, in the interval its outcome became known: a failure
// when it is declared, a late order at its due time (not at its late delivery), a good one
// at its delivery. Q(k) is final once interval k has ended. The fleet columns are filled by
// whoever aggregates vehicle time at barriers.
class KpiSeries {
  public:
    // an empty series without a grid: the identity of `+=` (adopts the other's grid)
    KpiSeries() = default;
    // interval > 0
    explicit KpiSeries(Tick interval, Tick origin = 0);

    [[nodiscard]] Tick interval() const { return interval_; }
    [[nodiscard]] Tick origin() const { return origin_; }
    // intervals holding data (the grid grows on demand)
    [[nodiscard]] std::size_t size() const { return due_.size(); }
    // the interval holding t (times before the origin fall in interval 0)
    [[nodiscard]] std::size_t interval_of(Tick t) const;
    [[nodiscard]] Tick start_of(std::size_t k) const;
    // intervals that end at or before `end`: the complete ones
    [[nodiscard]] std::size_t complete_before(Tick end) const;

    // recording (from the OrderBook); a due time of kTickNever means "never due"
    void on_created(Tick created, Tick due);
    // in_full: the whole size was handed over
    void on_delivered(Tick now, Tick due, bool in_full);
    void on_failed(Tick now, Tick due);
    // vehicle-ticks spent busy, and vehicle-ticks accounted (busy+idle+charging+down)
    void add_fleet_time(std::size_t k, Tick busy, Tick accounted);

    // raw columns (0 beyond size())
    [[nodiscard]] std::uint64_t created(std::size_t k) const { return at(created_, k); }
    [[nodiscard]] std::uint64_t due(std::size_t k) const { return at(due_, k); }
    [[nodiscard]] std::uint64_t on_time_in_full(std::size_t k) const { return at(otif_, k); }
    [[nodiscard]] std::uint64_t delivered_by_due(std::size_t k) const {
        return at(delivered_by_due_, k);
    }
    // orders due in k that were served or lost at or before their due time
    [[nodiscard]] std::uint64_t settled_by_due(std::size_t k) const {
        return at(settled_by_due_, k);
    }
    [[nodiscard]] std::uint64_t delivered(std::size_t k) const { return at(delivered_, k); }
    [[nodiscard]] std::uint64_t failed(std::size_t k) const { return at(failed_, k); }
    [[nodiscard]] std::uint64_t served(std::size_t k) const { return at(served_, k); }
    [[nodiscard]] std::uint64_t lost(std::size_t k) const { return at(lost_, k); }
    [[nodiscard]] Tick busy(std::size_t k) const { return at(busy_, k); }
    [[nodiscard]] Tick accounted(std::size_t k) const { return at(accounted_, k); }

    // what became known in interval k (complete intervals: `lapsed` counts every order due
    // in k, so in the running interval it counts orders whose due time is still ahead)
    [[nodiscard]] ServiceCounts service_counts(std::size_t k) const;
    // Q(k) = service_counts(k).q()
    [[nodiscard]] double service_level(std::size_t k) const;
    // Q(0..n-1)
    [[nodiscard]] std::vector<double> service_levels(std::size_t n) const;
    // open orders at the start of interval k: created before it minus resolved before it
    [[nodiscard]] std::uint64_t backlog_at(std::size_t k) const;
    // busy / accounted vehicle time in k, 0 when no vehicle time was recorded
    [[nodiscard]] double utilisation(std::size_t k) const;

    // element-wise sum; grids must match (std::invalid_argument otherwise)
    KpiSeries& operator+=(const KpiSeries& other);

    // checkpoints: every column under the archive's current scope; load() keeps this
    // series' grid and refuses one saved on another (sim::CheckpointError)
    void save(sim::StateArchive& ar) const;
    void load(const sim::StateArchive& ar);
    friend bool operator==(const KpiSeries&, const KpiSeries&) = default;

  private:
    template <class T>
    static T at(const std::vector<T>& v, std::size_t k) {
        return k < v.size() ? v[k] : T{};
    }
    void require_grid() const;
    void grow(std::size_t k);

    Tick interval_ = 0;
    Tick origin_ = 0;
    // struct of arrays, all of length size()
    std::vector<std::uint64_t> created_;
    std::vector<std::uint64_t> due_;
    std::vector<std::uint64_t> otif_;
    std::vector<std::uint64_t> delivered_by_due_;
    std::vector<std::uint64_t> settled_by_due_;
    std::vector<std::uint64_t> delivered_;
    std::vector<std::uint64_t> failed_;
    std::vector<std::uint64_t> served_;
    std::vector<std::uint64_t> lost_;
    std::vector<Tick> busy_;
    std::vector<Tick> accounted_;
};

// What a summary covers: [start, end) of simulated time, with `depots` depots.
struct SummaryScope {
    Tick start = 0;
    Tick end = 0;
    std::uint32_t depots = 1;
    sim::TimeScale scale{};
};

// One group of vehicles (a fleet of the scenario), filled by the fleet layer.
struct GroupKpis {
    std::string id;
    std::uint32_t vehicles = 0;
    std::uint32_t vehicles_used = 0;  // vehicles that delivered at least one order
    std::uint64_t deliveries = 0;
    double veh_km = 0.0;
    double utilisation = 0.0;  // busy / accounted time of the group's vehicles
};

// The headline numbers of a run. Ratios with a zero denominator, and figures that do not
// apply to the run (no disruption, no learning), are NaN or empty: null in JSON, "-" in text.
struct KpiSummary {
    // orders
    std::uint64_t created = 0;
    std::uint64_t delivered = 0;
    std::uint64_t delivered_on_time = 0;
    std::uint64_t delivered_late = 0;
    std::uint64_t delivered_short = 0;
    std::uint64_t failed = 0;
    std::uint64_t backlog = 0;  // open at the end
    std::array<std::uint64_t, kFailReasonCount> failed_by_reason{};
    // orders due in the complete intervals before the end, and how they fared
    std::size_t intervals = 0;
    double interval_s = 0.0;
    std::uint64_t due = 0;
    std::uint64_t due_on_time_in_full = 0;
    std::uint64_t due_delivered = 0;
    double on_time_in_full_pct = 0.0;  // 100 * due_on_time_in_full / due
    double fill_rate = 0.0;            // due_delivered / due, in [0, 1]
    // service level Q over the complete intervals: the outcomes known in them
    // (ServiceCounts summed), their share served, and the lowest Q(k) among the intervals
    // in which some outcome became known (NaN when none did)
    ServiceCounts outcomes;
    double service_level = 0.0;
    double service_level_min = 0.0;
    // leading indicators at the end (filled by the fleet layer; docs/logistics.md)
    std::uint64_t unassigned = 0;                     // open orders no vehicle has accepted
    double oldest_unassigned_age_s = kNotApplicable;  // NaN when none is unassigned
    std::uint64_t at_risk = 0;                        // open, not yet due, estimated to arrive late
    std::uint64_t overdue = 0;                        // open past their due time
    // lateness over delivered orders (0 for on-time ones), seconds, nearest-rank percentiles
    double lateness_p50_s = 0.0;
    double lateness_p90_s = 0.0;
    double lateness_p99_s = 0.0;
    double lateness_max_s = 0.0;
    LatenessHistogram lateness_histogram;
    // re-assignment after a lost vehicle
    std::uint64_t orphaned = 0;
    std::uint64_t reassigned = 0;
    double time_to_reassign_mean_s = 0.0;
    double time_to_reassign_max_s = 0.0;
    // decision latency: mean time from an order's creation to its first assignment
    double decision_latency_mean_s = 0.0;
    // disruptions and self-healing (filled by the fleet layer), times from the onset of the
    // first disruption; NaN without a disruption
    std::uint64_t disruptions = 0;             // disruption actions applied
    std::uint64_t breakdowns = 0;              // vehicle breakdowns
    double time_to_impact_s = kNotApplicable;  // to the first interval with Q below the failure
                                               // threshold; NaN when Q never fell below it
    double time_to_recover_s =
        kNotApplicable;  // to the first interval back at the recovery threshold
                         // after that; 0 when Q never fell below the failure
                         // threshold, NaN when it had not recovered by the end
    double resilience_loss_s = kNotApplicable;  // area between the pre-disruption Q and Q(t), s
    std::uint64_t messages = 0;                 // sent over the air by all agents
    std::uint64_t bytes = 0;
    double messages_per_agent = 0.0;
    double bytes_per_agent = 0.0;
    // cost (the fleet layer's cost model, docs/logistics.md "Cost"): the total, its parts
    // and the total per delivered order
    double cost = 0.0;
    double cost_distance = 0.0;
    double cost_energy = 0.0;
    double cost_lateness = 0.0;  // late minutes (delivered late, or open past due) and fees
    double cost_failed = 0.0;
    double cost_vehicles = 0.0;  // breakdowns and services
    double cost_per_delivered = 0.0;
    // operational learning (filled by the fleet layer; empty / NaN when the run has none,
    // model figures NaN when the vehicles do not learn)
    std::optional<std::uint64_t> services;         // planned maintenance visits finished
    std::optional<std::uint64_t> wear_breakdowns;  // components worn out on the road
    std::optional<std::uint64_t> learning_rounds;
    std::optional<std::uint64_t> model_bytes;  // model transfers (gossip or cloud), wire bytes
    // model updates that arrived and failed verification (runs that sign updates)
    std::optional<std::uint64_t> model_rejected;
    // model updates altered on the way, rejected or not (runs with tampering)
    std::optional<std::uint64_t> model_tampered;
    double risk_model_loss = kNotApplicable;  // mean over vehicles, on hidden-truth samples
    double risk_model_accuracy = kNotApplicable;
    double travel_time_rmse = kNotApplicable;  // of log(travel time / free flow)
    double model_consensus = kNotApplicable;   // consensus distance of the risk models
    // fleet
    double veh_km = 0.0;
    double drive_hours = 0.0;  // vehicle time spent moving (filled by the fleet layer)
    double energy_kwh = 0.0;
    double utilisation = 0.0;       // busy / accounted vehicle time, in [0, 1]
    std::vector<GroupKpis> groups;  // per fleet (filled by the fleet layer)
    // depots
    double queue_mean = 0.0;     // time-average dock queue length, mean over depots
    std::int64_t queue_max = 0;  // longest dock queue at any depot
    double dock_busy_h = 0.0;

    void to_json(std::ostream& out) const;
    void print(std::ostream& out) const;
};

// Builds the summary from counters summed over all depots and vehicles and the summed
// series. The depot queues must have been advanced to scope.end.
[[nodiscard]] KpiSummary summarize(const DepotCounters& depots, const FleetCounters& fleet,
                                   const KpiSeries& series, const SummaryScope& scope);

// Nearest-rank percentile (p in [0, 100]) of `zeros` zero values and the positive
// `sorted_late` values (ascending): the smallest x such that at least p% of all values are
// <= x. 0 for an empty set.
[[nodiscard]] Tick lateness_percentile(std::uint64_t zeros, std::span<const Tick> sorted_late,
                                       double p);

// ---- resilience (pure functions over a Q(t) series on a grid of `interval` ticks) ----

struct Recovery {
    bool failed = false;     // Q fell below the failure threshold at or after the disruption
    bool recovered = false;  // ... and later reached the recovery threshold
    std::size_t fail_interval = 0;
    std::size_t recover_interval = 0;
    Tick failed_at = sim::kTickNever;     // start of the first failing interval
    Tick recovered_at = sim::kTickNever;  // start of the first recovered interval
    // from the disruption's onset: to failed_at (kTickNever when it never failed), and to
    // recovered_at (0 when it never failed, kTickNever when it never recovered)
    Tick time_to_impact = sim::kTickNever;
    Tick time_to_recover = 0;
};

// anyLogistix-style time to recover, measured from the disruption's onset: the first
// interval k starting at or after the interval holding `disruption_start` with Q(k) <
// failure_threshold, then the first j > k with Q(j) >= recovery_threshold; time to recover
// = start(j) - disruption_start (at least 0). Requires failure_threshold <=
// recovery_threshold.
[[nodiscard]] Recovery time_to_recover(std::span<const double> q, Tick interval,
                                       double failure_threshold, double recovery_threshold,
                                       Tick disruption_start, Tick origin = 0);

// Area between a baseline and Q(t) (Bruneau et al. 2003, the resilience triangle), in
// service-level x seconds: `loss` integrates max(0, baseline - Q), `gain` max(0, Q -
// baseline). With baseline 1 the loss is the seconds of complete outage it equals.
struct ResilienceLoss {
    double loss_s = 0.0;
    double gain_s = 0.0;
    [[nodiscard]] double net_s() const { return loss_s - gain_s; }
};

// against a constant baseline (e.g. 1.0, or the pre-disruption level)
[[nodiscard]] ResilienceLoss resilience_loss(std::span<const double> q, double baseline,
                                             Tick interval, sim::TimeScale scale = {});
// against a baseline run (same seed, no disruption); intervals beyond the shorter are ignored
[[nodiscard]] ResilienceLoss resilience_loss(std::span<const double> q,
                                             std::span<const double> baseline, Tick interval,
                                             sim::TimeScale scale = {});

}  // namespace swarm::agents
