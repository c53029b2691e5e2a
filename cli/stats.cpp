// Student t via the regularized incomplete beta function I_x(a, b), evaluated with its
// continued fraction (modified Lentz), as in Abramowitz & Stegun 26.5.8 and 26.7.1.
#include "cli/stats.hpp"

#include <cmath>
#include <limits>

namespace swarm::cli {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// the continued fraction of I_x(a, b), converging for x < (a + 1) / (a + b + 2)
double beta_fraction(double a, double b, double x) {
    constexpr double kTiny = 1e-300;
    constexpr double kEps = 1e-15;
    double c = 1.0;
    double d = 1.0 - (a + b) * x / (a + 1.0);
    d = 1.0 / (std::fabs(d) < kTiny ? kTiny : d);
    double h = d;
    for (int m = 1; m <= 10000; ++m) {
        const double m2 = 2.0 * m;
        // even step
        double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + num * d;
        c = 1.0 + num / c;
        d = 1.0 / (std::fabs(d) < kTiny ? kTiny : d);
        c = std::fabs(c) < kTiny ? kTiny : c;
        h *= d * c;
        // odd step
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + num * d;
        c = 1.0 + num / c;
        d = 1.0 / (std::fabs(d) < kTiny ? kTiny : d);
        c = std::fabs(c) < kTiny ? kTiny : c;
        const double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1.0) < kEps) {
            break;
        }
    }
    return h;
}

// I_x(a, b)
double incomplete_beta(double a, double b, double x) {
    if (x <= 0.0) {
        return 0.0;
    }
    if (x >= 1.0) {
        return 1.0;
    }
    const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                  a * std::log(x) + b * std::log1p(-x));
    // use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges fast
    if (x < (a + 1.0) / (a + b + 2.0)) {
        return front * beta_fraction(a, b, x) / a;
    }
    return 1.0 - front * beta_fraction(b, a, 1.0 - x) / b;
}

}  // namespace

double student_t_cdf(double t, double df) {
    if (!(df > 0.0) || std::isnan(t)) {
        return kNaN;
    }
    if (std::isinf(t)) {
        return t > 0.0 ? 1.0 : 0.0;
    }
    // P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2)
    const double tail = 0.5 * incomplete_beta(0.5 * df, 0.5, df / (df + t * t));
    return t >= 0.0 ? 1.0 - tail : tail;
}

double student_t_quantile(double p, double df) {
    if (!(p > 0.0 && p < 1.0) || !(df > 0.0)) {
        return kNaN;
    }
    if (p < 0.5) {
        return -student_t_quantile(1.0 - p, df);
    }
    // bracket, then bisect: the CDF is monotone, so this cannot miss
    double lo = 0.0;
    double hi = 1.0;
    while (student_t_cdf(hi, df) < p && hi < 1e300) {
        lo = hi;
        hi *= 2.0;
    }
    for (int i = 0; i < 200 && hi - lo > 1e-14 * hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        (student_t_cdf(mid, df) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

SampleStats sample_stats(std::span<const double> values) {
    SampleStats s;
    double sum = 0.0;
    for (const double v : values) {
        if (std::isfinite(v)) {
            sum += v;
            ++s.n;
        }
    }
    if (s.n == 0) {
        s.mean = s.stddev = s.ci95_low = s.ci95_high = kNaN;
        return s;
    }
    const auto n = static_cast<double>(s.n);
    s.mean = sum / n;
    if (s.n < 2) {
        s.stddev = s.ci95_low = s.ci95_high = kNaN;
        return s;
    }
    // two passes: the squared deviations from the mean, not sum(x^2) - n mean^2
    double ss = 0.0;
    for (const double v : values) {
        if (std::isfinite(v)) {
            ss += (v - s.mean) * (v - s.mean);
        }
    }
    s.stddev = std::sqrt(ss / (n - 1.0));
    const double half = student_t_quantile(0.975, n - 1.0) * s.stddev / std::sqrt(n);
    s.ci95_low = s.mean - half;
    s.ci95_high = s.mean + half;
    return s;
}

}  // namespace swarm::cli
