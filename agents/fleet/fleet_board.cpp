#include "agents/fleet/fleet_board.hpp"

#include <algorithm>
#include <cmath>

namespace swarm::agents {

FleetBoard::FleetBoard(world::BoundingBox bounds, double cell_m)
    : bounds_(bounds), cell_m_(cell_m) {
    const double w = std::max(bounds.max.x - bounds.min.x, 1.0);
    const double h = std::max(bounds.max.y - bounds.min.y, 1.0);
    nx_ = static_cast<std::uint32_t>(std::ceil(w / cell_m)) + 1;
    ny_ = static_cast<std::uint32_t>(std::ceil(h / cell_m)) + 1;
    cell_start_.assign(static_cast<std::size_t>(nx_) * ny_ + 1, 0);
}

std::uint32_t FleetBoard::cell_x(double x) const {
    const double c = std::floor((x - bounds_.min.x) / cell_m_);
    return static_cast<std::uint32_t>(std::clamp(c, 0.0, static_cast<double>(nx_ - 1)));
}

std::uint32_t FleetBoard::cell_y(double y) const {
    const double c = std::floor((y - bounds_.min.y) / cell_m_);
    return static_cast<std::uint32_t>(std::clamp(c, 0.0, static_cast<double>(ny_ - 1)));
}

void FleetBoard::rebuild(std::span<const Entry> entries) {
    entries_.assign(entries.begin(), entries.end());
    // counting sort of vehicles by cell: stable, so each cell lists indices ascending
    std::fill(cell_start_.begin(), cell_start_.end(), 0);
    for (const Entry& e : entries_) {
        ++cell_start_[cell_y(e.position.y) * nx_ + cell_x(e.position.x) + 1];
    }
    for (std::size_t c = 1; c < cell_start_.size(); ++c) {
        cell_start_[c] += cell_start_[c - 1];
    }
    cell_items_.resize(entries_.size());
    std::vector<std::uint32_t> fill(cell_start_.begin(), cell_start_.end() - 1);
    for (std::uint32_t v = 0; v < entries_.size(); ++v) {
        const Entry& e = entries_[v];
        cell_items_[fill[cell_y(e.position.y) * nx_ + cell_x(e.position.x)]++] = v;
    }
}

std::size_t FleetBoard::memory_bytes() const {
    return entries_.capacity() * sizeof(Entry) +
           (cell_start_.capacity() + cell_items_.capacity()) * sizeof(std::uint32_t);
}

}  // namespace swarm::agents
