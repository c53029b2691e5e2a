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

}  // namespace swarm::sim::testing
