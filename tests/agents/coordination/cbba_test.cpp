#include "agents/coordination/cbba.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "agents/comms/radio_grid.hpp"
#include "agents/comms/transmit.hpp"
#include "agents/coordination/greedy.hpp"
#include "cbba_test_util.hpp"
#include "coordination_test_util.hpp"
#include "sim/executor.hpp"

using namespace swarm;
using namespace swarm::coordination;
using comms::AgentGraph;
using testing::check_component_consistency;
using testing::check_stable;
using testing::Instance;
using testing::OverlapScore;
using testing::random_instance;
using testing::TableScore;

namespace {

// the 50% bound, with a relative tolerance for rounding
bool at_least_half(double value, double optimum) {
    return value >= (0.5 * optimum) - (1e-9 * std::abs(optimum));
}

}  // namespace

TEST_CASE("two agents one task: the higher bid wins and a tie goes to the lower index") {
    const AgentGraph g = AgentGraph::complete(2);
    {
        const TableScore score({{5.0}, {7.0}});
        CbbaSolver solver(2, 1, 1, score);
        const CbbaResult r = solver.run(g, 10);
        CHECK(r.converged);
        CHECK(r.assignment.winner[0] == 1);
        CHECK(solver.bids(0)[0] == 7.0);
    }
    {
        const TableScore score({{5.0}, {5.0}});
        CbbaSolver solver(2, 1, 1, score);
        const CbbaResult r = solver.run(g, 10);
        CHECK(r.converged);
        CHECK(r.assignment.winner[0] == 0);
        CHECK(solver.winners(1)[0] == 0);
    }
}

TEST_CASE("an outbid task releases every later task in the bundle") {
    // agent 0 wants a (10) then b (9 * 0.9); agent 1 values a at 20 and holds one task
    const TableScore score({{10.0, 9.0}, {20.0, 0.0}});
    const std::vector<std::uint32_t> caps = {2, 1};
    CbbaSolver solver(caps, 2, score);
    const AgentGraph g = AgentGraph::complete(2);
    const RoundStats first = solver.round(g);
    CHECK(first.changed);
    // agent 0 built [a, b], lost a to agent 1, and so gave up b as well
    CHECK(solver.bundle(0).empty());
    CHECK(solver.winners(0)[0] == 1);
    CHECK(solver.winners(0)[1] == kNoAgent);
    CHECK(solver.bids(0)[1] == 0.0);
    // next round it bids for b alone, at its full value
    solver.round(g);
    REQUIRE(solver.bundle(0).size() == 1);
    CHECK(solver.bundle(0)[0] == 1);
    CHECK(solver.bids(0)[1] == 9.0);
    const CbbaResult r = solver.run(g, 10);
    CHECK(r.converged);
    CHECK(r.assignment.winner == std::vector<AgentIndex>{1, 0});
}

TEST_CASE("messages are counted per directed delivery") {
    const TableScore score({{1.0, 2.0}, {2.0, 1.0}, {3.0, 3.0}});
    CbbaSolver solver(3, 2, 1, score);
    const std::pair<comms::AgentIndex, comms::AgentIndex> edges[] = {{0, 1}, {1, 2}};
    const AgentGraph path = AgentGraph::from_edges(3, edges);
    CHECK(solver.message_bytes() == 8 + (2 * 12) + (3 * 4));
    const RoundStats stats = solver.round(path);
    CHECK(stats.messages == 4);
    CHECK(stats.bytes == 4 * solver.message_bytes());
    CHECK_THROWS_AS(solver.round(AgentGraph::complete(2)), std::invalid_argument);
}

