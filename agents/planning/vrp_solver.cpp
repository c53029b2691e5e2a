#include "agents/planning/vrp_solver.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "agents/planning/vrp_random.hpp"
#include "agents/planning/vrp_routes.hpp"

namespace swarm::planning {

namespace {

constexpr std::size_t kNeighbours = 100;  // nearest customers kept per customer

class Solver {
  public:
    Solver(const VrpInstance& in, const SolverOptions& o)
        : in_(in), o_(o), dist_(in), rng_(o.seed), n_(in.customers()) {
        double far = 0.0;
        for (std::uint32_t c = 1; c <= n_; ++c) {
            far = std::max(far, dist_(0, c));
        }
        penalty_ = (20.0 * far) + 1.0;
        neighbours_.resize(n_ + 1);
        std::vector<std::uint32_t> all(n_);
        std::iota(all.begin(), all.end(), 1U);
        const std::size_t keep = std::min(kNeighbours, n_);
        for (std::uint32_t c = 1; c <= n_; ++c) {
            std::vector<std::uint32_t>& nb = neighbours_[c];
            nb = all;
            auto nearer = [&](std::uint32_t a, std::uint32_t b) {
                const double da = dist_(c, a);
                const double db = dist_(c, b);
                return da < db || (da == db && a < b);
            };
            std::partial_sort(nb.begin(), nb.begin() + static_cast<std::ptrdiff_t>(keep), nb.end(),
                              nearer);
            nb.resize(keep);
        }
    }

    VrpSolution run(SolverStats* stats) {
        t0_ = std::chrono::steady_clock::now();
        RoutingState cur = construct();
        work_ += local_search(cur);
        cur.drop_empty_routes();
        const double construction = cur.distance();
        if (o_.minimize_vehicles) {
            const auto budget =
                static_cast<std::uint64_t>(static_cast<double>(o_.iterations) * o_.vehicle_share);
            cur = fewer_routes(std::move(cur), std::min(budget, o_.iterations));
        }
        RoutingState best = anneal(std::move(cur), o_.iterations - iterations_, false);
        work_ += local_search(best);
        best.drop_empty_routes();
        if (stats != nullptr) {
            stats->iterations = iterations_;
            stats->work = work_;
            stats->construction_distance = construction;
            stats->unassigned = best.unassigned.size();
        }
        return best.solution();
    }

  private:
    [[nodiscard]] bool out_of_budget() const {
        if (o_.work_limit > 0 && work_ >= o_.work_limit) {
            return true;
        }
        return o_.time_limit_s > 0.0 && iterations_ % 64 == 0 &&
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count() >
                   o_.time_limit_s;
    }

    // Ruin and recreate with simulated annealing for up to `iterations`; the best state
    // seen. With stop_when_served it returns as soon as every customer is in a route.
    RoutingState anneal(RoutingState cur, std::uint64_t iterations, bool stop_when_served) {
        RoutingState best = cur;
        double cur_cost = cost(cur);
        double best_cost = cur_cost;
        const double ratio = o_.end_temperature / o_.start_temperature;
        for (std::uint64_t it = 0; it < iterations; ++it) {
            if (out_of_budget() || (stop_when_served && best.unassigned.empty())) {
                break;
            }
            ++iterations_;
            const double progress = static_cast<double>(it) / static_cast<double>(iterations);
            const double temperature = o_.start_temperature * std::pow(ratio, progress);
            RoutingState cand = cur;
            std::vector<std::uint32_t> removed = ruin(cand);
            recreate(cand, removed, o_.blink_rate);
            const double c = cost(cand);
            if (c < cur_cost - (temperature * std::log(rng_.u01_open()))) {
                cur = std::move(cand);
                cur_cost = c;
                if (cur_cost < best_cost - 1e-9) {
                    work_ += local_search(cur);
                    cur.drop_empty_routes();
                    cur_cost = cost(cur);
                    best = cur;
                    best_cost = cur_cost;
                }
            }
        }
        return best;
    }

