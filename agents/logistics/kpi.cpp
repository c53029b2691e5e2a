#include "agents/logistics/kpi.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>

#include "sim/state_archive.hpp"

namespace swarm::agents {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(double num, double den) {
    return den > 0.0 ? num / den : kNaN;
}

double to_double(std::uint64_t v) {
    return static_cast<double>(v);
}

// shortest round-trip text of a number; NaN and infinities are not JSON: null
void json_number(std::ostream& out, double v) {
    if (!std::isfinite(v)) {
        out << "null";
        return;
    }
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.write(buf, res.ptr - buf);
}

// fixed decimals for people; NaN (not applicable) reads "-"
std::string fixed(double v, int decimals) {
    if (std::isnan(v)) {
        return "-";
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace

// ---- TimeIntegral ----

void TimeIntegral::set(Tick now, std::int64_t value) {
    if (now < since) {
        throw std::logic_error("TimeIntegral: time went backwards (" + std::to_string(now) + " < " +
                               std::to_string(since) + ")");
    }
    area += level * (now - since);
    since = now;
    level = value;
    max = std::max(max, value);
}

TimeIntegral& TimeIntegral::operator+=(const TimeIntegral& other) {
    since = std::max(since, other.since);
    level += other.level;
    max = std::max(max, other.max);
    area += other.area;
    return *this;
}

// ---- FleetCounters ----

void FleetCounters::add_distance_m(double metres) {
    if (!std::isfinite(metres)) {
        throw std::invalid_argument("FleetCounters: distance is not finite");
    }
    distance_mm += std::llround(metres * 1e3);
}

void FleetCounters::add_energy_kwh(double kwh) {
    if (!std::isfinite(kwh)) {
        throw std::invalid_argument("FleetCounters: energy is not finite");
    }
    energy_uwh += std::llround(kwh * 1e9);
}

FleetCounters& FleetCounters::operator+=(const FleetCounters& other) {
    distance_mm += other.distance_mm;
    energy_uwh += other.energy_uwh;
    busy += other.busy;
    idle += other.idle;
    charging += other.charging;
    down += other.down;
    deliveries += other.deliveries;
    breakdowns += other.breakdowns;
    services += other.services;
    return *this;
}

// ---- LatenessHistogram ----

std::size_t LatenessHistogram::bin(double lateness_s) {
    if (!(lateness_s > 0.0)) {
        return 0;
    }
    const double minutes = lateness_s / 60.0;
    for (std::size_t i = 1; i < kEdgesMin.size(); ++i) {
        if (minutes <= kEdgesMin[i]) {
            return i;
        }
    }
    return kBins - 1;
}

std::uint64_t LatenessHistogram::total() const {
    std::uint64_t n = 0;
    for (const std::uint64_t c : counts) {
        n += c;
    }
    return n;
}

LatenessHistogram& LatenessHistogram::operator+=(const LatenessHistogram& other) {
    for (std::size_t i = 0; i < kBins; ++i) {
        counts[i] += other.counts[i];
    }
    return *this;
}

// ---- DepotCounters ----

DepotCounters& DepotCounters::operator+=(const DepotCounters& other) {
    created += other.created;
    assignments += other.assignments;
    picked_up += other.picked_up;
    delivered_on_time += other.delivered_on_time;
    delivered_late += other.delivered_late;
    delivered_short += other.delivered_short;
    delivered_on_time_in_full += other.delivered_on_time_in_full;
    for (std::size_t i = 0; i < kFailReasonCount; ++i) {
        failed_by_reason[i] += other.failed_by_reason[i];
    }
    orphaned += other.orphaned;
    reassigned += other.reassigned;
    reassign_time += other.reassign_time;
    reassign_time_max = std::max(reassign_time_max, other.reassign_time_max);
    first_assigned += other.first_assigned;
    first_assign_wait += other.first_assign_wait;
    late_samples.insert(late_samples.end(), other.late_samples.begin(), other.late_samples.end());
    late_total += other.late_total;
    queue += other.queue;
    dock_busy += other.dock_busy;
    return *this;
}

// ---- KpiSeries ----

KpiSeries::KpiSeries(Tick interval, Tick origin) : interval_(interval), origin_(origin) {
    if (interval <= 0) {
        throw std::invalid_argument("KpiSeries: interval must be > 0");
    }
}

std::size_t KpiSeries::interval_of(Tick t) const {
    require_grid();
    return t <= origin_ ? 0 : static_cast<std::size_t>((t - origin_) / interval_);
}

Tick KpiSeries::start_of(std::size_t k) const {
    return origin_ + static_cast<Tick>(k) * interval_;
}

std::size_t KpiSeries::complete_before(Tick end) const {
    require_grid();
    return end <= origin_ ? 0 : static_cast<std::size_t>((end - origin_) / interval_);
}

void KpiSeries::require_grid() const {
    if (interval_ <= 0) {
        throw std::logic_error("KpiSeries: recording into a series without a grid");
    }
}

// a new member is state to save: add it below, then its size here
static_assert(sizeof(KpiSeries) == 2 * sizeof(Tick) + 11 * sizeof(std::vector<std::uint64_t>),
              "KpiSeries changed: save and load the new member");

void KpiSeries::save(sim::StateArchive& ar) const {
    ar.put_value("interval", interval_);
    ar.put_value("origin", origin_);
    ar.put("created", created_);
    ar.put("due", due_);
    ar.put("on_time_in_full", otif_);
    ar.put("delivered_by_due", delivered_by_due_);
    ar.put("settled_by_due", settled_by_due_);
    ar.put("delivered", delivered_);
    ar.put("failed", failed_);
    ar.put("served", served_);
    ar.put("lost", lost_);
    ar.put("busy", busy_);
    ar.put("accounted", accounted_);
}

void KpiSeries::load(const sim::StateArchive& ar) {
    ar.expect_value("interval", interval_);
    ar.expect_value("origin", origin_);
    std::vector<std::uint64_t> due;
    ar.get("due", due);
    const std::size_t n = due.size();
    KpiSeries s = *this;
    s.due_ = std::move(due);
    ar.get("created", s.created_, n);
    ar.get("on_time_in_full", s.otif_, n);
    ar.get("delivered_by_due", s.delivered_by_due_, n);
    ar.get("settled_by_due", s.settled_by_due_, n);
    ar.get("delivered", s.delivered_, n);
    ar.get("failed", s.failed_, n);
    ar.get("served", s.served_, n);
    ar.get("lost", s.lost_, n);
    ar.get("busy", s.busy_, n);
    ar.get("accounted", s.accounted_, n);
    *this = std::move(s);
}

void KpiSeries::grow(std::size_t k) {
    if (k < due_.size()) {
        return;
    }
    const std::size_t n = k + 1;
    created_.resize(n);
    due_.resize(n);
    otif_.resize(n);
    delivered_by_due_.resize(n);
    settled_by_due_.resize(n);
    delivered_.resize(n);
    failed_.resize(n);
    served_.resize(n);
    lost_.resize(n);
    busy_.resize(n);
    accounted_.resize(n);
}

void KpiSeries::on_created(Tick created, Tick due) {
    const std::size_t k = interval_of(created);
    grow(k);
    ++created_[k];
    if (due != sim::kTickNever) {
        const std::size_t kd = interval_of(due);
        grow(kd);
        ++due_[kd];
    }
}

void KpiSeries::on_delivered(Tick now, Tick due, bool in_full) {
    const std::size_t k = interval_of(now);
    grow(k);
    ++delivered_[k];
    const bool on_time = due == sim::kTickNever || now <= due;
    // served or lost now; a late one lapsed at its due time already
    if (on_time) {
        ++(in_full ? served_ : lost_)[k];
    }
    if (due != sim::kTickNever) {
        const std::size_t kd = interval_of(due);
        grow(kd);
        ++delivered_by_due_[kd];
        if (on_time) {
            ++settled_by_due_[kd];
            if (in_full) {
                ++otif_[kd];
            }
        }
    }
}

void KpiSeries::on_failed(Tick now, Tick due) {
    const std::size_t k = interval_of(now);
    grow(k);
    ++failed_[k];
    // lost when declared; an order failing after its due time lapsed then already
    if (due == sim::kTickNever || now <= due) {
        ++lost_[k];
        if (due != sim::kTickNever) {
            const std::size_t kd = interval_of(due);
            grow(kd);
            ++settled_by_due_[kd];
        }
    }
}

void KpiSeries::add_fleet_time(std::size_t k, Tick busy, Tick accounted) {
    require_grid();
    grow(k);
    busy_[k] += busy;
    accounted_[k] += accounted;
}

double ServiceCounts::q() const {
    const std::uint64_t n = known();
    return n == 0 ? 1.0 : to_double(served) / to_double(n);
}

ServiceCounts& ServiceCounts::operator+=(const ServiceCounts& other) {
    served += other.served;
    lost += other.lost;
    lapsed += other.lapsed;
    return *this;
}

ServiceCounts KpiSeries::service_counts(std::size_t k) const {
    return {served(k), lost(k), due(k) - settled_by_due(k)};
}

double KpiSeries::service_level(std::size_t k) const {
    return service_counts(k).q();
}

std::vector<double> KpiSeries::service_levels(std::size_t n) const {
    std::vector<double> q(n);
    for (std::size_t k = 0; k < n; ++k) {
        q[k] = service_level(k);
    }
    return q;
}

std::uint64_t KpiSeries::backlog_at(std::size_t k) const {
    std::uint64_t in = 0;
    std::uint64_t out = 0;
    for (std::size_t j = 0; j < k && j < size(); ++j) {
        in += created_[j];
        out += delivered_[j] + failed_[j];
    }
    return in - out;
}

double KpiSeries::utilisation(std::size_t k) const {
    const Tick a = accounted(k);
    return a > 0 ? static_cast<double>(busy(k)) / static_cast<double>(a) : 0.0;
}

KpiSeries& KpiSeries::operator+=(const KpiSeries& other) {
    if (other.interval_ == 0) {
        return *this;
    }
    if (interval_ == 0) {
        interval_ = other.interval_;
        origin_ = other.origin_;
    } else if (interval_ != other.interval_ || origin_ != other.origin_) {
        throw std::invalid_argument("KpiSeries: cannot add series on different grids");
    }
    if (other.size() > 0) {
        grow(other.size() - 1);
    }
    for (std::size_t k = 0; k < other.size(); ++k) {
        created_[k] += other.created_[k];
        due_[k] += other.due_[k];
        otif_[k] += other.otif_[k];
        delivered_by_due_[k] += other.delivered_by_due_[k];
        settled_by_due_[k] += other.settled_by_due_[k];
        delivered_[k] += other.delivered_[k];
        failed_[k] += other.failed_[k];
        served_[k] += other.served_[k];
        lost_[k] += other.lost_[k];
        busy_[k] += other.busy_[k];
        accounted_[k] += other.accounted_[k];
    }
    return *this;
}

// ---- summary ----

Tick lateness_percentile(std::uint64_t zeros, std::span<const Tick> sorted_late, double p) {
    const std::uint64_t n = zeros + sorted_late.size();
    if (n == 0) {
        return 0;
    }
    // p * n first: exact for integer p, so e.g. p90 of 10 values is rank 9, not 10
    const double r = std::ceil(p * to_double(n) / 100.0);
    const std::uint64_t rank =
        std::clamp<std::uint64_t>(r < 1.0 ? 1 : static_cast<std::uint64_t>(r), std::uint64_t{1}, n);
    return rank <= zeros ? 0 : sorted_late[rank - zeros - 1];
}

KpiSummary summarize(const DepotCounters& depots, const FleetCounters& fleet,
                     const KpiSeries& series, const SummaryScope& scope) {
    const sim::TimeScale& ts = scope.scale;
    KpiSummary s;

    // order counts
    s.created = depots.created;
    s.delivered = depots.delivered();
    s.delivered_on_time = depots.delivered_on_time;
    s.delivered_late = depots.delivered_late;
    s.delivered_short = depots.delivered_short;
    s.failed = depots.failed();
    s.backlog = depots.open();
    s.failed_by_reason = depots.failed_by_reason;

    // orders due in complete intervals: OTIF, fill rate, worst Q
    if (series.interval() > 0) {
        s.intervals = series.complete_before(scope.end);
        s.interval_s = ts.to_seconds(series.interval());
    }
    // Q only over intervals in which some outcome became known
    s.service_level_min = kNaN;
    for (std::size_t k = 0; k < s.intervals; ++k) {
        s.due += series.due(k);
        s.due_on_time_in_full += series.on_time_in_full(k);
        s.due_delivered += series.delivered_by_due(k);
        const ServiceCounts c = series.service_counts(k);
        s.outcomes += c;
        if (c.known() > 0) {
            s.service_level_min =
                std::isnan(s.service_level_min) ? c.q() : std::min(s.service_level_min, c.q());
        }
    }
    s.service_level = ratio(to_double(s.outcomes.served), to_double(s.outcomes.known()));
    s.on_time_in_full_pct = ratio(100.0 * to_double(s.due_on_time_in_full), to_double(s.due));
    s.fill_rate = ratio(to_double(s.due_delivered), to_double(s.due));

    // lateness: on-time deliveries are zeros, late ones exact samples
    std::vector<Tick> late = depots.late_samples;
    std::sort(late.begin(), late.end());
    const std::uint64_t zeros = depots.delivered_on_time;
    const auto pct = [&](double p) {
        return s.delivered == 0 ? kNaN : ts.to_seconds(lateness_percentile(zeros, late, p));
    };
    s.lateness_p50_s = pct(50.0);
    s.lateness_p90_s = pct(90.0);
    s.lateness_p99_s = pct(99.0);
    s.lateness_max_s = pct(100.0);
    s.lateness_histogram.add(0.0, zeros);
    for (const Tick t : late) {
        s.lateness_histogram.add(ts.to_seconds(t));
    }

    // re-assignment
    s.orphaned = depots.orphaned;
    s.reassigned = depots.reassigned;
    s.time_to_reassign_mean_s =
        ratio(ts.to_seconds(depots.reassign_time), to_double(depots.reassigned));
    s.time_to_reassign_max_s =
        depots.reassigned == 0 ? kNaN : ts.to_seconds(depots.reassign_time_max);
    s.decision_latency_mean_s =
        ratio(ts.to_seconds(depots.first_assign_wait), to_double(depots.first_assigned));

    // fleet
    s.veh_km = fleet.metres() / 1000.0;
    s.energy_kwh = fleet.energy_kwh();
    s.utilisation = ratio(static_cast<double>(fleet.busy), static_cast<double>(fleet.accounted()));

    // depots
    const double depot_ticks =
        static_cast<double>(scope.depots) * static_cast<double>(scope.end - scope.start);
    s.queue_mean = ratio(static_cast<double>(depots.queue.area), depot_ticks);
    s.queue_max = depots.queue.max;
    s.dock_busy_h = ts.to_seconds(depots.dock_busy) / 3600.0;
    return s;
}

namespace {

std::string text_of(std::optional<std::uint64_t> v) {
    return v ? std::to_string(*v) : std::string("-");
}

// seconds for people: "-" when not applicable
std::string seconds(double v) {
    return std::isnan(v) ? std::string("-") : fixed(v, 0) + " s";
}

}  // namespace

void KpiSummary::to_json(std::ostream& out) const {
    const auto num = [&](const char* key, double v, bool last = false) {
        out << "  \"" << key << "\": ";
        json_number(out, v);
        out << (last ? "\n" : ",\n");
    };
    const auto count = [&](const char* key, std::uint64_t v) {
        out << "  \"" << key << "\": " << v << ",\n";
    };
    const auto maybe = [&](const char* key, std::optional<std::uint64_t> v) {
        out << "  \"" << key << "\": ";
        if (v) {
            out << *v;
        } else {
            out << "null";
        }
        out << ",\n";
    };
    out << "{\n";
    count("created", created);
    count("delivered", delivered);
    count("delivered_on_time", delivered_on_time);
    count("delivered_late", delivered_late);
    count("delivered_short", delivered_short);
    count("failed", failed);
    out << "  \"failed_by_reason\": {";
    for (std::size_t i = 1; i < kFailReasonCount; ++i) {
        out << (i > 1 ? ", " : "") << '"' << to_string(static_cast<FailReason>(i))
            << "\": " << failed_by_reason[i];
    }
    out << "},\n";
    count("backlog", backlog);
    count("unassigned", unassigned);
    num("oldest_unassigned_age_s", oldest_unassigned_age_s);
    count("at_risk", at_risk);
    count("overdue", overdue);
    count("intervals", intervals);
    num("interval_s", interval_s);
    count("due", due);
    count("due_on_time_in_full", due_on_time_in_full);
    count("due_delivered", due_delivered);
    num("on_time_in_full_pct", on_time_in_full_pct);
    num("fill_rate", fill_rate);
    count("served", outcomes.served);
    count("lost", outcomes.lost);
    count("lapsed", outcomes.lapsed);
    num("service_level", service_level);
    num("service_level_min", service_level_min);
    num("lateness_p50_s", lateness_p50_s);
    num("lateness_p90_s", lateness_p90_s);
    num("lateness_p99_s", lateness_p99_s);
    num("lateness_max_s", lateness_max_s);
    out << "  \"lateness_histogram\": {\"edges_min\": [";
    for (std::size_t i = 0; i < LatenessHistogram::kEdgesMin.size(); ++i) {
        out << (i > 0 ? ", " : "");
        json_number(out, LatenessHistogram::kEdgesMin[i]);
    }
    out << "], \"counts\": [";
    for (std::size_t i = 0; i < LatenessHistogram::kBins; ++i) {
        out << (i > 0 ? ", " : "") << lateness_histogram.counts[i];
    }
    out << "]},\n";
    count("orphaned", orphaned);
    count("reassigned", reassigned);
    num("time_to_reassign_mean_s", time_to_reassign_mean_s);
    num("time_to_reassign_max_s", time_to_reassign_max_s);
    num("decision_latency_mean_s", decision_latency_mean_s);
    count("disruptions", disruptions);
    count("breakdowns", breakdowns);
    num("time_to_impact_s", time_to_impact_s);
    num("time_to_recover_s", time_to_recover_s);
    num("resilience_loss_s", resilience_loss_s);
    count("messages", messages);
    count("bytes", bytes);
    num("messages_per_agent", messages_per_agent);
    num("bytes_per_agent", bytes_per_agent);
    num("cost", cost);
    num("cost_per_delivered", cost_per_delivered);
    num("cost_distance", cost_distance);
    num("cost_energy", cost_energy);
    num("cost_lateness", cost_lateness);
    num("cost_failed", cost_failed);
    num("cost_vehicles", cost_vehicles);
    maybe("services", services);
    maybe("wear_breakdowns", wear_breakdowns);
    maybe("learning_rounds", learning_rounds);
    maybe("model_bytes", model_bytes);
    maybe("model_rejected", model_rejected);
    maybe("model_tampered", model_tampered);
    num("risk_model_loss", risk_model_loss);
    num("risk_model_accuracy", risk_model_accuracy);
    num("travel_time_rmse", travel_time_rmse);
    num("model_consensus", model_consensus);
    num("veh_km", veh_km);
    num("drive_hours", drive_hours);
    num("energy_kwh", energy_kwh);
    num("utilisation", utilisation);
    // by fleet id (ids come from the scenario's [[fleets]]: letters, digits, '-', '_'), so
    // that batch summaries flatten them to fleets.<id>.<kpi>
    out << "  \"fleets\": {";
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const GroupKpis& g = groups[i];
        out << (i > 0 ? ", " : "") << '"' << g.id << "\": {\"vehicles\": " << g.vehicles
            << ", \"vehicles_used\": " << g.vehicles_used << ", \"deliveries\": " << g.deliveries
            << ", \"veh_km\": ";
        json_number(out, g.veh_km);
        out << ", \"utilisation\": ";
        json_number(out, g.utilisation);
        out << '}';
    }
    out << "},\n";
    num("queue_mean", queue_mean);
    out << "  \"queue_max\": " << queue_max << ",\n";
    num("dock_busy_h", dock_busy_h, true);
    out << "}\n";
}

void KpiSummary::print(std::ostream& out) const {
    out << "orders    created " << created << ", delivered " << delivered << " (on time "
        << delivered_on_time << ", late " << delivered_late << ", short " << delivered_short
        << "), failed " << failed << ", open " << backlog << '\n';
    out << "now       unassigned " << unassigned << " (oldest " << seconds(oldest_unassigned_age_s)
        << "), at risk " << at_risk << ", overdue " << overdue << '\n';
    out << "service   Q " << fixed(service_level, 3) << " (" << outcomes.served << " served, "
        << outcomes.lost << " lost, " << outcomes.lapsed << " lapsed), worst Q "
        << fixed(service_level_min, 3) << " (" << intervals << " intervals of "
        << fixed(interval_s, 0) << " s); OTIF " << fixed(on_time_in_full_pct, 1) << " % of " << due
        << " due, fill rate " << fixed(fill_rate, 3) << '\n';
    out << "lateness  p50 " << seconds(lateness_p50_s) << ", p90 " << seconds(lateness_p90_s)
        << ", p99 " << seconds(lateness_p99_s) << ", max " << seconds(lateness_max_s) << '\n';
    if (failed > 0) {
        out << "failed   ";
        for (std::size_t i = 1; i < kFailReasonCount; ++i) {
            if (failed_by_reason[i] > 0) {
                out << ' ' << to_string(static_cast<FailReason>(i)) << ' ' << failed_by_reason[i];
            }
        }
        out << '\n';
    }
    if (orphaned > 0) {
        out << "reassign  orphaned " << orphaned << ", reassigned " << reassigned
            << ", time to reassign mean " << seconds(time_to_reassign_mean_s) << ", max "
            << seconds(time_to_reassign_max_s) << '\n';
    }
    if (disruptions > 0) {
        out << "disrupted " << disruptions << " disruptions, " << breakdowns
            << " breakdowns; from the onset: Q below the failure threshold after "
            << seconds(time_to_impact_s) << ", recovered after "
            << (std::isnan(time_to_impact_s)    ? std::string("- (never failed)")
                : std::isnan(time_to_recover_s) ? std::string("- (not by the end)")
                                                : seconds(time_to_recover_s))
            << "; resilience loss " << seconds(resilience_loss_s) << '\n';
    }
    out << "decisions latency mean " << fixed(decision_latency_mean_s, 1) << " s; comms "
        << messages << " messages, " << fixed(bytes_per_agent / 1024.0, 1) << " KiB per agent\n";
    if (learning_rounds) {
        out << "learning  " << text_of(learning_rounds) << " rounds, " << text_of(services)
            << " services, " << text_of(wear_breakdowns) << " worn-out breakdowns; risk model loss "
            << fixed(risk_model_loss, 3) << ", travel-time RMSE " << fixed(travel_time_rmse, 3)
            << "; " << fixed(static_cast<double>(model_bytes.value_or(0)) / 1024.0, 0)
            << " KiB of models";
        if (model_rejected || model_tampered) {
            out << " (" << (model_tampered ? text_of(model_tampered) + " tampered, " : "")
                << (model_rejected ? text_of(model_rejected) + " rejected"
                                   : std::string("unsigned: none checked"))
                << ")";
        }
        out << '\n';
    }
    out << "cost      " << fixed(cost, 0) << " (" << fixed(cost_per_delivered, 2)
        << " per delivered order): distance " << fixed(cost_distance, 0) << ", energy "
        << fixed(cost_energy, 0) << ", lateness " << fixed(cost_lateness, 0) << ", failed "
        << fixed(cost_failed, 0) << ", vehicles " << fixed(cost_vehicles, 0) << '\n';
    out << "fleet     " << fixed(veh_km, 1) << " veh-km in " << fixed(drive_hours, 1)
        << " h driving, " << fixed(energy_kwh, 1) << " kWh, utilisation "
        << fixed(100.0 * utilisation, 1) << " %\n";
    for (const GroupKpis& g : groups) {
        out << "  " << g.id << ": " << g.vehicles_used << " of " << g.vehicles
            << " vehicles delivered, " << g.deliveries << " deliveries, " << fixed(g.veh_km, 1)
            << " veh-km, utilisation " << fixed(100.0 * g.utilisation, 1) << " %\n";
    }
    out << "depots    queue mean " << fixed(queue_mean, 2) << ", max " << queue_max
        << ", docks busy " << fixed(dock_busy_h, 2) << " h\n";
}

// ---- resilience ----

Recovery time_to_recover(std::span<const double> q, Tick interval, double failure_threshold,
                         double recovery_threshold, Tick disruption_start, Tick origin) {
    if (interval <= 0) {
        throw std::invalid_argument("time_to_recover: interval must be > 0");
    }
    if (!(failure_threshold <= recovery_threshold)) {
        throw std::invalid_argument(
            "time_to_recover: failure threshold above the recovery threshold");
    }
    Recovery r;
    const std::size_t first =
        disruption_start <= origin
            ? 0
            : static_cast<std::size_t>((disruption_start - origin) / interval);
    const auto start = [&](std::size_t k) { return origin + static_cast<Tick>(k) * interval; };
    // first failing interval at or after the disruption
    std::size_t k = first;
    while (k < q.size() && !(q[k] < failure_threshold)) {
        ++k;
    }
    if (k >= q.size()) {
        return r;
    }
    r.failed = true;
    r.fail_interval = k;
    r.failed_at = start(k);
    r.time_to_impact = std::max<Tick>(0, r.failed_at - disruption_start);
    r.time_to_recover = sim::kTickNever;
    // first interval back at the recovery threshold
    for (std::size_t j = k + 1; j < q.size(); ++j) {
        if (q[j] >= recovery_threshold) {
            r.recovered = true;
            r.recover_interval = j;
            r.recovered_at = start(j);
            r.time_to_recover = std::max<Tick>(0, r.recovered_at - disruption_start);
            break;
        }
    }
    return r;
}

namespace {

ResilienceLoss area_between(std::span<const double> q, const auto& baseline_at, Tick interval,
                            const sim::TimeScale& scale) {
    if (interval <= 0) {
        throw std::invalid_argument("resilience_loss: interval must be > 0");
    }
    const double dt = scale.to_seconds(interval);
    ResilienceLoss r;
    // left to right, so the sum is the same in every run
    for (std::size_t k = 0; k < q.size(); ++k) {
        const double d = baseline_at(k) - q[k];
        if (d > 0.0) {
            r.loss_s += d * dt;
        } else {
            r.gain_s -= d * dt;
        }
    }
    return r;
}

}  // namespace

ResilienceLoss resilience_loss(std::span<const double> q, double baseline, Tick interval,
                               sim::TimeScale scale) {
    return area_between(
        q, [&](std::size_t) { return baseline; }, interval, scale);
}

ResilienceLoss resilience_loss(std::span<const double> q, std::span<const double> baseline,
                               Tick interval, sim::TimeScale scale) {
    const std::size_t n = std::min(q.size(), baseline.size());
    return area_between(
        q.first(n), [&](std::size_t k) { return baseline[k]; }, interval, scale);
}

}  // namespace swarm::agents
