#include "agents/coordination/greedy.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "coordination_test_util.hpp"

using namespace swarm;
using namespace swarm::coordination;
using testing::TableScore;

TEST_CASE("sequential greedy takes the best pair first") {
    // agent 0: 10, 8, 1; agent 1: 9, 2, 0
    const TableScore score({{10.0, 8.0, 1.0}, {9.0, 2.0, 0.0}});
    const Assignment a = sequential_greedy(2, 3, 2, score);
    // agent 0 takes task 0 (10); its gains drop to 7.2 and 0.9, agent 1 offers 2 for
    // task 1, so agent 0 takes it too and is full; agent 1 gains nothing from task 2
    CHECK(a.winner == std::vector<AgentIndex>{0, 0, kNoAgent});
    CHECK(a.paths[0] == std::vector<TaskIndex>{0, 1});
    CHECK(a.paths[1].empty());
    CHECK(a.total_gain == doctest::Approx(17.2));
    CHECK(a.assigned() == 2);
}

TEST_CASE("sequential greedy honours per-agent capacities and breaks ties by agent") {
    const TableScore score({{5.0, 5.0}, {5.0, 5.0}, {7.0, 1.0}});
    const std::vector<std::uint32_t> caps = {1, 1, 0};
    const Assignment a = sequential_greedy(caps, 2, score);
    // agent 2 is unavailable; the tie of agents 0 and 1 on task 0 goes to agent 0
    CHECK(a.winner == std::vector<AgentIndex>{0, 1});
}

TEST_CASE("sequential greedy gains add up to the path scores") {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        sim::RandomStream rng(seed, 3);
        TimeDiscountedReward::Params p;
        for (int i = 0; i < 4; ++i) {
            p.agent_start.push_back({rng.uniform(0, 1000), rng.uniform(0, 1000)});
        }
        for (int j = 0; j < 12; ++j) {
            p.task_position.push_back({rng.uniform(0, 1000), rng.uniform(0, 1000)});
            p.task_reward.push_back(rng.uniform(50, 100));
        }
        p.lambda = 0.995;
        p.cost_per_m = 0.01;
        const TimeDiscountedReward score(p);
        const Assignment a = sequential_greedy(4, 12, 3, score);
        double total = 0.0;
        for (AgentIndex i = 0; i < 4; ++i) {
            total += score.path_score(i, a.paths[i]);
            CHECK(a.paths[i].size() <= 3);
        }
        CHECK(a.total_gain == doctest::Approx(total));
        CHECK(a.assigned() == 12);
    }
}