    // Route elimination: empty the route with the fewest customers, cap the fleet one
    // below, and anneal until every customer is back in a route; repeat while it works
    // and the budget lasts. The last complete state, capped at its route count.
    RoutingState fewer_routes(RoutingState done, std::uint64_t budget) {
        const std::uint64_t end = iterations_ + budget;
        while (done.unassigned.empty() && done.routes.size() > 1 && iterations_ < end &&
               !out_of_budget()) {
            RoutingState trial = done;
            std::size_t smallest = 0;
            for (std::size_t r = 1; r < trial.routes.size(); ++r) {
                if (trial.routes[r].customers() < trial.routes[smallest].customers()) {
                    smallest = r;
                }
            }
            std::vector<std::uint32_t>& seq = trial.routes[smallest].seq;
            for (std::size_t i = 1; i + 1 < seq.size(); ++i) {
                trial.unassigned.push_back(seq[i]);
                trial.route_of[seq[i]] = kNoRoute;
            }
            seq = {0, 0};
            trial.refresh(static_cast<std::uint32_t>(smallest));
            trial.drop_empty_routes();
            trial.max_routes = static_cast<std::uint32_t>(trial.routes.size());
            trial = anneal(std::move(trial), end - iterations_, true);
            if (!trial.unassigned.empty()) {
                break;
            }
            done = std::move(trial);
        }
        done.max_routes = static_cast<std::uint32_t>(done.routes.size());
        return done;
    }

    [[nodiscard]] double cost(const RoutingState& s) const {
        return s.distance() + (penalty_ * static_cast<double>(s.unassigned.size()));
    }

    // cheapest insertion of all customers in three orders; the cheapest result
    RoutingState construct() {
        std::vector<std::uint32_t> order(n_);
        std::iota(order.begin(), order.end(), 1U);
        RoutingState best(in_, dist_);
        double best_cost = std::numeric_limits<double>::infinity();
        for (int variant = 0; variant < 3; ++variant) {
            auto key = [&](std::uint32_t c) {
                const VrpNode& node = in_.nodes[c];
                switch (variant) {
                    case 0:
                        return -dist_(0, c);  // farthest first
                    case 1:
                        return node.due;  // most urgent first
                    default:
                        return node.ready;
                }
            };
            std::stable_sort(order.begin(), order.end(),
                             [&](std::uint32_t a, std::uint32_t b) { return key(a) < key(b); });
            RoutingState s(in_, dist_);
            std::vector<std::uint32_t> todo = order;
            insert_all(s, todo, 0.0);
            if (cost(s) < best_cost) {
                best_cost = cost(s);
                best = std::move(s);
            }
        }
        return best;
    }

    // SISR string removal: strings of customers from up to k_s routes near a random seed
    std::vector<std::uint32_t> ruin(RoutingState& s) {
        std::vector<std::uint32_t> removed;
        const std::size_t routes = s.used_routes();
        if (routes == 0) {
            return removed;
        }
        const double assigned = static_cast<double>(n_ - s.unassigned.size());
        const double ls_max =
            std::min(static_cast<double>(o_.max_string), assigned / static_cast<double>(routes));
        const double ks_max = std::max(1.0, (4.0 * o_.average_removed / (1.0 + ls_max)) - 1.0);
        const auto ks = static_cast<std::size_t>(std::floor(rng_.u01() * ks_max)) + 1;
        const auto seed =
            static_cast<std::uint32_t>(1 + rng_.below(static_cast<std::uint32_t>(n_)));
        std::vector<std::uint32_t> ruined;
        auto visit = [&](std::uint32_t c) {
            const std::uint32_t r = s.route_of[c];
            if (r == kNoRoute || std::find(ruined.begin(), ruined.end(), r) != ruined.end()) {
                return;
            }
            RouteState& rs = s.routes[r];
            const std::size_t size = rs.customers();
            const std::size_t lmax = std::min<std::size_t>(
                size, std::max<std::size_t>(1, static_cast<std::size_t>(ls_max)));
            const std::size_t len = std::min(
                lmax,
                static_cast<std::size_t>(std::floor(rng_.u01() * static_cast<double>(lmax))) + 1);
            const std::size_t pos = s.pos_of[c];
            // the string [first, first + len) holds pos and lies within 1..size
            const std::size_t lo = pos + 1 > len ? pos + 1 - len : 1;
            const std::size_t hi = std::min(pos, size + 1 - len);
            const std::size_t first =
                std::max<std::size_t>(1, lo) +
                rng_.below(static_cast<std::uint32_t>(hi - std::max<std::size_t>(1, lo) + 1));
            for (std::size_t i = first; i < first + len; ++i) {
                removed.push_back(rs.seq[i]);
                s.route_of[rs.seq[i]] = kNoRoute;
            }
            rs.seq.erase(rs.seq.begin() + static_cast<std::ptrdiff_t>(first),
                         rs.seq.begin() + static_cast<std::ptrdiff_t>(first + len));
            s.refresh(r);
            ruined.push_back(r);
        };
        visit(seed);
        for (const std::uint32_t c : neighbours_[seed]) {
            if (ruined.size() >= ks) {
                break;
            }
            visit(c);
        }
        return removed;
    }