TEST_CASE("conflict-free and within tasks times diameter rounds on random instances") {
    std::uint32_t worst_ratio_rounds = 0;
    for (std::uint64_t seed = 1; seed <= 120; ++seed) {
        sim::RandomStream rng(seed, 17);
        const Instance in = random_instance(seed, rng);
        const testing::OverlapScore score(in.agents, in.tasks, rng);
        CbbaSolver solver(in.agents, in.tasks, in.capacity, score);
        const std::uint32_t d = std::max<std::uint32_t>(1, comms::diameter(in.graph));
        const auto bound = static_cast<std::uint32_t>(in.tasks) * d;
        const CbbaResult r = solver.run(in.graph, bound + 1);
        INFO("seed " << seed << " agents " << in.agents << " tasks " << in.tasks << " L "
                     << in.capacity << " diameter " << d);
        REQUIRE(r.converged);
        CHECK(r.conflicts == 0);
        CHECK(r.rounds_to_converge <= bound);
        check_component_consistency(solver, in.graph);
        check_stable(solver, score);
        worst_ratio_rounds = std::max(worst_ratio_rounds, r.rounds_to_converge);
        // (not always the sequential greedy assignment: see the fixed cases below)
        // every task that some agent values is taken while room is left
        CHECK(r.assignment.assigned() == std::min<std::size_t>(in.tasks, in.agents * in.capacity));
    }
    CHECK(worst_ratio_rounds > 1);
}

TEST_CASE("cbba can differ from sequential greedy under diminishing marginal gains") {
    // Two agents, four tasks, fully connected, OverlapScore (DMG). Documented in
    // docs/cbba.md: a bid made on the strength of a task its bidder loses in the same round
    // blocks the other agent for a round, that agent fills the slot with another task, and
    // nothing outbids it there later, so its bundle order is never revisited.
    struct Case {
        std::vector<std::vector<double>> base;
        std::vector<std::tuple<TaskIndex, TaskIndex, double>> overlaps;
        std::uint32_t capacity;
        std::vector<std::vector<TaskIndex>> cbba_paths;
        double cbba_total;
        std::vector<std::vector<TaskIndex>> greedy_paths;
        double greedy_total;
    };
    const std::vector<Case> cases = {
        // no bundle limit binds. Greedy: 0 takes 2 (20), 1 takes 0 (18), 0 takes 3 (12 on
        // top of 2), 1 takes 1 (6). CBBA round 1: 0 builds [2, 3, ...], 1 builds [2, 3 (16),
        // ...]; 0 wins 2, 1 wins 3 with 16 but drops it, having lost 2. Round 2: 0 still
        // believes 16 on 3, takes 1 (11); its gain on 3 falls to 12 x 0.3 = 3.6, and 1
        // takes 3 at 16 x 0.3 = 4.8 (on top of 0).
        {{{13, 11, 20, 12}, {18, 6, 19, 16}},
         {{0, 2, 0.9}, {0, 3, 0.7}, {1, 3, 0.7}},
         4,
         {{2, 1}, {0, 3}},
         20 + 11 + 18 + 4.8,
         {{2, 3}, {0, 1}},
         20 + 12 + 18 + 6},
        // two tasks per agent: the same blocking fills agent 1's last slot with task 1
        {{{13, 2, 16, 9}, {7, 5, 17, 8}},
         {{0, 2, 0.7}, {0, 3, 0.7}},
         2,
         {{0, 3}, {2, 1}},
         13 + 2.7 + 17 + 5,
         {{0, 1}, {2, 3}},
         13 + 2 + 17 + 8},
    };
    const AgentGraph g = AgentGraph::complete(2);
    for (const Case& c : cases) {
        const OverlapScore score(c.base, c.overlaps);
        CbbaSolver solver(2, 4, c.capacity, score);
        const CbbaResult r = solver.run(g, 5);
        REQUIRE(r.converged);
        CHECK(r.rounds_to_converge <= 4);  // N_t x D = 4 x 1
        CHECK(r.conflicts == 0);
        check_component_consistency(solver, g);
        check_stable(solver, score);
        const Assignment greedy = sequential_greedy(2, 4, c.capacity, score);
        CHECK(r.assignment.paths == c.cbba_paths);
        CHECK(r.assignment.total_gain == doctest::Approx(c.cbba_total));
        CHECK(greedy.paths == c.greedy_paths);
        CHECK(greedy.total_gain == doctest::Approx(c.greedy_total));
        CHECK(r.assignment.winner != greedy.winner);
        // both assign every task exactly once
        CHECK(r.assignment.assigned() == 4);
        CHECK(greedy.assigned() == 4);
        // bid warping plays no part: plain CBBA ends the same
        CbbaSolver plain(2, 4, c.capacity, score, CbbaOptions{.warp_bids = false});
        CHECK(plain.run(g, 5).assignment.paths == c.cbba_paths);
    }
}

