// Replay time: play, pause, speed, scrub and jump to the next disruption over a trace's
// sample times, and which two frames bracket the current time (positions are interpolated
// between them). Wall time comes in through advance(), so tests drive it without a clock.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace swarm::viz {

// Simulated seconds as text for people. With the hour of day at simulated time 0 (the
// scenario's demand.start_hour) a time of day, hh:mm wrapping at 24 h ("10:40"); without it
// (a trace whose scenario cannot be read) the time since the start, h:mm ("0:40").
struct SimClock {
    std::optional<double> start_hour;

    [[nodiscard]] std::string operator()(double s) const;
    // what the chart's time axis is: "time of day" or "time since start (h:mm)"
    [[nodiscard]] std::string axis_title() const;
};

// a labelled tick of a chart axis
struct AxisTick {
    double value = 0.0;  // seconds (time axis) or a share in [0, 1] (percent axis)
    std::string label;
};
// ticks over [begin, end] s at round clock times (every 5, 10, 15, 30 min, 1, 2, 3, 6 or 12 h:
// the finest step giving at most max_ticks), labelled by the clock
std::vector<AxisTick> time_ticks(double begin, double end, const SimClock& clock,
                                 std::size_t max_ticks);

class Timeline {
  public:
    Timeline() = default;
    // sample times (s, ascending, at least one) and disruption times (s, any order)
    Timeline(std::vector<double> sample_times, std::vector<double> disruptions);

    void play() { playing_ = time_ < end(); }
    void pause() { playing_ = false; }
    void toggle() { playing_ ? pause() : play(); }
    [[nodiscard]] bool playing() const { return playing_; }
    // simulated seconds per wall second (> 0)
    void set_speed(double sim_s_per_wall_s);
    [[nodiscard]] double speed() const { return speed_; }

    // moves time forward by wall_dt * speed when playing; stops (paused) at the end
    void advance(double wall_dt);
    // sets the time, clamped to [begin, end]
    void seek(double t);
    // seeks to the first disruption after the current time (plus a small epsilon);
    // false (time unchanged) when there is none
    bool jump_to_next_disruption();

    [[nodiscard]] double time() const { return time_; }
    [[nodiscard]] double begin() const { return times_.empty() ? 0.0 : times_.front(); }
    [[nodiscard]] double end() const { return times_.empty() ? 0.0 : times_.back(); }
    [[nodiscard]] const std::vector<double>& disruptions() const { return disruptions_; }
    [[nodiscard]] std::size_t samples() const { return times_.size(); }

    // frames k0 <= k1 with times[k0] <= t <= times[k1] and the weight of k1 in [0, 1]
    struct Bracket {
        std::size_t k0 = 0;
        std::size_t k1 = 0;
        double w = 0.0;
    };
    [[nodiscard]] Bracket bracket() const { return bracket_at(time_); }
    [[nodiscard]] Bracket bracket_at(double t) const;

  private:
    std::vector<double> times_;
    std::vector<double> disruptions_;
    double time_ = 0.0;
    double speed_ = 60.0;
    bool playing_ = false;
};

}  // namespace swarm::viz