    // SISR's insertion orders: random 4, demand 4, far 2, close 1
    void recreate(RoutingState& s, std::vector<std::uint32_t>& removed, double blink) {
        removed.insert(removed.end(), s.unassigned.begin(), s.unassigned.end());
        s.unassigned.clear();
        for (std::size_t i = removed.size(); i > 1; --i) {
            std::swap(removed[i - 1], removed[rng_.below(static_cast<std::uint32_t>(i))]);
        }
        const std::uint32_t pick = rng_.below(11);
        auto by = [&](auto key) {
            std::stable_sort(removed.begin(), removed.end(),
                             [&](std::uint32_t a, std::uint32_t b) { return key(a) > key(b); });
        };
        if (pick >= 4 && pick < 8) {
            by([&](std::uint32_t c) { return in_.nodes[c].demand; });
        } else if (pick >= 8 && pick < 10) {
            by([&](std::uint32_t c) { return dist_(0, c); });
        } else if (pick == 10) {
            by([&](std::uint32_t c) { return -dist_(0, c); });
        }
        insert_all(s, removed, blink);
        s.drop_empty_routes();
    }

    // each customer in turn at its cheapest place; a new route when none fits
    void insert_all(RoutingState& s, const std::vector<std::uint32_t>& todo, double blink) {
        auto u01 = [this] { return rng_.u01(); };
        for (const std::uint32_t c : todo) {
            InsertionPlace best;
            for (std::uint32_t r = 0; r < s.routes.size(); ++r) {
                const InsertionPlace p = s.best_in_route(r, c, blink, u01, work_);
                if (p.cost < best.cost) {
                    best = p;
                }
            }
            if (!best.found()) {
                const std::uint32_t r = s.open_route();
                if (r != kNoRoute) {
                    best = s.best_in_route(r, c, work_);
                    if (!best.found()) {
                        s.routes.pop_back();  // it does not fit even alone
                    }
                }
            }
            if (best.found()) {
                s.insert(best.route, best.pos, c);
            } else {
                s.unassigned.push_back(c);
            }
        }
    }

    const VrpInstance& in_;
    const SolverOptions& o_;
    DistanceTable dist_;
    Rng rng_;
    std::size_t n_;
    double penalty_ = 0.0;
    std::vector<std::vector<std::uint32_t>> neighbours_;
    std::uint64_t work_ = 0;
    std::uint64_t iterations_ = 0;  // ruin-and-recreate iterations run, all phases
    std::chrono::steady_clock::time_point t0_;
};

}  // namespace

VrpSolution solve_central(const VrpInstance& instance, const SolverOptions& options,
                          SolverStats* stats) {
    if (const std::string problem = validate(instance); !problem.empty()) {
        throw std::invalid_argument("VRP instance: " + problem);
    }
    if (!(options.start_temperature > 0.0) || !(options.end_temperature > 0.0)) {
        throw std::invalid_argument("solver temperatures must be positive");
    }
    if (!(options.vehicle_share >= 0.0 && options.vehicle_share <= 1.0)) {
        throw std::invalid_argument("solver vehicle_share must be in [0, 1]");
    }
    Solver solver(instance, options);
    return solver.run(stats);
}

}  // namespace swarm::planning
