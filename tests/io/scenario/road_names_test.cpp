// Roads by OSM name or way id (io/scenario/road_names.hpp): the resolver, the listing, the
// scenario's `road` / `roads` keys and `swarmsim run --close/--slow` flags, on a small OSM
// file written here and on the Monaco extract of ../shared/data (skipped when absent).
#include "io/scenario/road_names.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "agents/world/generators.hpp"
#include "io/network/network_loader.hpp"
#include "io/scenario/scenario.hpp"

using namespace swarm;

namespace {

// 1 - 2 - 3 Rue Grimaldi (way 200, two-way), 3 -> 4 Rue Grimaldi (way 201, one-way),
// 4 - 5 - 1 Boulevard Albert 1er (way 202), 2 - 5 unnamed (way 204): strongly connected
constexpr const char* kTown = R"(<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="43.7300" lon="7.4200"/>
  <node id="2" lat="43.7310" lon="7.4200"/>
  <node id="3" lat="43.7320" lon="7.4200"/>
  <node id="4" lat="43.7320" lon="7.4215"/>
  <node id="5" lat="43.7305" lon="7.4215"/>
  <way id="200">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="secondary"/><tag k="name" v="Rue Grimaldi"/>
  </way>
  <way id="201">
    <nd ref="3"/><nd ref="4"/>
    <tag k="highway" v="secondary"/><tag k="name" v="Rue Grimaldi"/><tag k="oneway" v="yes"/>
  </way>
  <way id="202">
    <nd ref="4"/><nd ref="5"/><nd ref="1"/>
    <tag k="highway" v="primary"/><tag k="name" v="Boulevard Albert 1er"/>
  </way>
  <way id="204">
    <nd ref="2"/><nd ref="5"/>
    <tag k="highway" v="residential"/>
  </way>
</osm>
)";

std::filesystem::path temp(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           ("swarm_roads_" + std::to_string(::getpid()) + "_" + name);
}

std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto p = temp(name);
    std::ofstream(p) << text;
    return p;
}

world::RoadNetwork town() {
    const auto file = write("town.osm", kTown);
    world::RoadNetwork net = io::load_network(file);
    std::filesystem::remove(file);
    return net;
}

std::string error_of(const world::RoadNetwork& net, const std::string& ref) {
    try {
        (void)io::find_road(net, ref);
    } catch (const io::RoadNotFound& e) {
        return e.what();
    }
    return "(no error)";
}

std::string scenario_text(const std::string& network, const std::string& disruption) {
    return "schema_version = 1\n[run]\nduration_s = 600.0\nthreads = 1\n[network]\nfile = \"" +
           network +
           "\"\n[[depots]]\nid = \"d\"\nnode = 0\n[[vehicle_types]]\nid = \"van\"\n"
           "[[fleets]]\nid = \"vans\"\ntype = \"van\"\ncount = 2\nhome = \"d\"\n" +
           disruption;
}

}  // namespace

TEST_CASE("a road by name is every edge of that name, over all its ways") {
    const world::RoadNetwork net = town();
    REQUIRE(net.edge_count() == 11);
    const io::Road r = io::find_road(net, "Rue Grimaldi");
    CHECK(r.name == "Rue Grimaldi");
    CHECK(r.edges.size() == 5);  // 1-2, 2-3 both ways, 3 -> 4
    CHECK(std::is_sorted(r.edges.begin(), r.edges.end()));
    CHECK(r.ways == std::vector<std::uint64_t>{200, 201});
    for (const world::EdgeId e : r.edges) {
        CHECK(net.name(net.name_id(e)) == "Rue Grimaldi");
    }
    // each segment once: 111 m + 111 m north, 121 m east at 43.73 deg
    CHECK(r.length_m == doctest::Approx(2 * 111.2 + 120.7).epsilon(0.01));
}

TEST_CASE("a road by way id is every edge of that way") {
    const world::RoadNetwork net = town();
    const io::Road r = io::find_road(net, "way:202");
    CHECK(r.name == "Boulevard Albert 1er");
    CHECK(r.edges.size() == 4);
    CHECK(r.ways == std::vector<std::uint64_t>{202});
    const io::Road unnamed = io::find_road(net, "way:204");
    CHECK(unnamed.name.empty());
    CHECK(unnamed.edges.size() == 2);
    CHECK(io::parse_way_ref("way:42") == 42U);
    CHECK_FALSE(io::parse_way_ref("way:4x").has_value());
    CHECK_FALSE(io::parse_way_ref("42").has_value());
}

