// Random instances for the CBBA and greedy tests: scores with diminishing marginal gains
// and random connected or geometric communication graphs, all from seeded Philox streams.
#pragma once

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "agents/comms/agent_graph.hpp"
#include "agents/coordination/score.hpp"
#include "sim/random.hpp"

namespace swarm::coordination::testing {

// DMG by construction: gain = base_ij * prod over tasks k already in the path of
// (1 - overlap_jk), appended at the end. Adding tasks only multiplies by factors <= 1.
class OverlapScore final : public ScoreFunction {
  public:
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

}  // namespace swarm::coordination::testing
