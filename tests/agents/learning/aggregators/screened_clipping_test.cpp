// screened_clipping (agents/learning/aggregators/screened_clipping.cpp): honest neighbours are
// clipped as by `clipping`, far ones dropped, and the result is deterministic.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "agents/learning/aggregators.hpp"

using namespace swarm::learning;

namespace {

AggregatorSpec screened(double factor = 2.0) {
    AggregatorSpec spec;
    spec.kind = aggregator_kind_from_string("screened_clipping");
    spec.screen_factor = factor;
    return spec;
}

std::vector<float> run(const AggregatorSpec& spec, const std::vector<float>& own,
                       const std::vector<float>& received) {
    const std::size_t m = received.size() / own.size();
    const std::vector<float> w(m, 1.0F / float(m + 1));
    std::vector<float> out(own.size());
    AggregatorScratch scratch;
    aggregate(spec, own, received, m, w, out, scratch);
    return out;
}

// own at the origin of the plane; neighbours at (d, 0) rotated by a few angles
std::vector<float> ring_of(const std::vector<double>& d) {
    std::vector<float> rx;
    for (std::size_t j = 0; j < d.size(); ++j) {
        const double a = 0.7 * double(j);
        rx.push_back(static_cast<float>(d[j] * std::cos(a)));
        rx.push_back(static_cast<float>(d[j] * std::sin(a)));
    }
    return rx;
}

double norm(const std::vector<float>& v) {
    double s = 0.0;
    for (const float x : v) {
        s += double(x) * x;
    }
    return std::sqrt(s);
}

}  // namespace

TEST_CASE("screened_clipping keeps honest neighbours: within the screen it is clipping") {
    const std::vector<float> own = {0.0F, 0.0F};
    // tau is the 25% quantile of 8 distances (the 2nd smallest, 1.0); all within 2 tau
    const auto rx = ring_of({0.9, 1.0, 1.1, 1.2, 1.5, 1.8, 1.95, 1.3});
    AggregatorSpec clip;
    clip.kind = AggregatorKind::kClipping;
    const auto a = run(screened(), own, rx);
    const auto b = run(clip, own, rx);
    CHECK(a == b);  // bit for bit
    CHECK(norm(a) > 0.0);
}

TEST_CASE("screened_clipping drops neighbours beyond screen_factor x tau") {
    const std::vector<float> own = {0.0F, 0.0F};
    const std::vector<double> honest = {0.9, 1.0, 1.1, 1.2, 1.3, 1.4};
    auto with_attackers = [&](double far) {
        std::vector<double> d = honest;
        d.push_back(far);
        d.push_back(far);
        return ring_of(d);
    };
    // attackers at 10 or at 1e6: the same result, as if their updates were lost
    const auto near_far = run(screened(), own, with_attackers(10.0));
    const auto very_far = run(screened(), own, with_attackers(1e6));
    CHECK(near_far == very_far);
    // ... which is the honest ones clipped to tau = 1, each with weight 1/9
    const auto rx = with_attackers(10.0);
    std::vector<double> expect(2, 0.0);
    for (std::size_t j = 0; j < honest.size(); ++j) {
        const double f = std::min(1.0, 1.0 / honest[j]) / 9.0;
        expect[0] += f * rx[2 * j];
        expect[1] += f * rx[2 * j + 1];
    }
    CHECK(near_far[0] == doctest::Approx(expect[0]).epsilon(1e-5));
    CHECK(near_far[1] == doctest::Approx(expect[1]).epsilon(1e-5));
    // plain clipping still lets them pull by tau each
    AggregatorSpec clip;
    clip.kind = AggregatorKind::kClipping;
    CHECK(run(clip, own, rx) != near_far);
    // a wider screen takes them in again, clipped to tau like the others
    CHECK(run(screened(20.0), own, rx) == run(clip, own, rx));
}

TEST_CASE("screened_clipping when every neighbour is Byzantine") {
    const std::vector<float> own = {1.0F, -1.0F};
    SUBCASE("spread out: only those within the screen count, clipped to tau") {
        // distances 1, 2, 50, 1000: tau = 1 (the 25% quantile of 4), screen 2
        const std::vector<float> rx = {2.0F, -1.0F, 1.0F, 1.0F, 51.0F, -1.0F, 1.0F, 999.0F};
        const auto out = run(screened(), own, rx);
        // the one at 1 (weight 1/5) and the one at 2 clipped to 1 (weight 1/5)
        CHECK(out[0] == doctest::Approx(1.0 + 0.2));
        CHECK(out[1] == doctest::Approx(-1.0 + 0.2));
    }
    SUBCASE("identical: no rule can tell; the move is bounded by the mixing weights") {
        const std::vector<float> rx = {11.0F, -1.0F, 11.0F, -1.0F, 11.0F, -1.0F};
        const auto out = run(screened(), own, rx);
        CHECK(out[0] == doctest::Approx(1.0 + 3.0 * 10.0 / 4.0));
        CHECK(out[1] == doctest::Approx(-1.0));
    }
    SUBCASE("non-finite updates are dropped, the result stays finite") {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const float inf = std::numeric_limits<float>::infinity();
        const std::vector<float> rx = {nan, 0.0F, inf, 1.0F, 1.5F, -1.0F, 1.0F, -0.5F};
        const auto out = run(screened(), own, rx);
        CHECK(std::isfinite(out[0]));
        CHECK(std::isfinite(out[1]));
        CHECK(out[0] == doctest::Approx(1.0 + 0.5 / 5.0));
        CHECK(out[1] == doctest::Approx(-1.0 + 0.5 / 5.0));
    }
    SUBCASE("nothing received: own model") {
        CHECK(run(screened(), own, {}) == own);
    }
}

TEST_CASE("screened_clipping is deterministic and validates screen_factor") {
    std::vector<float> own(64);
    std::vector<float> rx(64 * 8);
    for (std::size_t k = 0; k < own.size(); ++k) {
        own[k] = std::sin(float(k));
    }
    for (std::size_t k = 0; k < rx.size(); ++k) {
        rx[k] = std::cos(0.37F * float(k)) * (k >= 6 * 64 ? 9.0F : 1.0F);
    }
    const std::vector<float> w(8, 1.0F / 9.0F);
    std::vector<float> a(64);
    std::vector<float> b(64);
    AggregatorScratch used;
    used.dist.assign(100, -1.0);
    used.score.assign(3, 7.0);
    AggregatorScratch fresh;
    aggregate(screened(), own, rx, 8, w, a, used);
    aggregate(screened(), own, rx, 8, w, b, fresh);
    CHECK(a == b);
    aggregate(screened(), own, rx, 8, w, b, used);
    CHECK(a == b);
    for (const double bad :
         {0.5, 0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(screened(bad).validate(), std::invalid_argument);
    }
    CHECK_NOTHROW(screened(1.0).validate());
}
