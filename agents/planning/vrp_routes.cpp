#include "agents/planning/vrp_routes.hpp"

#include <algorithm>

namespace swarm::planning {

DistanceTable::DistanceTable(const VrpInstance& instance)
    : in_(&instance), n_(instance.nodes.size()) {
    if (n_ <= kMaxTabulated) {
        table_.resize(n_ * n_);
        for (std::size_t a = 0; a < n_; ++a) {
            for (std::size_t b = 0; b < n_; ++b) {
                table_[(a * n_) + b] = instance.distance(a, b);
            }
        }
    }
}

RoutingState::RoutingState(const VrpInstance& instance, const DistanceTable& dist)
    : route_of(instance.nodes.size(), kNoRoute),
      pos_of(instance.nodes.size(), 0),
      max_routes(instance.vehicles),
      in_(&instance),
      dist_(&dist) {}

std::uint32_t RoutingState::open_route() {
    if (routes.size() >= max_routes) {
        return kNoRoute;
    }
    RouteState rs;
    rs.seq = {0, 0};
    routes.push_back(std::move(rs));
    const auto r = static_cast<std::uint32_t>(routes.size() - 1);
    refresh(r);
    return r;
}

void RoutingState::refresh(std::uint32_t r) {
    RouteState& rs = routes[r];
    const std::size_t m = rs.seq.size();
    rs.earliest.resize(m);
    rs.latest.resize(m);
    rs.load_to.resize(m);
    double t = in_->nodes[0].ready;
    double load = 0.0;
    double d = 0.0;
    rs.earliest[0] = t;
    rs.load_to[0] = 0.0;
    for (std::size_t i = 1; i < m; ++i) {
        const std::uint32_t a = rs.seq[i - 1];
        const std::uint32_t b = rs.seq[i];
        const double arrival = t + in_->nodes[a].service + travel(a, b);
        t = i + 1 < m ? std::max(arrival, in_->nodes[b].ready) : arrival;
        rs.earliest[i] = t;
        load += in_->nodes[b].demand;
        rs.load_to[i] = load;
        d += (*dist_)(a, b);
        if (i + 1 < m) {
            route_of[b] = r;
            pos_of[b] = static_cast<std::uint32_t>(i);
        }
    }
    rs.load = load;
    rs.distance = d;
    rs.latest[m - 1] = in_->nodes[0].due;
    for (std::size_t i = m - 1; i-- > 0;) {
        const std::uint32_t a = rs.seq[i];
        const double through = rs.latest[i + 1] - in_->nodes[a].service - travel(a, rs.seq[i + 1]);
        rs.latest[i] = i == 0 ? through : std::min(in_->nodes[a].due, through);
    }
}

void RoutingState::drop_empty_routes() {
    std::size_t w = 0;
    for (std::size_t r = 0; r < routes.size(); ++r) {
        if (routes[r].customers() == 0) {
            continue;
        }
        if (w != r) {
            routes[w] = std::move(routes[r]);
            for (std::size_t i = 1; i + 1 < routes[w].seq.size(); ++i) {
                route_of[routes[w].seq[i]] = static_cast<std::uint32_t>(w);
            }
        }
        ++w;
    }
    routes.resize(w);
}

double RoutingState::distance() const {
    double d = 0.0;
    for (const RouteState& rs : routes) {
        d += rs.distance;
    }
    return d;
}

std::size_t RoutingState::used_routes() const {
    return static_cast<std::size_t>(std::count_if(
        routes.begin(), routes.end(), [](const RouteState& rs) { return rs.customers() > 0; }));
}

InsertionPlace RoutingState::best_in_route(std::uint32_t r, std::uint32_t c,
                                           std::uint64_t& work) const {
    auto never = [] { return 1.0; };
    return best_in_route(r, c, 0.0, never, work);
}

bool RoutingState::fits(std::uint32_t r, std::uint32_t pos, std::uint32_t c, double* cost) const {
    const RouteState& rs = routes[r];
    const VrpNode& node = in_->nodes[c];
    if (rs.load + node.demand > in_->capacity) {
        return false;
    }
    const std::uint32_t prev = rs.seq[pos - 1];
    const std::uint32_t next = rs.seq[pos];
    const double arrival = rs.earliest[pos - 1] + in_->nodes[prev].service + travel(prev, c);
    if (arrival > node.due - kTimeSlack) {
        return false;
    }
    const double start = std::max(arrival, node.ready);
    if (start + node.service + travel(c, next) > rs.latest[pos] - kTimeSlack) {
        return false;
    }
    if (cost != nullptr) {
        *cost = (*dist_)(prev, c) + (*dist_)(c, next) - (*dist_)(prev, next);
    }
    return true;
}

void RoutingState::insert(std::uint32_t r, std::uint32_t pos, std::uint32_t c) {
    RouteState& rs = routes[r];
    rs.seq.insert(rs.seq.begin() + static_cast<std::ptrdiff_t>(pos), c);
    refresh(r);
}

void RoutingState::remove(std::uint32_t c) {
    const std::uint32_t r = route_of[c];
    RouteState& rs = routes[r];
    rs.seq.erase(rs.seq.begin() + static_cast<std::ptrdiff_t>(pos_of[c]));
    route_of[c] = kNoRoute;
    refresh(r);
}

VrpSolution RoutingState::solution() const {
    VrpSolution sol;
    for (const RouteState& rs : routes) {
        if (rs.customers() > 0) {
            sol.routes.emplace_back(rs.seq.begin() + 1, rs.seq.end() - 1);
        }
    }
    return sol;
}

void RoutingState::load(const VrpSolution& solution) {
    routes.clear();
    std::fill(route_of.begin(), route_of.end(), kNoRoute);
    unassigned.clear();
    for (const Route& route : solution.routes) {
        if (route.empty()) {
            continue;
        }
        RouteState rs;
        rs.seq.reserve(route.size() + 2);
        rs.seq.push_back(0);
        rs.seq.insert(rs.seq.end(), route.begin(), route.end());
        rs.seq.push_back(0);
        routes.push_back(std::move(rs));
        refresh(static_cast<std::uint32_t>(routes.size() - 1));
    }
    for (std::uint32_t c = 1; c < route_of.size(); ++c) {
        if (route_of[c] == kNoRoute) {
            unassigned.push_back(c);
        }
    }
}

}  // namespace swarm::planning
