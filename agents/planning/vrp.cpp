#include "agents/planning/vrp.hpp"

#include <algorithm>
#include <sstream>

namespace swarm::planning {

namespace {

std::string node_name(const VrpInstance& in, std::size_t i) {
    return (i == 0 ? "the depot (node " : "customer ") + std::to_string(in.nodes[i].number) +
           (i == 0 ? ")" : "");
}

}  // namespace

std::string validate(const VrpInstance& in) {
    if (in.nodes.empty()) {
        return "no depot";
    }
    if (in.vehicles == 0) {
        return "vehicles must be at least 1";
    }
    if (!(in.capacity > 0.0)) {
        return "capacity must be positive";
    }
    if (!(in.speed > 0.0) || !std::isfinite(in.speed)) {
        return "speed must be positive and finite";
    }
    for (std::size_t i = 0; i < in.nodes.size(); ++i) {
        const VrpNode& n = in.nodes[i];
        const std::string who = node_name(in, i);
        if (!std::isfinite(n.x) || !std::isfinite(n.y)) {
            return who + ": coordinates must be finite";
        }
        if (!(n.demand >= 0.0) || !std::isfinite(n.demand)) {
            return who + ": demand must be finite and >= 0";
        }
        if (!(n.ready >= 0.0) || !std::isfinite(n.ready)) {
            return who + ": ready time must be finite and >= 0";
        }
        if (!(n.due >= n.ready)) {
            return who + ": due date must be >= ready time";
        }
        if (!(n.service >= 0.0) || !std::isfinite(n.service)) {
            return who + ": service time must be finite and >= 0";
        }
    }
    return {};
}

const char* to_string(Violation::Kind kind) {
    switch (kind) {
        case Violation::Kind::kBadIndex:
            return "bad customer index";
        case Violation::Kind::kDuplicate:
            return "customer visited twice";
        case Violation::Kind::kUnserved:
            return "customer not served";
        case Violation::Kind::kCapacity:
            return "capacity exceeded";
        case Violation::Kind::kLate:
            return "arrival after the due date";
        case Violation::Kind::kLateReturn:
            return "return to the depot after its due date";
        case Violation::Kind::kTooManyRoutes:
            return "more routes than vehicles";
    }
    return "?";
}

double route_distance(const VrpInstance& in, const Route& route) {
    double d = 0.0;
    std::size_t at = 0;
    for (const std::uint32_t c : route) {
        d += in.distance(at, c);
        at = c;
    }
    return route.empty() ? 0.0 : d + in.distance(at, 0);
}

Evaluation evaluate(const VrpInstance& in, const VrpSolution& sol) {
    Evaluation ev;
    const std::size_t n = in.nodes.size();
    std::vector<std::uint8_t> seen(n, 0);
    for (std::size_t r = 0; r < sol.routes.size(); ++r) {
        const Route& route = sol.routes[r];
        if (route.empty()) {
            continue;
        }
        ++ev.vehicles;
        double load = 0.0;
        double t = in.nodes[0].ready;
        double dist = 0.0;
        std::size_t at = 0;
        bool valid = true;
        for (const std::uint32_t c : route) {
            if (c == 0 || c >= n) {
                ev.violations.push_back({Violation::Kind::kBadIndex, r, c, 0.0});
                valid = false;
                continue;
            }
            if (seen[c] != 0) {
                ev.violations.push_back({Violation::Kind::kDuplicate, r, c, 0.0});
            } else {
                seen[c] = 1;
                ++ev.served;
            }
            const VrpNode& node = in.nodes[c];
            load += node.demand;
            dist += in.distance(at, c);
            const double arrival = t + in.nodes[at].service + in.travel_time(at, c);
            if (arrival > node.due) {
                ev.violations.push_back({Violation::Kind::kLate, r, c, arrival - node.due});
            }
            t = std::max(arrival, node.ready);
            at = c;
        }
        dist += in.distance(at, 0);
        ev.distance += dist;
        if (load > in.capacity) {
            ev.violations.push_back({Violation::Kind::kCapacity, r, 0, load - in.capacity});
        }
        const double back = t + in.nodes[at].service + in.travel_time(at, 0);
        if (valid && back > in.nodes[0].due) {
            ev.violations.push_back({Violation::Kind::kLateReturn, r, 0, back - in.nodes[0].due});
        }
    }
    for (std::uint32_t c = 1; c < n; ++c) {
        if (seen[c] == 0) {
            ev.violations.push_back({Violation::Kind::kUnserved, 0, c, 0.0});
        }
    }
    if (ev.vehicles > in.vehicles) {
        ev.violations.push_back({Violation::Kind::kTooManyRoutes, 0, 0,
                                 static_cast<double>(ev.vehicles - in.vehicles)});
    }
    return ev;
}

std::string format_routes(const VrpInstance& in, const VrpSolution& sol) {
    std::ostringstream out;
    std::size_t k = 0;
    for (const Route& route : sol.routes) {
        if (route.empty()) {
            continue;
        }
        out << "Route #" << ++k << ":";
        for (const std::uint32_t c : route) {
            out << ' ' << (c < in.nodes.size() ? in.nodes[c].number : -1);
        }
        out << '\n';
    }
    return out.str();
}

}  // namespace swarm::planning
