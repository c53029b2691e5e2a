#include "agents/world/road_network.hpp"

#include <doctest/doctest.h>

#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/property_map/property_map.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

using namespace swarm::world;

namespace {

// 0 -> 1 -> 2 -> 0 plus 0 -> 2, added out of source order on purpose
RoadNetwork small_network() {
    RoadNetwork::Builder b;
    b.add_node({0, 0}, 100);
    b.add_node({100, 0}, 200);
    b.add_node({100, 50}, 300);
    b.add_edge(2, 0, 150.0, 10.0, RoadClass::kSecondary, "Back Road");
    b.add_edge(0, 1, 100.0, 10.0, RoadClass::kPrimary, "Main Street");
    b.add_edge(1, 2, 50.0, 5.0, RoadClass::kResidential);
    b.add_edge(0, 2, 400.0, 20.0, RoadClass::kMotorway, "Main Street");
    return std::move(b).build();
}

}  // namespace

TEST_CASE("road class names") {
    CHECK(std::string(to_string(RoadClass::kMotorway)) == "motorway");
    CHECK(std::string(to_string(RoadClass::kResidential)) == "residential");
    CHECK(std::string(to_string(RoadClass::kOther)) == "other");
}

TEST_CASE("builder sorts edges by source and keeps their data") {
    const RoadNetwork net = small_network();
    REQUIRE(net.node_count() == 3);
    REQUIRE(net.edge_count() == 4);
    for (EdgeId e = 0; e + 1 < net.edge_count(); ++e) {
        CHECK(net.source(e) <= net.source(e + 1));
    }
    // stable: 0->1 was added before 0->2
    CHECK(net.target(0) == 1);
    CHECK(net.target(1) == 2);
    CHECK(net.length_m(1) == 400.0);
    CHECK(net.road_class(1) == RoadClass::kMotorway);
    CHECK(net.source(3) == 2);
    CHECK(net.target(3) == 0);
    CHECK(net.name(net.name_id(0)) == "Main Street");
    CHECK(net.name_id(0) == net.name_id(1));
    CHECK(net.name_id(2) == 0);
    CHECK(net.name(0).empty());
    CHECK(net.find_name("Back Road") == net.name_id(3));
    CHECK_FALSE(net.find_name("Nowhere").has_value());
    CHECK(net.find_external(300) == NodeId{2});
    CHECK_FALSE(net.find_external(42).has_value());
    CHECK(net.external_id(1) == 200);
    CHECK(net.find_edge(0, 2) == 1);
    CHECK(net.find_edge(2, 1) == kNoEdge);
}

TEST_CASE("way ids follow their edges through the sort, and cost nothing when absent") {
    RoadNetwork::Builder b;
    b.add_node({0, 0}, 1);
    b.add_node({100, 0}, 2);
    b.add_edge(1, 0, 100.0, 10.0, RoadClass::kPrimary, "Quai", 77);
    b.add_edge(0, 1, 100.0, 10.0, RoadClass::kPrimary, "Quai", 77);
    b.add_edge(0, 1, 120.0, 10.0, RoadClass::kService);
    const RoadNetwork net = std::move(b).build();
    CHECK(net.has_way_ids());
    // sorted by source: 0->1 (way 77), 0->1 (none), 1->0 (way 77)
    CHECK(net.way_id(0) == 77);
    CHECK(net.way_id(1) == 0);
    CHECK(net.way_id(2) == 77);
    const RoadNetwork plain = small_network();
    CHECK_FALSE(plain.has_way_ids());
    CHECK(plain.way_id(0) == 0);
}

TEST_CASE("travel time is length over speed; aggregates") {
    const RoadNetwork net = small_network();
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        CHECK(net.travel_time_s(e) == doctest::Approx(net.length_m(e) / net.speed_mps(e)));
    }
    CHECK(net.max_speed_mps() == 20.0);
    CHECK(net.total_length_m() == doctest::Approx(700.0));
    CHECK(net.bounds().min.x == 0.0);
    CHECK(net.bounds().max.x == 100.0);
    CHECK(net.bounds().max.y == 50.0);
    CHECK(net.memory_bytes() > 0);
}

TEST_CASE("out and in edges are consistent") {
    const RoadNetwork net = small_network();
    std::size_t out_total = 0;
    std::size_t in_total = 0;
    for (NodeId v = 0; v < net.node_count(); ++v) {
        for (EdgeId e : net.out_edges(v)) {
            CHECK(net.source(e) == v);
            ++out_total;
        }
        for (EdgeId e : net.in_edges(v)) {
            CHECK(net.target(e) == v);
            ++in_total;
        }
    }
    CHECK(out_total == net.edge_count());
    CHECK(in_total == net.edge_count());
    CHECK(net.out_degree(0) == 2);
    CHECK(net.in_degree(2) == 2);
    CHECK(net.out_edges(0)[1] == 1);
}