TEST_CASE("an unknown road is refused with the closest names") {
    const world::RoadNetwork net = town();
    CHECK(error_of(net, "Boulevard Albert 1") ==
          "no road named 'Boulevard Albert 1' in the network (did you mean 'Boulevard Albert "
          "1er'?)");
    // case is a typo too
    CHECK(error_of(net, "rue grimaldi").find("did you mean 'Rue Grimaldi'?") != std::string::npos);
    // a word of a name: the names that hold it
    CHECK(error_of(net, "albert") ==
          "no road named 'albert' in the network (roads containing it: 'Boulevard Albert 1er')");
    CHECK(error_of(net, "Nowhere Lane") == "no road named 'Nowhere Lane' in the network");
    CHECK(error_of(net, "way:999").find("no edge of OSM way 999") == 0);
    CHECK(error_of(net, "way:x").find("a way is way:ID with a number") != std::string::npos);
    // a generated city has names but no ways
    const world::RoadNetwork grid = world::make_grid_city({});
    CHECK_NOTHROW((void)io::find_road(grid, "Street 2"));
    CHECK(error_of(grid, "way:1").find("no OSM way ids") != std::string::npos);
}

TEST_CASE("search lists roads by part of the name, any case, or by way") {
    const world::RoadNetwork net = town();
    const std::vector<io::Road> all = io::search_roads(net, "");
    REQUIRE(all.size() == 2);  // the named roads, sorted
    CHECK(all[0].name == "Boulevard Albert 1er");
    CHECK(all[1].name == "Rue Grimaldi");
    const std::vector<io::Road> g = io::search_roads(net, "GRIMALDI");
    REQUIRE(g.size() == 1);
    CHECK(g[0].ways.size() == 2);
    CHECK(g[0].edges.size() == 5);
    // a way: its own edges only, by number or way:ID
    const std::vector<io::Road> w = io::search_roads(net, "way:200");
    REQUIRE(w.size() == 1);
    CHECK(w[0].edges.size() == 4);
    const std::vector<io::Road> u = io::search_roads(net, "204");
    REQUIRE(u.size() == 1);
    CHECK(u[0].name.empty());
    CHECK(io::search_roads(net, "Quai").empty());
}

TEST_CASE("scenario road and roads keys close named roads and ways") {
    const auto map = write("map.osm", kTown);
    const std::string both = R"([[disruptions]]
id = "x"
kind = "close_roads"
roads = ["Rue Grimaldi", "way:202"]
)";
    const io::Scenario s = io::parse_scenario(scenario_text(map.string(), both), temp("s.toml"));
    REQUIRE(s.spec.disruptions.size() == 1);
    CHECK(s.spec.disruptions[0].action.edges.size() == 9);
    const std::string one = R"([[disruptions]]
id = "x"
kind = "slow_roads"
speed_factor = 0.5
road = "way:201"
)";
    const io::Scenario s1 = io::parse_scenario(scenario_text(map.string(), one), temp("s.toml"));
    CHECK(s1.spec.disruptions[0].action.edges.size() == 1);
    // unknown: file:line:col of the value, and the suggestion
    const std::string bad = R"([[disruptions]]
id = "x"
kind = "close_roads"
roads = ["Rue Grimaldi", "Boulevard Albert 1"]
)";
    const std::string text = scenario_text(map.string(), bad);
    try {
        (void)io::parse_scenario(text, "bad.toml");
        FAIL("an unknown road was accepted");
    } catch (const io::ScenarioError& e) {
        CHECK(e.line() == 20);
        CHECK(e.message() ==
              "disruptions[0].roads: no road named 'Boulevard Albert 1' in the network (did you "
              "mean 'Boulevard Albert 1er'?)");
    }
    // an empty list, two ways of naming roads at once, a number
    for (const std::string& wrong :
         {std::string("roads = []"), std::string("roads = [\"Rue Grimaldi\"]\nedges = [1]"),
          std::string("roads = [3]")}) {
        CHECK_THROWS_AS(
            (void)io::parse_scenario(
                scenario_text(map.string(), "[[disruptions]]\nid = \"x\"\n" + wrong), "bad.toml"),
            io::ScenarioError);
    }
    std::filesystem::remove(map);
}

