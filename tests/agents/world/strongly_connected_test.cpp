#include "agents/world/strongly_connected.hpp"

#include <doctest/doctest.h>

#include <boost/graph/strong_components.hpp>
#include <vector>

using namespace swarm::world;

namespace {

// boost's answer, to compare against our iterative Tarjan
std::size_t boost_component_count(const RoadNetwork& net) {
    std::vector<std::size_t> comp(net.node_count());
    return static_cast<std::size_t>(boost::strong_components(
        net.graph(), boost::make_iterator_property_map(
                         comp.begin(), boost::get(boost::vertex_index, net.graph()))));
}

}  // namespace

TEST_CASE("largest scc of a cycle with tails") {
    // cycle 0 -> 1 -> 2 -> 0, tail 3 -> 0 (source only), 2 -> 4 (sink only), isolated 5
    RoadNetwork::Builder b;
    for (int i = 0; i < 6; ++i) {
        b.add_node({static_cast<double>(i), 0.0}, static_cast<std::uint64_t>(10 + i));
    }
    b.add_edge(0, 1, 1, 1, RoadClass::kOther, "a");
    b.add_edge(1, 2, 1, 1, RoadClass::kOther);
    b.add_edge(2, 0, 1, 1, RoadClass::kOther, "b");
    b.add_edge(3, 0, 1, 1, RoadClass::kOther);
    b.add_edge(2, 4, 1, 1, RoadClass::kOther);
    const RoadNetwork net = std::move(b).build();

    const Components scc = strong_components(net);
    CHECK(scc.count == 4);
    CHECK(scc.count == boost_component_count(net));
    CHECK(scc.component[0] == scc.component[1]);
    CHECK(scc.component[1] == scc.component[2]);
    CHECK_FALSE(is_strongly_connected(net));

    SccReport report;
    const RoadNetwork big = keep_largest_scc(net, &report);
    CHECK(report.nodes_kept == 3);
    CHECK(report.nodes_dropped == 3);
    CHECK(report.edges_kept == 3);
    CHECK(report.edges_dropped == 2);
    CHECK(big.node_count() == 3);
    CHECK(big.edge_count() == 3);
    CHECK(is_strongly_connected(big));
    // external ids and names survive the renumbering
    CHECK(big.find_external(12).has_value());
    CHECK_FALSE(big.find_external(13).has_value());
    CHECK(big.name(big.name_id(big.find_edge(*big.find_external(12), *big.find_external(10)))) ==
          "b");
}

TEST_CASE("long path: no recursion depth problem") {
    // a 200,000-node ring: recursive DFS would overflow the stack under ASan
    constexpr NodeId kN = 200000;
    RoadNetwork::Builder b;
    for (NodeId i = 0; i < kN; ++i) {
        b.add_node({static_cast<double>(i), 0.0}, i);
    }
    for (NodeId i = 0; i < kN; ++i) {
        b.add_edge(i, (i + 1) % kN, 1, 1, RoadClass::kOther);
    }
    RoadNetwork ring = std::move(b).build();
    CHECK(is_strongly_connected(ring));
    SccReport report;
    const RoadNetwork same = keep_largest_scc(std::move(ring), &report);
    CHECK(same.node_count() == kN);
    CHECK(report.nodes_dropped == 0);
    CHECK(report.edges_kept == kN);
}

TEST_CASE("empty and single-node networks") {
    const RoadNetwork empty = RoadNetwork::Builder{}.build();
    SccReport report;
    CHECK(keep_largest_scc(empty, &report).node_count() == 0);
    CHECK(report.nodes_kept == 0);
    RoadNetwork::Builder b;
    b.add_node({0, 0}, 1);
    const RoadNetwork one = std::move(b).build();
    CHECK(is_strongly_connected(one));
    CHECK(keep_largest_scc(one).node_count() == 1);
}

TEST_CASE("equal-sized components: the one with the lowest node wins") {
    RoadNetwork::Builder b;
    for (int i = 0; i < 4; ++i) {
        b.add_node({0.0, static_cast<double>(i)}, static_cast<std::uint64_t>(i));
    }
    b.add_edge(2, 3, 1, 1, RoadClass::kOther);
    b.add_edge(3, 2, 1, 1, RoadClass::kOther);
    b.add_edge(0, 1, 1, 1, RoadClass::kOther);
    b.add_edge(1, 0, 1, 1, RoadClass::kOther);
    const RoadNetwork net = keep_largest_scc(std::move(b).build());
    CHECK(net.node_count() == 2);
    CHECK(net.find_external(0).has_value());
}
