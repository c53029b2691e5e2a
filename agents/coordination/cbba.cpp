#include "agents/coordination/cbba.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace swarm::coordination {

namespace {

// (y1, a1) outbids (y2, a2): higher bid, or an equal bid from a lower agent index
bool beats(double y1, AgentIndex a1, double y2, AgentIndex a2) {
    return y1 > y2 || (y1 == y2 && a1 < a2);
}

}  // namespace

ConsensusAction consensus_action(AgentIndex i, AgentIndex k, Claim sent, Claim held,
                                 std::span<const std::uint32_t> sender_times,
                                 std::span<const std::uint32_t> receiver_times) {
    using enum ConsensusAction;
    const AgentIndex zk = sent.winner;
    const AgentIndex zi = held.winner;
    // k's information about agent m is newer than i's
    const auto newer = [&](AgentIndex m) { return sender_times[m] > receiver_times[m]; };
    const bool k_beats = beats(sent.bid, zk, held.bid, zi);
    const bool zi_other = zi != i && zi != k && zi != kNoAgent;  // zi = m or n

    // Table 1 of Choi, Brunet, How (2009): rows by what k thinks, then by what i thinks
    if (zk == k) {
        if (zi == i) {
            return k_beats ? kUpdate : kLeave;
        }
        if (zi == k || zi == kNoAgent) {
            return kUpdate;
        }
        return (newer(zi) || k_beats) ? kUpdate : kLeave;
    }
    if (zk == i) {
        if (zi == k) {
            return kReset;
        }
        return (zi_other && newer(zi)) ? kReset : kLeave;
    }
    if (zk == kNoAgent) {
        if (zi == k) {
            return kUpdate;
        }
        return (zi_other && newer(zi)) ? kUpdate : kLeave;
    }
    // zk = m, neither i nor k
    const AgentIndex m = zk;
    if (zi == i) {
        return (newer(m) && k_beats) ? kUpdate : kLeave;
    }
    if (zi == k) {
        return newer(m) ? kUpdate : kReset;
    }
    if (zi == m || zi == kNoAgent) {
        return newer(m) ? kUpdate : kLeave;
    }
    // zi = n, a fourth agent. k's newer news of n makes i's claim out of date: take k's
    // claim if its news of m is newer too, else forget the task. The paper resets only if
    // s_im > s_km; an equal stamp (common in synchronous rounds) would leave the out-of-date
    // claim in place for good (docs/cbba.md, "Equal timestamps").
    if (newer(zi)) {
        return newer(m) ? kUpdate : kReset;
    }
    return (newer(m) && k_beats) ? kUpdate : kLeave;
}

CbbaSolver::CbbaSolver(std::size_t agents, std::size_t tasks, std::uint32_t capacity,
                       const ScoreFunction& score, CbbaOptions options)
    : CbbaSolver(std::vector<std::uint32_t>(agents, capacity), tasks, score, options) {}

CbbaSolver::CbbaSolver(std::span<const std::uint32_t> capacities, std::size_t tasks,
                       const ScoreFunction& score, CbbaOptions options)
    : score_(score),
      options_(options),
      tasks_(tasks),
      capacity_(capacities.begin(), capacities.end()) {
    const std::size_t n = capacity_.size();
    if (n >= kNoAgent || tasks >= kNoAgent) {
        throw std::invalid_argument("cbba: too many agents or tasks");
    }
    y_.assign(n * tasks, 0.0);
    z_.assign(n * tasks, kNoAgent);
    s_.assign(n * n, 0);
    bundles_.resize(n);
    paths_.resize(n);
    gains_.resize(n);
    changed_.assign(n, 0);
    stale_.assign(n, 1);
}

std::uint64_t CbbaSolver::message_bytes() const {
    return 8 + (12 * static_cast<std::uint64_t>(tasks_)) +
           (4 * static_cast<std::uint64_t>(capacity_.size()));
}

