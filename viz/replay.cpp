#include "viz/replay.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace swarm::viz {

namespace {

// an observable series, empty when the trace lacks it
io::TraceSeries series_or_empty(const io::TraceReader& r, const std::vector<std::string>& names,
                                const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
        return {};
    }
    return r.observable(name);
}

}  // namespace

ReplaySource::ReplaySource(const std::string& path) : reader_(path, /*allow_partial=*/true) {
    if (reader_.samples() == 0) {
        throw io::TraceError(path, "no samples to replay");
    }
    // the map, from the scenario the trace was recorded with
    try {
        io::ScenarioOptions so;
        scenario_ = std::make_unique<io::Scenario>(io::parse_scenario(
            reader_.scenario_text(), std::filesystem::path(path).replace_extension(".toml")));
        std::vector<world::NodeId> depots;
        for (const agents::DepotSpec& d : scenario_->spec.depots) {
            depots.push_back(d.node);
        }
        roads_ = build_road_geometry(*scenario_->network, depots);
        has_map_ = true;
        policy_ = scenario_->spec.allocation.policy;
        start_hour_ = day_start_hour(scenario_->spec.demand);
        kpis_.resilience = scenario_->spec.resilience;
    } catch (const std::exception& e) {
        scenario_.reset();
        // the policy still names the run when only the map is missing
        try {
            io::ScenarioOptions so;
            so.build_network = false;
            const io::Scenario bare = io::parse_scenario(reader_.scenario_text(), path, so);
            policy_ = bare.spec.allocation.policy;
            start_hour_ = day_start_hour(bare.spec.demand);
            kpis_.resilience = bare.spec.resilience;
        } catch (const std::exception&) {
            policy_.clear();
        }
        map_note_ = std::string("no road map: the trace's scenario cannot be rebuilt: ") + e.what();
        // frame the agents instead: the box around their first positions
        const io::TraceFrameData f = reader_.frame(0);
        world::Point lo{1e300, 1e300};
        world::Point hi{-1e300, -1e300};
        for (std::size_t i = 0; i + 1 < f.position.size(); i += 2) {
            lo = {std::min(lo.x, f.position[i]), std::min(lo.y, f.position[i + 1])};
            hi = {std::max(hi.x, f.position[i]), std::max(hi.y, f.position[i + 1])};
        }
        if (lo.x <= hi.x) {
            roads_.origin = lo;
            roads_.extent = {hi.x - lo.x, hi.y - lo.y};
        }
    }

    // sample times and per-sample counters
    const std::vector<std::string> names = reader_.observables();
    const io::TraceSeries created = series_or_empty(reader_, names, "created");
    const io::TraceSeries delivered = series_or_empty(reader_, names, "delivered");
    const io::TraceSeries failed = series_or_empty(reader_, names, "failed");
    const io::TraceSeries backlog = series_or_empty(reader_, names, "backlog");
    const io::TraceSeries busy = series_or_empty(reader_, names, "busy_fraction");
    const io::TraceSeries energy = series_or_empty(reader_, names, "energy");
    const io::TraceSeries orphaned = series_or_empty(reader_, names, "orphaned");
    const std::size_t n = reader_.samples();
    // the frames' own times where the observables have fewer rows (a partial file): one read
    const std::vector<double> frame_times =
        created.time.size() < n ? reader_.sample_times() : std::vector<double>{};
    times_.reserve(n);
    kpis_.agents = static_cast<double>(reader_.agents());
    kpis_.has_orphaned = !orphaned.value.empty();
    auto at = [](const io::TraceSeries& s, std::size_t k) {
        return k < s.value.size() ? s.value[k] : 0.0;
    };
    for (std::size_t k = 0; k < n; ++k) {
        const double t = k < created.time.size() ? created.time[k] : frame_times[k];
        if (!std::isfinite(t)) {
            throw io::TraceFormatError(
                path, "the time of sample " + std::to_string(k) + " is not a finite number");
        }
        times_.push_back(t);
        KpiPoint p;
        p.time_s = t;
        p.created = at(created, k);
        p.delivered = at(delivered, k);
        p.failed = at(failed, k);
        p.backlog = at(backlog, k);
        p.busy_fraction = at(busy, k);
        p.energy_kwh = at(energy, k);
        p.orphaned = at(orphaned, k);
        kpis_.samples.push_back(p);
    }
    // a partial file may hold fewer observable rows than frames: keep times ascending
    for (std::size_t k = 1; k < times_.size(); ++k) {
        times_[k] = std::max(times_[k], times_[k - 1]);
    }

    // the service-level grid
    const io::TraceSeries q = series_or_empty(reader_, names, "service_level");
    const io::TraceSeries util = series_or_empty(reader_, names, "utilisation");
    const io::TraceSeries due = series_or_empty(reader_, names, "due");
    const io::TraceSeries deliveries = series_or_empty(reader_, names, "deliveries");
    const io::TraceSeries cost = series_or_empty(reader_, names, "cost");
    const io::TraceSeries unassigned = series_or_empty(reader_, names, "unassigned");
    const io::TraceSeries oldest = series_or_empty(reader_, names, "oldest_unassigned_age");
    const io::TraceSeries at_risk = series_or_empty(reader_, names, "at_risk");
    const io::TraceSeries overdue = series_or_empty(reader_, names, "overdue");
    kpis_.has_leading = !unassigned.value.empty() && !at_risk.value.empty();
    for (std::size_t k = 0; k < q.value.size(); ++k) {
        IntervalKpi iv;
        iv.end_s = q.time[k];
        iv.service_level = q.value[k];
        iv.utilisation = at(util, k);
        iv.due = at(due, k);
        iv.deliveries = at(deliveries, k);
        if (k < cost.value.size()) {
            iv.cost = cost.value[k];
        }
        // the indicators were taken at the sample that completed the interval: the open
        // orders of that sample
        const std::size_t at_sample = std::min(
            kpis_.samples.size() - 1,
            static_cast<std::size_t>(std::lower_bound(times_.begin(), times_.end(), iv.end_s) -
                                     times_.begin()));
        iv.open = kpis_.samples[at_sample].backlog;
        iv.unassigned = at(unassigned, k);
        if (k < oldest.value.size()) {
            iv.oldest_unassigned_age_s = oldest.value[k];
        }
        iv.at_risk = at(at_risk, k);
        iv.overdue = at(overdue, k);
        kpis_.intervals.push_back(iv);
    }
    if (kpis_.intervals.size() >= 2) {
        kpis_.interval_s = kpis_.intervals[1].end_s - kpis_.intervals[0].end_s;
    } else if (!kpis_.intervals.empty()) {
        kpis_.interval_s = kpis_.intervals[0].end_s;
    }

    // events, disruptions among them
    events_ = reader_.events();
    for (std::size_t i = 0; i < events_.size(); ++i) {
        // sorting by time needs comparable times
        if (!std::isfinite(events_[i].time)) {
            throw io::TraceFormatError(
                path, "events row " + std::to_string(i) + ": the time is not a finite number");
        }
    }
    std::stable_sort(
        events_.begin(), events_.end(),
        [](const io::TraceEvent& a, const io::TraceEvent& b) { return a.time < b.time; });
    // what each code of this file is: its recorded table (or, before schema 1.6, this
    // build's kinds of the same names)
    event_kinds_ = reader_.event_kinds();
    effects_ = event_effects(event_kinds_);
    kpis_.disruptions = disruption_times(events_, effects_);
    strip_ = trace_disruptions(events_, event_kinds_, reader_.disruption_labels());
    extra_names_ = reader_.agent_values();
    clock_ = Timeline(times_, {});
}

