#include "agents/world/point_grid.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace swarm::world {

namespace {

// the largest cell index per axis: keys stay exact and cx + 1 cannot wrap
constexpr double kMaxCell = 4294967293.0;

}  // namespace

PointGrid::PointGrid(BoundingBox bounds, double cell_m, std::size_t expected_points)
    : bounds_(bounds), cell_m_(cell_m) {
    if (!(cell_m > 0.0) || !std::isfinite(cell_m)) {
        throw std::invalid_argument("point grid: cell side must be > 0 and finite, got " +
                                    std::to_string(cell_m));
    }
    if (!std::isfinite(bounds.min.x) || !std::isfinite(bounds.min.y) ||
        !std::isfinite(bounds.max.x) || !std::isfinite(bounds.max.y) ||
        bounds.max.x < bounds.min.x || bounds.max.y < bounds.min.y) {
        throw std::invalid_argument("point grid: the box is empty or not finite");
    }
    const double fx = std::floor((bounds.max.x - bounds.min.x) / cell_m) + 1.0;
    const double fy = std::floor((bounds.max.y - bounds.min.y) / cell_m) + 1.0;
    nx_ = static_cast<std::uint32_t>(std::min(fx, kMaxCell + 1.0));
    ny_ = static_cast<std::uint32_t>(std::min(fy, kMaxCell + 1.0));
    const double cells = static_cast<double>(nx_) * static_cast<double>(ny_);
    dense_ = cells <= (4.0 * static_cast<double>(expected_points)) + 1024.0;
    if (dense_) {
        cells_.resize(static_cast<std::size_t>(nx_) * ny_);
    }
}

std::uint32_t PointGrid::cell_x(double x) const {
    const double c = std::floor((x - bounds_.min.x) / cell_m_);
    return static_cast<std::uint32_t>(std::clamp(c, 0.0, static_cast<double>(nx_ - 1)));
}

std::uint32_t PointGrid::cell_y(double y) const {
    const double c = std::floor((y - bounds_.min.y) / cell_m_);
    return static_cast<std::uint32_t>(std::clamp(c, 0.0, static_cast<double>(ny_ - 1)));
}

const PointGrid::Cell* PointGrid::cell(std::uint64_t key) const {
    if (dense_) {
        return &cells_[key];
    }
    const auto it = sparse_cells_.find(key);
    return it == sparse_cells_.end() ? nullptr : &it->second;
}

void PointGrid::reset(std::size_t n) {
    if (n >= 0xFFFFFFFFu) {
        throw std::invalid_argument("point grid: too many points");
    }
    nodes_.assign(n, Node{});
    for (Cell& c : cells_) {
        c.clear();
    }
    sparse_cells_.clear();
}

void PointGrid::place(std::uint32_t id, Point p) {
    const std::uint64_t key = cell_key(cell_x(p.x), cell_y(p.y));
    Node& n = nodes_[id];
    if (n.cell == key) {
        (dense_ ? cells_[key] : sparse_cells_[key])[n.slot].p = p;
        return;
    }
    remove(id);
    Cell& c = dense_ ? cells_[key] : sparse_cells_[key];
    n.cell = key;
    n.slot = static_cast<std::uint32_t>(c.size());
    c.push_back({p, id});
}

bool PointGrid::move_in_cell(std::uint32_t id, Point p) {
    const Node& n = nodes_[id];
    if (n.cell == kNoCell || n.cell != cell_key(cell_x(p.x), cell_y(p.y))) {
        return false;
    }
    // find(), not operator[]: a lookup that never inserts is safe beside other lookups
    Cell& c = dense_ ? cells_[n.cell] : sparse_cells_.find(n.cell)->second;
    c[n.slot].p = p;
    return true;
}

void PointGrid::remove(std::uint32_t id) {
    Node& n = nodes_[id];
    if (n.cell == kNoCell) {
        return;
    }
    Cell& c = dense_ ? cells_[n.cell] : sparse_cells_[n.cell];
    // the last slot fills the hole
    c[n.slot] = c.back();
    nodes_[c[n.slot].id].slot = n.slot;
    c.pop_back();
    if (!dense_ && c.empty()) {
        sparse_cells_.erase(n.cell);
    }
    n.cell = kNoCell;
    n.slot = 0;
}

std::size_t PointGrid::memory_bytes() const {
    std::size_t bytes = (nodes_.capacity() * sizeof(Node)) + (cells_.capacity() * sizeof(Cell));
    for (const Cell& c : cells_) {
        bytes += c.capacity() * sizeof(Slot);
    }
    for (const auto& [key, c] : sparse_cells_) {
        bytes += sizeof(key) + sizeof(Cell) + 16 + (c.capacity() * sizeof(Slot));
    }
    return bytes;
}

}  // namespace swarm::world
