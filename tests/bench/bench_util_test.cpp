#include "bench/bench_util.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace {

using swarm::bench::median;

TEST_CASE("the median of an odd count is the middle value, in any order") {
    CHECK(median({3.0, 1.0, 2.0}) == 2.0);
    CHECK(median({5.0}) == 5.0);
    CHECK(median({9.0, 1.0, 7.0, 3.0, 5.0}) == 5.0);
}

TEST_CASE("the median of an even count is the mean of the two middle values, not the upper") {
    CHECK(median({1.17, 1.74}) == doctest::Approx(1.455));
    CHECK(median({4.0, 1.0, 3.0, 2.0}) == 2.5);
    CHECK(median({2.0, 2.0, 8.0, 8.0}) == 5.0);
}

TEST_CASE("the median of nothing is 0") {
    CHECK(median({}) == 0.0);
}

struct Value {
    int value = 0;
};

TEST_CASE("children started at once each bring their own result back") {
    std::vector<swarm::bench::Child> children;
    for (int i = 0; i < 3; ++i) {
        children.push_back(swarm::bench::start_child<Value>([i] { return Value{10 * i + 1}; }));
        REQUIRE(children.back().pid > 0);
    }
    for (int i = 0; i < 3; ++i) {
        Value v;
        CHECK(swarm::bench::finish_child(children[static_cast<std::size_t>(i)], v));
        CHECK(v.value == 10 * i + 1);
        CHECK(children[static_cast<std::size_t>(i)].pid == -1);
    }
}

TEST_CASE("a child that throws or exits early reports a failure, not a result") {
    Value v{7};
    CHECK_FALSE(swarm::bench::run_in_child(
        []() -> Value { throw std::runtime_error("expected by the test"); }, v));
    CHECK_FALSE(swarm::bench::run_in_child(
        []() -> Value {
            std::_Exit(0);  // no result written
        },
        v));
    swarm::bench::Child none;
    CHECK_FALSE(swarm::bench::finish_child(none, v));
    CHECK(swarm::bench::run_in_child([] { return Value{42}; }, v));
    CHECK(v.value == 42);
}

}  // namespace
