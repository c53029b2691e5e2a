#include "agents/planning/vrp_swarm.hpp"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <stdexcept>

#include "agents/comms/agent_graph.hpp"
#include "agents/coordination/cbba.hpp"
#include "agents/planning/vrp_routes.hpp"

namespace swarm::planning {

namespace {

void check(const VrpInstance& instance) {
    if (const std::string problem = validate(instance); !problem.empty()) {
        throw std::invalid_argument("VRP instance: " + problem);
    }
}

// at most one vehicle per customer is ever useful
std::uint32_t fleet(const VrpInstance& in) {
    return static_cast<std::uint32_t>(std::min<std::size_t>(in.vehicles, in.customers()));
}

}  // namespace

VrpSolution solve_auction(const VrpInstance& in, const AuctionOptions& options, SwarmStats* stats) {
    check(in);
    if (options.candidates == 0) {
        throw std::invalid_argument("auction: K (candidates) must be at least 1");
    }
    const DistanceTable dist(in);
    RoutingState s(in, dist);
    const std::uint32_t vehicles = fleet(in);
    for (std::uint32_t v = 0; v < vehicles; ++v) {
        s.open_route();
    }
    std::vector<std::uint32_t> orders(in.customers());
    std::iota(orders.begin(), orders.end(), 1U);
    if (options.announce == AuctionOptions::Announce::kReadyTime) {
        std::stable_sort(orders.begin(), orders.end(), [&](std::uint32_t a, std::uint32_t b) {
            return in.nodes[a].ready < in.nodes[b].ready;
        });
    }
    SwarmStats st;
    struct Candidate {
        double distance;
        std::uint32_t empty;  // vehicles already holding orders rank first at one spot
        std::uint32_t vehicle;
    };
    std::vector<Candidate> cand;
    for (const std::uint32_t c : orders) {
        cand.clear();
        for (std::uint32_t v = 0; v < vehicles; ++v) {
            const RouteState& rs = s.routes[v];
            if (rs.load + in.nodes[c].demand > in.capacity) {
                continue;  // cannot carry it: not offered
            }
            const std::uint32_t at = rs.seq[rs.seq.size() - 2];  // the route's end so far
            cand.push_back({dist(at, c), rs.customers() == 0 ? 1U : 0U, v});
        }
        std::sort(cand.begin(), cand.end(), [](const Candidate& a, const Candidate& b) {
            if (a.distance != b.distance) {
                return a.distance < b.distance;
            }
            return a.empty != b.empty ? a.empty < b.empty : a.vehicle < b.vehicle;
        });
        InsertionPlace won;
        for (std::size_t first = 0; first < cand.size() && !won.found();
             first += options.candidates) {
            const std::size_t last = std::min(cand.size(), first + options.candidates);
            for (std::size_t k = first; k < last; ++k) {
                ++st.offers;
                const InsertionPlace bid = s.best_in_route(cand[k].vehicle, c, st.work);
                if (bid.found() && (!won.found() || bid.cost < won.cost ||
                                    (bid.cost == won.cost && bid.route < won.route))) {
                    won = bid;
                }
            }
        }
        if (won.found()) {
            s.insert(won.route, won.pos, c);
        } else {
            s.unassigned.push_back(c);
        }
    }
    st.unassigned = s.unassigned.size();
    if (stats != nullptr) {
        *stats = st;
    }
    return s.solution();
}

namespace {

// reward minus the cheapest feasible insertion cost; tasks are customers - 1
class VrpScore final : public coordination::ScoreFunction {
  public:
    VrpScore(const VrpInstance& in, const DistanceTable& dist) : in_(in), dist_(dist) {
        double far = 0.0;
        for (std::size_t a = 0; a < in.nodes.size(); ++a) {
            far = std::max(far, dist(0, a));
        }
        // an insertion never costs more than twice the widest distance (triangle
        // inequality), so every feasible insertion has a positive gain
        reward_ = (4.0 * far) + 1.0;
    }

