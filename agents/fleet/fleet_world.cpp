#include "agents/fleet/fleet_world.hpp"

namespace swarm::agents {

FleetMemory FleetWorld::memory() const {
    FleetMemory m;
    m.routes = vehicles.route_bytes();
    m.vehicles = vehicles.memory_bytes() - m.routes;
    m.board = board.memory_bytes() + (board_moving.capacity() * sizeof(std::uint32_t));
    m.depots = depots.capacity() * sizeof(DepotState);
    for (const DepotState& d : depots) {
        // the book's orders, and its series columns (8 per interval), approximately
        m.orders += d.book.order_bytes() + d.allocations.memory_bytes();
        m.depots += (d.book.series().size() * 8 * sizeof(std::uint64_t)) +
                    (d.book.counters().late_samples.capacity() * sizeof(Tick)) +
                    d.dock_jobs.memory_bytes() + d.charge_jobs.memory_bytes();
    }
    return m;
}

}  // namespace swarm::agents
