// GeoProjection (PROJ) against the loaders' own projection: scenario lat/lon must land where
// the loader put the map.
#include "io/network/geo.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "io/network/network_loader.hpp"
#include "io/network/road_tags.hpp"
#include "tests/io/network/test_files.hpp"

using namespace swarm;
using io::testing::TempDir;

TEST_CASE("geo: PROJ's eqc is the loaders' projection, to well under a millimetre") {
    for (const auto& [lon0, lat0] :
         {std::pair{7.42, 43.74}, {-122.4, 37.77}, {0.0, 0.0}, {151.2, -33.87}, {-179.9, 64.0}}) {
        const io::GeoProjection proj({lon0, lat0});
        const auto loader = io::detail::Projection::around(lon0, lat0);
        for (double dlat = -0.2; dlat <= 0.2; dlat += 0.05) {
            for (double dlon = -0.2; dlon <= 0.2; dlon += 0.05) {
                const double lat = lat0 + dlat;
                const double lon = lon0 + dlon;
                const world::Point a = proj.to_local(lat, lon);
                const world::Point b = loader(lon, lat);
                CAPTURE(lat);
                CAPTURE(lon);
                CHECK(std::fabs(a.x - b.x) < 1e-6);
                CHECK(std::fabs(a.y - b.y) < 1e-6);
                // and back
                const auto ll = proj.to_lat_lon(a);
                CHECK(std::fabs(ll[0] - lat) < 1e-10);
                CHECK(std::fabs(ll[1] - lon) < 1e-10);
            }
        }
    }
}

TEST_CASE("geo: the origin is (0, 0); a degree of latitude is R pi / 180 metres") {
    const io::GeoProjection proj({7.42, 43.74});
    const world::Point o = proj.to_local(43.74, 7.42);
    CHECK(std::fabs(o.x) < 1e-9);
    CHECK(std::fabs(o.y) < 1e-9);
    CHECK(proj.to_local(44.74, 7.42).y == doctest::Approx(io::detail::kEarthRadiusM * M_PI / 180));
    CHECK(proj.definition().find("+proj=eqc") == 0);
}

TEST_CASE("geo: loaders report the origin of a map read from lon/lat, none for metres") {
    TempDir dir;
    const auto geo = dir.write("geo.graphml", R"(<?xml version="1.0"?>
<graphml>
  <key id="lon" for="node" attr.name="lon"/>
  <key id="lat" for="node" attr.name="lat"/>
  <graph edgedefault="undirected">
    <node id="a"><data key="lon">7.42</data><data key="lat">43.73</data></node>
    <node id="b"><data key="lon">7.42</data><data key="lat">43.732</data></node>
    <node id="c"><data key="lon">7.424</data><data key="lat">43.732</data></node>
    <edge source="a" target="b"/>
    <edge source="b" target="c"/>
    <edge source="c" target="a"/>
  </graph>
</graphml>
)");
    io::LoadReport report;
    const auto net = io::load_network(geo, &report);
    REQUIRE(report.geographic);
    CHECK(report.origin_lon == doctest::Approx(7.422));
    CHECK(report.origin_lat == doctest::Approx(43.731));
    // node c through PROJ is where the loader put it
    const io::GeoProjection proj({report.origin_lon, report.origin_lat});
    const world::Point c = net.position(*net.find_external(2));
    const world::Point p = proj.to_local(43.732, 7.424);
    CHECK(std::fabs(c.x - p.x) < 1e-6);
    CHECK(std::fabs(c.y - p.y) < 1e-6);

    const auto metres = dir.write("m.graphml", R"(<?xml version="1.0"?>
<graphml>
  <key id="x" for="node" attr.name="x"/>
  <key id="y" for="node" attr.name="y"/>
  <graph edgedefault="undirected">
    <node id="a"><data key="x">0</data><data key="y">0</data></node>
    <node id="b"><data key="x">100</data><data key="y">0</data></node>
    <edge source="a" target="b"/>
  </graph>
</graphml>
)");
    io::LoadReport plain;
    (void)io::load_network(metres, &plain);
    CHECK_FALSE(plain.geographic);
}
