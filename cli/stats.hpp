#pragma once
// Statistics over repeated runs: sample mean, standard deviation and the Student-t 95%
// confidence interval of the mean. The t quantile is computed exactly (regularized
// incomplete beta function, then bisection), not read from a table.
#include <cstddef>
#include <span>

namespace swarm::cli {

// P(T <= t) for Student's t with `df` > 0 degrees of freedom
[[nodiscard]] double student_t_cdf(double t, double df);
// the t with P(T <= t) = p, for p in (0, 1); NaN outside
[[nodiscard]] double student_t_quantile(double p, double df);

struct SampleStats {
    std::size_t n = 0;      // finite values used
    double mean = 0.0;      // NaN when n == 0
    double stddev = 0.0;    // sample (n - 1) standard deviation; NaN when n < 2
    double ci95_low = 0.0;  // mean -/+ t(0.975, n - 1) * stddev / sqrt(n); NaN when n < 2
    double ci95_high = 0.0;
};

// NaNs and infinities in `values` are left out (n counts the finite ones)
[[nodiscard]] SampleStats sample_stats(std::span<const double> values);

}  // namespace swarm::cli
