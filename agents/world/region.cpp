#include "agents/world/region.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace swarm::world {

namespace {

bool finite(Point p) {
    return std::isfinite(p.x) && std::isfinite(p.y);
}

bool in_box(const BoundingBox& box, Point p) {
    return p.x >= box.min.x && p.x <= box.max.x && p.y >= box.min.y && p.y <= box.max.y;
}

// twice the signed area (shoelace)
double signed_area2(std::span<const Point> v) {
    double sum = 0.0;
    for (std::size_t i = 0, j = v.size() - 1; i < v.size(); j = i++) {
        sum += (v[j].x * v[i].y) - (v[i].x * v[j].y);
    }
    return sum;
}

}  // namespace

Region Region::circle(Point centre, double radius_m) {
    if (!finite(centre)) {
        throw std::invalid_argument("region circle: centre must be finite");
    }
    if (!(radius_m > 0.0) || !std::isfinite(radius_m)) {
        throw std::invalid_argument("region circle: radius must be a positive finite number, got " +
                                    std::to_string(radius_m));
    }
    Region r;
    r.shape_ = Shape::kCircle;
    r.centre_ = centre;
    r.radius_m_ = radius_m;
    r.bounds_ = {{centre.x - radius_m, centre.y - radius_m},
                 {centre.x + radius_m, centre.y + radius_m}};
    return r;
}

Region Region::polygon(std::vector<Point> vertices) {
    if (vertices.size() < 3) {
        throw std::invalid_argument("region polygon: needs at least 3 vertices, got " +
                                    std::to_string(vertices.size()));
    }
    BoundingBox box{vertices.front(), vertices.front()};
    for (std::size_t i = 0; i < vertices.size(); ++i) {
        const Point p = vertices[i];
        if (!finite(p)) {
            throw std::invalid_argument("region polygon: vertex " + std::to_string(i) +
                                        " is not finite");
        }
        box.min.x = std::min(box.min.x, p.x);
        box.min.y = std::min(box.min.y, p.y);
        box.max.x = std::max(box.max.x, p.x);
        box.max.y = std::max(box.max.y, p.y);
    }
    if (signed_area2(vertices) == 0.0) {
        throw std::invalid_argument("region polygon: the vertices enclose no area");
    }
    Region r;
    r.shape_ = Shape::kPolygon;
    r.ring_ends_ = {vertices.size()};
    r.vertices_ = std::move(vertices);
    r.bounds_ = box;
    return r;
}

Region Region::rings(std::vector<std::vector<Point>> rings) {
    if (rings.empty()) {
        throw std::invalid_argument("region: needs at least one ring");
    }
    Region r;
    r.shape_ = Shape::kPolygon;
    for (std::size_t k = 0; k < rings.size(); ++k) {
        Region one;
        try {
            one = polygon(std::move(rings[k]));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("ring " + std::to_string(k) + ": " + e.what());
        }
        const BoundingBox b = one.bounds_;
        r.bounds_ =
            k == 0 ? b
                   : BoundingBox{
                         {std::min(r.bounds_.min.x, b.min.x), std::min(r.bounds_.min.y, b.min.y)},
                         {std::max(r.bounds_.max.x, b.max.x), std::max(r.bounds_.max.y, b.max.y)}};
        r.vertices_.insert(r.vertices_.end(), one.vertices_.begin(), one.vertices_.end());
        r.ring_ends_.push_back(r.vertices_.size());
    }
    return r;
}

bool Region::contains(Point p) const {
    if (!in_box(bounds_, p)) {
        return false;
    }
    if (shape_ == Shape::kCircle) {
        const double dx = p.x - centre_.x;
        const double dy = p.y - centre_.y;
        return (dx * dx) + (dy * dy) <= radius_m_ * radius_m_;
    }
    // even-odd rule: count crossings of a ray towards +x (W. R. Franklin's pnpoly), over
    // the edges of every ring
    bool inside = false;
    std::size_t begin = 0;
    for (const std::size_t end : ring_ends_) {
        const std::span<const Point> v(vertices_.data() + begin, end - begin);
        for (std::size_t i = 0, j = v.size() - 1; i < v.size(); j = i++) {
            if ((v[i].y > p.y) != (v[j].y > p.y)) {
                const double x_cross =
                    v[i].x + ((p.y - v[i].y) * (v[j].x - v[i].x) / (v[j].y - v[i].y));
                if (p.x < x_cross) {
                    inside = !inside;
                }
            }
        }
        begin = end;
    }
    return inside;
}

double Region::area_m2() const {
    if (shape_ == Shape::kCircle) {
        return std::numbers::pi * radius_m_ * radius_m_;
    }
    // a ring inside an odd number of others is a hole (even-odd), else it adds area
    const auto ring = [this](std::size_t k) {
        const std::size_t begin = k == 0 ? 0 : ring_ends_[k - 1];
        return std::span<const Point>(vertices_.data() + begin, ring_ends_[k] - begin);
    };
    double area = 0.0;
    for (std::size_t k = 0; k < ring_ends_.size(); ++k) {
        std::size_t depth = 0;
        for (std::size_t o = 0; o < ring_ends_.size(); ++o) {
            if (o != k && Region::polygon({ring(o).begin(), ring(o).end()}).contains(ring(k)[0])) {
                ++depth;
            }
        }
        const double a = std::fabs(signed_area2(ring(k))) / 2.0;
        area += depth % 2 == 0 ? a : -a;
    }
    return area;
}

std::vector<EdgeId> edges_in(const RoadNetwork& network, const Region& region) {
    // test every node once, then each edge reads its ends' flags
    const auto positions = network.positions();
    std::vector<std::uint8_t> node_inside(positions.size());
    for (std::size_t n = 0; n < positions.size(); ++n) {
        node_inside[n] = region.contains(positions[n]) ? 1 : 0;
    }
    std::vector<EdgeId> edges;
    const auto edge_count = static_cast<EdgeId>(network.edge_count());
    for (EdgeId e = 0; e < edge_count; ++e) {
        const NodeId s = network.source(e);
        const NodeId t = network.target(e);
        if (node_inside[s] != 0 || node_inside[t] != 0) {
            edges.push_back(e);
            continue;
        }
        const Point a = positions[s];
        const Point b = positions[t];
        if (region.contains({(a.x + b.x) / 2.0, (a.y + b.y) / 2.0})) {
            edges.push_back(e);
        }
    }
    return edges;
}

}  // namespace swarm::world
