#include "viz/dashboard.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <stdexcept>

#include "agents/fleet/protocol.hpp"
#include "agents/logistics/kpi.hpp"

namespace swarm::viz {

namespace {

std::string format(const char* fmt, double v) {
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), fmt, v);
    return buf.data();
}

std::string duration(double s) {
    if (s >= 3600.0) {
        return format("%.1f h", s / 3600.0);
    }
    if (s >= 60.0) {
        return format("%.0f min", s / 60.0);
    }
    return format("%.0f s", s);
}

}  // namespace

RecoveryFigure recovery_at(const KpiHistory& h, double t) {
    RecoveryFigure f;
    const std::size_t n = h.intervals_until(t);
    if (n == 0 || h.interval_s <= 0.0) {
        return f;
    }
    // the kernel's resilience function on a grid in milliseconds
    std::vector<double> q(n);
    for (std::size_t k = 0; k < n; ++k) {
        q[k] = h.intervals[k].service_level;
    }
    const sim::TimeScale ms{1000};
    const auto interval = ms.from_seconds(h.interval_s);
    const double start = h.disruptions.empty() ? 0.0 : h.disruptions.front();
    if (start > t) {
        return f;
    }
    const agents::Recovery r =
        agents::time_to_recover(q, interval, h.resilience.failure_threshold,
                                h.resilience.recovery_threshold, ms.from_seconds(start));
    f.failed = r.failed;
    f.recovered = r.recovered;
    if (r.failed) {
        f.failed_at_s = ms.to_seconds(r.failed_at);
        // from the onset, as the run's summary counts it
        f.time_to_recover_s =
            r.recovered ? ms.to_seconds(r.time_to_recover) : h.intervals[n - 1].end_s - start;
    }
    return f;
}

std::optional<double> cost_per_delivery(const KpiHistory& h, double t) {
    const std::size_t n = h.intervals_until(t);
    double busy_h = 0.0;
    double delivered = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        busy_h += h.intervals[k].utilisation * h.agents * h.interval_s / 3600.0;
        delivered += h.intervals[k].deliveries;
    }
    if (delivered <= 0.0) {
        return std::nullopt;
    }
    return busy_h / delivered;
}

std::optional<double> cost_at(const KpiHistory& h, double t) {
    const std::size_t n = h.intervals_until(t);
    if (n == 0 || !std::isfinite(h.intervals[n - 1].cost)) {
        return std::nullopt;
    }
    return h.intervals[n - 1].cost;
}