TEST_CASE("with one task per agent cbba equals sequential greedy") {
    // With L_t = 1 an agent only gives up a task it was outbid on, so a task's winning bid
    // never falls, and the converged state is the stable matching of the bids, which is
    // the greedy one (docs/cbba.md).
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        sim::RandomStream rng(seed, 53);
        const std::size_t agents = 2 + rng.below(12);
        const std::size_t tasks = 1 + rng.below(16);
        const AgentGraph g = seed % 3 == 0 ? AgentGraph::complete(agents)
                                           : testing::random_connected(agents, rng.below(3), rng);
        const testing::OverlapScore score(agents, tasks, rng);
        CbbaSolver solver(agents, tasks, 1, score);
        const std::uint32_t d = std::max<std::uint32_t>(1, comms::diameter(g));
        const CbbaResult r = solver.run(g, (static_cast<std::uint32_t>(tasks) * d) + 1);
        INFO("seed " << seed);
        REQUIRE(r.converged);
        CHECK(r.conflicts == 0);
        CHECK(r.assignment.winner == sequential_greedy(agents, tasks, 1, score).winner);
    }
}

TEST_CASE("on tiny instances the converged assignment is at least half the optimum") {
    // CoverageScore: a monotone submodular set function, the class the 50% bound is for.
    // The optimum is exhaustive over assignments and paths. Seeds 1-300, and the five of
    // the first 20,000 on which CBBA and sequential greedy assign differently.
    std::vector<std::uint64_t> seeds = {8679, 10410, 13451, 14767, 18781};
    for (std::uint64_t seed = 1; seed <= 300; ++seed) {
        seeds.push_back(seed);
    }
    double worst = 1.0;
    int differ = 0;
    for (std::uint64_t seed : seeds) {
        sim::RandomStream rng(seed, 59);
        const std::size_t agents = 2 + rng.below(2);
        const std::size_t tasks = 3 + rng.below(3);
        std::vector<std::uint32_t> caps(agents);
        for (auto& c : caps) {
            c = 1 + static_cast<std::uint32_t>(rng.below(tasks));  // binding or not
        }
        const std::pair<comms::AgentIndex, comms::AgentIndex> line[] = {{0, 1}, {1, 2}};
        const AgentGraph g = agents == 3 && seed % 2 == 0 ? AgentGraph::from_edges(3, line)
                                                          : AgentGraph::complete(agents);
        const testing::CoverageScore score(agents, tasks, rng);
        CbbaSolver solver(caps, tasks, score);
        const std::uint32_t bound = static_cast<std::uint32_t>(tasks) * comms::diameter(g);
        const CbbaResult r = solver.run(g, bound + 1);
        INFO("seed " << seed << " agents " << agents << " tasks " << tasks);
        REQUIRE(r.converged);
        CHECK(r.rounds_to_converge <= bound);
        CHECK(r.conflicts == 0);
        check_component_consistency(solver, g);
        check_stable(solver, score);
        const Assignment greedy = sequential_greedy(caps, tasks, score);
        const double optimum = testing::brute_force_optimum(score, caps, tasks);
        // the exhaustive optimum is an upper bound of both
        CHECK(optimum >= r.assignment.total_gain - 1e-9);
        CHECK(optimum >= greedy.total_gain - 1e-9);
        CHECK(at_least_half(r.assignment.total_gain, optimum));
        CHECK(at_least_half(greedy.total_gain, optimum));
        if (optimum > 0.0) {
            worst = std::min(worst, r.assignment.total_gain / optimum);
        }
        differ += r.assignment.winner != greedy.winner ? 1 : 0;
    }
    // the instances are not all easy: some end well below the optimum, some differ from
    // greedy
    CHECK(worst < 0.7);
    CHECK(differ >= 5);
    // and the bound check itself catches a 40% result
    CHECK_FALSE(at_least_half(40.0, 100.0));
    CHECK(at_least_half(50.0, 100.0));
}

