// The central solver finds the brute-force optimum of tiny instances, is deterministic for
// a seed, and leaves out (and reports) customers nobody can serve.
#include "agents/planning/vrp_solver.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include "agents/planning/vrp_generate.hpp"
#include "agents/planning/vrp_routes.hpp"

using namespace swarm::planning;

namespace {

// small enough to enumerate, tight enough that windows and capacity bind
VrpInstance tiny(Layout layout, std::size_t customers, std::uint64_t seed) {
    GenerateOptions g;
    g.layout = layout;
    g.customers = customers;
    g.seed = seed;
    g.capacity = 70.0;
    g.vehicles = 3;
    g.max_half_window = 40.0;
    return generate_instance(g);
}

}  // namespace

TEST_CASE("central solver: the brute-force optimum of tiny instances") {
    int solved = 0;
    int with_several_routes = 0;
    for (const Layout layout : {Layout::kRandom, Layout::kClustered, Layout::kMixed}) {
        for (std::uint64_t seed = 1; seed <= 8; ++seed) {
            const VrpInstance in = tiny(layout, seed % 2 == 0 ? 7 : 6, seed);
            const std::optional<Optimum> opt = brute_force_optimum(in);
            if (!opt) {
                continue;
            }
            CAPTURE(in.name);
            REQUIRE(evaluate(in, opt->solution).feasible());
            SolverOptions o;
            o.seed = seed;
            o.iterations = 400;
            const VrpSolution sol = solve_central(in, o);
            const Evaluation ev = evaluate(in, sol);
            CHECK(ev.feasible());
            CHECK(ev.distance == doctest::Approx(opt->distance).epsilon(1e-9));
            ++solved;
            with_several_routes += opt->solution.routes.size() > 1 ? 1 : 0;
        }
    }
    // the generator gives solvable instances whose optima need several routes
    CHECK(solved >= 20);
    CHECK(with_several_routes >= 10);
}

TEST_CASE("central solver: capacity alone decides the routes") {
    // four customers in a line, capacity for two at a time: optimum pairs neighbours
    VrpInstance in;
    in.vehicles = 4;
    in.capacity = 10.0;
    in.nodes.push_back({0, 0.0, 0.0, 0.0, 0.0, 1000.0, 0.0});
    for (int i = 1; i <= 4; ++i) {
        in.nodes.push_back({i, 10.0 * i, 0.0, 5.0, 0.0, 1000.0, 0.0});
    }
    const VrpSolution sol = solve_central(in);
    const Evaluation ev = evaluate(in, sol);
    CHECK(ev.feasible());
    CHECK(ev.vehicles == 2);
    // {1, 2} is 40 and {3, 4} is 80; any other pairing is longer
    CHECK(ev.distance == doctest::Approx(120.0));
    REQUIRE(brute_force_optimum(in));
    CHECK(brute_force_optimum(in)->distance == doctest::Approx(120.0));
}

TEST_CASE("central solver: deterministic for a seed") {
    GenerateOptions g;
    g.customers = 40;
    g.seed = 3;
    const VrpInstance in = generate_instance(g);
    SolverOptions o;
    o.iterations = 500;
    o.seed = 11;
    SolverStats a;
    SolverStats b;
    const VrpSolution first = solve_central(in, o, &a);
    const VrpSolution second = solve_central(in, o, &b);
    CHECK(first.routes == second.routes);
    CHECK(a.work == b.work);
    CHECK(a.iterations == 500);
    CHECK(evaluate(in, first).feasible());
    // the work limit stops it early, deterministically
    o.work_limit = a.work / 2;
    SolverStats c;
    const VrpSolution cut = solve_central(in, o, &c);
    CHECK(c.iterations < 500);
    CHECK(evaluate(in, cut).feasible());
}

TEST_CASE("central solver: vehicles first never uses more routes than the construction") {
    for (const Layout layout : {Layout::kRandom, Layout::kClustered, Layout::kMixed}) {
        GenerateOptions g;
        g.layout = layout;
        g.customers = 50;
        g.seed = 6;
        const VrpInstance in = generate_instance(g);
        SolverOptions o;
        o.iterations = 0;
        const Evaluation constructed = evaluate(in, solve_central(in, o));
        o.iterations = 1500;
        o.minimize_vehicles = true;
        SolverStats st;
        const Evaluation fewer = evaluate(in, solve_central(in, o, &st));
        CAPTURE(in.name);
        CHECK(fewer.feasible());
        CHECK(fewer.vehicles <= constructed.vehicles);
        CHECK(st.iterations == 1500);
    }
}

TEST_CASE("central solver: construction and local search alone are feasible") {
    GenerateOptions g;
    g.layout = Layout::kMixed;
    g.customers = 50;
    const VrpInstance in = generate_instance(g);
    SolverOptions o;
    o.iterations = 0;
    SolverStats st;
    const VrpSolution sol = solve_central(in, o, &st);
    const Evaluation ev = evaluate(in, sol);
    CHECK(ev.feasible());
    CHECK(ev.distance == doctest::Approx(st.construction_distance));
    CHECK(st.work > 0);
}

TEST_CASE("central solver: a customer nobody can reach in time is left out and reported") {
    VrpInstance in;
    in.vehicles = 2;
    in.capacity = 100.0;
    in.nodes.push_back({0, 0.0, 0.0, 0.0, 0.0, 1000.0, 0.0});
    in.nodes.push_back({1, 10.0, 0.0, 10.0, 0.0, 100.0, 0.0});
    in.nodes.push_back({2, 50.0, 0.0, 10.0, 0.0, 20.0, 0.0});  // 50 away, due at 20
    SolverStats st;
    const VrpSolution sol = solve_central(in, {}, &st);
    const Evaluation ev = evaluate(in, sol);
    CHECK(st.unassigned == 1);
    REQUIRE(ev.violations.size() == 1);
    CHECK(ev.violations[0].kind == Violation::Kind::kUnserved);
    CHECK(ev.violations[0].node == 2);
    CHECK(ev.distance == doctest::Approx(20.0));
}

TEST_CASE("central solver: an invalid instance is refused") {
    VrpInstance in;
    CHECK_THROWS_AS((void)solve_central(in), std::invalid_argument);
}
