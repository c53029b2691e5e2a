// io/scenario positions (scenario_places.cpp): depots and disruption areas in lat/lon on a
// geographic map, GeoJSON areas, snapping and its limit, and every bad value refused with
// file:line:col.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agents/world/region.hpp"
#include "io/network/geo.hpp"
#include "io/scenario/scenario.hpp"

namespace {

namespace fs = std::filesystem;
using namespace swarm;

// a 5 x 5 grid of two-way streets every 0.001 degree around (43.73 N, 7.42 E)
std::string grid_graphml() {
    std::string out = R"(<?xml version="1.0"?>
<graphml>
  <key id="lon" for="node" attr.name="lon"/>
  <key id="lat" for="node" attr.name="lat"/>
  <graph edgedefault="undirected">
)";
    for (int r = 0; r < 5; ++r) {
        for (int c = 0; c < 5; ++c) {
            out += "<node id=\"" + std::to_string(r * 5 + c) + "\"><data key=\"lon\">" +
                   std::to_string(7.42 + 0.001 * c) + "</data><data key=\"lat\">" +
                   std::to_string(43.73 + 0.001 * r) + "</data></node>\n";
        }
    }
    for (int r = 0; r < 5; ++r) {
        for (int c = 0; c < 5; ++c) {
            const int n = r * 5 + c;
            if (c + 1 < 5) {
                out += "<edge source=\"" + std::to_string(n) + "\" target=\"" +
                       std::to_string(n + 1) + "\"/>\n";
            }
            if (r + 1 < 5) {
                out += "<edge source=\"" + std::to_string(n) + "\" target=\"" +
                       std::to_string(n + 5) + "\"/>\n";
            }
        }
    }
    return out + "</graph>\n</graphml>\n";
}

class Dir {
  public:
    Dir() {
        std::string p = (fs::temp_directory_path() / "swarm_places_XXXXXX").string();
        REQUIRE(mkdtemp(p.data()) != nullptr);
        path_ = p;
        write("map.graphml", grid_graphml());
    }
    ~Dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    Dir(const Dir&) = delete;
    Dir& operator=(const Dir&) = delete;
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name, std::ios::binary) << text;
        return path_ / name;
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

// one depot (lines 6-8: the depot's position on line 8) on the map, plus `extra`
std::string scenario(const std::string& depot_position, const std::string& extra = "") {
    return "schema_version = 1\n[run]\nduration_s = 60.0\n[network]\nfile = \"map.graphml\"\n"
           "[[depots]]\nid = \"a\"\n" +
           depot_position + "\n[[vehicle_types]]\nid = \"van\"\n[[fleets]]\nid = \"v\"\n" +
           "type = \"van\"\ncount = 2\nhome = \"a\"\n" + extra;
}

io::Scenario load(const Dir& d, const std::string& text,
                  const std::vector<std::string>& overrides = {}, bool build = true) {
    const fs::path f = d.write("s.toml", text);
    io::ScenarioOptions o;
    o.overrides = overrides;
    o.build_network = build;
    return io::load_scenario(f, o);
}

std::string error_of(const Dir& d, const std::string& text,
                     const std::vector<std::string>& overrides = {}) {
    try {
        (void)load(d, text, overrides);
    } catch (const io::ScenarioError& e) {
        return e.what();
    }
    return "";
}

const std::string kArea = "[[disruptions]]\nid = \"x\"\nkind = \"close_roads\"\nat_s = 10.0\n";

}  // namespace

TEST_CASE("places: a lat/lon depot is put on the nearest node, the distance reported") {
    const Dir d;
    // node 12: row 2, column 2 (43.732 N, 7.422 E); 0.0001 degree of latitude north of it
    const io::Scenario s = load(d, scenario("lat = 43.7321\nlon = 7.422"));
    REQUIRE(s.network_settings.origin);
    REQUIRE(s.snapped.size() == 1);
    const io::SnappedPoint& p = s.snapped[0];
    CHECK(p.what == "depots[0] 'a'");
    CHECK(p.geographic);
    CHECK(p.lat == 43.7321);
    CHECK(s.network->external_id(p.node) == 12);
    CHECK(s.spec.depots[0].node == p.node);
    CHECK(p.distance_m == doctest::Approx(11.12).epsilon(0.01));
    // the same place in metres lands on the same node
    const io::GeoProjection proj(*s.network_settings.origin);
    const world::Point m = proj.to_local(43.7321, 7.422);
    const io::Scenario xy =
        load(d, scenario("x = " + std::to_string(m.x) + "\ny = " + std::to_string(m.y)));
    CHECK(xy.spec.depots[0].node == p.node);
    CHECK_FALSE(xy.snapped[0].geographic);
    CHECK(xy.snapped[0].distance_m == doctest::Approx(p.distance_m).epsilon(1e-3));
}

