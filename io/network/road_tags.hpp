// Shared by the loaders (not public API): road class rules, projection, finishing a network.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "agents/world/road_network.hpp"
#include "io/network/network_loader.hpp"

namespace swarm::io::detail {

struct HighwayRule {
    world::RoadClass road_class;
    double default_speed_kmh;
};

// Drivable OSM highway values only; nullopt for everything else (footway, track, ...).
std::optional<HighwayRule> highway_rule(std::string_view highway);

// OSM maxspeed in km/h: "50", "50 mph", "30 knots", "50;30" (first); nullopt for "none",
// "walk", "signals", country codes like "FR:urban" and anything unparsable.
std::optional<double> parse_maxspeed_kmh(std::string_view value);

// Trimmed, lowercase-insensitive comparisons for yes/no style tag values.
bool is_true(std::string_view value);
bool is_false(std::string_view value);

inline constexpr double kEarthRadiusM = 6371008.8;

double haversine_m(double lon1, double lat1, double lon2, double lat2);

// Local equirectangular projection around (lon0, lat0): metres east and north.
struct Projection {
    double lon0 = 0.0;
    double lat0 = 0.0;
    double cos_lat0 = 1.0;
    static Projection around(double lon0, double lat0);
    world::Point operator()(double lon, double lat) const;
};

// Builds, keeps the largest strongly connected component and fills the report. Builder
// failures become NetworkFileError (line 0) naming the file.
world::RoadNetwork finish(world::RoadNetwork::Builder&& builder, const std::filesystem::path& file,
                          const std::string& format, LoadReport* report);

}  // namespace swarm::io::detail
