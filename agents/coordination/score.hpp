// Task allocation vocabulary shared by CBBA and the sequential-greedy reference: task and
// agent indices, the score function interface (marginal gain of inserting a task into an
// agent's path), an assignment, and a ready-made time-discounted reward score.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "agents/comms/agent_graph.hpp"
#include "agents/world/road_network.hpp"

namespace swarm::coordination {

using comms::AgentIndex;
using TaskIndex = std::uint32_t;
inline constexpr AgentIndex kNoAgent = std::numeric_limits<AgentIndex>::max();

// Where a task would go in a path and what it would add to the path's score.
struct Insertion {
    double gain = -std::numeric_limits<double>::infinity();  // <= 0: not worth a bid
    std::uint32_t position = 0;                              // index in the path, 0..size
};

// The caller's scoring: S_i(path) for agent i, seen through marginal gains. Must be a pure
// function of its arguments (CBBA calls it from several threads when given an executor, and
// its determinism rests on it). CBBA's convergence proof needs diminishing marginal gains
// (DMG): a task's gain never grows when other tasks are added to the path;
// CbbaOptions::warp_bids keeps CBBA convergent without DMG. The 50% optimality bound also
// needs the path's score not to depend on the order the tasks were added (docs/cbba.md).
class ScoreFunction {
  public:
    virtual ~ScoreFunction() = default;
    // The best place to insert `task` into agent's `path` (visiting order, task not in it)
    // and the gain S(path with task) - S(path) there; gain <= 0 or -inf if infeasible.
    [[nodiscard]] virtual Insertion best_insertion(AgentIndex agent,
                                                   std::span<const TaskIndex> path,
                                                   TaskIndex task) const = 0;
};

struct Assignment {
    std::vector<AgentIndex> winner;             // by task; kNoAgent when unassigned
    std::vector<std::vector<TaskIndex>> paths;  // by agent, in visiting order
    // sum over agents of the marginal gains of their tasks in insertion order, which equals
    // sum_i S_i(path_i) - S_i(empty)
    double total_gain = 0.0;

    [[nodiscard]] std::size_t assigned() const;
};

// Time-discounted reward minus travel (Choi, Brunet, How 2009, section IV): agent i starts
// at start[i] at time start_s[i] and drives straight lines at speed_mps; task j at
// position[j] earns reward[j] * lambda^(arrival time) and takes service_s (or its own
// task_service_s[j]); every metre
// driven costs cost_per_m. S_i(path) = sum_j lambda^t_j R_j - cost_per_m * distance.
// Does not have DMG in general (a task can bring the agent nearer another), so use it
// with bid warping (the default).
class TimeDiscountedReward final : public ScoreFunction {
  public:
    struct Params {
        std::vector<world::Point> agent_start;
        std::vector<double> agent_start_s;  // empty: all start at 0
        std::vector<world::Point> task_position;
        std::vector<double> task_reward;
        double speed_mps = 10.0;
        double lambda = 0.999;  // discount per second, in (0, 1]
        double service_s = 0.0;
        std::vector<double> task_service_s;  // per task; empty: service_s for every task
        double cost_per_m = 0.0;
        // per task, a stop on the way to it (a pick-up location) and the seconds spent
        // there; empty: none. A task without one has NaN coordinates.
        std::vector<world::Point> task_via;
        std::vector<double> task_via_s;
    };
    // throws std::invalid_argument naming the bad field
    explicit TimeDiscountedReward(Params params);

    [[nodiscard]] std::size_t agents() const { return p_.agent_start.size(); }
    [[nodiscard]] std::size_t tasks() const { return p_.task_position.size(); }
    // S_i(path) itself (for reports and tests)
    [[nodiscard]] double path_score(AgentIndex agent, std::span<const TaskIndex> path) const;
    [[nodiscard]] Insertion best_insertion(AgentIndex agent, std::span<const TaskIndex> path,
                                           TaskIndex task) const override;

  private:
    [[nodiscard]] double service(TaskIndex j) const {
        return p_.task_service_s.empty() ? p_.service_s : p_.task_service_s[j];
    }
    // lambda^t
    [[nodiscard]] double discount(double t) const { return std::exp(log_lambda_ * t); }
    // metres and extra seconds (at the via stop) from `from` to task j
    struct Way {
        double metres = 0.0;
        double stop_s = 0.0;
    };
    [[nodiscard]] Way way(world::Point from, TaskIndex j) const;

    Params p_;
    double log_lambda_;
};

}  // namespace swarm::coordination
