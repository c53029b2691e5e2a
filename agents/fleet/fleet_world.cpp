#include "agents/fleet/fleet_world.hpp"

namespace swarm::agents {

std::size_t FleetWorld::memory_bytes() const {
    std::size_t b = vehicles.memory_bytes() + board.memory_bytes() +
                    (board_moving.capacity() * sizeof(std::uint32_t)) +
                    (depots.capacity() * sizeof(DepotState));
    for (const DepotState& d : depots) {
        // the book's orders and series columns (8 per interval), approximately
        b += (d.book.size() * sizeof(Order)) +
             (d.book.series().size() * 8 * sizeof(std::uint64_t)) +
             (d.book.counters().late_samples.capacity() * sizeof(Tick)) +
             (d.allocations.capacity() * sizeof(AllocationState)) + d.dock_jobs.memory_bytes() +
             d.charge_jobs.memory_bytes();
    }
    return b;
}

}  // namespace swarm::agents
