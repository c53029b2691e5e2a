#include "agents/routing/speed_profile.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace swarm::routing {

namespace {

// k with k * kHourS <= t < (k + 1) * kHourS, exactly (the division may round across)
double hour_index(double t) {
    double k = std::floor(t / SpeedProfile::kHourS);
    if (k * SpeedProfile::kHourS > t) {
        k -= 1.0;
    } else if ((k + 1.0) * SpeedProfile::kHourS <= t) {
        k += 1.0;
    }
    return k;
}

std::size_t day_hour(double k) {
    const auto h = static_cast<std::int64_t>(k) % static_cast<std::int64_t>(SpeedProfile::kHours);
    return static_cast<std::size_t>(h < 0 ? h + static_cast<std::int64_t>(SpeedProfile::kHours)
                                          : h);
}

}  // namespace

SpeedProfile::Classes SpeedProfile::flat() {
    Classes c{};
    for (Hours& h : c) {
        h.fill(1.0);
    }
    return c;
}

SpeedProfile::SpeedProfile(const Classes& factors, const world::RoadNetwork& network)
    : rows_(factors.begin(), factors.end()) {
    max_factor_ = 0.0;
    for (std::size_t c = 0; c < factors.size(); ++c) {
        for (std::size_t h = 0; h < kHours; ++h) {
            const double f = factors[c][h];
            if (!std::isfinite(f) || f < kMinFactor || f > kMaxFactor) {
                throw std::invalid_argument(
                    "SpeedProfile: the factor of " +
                    std::string(world::to_string(static_cast<world::RoadClass>(c))) + " at " +
                    std::to_string(h) + " h must be in [0.05, 2]");
            }
            max_factor_ = std::max(max_factor_, f);
            hour_max_[h] = std::max(hour_max_[h], f);
        }
    }
    // the network mean: free-flow time over the time at each hour's factors
    std::array<double, world::kRoadClassCount> class_time{};
    double total = 0.0;
    for (world::EdgeId e = 0; e < network.edge_count(); ++e) {
        class_time[static_cast<std::size_t>(network.road_class(e))] += network.travel_time_s(e);
        total += network.travel_time_s(e);
    }
    Hours mean{};
    for (std::size_t h = 0; h < kHours; ++h) {
        double slowed = 0.0;
        bool same = true;
        for (std::size_t c = 0; c < class_time.size(); ++c) {
            slowed += class_time[c] / factors[c][h];
            same = same && factors[c][h] == factors[0][h];
        }
        // one factor for every class is the mean, exactly (no rounding of the sums)
        mean[h] = same ? factors[0][h] : total > 0.0 ? total / slowed : 1.0;
    }
    rows_.push_back(mean);
}

std::size_t SpeedProfile::hour_of(double clock_s) {
    return day_hour(hour_index(clock_s));
}

double SpeedProfile::hour_start(double clock_s) {
    return hour_index(clock_s) * kHourS;
}

double SpeedProfile::integrate(const Hours& f, double clock_s, double base_s) {
    if (!(base_s > 0.0)) {
        return base_s;
    }
    // work: seconds of driving at factor 1 still to do; each hour does (its length x factor)
    double k = hour_index(clock_s);
    double start = clock_s;
    double end = (k + 1.0) * kHourS;
    double work = base_s;
    for (;;) {
        const double p = f[day_hour(k)];
        // clamped to the hour's end: rounding must never carry an arrival past it, or a
        // later entry could arrive earlier (FIFO)
        if (work <= (end - start) * p) {
            return (start - clock_s) + std::min(work / p, end - start);
        }
        work -= (end - start) * p;
        start = end;
        end += kHourS;
        k += 1.0;
    }
}

}  // namespace swarm::routing
