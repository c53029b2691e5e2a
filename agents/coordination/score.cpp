#include "agents/coordination/score.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace swarm::coordination {

std::size_t Assignment::assigned() const {
    return static_cast<std::size_t>(
        std::count_if(winner.begin(), winner.end(), [](AgentIndex a) { return a != kNoAgent; }));
}

namespace {

void require(bool ok, const std::string& what) {
    if (!ok) {
        throw std::invalid_argument("time-discounted reward: " + what);
    }
}

double distance(world::Point a, world::Point b) {
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    return std::sqrt((dx * dx) + (dy * dy));
}

}  // namespace

TimeDiscountedReward::TimeDiscountedReward(Params params)
    : p_(std::move(params)), log_lambda_(std::log(p_.lambda)) {
    require(p_.agent_start_s.empty() || p_.agent_start_s.size() == p_.agent_start.size(),
            "agent_start_s must be empty or have one entry per agent");
    require(p_.task_reward.size() == p_.task_position.size(),
            "task_reward must have one entry per task");
    require(p_.speed_mps > 0.0 && std::isfinite(p_.speed_mps), "speed_mps must be > 0");
    require(p_.lambda > 0.0 && p_.lambda <= 1.0, "lambda must be in (0, 1]");
    require(p_.service_s >= 0.0 && std::isfinite(p_.service_s), "service_s must be >= 0");
    require(p_.cost_per_m >= 0.0 && std::isfinite(p_.cost_per_m), "cost_per_m must be >= 0");
    require(p_.task_service_s.empty() || p_.task_service_s.size() == p_.task_position.size(),
            "task_service_s must be empty or have one entry per task");
    require(p_.task_via.empty() || (p_.task_via.size() == p_.task_position.size() &&
                                    p_.task_via_s.size() == p_.task_position.size()),
            "task_via and task_via_s must be empty or have one entry per task");
    for (double s : p_.task_service_s) {
        require(s >= 0.0 && std::isfinite(s), "task_service_s must be >= 0");
    }
    for (double r : p_.task_reward) {
        require(std::isfinite(r), "task rewards must be finite");
    }
}

TimeDiscountedReward::Way TimeDiscountedReward::way(world::Point from, TaskIndex j) const {
    if (p_.task_via.empty() || std::isnan(p_.task_via[j].x)) {
        return {distance(from, p_.task_position[j]), 0.0};
    }
    const world::Point via = p_.task_via[j];
    return {distance(from, via) + distance(via, p_.task_position[j]), p_.task_via_s[j]};
}

double TimeDiscountedReward::path_score(AgentIndex agent, std::span<const TaskIndex> path) const {
    world::Point at = p_.agent_start[agent];
    double t = p_.agent_start_s.empty() ? 0.0 : p_.agent_start_s[agent];
    double score = 0.0;
    for (TaskIndex j : path) {
        const Way w = way(at, j);
        const double d = w.metres;
        t += d / p_.speed_mps + w.stop_s;
        score += (discount(t) * p_.task_reward[j]) - (p_.cost_per_m * d);
        t += service(j);
        at = p_.task_position[j];
    }
    return score;
}

Insertion TimeDiscountedReward::best_insertion(AgentIndex agent, std::span<const TaskIndex> path,
                                               TaskIndex task) const {
    // Inserting at position n delays every later task by the same dt, which scales its
    // discounted reward by lambda^dt: one pass for arrival times and suffix sums, then
    // O(1) per position.
    const std::size_t len = path.size();
    const world::Point start = p_.agent_start[agent];
    const double t0 = p_.agent_start_s.empty() ? 0.0 : p_.agent_start_s[agent];
    // dep[n]: leaving the n-th stop (0 = start); tl[n]: discounted reward of the tasks
    // from path position n on
    std::vector<double> dep(len + 1);
    std::vector<double> tl(len + 1);
    const auto stop = [&](std::size_t n) { return n == 0 ? start : p_.task_position[path[n - 1]]; };
    dep[0] = t0;
    for (std::size_t n = 1; n <= len; ++n) {
        const Way w = way(stop(n - 1), path[n - 1]);
        dep[n] = dep[n - 1] + (w.metres / p_.speed_mps) + w.stop_s + service(path[n - 1]);
    }
    tl[len] = 0.0;
    for (std::size_t n = len; n-- > 0;) {
        const double arrive = dep[n + 1] - service(path[n]);
        tl[n] = tl[n + 1] + (discount(arrive) * p_.task_reward[path[n]]);
    }
    const world::Point at = p_.task_position[task];
    Insertion best;
    for (std::size_t n = 0; n <= len; ++n) {
        const world::Point prev = stop(n);
        const Way to_task = way(prev, task);
        const double arrive = dep[n] + (to_task.metres / p_.speed_mps) + to_task.stop_s;
        double detour_m = to_task.metres;
        double later = 0.0;
        if (n < len) {
            const Way on = way(at, path[n]);
            const Way skipped = way(prev, path[n]);
            detour_m += on.metres - skipped.metres;
            const double dt = (detour_m / p_.speed_mps) + to_task.stop_s + on.stop_s -
                              skipped.stop_s + service(task);
            later = (discount(dt) - 1.0) * tl[n];
        }
        const double gain =
            (discount(arrive) * p_.task_reward[task]) - (p_.cost_per_m * detour_m) + later;
        if (gain > best.gain) {
            best = {gain, static_cast<std::uint32_t>(n)};
        }
    }
    return best;
}

}  // namespace swarm::coordination
