// Static vehicle routing with capacities and time windows (VRPTW, CVRP as the special case
// without windows): an instance, a solution and an exact feasibility check. Distances are
// Euclidean in doubles (no rounding); travel time is distance / speed. A vehicle leaves the
// depot at its ready time, service at a customer starts at max(arrival, ready) and arriving
// after the due date is infeasible; the vehicle must be back at the depot by its due date.
// docs/vrp.md describes the conventions and the solvers.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace swarm::planning {

// One node: index 0 of an instance is the depot, 1..n are customers.
struct VrpNode {
    std::int64_t number = 0;  // the node's number in its file (printed in routes)
    double x = 0.0;
    double y = 0.0;
    double demand = 0.0;
    double ready = 0.0;                                    // earliest service start
    double due = std::numeric_limits<double>::infinity();  // latest service start
    double service = 0.0;                                  // service duration
};

struct VrpInstance {
    std::string name;
    std::vector<VrpNode> nodes;  // [0] the depot, then the customers
    std::uint32_t vehicles = 0;  // fleet size: at most this many routes
    double capacity = std::numeric_limits<double>::infinity();
    double speed = 1.0;  // distance units per time unit

    [[nodiscard]] std::size_t customers() const { return nodes.empty() ? 0 : nodes.size() - 1; }
    [[nodiscard]] double distance(std::size_t a, std::size_t b) const {
        return std::hypot(nodes[a].x - nodes[b].x, nodes[a].y - nodes[b].y);
    }
    [[nodiscard]] double travel_time(std::size_t a, std::size_t b) const {
        return distance(a, b) / speed;
    }
};

// Checks what the solvers rely on: a depot, vehicles >= 1, capacity > 0, speed > 0, finite
// coordinates, demands >= 0, 0 <= ready <= due, service >= 0. Returns "" when valid, else
// the first problem, naming the node by its file number and the field.
[[nodiscard]] std::string validate(const VrpInstance& instance);

// A route is a list of customer indices (1..n into VrpInstance::nodes), depot excluded.
using Route = std::vector<std::uint32_t>;

struct VrpSolution {
    std::vector<Route> routes;  // empty routes are allowed and not counted as vehicles
};

struct Violation {
    enum class Kind : std::uint8_t {
        kBadIndex,      // not a customer index
        kDuplicate,     // a customer in more than one place
        kUnserved,      // a customer in no route
        kCapacity,      // a route's demand exceeds the capacity
        kLate,          // arrival at a customer after its due date
        kLateReturn,    // back at the depot after its due date
        kTooManyRoutes  // more non-empty routes than vehicles
    };
    Kind kind = Kind::kBadIndex;
    std::size_t route = 0;   // index into VrpSolution::routes (0 for kUnserved, kTooManyRoutes)
    std::uint32_t node = 0;  // the customer index concerned (0: the depot or none)
    double amount = 0.0;     // by how much: excess load or lateness
};

[[nodiscard]] const char* to_string(Violation::Kind kind);

struct Evaluation {
    double distance = 0.0;       // total Euclidean length of the non-empty routes
    std::uint32_t vehicles = 0;  // non-empty routes
    std::size_t served = 0;      // distinct valid customers in routes
    std::vector<Violation> violations;
    [[nodiscard]] bool feasible() const { return violations.empty(); }
};

// The exact check: every customer exactly once, capacity, time windows and return, routes
// <= vehicles. No tolerance: a route the check accepts is feasible in double arithmetic
// computed in route order.
[[nodiscard]] Evaluation evaluate(const VrpInstance& instance, const VrpSolution& solution);

// length of one route from the depot and back (0 for an empty route)
[[nodiscard]] double route_distance(const VrpInstance& instance, const Route& route);

// "Route #1: 5 3 7" lines with the customers' file numbers (non-empty routes only)
[[nodiscard]] std::string format_routes(const VrpInstance& instance, const VrpSolution& solution);

}  // namespace swarm::planning