TEST_CASE("run --close and --slow flags: parsed, added as disruptions, errors name the flag") {
    const io::RoadFlag c = io::parse_road_flag("--close", "Rue Grimaldi@600+300");
    CHECK(c.road == "Rue Grimaldi");
    CHECK(c.at_s == 600.0);
    CHECK(c.duration_s == 300.0);
    CHECK(c.speed_factor == 0.0);
    CHECK(c.flag == "--close Rue Grimaldi@600+300");
    const io::RoadFlag s = io::parse_road_flag("--slow", "way:202=0.25@90");
    CHECK(s.road == "way:202");
    CHECK(s.speed_factor == 0.25);
    CHECK(s.at_s == 90.0);
    // '@' not followed by a time belongs to the name
    CHECK(io::parse_road_flag("--close", "Café @ Port").road == "Café @ Port");
    CHECK_THROWS_AS((void)io::parse_road_flag("--slow", "Rue Grimaldi"), std::invalid_argument);
    CHECK_THROWS_AS((void)io::parse_road_flag("--slow", "Rue Grimaldi=1.5"), std::invalid_argument);
    CHECK_THROWS_AS((void)io::parse_road_flag("--close", "@600"), std::invalid_argument);
    CHECK_THROWS_AS((void)io::parse_road_flag("--close", "X@600+0"), std::invalid_argument);

    const auto map = write("map2.osm", kTown);
    const std::string text = scenario_text(map.string(), "");
    io::ScenarioOptions o;
    o.road_flags = {c, s, io::parse_road_flag("--close", "3")};
    const io::Scenario sc = io::parse_scenario(text, temp("f.toml"), o);
    REQUIRE(sc.spec.disruptions.size() == 3);
    CHECK(sc.spec.disruptions[0].action.kind == agents::DisruptionKind::kCloseRoads);
    CHECK(sc.spec.disruptions[0].action.edges.size() == 5);
    CHECK(sc.spec.disruptions[0].at_s == 600.0);
    CHECK(sc.spec.disruptions[0].duration_s == 300.0);
    CHECK(sc.spec.disruptions[0].action.label == "Rue Grimaldi closed (command line)");
    CHECK(sc.spec.disruptions[1].action.kind == agents::DisruptionKind::kSlowRoads);
    CHECK(sc.spec.disruptions[1].action.speed_factor == 0.25);
    CHECK(sc.spec.disruptions[1].action.edges.size() == 4);
    CHECK(sc.spec.disruptions[2].action.edges == std::vector<world::EdgeId>{3});
    // the resolved document (stored in traces) holds them
    CHECK(sc.resolved_toml.find("Rue Grimaldi closed (command line)") != std::string::npos);

    o.road_flags = {io::parse_road_flag("--close", "Rue Grimaldy@10")};
    try {
        (void)io::parse_scenario(text, temp("f.toml"), o);
        FAIL("an unknown road was accepted");
    } catch (const io::ScenarioError& e) {
        CHECK(std::string(e.what()) ==
              "--close Rue Grimaldy@10: error: no road named 'Rue Grimaldy' in the network (did "
              "you mean 'Rue Grimaldi'?)");
    }
    std::filesystem::remove(map);
}

TEST_CASE("monaco: roads by name and way id on the real map") {
    const std::filesystem::path monaco = SWARM_MONACO_PBF;
    if (!std::filesystem::exists(monaco)) {
        MESSAGE("skipped: " << monaco.string() << " not found (../shared/data)");
        return;
    }
    const world::RoadNetwork net = io::load_network(monaco);
    REQUIRE(net.has_way_ids());
    const std::vector<io::Road> found = io::search_roads(net, "albert");
    const auto it = std::find_if(found.begin(), found.end(), [](const io::Road& r) {
        return r.name == "Boulevard Albert 1er";
    });
    REQUIRE(it != found.end());
    const io::Road& boulevard = *it;
    MESSAGE("monaco: '" << boulevard.name << "': " << boulevard.edges.size() << " edges, "
                        << boulevard.ways.size() << " ways, " << boulevard.length_m << " m");
    CHECK(boulevard.edges.size() >= 4);
    CHECK(boulevard.length_m > 300.0);
    CHECK(boulevard.length_m < 2000.0);
    // by name and by each of its ways: the same edges
    const io::Road by_name = io::find_road(net, boulevard.name);
    CHECK(by_name.edges == boulevard.edges);
    std::vector<world::EdgeId> by_ways;
    for (const std::uint64_t w : boulevard.ways) {
        const io::Road r = io::find_road(net, "way:" + std::to_string(w));
        by_ways.insert(by_ways.end(), r.edges.begin(), r.edges.end());
    }
    std::sort(by_ways.begin(), by_ways.end());
    CHECK(by_ways == boulevard.edges);
    CHECK(error_of(net, "Boulevard Albert 1").find("did you mean 'Boulevard Albert 1er'?") !=
          std::string::npos);
}