TEST_CASE("the half-optimum bound needs a score that ignores the order of the tasks") {
    // OverlapScore has DMG, but the first of two overlapping tasks keeps its full value.
    // Task 0 makes tasks 1-3 worthless to agent 0 (overlap 1); both algorithms give agent 0
    // task 0 first (12 beats 11). Optimum: agent 0 takes 1-3 (30), agent 1 task 0 (11).
    const OverlapScore score({{12, 10, 10, 10}, {11, 0, 0, 0}},
                             {{0, 1, 1.0}, {0, 2, 1.0}, {0, 3, 1.0}});
    const std::vector<std::uint32_t> caps = {4, 4};
    const double optimum = testing::brute_force_optimum(score, caps, 4);
    CHECK(optimum == doctest::Approx(41.0));
    const Assignment greedy = sequential_greedy(caps, 4, score);
    CbbaSolver solver(caps, 4, score);
    const CbbaResult r = solver.run(AgentGraph::complete(2), 5);
    REQUIRE(r.converged);
    CHECK(r.conflicts == 0);
    CHECK(greedy.total_gain == doctest::Approx(12.0));
    CHECK(r.assignment.total_gain == doctest::Approx(12.0));
    CHECK_FALSE(at_least_half(greedy.total_gain, optimum));
    CHECK_FALSE(at_least_half(r.assignment.total_gain, optimum));
}

TEST_CASE("time-discounted reward with bid warping converges conflict-free") {
    for (std::uint64_t seed = 1; seed <= 60; ++seed) {
        sim::RandomStream rng(seed, 23);
        const Instance in = random_instance(seed, rng);
        TimeDiscountedReward::Params p;
        for (std::size_t i = 0; i < in.agents; ++i) {
            p.agent_start.push_back({rng.uniform(0, 2000), rng.uniform(0, 2000)});
        }
        for (std::size_t j = 0; j < in.tasks; ++j) {
            p.task_position.push_back({rng.uniform(0, 2000), rng.uniform(0, 2000)});
            p.task_reward.push_back(rng.uniform(50, 100));
        }
        p.lambda = 0.998;
        p.cost_per_m = 0.005;
        p.service_s = 30.0;
        const TimeDiscountedReward score(p);
        CbbaSolver solver(in.agents, in.tasks, in.capacity, score);
        const std::uint32_t d = std::max<std::uint32_t>(1, comms::diameter(in.graph));
        const auto bound = static_cast<std::uint32_t>(in.tasks) * d;
        const CbbaResult r = solver.run(in.graph, bound + 1);
        INFO("seed " << seed << " agents " << in.agents << " tasks " << in.tasks);
        REQUIRE(r.converged);
        CHECK(r.conflicts == 0);
        CHECK(r.rounds_to_converge <= bound);
        check_component_consistency(solver, in.graph);
        // the agreed gains are the agents' true path scores
        double total = 0.0;
        for (AgentIndex i = 0; i < in.agents; ++i) {
            total += score.path_score(i, solver.path(i));
            CHECK(solver.path(i).size() <= in.capacity);
        }
        CHECK(r.assignment.total_gain == doctest::Approx(total));
    }
}

