#include "viz/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace swarm::viz {

void Camera::set_viewport(double left, double top, double width, double height) {
    left_ = left;
    top_ = top;
    width_ = std::max(1.0, width);
    height_ = std::max(1.0, height);
}

void Camera::fit(Vec2 min, Vec2 max, double margin) {
    center_ = {(min.x + max.x) / 2.0, (min.y + max.y) / 2.0};
    const double w = std::max(1e-6, max.x - min.x);
    const double h = std::max(1e-6, max.y - min.y);
    scale_ = std::min(width_ / w, height_ / h) * (1.0 - 2.0 * margin);
}

void Camera::pan_pixels(double dx, double dy) {
    center_.x -= dx / scale_;
    center_.y += dy / scale_;
}

void Camera::zoom_at(Vec2 pixel, double factor) {
    const Vec2 before = to_world(pixel);
    scale_ = std::clamp(scale_ * factor, 1e-6, 1e6);
    const Vec2 after = to_world(pixel);
    center_.x += before.x - after.x;
    center_.y += before.y - after.y;
}

Vec2 Camera::to_pixel(Vec2 world) const {
    return {left_ + width_ / 2.0 + (world.x - center_.x) * scale_,
            top_ + height_ / 2.0 - (world.y - center_.y) * scale_};
}

Vec2 Camera::to_world(Vec2 pixel) const {
    return {center_.x + (pixel.x - left_ - width_ / 2.0) / scale_,
            center_.y - (pixel.y - top_ - height_ / 2.0) / scale_};
}

void Camera::clip_transform(float& sx, float& sy, float& ox, float& oy) const {
    // clip x = (pixel x - left) / width * 2 - 1 over the viewport (glViewport covers it)
    const double kx = 2.0 * scale_ / width_;
    const double ky = 2.0 * scale_ / height_;
    sx = static_cast<float>(kx);
    sy = static_cast<float>(ky);
    ox = static_cast<float>(-center_.x * kx);
    oy = static_cast<float>(-center_.y * ky);
}

RoadGeometry build_road_geometry(const world::RoadNetwork& net,
                                 std::span<const world::NodeId> depot_nodes) {
    RoadGeometry g;
    const world::BoundingBox b = net.bounds();
    g.origin = b.min;
    g.extent = {b.max.x - b.min.x, b.max.y - b.min.y};
    g.vertices.resize(4 * net.edge_count());
    for (std::size_t e = 0; e < net.edge_count(); ++e) {
        const auto edge = static_cast<world::EdgeId>(e);
        const world::Point a = net.position(net.source(edge));
        const world::Point c = net.position(net.target(edge));
        g.vertices[4 * e] = static_cast<float>(a.x - g.origin.x);
        g.vertices[4 * e + 1] = static_cast<float>(a.y - g.origin.y);
        g.vertices[4 * e + 2] = static_cast<float>(c.x - g.origin.x);
        g.vertices[4 * e + 3] = static_cast<float>(c.y - g.origin.y);
    }
    for (const world::NodeId n : depot_nodes) {
        const world::Point p = net.position(n);
        g.depots.push_back(static_cast<float>(p.x - g.origin.x));
        g.depots.push_back(static_cast<float>(p.y - g.origin.y));
    }
    return g;
}

namespace {

// nearest of `count` points stored as x,y pairs
std::optional<std::uint32_t> nearest_point(std::span<const float> xy, Vec2 p, double radius) {
    std::optional<std::uint32_t> best;
    double best_d2 = radius * radius;
    for (std::size_t i = 0; i + 1 < xy.size(); i += 2) {
        const double dx = xy[i] - p.x;
        const double dy = xy[i + 1] - p.y;
        const double d2 = dx * dx + dy * dy;
        if (d2 <= best_d2) {
            best_d2 = d2;
            best = static_cast<std::uint32_t>(i / 2);
        }
    }
    return best;
}

}  // namespace

std::optional<std::uint32_t> pick_agent(std::span<const float> xy, Vec2 world, double radius) {
    return nearest_point(xy, world, radius);
}

std::optional<std::uint32_t> pick_depot(const RoadGeometry& roads, Vec2 world, double radius) {
    return nearest_point(roads.depots, world, radius);
}

double segment_distance(Vec2 p, Vec2 a, Vec2 b) {
    const double vx = b.x - a.x;
    const double vy = b.y - a.y;
    const double len2 = vx * vx + vy * vy;
    double t = len2 > 0.0 ? ((p.x - a.x) * vx + (p.y - a.y) * vy) / len2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    return std::hypot(p.x - (a.x + t * vx), p.y - (a.y + t * vy));
}

std::optional<std::uint32_t> pick_edge(const RoadGeometry& roads, Vec2 world, double radius) {
    std::optional<std::uint32_t> best;
    double best_d = radius;
    const std::span<const float> v = roads.vertices;
    for (std::size_t e = 0; e < roads.edges(); ++e) {
        const double d =
            segment_distance(world, {v[4 * e], v[4 * e + 1]}, {v[4 * e + 2], v[4 * e + 3]});
        if (d <= best_d) {
            best_d = d;
            best = static_cast<std::uint32_t>(e);
        }
    }
    return best;
}

}  // namespace swarm::viz
