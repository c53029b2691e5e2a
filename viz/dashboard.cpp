#include "viz/dashboard.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <stdexcept>

#include "agents/fleet/protocol.hpp"
#include "agents/logistics/kpi.hpp"
#include "viz/colormap.hpp"

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

std::string_view to_string(TileLevel l) {
    switch (l) {
        case TileLevel::kNone:
            return "none";
        case TileLevel::kOk:
            return "ok";
        case TileLevel::kWarn:
            return "warn";
        case TileLevel::kAlert:
            return "alert";
    }
    return "none";
}

Rgb level_colour(TileLevel l) {
    switch (l) {
        case TileLevel::kNone:
            return kTileNone;
        case TileLevel::kOk:
            return kTileOk;
        case TileLevel::kWarn:
            return kTileWarn;
        case TileLevel::kAlert:
            return kTileAlert;
    }
    return kTileNone;
}

TileLevel share_level(double good, const agents::ResilienceParams& r) {
    if (!std::isfinite(good)) {
        return TileLevel::kNone;
    }
    if (good < r.failure_threshold) {
        return TileLevel::kAlert;
    }
    return good < r.recovery_threshold ? TileLevel::kWarn : TileLevel::kOk;
}

std::optional<LeadingFigure> leading_at(const KpiHistory& h, double t) {
    const std::size_t n = h.intervals_until(t);
    if (!h.has_leading || n == 0) {
        return std::nullopt;
    }
    const IntervalKpi& iv = h.intervals[n - 1];
    LeadingFigure f;
    f.end_s = iv.end_s;
    f.open = iv.open;
    f.waiting = iv.unassigned;
    f.oldest_wait_s = iv.oldest_unassigned_age_s;
    f.overdue = iv.overdue;
    f.due_late = iv.at_risk;
    return f;
}

namespace {

KpiTile blank_tile(std::string label, std::string value, std::string detail) {
    KpiTile t;
    t.label = std::move(label);
    t.value = std::move(value);
    t.detail = std::move(detail);
    return t;
}

// the rule of the tiles judged as a share of good outcomes against the run's thresholds
std::string share_rule(const std::string& what, const agents::ResilienceParams& r) {
    return what + ": ok from " + percent_label(r.recovery_threshold) + ", alert below " +
           percent_label(r.failure_threshold);
}

// the leading indicators: orders waiting for a vehicle and orders at risk, each judged by
// the share of the open orders that are fine, as Q is
void add_leading_tiles(const KpiHistory& h, double t, std::vector<KpiTile>& tiles) {
    KpiTile wait = blank_tile("Orders waiting", "-", "");
    KpiTile risk = blank_tile("Orders at risk", "-", "");
    wait.rule = share_rule("share of open orders a vehicle has accepted", h.resilience);
    risk.rule = share_rule("share of open orders not at risk", h.resilience);
    const std::optional<LeadingFigure> f = leading_at(h, t);
    if (!h.has_leading) {
        wait.value = risk.value = "n/a";
        wait.detail = risk.detail = "not in this trace";
        wait.note = risk.note = "traces record the leading indicators since schema 1.5";
    } else if (!f) {
        wait.detail = risk.detail = "no interval yet";
    } else {
        wait.value = format("%.0f", f->waiting);
        wait.detail = format("of %.0f open", f->open);
        wait.note = format("%.0f orders no vehicle has accepted", f->waiting) +
                    format(" of %.0f open", f->open) +
                    (std::isfinite(f->oldest_wait_s)
                         ? ", the oldest waiting for " + duration(f->oldest_wait_s)
                         : std::string()) +
                    " (at the end of the last KPI interval)";
        wait.measure = f->not_waiting();
        wait.level = share_level(wait.measure, h.resilience);
        risk.value = format("%.0f", f->at_risk());
        risk.detail = format("%.0f overdue, ", f->overdue) + format("%.0f late", f->due_late);
        risk.note = format("%.0f open orders past due, ", f->overdue) +
                    format("%.0f not yet due but estimated to be handed over late", f->due_late) +
                    format(", of %.0f open", f->open);
        risk.measure = f->not_at_risk();
        risk.level = share_level(risk.measure, h.resilience);
    }
    for (std::size_t k = 0; k < h.intervals_until(t); ++k) {
        const IntervalKpi& iv = h.intervals[k];
        wait.spark.push_back(static_cast<float>(iv.unassigned));
        risk.spark.push_back(static_cast<float>(iv.at_risk + iv.overdue));
    }
    tiles.push_back(std::move(wait));
    tiles.push_back(std::move(risk));
}

// cost: the cost KPI so far (veh-km, energy, lateness, failed orders, breakdowns,
// services), against the baseline (e.g. the cloud on the same seed) when there is one;
// runs that do not report it fall back to busy vehicle-hours per delivery. Judged only
// against a baseline: ok up to 5 % dearer, warn beyond
KpiTile cost_tile(const KpiHistory& h, const KpiHistory* baseline, double t) {
    const std::size_t ni = h.intervals_until(t);
    constexpr double kDearer = 1.05;
    const std::string rule = "with a baseline: ok up to 1.05x its cost, warn beyond";
    if (cost_at(h, t) && (baseline == nullptr || cost_at(*baseline, t))) {
        KpiTile cost = blank_tile("Cost", "-", "cost KPI so far");
        cost.rule = rule;
        const double c = *cost_at(h, t);
        cost.value = format("%.0f", c);
        if (baseline != nullptr) {
            const double b = *cost_at(*baseline, t);
            if (b > 0.0) {
                cost.value = format("%.2fx", c / b);
                cost.detail = format("%.0f vs baseline ", c) + format("%.0f", b);
                cost.note = "the cost KPI so far against the baseline run's";
                cost.measure = c / b;
                cost.level = cost.measure > kDearer ? TileLevel::kWarn : TileLevel::kOk;
            }
        }
        for (std::size_t k = 0; k < ni; ++k) {
            cost.spark.push_back(static_cast<float>(h.intervals[k].cost));
        }
        return cost;
    }
    KpiTile cost = blank_tile("Cost", "-", "busy veh-h per delivery");
    cost.rule = rule;
    const std::optional<double> c = cost_per_delivery(h, t);
    if (c) {
        cost.value = format("%.3f veh-h", *c);
    }
    if (baseline != nullptr) {
        const std::optional<double> b = cost_per_delivery(*baseline, t);
        if (c && b && *b > 0.0) {
            cost.value = format("%.2fx", *c / *b);
            cost.detail = format("%.3f vs ", *c) + format("%.3f veh-h", *b);
            cost.note = "busy vehicle-hours per delivered order against the baseline run's";
            cost.measure = *c / *b;
            cost.level = cost.measure > kDearer ? TileLevel::kWarn : TileLevel::kOk;
        } else {
            cost.detail = "baseline: none yet";
            cost.note = "the baseline run has delivered nothing yet";
        }
    }
    for (std::size_t k = 1; k <= ni; ++k) {
        if (const std::optional<double> ck = cost_per_delivery(h, h.intervals[k - 1].end_s)) {
            cost.spark.push_back(static_cast<float>(*ck));
        }
    }
    return cost;
}

}  // namespace

