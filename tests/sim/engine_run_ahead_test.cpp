// Run-ahead segments (EngineConfig::run_ahead_lookaheads): every LP runs the events it runs
// in lockstep, in the same order, for any executor, thread and partition count; stops come
// at segment ends, alike for every thread count.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <vector>

#include "sim/engine.hpp"
#include "sim/models/phold.hpp"
#include "tests/sim/kernel_cases.hpp"

using namespace swarm::sim;
using namespace swarm::sim::testing;

namespace {

struct PholdOutcome {
    std::uint64_t hash = 0;
    std::uint64_t events = 0;
    Tick now = 0;
    StopReason reason = StopReason::kNoEvents;
};

PholdOutcome run_phold(const ExecutorCase& c, std::uint32_t run_ahead, const RunLimits& limits) {
    PholdParams params;
    const std::uint32_t lps = 2000;
    PholdModel model(lps, params);
    auto exec = executor_for(c);
    EngineConfig config;
    config.lp_count = lps;
    config.lookahead = params.lookahead;
    config.seed = 77;
    config.partitions = c.partitions;
    config.run_ahead_lookaheads = run_ahead;
    Engine engine(config, model, *exec);
    model.seed_events(engine);
    const RunStats stats = engine.run(limits);
    return {engine.event_hash(), engine.events_processed(), engine.now(), stats.reason};
}

}  // namespace

TEST_CASE("running ahead gives every LP the events of lockstep, for every executor") {
    const StormOutcome lockstep = run_storm(kCases[0], 0);
    CHECK(lockstep.events > 100'000);
    for (const std::uint32_t run_ahead : {1U, 7U, 64U}) {
        for (const ExecutorCase& c : kCases) {
            CAPTURE(run_ahead);
            CAPTURE(c.name);
            const StormOutcome got = run_storm(c, run_ahead);
            CHECK(got.event_hash == lockstep.event_hash);
            CHECK(got.state_hash == lockstep.state_hash);
            CHECK(got.lp_hashes == lockstep.lp_hashes);
            CHECK(got.events == lockstep.events);
            // segments: no more than the windows, and cut at every shock (20 of them)
            CHECK(got.windows <= lockstep.windows);
            CHECK(got.windows >= 20);
        }
    }
}

TEST_CASE("running ahead on the calling thread (few events a lookahead) changes nothing") {
    const StormOutcome expected = run_storm(kCases[0], 0);
    for (const ExecutorCase& c : kCases) {
        CAPTURE(c.name);
        // above every segment's events per lookahead: all on the calling thread; and between
        const StormOutcome serial = run_storm(c, 16, 1'000'000);
        const StormOutcome mixed = run_storm(c, 16, 300);
        CHECK(serial.event_hash == expected.event_hash);
        CHECK(serial.state_hash == expected.state_hash);
        CHECK(mixed.event_hash == expected.event_hash);
        CHECK(mixed.state_hash == expected.state_hash);
    }
}

TEST_CASE("a run ahead stops at a segment end, the same one for every thread count") {
    SUBCASE("max_events") {
        RunLimits limits;
        limits.max_events = 50'000;
        const PholdOutcome expected = run_phold(kCases[0], 10, limits);
        CHECK(expected.reason == StopReason::kMaxEvents);
        CHECK(expected.events >= 50'000);
        for (const ExecutorCase& c : kCases) {
            CAPTURE(c.name);
            const PholdOutcome got = run_phold(c, 10, limits);
            CHECK(got.hash == expected.hash);
            CHECK(got.events == expected.events);
            CHECK(got.now == expected.now);
        }
    }
    SUBCASE("stop_when") {
        RunLimits limits;
        limits.stop_when = [](const Engine& e) { return e.events_processed() >= 30'000; };
        const PholdOutcome expected = run_phold(kCases[0], 5, limits);
        CHECK(expected.reason == StopReason::kCondition);
        for (const ExecutorCase& c : kCases) {
            CAPTURE(c.name);
            const PholdOutcome got = run_phold(c, 5, limits);
            CHECK(got.hash == expected.hash);
            CHECK(got.now == expected.now);
        }
    }
    SUBCASE("until: the same instant as lockstep") {
        RunLimits limits;
        limits.until = 40'000'000;
        const PholdOutcome lockstep = run_phold(kCases[0], 0, limits);
        for (const ExecutorCase& c : kCases) {
            CAPTURE(c.name);
            const PholdOutcome got = run_phold(c, 32, limits);
            CHECK(got.hash == lockstep.hash);
            CHECK(got.now == lockstep.now);
            CHECK(got.reason == StopReason::kUntil);
        }
    }
}

namespace {

// throws at one event; the other partitions wait for its clock, which never comes
struct Thrower final : Model {
    void handle(Context& ctx, const Event& e) override {
        if (e.time >= 50'000 && ctx.self() == 3) {
            throw std::runtime_error("boom");
        }
        ctx.send((ctx.self() + 1) % 8, 1000, 1);
    }
};

// sends below the lookahead
struct TooSoon final : Model {
    void handle(Context& ctx, const Event& /*e*/) override {
        ctx.send((ctx.self() + 1) % 8, 999, 1);
    }
};

}  // namespace

TEST_CASE("an exception in a run ahead reaches the caller, and nobody waits for ever") {
    for (const ExecutorCase& c : kCases) {
        CAPTURE(c.name);
        Thrower model;
        auto exec = executor_for(c);
        EngineConfig config;
        config.lp_count = 8;
        config.lookahead = 1000;
        config.partitions = c.partitions == 0 ? 4 : c.partitions;
        config.run_ahead_lookaheads = 100;
        Engine engine(config, model, *exec);
        for (LpId lp = 0; lp < 8; ++lp) {
            engine.inject(lp, lp * 10, 1);
        }
        CHECK_THROWS_WITH_AS(engine.run(), "boom", std::runtime_error);
    }
}

TEST_CASE("a run ahead refuses a send below the lookahead") {
    TooSoon model;
    TeamExecutor exec(2);
    EngineConfig config;
    config.lp_count = 8;
    config.lookahead = 1000;
    config.partitions = 2;
    config.run_ahead_lookaheads = 100;
    Engine engine(config, model, exec);
    engine.inject(0, 0, 1);
    CHECK_THROWS_AS(engine.run(), SchedulingError);
}
