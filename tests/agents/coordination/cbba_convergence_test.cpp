// CBBA on a fixed graph, where two neighbours often hold news of an agent from the same
// round: the consensus rule for a claim on a third agent when timestamps tie, a small case
// and the random runs that never agreed before that rule was fixed, and a random sweep.
// docs/cbba.md, "Equal timestamps", explains the cause.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "agents/coordination/cbba.hpp"
#include "cbba_test_util.hpp"
#include "coordination_test_util.hpp"

using namespace swarm;
using namespace swarm::coordination;
using comms::AgentGraph;

namespace {

// every agent holds the same winners, and the agreed winner of each task, and nobody else,
// has it in its bundle (check_component_consistency in one assertion, for the sweep)
bool agreed_winners_hold(const CbbaSolver& solver) {
    for (AgentIndex i = 0; i < solver.agents(); ++i) {
        const auto bundle = solver.bundle(i);
        for (TaskIndex j = 0; j < solver.tasks(); ++j) {
            const bool holds = std::find(bundle.begin(), bundle.end(), j) != bundle.end();
            if (solver.winners(i)[j] != solver.winners(0)[j] ||
                holds != (solver.winners(0)[j] == i)) {
                return false;
            }
        }
    }
    return true;
}

// Run to convergence within N_t x D rounds (plus the quiet round) on a connected graph,
// then check the result: all of it with `full`, else with fewer assertions.
void check_converges(const AgentGraph& graph, std::size_t agents, std::size_t tasks,
                     std::uint32_t capacity, const ScoreFunction& score, bool full = true) {
    CbbaSolver solver(agents, tasks, capacity, score);
    const std::uint32_t d = std::max<std::uint32_t>(1, comms::diameter(graph));
    const auto bound = static_cast<std::uint32_t>(tasks) * d;
    const CbbaResult r = solver.run(graph, bound + 1);
    INFO("agents " << agents << " tasks " << tasks << " L " << capacity << " diameter " << d);
    REQUIRE(r.converged);
    CHECK(r.rounds_to_converge <= bound);
    CHECK(r.conflicts == 0);
    CHECK(solver.neighbours_agree(graph));
    if (full) {
        testing::check_component_consistency(solver, graph);
        testing::check_stable(solver, score);
    } else {
        CHECK(agreed_winners_hold(solver));
    }
}

// the sweep's instances: 12-24 agents, 20-50 tasks, mostly geometric graphs (where many
// pairs of neighbours are equally far from a third agent), both DMG scores
struct SweepInstance {
    std::size_t agents = 0;
    std::size_t tasks = 0;
    std::uint32_t capacity = 0;
    AgentGraph graph;
    std::unique_ptr<ScoreFunction> score;
};

SweepInstance sweep_instance(std::uint64_t seed) {
    sim::RandomStream rng(seed, 79);
    SweepInstance in;
    in.agents = 12 + rng.below(13);
    in.tasks = 20 + rng.below(31);
    in.capacity = 1 + static_cast<std::uint32_t>(rng.below(5));
    in.graph = seed % 3 == 0 ? testing::random_connected(in.agents, rng.below(in.agents), rng)
                             : testing::random_geometric(in.agents, 0.25, rng);
    if (seed % 2 == 0) {
        in.score = std::make_unique<testing::OverlapScore>(in.agents, in.tasks, rng);
    } else {
        in.score = std::make_unique<testing::CoverageScore>(in.agents, in.tasks, rng);
    }
    return in;
}

}  // namespace

TEST_CASE("newer news of the receiver's winner clears its claim even if news of k's is equal") {
    // the cell where k (1) believes m (2) won with a lower bid than i (0) believes n (3) did
    using enum ConsensusAction;
    const std::vector<std::uint32_t> si = {5, 5, 5, 5};
    const auto act = [&](std::uint32_t s_km, std::uint32_t s_kn, double bid) {
        const std::vector<std::uint32_t> sk = {5, 5, s_km, s_kn};
        return consensus_action(0, 1, {2, bid}, {3, 9.0}, sk, si);
    };
    CHECK(act(6, 6, 4.0) == kUpdate);  // newer news of m and n
    CHECK(act(4, 6, 4.0) == kReset);   // newer of n, older of m: the paper's reset
    CHECK(act(5, 6, 4.0) == kReset);   // newer of n, equal of m: the paper leaves the claim
    CHECK(act(6, 5, 4.0) == kLeave);   // newer of m only, and k's claim does not outbid
    CHECK(act(5, 5, 4.0) == kLeave);
    CHECK(act(6, 5, 9.5) == kUpdate);  // newer of m, and it outbids
    CHECK(act(5, 5, 9.5) == kLeave);
}

