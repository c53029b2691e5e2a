// FleetKpiObserver's checkpoints (issue 18): what the samples so far left, field by field
// under "kpis" (sim/state_archive.hpp).
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/kpi_observer.hpp"
#include "sim/state_archive.hpp"

namespace swarm::agents {

namespace {

// a new member is state to save: add it to save/load and the lists below, then its size here
static_assert(sizeof(KpiSummary) == 19 * 8 + 35 * 8 + 6 * sizeof(std::optional<std::uint64_t>) +
                                        sizeof(std::array<std::uint64_t, kFailReasonCount>) +
                                        sizeof(std::size_t) + sizeof(ServiceCounts) +
                                        sizeof(LatenessHistogram) + sizeof(std::vector<GroupKpis>) +
                                        sizeof(std::int64_t),
              "KpiSummary changed: save and load the new member (FleetKpiObserver)");
static_assert(sizeof(FleetCounters) == 6 * 8 + 3 * 4 + 4,
              "FleetCounters changed: save and load the new member (FleetKpiObserver)");
static_assert(sizeof(LeadingSample) == 6 * 8,
              "LeadingSample changed: save and load the new member (FleetKpiObserver)");

template <class T>
struct SummaryField {
    const char* name;
    T KpiSummary::*member;
};

constexpr std::array<SummaryField<std::uint64_t>, 19> kSummaryCounts{{
    {"created", &KpiSummary::created},
    {"delivered", &KpiSummary::delivered},
    {"delivered_on_time", &KpiSummary::delivered_on_time},
    {"delivered_late", &KpiSummary::delivered_late},
    {"delivered_short", &KpiSummary::delivered_short},
    {"failed", &KpiSummary::failed},
    {"backlog", &KpiSummary::backlog},
    {"due", &KpiSummary::due},
    {"due_on_time_in_full", &KpiSummary::due_on_time_in_full},
    {"due_delivered", &KpiSummary::due_delivered},
    {"unassigned", &KpiSummary::unassigned},
    {"at_risk", &KpiSummary::at_risk},
    {"overdue", &KpiSummary::overdue},
    {"orphaned", &KpiSummary::orphaned},
    {"reassigned", &KpiSummary::reassigned},
    {"disruptions", &KpiSummary::disruptions},
    {"breakdowns", &KpiSummary::breakdowns},
    {"messages", &KpiSummary::messages},
    {"bytes", &KpiSummary::bytes},
}};

constexpr std::array<SummaryField<double>, 35> kSummaryFigures{{
    {"interval_s", &KpiSummary::interval_s},
    {"on_time_in_full_pct", &KpiSummary::on_time_in_full_pct},
    {"fill_rate", &KpiSummary::fill_rate},
    {"service_level", &KpiSummary::service_level},
    {"service_level_min", &KpiSummary::service_level_min},
    {"oldest_unassigned_age_s", &KpiSummary::oldest_unassigned_age_s},
    {"lateness_p50_s", &KpiSummary::lateness_p50_s},
    {"lateness_p90_s", &KpiSummary::lateness_p90_s},
    {"lateness_p99_s", &KpiSummary::lateness_p99_s},
    {"lateness_max_s", &KpiSummary::lateness_max_s},
    {"time_to_reassign_mean_s", &KpiSummary::time_to_reassign_mean_s},
    {"time_to_reassign_max_s", &KpiSummary::time_to_reassign_max_s},
    {"decision_latency_mean_s", &KpiSummary::decision_latency_mean_s},
    {"time_to_impact_s", &KpiSummary::time_to_impact_s},
    {"time_to_recover_s", &KpiSummary::time_to_recover_s},
    {"resilience_loss_s", &KpiSummary::resilience_loss_s},
    {"messages_per_agent", &KpiSummary::messages_per_agent},
    {"bytes_per_agent", &KpiSummary::bytes_per_agent},
    {"cost", &KpiSummary::cost},
    {"cost_distance", &KpiSummary::cost_distance},
    {"cost_energy", &KpiSummary::cost_energy},
    {"cost_lateness", &KpiSummary::cost_lateness},
    {"cost_failed", &KpiSummary::cost_failed},
    {"cost_vehicles", &KpiSummary::cost_vehicles},
    {"cost_per_delivered", &KpiSummary::cost_per_delivered},
    {"risk_model_loss", &KpiSummary::risk_model_loss},
    {"risk_model_accuracy", &KpiSummary::risk_model_accuracy},
    {"travel_time_rmse", &KpiSummary::travel_time_rmse},
    {"model_consensus", &KpiSummary::model_consensus},
    {"veh_km", &KpiSummary::veh_km},
    {"drive_hours", &KpiSummary::drive_hours},
    {"energy_kwh", &KpiSummary::energy_kwh},
    {"utilisation", &KpiSummary::utilisation},
    {"queue_mean", &KpiSummary::queue_mean},
    {"dock_busy_h", &KpiSummary::dock_busy_h},
}};

// saved as arrays of 0 (not applicable) or 1 element
constexpr std::array<SummaryField<std::optional<std::uint64_t>>, 6> kSummaryOptional{{
    {"services", &KpiSummary::services},
    {"wear_breakdowns", &KpiSummary::wear_breakdowns},
    {"learning_rounds", &KpiSummary::learning_rounds},
    {"model_bytes", &KpiSummary::model_bytes},
    {"model_rejected", &KpiSummary::model_rejected},
    {"model_tampered", &KpiSummary::model_tampered},
}};

template <class T, std::size_t N>
void put_array(sim::StateArchive& ar, std::string_view name, const std::array<T, N>& a) {
    ar.put(name, std::span<const T>(a));
}

template <class T, std::size_t N>
void get_array(const sim::StateArchive& ar, std::string_view name, std::array<T, N>& a) {
    std::vector<T> v;
    ar.get(name, v, N);
    std::copy(v.begin(), v.end(), a.begin());
}

void save_summary(sim::StateArchive& ar, const KpiSummary& s) {
    const auto scope = ar.scope("summary");
    for (const auto& f : kSummaryCounts) {
        ar.put_value(f.name, s.*f.member);
    }
    for (const auto& f : kSummaryFigures) {
        ar.put_value(f.name, s.*f.member);
    }
    for (const auto& f : kSummaryOptional) {
        const std::optional<std::uint64_t>& v = s.*f.member;
        ar.put(f.name, v ? std::vector<std::uint64_t>{*v} : std::vector<std::uint64_t>{});
    }
    put_array(ar, "failed_by_reason", s.failed_by_reason);
    ar.put_value("intervals", std::uint64_t{s.intervals});
    put_array(ar, "outcomes",
              std::array<std::uint64_t, 3>{s.outcomes.served, s.outcomes.lost, s.outcomes.lapsed});
    put_array(ar, "lateness_histogram", s.lateness_histogram.counts);
    ar.put_value("queue_max", s.queue_max);
    const auto g = ar.scope("groups");
    std::vector<std::string> ids;
    for (const GroupKpis& k : s.groups) {
        ids.push_back(k.id);
    }
    ar.put_strings("id", ids);
    ar.put_field("vehicles", s.groups, &GroupKpis::vehicles);
    ar.put_field("vehicles_used", s.groups, &GroupKpis::vehicles_used);
    ar.put_field("deliveries", s.groups, &GroupKpis::deliveries);
    ar.put_field("veh_km", s.groups, &GroupKpis::veh_km);
    ar.put_field("utilisation", s.groups, &GroupKpis::utilisation);
}

KpiSummary load_summary(const sim::StateArchive& ar) {
    const auto scope = ar.scope("summary");
    KpiSummary s;
    for (const auto& f : kSummaryCounts) {
        ar.get_value(f.name, s.*f.member);
    }
    for (const auto& f : kSummaryFigures) {
        ar.get_value(f.name, s.*f.member);
    }
    for (const auto& f : kSummaryOptional) {
        std::vector<std::uint64_t> v;
        ar.get(f.name, v);
        if (v.size() > 1) {
            ar.get(f.name, v, 1);  // the size error, naming the field
        }
        s.*f.member = v.empty() ? std::nullopt : std::optional<std::uint64_t>(v[0]);
    }
    get_array(ar, "failed_by_reason", s.failed_by_reason);
    s.intervals = static_cast<std::size_t>(ar.get_value<std::uint64_t>("intervals"));
    std::array<std::uint64_t, 3> outcomes{};
    get_array(ar, "outcomes", outcomes);
    s.outcomes = {outcomes[0], outcomes[1], outcomes[2]};
    get_array(ar, "lateness_histogram", s.lateness_histogram.counts);
    ar.get_value("queue_max", s.queue_max);
    const auto g = ar.scope("groups");
    const std::vector<std::string> ids = ar.get_strings("id");
    s.groups.resize(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        s.groups[i].id = ids[i];
    }
    ar.get_field("vehicles", s.groups, &GroupKpis::vehicles);
    ar.get_field("vehicles_used", s.groups, &GroupKpis::vehicles_used);
    ar.get_field("deliveries", s.groups, &GroupKpis::deliveries);
    ar.get_field("veh_km", s.groups, &GroupKpis::veh_km);
    ar.get_field("utilisation", s.groups, &GroupKpis::utilisation);
    return s;
}

// the depots' counters summed (OrderBook's names for one depot's)
void save_depots(sim::StateArchive& ar, const DepotCounters& c) {
    const auto scope = ar.scope("depots");
    save_counters(ar, c);
}

DepotCounters load_depots(const sim::StateArchive& ar) {
    const auto scope = ar.scope("depots");
    DepotCounters c;
    load_counters(ar, c);
    return c;
}

void save_fleet(sim::StateArchive& ar, const FleetCounters& c) {
    const auto scope = ar.scope("fleet");
    ar.put_value("distance_mm", c.distance_mm);
    ar.put_value("energy_uwh", c.energy_uwh);
    ar.put_value("busy", c.busy);
    ar.put_value("idle", c.idle);
    ar.put_value("charging", c.charging);
    ar.put_value("down", c.down);
    ar.put_value("deliveries", c.deliveries);
    ar.put_value("breakdowns", c.breakdowns);
    ar.put_value("services", c.services);
}

FleetCounters load_fleet(const sim::StateArchive& ar) {
    const auto scope = ar.scope("fleet");
    FleetCounters c;
    ar.get_value("distance_mm", c.distance_mm);
    ar.get_value("energy_uwh", c.energy_uwh);
    ar.get_value("busy", c.busy);
    ar.get_value("idle", c.idle);
    ar.get_value("charging", c.charging);
    ar.get_value("down", c.down);
    ar.get_value("deliveries", c.deliveries);
    ar.get_value("breakdowns", c.breakdowns);
    ar.get_value("services", c.services);
    return c;
}

// the fleets of the summary's per-fleet figures, in the order add_fleet_kpis makes them
std::vector<std::string> fleet_ids(const FleetSpec& spec) {
    std::vector<std::string> ids;
    for (const FleetGroup& g : spec.fleets) {
        const std::string& id = fleet_kpi_id(spec, g);
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
            ids.push_back(id);
        }
    }
    return ids;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) {
        s += (s.empty() ? "" : ", ") + x;
    }
    return s.empty() ? "none" : s;
}

}  // namespace

