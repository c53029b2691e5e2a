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

    // vehicles within radius_m of p accepted by `usable`, nearest first, at most out.size()
    // of them; returns how many were written. Ties in distance (vehicles at one spot, e.g.
    // at a depot) go to the lower tie_key(v, entry), then the lower index; the default key
    // is 0 (the lower index wins).
    template <class Usable>
    std::size_t nearest(Point p, double radius_m, Usable&& usable,
                        std::span<std::uint32_t> out) const {
        return nearest(p, radius_m, usable, out, [](std::uint32_t, const Entry&) { return 0; });
    }
    template <class Usable, class TieKey>
    std::size_t nearest(Point p, double radius_m, Usable&& usable, std::span<std::uint32_t> out,
                        TieKey&& tie_key) const;

    // a fair, deterministic order among tied vehicles: a hash of (vehicle, salt) (splitmix64's
    // finaliser), each salt (e.g. an order) drawing its own order
    [[nodiscard]] static std::uint64_t shuffle_key(std::uint32_t v, std::uint64_t salt) {
        std::uint64_t z = salt + 0x9E3779B97F4A7C15ull * (std::uint64_t{v} + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

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

template <class Usable, class TieKey>
std::size_t FleetBoard::nearest(Point p, double radius_m, Usable&& usable,
                                std::span<std::uint32_t> out, TieKey&& tie_key) const {
    return grid_.nearest(
        p, radius_m, [&](std::uint32_t v) { return usable(v, entries_[v]); }, out,
        [&](std::uint32_t v) { return tie_key(v, entries_[v]); });
}

}  // namespace swarm::agents
