#include "agents/planning/vrp_generate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "agents/planning/vrp_random.hpp"

namespace swarm::planning {

VrpInstance generate_instance(const GenerateOptions& o) {
    Rng rng(o.seed);
    VrpInstance in;
    const char* kind = o.layout == Layout::kRandom      ? "R"
                       : o.layout == Layout::kClustered ? "C"
                                                        : "RC";
    in.name =
        std::string("gen-") + kind + std::to_string(o.customers) + "-s" + std::to_string(o.seed);
    in.capacity = o.capacity;
    in.vehicles = o.vehicles > 0 ? o.vehicles : static_cast<std::uint32_t>((o.customers / 2) + 1);
    VrpNode depot;
    depot.number = 0;
    depot.x = 50.0;
    depot.y = 50.0;
    depot.due = o.horizon;
    in.nodes.push_back(depot);
    const std::size_t clusters = std::max<std::size_t>(1, o.customers / 10);
    std::vector<std::pair<double, double>> centre(clusters);
    for (auto& [cx, cy] : centre) {
        cx = 15.0 + (70.0 * rng.u01());
        cy = 15.0 + (70.0 * rng.u01());
    }
    for (std::size_t i = 1; i <= o.customers; ++i) {
        VrpNode c;
        c.number = static_cast<std::int64_t>(i);
        const bool clustered =
            o.layout == Layout::kClustered || (o.layout == Layout::kMixed && i > o.customers / 2);
        if (clustered) {
            const auto& [cx, cy] = centre[rng.below(static_cast<std::uint32_t>(clusters))];
            // Box-Muller, standard deviation 5
            const double r = 5.0 * std::sqrt(-2.0 * std::log(rng.u01_open()));
            const double a = 2.0 * std::numbers::pi * rng.u01();
            c.x = std::clamp(cx + (r * std::cos(a)), 0.0, 100.0);
            c.y = std::clamp(cy + (r * std::sin(a)), 0.0, 100.0);
        } else {
            c.x = 100.0 * rng.u01();
            c.y = 100.0 * rng.u01();
        }
        c.demand = static_cast<double>(1 + rng.below(40));
        c.service = 10.0;
        // a window around a start time the customer can be served at alone
        const double d0 = std::hypot(c.x - depot.x, c.y - depot.y);
        const double latest = o.horizon - c.service - d0;
        if (latest < d0) {
            throw std::invalid_argument("generate_instance: horizon too short for the square");
        }
        const double t = d0 + ((latest - d0) * rng.u01());
        const double w = o.min_half_window + ((o.max_half_window - o.min_half_window) * rng.u01());
        c.ready = std::max(0.0, t - w);
        c.due = std::min(t + w, latest);
        in.nodes.push_back(c);
    }
    return in;
}

namespace {

// the exact schedule of one route in this order: its distance, or +inf when late
double route_cost(const VrpInstance& in, const std::vector<std::uint32_t>& order) {
    double t = in.nodes[0].ready;
    std::uint32_t at = 0;
    for (const std::uint32_t c : order) {
        const double arrival = t + in.nodes[at].service + in.travel_time(at, c);
        if (arrival > in.nodes[c].due) {
            return std::numeric_limits<double>::infinity();
        }
        t = std::max(arrival, in.nodes[c].ready);
        at = c;
    }
    if (t + in.nodes[at].service + in.travel_time(at, 0) > in.nodes[0].due) {
        return std::numeric_limits<double>::infinity();
    }
    return route_distance(in, order);
}

}  // namespace

std::optional<Optimum> brute_force_optimum(const VrpInstance& in) {
    const std::size_t n = in.customers();
    if (n > kMaxBruteForce) {
        throw std::invalid_argument("brute_force_optimum: at most " +
                                    std::to_string(kMaxBruteForce) + " customers");
    }
    const double inf = std::numeric_limits<double>::infinity();
    const std::size_t masks = std::size_t{1} << n;
    // the best route through each subset
    std::vector<double> best_route(masks, inf);
    std::vector<std::vector<std::uint32_t>> best_order(masks);
    for (std::size_t mask = 1; mask < masks; ++mask) {
        std::vector<std::uint32_t> order;
        double load = 0.0;
        for (std::size_t c = 0; c < n; ++c) {
            if ((mask >> c) & 1U) {
                order.push_back(static_cast<std::uint32_t>(c + 1));
                load += in.nodes[c + 1].demand;
            }
        }
        if (load > in.capacity) {
            continue;
        }
        do {
            const double d = route_cost(in, order);
            if (d < best_route[mask]) {
                best_route[mask] = d;
                best_order[mask] = order;
            }
        } while (std::next_permutation(order.begin(), order.end()));
    }
    // the best partition with at most k routes: split off the block holding the lowest customer
    const std::size_t max_routes = std::min<std::size_t>(in.vehicles, n);
    std::vector<std::vector<double>> best(max_routes + 1, std::vector<double>(masks, inf));
    std::vector<std::vector<std::size_t>> block(max_routes + 1, std::vector<std::size_t>(masks, 0));
    for (std::size_t k = 0; k <= max_routes; ++k) {
        best[k][0] = 0.0;
    }
    for (std::size_t k = 1; k <= max_routes; ++k) {
        for (std::size_t mask = 1; mask < masks; ++mask) {
            const std::size_t low = mask & (~mask + 1);
            for (std::size_t sub = mask; sub != 0; sub = (sub - 1) & mask) {
                if ((sub & low) == 0 || best_route[sub] == inf) {
                    continue;
                }
                const double d = best_route[sub] + best[k - 1][mask ^ sub];
                if (d < best[k][mask]) {
                    best[k][mask] = d;
                    block[k][mask] = sub;
                }
            }
        }
    }
    if (n == 0) {
        return Optimum{};
    }
    if (best[max_routes][masks - 1] == inf) {
        return std::nullopt;
    }
    Optimum opt;
    opt.distance = best[max_routes][masks - 1];
    std::size_t mask = masks - 1;
    for (std::size_t k = max_routes; mask != 0; --k) {
        const std::size_t sub = block[k][mask];
        opt.solution.routes.push_back(best_order[sub]);
        mask ^= sub;
    }
    return opt;
}

}  // namespace swarm::planning
