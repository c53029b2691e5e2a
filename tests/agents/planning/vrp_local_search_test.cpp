// Local search keeps routes feasible, never lengthens them, and untangles crossing routes;
// RoutingState's O(1) insertion check agrees with the exact check.
#include <doctest/doctest.h>

#include <cstddef>

#include "agents/planning/vrp_generate.hpp"
#include "agents/planning/vrp_routes.hpp"
#include "agents/planning/vrp_solver.hpp"
#include "agents/planning/vrp_swarm.hpp"

using namespace swarm::planning;

TEST_CASE("local search: untangles two crossing routes") {
    // a1 and a2 east, b1 and b2 west; the routes given cross between the two sides
    VrpInstance in;
    in.vehicles = 2;
    in.capacity = 100.0;
    in.nodes = {{0, 0.0, 0.0, 0.0, 0.0, 1000.0, 0.0},
                {1, 10.0, 1.0, 1.0, 0.0, 1000.0, 0.0},
                {2, 10.0, 11.0, 1.0, 0.0, 1000.0, 0.0},
                {3, -10.0, 1.0, 1.0, 0.0, 1000.0, 0.0},
                {4, -10.0, 11.0, 1.0, 0.0, 1000.0, 0.0}};
    const DistanceTable dist(in);
    RoutingState s(in, dist);
    s.load({{{1, 4}, {3, 2}}});
    const double before = s.distance();
    const std::uint64_t work = local_search(s);
    CHECK(work > 0);
    const VrpSolution after = s.solution();
    const Evaluation ev = evaluate(in, after);
    CHECK(ev.feasible());
    CHECK(ev.distance < before);
    const std::optional<Optimum> opt = brute_force_optimum(in);
    REQUIRE(opt);
    CHECK(ev.distance == doctest::Approx(opt->distance));
}

TEST_CASE("local search: improves the auction's routes and keeps them feasible") {
    for (const Layout layout : {Layout::kRandom, Layout::kClustered, Layout::kMixed}) {
        GenerateOptions g;
        g.layout = layout;
        g.customers = 60;
        g.seed = 4;
        const VrpInstance in = generate_instance(g);
        const VrpSolution start = solve_auction(in);
        const Evaluation ev0 = evaluate(in, start);
        REQUIRE(ev0.feasible());
        const DistanceTable dist(in);
        RoutingState s(in, dist);
        s.load(start);
        (void)local_search(s);
        const Evaluation ev = evaluate(in, s.solution());
        CAPTURE(in.name);
        CHECK(ev.feasible());
        CHECK(ev.distance < ev0.distance);
        CHECK(ev.served == in.customers());
    }
}

TEST_CASE("routing state: the O(1) insertion check agrees with the exact check") {
    GenerateOptions g;
    g.customers = 30;
    g.seed = 9;
    const VrpInstance in = generate_instance(g);
    const VrpSolution sol = solve_auction(in);
    const DistanceTable dist(in);
    RoutingState s(in, dist);
    s.load(sol);
    // take each customer out, and try it at every place of every route
    int fits = 0;
    int refused = 0;
    for (std::uint32_t c = 1; c <= in.customers(); ++c) {
        RoutingState t = s;
        t.remove(c);
        for (std::uint32_t r = 0; r < t.routes.size(); ++r) {
            for (std::uint32_t pos = 1; pos < t.routes[r].seq.size(); ++pos) {
                double cost = 0.0;
                const bool ok = t.fits(r, pos, c, &cost);
                Route route(t.routes[r].seq.begin() + 1, t.routes[r].seq.end() - 1);
                route.insert(route.begin() + static_cast<std::ptrdiff_t>(pos - 1), c);
                const Evaluation ev = evaluate(in, VrpSolution{{route}});
                // feasible as one route: no late arrival, no capacity excess (the others
                // are unserved here, which is not what is checked)
                bool exact = true;
                for (const Violation& v : ev.violations) {
                    exact = exact && v.kind == Violation::Kind::kUnserved;
                }
                CHECK(ok == exact);
                if (ok) {
                    CHECK(cost ==
                          doctest::Approx(route_distance(in, route) - t.routes[r].distance));
                }
                (ok ? fits : refused) += 1;
            }
        }
    }
    CHECK(fits > 0);
    CHECK(refused > 0);
}
