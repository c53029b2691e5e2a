// What the CBBA tests check of a run (agreement within each component, a stable converged
// state) and the suite's generator of random instances.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "agents/comms/agent_graph.hpp"
#include "agents/coordination/cbba.hpp"
#include "agents/coordination/score.hpp"
#include "coordination_test_util.hpp"
#include "sim/random.hpp"

namespace swarm::coordination::testing {

// Every agent agrees with its component on every winner and bid, and the agreed winner
// of a task holds it in its bundle; no task is in two bundles of one component.
inline void check_component_consistency(const CbbaSolver& solver, const comms::AgentGraph& graph) {
    const comms::Components comp = comms::connected_components(graph);
    std::vector<AgentIndex> first(comp.count, kNoAgent);
    for (AgentIndex i = 0; i < solver.agents(); ++i) {
        AgentIndex& leader = first[comp.label[i]];
        if (leader == kNoAgent) {
            leader = i;
            continue;
        }
        const auto zi = solver.winners(i);
        const auto zl = solver.winners(leader);
        CHECK(std::equal(zi.begin(), zi.end(), zl.begin()));
    }
    for (AgentIndex i = 0; i < solver.agents(); ++i) {
        for (TaskIndex j = 0; j < solver.tasks(); ++j) {
            const AgentIndex w = solver.winners(i)[j];
            const bool holds = std::find(solver.bundle(i).begin(), solver.bundle(i).end(), j) !=
                               solver.bundle(i).end();
            CHECK(holds == (w == i));
            if (w != kNoAgent) {
                CHECK(comp.label[w] == comp.label[i]);
            }
        }
    }
}

// What convergence means agent by agent (the default, bid-warping options): each bid in a
// bundle is the agent's marginal gain for that task on the bundle before it (capped at the
// previous bid), the path holds exactly the bundle, and an agent with room left cannot
// outbid the agreed winner of any task it lacks.
inline void check_stable(const CbbaSolver& solver, const ScoreFunction& score) {
    for (AgentIndex i = 0; i < solver.agents(); ++i) {
        const auto bundle = solver.bundle(i);
        const auto bids = solver.bids(i);
        std::vector<TaskIndex> path;
        double cap = std::numeric_limits<double>::infinity();
        for (TaskIndex j : bundle) {
            const Insertion ins = score.best_insertion(i, path, j);
            CHECK(bids[j] == std::min(ins.gain, cap));
            cap = bids[j];
            path.insert(path.begin() + ins.position, j);
        }
        CHECK(std::equal(path.begin(), path.end(), solver.path(i).begin(), solver.path(i).end()));
        if (bundle.size() >= solver.capacity(i)) {
            continue;
        }
        for (TaskIndex j = 0; j < solver.tasks(); ++j) {
            if (std::find(bundle.begin(), bundle.end(), j) != bundle.end()) {
                continue;
            }
            const double gain = score.best_insertion(i, path, j).gain;
            const double bid = std::min(gain, cap);
            const double held = bids[j];
            const AgentIndex winner = solver.winners(i)[j];
            // "outbids": a higher bid, or an equal one from a lower agent index
            CHECK_FALSE((gain > 0.0 && (bid > held || (bid == held && i < winner))));
        }
    }
}

// the suite's random instances: 2-25 agents, 1-40 tasks, bundle limit 1-5, a random
// connected graph for even seeds and a random geometric one for odd seeds
struct Instance {
    std::size_t agents;
    std::size_t tasks;
    std::uint32_t capacity;
    comms::AgentGraph graph;
};

inline Instance random_instance(std::uint64_t seed, sim::RandomStream& rng) {
    Instance in;
    in.agents = 2 + rng.below(24);
    in.tasks = 1 + rng.below(40);
    in.capacity = 1 + static_cast<std::uint32_t>(rng.below(5));
    in.graph = seed % 2 == 0 ? random_connected(in.agents, rng.below(in.agents), rng)
                             : random_geometric(in.agents, 0.3, rng);
    return in;
}

}  // namespace swarm::coordination::testing
