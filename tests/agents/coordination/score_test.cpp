#include "agents/coordination/score.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "sim/random.hpp"

using namespace swarm;
using namespace swarm::coordination;

namespace {

TimeDiscountedReward::Params line_params() {
    TimeDiscountedReward::Params p;
    p.agent_start = {{0, 0}};
    p.task_position = {{100, 0}, {200, 0}, {300, 0}};
    p.task_reward = {10.0, 10.0, 10.0};
    p.speed_mps = 10.0;
    p.lambda = 0.9;
    p.cost_per_m = 0.001;
    return p;
}

}  // namespace

TEST_CASE("time-discounted path score by hand") {
    const TimeDiscountedReward score(line_params());
    CHECK(score.agents() == 1);
    CHECK(score.tasks() == 3);
    const std::vector<TaskIndex> path = {0, 2};
    // arrive at task 0 after 10 s, task 2 after 30 s; 300 m driven
    const double expected = (std::pow(0.9, 10.0) * 10.0) + (std::pow(0.9, 30.0) * 10.0) - 0.3;
    CHECK(score.path_score(0, path) == doctest::Approx(expected));
    CHECK(score.path_score(0, {}) == 0.0);
}

TEST_CASE("best insertion finds the position on the way") {
    const TimeDiscountedReward score(line_params());
    const std::vector<TaskIndex> path = {0, 2};
    const Insertion ins = score.best_insertion(0, path, 1);
    CHECK(ins.position == 1);  // between 100 m and 300 m, no detour
    const std::vector<TaskIndex> with = {0, 1, 2};
    CHECK(ins.gain == doctest::Approx(score.path_score(0, with) - score.path_score(0, path)));
    // every other position is worse
    const std::vector<TaskIndex> first = {1, 0, 2};
    const std::vector<TaskIndex> last = {0, 2, 1};
    CHECK(ins.gain > score.path_score(0, first) - score.path_score(0, path));
    CHECK(ins.gain > score.path_score(0, last) - score.path_score(0, path));
}

TEST_CASE("service time and start time delay the rewards") {
    auto p = line_params();
    p.service_s = 5.0;
    p.agent_start_s = {2.0};
    const TimeDiscountedReward score(p);
    const std::vector<TaskIndex> path = {0, 1};
    const double expected = (std::pow(0.9, 12.0) * 10.0) + (std::pow(0.9, 27.0) * 10.0) - 0.2;
    CHECK(score.path_score(0, path) == doctest::Approx(expected));
}

TEST_CASE("a task's own service time delays the rewards after it") {
    auto p = line_params();
    p.service_s = 5.0;
    p.task_service_s = {20.0, 0.0, 5.0};
    const TimeDiscountedReward score(p);
    const std::vector<TaskIndex> path = {0, 1};
    // task 0 takes 20 s, so task 1 is reached at 10 + 20 + 10 s
    const double expected = (std::pow(0.9, 10.0) * 10.0) + (std::pow(0.9, 40.0) * 10.0) - 0.2;
    CHECK(score.path_score(0, path) == doctest::Approx(expected));
    p.task_service_s = {1.0};
    CHECK_THROWS_AS(TimeDiscountedReward{p}, std::invalid_argument);
    p.task_service_s = {1.0, -1.0, 2.0};
    CHECK_THROWS_AS(TimeDiscountedReward{p}, std::invalid_argument);
}

TEST_CASE("bad time-discounted parameters are refused") {
    auto p = line_params();
    p.lambda = 1.5;
    CHECK_THROWS_AS(TimeDiscountedReward{p}, std::invalid_argument);
    p = line_params();
    p.speed_mps = 0.0;
    CHECK_THROWS_AS(TimeDiscountedReward{p}, std::invalid_argument);
    p = line_params();
    p.task_reward.pop_back();
    CHECK_THROWS_WITH_AS(TimeDiscountedReward{p},
                         "time-discounted reward: task_reward must have one entry per task",
                         std::invalid_argument);
    p = line_params();
    p.agent_start_s = {1.0, 2.0};
    CHECK_THROWS_AS(TimeDiscountedReward{p}, std::invalid_argument);
}

TEST_CASE("best insertion equals trying every position on random paths") {
    for (const bool own_service : {false, true}) {
        CAPTURE(own_service);
        sim::RandomStream rng(9, 2);
        TimeDiscountedReward::Params p;
        p.agent_start = {{500, 500}, {0, 1000}};
        p.agent_start_s = {0.0, 120.0};
        for (int j = 0; j < 12; ++j) {
            p.task_position.push_back({rng.uniform(0, 1000), rng.uniform(0, 1000)});
            p.task_reward.push_back(rng.uniform(10, 100));
        }
        p.lambda = 0.995;
        p.service_s = 20.0;
        if (own_service) {
            for (int j = 0; j < 12; ++j) {
                p.task_service_s.push_back(rng.uniform(0, 300));
            }
        }
        p.cost_per_m = 0.01;
        const TimeDiscountedReward score(p);
        for (int trial = 0; trial < 200; ++trial) {
            const auto agent = static_cast<AgentIndex>(rng.below(2));
            // a random path of 0..8 distinct tasks and one more task to insert
            std::vector<TaskIndex> order(12);
            for (TaskIndex j = 0; j < 12; ++j) {
                order[j] = j;
            }
            for (std::size_t j = 11; j > 0; --j) {
                std::swap(order[j], order[rng.below(j + 1)]);
            }
            const std::size_t len = rng.below(9);
            const std::vector<TaskIndex> path(order.begin(),
                                              order.begin() + static_cast<long>(len));
            const TaskIndex task = order[len];
            double best = -1e300;
            const double base = score.path_score(agent, path);
            for (std::size_t n = 0; n <= len; ++n) {
                std::vector<TaskIndex> with = path;
                with.insert(with.begin() + static_cast<long>(n), task);
                best = std::max(best, score.path_score(agent, with) - base);
            }
            const Insertion ins = score.best_insertion(agent, path, task);
            CHECK(ins.gain == doctest::Approx(best).epsilon(1e-9));
            CHECK(ins.position <= len);
            std::vector<TaskIndex> chosen = path;
            chosen.insert(chosen.begin() + ins.position, task);
            CHECK(score.path_score(agent, chosen) - base == doctest::Approx(best).epsilon(1e-9));
        }
    }
}
