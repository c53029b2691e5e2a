// Screened self-centred clipping: ClippedGossip (He, Karimireddy & Jaggi 2022) after a
// distance screen in the manner of BALANCE (Fang et al. 2024). A neighbour farther from the
// receiver than screen_factor * tau is dropped (its weight stays with the receiver, as for a
// lost message); the others are clipped to tau as in `clipping`:
//   x_i + sum_{j kept} w_ij clip(x_j - x_i, tau),   kept: |x_j - x_i| <= screen_factor * tau
// with tau the clip_quantile quantile of the distances to the neighbours. Why the screen:
// clipping alone bounds each attacker's pull by w_ij * tau per round, but an agent with a
// Byzantine majority among its neighbours is still dragged along a little every round, and
// once near the attackers they become its nearest neighbours (tau is then theirs) and it is
// captured; the captured agents widen the honest spread that ALIE scales with, and the run
// diverges (docs/learning.md, "Byzantine tolerance"). Dropped updates pull nothing. BALANCE
// screens against a fraction of the own model's norm; here the radius is relative to tau,
// so it needs no scale and no schedule. Deterministic, no state.
#include "agents/learning/aggregators.hpp"

namespace swarm::learning {

void aggregate_screened_clipping(const AggregatorSpec& spec, std::span<const float> own,
                                 std::span<const float> received, std::size_t m,
                                 std::span<const float> weights, std::span<float> out,
                                 AggregatorScratch& scratch) {
    clip_around_own(spec, own, received, m, weights, out, scratch, spec.screen_factor);
}

}  // namespace swarm::learning
