// Positions in a scenario: depots and disruption areas given in the network's metres (x/y)
// or, on a map read from longitude/latitude, as WGS84 lat/lon (projected through PROJ, as
// the loader projected the map: io/network/geo.hpp); areas also from a GeoJSON file. Points
// are snapped to the nearest node, refused beyond network.max_snap_m. Private to io/scenario
// (it takes toml++ types). docs/scenarios.md, "Positions".
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>

#include "agents/fleet/fleet_spec.hpp"
#include "agents/world/region.hpp"
#include "io/scenario/scenario.hpp"
#include "io/scenario/toml_reader.hpp"

namespace swarm::io::detail {

// a depot's node, x/y or lat/lon: exactly one of them, each checked (no network needed);
// sets d.node when given by id
void read_depot_position(const Reader& r, toml::table& t, const std::string& where,
                         agents::DepotSpec& d);

// depot nodes on the built network: node ids checked, positions snapped to the nearest node
// (s.snapped), lat/lon only on a geographic map, none farther than network.max_snap_m
void place_depots(const Reader& r, toml::table& root, const world::RoadNetwork& net, Scenario& s);

// A disruption's `area` table: x/y/radius_m, lat/lon/radius_m, polygon ([x, y] points),
// polygon_lon_lat ([lon, lat] points) or geojson (a file of Polygon/MultiPolygon, relative
// to the scenario). Checked without the network; the region needs it for lat/lon (nullopt
// when `net` is null and the area is geographic).
std::optional<world::Region> read_area(const Reader& r, toml::table& t, const std::string& where,
                                       const world::RoadNetwork* net, const Scenario& s);

}  // namespace swarm::io::detail
