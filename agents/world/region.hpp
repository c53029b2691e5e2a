// Region: an area of the map (circle, polygon, or several rings: a polygon with holes, a
// multipolygon) for area closures, radio blackouts and demand surges. Immutable once built; cheap
// to copy for circles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agents/world/road_network.hpp"

namespace swarm::world {

class Region {
  public:
    enum class Shape : std::uint8_t { kCircle, kPolygon };

    // Points at distance <= radius_m from centre. Throws std::invalid_argument unless the
    // centre is finite and 0 < radius_m < infinity.
    static Region circle(Point centre, double radius_m);
    // Simple polygon, vertices in either winding, not closed (the last vertex joins the
    // first). Inside by the even-odd rule, so even a self-intersecting outline has one
    // meaning. Throws std::invalid_argument for fewer than 3 vertices, a non-finite
    // coordinate, or zero area.
    static Region polygon(std::vector<Point> vertices);
    // Several rings under one even-odd rule: a point is inside when it is inside an odd
    // number of rings, so a GeoJSON Polygon's holes and a MultiPolygon's parts mean what
    // they say. Each ring as in polygon(); throws std::invalid_argument for no ring.
    static Region rings(std::vector<std::vector<Point>> rings);

    [[nodiscard]] Shape shape() const { return shape_; }
    // circle only (zero for a polygon)
    [[nodiscard]] Point centre() const { return centre_; }
    [[nodiscard]] double radius_m() const { return radius_m_; }
    // polygon only (empty for a circle): every ring's vertices, one ring after the other
    [[nodiscard]] std::span<const Point> vertices() const { return vertices_; }
    // polygon only: where each ring ends in vertices() (one entry for a simple polygon)
    [[nodiscard]] std::span<const std::size_t> ring_ends() const { return ring_ends_; }

    // Circle: boundary inclusive. Polygon: even-odd crossing test; a point exactly on an
    // edge is inside for some edges and outside for others, but the answer is a pure
    // function of the coordinates (no tolerance), so it is deterministic.
    [[nodiscard]] bool contains(Point p) const;
    // axis-aligned box enclosing the region
    [[nodiscard]] BoundingBox bounds() const { return bounds_; }
    // square metres (for reports and validation)
    [[nodiscard]] double area_m2() const;

  private:
    Region() = default;

    Shape shape_ = Shape::kCircle;
    Point centre_;
    double radius_m_ = 0.0;
    std::vector<Point> vertices_;
    std::vector<std::size_t> ring_ends_;
    BoundingBox bounds_;
};

// Edges with their source, target or midpoint inside the region, in ascending EdgeId order.
// Both directions of a two-way road are listed (they are separate edges).
std::vector<EdgeId> edges_in(const RoadNetwork& network, const Region& region);

}  // namespace swarm::world