    [[nodiscard]] coordination::Insertion best_insertion(
        coordination::AgentIndex /*agent*/, std::span<const coordination::TaskIndex> path,
        coordination::TaskIndex task) const override {
        coordination::Insertion best;
        const auto c = static_cast<std::uint32_t>(task + 1);
        const VrpNode& node = in_.nodes[c];
        // the path's schedule: earliest starts forward, latest starts backward
        const std::size_t m = path.size() + 2;
        auto at = [&](std::size_t i) -> std::uint32_t {
            return i == 0 || i + 1 == m ? 0U : static_cast<std::uint32_t>(path[i - 1] + 1);
        };
        double load = node.demand;
        for (const coordination::TaskIndex t : path) {
            load += in_.nodes[t + 1].demand;
        }
        if (load > in_.capacity) {
            return best;
        }
        std::vector<double> earliest;
        earliest.reserve(m);
        earliest.push_back(in_.nodes[0].ready);
        for (std::size_t i = 1; i < m; ++i) {
            const double arrival = earliest.back() + in_.nodes[at(i - 1)].service +
                                   (dist_(at(i - 1), at(i)) / in_.speed);
            earliest.push_back(i + 1 < m ? std::max(arrival, in_.nodes[at(i)].ready) : arrival);
        }
        std::vector<double> latest(m, in_.nodes[0].due);
        for (std::size_t i = m - 1; i-- > 1;) {
            latest[i] = std::min(in_.nodes[at(i)].due, latest[i + 1] - in_.nodes[at(i)].service -
                                                           (dist_(at(i), at(i + 1)) / in_.speed));
        }
        for (std::size_t i = 0; i + 1 < m; ++i) {
            work_.fetch_add(1, std::memory_order_relaxed);
            const std::uint32_t prev = at(i);
            const std::uint32_t next = at(i + 1);
            const double arrival =
                earliest[i] + in_.nodes[prev].service + (dist_(prev, c) / in_.speed);
            if (arrival > node.due - kTimeSlack) {
                continue;
            }
            const double start = std::max(arrival, node.ready);
            if (start + node.service + (dist_(c, next) / in_.speed) > latest[i + 1] - kTimeSlack) {
                continue;
            }
            const double gain = reward_ - (dist_(prev, c) + dist_(c, next) - dist_(prev, next));
            if (gain > best.gain) {
                best = {gain, static_cast<std::uint32_t>(i)};
            }
        }
        return best;
    }

    [[nodiscard]] std::uint64_t work() const { return work_.load(); }

  private:
    const VrpInstance& in_;
    const DistanceTable& dist_;
    double reward_ = 0.0;
    mutable std::atomic<std::uint64_t> work_{0};
};

}  // namespace

VrpSolution solve_cbba(const VrpInstance& in, const CbbaVrpOptions& options, SwarmStats* stats) {
    check(in);
    const DistanceTable dist(in);
    const VrpScore score(in, dist);
    const std::uint32_t vehicles = fleet(in);
    const std::size_t tasks = in.customers();
    VrpSolution sol;
    SwarmStats st;
    if (tasks > 0) {
        coordination::CbbaSolver solver(vehicles, tasks, static_cast<std::uint32_t>(tasks), score);
        const comms::AgentGraph graph = comms::AgentGraph::complete(vehicles);
        const std::uint32_t max_rounds = options.max_rounds > 0
                                             ? options.max_rounds
                                             : static_cast<std::uint32_t>((10 * tasks) + 100);
        const coordination::CbbaResult result = solver.run(graph, max_rounds);
        for (const auto& path : result.assignment.paths) {
            Route route;
            for (const coordination::TaskIndex t : path) {
                route.push_back(static_cast<std::uint32_t>(t + 1));
            }
            sol.routes.push_back(std::move(route));
        }
        st.rounds = result.rounds;
        st.messages = result.messages;
        st.converged = result.converged;
        st.unassigned = tasks - result.assignment.assigned();
    }
    st.work = score.work();
    if (stats != nullptr) {
        *stats = st;
    }
    return sol;
}

}  // namespace swarm::planning