TEST_CASE("places: a point too far from every road is refused with file, line and coordinates") {
    const Dir d;
    const std::string far = scenario("lat = 43.75\nlon = 7.42");  // 2 km north of the grid
    const std::string e = error_of(d, far);
    CHECK(e.find("s.toml:8:7: error: depots[0] 'a' at lat 43.75, lon 7.42 is 1") !=
          std::string::npos);
    CHECK(e.find("m from the nearest road node") != std::string::npos);
    CHECK(e.find("network.max_snap_m = 500 m") != std::string::npos);
    // the limit is a setting
    CHECK(error_of(d, far, {"network.max_snap_m=5000"}).empty());
    CHECK(error_of(d, far, {"network.max_snap_m=0"}).find("network.max_snap_m must be > 0") !=
          std::string::npos);
    // x/y are the network's own frame: the nearest node, however far (reported)
    const io::Scenario xy = load(d, scenario("x = 0.0\ny = 3000.0"));
    CHECK(xy.snapped[0].distance_m > 2000.0);
}

TEST_CASE("places: bad depot positions") {
    const Dir d;
    CHECK(error_of(d, scenario("lat = 91.0\nlon = 7.42"))
              .find("s.toml:8:7: error: depots[0].lat "
                    "must be <= 90") != std::string::npos);
    CHECK(
        error_of(d, scenario("lat = 43.73\nlon = -181.0")).find("depots[0].lon must be >= -180") !=
        std::string::npos);
    CHECK(error_of(d, scenario("lat = 43.73")).find("depots[0]: missing key 'lon'") !=
          std::string::npos);
    CHECK(error_of(d, scenario("lat = \"43.73\"\nlon = 7.42"))
              .find("depots[0].lat must be a number, not a string") != std::string::npos);
    CHECK(error_of(d, scenario("lat = 43.73\nlon = 7.42\nx = 1.0"))
              .find(".lat: give one of node, x/y or lat/lon, not several") != std::string::npos);
    CHECK(error_of(d, scenario("node = 1\nlat = 43.73\nlon = 7.42"))
              .find(".lat: give one of node, x/y or lat/lon, not several") != std::string::npos);
    // a map in metres has no latitude
    const std::string grid =
        "schema_version = 1\n[network]\ngenerator = \"grid_city\"\n[[depots]]\nid = \"a\"\n"
        "lat = 43.73\nlon = 7.42\n[[vehicle_types]]\nid = \"van\"\n[[fleets]]\nid = \"v\"\n"
        "type = \"van\"\ncount = 2\nhome = \"a\"\n";
    const std::string e = error_of(d, grid);
    CHECK(e.find("s.toml:6:7: error: depots[0].lat/lon: latitude/longitude need a map read from "
                 "geographic coordinates") != std::string::npos);
    CHECK(e.find("network.generator 'grid_city' is laid out in metres: give x/y") !=
          std::string::npos);
}

TEST_CASE("places: disruption areas in lat/lon, as a polygon and from GeoJSON") {
    const Dir d;
    const std::string depot = "lat = 43.73\nlon = 7.42";
    // a circle of 60 m around node 12 holds its four streets, both ways
    const io::Scenario c =
        load(d, scenario(depot, kArea + "area = { lat = 43.732, lon = 7.422, radius_m = 60.0 }\n"));
    REQUIRE(c.spec.disruptions.size() == 1);
    CHECK(c.spec.disruptions[0].action.edges.size() == 8);
    // the square around row/column 1..3: the polygon in TOML and the same in GeoJSON agree
    const std::string square =
        "[[7.4205, 43.7305], [7.4235, 43.7305], [7.4235, 43.7335], "
        "[7.4205, 43.7335]]";
    const io::Scenario p =
        load(d, scenario(depot, kArea + "area = { polygon_lon_lat = " + square + " }\n"));
    const std::vector<world::EdgeId>& in_square = p.spec.disruptions[0].action.edges;
    CHECK(!in_square.empty());
    d.write("sq.geojson", R"({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[7.4205, 43.7305],
        [7.4235, 43.7305], [7.4235, 43.7335], [7.4205, 43.7335], [7.4205, 43.7305]]]}}]})");
    const io::Scenario g =
        load(d, scenario(depot, kArea + "area = { geojson = \"sq.geojson\" }\n"));
    CHECK(g.spec.disruptions[0].action.edges == in_square);
    // a hole around node 12 leaves it out; a second part adds node 0, in the corner
    d.write("holed.geojson", R"({"type": "MultiPolygon", "coordinates": [
        [[[7.4205, 43.7305], [7.4235, 43.7305], [7.4235, 43.7335], [7.4205, 43.7335],
          [7.4205, 43.7305]],
         [[7.4215, 43.7315], [7.4225, 43.7315], [7.4225, 43.7325], [7.4215, 43.7325],
          [7.4215, 43.7315]]],
        [[[7.4195, 43.7295], [7.4205, 43.7295], [7.4205, 43.7304], [7.4195, 43.7304],
          [7.4195, 43.7295]]]]})");
    const io::Scenario h =
        load(d, scenario(depot, kArea + "area = { geojson = \"holed.geojson\" }\n"));
    const std::vector<world::EdgeId>& holed = h.spec.disruptions[0].action.edges;
    const world::NodeId n12 = *h.network->find_external(12);
    const world::NodeId n0 = *h.network->find_external(0);
    const auto touches = [&](const std::vector<world::EdgeId>& es, world::NodeId n) {
        return std::any_of(es.begin(), es.end(), [&](world::EdgeId e) {
            return h.network->source(e) == n || h.network->target(e) == n;
        });
    };
    const world::Region& holed_area = *h.spec.disruptions[0].action.area;
    CHECK(holed_area.ring_ends().size() == 3);
    CHECK_FALSE(holed_area.contains(h.network->position(n12)));
    CHECK(holed_area.contains(h.network->position(*h.network->find_external(6))));
    CHECK(holed_area.contains(h.network->position(n0)));
    CHECK_FALSE(touches(in_square, n0));
    CHECK(touches(holed, n0));
    // checked without a network too (batch validation): nothing to project, no error
    CHECK_NOTHROW((void)load(d, scenario(depot, kArea + "area = { geojson = \"holed.geojson\" }\n"),
                             {}, false));
}

