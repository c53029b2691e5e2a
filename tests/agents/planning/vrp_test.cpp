// The exact feasibility check (each violation caught, arrival exactly at the due date
// accepted), route formatting and instance validation.
#include "agents/planning/vrp.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace swarm::planning;

namespace {

// depot at the origin; 1 at (3, 4) and 2 at (6, 8) lie on a line 5 apart; 3 at (0, 10)
VrpInstance small() {
    VrpInstance in;
    in.name = "small";
    in.vehicles = 2;
    in.capacity = 25.0;
    in.nodes = {{0, 0.0, 0.0, 0.0, 0.0, 100.0, 0.0},
                {11, 3.0, 4.0, 5.0, 0.0, 15.0, 1.0},
                {12, 6.0, 8.0, 5.0, 10.0, 30.0, 1.0},
                {13, 0.0, 10.0, 20.0, 0.0, 12.0, 0.0}};
    return in;
}

bool has(const Evaluation& ev, Violation::Kind kind, std::uint32_t node) {
    return std::any_of(ev.violations.begin(), ev.violations.end(),
                       [&](const Violation& v) { return v.kind == kind && v.node == node; });
}

}  // namespace

TEST_CASE("vrp: a feasible solution, its distance and vehicles") {
    const VrpInstance in = small();
    const Evaluation ev = evaluate(in, {{{1, 2}, {3}}});
    CHECK(ev.feasible());
    CHECK(ev.vehicles == 2);
    CHECK(ev.served == 3);
    CHECK(ev.distance == doctest::Approx(40.0).epsilon(1e-12));
    // empty routes are not vehicles
    CHECK(evaluate(in, {{{1, 2}, {}, {3}}}).vehicles == 2);
}

TEST_CASE("vrp: each violation is caught") {
    const VrpInstance in = small();
    SUBCASE("capacity and lateness") {
        const Evaluation ev = evaluate(in, {{{1, 2, 3}}});
        CHECK_FALSE(ev.feasible());
        CHECK(has(ev, Violation::Kind::kCapacity, 0));
        CHECK(has(ev, Violation::Kind::kLate, 3));  // leaves 2 at 12, 6.32 away, due 12
        CHECK_FALSE(has(ev, Violation::Kind::kLate, 1));
    }
    SUBCASE("late at a customer, by the right amount") {
        const Evaluation ev = evaluate(in, {{{3, 1}, {2}}});
        REQUIRE(has(ev, Violation::Kind::kLate, 1));
        const auto v = std::find_if(ev.violations.begin(), ev.violations.end(),
                                    [](const Violation& x) { return x.node == 1; });
        CHECK(v->amount == doctest::Approx(10.0 + std::hypot(3.0, 6.0) - 15.0));
        CHECK(v->route == 0);
    }
    SUBCASE("late back at the depot") {
        VrpInstance tight = small();
        tight.nodes[0].due = 21.0;  // [1, 2] is back at 22
        const Evaluation ev = evaluate(tight, {{{1, 2}, {3}}});
        CHECK(has(ev, Violation::Kind::kLateReturn, 0));
        CHECK(ev.violations.size() == 1);
    }
    SUBCASE("unserved, duplicate, bad index, too many routes") {
        CHECK(has(evaluate(in, {{{1, 2}}}), Violation::Kind::kUnserved, 3));
        CHECK(has(evaluate(in, {{{1, 2}, {3, 1}}}), Violation::Kind::kDuplicate, 1));
        CHECK(has(evaluate(in, {{{1, 2, 9}, {3}}}), Violation::Kind::kBadIndex, 9));
        CHECK(has(evaluate(in, {{{1, 0}, {2}, {3}}}), Violation::Kind::kBadIndex, 0));
        const Evaluation three = evaluate(in, {{{1}, {2}, {3}}});
        CHECK(three.violations.size() == 1);
        CHECK(three.violations[0].kind == Violation::Kind::kTooManyRoutes);
    }
}

TEST_CASE("vrp: arriving exactly at the due date is on time, a hair later is not") {
    VrpInstance in = small();
    in.nodes[1].due = 5.0;  // 3-4-5: arrival at exactly 5
    CHECK(evaluate(in, {{{1, 2}, {3}}}).feasible());
    in.nodes[1].due = std::nextafter(5.0, 0.0);
    CHECK(has(evaluate(in, {{{1, 2}, {3}}}), Violation::Kind::kLate, 1));
}

TEST_CASE("vrp: waiting for the ready time delays what follows") {
    VrpInstance in = small();
    in.nodes[1].ready = 14.0;  // wait at 1 until 14, leave 15, at 2 by 20, back at 31
    in.nodes[0].due = 31.0;
    CHECK(evaluate(in, {{{1, 2}, {3}}}).feasible());
    in.nodes[0].due = 30.5;
    CHECK(has(evaluate(in, {{{1, 2}, {3}}}), Violation::Kind::kLateReturn, 0));
}

TEST_CASE("vrp: routes are printed with the file's customer numbers") {
    const VrpInstance in = small();
    CHECK(format_routes(in, {{{2, 1}, {}, {3}}}) == "Route #1: 12 11\nRoute #2: 13\n");
    CHECK(route_distance(in, {}) == 0.0);
}

TEST_CASE("vrp: validate names the node and the field") {
    VrpInstance in = small();
    CHECK(validate(in).empty());
    in.nodes[2].due = 5.0;
    CHECK(validate(in) == "customer 12: due date must be >= ready time");
    in = small();
    in.nodes[3].demand = -1.0;
    CHECK(validate(in) == "customer 13: demand must be finite and >= 0");
    in = small();
    in.vehicles = 0;
    CHECK(validate(in) == "vehicles must be at least 1");
    in = small();
    in.nodes[0].service = -1.0;
    CHECK(validate(in) == "the depot (node 0): service time must be finite and >= 0");
}
