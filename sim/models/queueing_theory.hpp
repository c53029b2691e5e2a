#pragma once
// Closed-form results for single-station queues, to check simulations against: Erlang B/C
// and the steady-state means of M/M/c (M/M/1 is c = 1), Pollaczek-Khinchine for M/G/1 and
// the Allen-Cunneen approximation for M/G/c. Rates and times in any one consistent unit.
// All functions are pure; an unstable queue (rho >= 1) has infinite waits.
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace swarm::sim::queueing {

// offered load a = lambda / mu, in erlangs
[[nodiscard]] inline double offered_load(double lambda, double mu) {
    return lambda / mu;
}

// utilisation of each of c servers, rho = lambda / (c mu)
[[nodiscard]] inline double utilisation(double lambda, double mu, std::uint32_t c) {
    return lambda / (static_cast<double>(c) * mu);
}

// Erlang B: the blocking probability of M/M/c/c with offered load a, by the stable
// recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))
[[nodiscard]] inline double erlang_b(std::uint32_t c, double a) {
    if (a < 0.0) {
        throw std::invalid_argument("erlang_b: offered load must be >= 0");
    }
    double b = 1.0;
    for (std::uint32_t k = 1; k <= c; ++k) {
        b = a * b / (static_cast<double>(k) + a * b);
    }
    return b;
}

// Erlang C: the probability that an arrival to M/M/c has to wait, C = B / (1 - rho (1 - B))
[[nodiscard]] inline double erlang_c(std::uint32_t c, double a) {
    if (c == 0) {
        throw std::invalid_argument("erlang_c: needs at least one server");
    }
    const double rho = a / static_cast<double>(c);
    if (rho >= 1.0) {
        return 1.0;
    }
    const double b = erlang_b(c, a);
    return b / (1.0 - rho * (1.0 - b));
}

// the steady-state means of one station
struct QueueMeans {
    double rho = 0.0;     // server utilisation
    double p_wait = 0.0;  // probability that an arrival waits
    double wq = 0.0;      // mean wait in queue
    double lq = 0.0;      // time-average number in queue (Little: lambda wq)
    double w = 0.0;       // mean time in system (wq + 1 / mu)
    double l = 0.0;       // time-average number in system (lambda w)
};

namespace detail {

[[nodiscard]] inline QueueMeans unstable(double rho) {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    return {rho, 1.0, kInf, kInf, kInf, kInf};
}

[[nodiscard]] inline QueueMeans with_wq(double lambda, double mu, double rho, double p_wait,
                                        double wq) {
    const double w = wq + 1.0 / mu;
    return {rho, p_wait, wq, lambda * wq, w, lambda * w};
}

}  // namespace detail

// M/M/c: Wq = C(c, a) / (c mu - lambda)
[[nodiscard]] inline QueueMeans mmc(double lambda, double mu, std::uint32_t c) {
    const double rho = utilisation(lambda, mu, c);
    if (rho >= 1.0) {
        return detail::unstable(rho);
    }
    const double p_wait = erlang_c(c, offered_load(lambda, mu));
    const double wq = p_wait / (static_cast<double>(c) * mu - lambda);
    return detail::with_wq(lambda, mu, rho, p_wait, wq);
}

// M/M/1: Wq = rho / (mu - lambda)
[[nodiscard]] inline QueueMeans mm1(double lambda, double mu) {
    return mmc(lambda, mu, 1);
}

// M/G/1 by Pollaczek-Khinchine, with cs2 the squared coefficient of variation of the
// service time (1 exponential, 0 deterministic): Wq = rho (1 + cs2) / (2 mu (1 - rho))
[[nodiscard]] inline QueueMeans mg1(double lambda, double mu, double cs2) {
    const double rho = lambda / mu;
    if (rho >= 1.0) {
        return detail::unstable(rho);
    }
    const double wq = rho * (1.0 + cs2) / (2.0 * mu * (1.0 - rho));
    return detail::with_wq(lambda, mu, rho, rho, wq);
}

// M/G/c by Allen-Cunneen: the M/M/c wait scaled by (1 + cs2) / 2. Exact for cs2 = 1 and
// for c = 1; an approximation otherwise (for M/D/c within a few percent at moderate load).
[[nodiscard]] inline QueueMeans mgc_approx(double lambda, double mu, std::uint32_t c, double cs2) {
    QueueMeans m = mmc(lambda, mu, c);
    if (m.rho >= 1.0) {
        return m;
    }
    return detail::with_wq(lambda, mu, m.rho, m.p_wait, m.wq * (1.0 + cs2) / 2.0);
}

}  // namespace swarm::sim::queueing
