// Tests sim/random.hpp: the stream is the documented function of (seed, stream, substream,
// draw index), streams are uniform and independent of each other, and the derived
// distributions have the right moments. Seeds are fixed, so every statistical test is
// deterministic; thresholds sit near a 1e-4 significance level (the values reached are in
// the failure messages).
#include "sim/random.hpp"

#include <Random123/philox.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

using swarm::sim::RandomStream;

namespace {

// one-sided standard normal quantile at 1e-4
constexpr double kZ1e4 = 3.719;

// the chi-square critical value at 1e-4 for `df` degrees of freedom (Wilson-Hilferty;
// slightly conservative for small df)
double chi2_critical(double df) {
    const double a = 2.0 / (9.0 * df);
    const double x = 1.0 - a + kZ1e4 * std::sqrt(a);
    return df * x * x * x;
}

double chi2_statistic(const std::vector<std::uint64_t>& counts, double expected) {
    double chi2 = 0.0;
    for (const std::uint64_t c : counts) {
        const double d = static_cast<double>(c) - expected;
        chi2 += d * d / expected;
    }
    return chi2;
}

// one-sample Kolmogorov-Smirnov statistic of `xs` against the continuous CDF `cdf`
double ks_statistic(std::vector<double> xs, const std::function<double(double)>& cdf) {
    std::sort(xs.begin(), xs.end());
    const auto n = static_cast<double>(xs.size());
    double d = 0.0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const double f = cdf(xs[i]);
        d = std::max({d, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
    }
    return d;
}

// the KS critical value at 1e-4 (asymptotic: P(sqrt(n) D > x) ~ 2 exp(-2 x^2))
double ks_critical(std::size_t n) {
    return std::sqrt(-0.5 * std::log(0.5e-4)) / std::sqrt(static_cast<double>(n));
}

std::vector<double> uniforms(RandomStream rng, std::size_t n) {
    std::vector<double> xs(n);
    for (double& x : xs) {
        x = rng.uniform();
    }
    return xs;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
    const auto n = static_cast<double>(x.size());
    double sx = 0.0;
    double sy = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sx += x[i];
        sy += y[i];
    }
    const double mx = sx / n;
    const double my = sy / n;
    double sxy = 0.0;
    double sxx = 0.0;
    double syy = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / std::sqrt(sxx * syy);
}

// chi-square of the pairs (x[k], y[k]) over a bins x bins grid against the uniform square:
// tests both marginals and their independence
double chi2_pairs(const std::vector<double>& x, const std::vector<double>& y, std::size_t bins) {
    std::vector<std::uint64_t> counts(bins * bins, 0);
    const auto b = static_cast<double>(bins);
    for (std::size_t k = 0; k < x.size(); ++k) {
        const auto i = static_cast<std::size_t>(x[k] * b);
        const auto j = static_cast<std::size_t>(y[k] * b);
        ++counts[i * bins + j];
    }
    return chi2_statistic(counts, static_cast<double>(x.size()) / (b * b));
}

struct Moments {
    double mean = 0.0;
    double variance = 0.0;
};

template <class Draw>
Moments moments(std::size_t n, Draw draw) {
    double sum = 0.0;
    double sum2 = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = draw();
        sum += x;
        sum2 += x * x;
    }
    const auto m = static_cast<double>(n);
    const double mean = sum / m;
    return {mean, (sum2 - m * mean * mean) / (m - 1.0)};
}

}  // namespace

