// Local search for the central solver: first improvement over relocate (between routes and
// within one), exchange between routes and 2-opt* (tails of two routes swapped). Moves
// between routes are checked in O(1) with the earliest/latest start times of RoutingState;
// a move within a route is checked by walking the changed route.
#include <algorithm>

#include "agents/planning/vrp_routes.hpp"
#include "agents/planning/vrp_solver.hpp"

namespace swarm::planning {

namespace {

constexpr double kGain = 1e-9;  // an improvement must beat rounding

class LocalSearch {
  public:
    explicit LocalSearch(RoutingState& s) : s_(s), in_(s.instance()), d_(s.dist()) {}

    std::uint64_t run() {
        while (relocate() || exchange() || two_opt_star() || relocate_within()) {
        }
        return work_;
    }

  private:
    [[nodiscard]] double dd(std::uint32_t a, std::uint32_t b) const { return d_(a, b); }

    // move one customer to another route
    bool relocate() {
        for (std::uint32_t r1 = 0; r1 < s_.routes.size(); ++r1) {
            for (std::size_t i = 1; i + 1 < s_.routes[r1].seq.size(); ++i) {
                const RouteState& a = s_.routes[r1];
                const std::uint32_t u = a.seq[i];
                const double saved =
                    dd(a.seq[i - 1], u) + dd(u, a.seq[i + 1]) - dd(a.seq[i - 1], a.seq[i + 1]);
                for (std::uint32_t r2 = 0; r2 < s_.routes.size(); ++r2) {
                    if (r2 == r1 || s_.routes[r2].customers() == 0) {
                        continue;
                    }
                    const InsertionPlace p = s_.best_in_route(r2, u, work_);
                    if (p.found() && p.cost - saved < -kGain) {
                        s_.remove(u);
                        s_.insert(r2, p.pos, u);
                        return true;
                    }
                }
            }
        }
        return false;
    }

    // whether v can take the place of seq[i] in route r (load checked by the caller)
    [[nodiscard]] bool fits_instead(const RouteState& rs, std::size_t i, std::uint32_t v) const {
        const std::uint32_t prev = rs.seq[i - 1];
        const VrpNode& node = in_.nodes[v];
        const double arrival = rs.earliest[i - 1] + in_.nodes[prev].service + s_.travel(prev, v);
        if (arrival > node.due - kTimeSlack) {
            return false;
        }
        const double start = std::max(arrival, node.ready);
        return start + node.service + s_.travel(v, rs.seq[i + 1]) <= rs.latest[i + 1] - kTimeSlack;
    }

    // swap two customers of different routes
    bool exchange() {
        const double cap = in_.capacity;
        for (std::uint32_t r1 = 0; r1 < s_.routes.size(); ++r1) {
            const RouteState& a = s_.routes[r1];
            for (std::uint32_t r2 = r1 + 1; r2 < s_.routes.size(); ++r2) {
                const RouteState& b = s_.routes[r2];
                for (std::size_t i = 1; i + 1 < a.seq.size(); ++i) {
                    const std::uint32_t u = a.seq[i];
                    const double du = in_.nodes[u].demand;
                    const double out_u = dd(a.seq[i - 1], u) + dd(u, a.seq[i + 1]);
                    for (std::size_t j = 1; j + 1 < b.seq.size(); ++j) {
                        ++work_;
                        const std::uint32_t v = b.seq[j];
                        const double dv = in_.nodes[v].demand;
                        const double delta = dd(a.seq[i - 1], v) + dd(v, a.seq[i + 1]) - out_u +
                                             dd(b.seq[j - 1], u) + dd(u, b.seq[j + 1]) -
                                             dd(b.seq[j - 1], v) - dd(v, b.seq[j + 1]);
                        if (delta >= -kGain || a.load - du + dv > cap || b.load - dv + du > cap ||
                            !fits_instead(a, i, v) || !fits_instead(b, j, u)) {
                            continue;
                        }
                        s_.routes[r1].seq[i] = v;
                        s_.routes[r2].seq[j] = u;
                        s_.refresh(r1);
                        s_.refresh(r2);
                        return true;
                    }
                }
            }
        }
        return false;
    }