std::vector<KpiTile> make_tiles(const KpiHistory& h, const KpiHistory* baseline, double t) {
    std::vector<KpiTile> tiles;
    const std::size_t ni = h.intervals_until(t);
    const std::size_t ns = h.samples_until(t);
    add_leading_tiles(h, t, tiles);

    // service level: the last complete interval's Q
    KpiTile sl = blank_tile("Service level", "-", "no interval yet");
    sl.rule = share_rule("Q of the last interval", h.resilience);
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
        sl.detail = "Q of the last " + duration(h.interval_s);
        sl.note =
            "the share of the order outcomes known in the last complete KPI interval "
            "that were good";
        sl.measure = q;
        sl.level = share_level(q, h.resilience);
    }
    tiles.push_back(std::move(sl));

    // on time in full: orders due in the complete intervals
    KpiTile ot = blank_tile("On time", "-", "no order due yet");
    ot.rule = share_rule("orders due so far delivered on time in full", h.resilience);
    if (due > 0.0) {
        ot.value = format("%.1f %%", 100.0 * otif / due);
        ot.detail = format("of %.0f orders due", due);
        ot.measure = otif / due;
        ot.level = share_level(ot.measure, h.resilience);
    }
    double run_due = 0.0;
    double run_otif = 0.0;
    for (std::size_t k = 0; k < ni; ++k) {
        run_due += h.intervals[k].due;
        run_otif += h.intervals[k].service_level * h.intervals[k].due;
        ot.spark.push_back(run_due > 0.0 ? static_cast<float>(run_otif / run_due) : 1.0F);
    }
    tiles.push_back(std::move(ot));

    // time to recover: alert while Q has not recovered from a failure
    KpiTile ttr = blank_tile("Time to recover", "-", "");
    ttr.rule = "alert from a failure until Q recovers, ok otherwise";
    const RecoveryFigure rf = recovery_at(h, t);
    if (!rf.failed) {
        ttr.value = ni > 0 ? "no failure" : "-";
        ttr.detail = "Q never below " + percent_label(h.resilience.failure_threshold);
        ttr.note = "from the first disruption's onset, as the run summary counts it";
        ttr.level = ni > 0 ? TileLevel::kOk : TileLevel::kNone;
    } else if (rf.recovered) {
        ttr.value = duration(rf.time_to_recover_s);
        ttr.detail = "failed at " + duration(rf.failed_at_s);
        ttr.level = TileLevel::kOk;
    } else {
        ttr.value = "> " + duration(rf.time_to_recover_s);
        ttr.detail = "not recovered yet";
        ttr.level = TileLevel::kAlert;
    }
    if (ni > 0) {
        ttr.measure = rf.failed ? rf.time_to_recover_s : 0.0;
    }
    for (std::size_t k = 0; k < ni; ++k) {
        ttr.spark.push_back(static_cast<float>(h.intervals[k].service_level));
    }
    tiles.push_back(std::move(ttr));

    // orders orphaned (vehicle lost with the order on its plan); failed orders beside it
    KpiTile orph = blank_tile("Orders orphaned", "-", "");
    orph.rule = "ok at 0, warn from 1";
    const std::size_t stride = std::max<std::size_t>(1, ns / 64);
    if (ns > 0) {
        const KpiPoint& p = h.samples[ns - 1];
        orph.value = h.has_orphaned ? format("%.0f", p.orphaned) : "n/a";
        orph.detail = format("%.0f failed", p.failed);
        orph.note = h.has_orphaned ? "orders whose vehicle was lost with the order on its plan"
                                   : "traces have no orphan count yet";
        if (h.has_orphaned) {
            orph.measure = p.orphaned;
            orph.level = p.orphaned > 0.0 ? TileLevel::kWarn : TileLevel::kOk;
        }
        for (std::size_t i = 0; i < ns; i += stride) {
            orph.spark.push_back(
                static_cast<float>(h.has_orphaned ? h.samples[i].orphaned : h.samples[i].failed));
        }
    }
    tiles.push_back(std::move(orph));

    tiles.push_back(cost_tile(h, baseline, t));
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
