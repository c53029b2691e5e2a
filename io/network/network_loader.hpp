// Road network files: OSM PBF/XML, DIMACS 9th challenge .gr (+ .co), GraphML.
// Every loader keeps the largest strongly connected component and reports what it dropped.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "agents/world/road_network.hpp"

namespace swarm::io {

struct LoadReport {
    std::size_t nodes_read = 0;  // graph nodes before the strongly connected step
    std::size_t edges_read = 0;  // directed edges before the strongly connected step
    std::size_t nodes_kept = 0;
    std::size_t edges_kept = 0;
    std::size_t nodes_dropped = 0;
    std::size_t edges_dropped = 0;
    std::string format;  // "osm-pbf", "osm-xml", "dimacs", "graphml"
    // nodes read without coordinates (placed at (0, 0)): a DIMACS .gr without its .co,
    // GraphML nodes without x/y or lon/lat
    std::size_t nodes_without_coordinates = 0;
    // what the caller should tell the user (no position; the file is named), e.g. that
    // the network has no coordinates
    std::vector<std::string> warnings;
    // a map read from longitude/latitude (OSM, GraphML lon/lat, DIMACS .co in microdegrees):
    // the longitude and latitude of its (0, 0), the centre of its nodes' bounding box
    // (io/network/geo.hpp turns lat/lon into the map's metres); nullopt for metres
    bool geographic = false;
    double origin_lon = 0.0;
    double origin_lat = 0.0;
};

// what(): "path:line: error: message", or "path: error: message" when line is 0. File content
// quoted in the message is printed escaped (io/printable.hpp: "\x1b" for an escape byte).
class NetworkFileError : public std::runtime_error {
  public:
    NetworkFileError(std::filesystem::path file, std::size_t line, const std::string& message);

    const std::filesystem::path& file() const { return file_; }
    std::size_t line() const { return line_; }
    const std::string& message() const { return message_; }

  private:
    std::filesystem::path file_;
    std::size_t line_;
    std::string message_;
};

struct DimacsOptions {
    // weights are lengths in metres driven at default_speed_mps; with weight_is_time they
    // are travel times in time_unit_s (9th challenge time graphs: tenths of a second)
    bool weight_is_time = false;
    double time_unit_s = 0.1;
    double default_speed_mps = 13.89;  // 50 km/h
    // .co values are longitude/latitude times 1e6 (9th challenge); false: plain metres
    bool coordinates_are_microdegrees = true;
};

struct LoadOptions {
    DimacsOptions dimacs;
};

// Dispatch on the extension: .osm.pbf/.pbf/.osm/.osm.xml -> OSM, .gr -> DIMACS (a sibling
// .co of the same stem supplies coordinates), .graphml/.xml -> GraphML.
world::RoadNetwork load_network(const std::filesystem::path& file, LoadReport* report = nullptr);
world::RoadNetwork load_network(const std::filesystem::path& file, const LoadOptions& options,
                                LoadReport* report = nullptr);

world::RoadNetwork load_osm(const std::filesystem::path& file, LoadReport* report = nullptr);
world::RoadNetwork load_dimacs(const std::filesystem::path& gr,
                               const std::optional<std::filesystem::path>& co,
                               const DimacsOptions& options = {}, LoadReport* report = nullptr);
world::RoadNetwork load_graphml(const std::filesystem::path& file, LoadReport* report = nullptr);

}  // namespace swarm::io
