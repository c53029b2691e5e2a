#include "agents/fleet/fleet_board.hpp"

namespace swarm::agents {

FleetBoard::FleetBoard(world::BoundingBox bounds, double cell_m, std::size_t vehicles)
    : grid_(bounds, cell_m, vehicles) {}

void FleetBoard::rebuild(std::span<const Entry> entries) {
    entries_.assign(entries.begin(), entries.end());
    grid_.reset(entries_.size());
    for (std::uint32_t v = 0; v < entries_.size(); ++v) {
        grid_.place(v, entries_[v].position);
    }
}

void FleetBoard::update(std::span<const std::uint32_t> vehicles, std::span<const Entry> rows) {
    for (std::size_t i = 0; i < vehicles.size(); ++i) {
        entries_[vehicles[i]] = rows[i];
        grid_.place(vehicles[i], rows[i].position);
    }
}

std::size_t FleetBoard::memory_bytes() const {
    return (entries_.capacity() * sizeof(Entry)) + grid_.memory_bytes();
}

}  // namespace swarm::agents