TEST_CASE("boost view: edge index equals EdgeId and dijkstra runs") {
    const RoadNetwork net = small_network();
    const Graph& g = net.graph();
    CHECK(boost::num_vertices(g) == 3);
    CHECK(boost::num_edges(g) == 4);
    for (NodeId v = 0; v < net.node_count(); ++v) {
        auto [it, last] = boost::out_edges(v, g);
        EdgeId expected = net.out_edges(v).empty() ? 0 : net.out_edges(v)[0];
        for (; it != last; ++it, ++expected) {
            CHECK(boost::get(boost::edge_index, g, *it) == expected);
            CHECK(boost::target(*it, g) == net.target(expected));
        }
        auto [in_it, in_last] = boost::in_edges(v, g);
        for (; in_it != in_last; ++in_it) {
            CHECK(net.target(boost::get(boost::edge_index, g, *in_it)) == v);
        }
    }
    std::vector<double> dist(net.node_count());
    auto weights = boost::make_iterator_property_map(net.travel_times_s().data(),
                                                     boost::get(boost::edge_index, g));
    boost::dijkstra_shortest_paths(
        g, NodeId{0},
        boost::weight_map(weights).distance_map(
            boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, g))));
    CHECK(dist[1] == doctest::Approx(10.0));
    CHECK(dist[2] == doctest::Approx(20.0));  // motorway 400/20 beats 10 + 50/5
}

TEST_CASE("builder validation errors") {
    auto two_nodes = [] {
        RoadNetwork::Builder b;
        b.add_node({0, 0}, 1);
        b.add_node({1, 0}, 2);
        return b;
    };
    {
        auto b = two_nodes();
        b.add_edge(0, 5, 10.0, 1.0, RoadClass::kOther);
        CHECK_THROWS_WITH_AS(std::move(b).build(),
                             "RoadNetwork::Builder: edge 0 (0 -> 5) references a node that "
                             "does not exist (node count 2)",
                             std::invalid_argument);
    }
    {
        auto b = two_nodes();
        b.add_edge(0, 1, 10.0, 1.0, RoadClass::kOther);
        b.add_edge(1, 0, 0.0, 1.0, RoadClass::kOther);
        CHECK_THROWS_WITH_AS(std::move(b).build(),
                             "RoadNetwork::Builder: edge 1 (1 -> 0) has invalid length (must be "
                             "> 0 and finite): 0",
                             std::invalid_argument);
    }
    {
        auto b = two_nodes();
        b.add_edge(0, 1, std::numeric_limits<double>::infinity(), 1.0, RoadClass::kOther);
        CHECK_THROWS_AS(std::move(b).build(), std::invalid_argument);
    }
    {
        auto b = two_nodes();
        b.add_edge(0, 1, 10.0, -3.0, RoadClass::kOther);
        CHECK_THROWS_WITH_AS(std::move(b).build(),
                             "RoadNetwork::Builder: edge 0 (0 -> 1) has invalid speed (must be > "
                             "0 and finite): -3",
                             std::invalid_argument);
    }
    {
        auto b = two_nodes();
        b.add_edge(0, 1, 10.0, std::nan(""), RoadClass::kOther);
        CHECK_THROWS_AS(std::move(b).build(), std::invalid_argument);
    }
    {
        RoadNetwork::Builder b;
        b.add_node({std::nan(""), 0}, 7);
        CHECK_THROWS_WITH_AS(std::move(b).build(),
                             "RoadNetwork::Builder: node 0 (external id 7) has a non-finite "
                             "position",
                             std::invalid_argument);
    }
}

TEST_CASE("empty network") {
    const RoadNetwork net = RoadNetwork::Builder{}.build();
    CHECK(net.node_count() == 0);
    CHECK(net.edge_count() == 0);
    CHECK(net.total_length_m() == 0.0);
    const RoadNetwork def;
    CHECK(def.node_count() == 0);
}

TEST_CASE("edge mask") {
    EdgeMask mask(130);
    CHECK(mask.size() == 130);
    CHECK(mask.count() == 0);
    mask.set(0);
    mask.set(64);
    mask.set(129);
    CHECK(mask.test(0));
    CHECK(mask.test(64));
    CHECK(mask.test(129));
    CHECK_FALSE(mask.test(1));
    CHECK(mask.count() == 3);
    mask.reset(64);
    CHECK_FALSE(mask.test(64));
    mask.set(1, true);
    mask.set(1, false);
    CHECK_FALSE(mask.test(1));
    CHECK(mask.count() == 2);
    mask.clear();
    CHECK(mask.count() == 0);
    CHECK(EdgeMask{}.size() == 0);
}
