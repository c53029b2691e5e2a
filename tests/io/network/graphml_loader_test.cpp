#include <doctest/doctest.h>

#include <string>

#include "io/network/network_loader.hpp"
#include "tests/io/network/test_files.hpp"

using namespace swarm;
using io::LoadReport;
using io::NetworkFileError;
using io::testing::TempDir;

namespace {

constexpr const char* kDirected = R"(<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="d0" for="node" attr.name="x" attr.type="double"/>
  <key id="d1" for="node" attr.name="y" attr.type="double"/>
  <key id="d2" for="edge" attr.name="length" attr.type="double"/>
  <key id="d3" for="edge" attr.name="speed" attr.type="double">
    <default>10</default>
  </key>
  <key id="d4" for="edge" attr.name="highway" attr.type="string"/>
  <key id="d5" for="edge" attr.name="name" attr.type="string"/>
  <key id="d6" for="edge" attr.name="osmid" attr.type="string"/>
  <graph id="G" edgedefault="directed">
    <node id="1"><data key="d0">0</data><data key="d1">0</data></node>
    <node id="2"><data key="d0">300</data><data key="d1">400</data></node>
    <node id="3"><data key="d0">300</data><data key="d1">0</data></node>
    <node id="4"><data key="d0">600</data><data key="d1">0</data></node>
    <edge source="1" target="2"><data key="d4">primary</data><data key="d5">Rue A</data><data key="d6">4711</data></edge>
    <edge source="2" target="3"><data key="d2">450</data><data key="d3">5</data><data key="d6">[812, 813]</data></edge>
    <edge source="3" target="1"><data key="d4">['residential', 'service']</data></edge>
    <edge source="3" target="4" directed="false"/>
  </graph>
</graphml>
)";

}  // namespace

TEST_CASE("graphml: keys, defaults, lengths from coordinates") {
    TempDir dir;
    const auto file = dir.write("city.graphml", kDirected);
    LoadReport report;
    const world::RoadNetwork net = io::load_network(file, &report);
    CHECK(report.format == "graphml");
    CHECK(report.warnings.empty());
    REQUIRE(net.node_count() == 4);
    CHECK(net.edge_count() == 5);
    const auto n1 = *net.find_external(1);
    const auto n2 = *net.find_external(2);
    const auto n3 = *net.find_external(3);
    const auto e12 = net.find_edge(n1, n2);
    CHECK(net.length_m(e12) == doctest::Approx(500.0));  // from coordinates
    CHECK(net.speed_mps(e12) == 10.0);                   // key default
    CHECK(net.road_class(e12) == world::RoadClass::kPrimary);
    CHECK(net.name(net.name_id(e12)) == "Rue A");
    // osmid: the OSM way (of a list of merged ways, the first); none is 0
    CHECK(net.has_way_ids());
    CHECK(net.way_id(e12) == 4711);
    CHECK(net.way_id(net.find_edge(n2, n3)) == 812);
    CHECK(net.way_id(net.find_edge(n3, n1)) == 0);
    const auto e23 = net.find_edge(n2, n3);
    CHECK(net.length_m(e23) == 450.0);
    CHECK(net.speed_mps(e23) == 5.0);
    CHECK(net.road_class(net.find_edge(n3, n1)) == world::RoadClass::kResidential);
    const auto n4 = *net.find_external(4);
    CHECK(net.find_edge(n3, n4) != world::kNoEdge);  // directed="false": both ways
    CHECK(net.length_m(net.find_edge(n4, n3)) == doctest::Approx(300.0));
    CHECK(net.find_edge(n1, n3) == world::kNoEdge);
    CHECK(net.position(n2).x == 300.0);
}

TEST_CASE("graphml: undirected graphs, lon/lat and maxspeed") {
    TempDir dir;
    const auto file = dir.write("geo.xml", R"(<?xml version="1.0"?>
<graphml>
  <key id="lon" for="node" attr.name="lon"/>
  <key id="lat" for="node" attr.name="lat"/>
  <key id="ms" for="edge" attr.name="maxspeed"/>
  <key id="ow" for="edge" attr.name="oneway"/>
  <graph edgedefault="undirected">
    <node id="a"><data key="lon">7.42</data><data key="lat">43.73</data></node>
    <node id="b"><data key="lon">7.42</data><data key="lat">43.731</data></node>
    <node id="c"><data key="lon">7.421</data><data key="lat">43.731</data></node>
    <edge source="a" target="b"><data key="ms">30 mph</data></edge>
    <edge source="b" target="c"><data key="ow">yes</data></edge>
    <edge source="c" target="a"/>
  </graph>
</graphml>
)");
    LoadReport report;
    const auto net = io::load_network(file, &report);
    CHECK(net.node_count() == 3);
    CHECK(net.edge_count() == 5);  // b -> c only one way
    CHECK(report.edges_dropped == 0);
    const auto a = *net.find_external(0);  // non-numeric ids: ordinal
    const auto b = *net.find_external(1);
    const auto c = *net.find_external(2);
    const auto ab = net.find_edge(a, b);
    CHECK(net.length_m(ab) == doctest::Approx(111.2).epsilon(0.01));
    CHECK(net.speed_mps(ab) == doctest::Approx(30 * 1.609344 / 3.6));
    CHECK(net.find_edge(c, b) == world::kNoEdge);
    CHECK(net.position(b).y - net.position(a).y == doctest::Approx(111.2).epsilon(0.01));
}

