// Random instances for the CBBA and greedy tests: scores with diminishing marginal gains
// and random connected or geometric communication graphs, all from seeded Philox streams;
// and an exhaustive optimum for tiny instances.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "agents/comms/agent_graph.hpp"
#include "agents/coordination/score.hpp"
#include "sim/random.hpp"

namespace swarm::coordination::testing {

// DMG by construction: gain = base_ij * prod over tasks k already in the path of
// (1 - overlap_jk), appended at the end. Adding tasks only multiplies by factors <= 1.
// A path's score depends on the order of its tasks (the first of two overlapping tasks
// keeps its full value), so it is not a set function.
class OverlapScore final : public ScoreFunction {
  public:
    // a fixed instance: base[agent][task] and symmetric overlaps {task, task, overlap}
    OverlapScore(const std::vector<std::vector<double>>& base,
                 const std::vector<std::tuple<TaskIndex, TaskIndex, double>>& overlaps)
        : tasks_(base.front().size()), overlap_(tasks_ * tasks_, 0.0) {
        for (const auto& row : base) {
            base_.insert(base_.end(), row.begin(), row.end());
        }
        for (const auto& [j, k, o] : overlaps) {
            overlap_[(j * tasks_) + k] = o;
            overlap_[(k * tasks_) + j] = o;
        }
    }
    OverlapScore(std::size_t agents, std::size_t tasks, sim::RandomStream& rng)
        : tasks_(tasks), base_(agents * tasks), overlap_(tasks * tasks, 0.0) {
        for (double& b : base_) {
            b = rng.uniform(1.0, 100.0);
        }
        for (std::size_t j = 0; j < tasks; ++j) {
            for (std::size_t k = j + 1; k < tasks; ++k) {
                const double o = rng.bernoulli(0.3) ? rng.uniform(0.0, 0.6) : 0.0;
                overlap_[(j * tasks) + k] = o;
                overlap_[(k * tasks) + j] = o;
            }
        }
    }
    Insertion best_insertion(AgentIndex agent, std::span<const TaskIndex> path,
                             TaskIndex task) const override {
        double gain = base_[(agent * tasks_) + task];
        for (TaskIndex k : path) {
            gain *= 1.0 - overlap_[(task * tasks_) + k];
        }
        return {gain, static_cast<std::uint32_t>(path.size())};
    }

  private:
    std::size_t tasks_;
    std::vector<double> base_;
    std::vector<double> overlap_;
};

// Each task serves a few features; an agent's score for a path is, per feature, the best
// value any of its tasks gives it (a facility-location function). A monotone submodular
// function of the set of tasks: DMG, and the order the tasks were added does not matter.
class CoverageScore final : public ScoreFunction {
  public:
    static constexpr std::size_t kFeatures = 3;
    CoverageScore(std::size_t agents, std::size_t tasks, sim::RandomStream& rng)
        : tasks_(tasks), value_(agents * tasks * kFeatures) {
        for (double& v : value_) {
            v = rng.bernoulli(0.6) ? rng.uniform(0.0, 100.0) : 0.0;
        }
    }
    Insertion best_insertion(AgentIndex agent, std::span<const TaskIndex> path,
                             TaskIndex task) const override {
        double gain = 0.0;
        for (std::size_t f = 0; f < kFeatures; ++f) {
            double covered = 0.0;
            for (TaskIndex k : path) {
                covered = std::max(covered, value(agent, k, f));
            }
            gain += std::max(0.0, value(agent, task, f) - covered);
        }
        return {gain, static_cast<std::uint32_t>(path.size())};
    }

  private:
    [[nodiscard]] double value(AgentIndex agent, TaskIndex task, std::size_t f) const {
        return value_[(((agent * tasks_) + task) * kFeatures) + f];
    }

    std::size_t tasks_;
    std::vector<double> value_;
};

// gain from a table, times 0.9 per task already in the path (DMG), appended
class TableScore final : public ScoreFunction {
  public:
    explicit TableScore(std::vector<std::vector<double>> table) : table_(std::move(table)) {}
    Insertion best_insertion(AgentIndex agent, std::span<const TaskIndex> path,
                             TaskIndex task) const override {
        return {table_[agent][task] * std::pow(0.9, static_cast<double>(path.size())),
                static_cast<std::uint32_t>(path.size())};
    }