TEST_CASE("random: draw d is word d % 2 of the Philox block d / 2") {
    // the published known-answer vector of Philox4x32-10 for counter 0 and key 0
    RandomStream zero(0, 0);
    CHECK(zero.next_u64() == 0xe169c58d6627e8d5ULL);
    CHECK(zero.next_u64() == 0x9b00dbd8bc57ac4cULL);

    // the counter is (block, stream, substream tag), the key the run seed
    const std::uint64_t seed = 0x0123456789abcdefULL;
    const std::uint32_t stream = 0x00000123u;
    const std::uint32_t substream = 5;
    RandomStream rng(seed, stream, substream);
    for (std::uint64_t d = 0; d < 9; ++d) {
        const std::uint64_t block = d / 2;
        const r123::Philox4x32::ctr_type ctr = {{static_cast<std::uint32_t>(block),
                                                 static_cast<std::uint32_t>(block >> 32), stream,
                                                 substream}};
        const r123::Philox4x32::key_type key = {
            {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
        const r123::Philox4x32::ctr_type out = r123::Philox4x32{}(ctr, key);
        const unsigned w = d % 2 == 0 ? 0 : 2;
        const std::uint64_t expected = (std::uint64_t{out[w + 1]} << 32) | out[w];
        CHECK(rng.next_u64() == expected);
    }
    CHECK(rng.draws() == 9);
}

TEST_CASE("random: the same key and draw index give the same value, in any order") {
    constexpr std::size_t kStreams = 16;
    constexpr std::size_t kDraws = 50;
    // reference: each stream on its own, start to end
    std::vector<std::vector<std::uint64_t>> expected(kStreams);
    for (std::size_t s = 0; s < kStreams; ++s) {
        RandomStream rng(42, static_cast<std::uint32_t>(s), 3);
        for (std::size_t d = 0; d < kDraws; ++d) {
            expected[s].push_back(rng.next_u64());
        }
    }
    // interleaved, streams visited in reverse and draws taken round-robin
    std::vector<RandomStream> streams;
    for (std::size_t s = 0; s < kStreams; ++s) {
        streams.emplace_back(42, s, 3);
    }
    for (std::size_t d = 0; d < kDraws; ++d) {
        for (std::size_t s = kStreams; s-- > 0;) {
            REQUIRE(streams[s].next_u64() == expected[s][d]);
        }
    }
    // resumed at every draw index, even and odd (inside a block and at its start)
    for (std::size_t s = 0; s < kStreams; ++s) {
        for (std::uint64_t d = 0; d < kDraws; ++d) {
            RandomStream resumed(42, static_cast<std::uint32_t>(s), 3, d);
            REQUIRE(resumed.draws() == d);
            for (std::uint64_t k = d; k < std::min<std::uint64_t>(d + 3, kDraws); ++k) {
                REQUIRE(resumed.next_u64() == expected[s][k]);
            }
        }
    }
    // a stream resumed where another stopped, whatever was drawn through the derived
    // distributions (some of which take several draws)
    RandomStream a(9, 1);
    (void)a.normal();
    (void)a.exponential(2.0);
    (void)a.below(1000);
    (void)a.uniform();
    RandomStream b(9, 1, 0, a.draws());
    for (int i = 0; i < 10; ++i) {
        CHECK(a.next_u64() == b.next_u64());
    }
    // copies are independent cursors on the same sequence
    RandomStream c = a;
    CHECK(c.next_u64() == a.next_u64());
}

TEST_CASE("random: seeds, streams and substreams all change the sequence") {
    auto first = [](std::uint64_t seed, std::uint32_t stream, std::uint32_t sub) {
        RandomStream rng(seed, stream, sub);
        return std::array<std::uint64_t, 4>{rng.next_u64(), rng.next_u64(), rng.next_u64(),
                                            rng.next_u64()};
    };
    const auto base = first(1, 0, 0);
    CHECK(first(1, 0, 0) == base);
    CHECK(first(2, 0, 0) != base);
    CHECK(first(1ULL | (1ULL << 32), 0, 0) != base);  // the seed's high half counts
    CHECK(first(1, 1, 0) != base);
    CHECK(first(1, 0x8000'0000u, 0) != base);  // the stream's high bit counts
    // stream and substream own separate counter words: swapping them changes the draws
    CHECK(first(1, 1, 2) != first(1, 2, 1));
    CHECK(first(1, 0, 1) != base);
    // no two of many (seed, stream, substream) keys share their first draw
    std::vector<std::uint64_t> seen;
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
        for (std::uint32_t stream = 0; stream < 64; ++stream) {
            for (std::uint32_t sub = 0; sub < 4; ++sub) {
                seen.push_back(RandomStream(seed, stream, sub).next_u64());
            }
        }
    }
    std::sort(seen.begin(), seen.end());
    CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
}

TEST_CASE("random: every stream is uniform (Kolmogorov-Smirnov, streams 0..63)") {
    constexpr std::size_t kDraws = 10'000;
    const double critical = ks_critical(kDraws);
    double worst = 0.0;
    double sum_scaled = 0.0;
    for (std::uint64_t s = 0; s < 64; ++s) {
        const double d =
            ks_statistic(uniforms(RandomStream(1, static_cast<std::uint32_t>(s)), kDraws),
                         [](double x) { return x; });
        INFO("stream " << s << ": D = " << d << ", critical " << critical);
        CHECK(d < critical);
        worst = std::max(worst, d);
        sum_scaled += d * std::sqrt(static_cast<double>(kDraws));
    }
    // sqrt(n) D follows Kolmogorov's law, of mean sqrt(pi / 2) ln 2 = 0.8687 and standard
    // deviation 0.2603: the mean of 64 lies within 0.8687 +- 4 * 0.2603 / 8
    const double mean_scaled = sum_scaled / 64.0;
    INFO("mean sqrt(n) D = " << mean_scaled << ", worst D = " << worst);
    CHECK(std::fabs(mean_scaled - 0.8687) < 4.0 * 0.2603 / 8.0);
}

TEST_CASE("random: neighbouring streams are independent (chi-square of pairs, correlation)") {
    constexpr std::size_t kDraws = 10'000;
    constexpr std::size_t kBins = 10;  // 100 cells of 100 expected pairs
    const double chi2_crit = chi2_critical(kBins * kBins - 1);
    const double corr_crit = kZ1e4 / std::sqrt(static_cast<double>(kDraws));  // two-sided 2e-4
    std::vector<double> prev = uniforms(RandomStream(77, 0), kDraws);
    for (std::uint64_t s = 1; s < 64; ++s) {
        const std::vector<double> next =
            uniforms(RandomStream(77, static_cast<std::uint32_t>(s)), kDraws);
        const double chi2 = chi2_pairs(prev, next, kBins);
        const double r = pearson(prev, next);
        INFO("streams " << s - 1 << " and " << s << ": chi2 = " << chi2 << " (critical "
                        << chi2_crit << "), r = " << r << " (critical " << corr_crit << ")");
        CHECK(chi2 < chi2_crit);
        CHECK(std::fabs(r) < corr_crit);
        prev = next;
    }
    // the same between substreams of one stream and between neighbouring seeds
    const std::vector<double> base = uniforms(RandomStream(77, 5, 0), kDraws);
    for (const auto& other :
         {uniforms(RandomStream(77, 5, 1), kDraws), uniforms(RandomStream(78, 5, 0), kDraws)}) {
        const double chi2 = chi2_pairs(base, other, kBins);
        const double r = pearson(base, other);
        INFO("chi2 = " << chi2 << ", r = " << r);
        CHECK(chi2 < chi2_crit);
        CHECK(std::fabs(r) < corr_crit);
    }
    // and between consecutive draws of one stream (the two words of a block, and across)
    std::vector<double> even;
    std::vector<double> odd;
    RandomStream rng(77, 9);
    for (std::size_t k = 0; k < kDraws; ++k) {
        even.push_back(rng.uniform());
        odd.push_back(rng.uniform());
    }
    CHECK(chi2_pairs(even, odd, kBins) < chi2_crit);
    CHECK(std::fabs(pearson(even, odd)) < corr_crit);
}

TEST_CASE("random: uniform ranges") {
    RandomStream rng(5, 5);
    for (int i = 0; i < 10'000; ++i) {
        const double u = rng.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        const double v = rng.uniform_open0();
        REQUIRE(v > 0.0);
        REQUIRE(v <= 1.0);
        const double w = rng.uniform(-3.0, 2.0);
        REQUIRE(w >= -3.0);
        REQUIRE(w < 2.0);
    }
    CHECK(rng.draws() == 30'000);
}

TEST_CASE("random: below(n) is unbiased") {
    RandomStream rng(11, 3);
    CHECK(rng.below(0) == 0);
    CHECK(rng.below(1) == 0);

    // seven buckets, 10k expected each
    constexpr std::uint64_t kN = 7;
    constexpr std::size_t kDraws = 70'000;
    std::vector<std::uint64_t> counts(kN, 0);
    for (std::size_t i = 0; i < kDraws; ++i) {
        const std::uint64_t v = rng.below(kN);
        REQUIRE(v < kN);
        ++counts[v];
    }
    const double chi2 = chi2_statistic(counts, static_cast<double>(kDraws) / kN);
    INFO("chi2 = " << chi2 << ", critical " << chi2_critical(kN - 1));
    CHECK(chi2 < chi2_critical(kN - 1));

    // n = 3 * 2^62: a plain modulo would put half of all values in the lowest third;
    // rejection keeps the thirds equal (and this n rejects a quarter of the draws)
    constexpr std::uint64_t kBig = 3ULL << 62;
    std::vector<std::uint64_t> thirds(3, 0);
    const std::uint64_t before = rng.draws();
    constexpr std::size_t kBigDraws = 30'000;
    for (std::size_t i = 0; i < kBigDraws; ++i) {
        const std::uint64_t v = rng.below(kBig);
        REQUIRE(v < kBig);
        ++thirds[v >> 62];
    }
    const double chi2_big = chi2_statistic(thirds, kBigDraws / 3.0);
    INFO("thirds chi2 = " << chi2_big);
    CHECK(chi2_big < chi2_critical(2));
    // about 4/3 draws per value
    const auto per_value =
        static_cast<double>(rng.draws() - before) / static_cast<double>(kBigDraws);
    CHECK(per_value == doctest::Approx(4.0 / 3.0).epsilon(0.03));
}

TEST_CASE("random: exponential mean and variance") {
    constexpr std::size_t kDraws = 100'000;
    RandomStream rng(21, 0);
    const double mean = 2.5;
    const Moments m = moments(kDraws, [&] { return rng.exponential(mean); });
    CHECK(rng.draws() == kDraws);  // one draw each
    // standard errors: mean / sqrt(n) and sqrt(8 / n) mean^2; allow 4.5 of them
    const auto n = static_cast<double>(kDraws);
    CHECK(std::fabs(m.mean - mean) < 4.5 * mean / std::sqrt(n));
    CHECK(std::fabs(m.variance - mean * mean) < 4.5 * std::sqrt(8.0 / n) * mean * mean);

    // and the whole law: KS against 1 - exp(-x / mean)
    std::vector<double> xs(20'000);
    for (double& x : xs) {
        x = rng.exponential(mean);
    }
    CHECK(ks_statistic(xs, [&](double x) { return 1.0 - std::exp(-x / mean); }) <
          ks_critical(xs.size()));
}

TEST_CASE("random: normal mean and variance") {
    constexpr std::size_t kDraws = 100'000;
    RandomStream rng(22, 0);
    const Moments m = moments(kDraws, [&] { return rng.normal(3.0, 2.0); });
    CHECK(rng.draws() == 2 * kDraws);  // Box-Muller: exactly two draws each
    // standard errors: sd / sqrt(n) and sqrt(2 / n) sd^2
    const auto n = static_cast<double>(kDraws);
    CHECK(std::fabs(m.mean - 3.0) < 4.5 * 2.0 / std::sqrt(n));
    CHECK(std::fabs(m.variance - 4.0) < 4.5 * std::sqrt(2.0 / n) * 4.0);

    std::vector<double> xs(20'000);
    for (double& x : xs) {
        x = rng.normal();
    }
    CHECK(ks_statistic(xs, [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }) <
          ks_critical(xs.size()));
}

TEST_CASE("random: bernoulli") {
    RandomStream rng(23, 0);
    constexpr std::size_t kDraws = 100'000;
    for (const double p : {0.01, 0.3, 0.5, 0.9}) {
        std::size_t hits = 0;
        for (std::size_t i = 0; i < kDraws; ++i) {
            if (rng.bernoulli(p)) {
                ++hits;
            }
        }
        const auto n = static_cast<double>(kDraws);
        const double freq = static_cast<double>(hits) / n;
        INFO("p = " << p << ": frequency " << freq);
        CHECK(std::fabs(freq - p) < 4.5 * std::sqrt(p * (1.0 - p) / n));
    }
    for (int i = 0; i < 1000; ++i) {
        REQUIRE_FALSE(rng.bernoulli(0.0));
        REQUIRE(rng.bernoulli(1.0));
    }
}
