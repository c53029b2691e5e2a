// The executive dashboard's numbers, independent of ImGui: the KPI history of a run (samples
// and the per-interval service-level grid, with disruption times), the tiles computed from it
// at a time t (the leading indicators: orders waiting and at risk; service level, on-time %,
// time to recover, orders orphaned, cost against a baseline run), each with the level its
// colour shows, and sparkline geometry. Live mode and replay fill the same KpiHistory.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "viz/snapshot.hpp"

namespace swarm::viz {

struct Rgb;  // viz/colormap.hpp

// how a tile reads at a glance: no figure (yet), fine, watch it, act
enum class TileLevel : std::uint8_t { kNone, kOk, kWarn, kAlert };
std::string_view to_string(TileLevel l);  // "none", "ok", "warn", "alert"
Rgb level_colour(TileLevel l);            // kTileNone ... kTileAlert
// a share of good outcomes (Q, orders on time, open orders not waiting or not at risk)
// against the run's thresholds on Q: alert below the failure threshold, warn below the
// recovery threshold, ok from it on
TileLevel share_level(double good, const agents::ResilienceParams& r);

struct KpiTile {
    std::string label;
    std::string value;         // formatted headline
    std::string detail;        // one short line under it
    std::string note;          // more, for a tooltip
    std::vector<float> spark;  // sparkline values, oldest first (may be empty)
    TileLevel level = TileLevel::kNone;
    // the figure the level was judged on (a share of good outcomes, a count, a ratio; NaN
    // when none) and the rule, for people and for the screenshot tests
    double measure = std::numeric_limits<double>::quiet_NaN();
    std::string rule;
};

// The leading indicators at the last KPI interval complete at t (nullopt: none complete
// yet, or a run that does not record them): the open orders, those waiting for a vehicle
// (no vehicle has accepted them) and the oldest one's wait, and the orders at risk: past
// due and not delivered, or not yet due but estimated to be handed over late
// (agents::open_order_kpis).
struct LeadingFigure {
    double end_s = 0.0;
    double open = 0.0;
    double waiting = 0.0;
    double oldest_wait_s = std::numeric_limits<double>::quiet_NaN();
    double overdue = 0.0;
    double due_late = 0.0;
    [[nodiscard]] double at_risk() const { return overdue + due_late; }
    // the shares of the open orders that are fine (1 when none are open)
    [[nodiscard]] double not_waiting() const { return open > 0.0 ? 1.0 - waiting / open : 1.0; }
    [[nodiscard]] double not_at_risk() const { return open > 0.0 ? 1.0 - at_risk() / open : 1.0; }
};
std::optional<LeadingFigure> leading_at(const KpiHistory& h, double t);

struct RecoveryFigure {
    bool failed = false;
    bool recovered = false;
    double failed_at_s = 0.0;
    double time_to_recover_s = 0.0;
};
// time to recover of Q over the intervals complete at t, counted from the first disruption
// (from time 0 when there is none)
RecoveryFigure recovery_at(const KpiHistory& h, double t);

// busy vehicle-hours per delivered order over the intervals complete at t (nullopt: none
// delivered): the cost tile of runs that do not report the cost KPI
std::optional<double> cost_per_delivery(const KpiHistory& h, double t);
// the cost KPI at the last KPI interval complete at t (nullopt: not reported, or none yet)
std::optional<double> cost_at(const KpiHistory& h, double t);

// The tiles at time t, the leading indicators first: orders waiting, orders at risk, service
// level, on time, time to recover, orders orphaned, cost; `baseline` (may be null) is the
// comparison run (docs/viz.md, "Executive dashboard", has each tile's rule)
std::vector<KpiTile> make_tiles(const KpiHistory& h, const KpiHistory* baseline, double t);
inline constexpr std::size_t kTiles = 7;

// the names of the Q(t) chart's threshold lines at the run's thresholds (KpiHistory::
// resilience): "failure threshold 80 %", "recovered 95 %"
std::string failure_line_label(const KpiHistory& h);
std::string recovery_line_label(const KpiHistory& h);
// the hour of day at simulated time 0 when the scenario has a time of day: the day demand
// profile (time 0 is demand.start_hour, default midnight) or a start_hour set; nullopt (show
// times since the start) for a flat profile from hour 0
std::optional<double> day_start_hour(const agents::DemandSpec& d);
// a share in [0, 1] as a percent label: 0.9 -> "90 %", 0.875 -> "87.5 %"
std::string percent_label(double share);

// what a run is called on screen, by its allocation policy (a name or alias of the registry,
// agents::protocols()): "Swarm (auction)", "Swarm (cbba)", "Cloud" for a central planner over
// the cloud link, "Oracle (ideal cloud)" for the yardstick; "" for an unknown policy
std::string policy_title(std::string_view policy);

// the points of a sparkline of `values` scaled into a box (x0,y0)-(x1,y1) (y grows down);
// lo/hi: value range (equal: computed from the values); returns x,y pairs
std::vector<float> sparkline_points(const std::vector<float>& values, float x0, float y0, float x1,
                                    float y1, float lo = 0.0F, float hi = 0.0F);

}  // namespace swarm::viz
