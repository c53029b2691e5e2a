// The aggregators by name: how a receiver (an agent, the FedAvg server) combines its own
// model with the updates it received. One registry (aggregators/registry.cpp); a new
// aggregator is one function in its own file plus one line there (docs/learning.md,
// "Adding an aggregator"). Scenario files, the CLI and the fleet pick them by name.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agents/learning/robust.hpp"

namespace swarm::learning {

// own: the receiver's model (p floats); received: m rows of p; weights: m mixing weights
// (the self weight is 1 - their sum; aggregators may ignore them); out: p floats, not
// aliasing the inputs. Must be deterministic (no hidden state, no randomness).
using AggregateFn = void (*)(const AggregatorSpec& spec, std::span<const float> own,
                             std::span<const float> received, std::size_t m,
                             std::span<const float> weights, std::span<float> out,
                             AggregatorScratch& scratch);

struct AggregatorInfo {
    std::string_view name;
    std::string_view summary;  // one line for --help and the docs
    AggregateFn aggregate;
};

// every registered aggregator; index i is AggregatorKind{i}
const std::vector<AggregatorInfo>& aggregators();
std::vector<std::string> aggregator_names();

// the built-in ones (robust.cpp)
void aggregate_mean(const AggregatorSpec&, std::span<const float>, std::span<const float>,
                    std::size_t, std::span<const float>, std::span<float>, AggregatorScratch&);
void aggregate_median(const AggregatorSpec&, std::span<const float>, std::span<const float>,
                      std::size_t, std::span<const float>, std::span<float>, AggregatorScratch&);
void aggregate_trimmed_mean(const AggregatorSpec&, std::span<const float>, std::span<const float>,
                            std::size_t, std::span<const float>, std::span<float>,
                            AggregatorScratch&);
void aggregate_krum(const AggregatorSpec&, std::span<const float>, std::span<const float>,
                    std::size_t, std::span<const float>, std::span<float>, AggregatorScratch&);
void aggregate_clipping(const AggregatorSpec&, std::span<const float>, std::span<const float>,
                        std::size_t, std::span<const float>, std::span<float>, AggregatorScratch&);
// self-centred clipping to the clip_quantile radius tau, the core of `clipping` and
// `screened_clipping`: screen_factor > 0 first drops every neighbour farther than
// screen_factor * tau (and every non-finite one); 0 screens nothing
void clip_around_own(const AggregatorSpec& spec, std::span<const float> own,
                     std::span<const float> received, std::size_t m, std::span<const float> weights,
                     std::span<float> out, AggregatorScratch& scratch, double screen_factor);

}  // namespace swarm::learning