TEST_CASE("a dropped claim that a relay holds is cleared when the news of both winners ties") {
    // Edges 0-3, 0-4, 1-2, 1-3, 1-4, 3-4 (diameter 3). Agents 0 and 3 value nothing. Agent
    // 2 values tasks 0, 1, 2 at 80, 77, 90 (task 0 overlaps task 1 by 0.4, task 2 by 0.5),
    // agent 1 task 2 at 100, agent 4 task 1 at 75. Round 1: agent 2 bids 90 for task 2 and
    // 77 for task 1, loses task 2 to agent 1 and so drops task 1, but agent 1 has heard the
    // 77 and passes it on: it knocks out agent 4's real bid of 75, and agent 0 ends up
    // holding (2, 77). Agent 0's neighbours 3 and 4 are both two hops from agent 2 and one
    // from agent 4, as agent 0 is. Agent 3 speaks first with newer news of agent 2 and
    // says (4, 75), its news of agent 4 as old as agent 0's: the paper's table keeps
    // (2, 77). Agent 4 then says (4, 75), but agent 0 has just taken agent 3's news of
    // agent 2, so agent 4's is no newer, and 75 does not outbid 77: kept again. The same
    // happened every round: quiet, but never in agreement. Now a message with newer news
    // of agent 2 and equal news of agent 4 resets the stale claim (first at agent 3, in
    // round 3, from agent 1), and agent 4's claim follows.
    const testing::OverlapScore score({{0, 0, 0}, {0, 0, 100}, {80, 77, 90}, {0, 0, 0}, {0, 75, 0}},
                                      {{0, 1, 0.4}, {0, 2, 0.5}});
    const std::pair<comms::AgentIndex, comms::AgentIndex> edges[] = {{0, 3}, {0, 4}, {1, 2},
                                                                     {1, 3}, {1, 4}, {3, 4}};
    const AgentGraph g = AgentGraph::from_edges(5, edges);
    REQUIRE(comms::diameter(g) == 3);
    check_converges(g, 5, 3, 2, score);
    CbbaSolver solver(5, 3, 2, score);
    const CbbaResult r = solver.run(g, 10);
    CHECK(r.assignment.winner == std::vector<AgentIndex>{2, 4, 1});
    CHECK(solver.winners(0)[1] == 4);
    CHECK(solver.bids(0)[1] == 75.0);
}

TEST_CASE("the random runs that never agreed before the fix converge") {
    // the suite's generator, as in cbba_test.cpp: seed 725 with OverlapScore (stream 17),
    // seeds 1037 and 1071 with CoverageScore (stream 61)
    for (const auto& run :
         std::vector<std::pair<std::uint64_t, std::uint32_t>>{{725, 17}, {1037, 61}, {1071, 61}}) {
        // plain locals: clang 14 cannot capture structured bindings (INFO's lambda)
        const std::uint64_t seed = run.first;
        const std::uint32_t stream = run.second;
        INFO("seed " << seed << " stream " << stream);
        sim::RandomStream rng(seed, stream);
        const testing::Instance in = testing::random_instance(seed, rng);
        std::unique_ptr<ScoreFunction> score;
        if (stream == 17) {
            score = std::make_unique<testing::OverlapScore>(in.agents, in.tasks, rng);
        } else {
            score = std::make_unique<testing::CoverageScore>(in.agents, in.tasks, rng);
        }
        check_converges(in.graph, in.agents, in.tasks, in.capacity, *score);
    }
    // the sweep's generator beyond the sweep's seeds: these stalled with a task in two bundles
    for (const std::uint64_t seed : {1169U, 5257U, 7257U, 9998U, 13372U}) {
        INFO("sweep seed " << seed);
        const SweepInstance in = sweep_instance(seed);
        check_converges(in.graph, in.agents, in.tasks, in.capacity, *in.score);
    }
}

TEST_CASE("every run of a random sweep converges conflict-free within tasks times diameter") {
    // before the fix 2 of these 500 (and 92 of the first 20,000) never agreed
    for (std::uint64_t seed = 1; seed <= 500; ++seed) {
        INFO("seed " << seed);
        const SweepInstance in = sweep_instance(seed);
        check_converges(in.graph, in.agents, in.tasks, in.capacity, *in.score, false);
    }
}
