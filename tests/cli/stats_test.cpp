#include "cli/stats.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

using swarm::cli::sample_stats;
using swarm::cli::student_t_cdf;
using swarm::cli::student_t_quantile;

TEST_CASE("t quantiles match published values") {
    // two-sided 95% (p = 0.975) from standard tables, more digits than any table prints
    struct Row {
        double df;
        double t;
    };
    const std::vector<Row> rows = {{1, 12.706204736174707}, {2, 4.302652729749464},
                                   {3, 3.182446305284263},  {4, 2.7764451051977987},
                                   {5, 2.570581835636314},  {10, 2.228138851986274},
                                   {30, 2.042272456301238}, {100, 1.983971518523552}};
    for (const Row& r : rows) {
        CAPTURE(r.df);
        CHECK(student_t_quantile(0.975, r.df) == doctest::Approx(r.t).epsilon(1e-10));
        CHECK(student_t_quantile(0.025, r.df) == doctest::Approx(-r.t).epsilon(1e-10));
    }
    CHECK(student_t_quantile(0.995, 4) == doctest::Approx(4.604094871415897).epsilon(1e-10));
    CHECK(student_t_quantile(0.5, 7) == doctest::Approx(0.0));
    // large df tends to the normal quantile
    CHECK(student_t_quantile(0.975, 1e7) == doctest::Approx(1.959963984540054).epsilon(1e-6));
}

TEST_CASE("t cdf is exact for the Cauchy case and symmetric") {
    for (const double t : {-30.0, -2.0, -0.3, 0.0, 0.5, 1.0, 4.0, 100.0}) {
        CAPTURE(t);
        CHECK(student_t_cdf(t, 1) == doctest::Approx(0.5 + std::atan(t) / std::numbers::pi));
        CHECK(student_t_cdf(t, 6) + student_t_cdf(-t, 6) == doctest::Approx(1.0));
    }
    // df = 2 has the closed form 1/2 + t / (2 sqrt(2 + t^2))
    for (const double t : {-3.0, 0.7, 9.0}) {
        CHECK(student_t_cdf(t, 2) == doctest::Approx(0.5 + t / (2.0 * std::sqrt(2.0 + t * t))));
    }
}

TEST_CASE("t quantile rejects probabilities outside the open unit interval") {
    CHECK(std::isnan(student_t_quantile(0.0, 3)));
    CHECK(std::isnan(student_t_quantile(1.0, 3)));
    CHECK(std::isnan(student_t_quantile(0.9, 0)));
}

TEST_CASE("sample stats give mean std and the t interval") {
    const std::vector<double> v = {1, 2, 3, 4, 5};
    const auto s = sample_stats(v);
    CHECK(s.n == 5);
    CHECK(s.mean == doctest::Approx(3.0));
    CHECK(s.stddev == doctest::Approx(std::sqrt(2.5)));
    const double half = 2.7764451051977987 * std::sqrt(2.5) / std::sqrt(5.0);
    CHECK(s.ci95_low == doctest::Approx(3.0 - half));
    CHECK(s.ci95_high == doctest::Approx(3.0 + half));
}

TEST_CASE("sample stats skip non-finite values and need two for a spread") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> v = {nan, 4.0, nan};
    const auto one = sample_stats(v);
    CHECK(one.n == 1);
    CHECK(one.mean == 4.0);
    CHECK(std::isnan(one.stddev));
    CHECK(std::isnan(one.ci95_low));
    const auto none = sample_stats(std::vector<double>{});
    CHECK(none.n == 0);
    CHECK(std::isnan(none.mean));
    // identical values: a zero-width interval, not NaN
    const auto same = sample_stats(std::vector<double>{2.5, 2.5, 2.5});
    CHECK(same.stddev == 0.0);
    CHECK(same.ci95_low == 2.5);
    CHECK(same.ci95_high == 2.5);
}
