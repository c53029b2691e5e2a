// Splitting a data set across agents (Hsu et al. 2019; McMahan et al. 2017; Li et al.
// 2022 "Federated learning on non-IID data silos"). All randomness from one seeded stream.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agents/learning/dataset.hpp"

namespace swarm::learning {

enum class PartitionKind : std::uint8_t {
    kIid,        // shuffled, equal shares
    kDirichlet,  // per class, shares ~ Dirichlet(beta): small beta = strong label skew
    kShards,     // sorted by label, cut into agents*k shards, k random shards per agent
    kPowerLaw,   // IID labels, sizes ~ Pareto(alpha): a few agents hold most data
};
const char* to_string(PartitionKind kind);
PartitionKind partition_kind_from_string(const std::string& name);

struct PartitionSpec {
    PartitionKind kind = PartitionKind::kIid;
    double beta = 0.5;         // Dirichlet concentration
    std::uint32_t shards = 2;  // shards per agent
    double alpha = 1.5;        // Pareto tail exponent
    void validate() const;
};

// sample indices of each agent (every sample at most once; IID/shards/power-law use all)
using Partition = std::vector<std::vector<std::uint32_t>>;

Partition make_partition(const Dataset& data, std::uint32_t agents, const PartitionSpec& spec,
                         std::uint64_t seed);

// Gamma(shape, 1) by Marsaglia & Tsang (2000), boosted for shape < 1. Exposed for tests.
double gamma_draw(double shape, sim::RandomStream& rng);

}  // namespace swarm::learning