void FleetKpiObserver::save(sim::StateArchive& ar) const {
    const auto scope = ar.scope("kpis");
    ar.put_value("samples", samples_);
    {
        const auto t = ar.scope("timeline");
        ar.put_field("t", timeline_, &LeadingSample::t);
        ar.put_field("unassigned", timeline_, &LeadingSample::unassigned);
        ar.put_field("oldest_unassigned_age_s", timeline_, &LeadingSample::oldest_unassigned_age_s);
        ar.put_field("at_risk", timeline_, &LeadingSample::at_risk);
        ar.put_field("overdue", timeline_, &LeadingSample::overdue);
        ar.put_field("backlog", timeline_, &LeadingSample::backlog);
    }
    const auto l = ar.scope("latest");
    ar.put_value("t", latest_.t);
    ar.put_value("hash", latest_.hash);
    save_depots(ar, latest_.depots);
    save_fleet(ar, latest_.fleet);
    {
        const auto s = ar.scope("series");
        latest_.series.save(ar);
    }
    save_summary(ar, latest_.summary);
}

void FleetKpiObserver::load(const sim::StateArchive& ar) {
    const auto scope = ar.scope("kpis");
    const auto samples = ar.get_value<std::uint64_t>("samples");
    std::vector<LeadingSample> timeline;
    {
        const auto t = ar.scope("timeline");
        std::vector<sim::Tick> times;
        ar.get("t", times, samples);  // one row per sample
        timeline.resize(times.size());
        ar.get_field("t", timeline, &LeadingSample::t);
        ar.get_field("unassigned", timeline, &LeadingSample::unassigned);
        ar.get_field("oldest_unassigned_age_s", timeline, &LeadingSample::oldest_unassigned_age_s);
        ar.get_field("at_risk", timeline, &LeadingSample::at_risk);
        ar.get_field("overdue", timeline, &LeadingSample::overdue);
        ar.get_field("backlog", timeline, &LeadingSample::backlog);
    }
    const auto l = ar.scope("latest");
    FleetKpis k;
    ar.get_value("t", k.t);
    ar.get_value("hash", k.hash);
    k.depots = load_depots(ar);
    k.fleet = load_fleet(ar);
    {
        const auto s = ar.scope("series");
        // take() sums on this run's KPI grid; before the first sample the series has none
        if (ar.get_value<sim::Tick>("interval") != 0) {
            k.series = KpiSeries(model_.kpi_interval());
        }
        k.series.load(ar);
    }
    k.summary = load_summary(ar);
    if (samples > 0) {
        const std::vector<std::string> want = fleet_ids(model_.spec());
        std::vector<std::string> got;
        for (const GroupKpis& g : k.summary.groups) {
            got.push_back(g.id);
        }
        if (got != want) {
            throw sim::CheckpointError("checkpoint field 'kpis/latest/summary/groups/id': fleets " +
                                       joined(got) + "; this run's are " + joined(want));
        }
    }
    // (before the first sample latest() is the empty FleetKpis, hash 0)
    if (samples > 0 && kpi_hash(k.summary, k.series) != k.hash) {
        throw sim::CheckpointError(
            "checkpoint field 'kpis/latest/hash': the saved KPIs do not give their hash "
            "(damaged or from another build)");
    }
    latest_ = std::move(k);
    timeline_ = std::move(timeline);
    samples_ = samples;
}

}  // namespace swarm::agents
