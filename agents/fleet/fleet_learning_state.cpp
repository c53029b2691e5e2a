// FleetLearning: its run state into and out of a checkpoint (sim::StateArchive), field by
// field so that an analyst reads each array with h5py: "travel_bank/weights",
// "component/wear", "totals/rounds", "values/predicted_risk", ...
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "agents/fleet/fleet_learning.hpp"
#include "sim/state_archive.hpp"

namespace swarm::agents {

namespace {

// the totals and metrics field by field; a field added to either struct must be added here
template <class F>
void total_fields(F&& f) {
    f("rounds", &LearningTotals::rounds);
    f("travel_observations", &LearningTotals::travel_observations);
    f("risk_samples", &LearningTotals::risk_samples);
    f("wear_breakdowns", &LearningTotals::wear_breakdowns);
    f("services_planned", &LearningTotals::services_planned);
    f("services", &LearningTotals::services);
    f("model_messages", &LearningTotals::model_messages);
    f("model_drops", &LearningTotals::model_drops);
    f("model_bytes", &LearningTotals::model_bytes);
    f("model_rejected", &LearningTotals::model_rejected);
    f("model_tampered", &LearningTotals::model_tampered);
}
static_assert(sizeof(LearningTotals) == 11 * sizeof(std::uint64_t));

template <class F>
void metric_fields(F&& f) {
    f("risk_loss", &LearningMetrics::risk_loss);
    f("risk_accuracy", &LearningMetrics::risk_accuracy);
    f("travel_time_rmse", &LearningMetrics::travel_time_rmse);
    f("consensus_risk", &LearningMetrics::consensus_risk);
    f("consensus_travel", &LearningMetrics::consensus_travel);
}
static_assert(sizeof(LearningMetrics) == 5 * sizeof(double));

template <class S, class F>
void save_fields(sim::StateArchive& ar, const S& s, F fields) {
    fields([&](const char* name, auto member) { ar.put_value(name, s.*member); });
}

template <class S, class F>
void load_fields(const sim::StateArchive& ar, S& s, F fields) {
    fields([&](const char* name, auto member) { ar.get_value(name, s.*member); });
}

// arrived transfers as three arrays
void save_exchanges(sim::StateArchive& ar, const std::vector<FleetLearning::Exchange>& log) {
    std::vector<std::uint32_t> from;
    std::vector<std::uint32_t> to;
    std::vector<std::uint32_t> bytes;
    for (const FleetLearning::Exchange& x : log) {
        from.push_back(x.from);
        to.push_back(x.to);
        bytes.push_back(x.bytes);
    }
    ar.put("from", from);
    ar.put("to", to);
    ar.put("bytes", bytes);
}

std::vector<FleetLearning::Exchange> load_exchanges(const sim::StateArchive& ar) {
    std::vector<std::uint32_t> from;
    std::vector<std::uint32_t> to;
    std::vector<std::uint32_t> bytes;
    ar.get("from", from);
    ar.get("to", to, from.size());
    ar.get("bytes", bytes, from.size());
    std::vector<FleetLearning::Exchange> log(from.size());
    for (std::size_t i = 0; i < log.size(); ++i) {
        log[i] = {from[i], to[i], bytes[i]};
    }
    return log;
}

}  // namespace

void FleetLearning::save(sim::StateArchive& ar) const {
    {
        const auto s = ar.scope("travel_bank");
        travel_bank_.save(ar);
    }
    {
        const auto s = ar.scope("risk_bank");
        risk_bank_.save(ar);
    }
    {
        // ring buffers of spec_.memory samples per vehicle (empty when nothing learns)
        const auto s = ar.scope("travel_memory");
        ar.put("zone", tt_zone_);
        ar.put("time_of_day", tt_time_);
        ar.put("target", tt_target_);
        ar.put("count", tt_count_);
    }
    {
        const auto s = ar.scope("risk_memory");
        ar.put("signals", risk_x_);
        ar.put("label", risk_label_);
        ar.put("count", risk_count_);
    }
    {
        // the samples waiting for their label: times by vehicle, signals and flags in order
        const auto s = ar.scope("pending");
        std::vector<std::vector<sim::Tick>> t(vehicles_);
        std::vector<float> x;
        std::vector<std::uint8_t> broke;
        for (std::uint32_t v = 0; v < vehicles_; ++v) {
            for (const Pending& p : pending_[v]) {
                t[v].push_back(p.t);
                x.insert(x.end(), p.x.begin(), p.x.end());
                broke.push_back(p.broke ? 1 : 0);
            }
        }
        ar.put_nested("t", t);
        ar.put("signals", x);
        ar.put("broke", broke);
    }
    {
        const auto s = ar.scope("component");
        std::vector<double> wear(vehicles_);
        std::vector<double> hours(vehicles_);
        for (std::uint32_t v = 0; v < vehicles_; ++v) {
            wear[v] = component_[v].wear;
            hours[v] = component_[v].hours;
        }
        ar.put("wear", wear);
        ar.put("hours", hours);
        ar.put("draws", wear_draws_);
        ar.put("utilisation", last_utilisation_);
    }
    ar.put("predicted_factors", factors_);
    ar.put("changed", changed_);
    {
        const auto s = ar.scope("values");
        for (std::size_t k = 0; k < kValues; ++k) {
            ar.put(kValueNames[k], values_[k]);
        }
    }
    {
        const auto s = ar.scope("exchange");
        exchange_->save(ar);
    }
    {
        const auto s = ar.scope("totals");
        save_fields(ar, totals_, [](auto f) { total_fields(f); });
    }
    {
        const auto s = ar.scope("metrics");
        save_fields(ar, metrics_, [](auto f) { metric_fields(f); });
    }
    {
        const auto s = ar.scope("round_log");
        save_exchanges(ar, round_log_);
    }
    {
        // kept for the trace and not yet taken (empty unless keep_exchange_log)
        const auto s = ar.scope("exchange_log");
        save_exchanges(ar, log_);
    }
}

void FleetLearning::load(const sim::StateArchive& ar) {
    std::vector<double> wear;
    std::vector<double> hours;
    {
        // first a per-vehicle array: another fleet size fails before anything changes
        const auto s = ar.scope("component");
        ar.get("wear", wear, vehicles_);
        ar.get("hours", hours, vehicles_);
        ar.get("draws", wear_draws_, vehicles_);
        ar.get("utilisation", last_utilisation_, vehicles_);
    }
    for (std::uint32_t v = 0; v < vehicles_; ++v) {
        component_[v] = {wear[v], hours[v]};
    }
    {
        const auto s = ar.scope("travel_bank");
        travel_bank_.load(ar);
    }
    {
        const auto s = ar.scope("risk_bank");
        risk_bank_.load(ar);
    }
    {
        const auto s = ar.scope("travel_memory");
        ar.get("zone", tt_zone_, tt_zone_.size());
        ar.get("time_of_day", tt_time_, tt_time_.size());
        ar.get("target", tt_target_, tt_target_.size());
        ar.get("count", tt_count_, vehicles_);
    }
    {
        const auto s = ar.scope("risk_memory");
        ar.get("signals", risk_x_, risk_x_.size());
        ar.get("label", risk_label_, risk_label_.size());
        ar.get("count", risk_count_, vehicles_);
    }
    {
        const auto s = ar.scope("pending");
        std::vector<std::uint64_t> offsets;
        ar.get("t/offsets", offsets, std::size_t{vehicles_} + 1);
        std::vector<std::vector<sim::Tick>> t;
        ar.get_nested("t", t);
        const std::size_t n = offsets.back();
        constexpr std::size_t kS = learning::DegradationModel::kSignals;
        std::vector<float> x;
        std::vector<std::uint8_t> broke;
        ar.get("signals", x, n * kS);
        ar.get("broke", broke, n);
        std::size_t i = 0;
        for (std::uint32_t v = 0; v < vehicles_; ++v) {
            pending_[v].clear();
            for (const sim::Tick at : t[v]) {
                Pending p{at, {}, broke[i] != 0};
                std::copy_n(x.begin() + static_cast<std::ptrdiff_t>(i * kS), kS, p.x.begin());
                pending_[v].push_back(p);
                ++i;
            }
        }
    }
    ar.get("predicted_factors", factors_, factors_.size());
    ar.get("changed", changed_, vehicles_);
    {
        const auto s = ar.scope("values");
        for (std::size_t k = 0; k < kValues; ++k) {
            ar.get(kValueNames[k], values_[k], vehicles_);
        }
    }
    {
        const auto s = ar.scope("exchange");
        exchange_->load(ar);
    }
    {
        const auto s = ar.scope("totals");
        load_fields(ar, totals_, [](auto f) { total_fields(f); });
    }
    {
        const auto s = ar.scope("metrics");
        load_fields(ar, metrics_, [](auto f) { metric_fields(f); });
    }
    {
        const auto s = ar.scope("round_log");
        round_log_ = load_exchanges(ar);
    }
    {
        const auto s = ar.scope("exchange_log");
        log_ = load_exchanges(ar);
    }
}

}  // namespace swarm::agents
