#include "agents/coordination/cbba.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "agents/comms/radio_grid.hpp"
#include "agents/comms/transmit.hpp"
#include "agents/coordination/greedy.hpp"
#include "coordination_test_util.hpp"
#include "sim/executor.hpp"

using namespace swarm;
using namespace swarm::coordination;
using comms::AgentGraph;
using testing::TableScore;

namespace {

// Every agent agrees with its component on every winner and bid, and the agreed winner
// of a task holds it in its bundle; no task is in two bundles of one component.
void check_component_consistency(const CbbaSolver& solver, const AgentGraph& graph) {
    const comms::Components comp = comms::connected_components(graph);
    std::vector<AgentIndex> first(comp.count, kNoAgent);
    for (AgentIndex i = 0; i < solver.agents(); ++i) {
        AgentIndex& leader = first[comp.label[i]];
        if (leader == kNoAgent) {
            leader = i;
            continue;
        }
        const auto zi = solver.winners(i);
        const auto zl = solver.winners(leader);
        CHECK(std::equal(zi.begin(), zi.end(), zl.begin()));
    }
    for (AgentIndex i = 0; i < solver.agents(); ++i) {
        for (TaskIndex j = 0; j < solver.tasks(); ++j) {
            const AgentIndex w = solver.winners(i)[j];
            const bool holds = std::find(solver.bundle(i).begin(), solver.bundle(i).end(), j) !=
                               solver.bundle(i).end();
            CHECK(holds == (w == i));
            if (w != kNoAgent) {
                CHECK(comp.label[w] == comp.label[i]);
            }
        }
    }
}

struct Instance {
    std::size_t agents;
    std::size_t tasks;
    std::uint32_t capacity;
    AgentGraph graph;
};

Instance random_instance(std::uint64_t seed, sim::RandomStream& rng) {
    Instance in;
    in.agents = 2 + rng.below(24);
    in.tasks = 1 + rng.below(40);
    in.capacity = 1 + static_cast<std::uint32_t>(rng.below(5));
    in.graph = seed % 2 == 0 ? testing::random_connected(in.agents, rng.below(in.agents), rng)
                             : testing::random_geometric(in.agents, 0.3, rng);
    return in;
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
        worst_ratio_rounds = std::max(worst_ratio_rounds, r.rounds_to_converge);
        // with DMG the result is the sequential greedy assignment
        const Assignment greedy = sequential_greedy(in.agents, in.tasks, in.capacity, score);
        CHECK(r.assignment.winner == greedy.winner);
        CHECK(r.assignment.paths == greedy.paths);
        CHECK(r.assignment.total_gain == doctest::Approx(greedy.total_gain));
        // every task that some agent values is taken while room is left
        CHECK(r.assignment.assigned() == std::min<std::size_t>(in.tasks, in.agents * in.capacity));
    }
    CHECK(worst_ratio_rounds > 1);
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
        // each component alone equals sequential greedy among its own agents
        for (int side = 0; side < 2; ++side) {
            std::vector<std::uint32_t> caps(a + b, 0);
            for (std::size_t i = 0; i < a + b; ++i) {
                caps[i] = ((i < a) == (side == 0)) ? 2 : 0;
            }
            const Assignment greedy = sequential_greedy(caps, tasks, score);
            for (std::size_t i = 0; i < a + b; ++i) {
                if (caps[i] > 0) {
                    CHECK(r.assignment.paths[i] == greedy.paths[i]);
                }
            }
        }
    }
}

TEST_CASE("a changing graph still converges to the greedy assignment") {
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
        const Assignment greedy = sequential_greedy(agents, tasks, 3, score);
        CHECK(solver.assignment().winner == greedy.winner);
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
