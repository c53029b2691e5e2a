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
    head_.assign(static_cast<std::size_t>(nx_) * ny_, kNone);
}

std::uint32_t FleetBoard::cell_x(double x) const {
    const double c = std::floor((x - bounds_.min.x) / cell_m_);
    return static_cast<std::uint32_t>(std::clamp(c, 0.0, static_cast<double>(nx_ - 1)));
}

std::uint32_t FleetBoard::cell_y(double y) const {
    const double c = std::floor((y - bounds_.min.y) / cell_m_);
    return static_cast<std::uint32_t>(std::clamp(c, 0.0, static_cast<double>(ny_ - 1)));
}

void FleetBoard::link(std::uint32_t v, std::uint32_t cell) {
    Link& l = links_[v];
    l.cell = cell;
    l.prev = kNone;
    l.next = head_[cell];
    if (l.next != kNone) {
        links_[l.next].prev = v;
    }
    head_[cell] = v;
}

void FleetBoard::unlink(std::uint32_t v) {
    const Link l = links_[v];
    if (l.prev != kNone) {
        links_[l.prev].next = l.next;
    } else {
        head_[l.cell] = l.next;
    }
    if (l.next != kNone) {
        links_[l.next].prev = l.prev;
    }
    links_[v] = Link{};
}

void FleetBoard::rebuild(std::span<const Entry> entries) {
    entries_.assign(entries.begin(), entries.end());
    links_.assign(entries_.size(), Link{});
    std::fill(head_.begin(), head_.end(), kNone);
    for (std::uint32_t v = 0; v < entries_.size(); ++v) {
        link(v, cell_of(entries_[v].position));
    }
}

void FleetBoard::update(std::span<const std::uint32_t> vehicles, std::span<const Entry> rows) {
    for (std::size_t i = 0; i < vehicles.size(); ++i) {
        const std::uint32_t v = vehicles[i];
        entries_[v] = rows[i];
        const std::uint32_t cell = cell_of(rows[i].position);
        if (cell != links_[v].cell) {
            unlink(v);
            link(v, cell);
        }
    }
}

std::size_t FleetBoard::memory_bytes() const {
    return entries_.capacity() * sizeof(Entry) + links_.capacity() * sizeof(Link) +
           head_.capacity() * sizeof(std::uint32_t);
}

}  // namespace swarm::agents
