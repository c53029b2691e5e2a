// The aggregators by name: the one place an aggregator is registered (one line each). The
// first five are AggregatorKind's built-ins, in its order; add new ones at the end.
#include <stdexcept>

#include "agents/learning/aggregators.hpp"

namespace swarm::learning {

// each defined in its own file of agents/learning/aggregators/
void aggregate_geometric_median(const AggregatorSpec&, std::span<const float>,
                                std::span<const float>, std::size_t, std::span<const float>,
                                std::span<float>, AggregatorScratch&);
void aggregate_screened_clipping(const AggregatorSpec&, std::span<const float>,
                                 std::span<const float>, std::size_t, std::span<const float>,
                                 std::span<float>, AggregatorScratch&);

const std::vector<AggregatorInfo>& aggregators() {
    static const std::vector<AggregatorInfo> kAggregators = {
        {"mean", "weighted average with the mixing weights (plain FedAvg, D-PSGD)", aggregate_mean},
        {"median", "coordinate-wise median of own and received", aggregate_median},
        {"trimmed_mean", "coordinate-wise mean without the trim fraction at each end",
         aggregate_trimmed_mean},
        {"krum", "the candidate closest to its m - f - 2 nearest (Blanchard et al. 2017)",
         aggregate_krum},
        {"clipping", "self-centred clipping (ClippedGossip, He et al. 2022)", aggregate_clipping},
        {"geometric_median",
         "the point nearest to all candidates, Weiszfeld iterations (RFA, Pillutla et al. 2022; "
         "tutorial example)",
         aggregate_geometric_median},
        {"screened_clipping",
         "self-centred clipping that drops neighbours beyond screen_factor x the radius "
         "(ClippedGossip + a BALANCE-like screen)",
         aggregate_screened_clipping},
    };
    return kAggregators;
}

std::vector<std::string> aggregator_names() {
    std::vector<std::string> names;
    for (const AggregatorInfo& a : aggregators()) {
        names.emplace_back(a.name);
    }
    return names;
}

const char* to_string(AggregatorKind kind) {
    const auto i = static_cast<std::size_t>(kind);
    return i < aggregators().size() ? aggregators()[i].name.data() : "?";
}

AggregatorKind aggregator_kind_from_string(const std::string& name) {
    std::string known;
    for (std::size_t i = 0; i < aggregators().size(); ++i) {
        if (aggregators()[i].name == name) {
            return static_cast<AggregatorKind>(i);
        }
        known += (i > 0 ? ", " : "") + std::string(aggregators()[i].name);
    }
    throw std::invalid_argument("unknown aggregator '" + name + "' (" + known + ")");
}

void aggregate(const AggregatorSpec& spec, std::span<const float> own,
               std::span<const float> received, std::size_t m, std::span<const float> weights,
               std::span<float> out, AggregatorScratch& scratch) {
    const auto i = static_cast<std::size_t>(spec.kind);
    if (i >= aggregators().size()) {
        throw std::invalid_argument("aggregate: no aggregator registered as kind " +
                                    std::to_string(i));
    }
    aggregators()[i].aggregate(spec, own, received, m, weights, out, scratch);
}

}  // namespace swarm::learning
