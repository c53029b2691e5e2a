// Tutorial example of a registered aggregator (docs/learning.md, "Adding an aggregator"):
// the geometric median of the candidates (the receiver's own model and the m received
// ones), the point minimising the sum of Euclidean distances to them. Unlike the mean, a
// minority of far-off updates cannot drag it far (breakdown point 1/2). Computed with a few
// Weiszfeld iterations from the mean, as RFA does (Pillutla, Kakade, Harchaoui 2022).
#include <algorithm>
#include <cmath>

#include "agents/learning/aggregators.hpp"

namespace swarm::learning {

void aggregate_geometric_median(const AggregatorSpec& /*spec*/, std::span<const float> own,
                                std::span<const float> received, std::size_t m,
                                std::span<const float> /*weights*/, std::span<float> out,
                                AggregatorScratch& scratch) {
    constexpr int kIterations = 8;
    constexpr double kFloor = 1e-9;  // a candidate on the estimate: weight 1 / kFloor
    const std::size_t p = own.size();
    const std::size_t c = m + 1;
    auto cand = [&](std::size_t j) { return j == 0 ? own : received.subspan((j - 1) * p, p); };
    // start from the mean of the candidates
    std::vector<double>& z = scratch.score;
    z.assign(p, 0.0);
    for (std::size_t j = 0; j < c; ++j) {
        const std::span<const float> x = cand(j);
        for (std::size_t k = 0; k < p; ++k) {
            z[k] += x[k];
        }
    }
    for (double& v : z) {
        v /= double(c);
    }
    std::vector<double>& next = scratch.dist;
    for (int it = 0; it < kIterations; ++it) {
        next.assign(p, 0.0);
        double total = 0.0;
        for (std::size_t j = 0; j < c; ++j) {
            const std::span<const float> x = cand(j);
            double d = 0.0;
            for (std::size_t k = 0; k < p; ++k) {
                const double t = double(x[k]) - z[k];
                d += t * t;
            }
            const double w = 1.0 / std::max(std::sqrt(d), kFloor);
            for (std::size_t k = 0; k < p; ++k) {
                next[k] += w * x[k];
            }
            total += w;
        }
        for (std::size_t k = 0; k < p; ++k) {
            z[k] = next[k] / total;
        }
    }
    for (std::size_t k = 0; k < p; ++k) {
        out[k] = static_cast<float>(z[k]);
    }
}

}  // namespace swarm::learning
