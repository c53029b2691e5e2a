#include "agents/coordination/greedy.hpp"

#include <vector>

namespace swarm::coordination {

Assignment sequential_greedy(std::span<const std::uint32_t> capacities, std::size_t tasks,
                             const ScoreFunction& score) {
    const std::size_t agents = capacities.size();
    Assignment a;
    a.winner.assign(tasks, kNoAgent);
    a.paths.resize(agents);
    // each agent's insertion for every task, refreshed only when its own path changes
    std::vector<Insertion> cached(agents * tasks);
    const auto refresh = [&](AgentIndex i) {
        for (TaskIndex j = 0; j < tasks; ++j) {
            if (a.winner[j] == kNoAgent) {
                cached[(i * tasks) + j] = score.best_insertion(i, a.paths[i], j);
            }
        }
    };
    for (AgentIndex i = 0; i < agents; ++i) {
        if (capacities[i] > 0) {
            refresh(i);
        }
    }
    std::vector<std::uint32_t> held(agents, 0);
    while (true) {
        AgentIndex best_agent = kNoAgent;
        TaskIndex best_task = 0;
        double best_gain = 0.0;
        for (AgentIndex i = 0; i < agents; ++i) {
            if (held[i] >= capacities[i]) {
                continue;
            }
            for (TaskIndex j = 0; j < tasks; ++j) {
                const double gain = cached[(i * tasks) + j].gain;
                if (a.winner[j] == kNoAgent && gain > best_gain) {
                    best_agent = i;
                    best_task = j;
                    best_gain = gain;
                }
            }
        }
        if (best_agent == kNoAgent) {
            break;
        }
        const Insertion ins = cached[(best_agent * tasks) + best_task];
        auto& path = a.paths[best_agent];
        path.insert(path.begin() + ins.position, best_task);
        a.winner[best_task] = best_agent;
        a.total_gain += ins.gain;
        ++held[best_agent];
        if (held[best_agent] < capacities[best_agent]) {
            refresh(best_agent);
        }
    }
    return a;
}

Assignment sequential_greedy(std::size_t agents, std::size_t tasks, std::uint32_t capacity,
                             const ScoreFunction& score) {
    const std::vector<std::uint32_t> capacities(agents, capacity);
    return sequential_greedy(capacities, tasks, score);
}

}  // namespace swarm::coordination
