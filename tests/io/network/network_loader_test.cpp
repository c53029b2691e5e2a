#include "io/network/network_loader.hpp"

#include <doctest/doctest.h>

#include "tests/io/network/test_files.hpp"

using swarm::io::load_network;
using swarm::io::LoadReport;
using swarm::io::NetworkFileError;
using swarm::io::testing::TempDir;

TEST_CASE("NetworkFileError formats path, line and message") {
    const NetworkFileError with_line("roads.gr", 12, "bad token");
    CHECK(std::string(with_line.what()) == "roads.gr:12: error: bad token");
    CHECK(with_line.line() == 12);
    CHECK(with_line.message() == "bad token");
    CHECK(with_line.file() == "roads.gr");
    const NetworkFileError without_line("city.osm.pbf", 0, "truncated");
    CHECK(std::string(without_line.what()) == "city.osm.pbf: error: truncated");
}

TEST_CASE("dispatch on the extension") {
    TempDir dir;
    const auto gr = dir.write("tiny.gr", "p sp 2 2\na 1 2 10\na 2 1 10\n");
    LoadReport report;
    CHECK(load_network(gr, &report).node_count() == 2);
    CHECK(report.format == "dimacs");

    const auto graphml = dir.write("tiny.graphml", R"(<?xml version="1.0"?>
<graphml><graph edgedefault="undirected"><node id="a"/><node id="b"/>
<key id="l" for="edge" attr.name="length"/>
<edge source="a" target="b"><data key="l">5</data></edge></graph></graphml>
)");
    CHECK(load_network(graphml, &report).edge_count() == 2);
    CHECK(report.format == "graphml");

    const auto osm = dir.write("tiny.osm", R"(<?xml version="1.0"?>
<osm version="0.6">
<node id="1" lat="43.7" lon="7.4"/><node id="2" lat="43.701" lon="7.4"/>
<way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
</osm>
)");
    CHECK(load_network(osm, &report).edge_count() == 2);
    CHECK(report.format == "osm-xml");

    const auto unknown = dir.write("roads.csv", "x");
    CHECK_THROWS_WITH_AS(
        load_network(unknown),
        (unknown.string() + ": error: unknown network file extension (expected .osm.pbf, .pbf, "
                            ".osm, .osm.xml, .gr, .graphml or .xml)")
            .c_str(),
        NetworkFileError);
}

TEST_CASE("missing files name the path") {
    TempDir dir;
    for (const char* name : {"absent.gr", "absent.graphml", "absent.osm.pbf", "absent.osm"}) {
        const auto file = dir.path() / name;
        CAPTURE(name);
        CHECK_THROWS_WITH_AS(
            load_network(file),
            (file.string() + ": error: cannot open file (No such file or directory)").c_str(),
            NetworkFileError);
    }
    const auto folder = dir.path() / "folder.gr";
    std::filesystem::create_directory(folder);
    CHECK_THROWS_WITH_AS(
        load_network(folder),
        (folder.string() + ": error: cannot open file (it is a directory)").c_str(),
        NetworkFileError);
}
