// The swarm protocols' rules on static instances: the auction's K nearest candidates and
// lowest bid, announcement order, and CBBA's conflict-free feasible routes.
#include "agents/planning/vrp_swarm.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include "agents/planning/vrp_generate.hpp"

using namespace swarm::planning;

namespace {

// 1 and 2 lie east of the depot, 3 north; wide windows, ready times in that order
VrpInstance three() {
    VrpInstance in;
    in.vehicles = 2;
    in.capacity = 100.0;
    in.nodes = {{0, 0.0, 0.0, 0.0, 0.0, 1000.0, 0.0},
                {1, 10.0, 0.0, 1.0, 1.0, 500.0, 0.0},
                {2, 11.0, 0.0, 1.0, 2.0, 500.0, 0.0},
                {3, 0.0, 10.0, 1.0, 3.0, 500.0, 0.0}};
    return in;
}

}  // namespace

TEST_CASE("auction: the lowest insertion bid among the K nearest wins") {
    const VrpInstance in = three();
    SUBCASE("K = 4: both vehicles bid, inserting 3 into the first route is cheapest") {
        SwarmStats st;
        const VrpSolution sol = solve_auction(in, {}, &st);
        const Evaluation ev = evaluate(in, sol);
        CHECK(ev.feasible());
        CHECK(ev.vehicles == 1);
        CHECK(st.offers == 6);  // every order to both vehicles
    }
    SUBCASE("K = 1: for 3 the empty vehicle at the depot is nearer than route 1's end") {
        AuctionOptions o;
        o.candidates = 1;
        const VrpSolution sol = solve_auction(in, o);
        const Evaluation ev = evaluate(in, sol);
        CHECK(ev.feasible());
        CHECK(ev.vehicles == 2);
        REQUIRE(sol.routes.size() == 2);
        CHECK(sol.routes[1] == Route{3});
        CHECK(ev.distance == doctest::Approx(22.0 + 20.0));
    }
}

TEST_CASE("auction: when none of the K can take an order, the next K are asked") {
    VrpInstance in = three();
    in.nodes[2].due = 12.0;  // route 1 becomes [2, 1], at 2 by 11
    // 3 near route 1's end, which cannot fit it in time; from the depot it can be reached
    in.nodes[3].x = 12.0;
    in.nodes[3].y = 1.0;
    in.nodes[3].due = 12.2;
    AuctionOptions o;
    o.candidates = 1;
    SwarmStats st;
    const VrpSolution sol = solve_auction(in, o, &st);
    CHECK(evaluate(in, sol).feasible());
    CHECK(st.unassigned == 0);
    REQUIRE(sol.routes.size() == 2);
    CHECK(sol.routes[0] == Route{2, 1});
    CHECK(sol.routes[1] == Route{3});
    CHECK(st.offers == 4);  // 3 was offered twice
    // when nobody can take it at all, it is reported unserved
    in.vehicles = 1;
    const Evaluation one = evaluate(in, solve_auction(in, o, &st));
    CHECK(st.unassigned == 1);
    CHECK_FALSE(one.feasible());
}

TEST_CASE("auction: announcement by ready time or in file order") {
    VrpInstance in = three();
    in.nodes[1].ready = 9.0;  // 1 now comes last by ready time
    AuctionOptions o;
    o.candidates = 1;
    const VrpSolution by_ready = solve_auction(in, o);
    o.announce = AuctionOptions::Announce::kFile;
    const VrpSolution by_file = solve_auction(in, o);
    CHECK(by_ready.routes != by_file.routes);
    CHECK(evaluate(in, by_ready).feasible());
    CHECK(evaluate(in, by_file).feasible());
    o.candidates = 0;
    CHECK_THROWS_AS((void)solve_auction(in, o), std::invalid_argument);
}

TEST_CASE("swarm rules on generated instances: feasible and never below the optimum") {
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
        GenerateOptions g;
        g.customers = 7;
        g.seed = seed;
        g.capacity = 70.0;
        g.vehicles = 7;
        g.max_half_window = 40.0;
        const VrpInstance in = generate_instance(g);
        const std::optional<Optimum> opt = brute_force_optimum(in);
        REQUIRE(opt);  // a vehicle per customer always serves everybody
        CAPTURE(in.name);
        const Evaluation auction = evaluate(in, solve_auction(in));
        CHECK(auction.feasible());
        CHECK(auction.distance >= opt->distance - 1e-9);
        SwarmStats st;
        const Evaluation cbba = evaluate(in, solve_cbba(in, {}, &st));
        CHECK(cbba.feasible());
        CHECK(st.converged);
        CHECK(st.rounds > 0);
        CHECK(cbba.distance >= opt->distance - 1e-9);
    }
}

TEST_CASE("cbba: a bigger instance is conflict-free, feasible and deterministic") {
    GenerateOptions g;
    g.layout = Layout::kMixed;
    g.customers = 40;
    g.seed = 5;
    const VrpInstance in = generate_instance(g);
    SwarmStats a;
    SwarmStats b;
    const VrpSolution first = solve_cbba(in, {}, &a);
    const VrpSolution second = solve_cbba(in, {}, &b);
    CHECK(first.routes == second.routes);
    CHECK(a.converged);
    CHECK(a.messages > 0);
    CHECK(evaluate(in, first).feasible());
}
