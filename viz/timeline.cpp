#include "viz/timeline.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace swarm::viz {

std::string SimClock::operator()(double s) const {
    double t = std::max(0.0, s);
    if (start_hour) {
        t = std::fmod(t + *start_hour * 3600.0, 86400.0);
    }
    // to the nearest minute, so that a tick at 10:59:59.9 reads 11:00
    const auto m = static_cast<long long>(std::floor(t / 60.0 + 0.5));
    const long long h = start_hour ? (m / 60) % 24 : m / 60;
    char buf[32];
    std::snprintf(buf, sizeof buf, start_hour ? "%02lld:%02lld" : "%lld:%02lld", h, m % 60);
    return buf;
}

std::string SimClock::axis_title() const {
    return start_hour ? "time of day" : "time since start (h:mm)";
}

std::vector<AxisTick> time_ticks(double begin, double end, const SimClock& clock,
                                 std::size_t max_ticks) {
    constexpr std::array<double, 9> kSteps = {300.0,  600.0,   900.0,   1800.0, 3600.0,
                                              7200.0, 10800.0, 21600.0, 43200.0};
    std::vector<AxisTick> out;
    if (!(end > begin) || max_ticks == 0) {
        return out;
    }
    // ticks at round times of the clock shown: offset by the start hour
    const double offset = clock.start_hour ? *clock.start_hour * 3600.0 : 0.0;
    double step = kSteps.back();
    for (const double candidate : kSteps) {
        if (std::floor((end + offset) / candidate) - std::ceil((begin + offset) / candidate) +
                1.0 <=
            static_cast<double>(max_ticks)) {
            step = candidate;
            break;
        }
    }
    for (double k = std::ceil((begin + offset) / step); k * step - offset <= end; k += 1.0) {
        const double t = k * step - offset;
        out.push_back({t, clock(t)});
    }
    return out;
}

Timeline::Timeline(std::vector<double> sample_times, std::vector<double> disruptions)
    : times_(std::move(sample_times)), disruptions_(std::move(disruptions)) {
    if (times_.empty()) {
        throw std::invalid_argument("timeline: no samples");
    }
    if (!std::is_sorted(times_.begin(), times_.end())) {
        throw std::invalid_argument("timeline: sample times not ascending");
    }
    std::sort(disruptions_.begin(), disruptions_.end());
    time_ = times_.front();
}

void Timeline::set_speed(double sim_s_per_wall_s) {
    if (!(sim_s_per_wall_s > 0.0)) {
        throw std::invalid_argument("timeline: speed must be > 0");
    }
    speed_ = sim_s_per_wall_s;
}

void Timeline::advance(double wall_dt) {
    if (!playing_ || wall_dt <= 0.0) {
        return;
    }
    seek(time_ + wall_dt * speed_);
    if (time_ >= end()) {
        playing_ = false;
    }
}

void Timeline::seek(double t) {
    time_ = std::clamp(t, begin(), end());
}

bool Timeline::jump_to_next_disruption() {
    constexpr double kEpsilon = 1e-6;
    const auto it = std::upper_bound(disruptions_.begin(), disruptions_.end(), time_ + kEpsilon);
    if (it == disruptions_.end() || *it > end()) {
        return false;
    }
    seek(*it);
    return true;
}

Timeline::Bracket Timeline::bracket_at(double t) const {
    Bracket b;
    if (times_.size() < 2 || t <= times_.front()) {
        return b;
    }
    if (t >= times_.back()) {
        b.k0 = b.k1 = times_.size() - 1;
        return b;
    }
    // first sample > t, and the one before
    const auto it = std::upper_bound(times_.begin(), times_.end(), t);
    b.k1 = static_cast<std::size_t>(it - times_.begin());
    b.k0 = b.k1 - 1;
    const double span = times_[b.k1] - times_[b.k0];
    b.w = span > 0.0 ? (t - times_[b.k0]) / span : 0.0;
    return b;
}

}  // namespace swarm::viz
