#include <doctest/doctest.h>

#include <string>

#include "io/network/network_loader.hpp"
#include "tests/io/network/test_files.hpp"

using namespace swarm;
using io::LoadReport;
using io::NetworkFileError;
using io::testing::TempDir;

namespace {

// A little town: a two-way primary (1-2-3), a one-way residential loop back (3-4-1), a
// reverse one-way (4 -> 5 -> 4 only with -1 and a normal street), a private drive, a
// footway, and a roundabout.
constexpr const char* kTown = R"(<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="43.7300" lon="7.4200"/>
  <node id="2" lat="43.7310" lon="7.4200"/>
  <node id="3" lat="43.7320" lon="7.4200"/>
  <node id="4" lat="43.7320" lon="7.4210"/>
  <node id="5" lat="43.7330" lon="7.4210"/>
  <node id="6" lat="43.7340" lon="7.4210"/>
  <node id="7" lat="43.7340" lon="7.4220"/>
  <node id="8" lat="43.7335" lon="7.4215"/>
  <way id="100">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="primary"/><tag k="name" v="Boulevard"/><tag k="maxspeed" v="70"/>
  </way>
  <way id="101">
    <nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="yes"/>
  </way>
  <way id="102">
    <nd ref="5"/><nd ref="4"/>
    <tag k="highway" v="tertiary"/><tag k="oneway" v="-1"/><tag k="maxspeed" v="20 mph"/>
  </way>
  <way id="103">
    <nd ref="5"/><nd ref="4"/>
    <tag k="highway" v="living_street"/><tag k="maxspeed" v="FR:urban"/>
  </way>
  <way id="104">
    <nd ref="5"/><nd ref="6"/>
    <tag k="highway" v="service"/><tag k="access" v="private"/>
  </way>
  <way id="105">
    <nd ref="6"/><nd ref="7"/>
    <tag k="highway" v="footway"/>
  </way>
  <way id="106">
    <nd ref="5"/><nd ref="8"/><nd ref="6"/><nd ref="5"/>
    <tag k="highway" v="unclassified"/><tag k="junction" v="roundabout"/>
  </way>
</osm>
)";

}  // namespace

TEST_CASE("osm xml: drivable ways, one-way rules, speeds") {
    TempDir dir;
    const auto file = dir.write("town.osm", kTown);
    LoadReport report;
    const world::RoadNetwork net = io::load_network(file, &report);
    CHECK(report.format == "osm-xml");
    // nodes 1..6 and 8 are on drivable ways; 7 only on the footway
    CHECK(report.nodes_read == 7);
    // primary 2 segments x2, residential 2, tertiary 1, living 1 x2, roundabout 3
    CHECK(report.edges_read == 12);
    CHECK(report.nodes_dropped == 0);
    CHECK(net.node_count() == 7);
    CHECK_FALSE(net.find_external(7).has_value());

    auto id = [&](std::uint64_t osm) { return *net.find_external(osm); };
    const auto e12 = net.find_edge(id(1), id(2));
    REQUIRE(e12 != world::kNoEdge);
    CHECK(net.find_edge(id(2), id(1)) != world::kNoEdge);
    CHECK(net.road_class(e12) == world::RoadClass::kPrimary);
    CHECK(net.speed_mps(e12) == doctest::Approx(70 / 3.6));
    CHECK(net.name(net.name_id(e12)) == "Boulevard");
    CHECK(net.length_m(e12) == doctest::Approx(111.2).epsilon(0.01));  // 0.001 deg latitude
    // each edge keeps the way it was cut from, both directions and past the SCC step
    CHECK(net.has_way_ids());
    CHECK(net.way_id(e12) == 100);
    CHECK(net.way_id(net.find_edge(id(2), id(1))) == 100);
    CHECK(net.way_id(net.find_edge(id(3), id(4))) == 101);
    CHECK(net.way_id(net.find_edge(id(5), id(8))) == 106);

    // oneway=yes: 3 -> 4 only
    CHECK(net.find_edge(id(3), id(4)) != world::kNoEdge);
    CHECK(net.find_edge(id(4), id(3)) == world::kNoEdge);
    CHECK(net.speed_mps(net.find_edge(id(3), id(4))) == doctest::Approx(30 / 3.6));

    // oneway=-1 on 5 -> 4 means 4 -> 5, at 20 mph; the living street adds both ways at 10
    // km/h (FR:urban falls back to the class default)
    const auto e45 = net.find_edge(id(4), id(5));
    REQUIRE(e45 != world::kNoEdge);
    CHECK(net.speed_mps(e45) == doctest::Approx(20 * 1.609344 / 3.6));
    CHECK(net.road_class(e45) == world::RoadClass::kTertiary);
    CHECK(net.speed_mps(net.find_edge(id(5), id(4))) == doctest::Approx(10 / 3.6));

    // private service road 5-6 skipped; roundabout implied one-way 5 -> 8 -> 6 -> 5
    CHECK(net.find_edge(id(5), id(8)) != world::kNoEdge);
    CHECK(net.find_edge(id(8), id(5)) == world::kNoEdge);
    CHECK(net.find_edge(id(6), id(5)) != world::kNoEdge);
    CHECK(net.find_edge(id(5), id(6)) == world::kNoEdge);

    // projected around the centre: x east, y north in metres
    CHECK(net.position(id(2)).y > net.position(id(1)).y);
    CHECK(net.position(id(4)).x > net.position(id(3)).x);
    CHECK(net.bounds().min.x < 0.0);
    CHECK(net.bounds().max.x > 0.0);
}

