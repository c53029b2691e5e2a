#pragma once
// Shared by the kernel's determinism tests: the executors they compare, and a message-heavy
// model with state.
#include <memory>
#include <vector>

#include "sim/engine.hpp"

namespace swarm::sim::testing {

struct ExecutorCase {
    const char* name;
    std::size_t threads;  // 0: serial executor
    std::size_t partitions;
    bool team = false;  // TeamExecutor instead of TbbExecutor
};

inline const ExecutorCase kCases[] = {
    {"serial, 1 partition", 0, 1},
    {"serial, 7 partitions", 0, 7},
    {"tbb 1 thread", 1, 0},
    {"tbb 2 threads", 2, 0},
    {"tbb 4 threads", 4, 0},
    {"tbb 8 threads", 8, 0},
    {"tbb 2 threads, 13 parts", 2, 13},
    {"team 2 threads", 2, 0, true},
    {"team 3 threads, 13 parts", 3, 13, true},
};

inline std::unique_ptr<Executor> executor_for(const ExecutorCase& c) {
    if (c.threads == 0) {
        return std::make_unique<SerialExecutor>();
    }
    if (c.team) {
        return std::make_unique<TeamExecutor>(c.threads);
    }
    return std::make_unique<TbbExecutor>(c.threads);
}

// A message-heavy model with state: fan-out bursts, priorities, equal-time ties, timers
// that are cancelled, and per-LP state folded from what each LP receives.
struct Storm final : Model {
    explicit Storm(std::uint32_t lps) : lps_(lps), state(lps, 0), timers(lps) {}
    std::uint32_t lps_;
    std::vector<std::uint64_t> state;
    std::vector<EventHandle> timers;

    struct Body {
        std::uint64_t value;
        std::uint32_t hops;
    };

    void handle(Context& ctx, const Event& e) override {
        const LpId me = ctx.self();
        const Body body = e.payload.as<Body>();
        state[me] = state[me] * 1099511628211ULL + body.value + static_cast<std::uint64_t>(e.time);
        RandomStream& rng = ctx.rng();
        if (e.type == 2) {  // a timer that survived
            state[me] ^= 0xABCDEF;
            return;
        }
        if (body.hops == 0) {
            return;
        }
        // re-arm the timer: cancel the old one first, as a protocol with timeouts does
        ctx.cancel(timers[me]);
        timers[me] = ctx.schedule_self(static_cast<Tick>(rng.below(3000)), 2);
        const auto fan = 1 + rng.below(4);
        for (std::uint64_t k = 0; k < fan; ++k) {
            const auto dst = static_cast<LpId>(rng.below(lps_));
            // coarse delays make many equal-time arrivals from different sources
            const Tick delay = ctx.lookahead() * static_cast<Tick>(1 + rng.below(3));
            const auto prio = static_cast<std::uint8_t>(rng.below(2));
            const Body next{state[me] ^ k, body.hops - 1};
            ctx.send(dst, delay, 1, Payload::of(next), prio);
        }
        if (rng.bernoulli(0.3)) {
            ctx.schedule_self(static_cast<Tick>(rng.below(50)), 1, Payload::of(Body{7, 0}));
        }
    }
};

struct StormOutcome {
    std::uint64_t event_hash = 0;
    std::uint64_t state_hash = 0;
    std::uint64_t events = 0;
    std::uint64_t cancelled = 0;
    std::uint64_t windows = 0;
    std::vector<std::uint64_t> lp_hashes;
};

// Storm on 500 LPs with a shock injected at a barrier every 20 lookaheads, to tick 400,000
inline StormOutcome run_storm(const ExecutorCase& c, std::uint32_t run_ahead = 0,
                              std::uint64_t serial_below = 0) {
    const std::uint32_t lps = 500;
    Storm model(lps);
    auto exec = executor_for(c);
    EngineConfig config;
    config.lp_count = lps;
    config.lookahead = 1000;
    config.seed = 99;
    config.partitions = c.partitions;
    config.run_ahead_lookaheads = run_ahead;
    config.serial_below_events = serial_below;
    Engine engine(config, model, *exec);
    for (LpId lp = 0; lp < lps; lp += 5) {
        engine.inject(lp, lp, 1, Payload::of(Storm::Body{lp, 8}));
    }
    // world changes at barriers: a shock every 20,000 ticks
    engine.every(20'000, 20'000, [](Engine& e, Tick t) {
        e.inject(static_cast<LpId>((t / 1000) % 500), t, 1, Payload::of(Storm::Body{1, 3}));
    });
    RunLimits limits;
    limits.until = 400'000;
    const RunStats stats = engine.run(limits);
    StormOutcome out;
    out.event_hash = engine.event_hash();
    for (const std::uint64_t s : model.state) {
        out.state_hash = out.state_hash * 31 + s;
    }
    out.events = stats.events;
    out.cancelled = stats.cancelled;
    out.windows = stats.windows;
    for (LpId lp = 0; lp < lps; ++lp) {
        out.lp_hashes.push_back(engine.lp_event_hash(lp));
    }
    return out;
}

}  // namespace swarm::sim::testing