bool CbbaSolver::build_bundle(AgentIndex i) {
    // the score is pure: unchanged claims and path would give the same (empty) result
    if (stale_[i] == 0) {
        return false;
    }
    stale_[i] = 0;
    auto& bundle = bundles_[i];
    auto& path = paths_[i];
    bool grew = false;
    while (bundle.size() < capacity_[i]) {
        // a warped bid never exceeds the bid before it in the bundle
        const double cap = options_.warp_bids && !bundle.empty()
                               ? y(i, bundle.back())
                               : std::numeric_limits<double>::infinity();
        TaskIndex best = 0;
        double best_bid = 0.0;
        Insertion best_insertion;
        bool found = false;
        for (TaskIndex j = 0; j < tasks_; ++j) {
            if (z(i, j) == i) {
                continue;  // in the bundle already (z_ij = i exactly for bundle tasks)
            }
            const Insertion ins = score_.best_insertion(i, path, j);
            if (!(ins.gain > 0.0)) {
                continue;
            }
            const double bid = std::min(ins.gain, cap);
            // h_ij: this bid would outbid what i knows; ties in bid go to the lowest task
            if (beats(bid, i, y(i, j), z(i, j)) && (!found || bid > best_bid)) {
                best = j;
                best_bid = bid;
                best_insertion = ins;
                found = true;
            }
        }
        if (!found) {
            break;
        }
        bundle.push_back(best);
        gains_[i].push_back(best_insertion.gain);
        path.insert(path.begin() + best_insertion.position, best);
        y(i, best) = best_bid;
        z(i, best) = i;
        grew = true;
    }
    return grew;
}

bool CbbaSolver::consensus(AgentIndex i, const comms::AgentGraph& graph) {
    const std::size_t n_agents = capacity_.size();
    bool changed = false;
    for (AgentIndex k : graph.neighbours(i)) {
        const double* yk_row = y_sent_.data() + (static_cast<std::size_t>(k) * tasks_);
        const AgentIndex* zk_row = z_sent_.data() + (static_cast<std::size_t>(k) * tasks_);
        const std::span<const std::uint32_t> sk(
            s_sent_.data() + (static_cast<std::size_t>(k) * n_agents), n_agents);
        const std::span<const std::uint32_t> si(
            s_.data() + (static_cast<std::size_t>(i) * n_agents), n_agents);
        for (TaskIndex j = 0; j < tasks_; ++j) {
            const AgentIndex zk = zk_row[j];
            const double yk = yk_row[j];
            const AgentIndex zi = z(i, j);
            const double yi = y(i, j);
            if (zk == zi && yk == yi) {
                continue;  // agreeing claims: every row of the table keeps them as they are
            }

            const ConsensusAction act = consensus_action(i, k, {zk, yk}, {zi, yi}, sk, si);
            if (act == ConsensusAction::kUpdate && (zi != zk || yi != yk)) {
                z(i, j) = zk;
                y(i, j) = yk;
                changed = true;
            } else if (act == ConsensusAction::kReset && (zi != kNoAgent || yi != 0.0)) {
                z(i, j) = kNoAgent;
                y(i, j) = 0.0;
                changed = true;
            }
        }

        // timestamps: i heard k now, and learns k's newer news of everyone else (s_ii is
        // already this round, the largest value, so a plain max leaves it alone)
        std::uint32_t* own = s_.data() + (static_cast<std::size_t>(i) * n_agents);
        for (std::size_t m = 0; m < n_agents; ++m) {
            own[m] = std::max(own[m], sk[m]);
        }
        s(i, k) = round_;
    }
    return changed;
}

void CbbaSolver::truncate_bundle(AgentIndex i, std::size_t keep) {
    auto& bundle = bundles_[i];
    bundle.resize(keep);
    gains_[i].resize(keep);
    // the path keeps its order minus the tasks no longer in the bundle
    auto& path = paths_[i];
    path.erase(std::remove_if(path.begin(), path.end(),
                              [&](TaskIndex j) {
                                  return std::find(bundle.begin(), bundle.end(), j) == bundle.end();
                              }),
               path.end());
}

bool CbbaSolver::release_outbid(AgentIndex i) {
    auto& bundle = bundles_[i];
    std::size_t first_lost = bundle.size();
    for (std::size_t n = 0; n < bundle.size(); ++n) {
        if (z(i, bundle[n]) != i) {
            first_lost = n;
            break;
        }
    }
    if (first_lost == bundle.size()) {
        return false;
    }
    // the tasks after the lost one were bid on the strength of it: give them up too
    for (std::size_t n = first_lost + 1; n < bundle.size(); ++n) {
        const TaskIndex j = bundle[n];
        if (z(i, j) == i) {
            z(i, j) = kNoAgent;
            y(i, j) = 0.0;
        }
    }
    bundle.resize(first_lost);
    gains_[i].resize(first_lost);
    auto& path = paths_[i];
    path.erase(std::remove_if(path.begin(), path.end(),
                              [&](TaskIndex j) {
                                  return std::find(bundle.begin(), bundle.end(), j) == bundle.end();
                              }),
               path.end());
    return true;
}

