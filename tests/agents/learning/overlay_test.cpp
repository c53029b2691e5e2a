#include "agents/learning/overlay.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace swarm::learning;

namespace {
void check_symmetric(const Overlay& o) {
    for (std::uint32_t i = 0; i < o.agents(); ++i) {
        for (std::uint32_t k = 0; k < o.degree(i); ++k) {
            const auto j = o.neighbour(i, k);
            CHECK(j != i);
            const auto back = o.reverse(i, k);
            // the reverse edge is j -> i
            bool found = false;
            for (std::uint32_t q = 0; q < o.degree(j); ++q) {
                if (o.neighbour(j, q) == i) {
                    found = o.edge(j, q) == back;
                }
            }
            CHECK(found);
        }
    }
}
}  // namespace

TEST_CASE("complete ring regular and small world graphs have their degrees") {
    const auto c = Overlay::complete(7);
    CHECK(c.degree(3) == 6);
    CHECK(c.edges() == 42);
    check_symmetric(c);
    const auto r = make_ring(10, 2);
    CHECK(r.degree(0) == 2);
    CHECK(r.neighbour(0, 0) == 1);
    CHECK(r.neighbour(0, 1) == 9);
    check_symmetric(r);
    const auto g = make_random_regular(200, 8, 3);
    for (std::uint32_t i = 0; i < 200; ++i) {
        CHECK(g.degree(i) == 8);
    }
    CHECK(g.connected());
    check_symmetric(g);
    const auto s = make_small_world(100, 4, 0.2, 3);
    CHECK(s.edges() == 400);
    CHECK(s.connected());
    check_symmetric(s);
    CHECK_THROWS_AS(make_ring(10, 3), std::invalid_argument);
    CHECK_THROWS_AS(make_random_regular(9, 3, 1), std::invalid_argument);
    CHECK_THROWS_AS(overlay_kind_from_string("star"), std::invalid_argument);
}

TEST_CASE("edges from a list drop duplicates and refuse loops") {
    const auto o = Overlay::from_edges(4, {{0, 1}, {1, 0}, {2, 3}});
    CHECK(o.edges() == 4);
    CHECK(o.degree(2) == 1);
    CHECK(o.reverse(0, 0) == o.edge(1, 0));
    CHECK(!o.connected());
    CHECK_THROWS_AS(Overlay::from_edges(4, {{2, 2}}), std::invalid_argument);
}
