// ALT landmarks (Goldberg and Harrelson 2005): exact free-flow times to and from a few
// well-spread nodes give, through the triangle inequality, lower bounds on the time between
// any two nodes. Closures only lengthen routes, so the bounds stay admissible under any
// RouteView mask; overrides scale them by RouteView::min_time_ratio. Immutable once built and
// shared by every router a RouterFactory makes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agents/world/road_network.hpp"

namespace swarm::routing {

class Landmarks {
  public:
    // Farthest-point selection starting from a node drawn with `seed`; 2 * count Dijkstra runs.
    static Landmarks build(const world::RoadNetwork& network, std::size_t count,
                           std::uint64_t seed = 1);

    std::size_t count() const { return nodes_.size(); }
    std::span<const world::NodeId> nodes() const { return nodes_; }

    // free-flow time node -> landmark i and landmark i -> node (+inf when unreachable),
    // rounded to float; row() gives both for all landmarks, interleaved (to, from)
    float to_landmark(world::NodeId node, std::size_t i) const {
        return times_[(node * count() + i) * 2];
    }
    float from_landmark(world::NodeId node, std::size_t i) const {
        return times_[(node * count() + i) * 2 + 1];
    }
    const float* row(world::NodeId node) const { return times_.data() + node * count() * 2; }

    // the same landmarks with the rows in another order: row(k) of the result is
    // row(order[k]) of this one (the CCH keeps them by rank, the order its tree walks read)
    Landmarks reordered(std::span<const world::NodeId> order) const;

    // subtracted from every bound to absorb float rounding, so that bounds never overestimate
    double slack_s() const { return slack_s_; }
    std::size_t memory_bytes() const { return times_.size() * sizeof(float); }

  private:
    std::vector<world::NodeId> nodes_;
    std::vector<float> times_;
    double slack_s_ = 0.0;
};

}  // namespace swarm::routing