TEST_CASE("osm xml: dropped parts are reported") {
    TempDir dir;
    // 1 <-> 2 two-way; 2 -> 3 one-way dead end
    const auto file = dir.write("dead_end.osm.xml", R"(<?xml version="1.0"?>
<osm version="0.6">
<node id="1" lat="0.0" lon="0.0"/><node id="2" lat="0.001" lon="0.0"/>
<node id="3" lat="0.002" lon="0.0"/>
<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
<way id="2"><nd ref="2"/><nd ref="3"/><tag k="highway" v="motorway"/></way>
</osm>
)");
    LoadReport report;
    const auto net = io::load_network(file, &report);
    CHECK(net.node_count() == 2);
    CHECK(report.nodes_read == 3);
    CHECK(report.nodes_dropped == 1);
    CHECK(report.edges_read == 3);
    CHECK(report.edges_dropped == 1);
}

TEST_CASE("osm: malformed files give file:line: error: message") {
    struct Case {
        const char* name;
        const char* text;
        const char* expected;
    };
    const Case cases[] = {
        {"broken.osm", "<?xml version=\"1.0\"?>\n<osm version=\"0.6\">\n<node id=\"1\"\n",
         "3: error: malformed OSM XML: unclosed token"},
        {"mismatch.osm",
         "<?xml version=\"1.0\"?>\n<osm version=\"0.6\">\n<way id=\"1\">\n</node>\n</osm>\n",
         "4: error: malformed OSM XML: mismatched tag"},
        {"empty.osm", "<?xml version=\"1.0\"?>\n<osm version=\"0.6\">\n</osm>\n",
         " error: no drivable roads found"},
        // coordinates out of range are refused before libosmium converts them (1e308
        // overflowed there, caught by UBSan, and loaded a node 298 km away: issue 21)
        {"huge.osm",
         "<?xml version=\"1.0\"?>\n<osm version=\"0.6\">\n<node id=\"1\" lat=\"43.73\" "
         "lon=\"7.42\"/>\n<node id=\"2\" lat=\"1e308\" lon=\"7.42\"/>\n</osm>\n",
         "4: error: <node id=\"2\">: lat=\"1e308\" is not a latitude (a number from -90 to 90)"},
        {"lon.osm",
         "<?xml version=\"1.0\"?>\n<osm version=\"0.6\">\n<node id=\"7\" lat=\"43.73\" "
         "lon=\"-180.5\"/>\n</osm>\n",
         "3: error: <node id=\"7\">: lon=\"-180.5\" is not a longitude (a number from -180 to "
         "180)"},
        {"nan.osm",
         "<?xml version=\"1.0\"?>\n<osm version=\"0.6\">\n<node id=\"7\" lat=\"nan\" "
         "lon=\"7\"/>\n</osm>\n",
         "3: error: <node id=\"7\">: lat=\"nan\" is not a latitude (a number from -90 to 90)"},
        {"garbage.osm.pbf", "this is not a protocol buffer at all",
         " error: cannot read OSM data: PBF error: invalid BlobHeader size (> "
         "max_blob_header_size)"},
    };
    TempDir dir;
    for (const Case& c : cases) {
        const auto file = dir.write(c.name, c.text);
        CAPTURE(c.name);
        CHECK_THROWS_WITH_AS(io::load_network(file), (file.string() + ":" + c.expected).c_str(),
                             NetworkFileError);
    }
}
