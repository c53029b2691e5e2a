// Byzantine attacks on shared models and the robust aggregators that resist them.
// Attackers hold valid identities (their updates verify) and are omniscient: they see the
// mean and spread of the honest models each round, the standard worst-case threat model.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/random.hpp"

namespace swarm::learning {

enum class AttackKind : std::uint8_t {
    kNone,
    kSignFlip,  // -scale * honest mean
    kGaussian,  // honest mean + N(0, sigma^2) per coordinate
    kAlie,      // honest mean - z * honest std per coordinate (Baruch et al. 2019)
    kIpm,       // -epsilon * honest mean (inner-product manipulation, Xie et al. 2020)
};
const char* to_string(AttackKind kind);
AttackKind attack_kind_from_string(const std::string& name);

struct AttackSpec {
    AttackKind kind = AttackKind::kNone;
    double fraction = 0.0;  // of agents that are Byzantine
    double scale = 1.0;     // sign flip
    double sigma = 1.0;     // gaussian
    double z = 0.0;         // ALIE; 0 = z_max of Baruch et al. for (agents, attackers)
    double epsilon = 0.1;   // IPM
    void validate() const;
};

// ALIE's z_max: s = floor(n/2 + 1) - f, z = Phi^-1((n - s) / n)
double alie_z(std::uint32_t agents, std::uint32_t attackers);

// The update a Byzantine agent sends, from honest statistics of this round.
void craft_attack(const AttackSpec& spec, double z, std::span<const float> honest_mean,
                  std::span<const float> honest_std, sim::RandomStream& rng, std::span<float> out);

// The aggregators are registered by name (aggregators.hpp, aggregators/registry.cpp); a
// kind is an index into that registry. The built-in ones, in registry order:
enum class AggregatorKind : std::uint8_t {
    kMean,         // weighted average (the protocol's mixing weights)
    kMedian,       // coordinate-wise median of own and received
    kTrimmedMean,  // coordinate-wise, drop the `trim` fraction at each end
    kKrum,         // the candidate closest to its m - f - 2 nearest (Blanchard et al. 2017)
    kClipping,     // self-centred clipping, ClippedGossip (He, Karimireddy, Jaggi 2022)
};
// the registered name (aggregators.hpp)
const char* to_string(AggregatorKind kind);
// by registered name; std::invalid_argument listing the known ones otherwise
AggregatorKind aggregator_kind_from_string(const std::string& name);

struct AggregatorSpec {
    AggregatorKind kind = AggregatorKind::kMean;
    double trim = 0.2;         // trimmed mean: fraction dropped at each end
    std::uint32_t krum_f = 1;  // Krum: assumed Byzantine neighbours
    // clipping radius tau = this quantile of the distances ||x_j - x_i|| to the neighbours:
    // adaptive, needs no knowledge of the attack; a quarter of the neighbours pass
    // unclipped, the rest (far-off Byzantine ones among them) are pulled in to tau
    double clip_quantile = 0.25;
    // screened_clipping: neighbours farther than screen_factor * tau are dropped, not
    // clipped (>= 1: nothing within tau is ever dropped); 2 drops ~2% of honest updates in
    // attack-free runs of the fashion scenario, ALIE at z = 5 sits at 4-14 tau
    double screen_factor = 2.0;
    void validate() const;
};

struct AggregatorScratch {
    std::vector<float> column;
    std::vector<double> dist;
    std::vector<double> score;
};

// Combines the receiver's own model with m received ones (rows of `received`, m x p) with
// the registered aggregator spec.kind. weights[j] is neighbour j's mixing weight; the self
// weight is 1 - sum(weights). Only mean and clipping use weights. Writes the new model to
// out (which must not alias the inputs).
void aggregate(const AggregatorSpec& spec, std::span<const float> own,
               std::span<const float> received, std::size_t m, std::span<const float> weights,
               std::span<float> out, AggregatorScratch& scratch);

}  // namespace swarm::learning