std::vector<KpiTile> make_tiles(const KpiHistory& h, const KpiHistory* baseline, double t) {
    std::vector<KpiTile> tiles;
    const std::size_t ni = h.intervals_until(t);
    const std::size_t ns = h.samples_until(t);

    // service level: the last complete interval's Q
    KpiTile sl{"Service level", "-", "no complete interval yet", {}, false};
    double due = 0.0;
    double otif = 0.0;
    for (std::size_t k = 0; k < ni; ++k) {
        const IntervalKpi& iv = h.intervals[k];
        sl.spark.push_back(static_cast<float>(iv.service_level));
        due += iv.due;
        otif += iv.service_level * iv.due;
    }
    if (ni > 0) {
        const double q = h.intervals[ni - 1].service_level;
        sl.value = format("%.1f %%", 100.0 * q);
        sl.detail = "Q(t), " + duration(h.interval_s) + " intervals";
        sl.alert = q < h.resilience.failure_threshold;
    }
    tiles.push_back(std::move(sl));

    // on time in full: orders due in the complete intervals
    KpiTile ot{"On time", "-", "no order due yet", {}, false};
    if (due > 0.0) {
        ot.value = format("%.1f %%", 100.0 * otif / due);
        ot.detail = format("of %.0f orders due", due);
        ot.alert = otif / due < h.resilience.failure_threshold;
    }
    double run_due = 0.0;
    double run_otif = 0.0;
    for (std::size_t k = 0; k < ni; ++k) {
        run_due += h.intervals[k].due;
        run_otif += h.intervals[k].service_level * h.intervals[k].due;
        ot.spark.push_back(run_due > 0.0 ? static_cast<float>(run_otif / run_due) : 1.0F);
    }
    tiles.push_back(std::move(ot));

    // orders orphaned (vehicle lost with the order on its plan); failed orders beside it
    KpiTile orph{"Orders orphaned", "-", "", {}, false};
    const std::size_t stride = std::max<std::size_t>(1, ns / 64);
    if (ns > 0) {
        const KpiPoint& p = h.samples[ns - 1];
        orph.value = h.has_orphaned ? format("%.0f", p.orphaned) : "n/a";
        orph.detail = format("%.0f failed", p.failed) +
                      (h.has_orphaned ? "" : " (trace has no orphan count)");
        orph.alert = h.has_orphaned && p.orphaned > 0.0;
        for (std::size_t i = 0; i < ns; i += stride) {
            orph.spark.push_back(
                static_cast<float>(h.has_orphaned ? h.samples[i].orphaned : h.samples[i].failed));
        }
    }
    tiles.push_back(std::move(orph));

    // time to recover
    KpiTile ttr{"Time to recover", "-", "", {}, false};
    const RecoveryFigure rf = recovery_at(h, t);
    if (!rf.failed) {
        ttr.value = ni > 0 ? "no failure" : "-";
        ttr.detail = "Q never below " + percent_label(h.resilience.failure_threshold);
    } else if (rf.recovered) {
        ttr.value = duration(rf.time_to_recover_s);
        ttr.detail = "failed at " + duration(rf.failed_at_s);
    } else {
        ttr.value = "> " + duration(rf.time_to_recover_s);
        ttr.detail = "not recovered yet";
        ttr.alert = true;
    }
    for (std::size_t k = 0; k < ni; ++k) {
        ttr.spark.push_back(static_cast<float>(h.intervals[k].service_level));
    }
    tiles.push_back(std::move(ttr));

    // cost: the cost KPI so far (veh-km, energy, lateness, failed orders, breakdowns,
    // services), against the baseline (e.g. the cloud on the same seed) when there is one;
    // runs that do not report it fall back to busy vehicle-hours per delivery
    if (cost_at(h, t) && (baseline == nullptr || cost_at(*baseline, t))) {
        KpiTile cost{"Cost", "-", "cost KPI so far", {}, false};
        const double c = *cost_at(h, t);
        cost.value = format("%.0f", c);
        if (baseline != nullptr) {
            const double b = *cost_at(*baseline, t);
            if (b > 0.0) {
                cost.value = format("%.2fx", c / b);
                cost.detail = format("%.0f vs baseline ", c) + format("%.0f", b);
                cost.alert = c > b * 1.05;
            }
        }
        for (std::size_t k = 0; k < ni; ++k) {
            cost.spark.push_back(static_cast<float>(h.intervals[k].cost));
        }
        tiles.push_back(std::move(cost));
        return tiles;
    }
    KpiTile cost{"Cost", "-", "busy veh-h per delivery", {}, false};
    const std::optional<double> c = cost_per_delivery(h, t);
    if (c) {
        cost.value = format("%.3f veh-h", *c);
    }
    if (baseline != nullptr) {
        const std::optional<double> b = cost_per_delivery(*baseline, t);
        if (c && b && *b > 0.0) {
            cost.value = format("%.2fx", *c / *b);
            cost.detail = format("%.3f vs baseline ", *c) + format("%.3f veh-h/delivery", *b);
            cost.alert = *c > *b * 1.05;
        } else {
            cost.detail = "baseline: nothing delivered yet";
        }
    }
    for (std::size_t k = 1; k <= ni; ++k) {
        if (const std::optional<double> ck = cost_per_delivery(h, h.intervals[k - 1].end_s)) {
            cost.spark.push_back(static_cast<float>(*ck));
        }
    }
    tiles.push_back(std::move(cost));
    return tiles;
}

std::vector<float> sparkline_points(const std::vector<float>& values, float x0, float y0, float x1,
                                    float y1, float lo, float hi) {
    std::vector<float> pts;
    if (values.empty()) {
        return pts;
    }
    if (!(hi > lo)) {
        lo = *std::min_element(values.begin(), values.end());
        hi = *std::max_element(values.begin(), values.end());
        if (!(hi > lo)) {
            lo -= 0.5F;
            hi += 0.5F;
        }
    }
    const std::size_t n = values.size();
    pts.reserve(2 * std::max<std::size_t>(n, 2));
    for (std::size_t i = 0; i < n; ++i) {
        const float u = n > 1 ? static_cast<float>(i) / static_cast<float>(n - 1) : 0.0F;
        const float v = std::clamp((values[i] - lo) / (hi - lo), 0.0F, 1.0F);
        pts.push_back(x0 + u * (x1 - x0));
        pts.push_back(y1 - v * (y1 - y0));
    }
    if (n == 1) {  // a flat segment, so that one value still shows
        pts.push_back(x1);
        pts.push_back(pts[1]);
    }
    return pts;
}

std::string policy_title(std::string_view policy) {
    std::unique_ptr<agents::AllocationProtocol> p;
    try {
        p = agents::make_protocol(policy);
    } catch (const std::invalid_argument&) {
        return {};
    }
    const agents::AllocationProtocol::Needs needs = p->needs();
    if (needs.dispatcher) {
        return needs.ideal_cloud_link ? "Oracle (ideal cloud)" : "Cloud";
    }
    return "Swarm (" + std::string(p->name()) + ")";
}

std::optional<double> day_start_hour(const agents::DemandSpec& d) {
    if (d.profile == agents::DemandProfile::kFlat && d.start_hour == 0.0) {
        return std::nullopt;
    }
    return d.start_hour;
}

std::string percent_label(double share) {
    return format("%.4g %%", 100.0 * share);
}

std::string failure_line_label(const KpiHistory& h) {
    return "failure threshold " + percent_label(h.resilience.failure_threshold);
}

std::string recovery_line_label(const KpiHistory& h) {
    return "recovered " + percent_label(h.resilience.recovery_threshold);
}

}  // namespace swarm::viz