    // 2-opt*: route a keeps seq[0..i] and takes b's tail after j, and the reverse
    bool two_opt_star() {
        const double cap = in_.capacity;
        for (std::uint32_t r1 = 0; r1 < s_.routes.size(); ++r1) {
            const RouteState& a = s_.routes[r1];
            for (std::uint32_t r2 = r1 + 1; r2 < s_.routes.size(); ++r2) {
                const RouteState& b = s_.routes[r2];
                for (std::size_t i = 0; i + 1 < a.seq.size(); ++i) {
                    const std::uint32_t ai = a.seq[i];
                    const std::uint32_t an = a.seq[i + 1];
                    const double leave_a = a.earliest[i] + in_.nodes[ai].service;
                    for (std::size_t j = 0; j + 1 < b.seq.size(); ++j) {
                        if ((i == 0 && j == 0) ||
                            (i + 2 == a.seq.size() && j + 2 == b.seq.size())) {
                            continue;  // the same two routes
                        }
                        ++work_;
                        const std::uint32_t bj = b.seq[j];
                        const std::uint32_t bn = b.seq[j + 1];
                        const double delta = dd(ai, bn) + dd(bj, an) - dd(ai, an) - dd(bj, bn);
                        if (delta >= -kGain) {
                            continue;
                        }
                        if (a.load_to[i] + (b.load - b.load_to[j]) > cap ||
                            b.load_to[j] + (a.load - a.load_to[i]) > cap) {
                            continue;
                        }
                        if (leave_a + s_.travel(ai, bn) > b.latest[j + 1] - kTimeSlack ||
                            b.earliest[j] + in_.nodes[bj].service + s_.travel(bj, an) >
                                a.latest[i + 1] - kTimeSlack) {
                            continue;
                        }
                        std::vector<std::uint32_t> na(
                            a.seq.begin(), a.seq.begin() + static_cast<std::ptrdiff_t>(i + 1));
                        na.insert(na.end(), b.seq.begin() + static_cast<std::ptrdiff_t>(j + 1),
                                  b.seq.end());
                        std::vector<std::uint32_t> nb(
                            b.seq.begin(), b.seq.begin() + static_cast<std::ptrdiff_t>(j + 1));
                        nb.insert(nb.end(), a.seq.begin() + static_cast<std::ptrdiff_t>(i + 1),
                                  a.seq.end());
                        s_.routes[r1].seq = std::move(na);
                        s_.routes[r2].seq = std::move(nb);
                        s_.refresh(r1);
                        s_.refresh(r2);
                        return true;
                    }
                }
            }
        }
        return false;
    }

    // the route's schedule is feasible (walked in full, with the solvers' margin)
    [[nodiscard]] bool feasible(const std::vector<std::uint32_t>& seq) const {
        double t = in_.nodes[0].ready;
        for (std::size_t k = 1; k < seq.size(); ++k) {
            const double arrival =
                t + in_.nodes[seq[k - 1]].service + s_.travel(seq[k - 1], seq[k]);
            if (arrival > in_.nodes[seq[k]].due - kTimeSlack) {
                return false;
            }
            t = std::max(arrival, in_.nodes[seq[k]].ready);
        }
        return true;
    }

    // move one customer elsewhere in its own route
    bool relocate_within() {
        for (std::uint32_t r = 0; r < s_.routes.size(); ++r) {
            const std::vector<std::uint32_t>& seq = s_.routes[r].seq;
            const std::size_t m = seq.size();
            for (std::size_t i = 1; i + 1 < m; ++i) {
                const std::uint32_t u = seq[i];
                const double saved =
                    dd(seq[i - 1], u) + dd(u, seq[i + 1]) - dd(seq[i - 1], seq[i + 1]);
                for (std::size_t j = 1; j < m; ++j) {
                    if (j == i || j == i + 1) {
                        continue;  // u stays where it is
                    }
                    ++work_;
                    const double added = dd(seq[j - 1], u) + dd(u, seq[j]) - dd(seq[j - 1], seq[j]);
                    if (added - saved >= -kGain) {
                        continue;
                    }
                    std::vector<std::uint32_t> next = seq;
                    next.erase(next.begin() + static_cast<std::ptrdiff_t>(i));
                    next.insert(next.begin() + static_cast<std::ptrdiff_t>(j < i ? j : j - 1), u);
                    if (!feasible(next)) {
                        continue;
                    }
                    s_.routes[r].seq = std::move(next);
                    s_.refresh(r);
                    return true;
                }
            }
        }
        return false;
    }

    RoutingState& s_;
    const VrpInstance& in_;
    const DistanceTable& d_;
    std::uint64_t work_ = 0;
};

}  // namespace

std::uint64_t local_search(RoutingState& state) {
    LocalSearch ls(state);
    return ls.run();
}

}  // namespace swarm::planning
