#include "agents/learning/robust.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace swarm;
using namespace swarm::learning;

namespace {
std::vector<float> run(AggregatorKind kind, const std::vector<float>& own,
                       const std::vector<float>& received, std::size_t m) {
    AggregatorSpec spec;
    spec.kind = kind;
    spec.trim = 0.25;
    spec.krum_f = 1;
    std::vector<float> w(m, 1.0F / float(m + 1));
    std::vector<float> out(own.size());
    AggregatorScratch scratch;
    aggregate(spec, own, received, m, w, out, scratch);
    return out;
}
}  // namespace

TEST_CASE("aggregators on honest values near 1 and one outlier at 100") {
    const std::vector<float> own = {1.0F, 1.0F};
    const std::vector<float> rx = {0.9F, 1.1F, 1.1F, 0.9F, 1.0F, 1.0F, 100.0F, -100.0F};
    const auto mean = run(AggregatorKind::kMean, own, rx, 4);
    CHECK(mean[0] == doctest::Approx((1.0 + 0.9 + 1.1 + 1.0 + 100.0) / 5));
    const auto med = run(AggregatorKind::kMedian, own, rx, 4);
    CHECK(med[0] == doctest::Approx(1.0));
    const auto tm = run(AggregatorKind::kTrimmedMean, own, rx, 4);
    // drops 0.9 and 100, keeps 1, 1, 1.1
    CHECK(tm[0] == doctest::Approx((1.0 + 1.0 + 1.1) / 3));
    const auto krum = run(AggregatorKind::kKrum, own, rx, 4);
    CHECK(std::fabs(krum[0] - 1.0F) < 0.11F);
    const auto clip = run(AggregatorKind::kClipping, own, rx, 4);
    CHECK(std::fabs(clip[0] - 1.0F) < 0.1F);  // the outlier moves own by at most tau / 5
}

TEST_CASE("attacks craft from honest statistics") {
    const std::vector<float> mean = {1.0F, -2.0F};
    const std::vector<float> sd = {0.5F, 1.0F};
    std::vector<float> out(2);
    sim::RandomStream rng(1, 1);
    AttackSpec a;
    a.kind = AttackKind::kAlie;
    craft_attack(a, 2.0, mean, sd, rng, out);
    CHECK(out[0] == doctest::Approx(0.0));
    CHECK(out[1] == doctest::Approx(-4.0));
    a.kind = AttackKind::kSignFlip;
    craft_attack(a, 0.0, mean, sd, rng, out);
    CHECK(out[1] == doctest::Approx(2.0));
    a.kind = AttackKind::kIpm;
    craft_attack(a, 0.0, mean, sd, rng, out);
    CHECK(out[0] == doctest::Approx(-0.1));
    // z_max of Baruch et al.: n = 50, f = 24 gives s = 2, Phi^-1(0.96) = 1.75
    CHECK(alie_z(50, 24) == doctest::Approx(1.7507).epsilon(1e-3));
    CHECK_THROWS_AS(aggregator_kind_from_string("bulyan"), std::invalid_argument);
}
