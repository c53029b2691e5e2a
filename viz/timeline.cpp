#include "viz/timeline.hpp"

#include <algorithm>
#include <stdexcept>

namespace swarm::viz {

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
