// Time-of-day speeds: the time-dependent speed model of Ichoua, Gendreau and Potvin (2003).
// Each road class has a speed factor per hour of the day; an edge's speed at clock time t is
// its free-flow speed times the factor of its class at t, and the time to cross it is
// integrated through the hour boundaries met on the way. Travel times are then FIFO
// (entering an edge later never leaves it earlier), which makes time-dependent Dijkstra
// exact (docs/routing.md, "Time of day").
//
// Clock times are seconds since midnight of the first day (the fleet's clock: simulated time
// 0 is demand.start_hour o'clock); hour h of every day has the same factors.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

#include "agents/world/road_network.hpp"

namespace swarm::routing {

class SpeedProfile {
  public:
    static constexpr std::size_t kHours = 24;
    static constexpr double kHourS = 3600.0;
    // factors outside this range are refused: a road at 5 % of its speed is a closure in all
    // but name, one at twice its speed a mistake
    static constexpr double kMinFactor = 0.05;
    static constexpr double kMaxFactor = 2.0;
    // speed factors by hour of day, hour 0 (midnight to 1 am) first
    using Hours = std::array<double, kHours>;
    using Classes = std::array<Hours, world::kRoadClassCount>;

    // no profile: every time is the static one
    SpeedProfile() = default;
    // the factors of each road class (RoadClass order); throws std::invalid_argument for a
    // factor outside [kMinFactor, kMaxFactor] or not finite. The network gives the weights of
    // the hourly network mean (mean_traverse).
    SpeedProfile(const Classes& factors, const world::RoadNetwork& network);

    // every hour of every class at factor 1
    [[nodiscard]] static Classes flat();

    [[nodiscard]] bool empty() const { return rows_.empty(); }
    [[nodiscard]] double factor(world::RoadClass c, std::size_t hour) const {
        return rows_[static_cast<std::size_t>(c)][hour];
    }
    // the network's mean factor in that hour: its whole free-flow drive time over its drive
    // time in that hour (a harmonic mean weighted by free-flow time)
    [[nodiscard]] double mean_factor(std::size_t hour) const { return rows_[kMeanRow][hour]; }
    // the largest factor of any class and hour (A* bounds divide by it to stay admissible),
    // and of any class in one hour of day
    [[nodiscard]] double max_factor() const { return max_factor_; }
    [[nodiscard]] double max_factor_at(std::size_t hour) const { return hour_max_[hour]; }

    // seconds to cross an edge of class c that takes base_s at factor 1, entered at clock
    // time clock_s; base_s itself when it ends within the hour at factor 1
    [[nodiscard]] double traverse(world::RoadClass c, double clock_s, double base_s) const {
        return integrate(rows_[static_cast<std::size_t>(c)], clock_s, base_s);
    }
    // traverse() for a clock time known to lie in the hour of day `hour` that ends at
    // hour_end (the search loops know it from the departure): the same result, without
    // finding the hour again
    [[nodiscard]] double traverse_within(world::RoadClass c, std::size_t hour, double hour_end,
                                         double clock_s, double base_s) const {
        const double p = rows_[static_cast<std::size_t>(c)][hour];
        if (base_s <= (hour_end - clock_s) * p) {
            return std::min(base_s / p, hour_end - clock_s);  // as integrate() ends
        }
        return traverse(c, clock_s, base_s);
    }
    // the same at the network's mean factor of each hour (straight-line estimates)
    [[nodiscard]] double mean_traverse(double clock_s, double base_s) const {
        return integrate(rows_[kMeanRow], clock_s, base_s);
    }

    // the hour of day (0..23) at clock time clock_s
    [[nodiscard]] static std::size_t hour_of(double clock_s);
    // the clock time the hour of clock_s began (a whole number of hours)
    [[nodiscard]] static double hour_start(double clock_s);

    bool operator==(const SpeedProfile&) const = default;

  private:
    static constexpr std::size_t kMeanRow = world::kRoadClassCount;
    static double integrate(const Hours& f, double clock_s, double base_s);

    std::vector<Hours> rows_;  // kRoadClassCount classes, then the network mean; empty: none
    double max_factor_ = 1.0;
    Hours hour_max_{};  // by hour of day, over the classes
};

}  // namespace swarm::routing