TEST_CASE("a disconnected graph gives per-component consistency") {
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        sim::RandomStream rng(seed, 29);
        // two random connected halves with no edge between them
        const std::size_t a = 2 + rng.below(8);
        const std::size_t b = 2 + rng.below(8);
        const AgentGraph ga = testing::random_connected(a, a, rng);
        const AgentGraph gb = testing::random_connected(b, b, rng);
        std::vector<std::pair<comms::AgentIndex, comms::AgentIndex>> edges;
        for (comms::AgentIndex i = 0; i < a; ++i) {
            for (comms::AgentIndex j : ga.neighbours(i)) {
                edges.emplace_back(i, j);
            }
        }
        for (comms::AgentIndex i = 0; i < b; ++i) {
            for (comms::AgentIndex j : gb.neighbours(i)) {
                edges.emplace_back(static_cast<comms::AgentIndex>(a + i),
                                   static_cast<comms::AgentIndex>(a + j));
            }
        }
        const AgentGraph g = AgentGraph::from_edges(a + b, edges);
        const std::size_t tasks = 3 + rng.below(15);
        const testing::OverlapScore score(a + b, tasks, rng);
        CbbaSolver solver(a + b, tasks, 2, score);
        const CbbaResult r = solver.run(g, 500);
        REQUIRE(r.converged);
        check_component_consistency(solver, g);
        check_stable(solver, score);
        // each component ends exactly as it would without the other one
        for (int side = 0; side < 2; ++side) {
            std::vector<std::uint32_t> caps(a + b, 0);
            for (std::size_t i = 0; i < a + b; ++i) {
                caps[i] = ((i < a) == (side == 0)) ? 2 : 0;
            }
            CbbaSolver alone(caps, tasks, score);
            REQUIRE(alone.run(g, 500).converged);
            for (AgentIndex i = 0; i < a + b; ++i) {
                if (caps[i] > 0) {
                    CHECK(r.assignment.paths[i] == alone.assignment().paths[i]);
                    CHECK(std::equal(solver.bids(i).begin(), solver.bids(i).end(),
                                     alone.bids(i).begin()));
                }
            }
        }
    }
}

TEST_CASE("a changing graph still converges conflict-free") {
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        sim::RandomStream rng(seed, 31);
        const std::size_t agents = 3 + rng.below(15);
        const std::size_t tasks = 2 + rng.below(25);
        const testing::OverlapScore score(agents, tasks, rng);
        // a fresh random graph every round; for the first 30 rounds every third one is
        // split in two pieces, after that all are connected (but still change each round)
        std::vector<AgentGraph> graphs;
        for (int k = 0; k < 400; ++k) {
            if (k < 30 && k % 3 == 2) {
                std::vector<std::pair<comms::AgentIndex, comms::AgentIndex>> edges;
                const AgentGraph full = testing::random_connected(agents, agents, rng);
                for (comms::AgentIndex i = 0; i < agents; ++i) {
                    for (comms::AgentIndex j : full.neighbours(i)) {
                        if ((i < agents / 2) == (j < agents / 2)) {
                            edges.emplace_back(i, j);
                        }
                    }
                }
                graphs.push_back(AgentGraph::from_edges(agents, edges));
            } else {
                graphs.push_back(testing::random_connected(agents, rng.below(agents), rng));
            }
        }
        CbbaSolver solver(agents, tasks, 3, score);
        std::uint32_t last_round = 0;
        const CbbaResult r = solver.run(
            [&](std::uint32_t round) -> const AgentGraph& {
                last_round = round;
                return graphs[round - 1];
            },
            400);
        INFO("seed " << seed);
        REQUIRE(r.converged);
        CHECK(r.conflicts == 0);
        if (last_round > 30) {
            // quiet on a connected graph: one more round on another changes nothing
            const AgentGraph connected = testing::random_connected(agents, 0, rng);
            CHECK_FALSE(solver.round(connected).changed);
            CHECK(solver.neighbours_agree(connected));
        } else {
            // it may have gone quiet on a split graph: finish on connected ones
            const CbbaResult more = solver.run(graphs[399], 400);
            REQUIRE(more.converged);
        }
        CHECK(solver.conflicts() == 0);
        check_stable(solver, score);
        CHECK(solver.assignment().assigned() == std::min<std::size_t>(tasks, 3 * agents));
    }
}

