// The executors' contract (sim/executor.hpp): every index once, all done on return,
// exceptions rethrown, and a call from inside a call.
#include "sim/executor.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace swarm::sim;

namespace {

std::vector<std::unique_ptr<Executor>> executors() {
    std::vector<std::unique_ptr<Executor>> all;
    all.push_back(std::make_unique<SerialExecutor>());
    all.push_back(std::make_unique<TbbExecutor>(2));
    all.push_back(std::make_unique<TeamExecutor>(2));
    all.push_back(std::make_unique<TeamExecutor>(3));  // more threads than cores here
    return all;
}

}  // namespace

TEST_CASE("executors run every index once, call after call") {
    for (const auto& exec : executors()) {
        CAPTURE(exec->concurrency());
        for (const std::size_t n : {0UL, 1UL, 2UL, 3UL, 7UL, 64UL, 1000UL}) {
            // many short calls in a row: the team's members must take part in each exactly once
            for (int call = 0; call < 200; ++call) {
                std::vector<std::atomic<int>> hits(n);
                auto body = [&hits](std::size_t i) { hits[i].fetch_add(1); };
                exec->for_each(n, IndexFn(body));
                for (std::size_t i = 0; i < n; ++i) {
                    REQUIRE(hits[i].load() == 1);
                }
            }
        }
    }
}

TEST_CASE("executors rethrow an exception from a call, and work after it") {
    for (const auto& exec : executors()) {
        std::atomic<int> ran{0};
        auto body = [&ran](std::size_t i) {
            ran.fetch_add(1);
            if (i == 5) {
                throw std::runtime_error("index 5");
            }
        };
        CHECK_THROWS_WITH_AS(exec->for_each(16, IndexFn(body)), "index 5", std::runtime_error);
        std::atomic<int> after{0};
        auto count = [&after](std::size_t) { after.fetch_add(1); };
        exec->for_each(16, IndexFn(count));
        CHECK(after.load() == 16);
    }
}

TEST_CASE("a call from inside a call runs all its indices") {
    for (const auto& exec : executors()) {
        std::vector<std::atomic<int>> hits(8 * 8);
        auto outer = [&](std::size_t i) {
            auto inner = [&hits, i](std::size_t j) { hits[i * 8 + j].fetch_add(1); };
            exec->for_each(8, IndexFn(inner));
        };
        exec->for_each(8, IndexFn(outer));
        for (const auto& h : hits) {
            REQUIRE(h.load() == 1);
        }
    }
}

TEST_CASE("a team that slept between calls wakes for the next") {
    TeamExecutor team(2);
    for (int round = 0; round < 3; ++round) {
        // longer than the team's spin, so its member is asleep when the call comes
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::atomic<int> ran{0};
        auto body = [&ran](std::size_t) { ran.fetch_add(1); };
        team.for_each(4, IndexFn(body));
        CHECK(ran.load() == 4);
    }
}
