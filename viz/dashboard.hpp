// The executive dashboard's numbers, independent of ImGui: the KPI history of a run (samples
// and the per-interval service-level grid, with disruption times), the tiles computed from it
// at a time t (service level, on-time %, orders orphaned, time to recover, cost against a
// baseline run) and sparkline geometry. Live mode and replay fill the same KpiHistory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "viz/snapshot.hpp"

namespace swarm::viz {

struct KpiTile {
    std::string label;
    std::string value;         // formatted headline
    std::string detail;        // one line under it
    std::vector<float> spark;  // sparkline values, oldest first (may be empty)
    bool alert = false;        // drawn in the alert colour
};

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

// the five tiles at time t; `baseline` (may be null) is the comparison run
std::vector<KpiTile> make_tiles(const KpiHistory& h, const KpiHistory* baseline, double t);

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

// the points of a sparkline of `values` scaled into a box (x0,y0)-(x1,y1) (y grows down);
// lo/hi: value range (equal: computed from the values); returns x,y pairs
// what a run is called on screen, by its allocation policy (a name or alias of the registry,
// agents::protocols()): "Swarm (auction)", "Swarm (cbba)", "Cloud" for a central planner over
// the cloud link, "Oracle (ideal cloud)" for the yardstick; "" for an unknown policy
std::string policy_title(std::string_view policy);

std::vector<float> sparkline_points(const std::vector<float>& values, float x0, float y0, float x1,
                                    float y1, float lo = 0.0F, float hi = 0.0F);

}  // namespace swarm::viz