TEST_CASE("places: bad areas and bad GeoJSON are refused, naming the file and what is wrong") {
    const Dir d;
    const std::string depot = "lat = 43.73\nlon = 7.42";
    const auto area_error = [&](const std::string& area) {
        return error_of(d, scenario(depot, kArea + "area = " + area + "\n"));
    };
    CHECK(area_error("{ lat = 43.732, lon = 7.422 }")
              .find("disruptions[0].area: missing key 'radius_m'") != std::string::npos);
    CHECK(area_error("{ lat = 95.0, lon = 7.422, radius_m = 5.0 }").find("s.toml:21:") !=
          std::string::npos);
    CHECK(area_error("{ lat = 43.7, lon = 7.4, radius_m = 5.0, x = 1.0, y = 1.0 }")
              .find("give one of x/y, lat/lon, polygon, polygon_lon_lat or geojson") !=
          std::string::npos);
    CHECK(area_error("{ polygon_lon_lat = [[7.42, 43.73], [7.43, 43.73], [7.43, 95.0]] }")
              .find("[7.43, 95] is not a [longitude, latitude] point") != std::string::npos);
    CHECK(area_error("{ polygon_lon_lat = [[7.42, 43.73], [7.43, 43.73]] }")
              .find("at least 3 [lon, lat] points") != std::string::npos);
    const auto geojson_error = [&](const std::string& text) {
        d.write("bad.geojson", text);
        return area_error("{ geojson = \"bad.geojson\" }");
    };
    const std::string bad = (d.path() / "bad.geojson").lexically_normal().string();
    std::string e = geojson_error("{\"type\": \"Polygon\",\n \"coordinates\": [[[7.42, 43.73],]]}");
    CHECK(e.find("s.toml:21:") != std::string::npos);
    CHECK(e.find("disruptions[0].area.geojson '" + bad + "': not JSON: parse error at line 2") !=
          std::string::npos);
    e = geojson_error(R"({"type": "Point", "coordinates": [7.42, 43.73]})");
    CHECK(e.find("(top): geometry type \"Point\" is not an area (Polygon or MultiPolygon)") !=
          std::string::npos);
    e = geojson_error(R"({"type": "Feature", "geometry": {"type": "Polygon", "coordinates":
        [[[7.42, 43.73], [200, 43.73], [7.43, 43.74], [7.42, 43.73]]]}})");
    CHECK(e.find("(top).geometry.coordinates[0][1]: longitude 200 is not in -180..180") !=
          std::string::npos);
    e = geojson_error(R"({"type": "Polygon", "coordinates":
        [[[7.42, 43.73], [7.43, 43.73], [7.43, 43.74], [7.42, 43.74]]]})");
    CHECK(e.find("coordinates[0]: a linear ring must end where it starts (closed)") !=
          std::string::npos);
    e = geojson_error(R"({"type": "FeatureCollection", "features": []})");
    CHECK(e.find("features: a FeatureCollection needs a non-empty \"features\" array") !=
          std::string::npos);
    e = geojson_error(R"({"type": "Polygon", "coordinates": [[["a", 43.73]]]})");
    CHECK(e.find("coordinates[0][0]: a position must be [longitude, latitude] (numbers)") !=
          std::string::npos);
    e = area_error("{ geojson = \"missing.geojson\" }");
    CHECK(e.find("missing.geojson' does not exist or cannot be read") != std::string::npos);
    // an area that holds no road
    e = area_error("{ lat = 43.70, lon = 7.42, radius_m = 50.0 }");
    CHECK(e.find("disruptions[0].area holds no road of the network") != std::string::npos);
}