TEST_CASE("results do not depend on the executor") {
    sim::RandomStream rng(5, 37);
    const std::size_t agents = 40;
    const std::size_t tasks = 60;
    TimeDiscountedReward::Params p;
    for (std::size_t i = 0; i < agents; ++i) {
        p.agent_start.push_back({rng.uniform(0, 3000), rng.uniform(0, 3000)});
    }
    for (std::size_t j = 0; j < tasks; ++j) {
        p.task_position.push_back({rng.uniform(0, 3000), rng.uniform(0, 3000)});
        p.task_reward.push_back(rng.uniform(10, 100));
    }
    p.cost_per_m = 0.002;
    const TimeDiscountedReward score(p);
    const AgentGraph g = testing::random_geometric(agents, 0.25, rng);
    CbbaSolver serial(agents, tasks, 3, score);
    CbbaSolver threaded(agents, tasks, 3, score);
    sim::TbbExecutor two(2);
    const CbbaResult a = serial.run(g, 1000);
    const CbbaResult b = threaded.run(g, 1000, &two);
    CHECK(a.converged);
    CHECK(a.rounds == b.rounds);
    CHECK(a.messages == b.messages);
    CHECK(a.assignment.winner == b.assignment.winner);
    CHECK(a.assignment.paths == b.assignment.paths);
    for (AgentIndex i = 0; i < agents; ++i) {
        CHECK(std::equal(serial.bids(i).begin(), serial.bids(i).end(), threaded.bids(i).begin()));
    }
}

TEST_CASE("agents without capacity and tasks nobody values stay out") {
    // task 1 has no positive gain for anyone
    const TableScore score({{4.0, -1.0}, {6.0, 0.0}});
    const std::vector<std::uint32_t> caps = {1, 0};
    CbbaSolver solver(caps, 2, score);
    const CbbaResult r = solver.run(AgentGraph::complete(2), 10);
    CHECK(r.converged);
    CHECK(r.assignment.winner == std::vector<AgentIndex>{0, kNoAgent});
    CHECK(solver.bundle(1).empty());
}

TEST_CASE("the consensus action table of the paper row by row") {
    using enum ConsensusAction;
    // receiver i = 0, sender k = 1, third agents m = 2 and n = 3
    const AgentIndex i = 0;
    const AgentIndex k = 1;
    const AgentIndex m = 2;
    const AgentIndex n = 3;
    const AgentIndex none = kNoAgent;
    // timestamps by agent; "newer(x)": sender's s_kx > receiver's s_ix
    const auto act = [&](Claim sent, Claim held, bool newer_m, bool newer_n) {
        const std::vector<std::uint32_t> sk = {5, 5, newer_m ? 7u : 3u, newer_n ? 7u : 3u};
        const std::vector<std::uint32_t> si = {5, 5, 5, 5};
        return consensus_action(i, k, sent, held, sk, si);
    };
    const auto both = [&](Claim sent, Claim held) {
        // the action when timestamps do not matter: the same for all four combinations
        const ConsensusAction a = act(sent, held, false, false);
        CHECK(act(sent, held, true, false) == a);
        CHECK(act(sent, held, false, true) == a);
        CHECK(act(sent, held, true, true) == a);
        return a;
    };

    // k thinks k
    CHECK(both({k, 9}, {i, 5}) == kUpdate);  // y_kj > y_ij
    CHECK(both({k, 5}, {i, 9}) == kLeave);
    CHECK(both({k, 5}, {i, 5}) == kLeave);  // tie: i = 0 has the lower index
    CHECK(both({k, 1}, {k, 9}) == kUpdate);
    CHECK(act({k, 1}, {m, 9}, true, false) == kUpdate);   // s_km > s_im
    CHECK(act({k, 9}, {m, 1}, false, false) == kUpdate);  // y_kj > y_ij
    CHECK(act({k, 1}, {m, 9}, false, false) == kLeave);
    CHECK(both({k, 1}, {none, 0}) == kUpdate);
    // k thinks i
    CHECK(both({i, 5}, {i, 5}) == kLeave);
    CHECK(both({i, 5}, {k, 5}) == kReset);
    CHECK(act({i, 5}, {m, 5}, true, false) == kReset);
    CHECK(act({i, 5}, {m, 5}, false, false) == kLeave);
    CHECK(both({i, 5}, {none, 0}) == kLeave);
    // k thinks m
    CHECK(act({m, 9}, {i, 5}, true, false) == kUpdate);  // newer and outbids
    CHECK(act({m, 9}, {i, 5}, false, false) == kLeave);  // outbids but stale
    CHECK(act({m, 1}, {i, 5}, true, false) == kLeave);   // newer but lower
    CHECK(act({m, 5}, {k, 5}, true, false) == kUpdate);
    CHECK(act({m, 5}, {k, 5}, false, false) == kReset);
    CHECK(act({m, 5}, {m, 4}, true, false) == kUpdate);
    CHECK(act({m, 5}, {m, 4}, false, false) == kLeave);
    CHECK(act({m, 5}, {n, 9}, true, true) == kUpdate);   // newer on m and n
    CHECK(act({m, 9}, {n, 5}, true, false) == kUpdate);  // newer on m and outbids
    CHECK(act({m, 1}, {n, 5}, true, false) == kLeave);
    CHECK(act({m, 9}, {n, 5}, false, true) == kReset);  // newer on n, staler on m
    CHECK(act({m, 9}, {n, 5}, false, false) == kLeave);
    CHECK(act({m, 5}, {none, 0}, true, false) == kUpdate);
    CHECK(act({m, 5}, {none, 0}, false, false) == kLeave);
    // k thinks nobody
    CHECK(both({none, 0}, {i, 5}) == kLeave);
    CHECK(both({none, 0}, {k, 5}) == kUpdate);
    CHECK(act({none, 0}, {m, 5}, true, false) == kUpdate);
    CHECK(act({none, 0}, {m, 5}, false, false) == kLeave);
    CHECK(both({none, 0}, {none, 0}) == kLeave);
    // equal timestamps are not newer: "s_km > s_im" is strict
    const std::vector<std::uint32_t> same = {5, 5, 5, 5};
    CHECK(consensus_action(i, k, {none, 0}, {m, 5}, same, same) == kLeave);
}

