#include "agents/learning/robust.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "agents/learning/aggregators.hpp"

namespace swarm::learning {
namespace {

double normal_cdf(double x) {
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

double normal_quantile(double p) {
    double lo = -10.0;
    double hi = 10.0;
    for (int i = 0; i < 100; ++i) {
        const double mid = 0.5 * (lo + hi);
        (normal_cdf(mid) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

}  // namespace

const char* to_string(AttackKind kind) {
    switch (kind) {
        case AttackKind::kNone:
            return "none";
        case AttackKind::kSignFlip:
            return "sign_flip";
        case AttackKind::kGaussian:
            return "gaussian";
        case AttackKind::kAlie:
            return "alie";
        case AttackKind::kIpm:
            return "ipm";
    }
    return "?";
}

AttackKind attack_kind_from_string(const std::string& name) {
    for (auto k : {AttackKind::kNone, AttackKind::kSignFlip, AttackKind::kGaussian,
                   AttackKind::kAlie, AttackKind::kIpm}) {
        if (name == to_string(k)) {
            return k;
        }
    }
    throw std::invalid_argument("unknown attack '" + name +
                                "' (none, sign_flip, gaussian, alie, ipm)");
}

void AttackSpec::validate() const {
    if (!(fraction >= 0.0 && fraction < 1.0)) {
        throw std::invalid_argument("attack: fraction must be in [0, 1)");
    }
    if (!std::isfinite(scale) || !(sigma >= 0.0) || !(z >= 0.0) || !std::isfinite(epsilon)) {
        throw std::invalid_argument("attack: scale, sigma >= 0, z >= 0 and epsilon must be finite");
    }
}

double alie_z(std::uint32_t agents, std::uint32_t attackers) {
    const double s = std::floor(double(agents) / 2.0 + 1.0) - double(attackers);
    const double p = (double(agents) - s) / double(agents);
    return normal_quantile(std::clamp(p, 1e-9, 1.0 - 1e-9));
}

void craft_attack(const AttackSpec& spec, double z, std::span<const float> mean,
                  std::span<const float> stdev, sim::RandomStream& rng, std::span<float> out) {
    for (std::size_t k = 0; k < out.size(); ++k) {
        switch (spec.kind) {
            case AttackKind::kNone:
                out[k] = mean[k];
                break;
            case AttackKind::kSignFlip:
                out[k] = static_cast<float>(-spec.scale * mean[k]);
                break;
            case AttackKind::kGaussian:
                out[k] = static_cast<float>(mean[k] + rng.normal(0.0, spec.sigma));
                break;
            case AttackKind::kAlie:
                out[k] = static_cast<float>(mean[k] - z * stdev[k]);
                break;
            case AttackKind::kIpm:
                out[k] = static_cast<float>(-spec.epsilon * mean[k]);
                break;
        }
    }
}

void AggregatorSpec::validate() const {
    if (static_cast<std::size_t>(kind) >= aggregators().size()) {
        throw std::invalid_argument("aggregator: kind is not a registered aggregator");
    }
    if (!(trim >= 0.0 && trim < 0.5)) {
        throw std::invalid_argument("aggregator: trim must be in [0, 0.5)");
    }
    if (!(clip_quantile > 0.0 && clip_quantile <= 1.0)) {
        throw std::invalid_argument("aggregator: clip_quantile must be in (0, 1]");
    }
    if (!(screen_factor >= 1.0 && std::isfinite(screen_factor))) {
        throw std::invalid_argument("aggregator: screen_factor must be finite and >= 1");
    }
}

// The built-in aggregators (registered in aggregator_registry.cpp). Candidates: 0 is
// own, 1..m the received rows.

void aggregate_mean(const AggregatorSpec& /*spec*/, std::span<const float> own,
                    std::span<const float> received, std::size_t m, std::span<const float> weights,
                    std::span<float> out, AggregatorScratch& /*scratch*/) {
    const std::size_t p = own.size();
    double self = 1.0;
    for (std::size_t j = 0; j < m; ++j) {
        self -= weights[j];
    }
    // row by row (streaming); each coordinate still sums self first, then j = 0..m-1
    const auto ws = static_cast<float>(self);
    for (std::size_t k = 0; k < p; ++k) {
        out[k] = ws * own[k];
    }
    for (std::size_t j = 0; j < m; ++j) {
        const float wj = weights[j];
        const float* r = received.data() + j * p;
        for (std::size_t k = 0; k < p; ++k) {
            out[k] += wj * r[k];
        }
    }
}

namespace {

// coordinate-wise: the median, or the mean without the `cut` smallest and largest
void coordinate_wise(bool median, double trim, std::span<const float> own,
                     std::span<const float> received, std::size_t m, std::span<float> out,
                     AggregatorScratch& scratch) {
    const std::size_t p = own.size();
    auto cand = [&](std::size_t c) { return c == 0 ? own : received.subspan((c - 1) * p, p); };
    const std::size_t c = m + 1;
    const std::size_t cut = median ? 0 : static_cast<std::size_t>(trim * double(c));
    scratch.column.resize(c);
    for (std::size_t k = 0; k < p; ++k) {
        for (std::size_t j = 0; j < c; ++j) {
            scratch.column[j] = cand(j)[k];
        }
        std::sort(scratch.column.begin(), scratch.column.end());
        if (median) {
            out[k] = c % 2 == 1 ? scratch.column[c / 2]
                                : 0.5F * (scratch.column[c / 2 - 1] + scratch.column[c / 2]);
        } else {
            double s = 0.0;
            for (std::size_t j = cut; j < c - cut; ++j) {
                s += scratch.column[j];
            }
            out[k] = static_cast<float>(s / double(c - 2 * cut));
        }
    }
}

}  // namespace

void aggregate_median(const AggregatorSpec& spec, std::span<const float> own,
                      std::span<const float> received, std::size_t m,
                      std::span<const float> /*weights*/, std::span<float> out,
                      AggregatorScratch& scratch) {
    coordinate_wise(true, spec.trim, own, received, m, out, scratch);
}

void aggregate_trimmed_mean(const AggregatorSpec& spec, std::span<const float> own,
                            std::span<const float> received, std::size_t m,
                            std::span<const float> /*weights*/, std::span<float> out,
                            AggregatorScratch& scratch) {
    coordinate_wise(false, spec.trim, own, received, m, out, scratch);
}

void aggregate_krum(const AggregatorSpec& spec, std::span<const float> own,
                    std::span<const float> received, std::size_t m,
                    std::span<const float> /*weights*/, std::span<float> out,
                    AggregatorScratch& scratch) {
    const std::size_t p = own.size();
    auto cand = [&](std::size_t c) { return c == 0 ? own : received.subspan((c - 1) * p, p); };
    const std::size_t c = m + 1;
    scratch.dist.assign(c * c, 0.0);
    for (std::size_t a = 0; a < c; ++a) {
        for (std::size_t b = a + 1; b < c; ++b) {
            double d = 0.0;
            const auto x = cand(a);
            const auto y = cand(b);
            for (std::size_t k = 0; k < p; ++k) {
                const double t = double(x[k]) - y[k];
                d += t * t;
            }
            scratch.dist[a * c + b] = scratch.dist[b * c + a] = d;
        }
    }
    const std::size_t near = c > std::size_t{spec.krum_f} + 2 ? c - spec.krum_f - 2 : 1;
    std::size_t best = 0;
    double best_score = 0.0;
    std::vector<double> row_d(c);
    for (std::size_t a = 0; a < c; ++a) {
        for (std::size_t b = 0; b < c; ++b) {
            row_d[b] = scratch.dist[a * c + b];
        }
        std::sort(row_d.begin(), row_d.end());  // row_d[0] is the self distance 0
        double s = 0.0;
        for (std::size_t b = 1; b <= std::min(near, c - 1); ++b) {
            s += row_d[b];
        }
        if (a == 0 || s < best_score) {
            best = a;
            best_score = s;
        }
    }
    const auto chosen = cand(best);
    std::copy(chosen.begin(), chosen.end(), out.begin());
}

void aggregate_clipping(const AggregatorSpec& spec, std::span<const float> own,
                        std::span<const float> received, std::size_t m,
                        std::span<const float> weights, std::span<float> out,
                        AggregatorScratch& scratch) {
    clip_around_own(spec, own, received, m, weights, out, scratch, 0.0);
}

void clip_around_own(const AggregatorSpec& spec, std::span<const float> own,
                     std::span<const float> received, std::size_t m, std::span<const float> weights,
                     std::span<float> out, AggregatorScratch& scratch, double screen_factor) {
    const std::size_t p = own.size();
    const bool screening = screen_factor > 0.0;
    // x_i + sum_j w_ij clip(x_j - x_i, tau), clip(v, tau) = v * min(1, tau / |v|)
    scratch.dist.resize(m);
    for (std::size_t j = 0; j < m; ++j) {
        double d = 0.0;
        for (std::size_t k = 0; k < p; ++k) {
            const double t = double(received[j * p + k]) - own[k];
            d += t * t;
        }
        // screening, a non-finite update is as far as it gets: it never sets tau and is dropped
        scratch.dist[j] =
            screening && !std::isfinite(d) ? std::numeric_limits<double>::infinity() : std::sqrt(d);
    }
    std::copy(own.begin(), own.end(), out.begin());
    if (m == 0) {
        return;
    }
    scratch.score = scratch.dist;
    const auto q = static_cast<std::size_t>(std::ceil(spec.clip_quantile * double(m)) - 1.0);
    std::nth_element(scratch.score.begin(), scratch.score.begin() + static_cast<long>(q),
                     scratch.score.end());
    const double tau = scratch.score[q];
    const double screen = screen_factor * tau;
    for (std::size_t j = 0; j < m; ++j) {
        const double d = scratch.dist[j];
        if (screening && !(d <= screen)) {
            continue;
        }
        const double f = d > tau ? tau / d : 1.0;
        const auto w = static_cast<float>(weights[j] * f);
        for (std::size_t k = 0; k < p; ++k) {
            out[k] += w * (received[j * p + k] - own[k]);
        }
    }
}

}  // namespace swarm::learning
