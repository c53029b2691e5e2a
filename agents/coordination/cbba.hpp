// The Consensus-Based Bundle Algorithm (Choi, Brunet, How 2009, "Consensus-Based
// Decentralized Auctions for Robust Task Allocation", IEEE T-RO 25(4)), run in synchronous
// rounds: every round each agent extends its bundle greedily (phase 1), then every agent
// hears the state of its neighbours in the communication graph and applies the paper's
// Table 1 update/reset/leave rules (phase 2), releasing the tasks after the first one it
// was outbid for. Pure: no LPs, no clock; the caller supplies the score and the graph,
// which may change between rounds. With diminishing marginal gains a converged run on a
// connected graph is conflict-free and takes at most N_tasks x diameter rounds; the result
// is not always the sequential-greedy one, and is at least half the optimum only for
// scores that ignore the order of a bundle's tasks. One cell of Table 1 is completed for
// equal timestamps, which synchronous rounds make common and with which the paper's table
// could leave a run quiet but never agreeing. docs/cbba.md explains it in full, with what
// is tested.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "agents/comms/agent_graph.hpp"
#include "agents/coordination/score.hpp"
#include "sim/executor.hpp"

namespace swarm::coordination {

struct CbbaOptions {
    // Bid warping (Johnson, Choi, How 2011): a bid is capped at the agent's previous bid in
    // its bundle, so bids fall along a bundle even when the score lacks DMG; this restores
    // convergence. With DMG the cap binds only when a task blocked in an earlier round is
    // bid for later, above the last bid (rare, but it can change the assignment).
    bool warp_bids = true;
};

struct RoundStats {
    std::uint64_t messages = 0;  // directed deliveries: sum of degrees
    std::uint64_t bytes = 0;     // payload bytes of those deliveries (no headers)
    bool changed = false;        // any bundle, winning bid or winner changed this round
};

struct CbbaResult {
    Assignment assignment;
    std::uint32_t rounds = 0;              // rounds run (with the final quiet one)
    std::uint32_t rounds_to_converge = 0;  // the last round that changed anything
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
    bool converged = false;     // a quiet round in which neighbours agreed on every task
    std::size_t conflicts = 0;  // tasks in more than one bundle (0 when converged on a
                                // connected graph; separate components may overlap)
};

// One entry of an agent's winner and bid lists: z_ij and y_ij.
struct Claim {
    AgentIndex winner = kNoAgent;
    double bid = 0.0;
};

enum class ConsensusAction : std::uint8_t { kLeave, kUpdate, kReset };

// Table 1 of the paper: what receiver i does with task j on hearing sender k, given k's
// claim (z_kj, y_kj), its own (z_ij, y_ij) and both agents' timestamps s_k and s_i (by
// agent). Update: take k's claim. Reset: forget the task (no winner, bid 0). Leave: keep
// its own. "y_kj > y_ij" reads "k's claim outbids i's": a higher bid, or an equal bid by
// a lower agent index. One change: where k believes m and i believes n, k's newer news of
// n resets i's claim also when k's news of m is as old as i's (the paper: strictly older).
ConsensusAction consensus_action(AgentIndex i, AgentIndex k, Claim sent, Claim held,
                                 std::span<const std::uint32_t> sender_times,
                                 std::span<const std::uint32_t> receiver_times);

class CbbaSolver {
  public:
    // Every agent may hold up to `capacity` tasks (L_t). The score must outlive the solver.
    CbbaSolver(std::size_t agents, std::size_t tasks, std::uint32_t capacity,
               const ScoreFunction& score, CbbaOptions options = {});
    // per-agent capacities (0: the agent takes no tasks, e.g. broken down)
    CbbaSolver(std::span<const std::uint32_t> capacities, std::size_t tasks,
               const ScoreFunction& score, CbbaOptions options = {});

    [[nodiscard]] std::size_t agents() const { return capacity_.size(); }
    [[nodiscard]] std::size_t tasks() const { return tasks_; }
    [[nodiscard]] std::uint32_t rounds_done() const { return round_; }

    // One round: bundle construction for every agent, then one consensus exchange over
    // `graph` (graph.size() must equal agents(); throws std::invalid_argument otherwise).
    // With an executor the agents of each phase run in parallel; results are identical.
    RoundStats round(const comms::AgentGraph& graph, sim::Executor* executor = nullptr);

