// Map geometry and projection, independent of any GPU: the road network as line vertices
// relative to the map origin, a camera (pan, zoom, fit) mapping metres to pixels and back,
// and picking (the agent or road nearest to a pixel).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "agents/world/road_network.hpp"

namespace swarm::viz {

struct Vec2 {
    double x = 0.0;
    double y = 0.0;
};

// Metres (relative to the map origin) to pixels of a viewport whose y axis points down.
class Camera {
  public:
    // the viewport in pixels: top-left corner and size
    void set_viewport(double left, double top, double width, double height);
    // shows [min, max] (metres) entirely, centred, with `margin` share of space around it
    void fit(Vec2 min, Vec2 max, double margin = 0.05);
    // moves the view by a pixel delta (dragging)
    void pan_pixels(double dx, double dy);
    // zooms by `factor` keeping the map point under pixel p fixed
    void zoom_at(Vec2 pixel, double factor);

    [[nodiscard]] Vec2 to_pixel(Vec2 world) const;
    [[nodiscard]] Vec2 to_world(Vec2 pixel) const;
    // pixels per metre
    [[nodiscard]] double scale() const { return scale_; }
    [[nodiscard]] Vec2 center() const { return center_; }
    // the affine map to OpenGL clip space: clip = world * s + o (x and y separately)
    void clip_transform(float& sx, float& sy, float& ox, float& oy) const;

  private:
    double left_ = 0.0;
    double top_ = 0.0;
    double width_ = 1.0;
    double height_ = 1.0;
    Vec2 center_{};
    double scale_ = 1.0;
};

// Road geometry for one VBO: two float x,y vertices per edge, edge e at vertices 2e, 2e+1.
struct RoadGeometry {
    world::Point origin{};        // subtracted from every coordinate
    Vec2 extent{};                // max - origin of the network's bounds
    std::vector<float> vertices;  // edges x 4
    std::vector<float> depots;    // depots x 2
    [[nodiscard]] std::size_t edges() const { return vertices.size() / 4; }
};

RoadGeometry build_road_geometry(const world::RoadNetwork& net,
                                 std::span<const world::NodeId> depot_nodes);

// index of the agent nearest to `world` within `radius` metres (xy: agents x 2)
std::optional<std::uint32_t> pick_agent(std::span<const float> xy, Vec2 world, double radius);
// the edge nearest to `world` within `radius` metres (distance to its segment)
std::optional<std::uint32_t> pick_edge(const RoadGeometry& roads, Vec2 world, double radius);
// the depot nearest to `world` within `radius` metres
std::optional<std::uint32_t> pick_depot(const RoadGeometry& roads, Vec2 world, double radius);

// distance from p to the segment [a, b]
double segment_distance(Vec2 p, Vec2 a, Vec2 b);

}  // namespace swarm::viz
