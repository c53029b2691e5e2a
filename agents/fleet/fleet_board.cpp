#include "agents/fleet/fleet_board.hpp"

#include <string>

#include "agents/fleet/barrier_phase.hpp"
#include "sim/state_archive.hpp"

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

void FleetBoard::update(std::span<const std::uint32_t> vehicles, std::span<const Entry> rows,
                        sim::Executor* executor) {
    // rows, and moves within a cell (most moves between rebuilds), in parallel: each writes
    // its own row and grid slot. Moves between cells change the cells' lists: after, in order
    constexpr std::size_t kRange = 4096;
    const PhaseRecords<std::uint32_t> across = run_local<std::uint32_t>(
        executor, vehicles.size(), kRange,
        [&](std::uint32_t first, std::uint32_t last, std::vector<std::uint32_t>& out) {
            for (std::uint32_t i = first; i < last; ++i) {
                entries_[vehicles[i]] = rows[i];
                if (!grid_.move_in_cell(vehicles[i], rows[i].position)) {
                    out.push_back(i);
                }
            }
        });
    across.for_each([&](std::uint32_t i) { grid_.place(vehicles[i], rows[i].position); });
}

// a new member of Entry is state to save: add it below, then the size here
static_assert(sizeof(FleetBoard::Entry) == sizeof(Point) + sizeof(sim::Tick) + 8,
              "FleetBoard::Entry changed: save and load the new member");
static_assert(sizeof(FleetBoard) == sizeof(std::vector<FleetBoard::Entry>) +
                                        sizeof(world::PointGrid) + sizeof(sim::Tick),
              "FleetBoard changed: save and load the new member (the grid is rebuilt)");

void FleetBoard::save(sim::StateArchive& ar) const {
    ar.put_value("built_at", built_at_);
    const auto s = ar.scope("rows");
    std::vector<double> x;
    std::vector<double> y;
    for (const Entry& e : entries_) {
        x.push_back(e.position.x);
        y.push_back(e.position.y);
    }
    ar.put("x", x);
    ar.put("y", y);
    ar.put_field("state", entries_, &Entry::state);
    ar.put_field("plan_size", entries_, &Entry::plan_size);
    ar.put_field("type", entries_, &Entry::type);
    ar.put_field("free_at", entries_, &Entry::free_at);
    ar.put_field("free_node", entries_, &Entry::free_node);
}

void FleetBoard::load(const sim::StateArchive& ar, std::size_t vehicles) {
    ar.get_value("built_at", built_at_);
    const auto s = ar.scope("rows");
    const std::size_t n = ar.count("x");
    if (n != 0 && n != vehicles) {
        ar.field_error("x", "holds " + std::to_string(n) + " rows; this run has 0 or " +
                                std::to_string(vehicles));
    }
    std::vector<double> x;
    std::vector<double> y;
    ar.get("x", x, n);
    ar.get("y", y, n);
    std::vector<Entry> entries(n);
    for (std::size_t v = 0; v < n; ++v) {
        entries[v].position = {x[v], y[v]};
    }
    ar.get_field("state", entries, &Entry::state);
    ar.get_field("plan_size", entries, &Entry::plan_size);
    ar.get_field("type", entries, &Entry::type);
    ar.get_field("free_at", entries, &Entry::free_at);
    ar.get_field("free_node", entries, &Entry::free_node);
    rebuild(entries);
}

std::size_t FleetBoard::memory_bytes() const {
    return (entries_.capacity() * sizeof(Entry)) + grid_.memory_bytes();
}

}  // namespace swarm::agents
