// The solvers' working form of a VRPTW solution: routes with the depot at both ends and,
// per position, the earliest service start, the latest service start that keeps the rest
// of the route feasible, and the load so far. With them an insertion, a removal, a swap or
// a tail exchange is checked in O(1). The solvers' checks are stricter than the exact one in
// vrp.hpp by kTimeSlack, so that what they build always passes it despite rounding.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "agents/planning/vrp.hpp"

namespace swarm::planning {

inline constexpr std::uint32_t kNoRoute = std::numeric_limits<std::uint32_t>::max();
// the solvers' own feasibility margin on times (the exact check has none)
inline constexpr double kTimeSlack = 1e-9;

// Pairwise distances, tabulated up to kMaxTabulated nodes (32 MB), computed beyond.
class DistanceTable {
  public:
    static constexpr std::size_t kMaxTabulated = 2000;
    explicit DistanceTable(const VrpInstance& instance);
    [[nodiscard]] double operator()(std::size_t a, std::size_t b) const {
        return table_.empty() ? in_->distance(a, b) : table_[(a * n_) + b];
    }

  private:
    const VrpInstance* in_;
    std::size_t n_;
    std::vector<double> table_;
};

struct RouteState {
    std::vector<std::uint32_t> seq;  // 0, customers..., 0
    std::vector<double> earliest;    // service start at seq[i] (arrival for the last depot)
    std::vector<double> latest;      // latest service start keeping seq[i..] feasible
    std::vector<double> load_to;     // demand of seq[0..i]
    double load = 0.0;
    double distance = 0.0;
    [[nodiscard]] std::size_t customers() const { return seq.size() - 2; }
};

struct InsertionPlace {
    double cost = std::numeric_limits<double>::infinity();  // added distance
    std::uint32_t route = kNoRoute;
    std::uint32_t pos = 0;  // insert before seq[pos] (1..customers+1)
    [[nodiscard]] bool found() const { return route != kNoRoute; }
};

class RoutingState {
  public:
    RoutingState(const VrpInstance& instance, const DistanceTable& dist);

    [[nodiscard]] const VrpInstance& instance() const { return *in_; }
    [[nodiscard]] const DistanceTable& dist() const { return *dist_; }
    [[nodiscard]] double travel(std::uint32_t a, std::uint32_t b) const {
        return (*dist_)(a, b) / in_->speed;
    }

    std::vector<RouteState> routes;
    std::vector<std::uint32_t> route_of;  // by node: its route, kNoRoute if unassigned
    std::vector<std::uint32_t> pos_of;    // by node: its index in the route's seq
    std::vector<std::uint32_t> unassigned;
    std::uint32_t max_routes;  // open_route's limit: the fleet, or fewer (route elimination)

    // a new empty route, or kNoRoute when max_routes are open
    std::uint32_t open_route();
    // recompute times, loads, distance and positions of route r after its seq changed
    void refresh(std::uint32_t r);
    // drop empty routes (renumbering the rest)
    void drop_empty_routes();
    [[nodiscard]] double distance() const;
    [[nodiscard]] std::size_t used_routes() const;

    // the cheapest feasible place for c in route r; `blink` in [0, 1) skips each place
    // with that probability (u01 supplies uniforms); work counts the places evaluated
    template <class Uniform>
    [[nodiscard]] InsertionPlace best_in_route(std::uint32_t r, std::uint32_t c, double blink,
                                               Uniform& u01, std::uint64_t& work) const;
    [[nodiscard]] InsertionPlace best_in_route(std::uint32_t r, std::uint32_t c,
                                               std::uint64_t& work) const;
    // whether c fits in route r before seq[pos], and the added distance
    [[nodiscard]] bool fits(std::uint32_t r, std::uint32_t pos, std::uint32_t c,
                            double* cost) const;

    void insert(std::uint32_t r, std::uint32_t pos, std::uint32_t c);  // then refresh
    void remove(std::uint32_t c);  // from its route, then refresh; not added to unassigned

    [[nodiscard]] VrpSolution solution() const;
    // from a solution whose routes are valid customer indices (feasibility not required)
    void load(const VrpSolution& solution);

  private:
    const VrpInstance* in_;
    const DistanceTable* dist_;
};

template <class Uniform>
InsertionPlace RoutingState::best_in_route(std::uint32_t r, std::uint32_t c, double blink,
                                           Uniform& u01, std::uint64_t& work) const {
    InsertionPlace best;
    const RouteState& rs = routes[r];
    const VrpNode& node = in_->nodes[c];
    if (rs.load + node.demand > in_->capacity) {
        return best;
    }
    const std::size_t last = rs.seq.size() - 1;
    for (std::size_t i = 0; i < last; ++i) {
        const std::uint32_t prev = rs.seq[i];
        const double leave = rs.earliest[i] + in_->nodes[prev].service;
        if (leave > node.due) {
            break;  // every later place leaves later still
        }
        ++work;
        if (blink > 0.0 && u01() < blink) {
            continue;
        }
        const std::uint32_t next = rs.seq[i + 1];
        const double arrival = leave + travel(prev, c);
        if (arrival > node.due - kTimeSlack) {
            continue;
        }
        const double start = arrival > node.ready ? arrival : node.ready;
        if (start + node.service + travel(c, next) > rs.latest[i + 1] - kTimeSlack) {
            continue;
        }
        const double cost = (*dist_)(prev, c) + (*dist_)(c, next) - (*dist_)(prev, next);
        if (cost < best.cost) {
            best = {cost, r, static_cast<std::uint32_t>(i + 1)};
        }
    }
    return best;
}

}  // namespace swarm::planning