std::string_view ReplaySource::event_kind_name(std::int16_t kind) const {
    if (kind < 0 || static_cast<std::size_t>(kind) >= event_kinds_.size()) {
        return {};
    }
    return event_kinds_[static_cast<std::size_t>(kind)].name;
}

const io::TraceFrameData& ReplaySource::frame(std::size_t k) {
    for (std::size_t i = 0; i < 2; ++i) {
        if (cached_k_[i] == k) {
            return cached_[i];
        }
    }
    // replace the slot not used last
    const std::size_t slot = next_slot_;
    next_slot_ = 1 - next_slot_;
    cached_[slot] = reader_.frame(k);
    cached_k_[slot] = k;
    return cached_[slot];
}

void ReplaySource::fill(double t, Snapshot& out) {
    const Timeline::Bracket b = clock_.bracket_at(t);
    // copy k1 first: reading k0 may not evict it (two slots)
    const io::TraceFrameData f1 = frame(b.k1);
    const io::TraceFrameData& f0 = frame(b.k0);
    const std::size_t n = reader_.agents();
    out.resize(n);
    out.time_s = std::clamp(t, times_.front(), times_.back());
    const double w = b.w;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t c = 0; c < 2; ++c) {
            const double p0 = f0.position[2 * i + c];
            const double p1 = f1.position[2 * i + c];
            const double origin = c == 0 ? roads_.origin.x : roads_.origin.y;
            out.xy[2 * i + c] = static_cast<float>(p0 + (p1 - p0) * w - origin);
        }
        out.state[i] = static_cast<std::uint8_t>(std::max<std::int8_t>(0, f0.state[i]));
        out.load[i] = f0.load[i];
        out.energy[i] = f0.energy[i];
    }
    // extra per-agent values of the trace (colour-by choices), from the frame at or before t
    out.extra.resize(extra_names_.size());
    for (std::size_t i = 0; i < extra_names_.size(); ++i) {
        out.extra[i].name = extra_names_[i];
        out.extra[i].values = reader_.agent_value(extra_names_[i], b.k0);
    }
    // who talked to whom (model transfers, messages) up to the sample at or after t: the
    // gossip lines; rows with a depot or the cloud have no vehicle position to draw
    if (links_k_ != b.k1) {
        links_.clear();
        for (const io::TraceLink& l : reader_.links(b.k1)) {
            if (l.from < n && l.to < n) {
                links_.push_back({l.from, l.to});
            }
        }
        links_k_ = b.k1;
    }
    out.gossip = links_;
    out.radio_links.clear();
    const std::size_t ns = kpis_.samples_until(out.time_s);
    out.kpi = ns > 0 ? kpis_.samples[ns - 1] : KpiPoint{};
    out.kpis = kpis_;

    disruptions_.reset(roads_.edges(), roads_.depots.size() / 2);
    replay_disruptions(events_, effects_, out.time_s, disruptions_);
    disruptions_.copy_to(out);
    out.active = active_at(strip_, out.time_s);
}

}  // namespace swarm::viz