TEST_CASE("graphml: malformed files give file:line: error: message") {
    struct Case {
        const char* text;
        const char* expected;  // after "path:"
    };
    const Case cases[] = {
        {"<graphml><graph>\n<node id=\"1\">\n</graphml>\n",
         "3: error: malformed XML: mismatched tag"},
        {"<graphml><graph>\n<node id=\"1\"/>\n", "3: error: malformed XML: no element found"},
        {"", "1: error: malformed XML: no element found"},
        {"<graphml>\n<key for=\"node\"/>\n</graphml>", "2: error: <key> without an id attribute"},
        {"<graphml/>\n", " error: no <graph> element"},
        {"<graphml><graph>\n<node id=\"1\"/>\n<node id=\"1\"/>\n</graph></graphml>",
         "3: error: duplicate <node id=\"1\"> (first at line 2)"},
        {"<graphml><graph>\n<node/>\n</graph></graphml>",
         "2: error: <node> without an id attribute"},
        {"<graphml><graph>\n<node id=\"1\"/>\n<edge source=\"1\" target=\"2\"/>\n"
         "<node id=\"3\"/></graph></graphml>",
         "3: error: <edge> target \"2\" is not a known node"},
        {"<graphml><graph>\n<edge target=\"2\"/>\n</graph></graphml>",
         "2: error: <edge> without a source or target attribute"},
        {"<graphml><graph>\n<node id=\"1\"/><node id=\"2\"/>\n<edge source=\"1\" "
         "target=\"2\"/>\n</graph></graphml>",
         "3: error: <edge> has no length and its nodes no coordinates"},
        {"<graphml><key id=\"l\" for=\"edge\" attr.name=\"length\"/><graph>\n<node id=\"1\"/>"
         "<node id=\"2\"/>\n<edge source=\"1\" target=\"2\"><data key=\"l\">far</data>"
         "</edge>\n</graph></graphml>",
         "3: error: invalid number 'far' for key 'length'"},
        {"<graphml><key id=\"l\" for=\"edge\" attr.name=\"length\"/><graph>\n<node id=\"1\"/>"
         "<node id=\"2\"/>\n<edge source=\"1\" target=\"2\"><data key=\"l\">-4</data>"
         "</edge>\n</graph></graphml>",
         "3: error: <edge> length must be positive, got -4"},
        {"<graphml><key id=\"x\" for=\"node\" attr.name=\"x\"/><graph>\n<node id=\"1\">\n"
         "<data key=\"x\">1e</data></node>\n</graph></graphml>",
         "3: error: invalid number '1e' for key 'x'"},
        {"<graphml><graph>\n<node id=\"1\"><data key=\"zz\">1</data></node>\n</graph></graphml>",
         "2: error: <data> refers to undeclared key \"zz\""},
        {"<graphml><graph edgedefault=\"sideways\">\n</graph></graphml>",
         "1: error: <graph> edgedefault must be \"directed\" or \"undirected\", got \"sideways\""},
        {"<graphml><graph>\n</graph></graphml>", " error: the network is empty (no nodes)"},
        // file bytes quoted in a message are escaped: no terminal control sequence (XML
        // forbids ESC, but not the 8-bit CSI U+009B: issue 21)
        {"<graphml><graph>\n<node id=\"a&#x9b;2J\"/>\n<node id=\"a&#x9b;2J\"/>\n</graph>"
         "</graphml>",
         "3: error: duplicate <node id=\"a\\xc2\\x9b2J\"> (first at line 2)"},
        {"<graphml><graph>\n<node id=\"&bogus;\"/>\n</graph></graphml>",
         "2: error: malformed XML: undefined entity"},
    };
    TempDir dir;
    for (const Case& c : cases) {
        const auto file = dir.write("bad.graphml", c.text);
        CAPTURE(c.text);
        CHECK_THROWS_WITH_AS(io::load_network(file), (file.string() + ":" + c.expected).c_str(),
                             NetworkFileError);
    }
}
