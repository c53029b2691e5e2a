#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "io/network/network_loader.hpp"
#include "tests/io/network/test_files.hpp"

using namespace swarm;
using io::LoadReport;
using io::NetworkFileError;
using io::testing::TempDir;

namespace {

// a 3-cycle 1 -> 2 -> 3 -> 1 with a shortcut 1 -> 3, plus node 4 reachable only from 3
constexpr const char* kGraph =
    "c tiny test graph\n"
    "p sp 5 5\n"
    "c arcs\n"
    "a 1 2 100\r\n"
    "a 2 3 200\n"
    "a 3 1 300\n"
    "a 1 3 400\n"
    "a 3 4 50\n";

constexpr const char* kCoords =
    "p aux sp co 5\n"
    "v 1 7420000 43730000\n"
    "v 2 7421000 43730000\n"
    "v 3 7421000 43731000\n"
    "v 4 7422000 43731000\n"
    "v 5 7423000 43731000\n";

}  // namespace

TEST_CASE("dimacs: arcs, weights and coordinates") {
    TempDir dir;
    const auto gr = dir.write("tiny.gr", kGraph);
    dir.write("tiny.co", kCoords);
    LoadReport report;
    const world::RoadNetwork net = io::load_network(gr, &report);
    CHECK(report.format == "dimacs");
    CHECK(report.nodes_read == 5);
    CHECK(report.edges_read == 5);
    CHECK(report.nodes_kept == 3);
    CHECK(report.nodes_dropped == 2);  // 4 (one-way dead end) and 5 (isolated)
    CHECK(report.edges_kept == 4);
    CHECK(report.edges_dropped == 1);
    REQUIRE(net.node_count() == 3);
    const world::NodeId n1 = *net.find_external(1);
    const world::NodeId n2 = *net.find_external(2);
    const world::NodeId n3 = *net.find_external(3);
    const world::EdgeId e12 = net.find_edge(n1, n2);
    REQUIRE(e12 != world::kNoEdge);
    CHECK(net.length_m(e12) == 100.0);
    CHECK(net.speed_mps(e12) == doctest::Approx(13.89));
    CHECK(net.length_m(net.find_edge(n1, n3)) == 400.0);
    // 0.001 degree of longitude at 43.73 N is about 80.4 m, of latitude about 111.2 m
    const auto p1 = net.position(n1);
    const auto p2 = net.position(n2);
    const auto p3 = net.position(n3);
    CHECK(p2.x - p1.x == doctest::Approx(80.4).epsilon(0.01));
    CHECK(p3.y - p2.y == doctest::Approx(111.2).epsilon(0.01));
    CHECK(std::abs(p1.y - p2.y) < 1e-6);
    CHECK(report.nodes_without_coordinates == 0);
    CHECK(report.warnings.empty());
}

TEST_CASE("dimacs: without .co positions are zero; time weights") {
    TempDir dir;
    const auto gr = dir.write("time.gr", "p sp 2 2\na 1 2 600\na 2 1 300\n");
    io::DimacsOptions options;
    options.weight_is_time = true;  // tenths of a second
    options.default_speed_mps = 10.0;
    const auto net = io::load_dimacs(gr, std::nullopt, options);
    const auto e = net.find_edge(*net.find_external(1), *net.find_external(2));
    CHECK(net.travel_time_s(e) == doctest::Approx(60.0));
    CHECK(net.length_m(e) == doctest::Approx(600.0));
    CHECK(net.position(0).x == 0.0);
    // through load_network the report says so, naming the missing file
    LoadReport report;
    io::load_network(gr, &report);
    CHECK(report.nodes_without_coordinates == 2);
    REQUIRE(report.warnings.size() == 1);
    CHECK(report.warnings[0].find("no coordinates (no 'time.co' next to it): every node is at "
                                  "(0, 0)") == 0);
}

