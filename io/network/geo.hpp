// WGS84 latitude/longitude to the network's metres and back, through PROJ. A network read
// from geographic coordinates (OSM, GraphML lon/lat, DIMACS .co in microdegrees) is laid out
// in metres east and north of its origin, the centre of its nodes' bounding box, by the
// equirectangular projection the loaders use (io/network/road_tags.hpp, detail::Projection);
// GeoProjection is that projection as a PROJ operation (+proj=eqc on the loaders' sphere), so
// a scenario's lat/lon lands where the loader put the map.
#pragma once

#include <array>
#include <memory>
#include <stdexcept>
#include <string>

#include "agents/world/road_network.hpp"

namespace swarm::io {

// where a geographic network's (0, 0) is, in degrees
struct GeoOrigin {
    double lon0 = 0.0;
    double lat0 = 0.0;
};

class GeoError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class GeoProjection {
  public:
    // throws GeoError when PROJ cannot make the operation
    explicit GeoProjection(GeoOrigin origin);
    GeoProjection(GeoProjection&&) noexcept;
    GeoProjection& operator=(GeoProjection&&) noexcept;
    ~GeoProjection();

    [[nodiscard]] GeoOrigin origin() const { return origin_; }
    // the PROJ definition of the operation
    [[nodiscard]] const std::string& definition() const { return definition_; }
    // degrees to metres east/north of the origin; throws GeoError for a point PROJ refuses
    [[nodiscard]] world::Point to_local(double lat, double lon) const;
    // metres to {lat, lon} in degrees
    [[nodiscard]] std::array<double, 2> to_lat_lon(world::Point p) const;

  private:
    struct Impl;
    GeoOrigin origin_;
    std::string definition_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace swarm::io