TEST_CASE("a withdrawn agent's tasks are re-auctioned among the others") {
    int equal_to_greedy = 0;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        sim::RandomStream rng(seed, 41);
        const std::size_t agents = 3 + rng.below(12);
        const std::size_t tasks = 2 + rng.below(20);
        const AgentGraph g = testing::random_connected(agents, rng.below(agents), rng);
        const testing::OverlapScore score(agents, tasks, rng);
        CbbaSolver solver(agents, tasks, 2, score);
        REQUIRE(solver.run(g, 1000).converged);
        // the agent holding the most tasks breaks down but stays on air
        AgentIndex broken = 0;
        for (AgentIndex i = 1; i < agents; ++i) {
            if (solver.bundle(i).size() > solver.bundle(broken).size()) {
                broken = i;
            }
        }
        const auto orphaned =
            std::vector<TaskIndex>(solver.bundle(broken).begin(), solver.bundle(broken).end());
        solver.withdraw(broken);
        CHECK(solver.capacity(broken) == 0);
        CHECK(solver.bundle(broken).empty());
        const CbbaResult r = solver.run(g, 1000);
        INFO("seed " << seed);
        REQUIRE(r.converged);
        CHECK(r.conflicts == 0);
        check_component_consistency(solver, g);
        check_stable(solver, score);
        CHECK(solver.bundle(broken).empty());
        // room permitting, every orphaned task found a new agent
        std::vector<std::uint32_t> caps(agents, 2);
        caps[broken] = 0;
        const std::size_t room = 2 * (agents - 1);
        CHECK(r.assignment.assigned() == std::min(tasks, room));
        for (TaskIndex j : orphaned) {
            CHECK(r.assignment.winner[j] != broken);
        }
        const Assignment greedy = sequential_greedy(caps, tasks, score);
        equal_to_greedy += r.assignment.winner == greedy.winner ? 1 : 0;
    }
    MESSAGE("re-auction equals greedy without the broken agent in " << equal_to_greedy
                                                                    << " of 40 instances");
}