TEST_CASE("dimacs: malformed files give file:line: error: message") {
    struct Case {
        const char* text;
        const char* expected;  // after "path:"
    };
    const Case cases[] = {
        {"a 1 2 3\n", "1: error: arc before the problem line 'p sp <nodes> <arcs>'"},
        {"c only comments\n", " error: missing problem line 'p sp <nodes> <arcs>'"},
        {"", " error: missing problem line 'p sp <nodes> <arcs>'"},
        {"p sp 2 1\np sp 2 1\n", "2: error: duplicate problem line (first at line 1)"},
        {"p max 2 1\n", "1: error: malformed problem line (expected 'p sp <nodes> <arcs>')"},
        {"p sp two 1\n", "1: error: invalid node count 'two' (expected an integer)"},
        {"p sp 2 1\na 1 2\n", "2: error: malformed arc line (expected 'a <from> <to> <weight>')"},
        {"p sp 2 1\na 1 x 5\n", "2: error: invalid node id 'x' (expected an integer)"},
        {"p sp 2 1\nc\na 1 3 5\n", "3: error: node id 3 out of range 1..2"},
        {"p sp 2 1\na 0 1 5\n", "2: error: node id 0 out of range 1..2"},
        {"p sp 2 1\na 1 2 -5\n", "2: error: negative arc weight -5"},
        {"p sp 2 1\na 1 2 0\n", "2: error: zero arc weight (lengths must be positive)"},
        {"p sp 2 1\na 1 2 5.5\n", "2: error: invalid arc weight '5.5' (expected an integer)"},
        {"p sp 2 1\na 1 2 5\na 2 1 5\n",
         "3: error: more arcs than the 1 declared by the problem line"},
        {"p sp 2 3\na 1 2 5\na 2 1 5\n", "3: error: expected 3 arcs (problem line 1), found 2"},
        {"p sp 2 1\nx 1 2 5\n", "2: error: unknown line type 'x' (expected 'c', 'p' or 'a')"},
        // file bytes quoted in a message are escaped: no terminal escape sequence (issue 21)
        {"p sp 2 1\n\x1b[2J\x1b]0;owned\x07 1 2 5\n",
         "2: error: unknown line type '\\x1b[2J\\x1b]0;owned\\x07' (expected 'c', 'p' or 'a')"},
        {"p sp 2 1\na 1 2 99999999999999999999\n",
         "2: error: invalid arc weight '99999999999999999999' (expected an integer)"},
    };
    TempDir dir;
    for (const Case& c : cases) {
        const auto file = dir.write("bad.gr", c.text);
        CAPTURE(c.text);
        CHECK_THROWS_WITH_AS(io::load_network(file), (file.string() + ":" + c.expected).c_str(),
                             NetworkFileError);
    }
}

TEST_CASE("dimacs: malformed coordinate files") {
    struct Case {
        const char* text;
        const char* expected;
    };
    const Case cases[] = {
        {"v 1 1 1\n", "1: error: coordinate before the problem line 'p aux sp co <nodes>'"},
        {"p aux sp co 3\n", "1: error: coordinate file declares 3 nodes but the graph has 2"},
        {"p aux sp 2\n", "1: error: malformed problem line (expected 'p aux sp co <nodes>')"},
        {"p aux sp co 2\nv 1 1\n",
         "2: error: malformed coordinate line (expected 'v <id> <x> <y>')"},
        {"p aux sp co 2\nv 1 1 y\n", "2: error: invalid coordinate 'y' (expected an integer)"},
        {"p aux sp co 2\nv 9 1 1\n", "2: error: node id 9 out of range 1..2"},
        {"p aux sp co 2\nv 1 1 1\nv 1 1 1\n", "3: error: duplicate coordinates for node 1"},
        {"p aux sp co 2\nv 1 1 1\n", " error: missing coordinates for node 2"},
        {"p aux sp co 2\nv 1 190000000 1\n",
         "2: error: coordinate out of range for longitude/latitude x 1e6"},
    };
    TempDir dir;
    const auto gr = dir.write("g.gr", "p sp 2 2\na 1 2 5\na 2 1 5\n");
    for (const Case& c : cases) {
        const auto co = dir.write("g.co", c.text);
        CAPTURE(c.text);
        CHECK_THROWS_WITH_AS(io::load_network(gr), (co.string() + ":" + c.expected).c_str(),
                             NetworkFileError);
    }
}