void CbbaSolver::set_capacity(AgentIndex i, std::uint32_t capacity) {
    capacity_[i] = capacity;
    stale_[i] = 1;
    auto& bundle = bundles_[i];
    if (bundle.size() <= capacity) {
        return;
    }
    // drop the last-added tasks; the remaining prefix keeps its bids and path
    for (std::size_t n = capacity; n < bundle.size(); ++n) {
        z(i, bundle[n]) = kNoAgent;
        y(i, bundle[n]) = 0.0;
    }
    truncate_bundle(i, capacity);
}

void CbbaSolver::withdraw(AgentIndex i) {
    set_capacity(i, 0);
}

RoundStats CbbaSolver::round(const comms::AgentGraph& graph, sim::Executor* executor) {
    const std::size_t n = capacity_.size();
    if (graph.size() != n) {
        throw std::invalid_argument("cbba: graph has " + std::to_string(graph.size()) +
                                    " agents, solver " + std::to_string(n));
    }
    sim::SerialExecutor serial;
    sim::Executor& exec = executor != nullptr ? *executor : serial;
    ++round_;
    for (AgentIndex i = 0; i < n; ++i) {
        s(i, i) = round_;  // an agent's news of itself is always current
    }

    // phase 1: each agent extends its own bundle (writes only its own rows)
    auto build = [&](std::size_t i) {
        changed_[i] = build_bundle(static_cast<AgentIndex>(i)) ? 1 : 0;
    };
    exec.for_each(n, build);

    // phase 2: messages carry the state every agent had after phase 1
    y_sent_ = y_;
    z_sent_ = z_;
    s_sent_ = s_;
    auto agree = [&](std::size_t i) {
        const auto a = static_cast<AgentIndex>(i);
        const bool c = consensus(a, graph);
        const bool r = release_outbid(a);
        changed_[i] = static_cast<std::uint8_t>(changed_[i] | (c || r ? 1 : 0));
        stale_[i] = static_cast<std::uint8_t>(stale_[i] | (c || r ? 1 : 0));
    };
    exec.for_each(n, agree);

    RoundStats stats;
    for (AgentIndex i = 0; i < n; ++i) {
        stats.messages += graph.degree(i);
        stats.changed = stats.changed || changed_[i] != 0;
    }
    stats.bytes = stats.messages * message_bytes();
    return stats;
}

CbbaResult CbbaSolver::run(const comms::AgentGraph& graph, std::uint32_t max_rounds,
                           sim::Executor* executor) {
    return run([&graph](std::uint32_t) -> const comms::AgentGraph& { return graph; }, max_rounds,
               executor);
}

CbbaResult CbbaSolver::run(const std::function<const comms::AgentGraph&(std::uint32_t)>& graph_at,
                           std::uint32_t max_rounds, sim::Executor* executor) {
    CbbaResult result;
    for (std::uint32_t r = 1; r <= max_rounds; ++r) {
        const comms::AgentGraph& graph = graph_at(round_ + 1);
        const RoundStats stats = round(graph, executor);
        result.rounds = r;
        result.messages += stats.messages;
        result.bytes += stats.bytes;
        if (stats.changed) {
            result.rounds_to_converge = r;
        } else if (neighbours_agree(graph)) {
            result.converged = true;
            break;
        }
    }
    result.assignment = assignment();
    result.conflicts = conflicts();
    return result;
}

bool CbbaSolver::neighbours_agree(const comms::AgentGraph& graph) const {
    for (AgentIndex i = 0; i < graph.size(); ++i) {
        for (AgentIndex k : graph.neighbours(i)) {
            if (k > i && (!std::equal(winners(i).begin(), winners(i).end(), winners(k).begin()) ||
                          !std::equal(bids(i).begin(), bids(i).end(), bids(k).begin()))) {
                return false;
            }
        }
    }
    return true;
}

Assignment CbbaSolver::assignment() const {
    Assignment a;
    a.winner.assign(tasks_, kNoAgent);
    a.paths = paths_;
    for (AgentIndex i = 0; i < capacity_.size(); ++i) {
        for (std::size_t n = 0; n < bundles_[i].size(); ++n) {
            const TaskIndex j = bundles_[i][n];
            if (a.winner[j] == kNoAgent) {
                a.winner[j] = i;
            }
            a.total_gain += gains_[i][n];
        }
    }
    return a;
}

std::size_t CbbaSolver::conflicts() const {
    std::vector<std::uint32_t> holders(tasks_, 0);
    for (const auto& bundle : bundles_) {
        for (TaskIndex j : bundle) {
            ++holders[j];
        }
    }
    return static_cast<std::size_t>(
        std::count_if(holders.begin(), holders.end(), [](std::uint32_t h) { return h > 1; }));
}

}  // namespace swarm::coordination