    // Rounds until a quiet round in which every pair of neighbours agrees on every winner
    // and bid, or max_rounds.
    CbbaResult run(const comms::AgentGraph& graph, std::uint32_t max_rounds,
                   sim::Executor* executor = nullptr);
    // the same with a graph per round: graph_at(r) for the solver's round number
    // r = rounds_done() + 1, + 2, ... (1, 2, ... on a fresh solver); the reference it
    // returns must stay valid until the next call
    CbbaResult run(const std::function<const comms::AgentGraph&(std::uint32_t)>& graph_at,
                   std::uint32_t max_rounds, sim::Executor* executor = nullptr);

    // Agent i drops out (broken down, depot closed): it takes no more tasks, gives up its
    // bundle and tells its neighbours in the next exchange that it holds nothing, so
    // the tasks are re-auctioned among the others. It still relays consensus while it is
    // in the graph; remove it from the graph once gone. Call between rounds.
    void withdraw(AgentIndex i);
    // a new bundle limit for agent i from the next round (a smaller one trims the bundle
    // from its end, releasing those tasks)
    void set_capacity(AgentIndex i, std::uint32_t capacity);
    [[nodiscard]] std::uint32_t capacity(AgentIndex i) const { return capacity_[i]; }

    // agent i's view: its bundle (insertion order), path (visiting order), and what it
    // believes are the winning bid y_ij and winner z_ij of every task
    [[nodiscard]] std::span<const TaskIndex> bundle(AgentIndex i) const { return bundles_[i]; }
    [[nodiscard]] std::span<const TaskIndex> path(AgentIndex i) const { return paths_[i]; }
    [[nodiscard]] std::span<const double> bids(AgentIndex i) const {
        return {y_.data() + (static_cast<std::size_t>(i) * tasks_), tasks_};
    }
    [[nodiscard]] std::span<const AgentIndex> winners(AgentIndex i) const {
        return {z_.data() + (static_cast<std::size_t>(i) * tasks_), tasks_};
    }
    // every pair of neighbours in graph holds the same winners and bids
    [[nodiscard]] bool neighbours_agree(const comms::AgentGraph& graph) const;
    // the bundles as an assignment; a task in several bundles goes to the lowest agent
    [[nodiscard]] Assignment assignment() const;
    [[nodiscard]] std::size_t conflicts() const;
    // payload of one message: sender and round ids, then per task a bid (8 bytes) and a
    // winner (4), then per agent a timestamp (4)
    [[nodiscard]] std::uint64_t message_bytes() const;

  private:
    // phase 1 for agent i; true if its bundle grew
    bool build_bundle(AgentIndex i);
    // phase 2 for receiver i against the senders' snapshots; true if anything changed
    bool consensus(AgentIndex i, const comms::AgentGraph& graph);
    // release the tasks after the first one i lost; true if any was released
    bool release_outbid(AgentIndex i);
    // keep the first `keep` bundle entries (and their path order), drop the rest
    void truncate_bundle(AgentIndex i, std::size_t keep);

    double& y(AgentIndex i, TaskIndex j) { return y_[(static_cast<std::size_t>(i) * tasks_) + j]; }
    AgentIndex& z(AgentIndex i, TaskIndex j) {
        return z_[(static_cast<std::size_t>(i) * tasks_) + j];
    }
    std::uint32_t& s(AgentIndex i, AgentIndex k) {
        return s_[(static_cast<std::size_t>(i) * capacity_.size()) + k];
    }

    const ScoreFunction& score_;
    CbbaOptions options_;
    std::size_t tasks_;
    std::vector<std::uint32_t> capacity_;
    // hot state as agent-major matrices: y and z are agents x tasks, s is agents x agents
    std::vector<double> y_;
    std::vector<AgentIndex> z_;
    std::vector<std::uint32_t> s_;
    // the senders' state at the start of phase 2 (what their messages carry)
    std::vector<double> y_sent_;
    std::vector<AgentIndex> z_sent_;
    std::vector<std::uint32_t> s_sent_;
    std::vector<std::vector<TaskIndex>> bundles_;
    std::vector<std::vector<TaskIndex>> paths_;
    std::vector<std::vector<double>> gains_;  // true marginal gain of each bundle entry
    std::vector<std::uint8_t> changed_;       // by agent, this round
    std::vector<std::uint8_t> stale_;         // by agent: claims changed since its last build
    std::uint32_t round_ = 0;
};

}  // namespace swarm::coordination
