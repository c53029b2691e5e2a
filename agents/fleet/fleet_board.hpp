// A read-only snapshot of where the vehicles are, for depots choosing whom to offer an order.
// Changed only at barriers (Engine::every), so every LP reads the same snapshot in a window.
// The rows stand on the house's one spatial index (world::PointGrid), which answers "the
// nearest available vehicles within r"; a barrier that changed k rows costs O(k) (update),
// not O(fleet): an idle vehicle costs nothing.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "agents/fleet/fleet_state.hpp"
#include "agents/world/point_grid.hpp"
#include "agents/world/road_network.hpp"

namespace swarm::sim {
class Executor;
class StateArchive;
}  // namespace swarm::sim

namespace swarm::agents {

class FleetBoard {
  public:
    struct Entry {  // 32 B, one per vehicle: members ordered for no padding
        Point position;
        // filled only for a protocol that asks for plan estimates (Needs::plan_estimates,
        // CBBA): when and where the vehicle's current plan ends, by its straight-line estimate
        sim::Tick free_at = 0;
        NodeId free_node = world::kNoNode;
        VehicleState state = VehicleState::kIdle;
        std::uint8_t plan_size = 0;
        std::uint16_t type = 0;  // index into FleetSpec::types
    };

    FleetBoard() = default;
    // cells of side cell_m over bounds, sized for about `vehicles` rows
    FleetBoard(world::BoundingBox bounds, double cell_m, std::size_t vehicles);

    // replaces the snapshot: entries[v] for vehicle v
    void rebuild(std::span<const Entry> entries);
    // replaces the rows of some vehicles: rows[i] is vehicle vehicles[i]'s (each at most
    // once); in parallel on `executor` where it can (the same board for any executor)
    void update(std::span<const std::uint32_t> vehicles, std::span<const Entry> rows,
                sim::Executor* executor = nullptr);

    // vehicles within radius_m of p accepted by usable(v, entry), nearest first, at most
    // out.size() of them; returns how many were written. Ties in distance go to the lower
    // index.
    template <class Usable>
    std::size_t nearest(Point p, double radius_m, Usable&& usable,
                        std::span<std::uint32_t> out) const {
        return grid_.nearest(
            p, radius_m, [&](std::uint32_t v) { return usable(v, entries_[v]); }, out);
    }
    // the same for a choice among the vehicles of a class: usable(entry) and rank(entry)
    // (< 2^16) read only the row's state, plan size and type. Ties in distance go to the lower
    // rank, then in a fair order of their own for each salt (e.g. an order): vehicles parked
    // at one spot in one state, plan size and type are one pile of the grid
    // (world::PointGrid::nearest_fair), so thousands of idle vans at a depot cost a query
    // what four do.
    template <class Usable, class Rank>
    std::size_t nearest_fair(Point p, double radius_m, Usable&& usable,
                             std::span<std::uint32_t> out, Rank&& rank, std::uint64_t salt) const {
        return grid_.nearest_fair(
            p, radius_m, [&](std::uint32_t v) { return usable(entries_[v]); }, out,
            [&](std::uint32_t v) { return rank(entries_[v]); }, salt);
    }
    // the grid pile a row joins: vehicles that stay put (not driving) pile up by state, plan
    // size and type; a driving one's position moves at every rebuild, so it stays alone
    [[nodiscard]] static std::uint32_t pile_tag(const Entry& e);

    [[nodiscard]] const Entry& entry(std::uint32_t v) const { return entries_[v]; }
    // every vehicle's row, by vehicle
    [[nodiscard]] std::span<const Entry> rows() const { return entries_; }
    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    [[nodiscard]] sim::Tick built_at() const { return built_at_; }
    void set_built_at(sim::Tick t) { built_at_ = t; }

    // checkpoints: the rows (field-wise) and when they were built, under the archive's
    // current scope. The grid is not saved: load() places every row again, as rebuild()
    // does (answers do not depend on the order of points within a cell). `vehicles`: the
    // rows this run may hold, besides none (a board not built yet); other counts are a
    // sim::CheckpointError.
    void save(sim::StateArchive& ar) const;
    void load(const sim::StateArchive& ar, std::size_t vehicles);
    [[nodiscard]] std::size_t memory_bytes() const;

  private:
    std::vector<Entry> entries_;
    world::PointGrid grid_;
    sim::Tick built_at_ = 0;
};

}  // namespace swarm::agents