TEST_CASE("lowering a capacity trims the bundle from its end") {
    const TableScore score({{10.0, 9.0, 8.0}});
    CbbaSolver solver(1, 3, 3, score);
    solver.run(AgentGraph::complete(1), 10);
    REQUIRE(solver.bundle(0).size() == 3);
    solver.set_capacity(0, 1);
    REQUIRE(solver.bundle(0).size() == 1);
    CHECK(solver.bundle(0)[0] == 0);
    CHECK(solver.path(0).size() == 1);
    CHECK(solver.winners(0)[1] == kNoAgent);
    CHECK(solver.winners(0)[2] == kNoAgent);
    CHECK(solver.bids(0)[2] == 0.0);
}

TEST_CASE("cbba over the radio model with losses converges conflict-free") {
    // vehicles on a 2 km square, 500 m radio; every round each link survives only if
    // both directions' messages get through send_radio (20% base loss, a spike region)
    sim::RandomStream rng(8, 43);
    const std::size_t agents = 60;
    const std::size_t tasks = 40;
    TimeDiscountedReward::Params p;
    for (std::size_t i = 0; i < agents; ++i) {
        p.agent_start.push_back({rng.uniform(0, 2000), rng.uniform(0, 2000)});
    }
    for (std::size_t j = 0; j < tasks; ++j) {
        p.task_position.push_back({rng.uniform(0, 2000), rng.uniform(0, 2000)});
        p.task_reward.push_back(rng.uniform(20, 100));
    }
    p.cost_per_m = 0.005;
    const TimeDiscountedReward score(p);

    comms::CommsSpec spec;
    spec.radio_range_m = 500.0;
    spec.radio_loss = 0.2;
    const comms::LinkModel link(spec, sim::TimeScale{});
    comms::CommsConditions cond;
    cond.add_loss_spike({0.5, world::Region::circle({1000, 1000}, 400), comms::LinkSet::kRadio});
    comms::RadioGrid grid(spec.radio_range_m);
    grid.rebuild(p.agent_start, cond);
    const AgentGraph full = grid.graph();
    REQUIRE(comms::connected_components(full).count == 1);

    CbbaSolver solver(agents, tasks, 2, score);
    AgentGraph current;  // this round's graph; run() reads it only during the round
    std::uint64_t sent = 0;
    std::uint64_t delivered = 0;
    const CbbaResult r = solver.run(
        [&](std::uint32_t round) -> const AgentGraph& {
            sim::RandomStream draws(8, 1000, round);  // one stream per round: reproducible
            std::vector<std::pair<comms::AgentIndex, comms::AgentIndex>> edges;
            for (comms::AgentIndex i = 0; i < agents; ++i) {
                for (comms::AgentIndex j : full.neighbours(i)) {
                    if (j < i) {
                        continue;
                    }
                    const auto there =
                        comms::send_radio(link, cond, p.agent_start[i], p.agent_start[j],
                                          solver.message_bytes(), draws);
                    const auto back =
                        comms::send_radio(link, cond, p.agent_start[j], p.agent_start[i],
                                          solver.message_bytes(), draws);
                    sent += 2;
                    delivered += (there.delivered() ? 1U : 0U) + (back.delivered() ? 1U : 0U);
                    if (there.delivered() && back.delivered()) {
                        edges.emplace_back(i, j);
                    }
                }
            }
            current = AgentGraph::from_edges(agents, edges);
            return current;
        },
        2000);
    REQUIRE(r.converged);
    // lossy rounds can go quiet while a component is cut off: finish on the full graph
    const CbbaResult settle = solver.run(full, 2000);
    REQUIRE(settle.converged);
    CHECK(settle.conflicts == 0);
    CHECK(solver.neighbours_agree(full));
    CHECK(settle.assignment.assigned() == tasks);
    // the losses were real
    CHECK(delivered < sent);
    CHECK(static_cast<double>(delivered) / static_cast<double>(sent) > 0.6);
}
