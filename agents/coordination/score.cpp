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
    return std::hypot(b.x - a.x, b.y - a.y);
}

}  // namespace

TimeDiscountedReward::TimeDiscountedReward(Params params) : p_(std::move(params)) {
    require(p_.agent_start_s.empty() || p_.agent_start_s.size() == p_.agent_start.size(),
            "agent_start_s must be empty or have one entry per agent");
    require(p_.task_reward.size() == p_.task_position.size(),
            "task_reward must have one entry per task");
    require(p_.speed_mps > 0.0 && std::isfinite(p_.speed_mps), "speed_mps must be > 0");
    require(p_.lambda > 0.0 && p_.lambda <= 1.0, "lambda must be in (0, 1]");
    require(p_.service_s >= 0.0 && std::isfinite(p_.service_s), "service_s must be >= 0");
    require(p_.cost_per_m >= 0.0 && std::isfinite(p_.cost_per_m), "cost_per_m must be >= 0");
    for (double r : p_.task_reward) {
        require(std::isfinite(r), "task rewards must be finite");
    }
}

double TimeDiscountedReward::path_score(AgentIndex agent, std::span<const TaskIndex> path) const {
    world::Point at = p_.agent_start[agent];
    double t = p_.agent_start_s.empty() ? 0.0 : p_.agent_start_s[agent];
    double score = 0.0;
    for (TaskIndex j : path) {
        const double d = distance(at, p_.task_position[j]);
        t += d / p_.speed_mps;
        score += (std::pow(p_.lambda, t) * p_.task_reward[j]) - (p_.cost_per_m * d);
        t += p_.service_s;
        at = p_.task_position[j];
    }
    return score;
}

Insertion TimeDiscountedReward::best_insertion(AgentIndex agent, std::span<const TaskIndex> path,
                                               TaskIndex task) const {
    // try every position; the path's own score is subtracted once
    const double base = path_score(agent, path);
    std::vector<TaskIndex> trial(path.size() + 1);
    Insertion best;
    for (std::size_t n = 0; n <= path.size(); ++n) {
        std::copy(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(n), trial.begin());
        trial[n] = task;
        std::copy(path.begin() + static_cast<std::ptrdiff_t>(n), path.end(),
                  trial.begin() + static_cast<std::ptrdiff_t>(n) + 1);
        const double gain = path_score(agent, trial) - base;
        if (gain > best.gain) {
            best = {gain, static_cast<std::uint32_t>(n)};
        }
    }
    return best;
}

}  // namespace swarm::coordination