  private:
    std::vector<std::vector<double>> table_;
};

// a random spanning tree plus `extra` random edges: connected, diameter varies
inline comms::AgentGraph random_connected(std::size_t n, std::size_t extra,
                                          sim::RandomStream& rng) {
    std::vector<std::pair<comms::AgentIndex, comms::AgentIndex>> edges;
    for (comms::AgentIndex i = 1; i < n; ++i) {
        edges.emplace_back(i, static_cast<comms::AgentIndex>(rng.below(i)));
    }
    for (std::size_t e = 0; e < extra && n > 1; ++e) {
        const auto a = static_cast<comms::AgentIndex>(rng.below(n));
        const auto b = static_cast<comms::AgentIndex>(rng.below(n));
        if (a != b) {
            edges.emplace_back(a, b);
        }
    }
    return comms::AgentGraph::from_edges(n, edges);
}

// agents uniform in the unit square, joined within radius; the radius grows until the
// graph is connected
inline comms::AgentGraph random_geometric(std::size_t n, double radius, sim::RandomStream& rng) {
    std::vector<std::pair<double, double>> pos(n);
    for (auto& p : pos) {
        p = {rng.uniform(), rng.uniform()};
    }
    while (true) {
        std::vector<std::pair<comms::AgentIndex, comms::AgentIndex>> edges;
        for (comms::AgentIndex i = 0; i < n; ++i) {
            for (comms::AgentIndex j = i + 1; j < n; ++j) {
                if (std::hypot(pos[i].first - pos[j].first, pos[i].second - pos[j].second) <=
                    radius) {
                    edges.emplace_back(i, j);
                }
            }
        }
        comms::AgentGraph g = comms::AgentGraph::from_edges(n, edges);
        if (comms::connected_components(g).count <= 1) {
            return g;
        }
        radius *= 1.2;
    }
}

namespace detail {

// best[mask]: agent's highest path score over the tasks in mask, by every insertion order
inline void best_paths(const ScoreFunction& score, AgentIndex agent, std::uint32_t capacity,
                       std::size_t tasks, std::vector<TaskIndex>& path, std::uint32_t mask,
                       double value, std::vector<double>& best) {
    best[mask] = std::max(best[mask], value);
    if (path.size() >= capacity) {
        return;
    }
    for (TaskIndex j = 0; j < tasks; ++j) {
        if ((mask >> j & 1U) != 0) {
            continue;
        }
        const Insertion ins = score.best_insertion(agent, path, j);
        std::vector<TaskIndex> next = path;
        next.insert(next.begin() + ins.position, j);
        best_paths(score, agent, capacity, tasks, next, mask | (1U << j), value + ins.gain, best);
    }
}

}  // namespace detail

// The exact optimum of sum_i S_i(path_i) over every assignment within the capacities and
// every order of insertion into each path (every path, for scores that append), by
// exhaustion: for a handful of agents and tasks only.
inline double brute_force_optimum(const ScoreFunction& score,
                                  std::span<const std::uint32_t> capacities, std::size_t tasks) {
    const std::size_t agents = capacities.size();
    const double none = -std::numeric_limits<double>::infinity();
    std::vector<std::vector<double>> best(agents,
                                          std::vector<double>(std::size_t{1} << tasks, none));
    for (AgentIndex i = 0; i < agents; ++i) {
        std::vector<TaskIndex> path;
        detail::best_paths(score, i, capacities[i], tasks, path, 0, 0.0, best[i]);
    }
    // every task to one of the agents or to nobody: (agents + 1)^tasks assignments
    std::size_t count = 1;
    for (std::size_t j = 0; j < tasks; ++j) {
        count *= agents + 1;
    }
    double optimum = 0.0;
    std::vector<std::uint32_t> mask(agents);
    for (std::size_t code = 0; code < count; ++code) {
        std::fill(mask.begin(), mask.end(), 0U);
        std::size_t rest = code;
        for (TaskIndex j = 0; j < tasks; ++j) {
            const std::size_t a = rest % (agents + 1);
            rest /= agents + 1;
            if (a < agents) {
                mask[a] |= 1U << j;
            }
        }
        double total = 0.0;
        for (std::size_t i = 0; i < agents; ++i) {
            total += best[i][mask[i]];  // -inf when over capacity
        }
        optimum = std::max(optimum, total);
    }
    return optimum;
}

}  // namespace swarm::coordination::testing
