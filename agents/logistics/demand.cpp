#include "agents/logistics/demand.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace swarm::agents {

namespace {

__extension__ using Int128 = __int128;  // exact bin edges for any period and bin count

// start of bin i of n over a period
Tick bin_edge(std::size_t i, std::size_t n, Tick period) {
    return static_cast<Tick>(static_cast<Int128>(i) * period / static_cast<Int128>(n));
}

// floor division, so negative times fall in the right period
Tick floor_div(Tick a, Tick b) {
    const Tick q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void check_range(const UniformRange& r, const char* what, double lowest) {
    if (!std::isfinite(r.min) || !std::isfinite(r.max) || r.min > r.max || r.min < lowest) {
        throw std::invalid_argument(std::string("DemandParams: bad ") + what + " range [" +
                                    std::to_string(r.min) + ", " + std::to_string(r.max) + "]");
    }
}

double draw(const UniformRange& r, sim::RandomStream& rng) {
    return rng.uniform(r.min, r.max);
}

}  // namespace

// ---- RateProfile ----

RateProfile RateProfile::flat(Tick period) {
    return RateProfile{{1.0}, period};
}

RateProfile RateProfile::day(const sim::TimeScale& scale, double start_hour) {
    // urban parcel demand: quiet night, morning peak 8-10 h, lunch dip, afternoon peak 15-17 h
    constexpr std::array<double, 24> kHourly = {
        0.20, 0.15, 0.10, 0.10, 0.15, 0.30,  // 0-5 h
        0.60, 1.20, 1.80, 2.00, 1.70, 1.40,  // 6-11 h
        1.20, 1.30, 1.60, 1.90, 2.00, 1.70,  // 12-17 h
        1.20, 0.80, 0.60, 0.45, 0.35, 0.25,  // 18-23 h
    };
    double sum = 0.0;
    for (const double f : kHourly) {
        sum += f;
    }
    RateProfile p;
    p.factors.resize(kHourly.size());
    for (std::size_t i = 0; i < kHourly.size(); ++i) {
        p.factors[i] = kHourly[i] * static_cast<double>(kHourly.size()) / sum;
    }
    p.period = scale.from_seconds(86400.0);
    p.offset = scale.from_seconds(start_hour * 3600.0) % p.period;
    return p;
}

double RateProfile::factor_at(Tick t) const {
    t += offset;
    const Tick r = t - floor_div(t, period) * period;
    const auto n = static_cast<Int128>(factors.size());
    // largest i with bin_edge(i) <= r
    const auto i = static_cast<std::size_t>(((static_cast<Int128>(r) + 1) * n - 1) / period);
    return factors[i];
}

double RateProfile::max_factor() const {
    return factors.empty() ? 0.0 : *std::max_element(factors.begin(), factors.end());
}

double RateProfile::integral(Tick from, Tick to) const {
    const std::size_t n = factors.size();
    double full = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        full +=
            factors[i] * static_cast<double>(bin_edge(i + 1, n, period) - bin_edge(i, n, period));
    }
    // integral over [0, t) of the periodic extension
    const auto cumulative = [&](Tick t) {
        const Tick periods = floor_div(t, period);
        const Tick r = t - periods * period;
        double acc = static_cast<double>(periods) * full;
        for (std::size_t i = 0; i < n; ++i) {
            const Tick lo = bin_edge(i, n, period);
            const Tick hi = bin_edge(i + 1, n, period);
            if (r <= lo) {
                break;
            }
            acc += factors[i] * static_cast<double>(std::min(r, hi) - lo);
        }
        return acc;
    };
    return cumulative(to + offset) - cumulative(from + offset);
}

// ---- DemandProcess ----

DemandProcess::DemandProcess(CustomerZone zone, RateProfile profile, DemandParams params,
                             sim::TimeScale scale)
    : zone_(std::move(zone)), profile_(std::move(profile)), params_(params), scale_(scale) {
    if (!std::isfinite(zone_.orders_per_hour) || zone_.orders_per_hour < 0.0) {
        throw std::invalid_argument("CustomerZone: orders_per_hour must be finite and >= 0");
    }
    if (profile_.factors.empty() || profile_.period <= 0) {
        throw std::invalid_argument("RateProfile: needs at least one factor and a period > 0");
    }
    for (const double f : profile_.factors) {
        if (!std::isfinite(f) || f < 0.0) {
            throw std::invalid_argument("RateProfile: factors must be finite and >= 0");
        }
    }
    check_range(params_.size, "size", 0.0);
    if (params_.integer_size && std::ceil(params_.size.min) > std::floor(params_.size.max)) {
        throw std::invalid_argument("DemandParams: no integer size in the size range");
    }
    check_range(params_.ready_offset_s, "ready offset", 0.0);
    check_range(params_.window_s, "time window", 0.0);
    check_range(params_.service_s, "service time", 0.0);

    base_per_tick_ =
        zone_.orders_per_hour / (3600.0 * static_cast<double>(scale_.ticks_per_second));
    max_per_tick_ = base_per_tick_ * profile_.max_factor();
    if (max_per_tick_ > 0.0 && zone_.nodes.empty()) {
        throw std::invalid_argument("CustomerZone: a zone with demand needs customer nodes");
    }
}

Tick DemandProcess::next_arrival(Tick now, sim::RandomStream& rng) const {
    if (!(max_per_tick_ > 0.0)) {
        return sim::kTickNever;
    }
    const double max_factor = profile_.max_factor();
    const double mean_gap = 1.0 / max_per_tick_;
    Tick t = now;
    // candidates from the homogeneous envelope, each kept with probability rate(t) / max
    for (;;) {
        const double gap = std::ceil(rng.exponential(mean_gap));
        if (!(gap < 9.0e18)) {
            return sim::kTickNever;
        }
        t = sim::saturating_add(t, std::max<Tick>(1, static_cast<Tick>(gap)));
        if (t == sim::kTickNever) {
            return t;
        }
        if (rng.uniform() * max_factor < profile_.factor_at(t)) {
            return t;
        }
    }
}

Order DemandProcess::make_order(Tick now, sim::RandomStream& rng) const {
    Order o;
    o.depot = zone_.depot;
    o.id.depot = zone_.depot;
    o.created = now;
    const std::uint64_t pick = rng.below(zone_.nodes.size());
    o.customer_node = zone_.nodes.empty() ? kNoCustomer : zone_.nodes[pick];

    const double u = rng.uniform();
    if (params_.integer_size) {
        const double lo = std::ceil(params_.size.min);
        const double hi = std::floor(params_.size.max);
        o.size = std::min(hi, lo + std::floor(u * (hi - lo + 1.0)));
    } else {
        o.size = params_.size.min + (params_.size.max - params_.size.min) * u;
    }
    o.ready = now + scale_.from_seconds(draw(params_.ready_offset_s, rng));
    o.due = o.ready + scale_.from_seconds(draw(params_.window_s, rng));
    o.service_time = scale_.from_seconds(draw(params_.service_s, rng));
    return o;
}

double DemandProcess::rate_per_hour(Tick t) const {
    return zone_.orders_per_hour * profile_.factor_at(t);
}

double DemandProcess::expected_arrivals(Tick from, Tick to) const {
    return base_per_tick_ * profile_.integral(from, to);
}

}  // namespace swarm::agents
