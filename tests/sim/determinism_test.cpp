// Results must not depend on the executor, the thread count or the partitioning.
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <queue>
#include <tuple>
#include <vector>

#include "sim/engine.hpp"
#include "sim/models/phold.hpp"
#include "tests/sim/kernel_cases.hpp"

using namespace swarm::sim;
using namespace swarm::sim::testing;

namespace {

std::uint64_t run_phold(const ExecutorCase& c, std::uint32_t lps, std::uint64_t events,
                        std::uint64_t serial_below = 0, std::uint64_t* parallel = nullptr) {
    PholdParams params;
    PholdModel model(lps, params);
    auto exec = executor_for(c);
    EngineConfig config;
    config.lp_count = lps;
    config.lookahead = params.lookahead;
    config.seed = 2024;
    config.partitions = c.partitions;
    config.serial_below_events = serial_below;
    Engine engine(config, model, *exec);
    model.seed_events(engine);
    RunLimits limits;
    limits.max_events = events;
    const RunStats stats = engine.run(limits);
    if (parallel != nullptr) {
        *parallel = stats.parallel_windows;
    }
    return engine.event_hash();
}

// The plain sequential reference: one global queue in the kernel's total order, no
// windows, no partitions. Per-LP histories must match the parallel engine's.
std::vector<std::vector<std::tuple<Tick, LpId, std::uint64_t>>> reference_phold(
    std::uint32_t lps, std::uint64_t events, std::uint64_t seed, const PholdParams& p) {
    struct Item {
        Tick time;
        LpId src;
        std::uint64_t seq;
        LpId dst;
        bool operator>(const Item& o) const {
            return std::tie(time, src, seq) > std::tie(o.time, o.src, o.seq);
        }
    };
    std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
    std::vector<std::uint64_t> draws(lps, 0);
    std::vector<std::uint64_t> seqs(lps, 0);
    for (LpId lp = 0; lp < lps; ++lp) {
        RandomStream init(seed, lp, 1);
        queue.push({static_cast<Tick>(init.below(static_cast<std::uint64_t>(p.lookahead))),
                    kExternalLp, lp, lp});
    }
    std::vector<std::vector<std::tuple<Tick, LpId, std::uint64_t>>> history(lps);
    for (std::uint64_t n = 0; n < events; ++n) {
        const Item item = queue.top();
        queue.pop();
        history[item.dst].emplace_back(item.time, item.src, item.seq);
        RandomStream rng(seed, item.dst, 0, draws[item.dst]);
        const Tick delay = p.lookahead + static_cast<Tick>(rng.exponential(p.mean));
        LpId dst = item.dst;
        if (rng.uniform() < p.remote) {
            dst = static_cast<LpId>(rng.below(lps));
        }
        draws[item.dst] = rng.draws();
        queue.push({item.time + delay, item.dst, seqs[item.dst]++, dst});
    }
    return history;
}

struct HistoryRecorder final : Observer {
    explicit HistoryRecorder(std::uint32_t lps) : history(lps) {}
    std::vector<std::vector<std::tuple<Tick, LpId, std::uint64_t>>> history;
    bool wants_events() const override { return true; }
    // each LP belongs to one partition, so per-LP vectors are never shared
    void on_event(std::size_t, const Event& e) override {
        history[e.dst].emplace_back(e.time, e.src, e.seq);
    }
};

}  // namespace

TEST_CASE("PHOLD event hash is identical for every executor and thread count") {
    for (const std::uint32_t lps : {64u, 1000u, 20'000u}) {
        const std::uint64_t expected = run_phold(kCases[0], lps, 200'000);
        for (const ExecutorCase& c : kCases) {
            CAPTURE(c.name);
            CAPTURE(lps);
            CHECK(run_phold(c, lps, 200'000) == expected);
        }
    }
}

TEST_CASE("windows of few events run on the calling thread with the same results") {
    // 1000 LPs hold about 500 events a window: a threshold above that runs every window on
    // the calling thread, one below hands them all to the executor, one between mixes both
    for (const ExecutorCase& c : kCases) {
        CAPTURE(c.name);
        std::uint64_t all = 0;
        std::uint64_t none = 0;
        std::uint64_t some = 0;
        const std::uint64_t expected = run_phold(c, 1000, 100'000, 0, &all);
        CHECK(run_phold(c, 1000, 100'000, 1'000'000, &none) == expected);
        CHECK(run_phold(c, 1000, 100'000, 500, &some) == expected);
        CHECK(all > 0);
        CHECK(none == 0);
        CHECK(some > 0);
        CHECK(some < all);
    }
}

TEST_CASE("a message-heavy model with state and cancels is identical across executors") {
    const StormOutcome expected = run_storm(kCases[0]);
    // enough traffic that every partition exchanges messages in most windows
    CHECK(expected.events > 100'000);
    CHECK(expected.cancelled > 1000);
    for (const ExecutorCase& c : kCases) {
        CAPTURE(c.name);
        const StormOutcome got = run_storm(c);
        CHECK(got.event_hash == expected.event_hash);
        CHECK(got.state_hash == expected.state_hash);
    }
}

TEST_CASE("the windowed engine reproduces a plain sequential event loop exactly") {
    const std::uint32_t lps = 300;
    PholdParams params;
    const std::uint64_t seed = 5;
    PholdModel model(lps, params);
    TbbExecutor exec(2);
    EngineConfig config;
    config.lp_count = lps;
    config.lookahead = params.lookahead;
    config.seed = seed;
    Engine engine(config, model, exec);
    model.seed_events(engine);
    HistoryRecorder recorder(lps);
    engine.add_observer(recorder);
    RunLimits limits;
    limits.max_events = 60'000;
    engine.run(limits);
    const std::uint64_t ran = engine.events_processed();
    REQUIRE(ran >= 60'000);
    const auto reference = reference_phold(lps, ran, seed, params);
    // the reference's first `ran` events are exactly the windowed engine's: both consist
    // of all events before the same time, as windows end at a common instant
    for (LpId lp = 0; lp < lps; ++lp) {
        CAPTURE(lp);
        REQUIRE(recorder.history[lp] == reference[lp]);
    }
}

TEST_CASE("different seeds give different histories") {
    PholdParams params;
    auto run_seed = [&](std::uint64_t seed) {
        PholdModel model(100, params);
        SerialExecutor exec;
        EngineConfig config;
        config.lp_count = 100;
        config.lookahead = params.lookahead;
        config.seed = seed;
        Engine engine(config, model, exec);
        model.seed_events(engine);
        RunLimits limits;
        limits.max_events = 10'000;
        engine.run(limits);
        return engine.event_hash();
    };
    CHECK(run_seed(1) != run_seed(2));
    CHECK(run_seed(1) == run_seed(1));
}
