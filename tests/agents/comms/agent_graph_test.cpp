#include "agents/comms/agent_graph.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <utility>
#include <vector>

using namespace swarm::comms;

namespace {

AgentGraph path(std::size_t n) {
    std::vector<std::pair<AgentIndex, AgentIndex>> edges;
    for (AgentIndex i = 0; i + 1 < n; ++i) {
        edges.emplace_back(i, i + 1);
    }
    return AgentGraph::from_edges(n, edges);
}

}  // namespace

TEST_CASE("lists are sorted and deduplicated") {
    const AgentGraph g = AgentGraph::from_lists({{2, 1, 2}, {0}, {0}});
    CHECK(g.size() == 3);
    CHECK(g.edge_count() == 2);
    REQUIRE(g.degree(0) == 2);
    CHECK(g.neighbours(0)[0] == 1);
    CHECK(g.neighbours(0)[1] == 2);
    CHECK(g.has_edge(1, 0));
    CHECK_FALSE(g.has_edge(1, 2));
}

TEST_CASE("bad lists are refused") {
    CHECK_THROWS_AS(AgentGraph::from_lists({{1}, {}}), std::invalid_argument);  // asymmetric
    CHECK_THROWS_AS(AgentGraph::from_lists({{0}}), std::invalid_argument);      // self loop
    CHECK_THROWS_AS(AgentGraph::from_lists({{5}, {}}), std::invalid_argument);  // range
    const std::pair<AgentIndex, AgentIndex> bad[] = {{0, 3}};
    CHECK_THROWS_AS(AgentGraph::from_edges(2, bad), std::invalid_argument);
}

TEST_CASE("path ring star and complete graphs have their known diameters") {
    CHECK(diameter(path(1)) == 0);
    CHECK(diameter(path(2)) == 1);
    CHECK(diameter(path(10)) == 9);
    std::vector<std::pair<AgentIndex, AgentIndex>> ring;
    for (AgentIndex i = 0; i < 10; ++i) {
        ring.emplace_back(i, (i + 1) % 10);
    }
    CHECK(diameter(AgentGraph::from_edges(10, ring)) == 5);
    std::vector<std::pair<AgentIndex, AgentIndex>> star;
    for (AgentIndex i = 1; i < 8; ++i) {
        star.emplace_back(0, i);
    }
    CHECK(diameter(AgentGraph::from_edges(8, star)) == 2);
    const AgentGraph k = AgentGraph::complete(6);
    CHECK(k.edge_count() == 15);
    CHECK(diameter(k) == 1);
    CHECK(diameter(AgentGraph::complete(0)) == 0);
}

TEST_CASE("bfs hops on a path") {
    const auto hops = bfs_hops(path(5), 1);
    CHECK(hops == std::vector<std::uint32_t>{1, 0, 1, 2, 3});
}

TEST_CASE("components are labelled in order of their smallest agent") {
    // {0, 3}, {1}, {2, 4, 5} with 2-4-5 a path of length 2
    const std::pair<AgentIndex, AgentIndex> edges[] = {{3, 0}, {5, 4}, {2, 4}};
    const AgentGraph g = AgentGraph::from_edges(6, edges);
    const Components c = connected_components(g);
    CHECK(c.count == 3);
    CHECK(c.label == std::vector<std::uint32_t>{0, 1, 2, 0, 2, 2});
    CHECK(c.sizes == std::vector<std::uint32_t>{2, 1, 3});
    // the widest component sets the diameter; other components are unreachable
    CHECK(diameter(g) == 2);
    CHECK(bfs_hops(g, 0)[1] == kUnreachable);
}
