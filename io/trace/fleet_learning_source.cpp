#include "io/trace/fleet_learning_source.hpp"

#include <algorithm>

namespace swarm::io {

FleetLearningSource::FleetLearningSource(agents::FleetModel& model) : model_(model) {
    model_.keep_model_exchange_log(true);
}

std::vector<std::string> FleetLearningSource::names(const agents::FleetSpec& spec) {
    if (!spec.learning.active()) {
        return {};
    }
    return {agents::FleetLearning::kValueNames.begin(), agents::FleetLearning::kValueNames.end()};
}

std::vector<std::string> FleetLearningSource::value_names() const {
    return names(model_.spec());
}

void FleetLearningSource::collect_values(sim::Tick /*t*/, std::span<const std::span<float>> out) {
    const agents::FleetLearning* l = model_.learning();
    if (l == nullptr) {
        return;  // not attached yet: the values stay NaN
    }
    for (std::size_t i = 0; i < out.size() && i < agents::FleetLearning::kValues; ++i) {
        const std::span<const float> v = l->value(i);
        std::copy_n(v.begin(), std::min(v.size(), out[i].size()), out[i].begin());
    }
}

void FleetLearningSource::collect_links(sim::Tick /*t*/, std::vector<TraceLink>& out) {
    exchanges_.clear();
    model_.take_model_exchanges(exchanges_);
    // the learning layer names the cloud `vehicles`; traces use the comms agent index
    const std::uint32_t vehicles = model_.vehicle_count();
    const auto agent = [&](std::uint32_t a) { return a < vehicles ? a : model_.cloud_agent(); };
    for (const agents::FleetLearning::Exchange& x : exchanges_) {
        out.push_back({agent(x.from), agent(x.to), 1, x.bytes});
    }
}

}  // namespace swarm::io
