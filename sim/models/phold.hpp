#pragma once
// PHOLD (Fujimoto 1990), the classic synthetic PDES benchmark, as defined by ROSS:
// each event schedules one new event at now + lookahead + Exp(mean), to a uniformly random
// LP with probability `remote`, else to itself. Used by tests and bench/.
#include <cmath>

#include "sim/engine.hpp"

namespace swarm::sim {

struct PholdParams {
    Tick lookahead = 1'000'000;  // 1.0 time unit = 1 s of 1 µs ticks
    double mean = 1'000'000.0;   // mean of the exponential part of the delay, in ticks
    double remote = 0.25;        // probability of sending to a random LP
};

class PholdModel final : public Model {
  public:
    PholdModel(std::uint32_t lps, const PholdParams& params) : lps_(lps), params_(params) {}

    void handle(Context& ctx, const Event& /*event*/) override {
        RandomStream& rng = ctx.rng();
        const auto extra = static_cast<Tick>(rng.exponential(params_.mean));
        const Tick delay = params_.lookahead + extra;
        if (rng.uniform() < params_.remote) {
            ctx.send(static_cast<LpId>(rng.below(lps_)), delay, 0);
        } else {
            ctx.schedule_self(delay, 0);
        }
    }

    // one initial event per LP, at a random time in [0, lookahead)
    void seed_events(Engine& engine) const {
        for (LpId lp = 0; lp < lps_; ++lp) {
            RandomStream init(engine.config().seed, lp, 1);
            engine.inject(
                lp, static_cast<Tick>(init.below(static_cast<std::uint64_t>(params_.lookahead))),
                0);
        }
    }

  private:
    std::uint32_t lps_;
    PholdParams params_;
};

}  // namespace swarm::sim
