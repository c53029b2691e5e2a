// A read-only snapshot of where the vehicles are, for depots choosing whom to offer an order.
// Changed only at barriers (Engine::every), so every LP reads the same snapshot in a window.
// A uniform grid of cells answers "the nearest available vehicles within r". Each cell is a
// doubly linked list of vehicles, so that a barrier that changed k rows costs O(k) (update),
// not O(fleet): an idle vehicle costs nothing. The order of vehicles within a cell is not
// part of any answer: nearest() orders by a total order (distance, tie key, index).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "agents/fleet/fleet_state.hpp"
#include "agents/world/road_network.hpp"

namespace swarm::agents {

class FleetBoard {
  public:
    struct Entry {
        Point position;
        VehicleState state = VehicleState::kIdle;
        std::uint8_t plan_size = 0;
        std::uint16_t type = 0;  // index into FleetSpec::types
        // filled only for a protocol that asks for plan estimates (Needs::plan_estimates,
        // CBBA): when and where the vehicle's current plan ends, by its straight-line estimate
        sim::Tick free_at = 0;
        NodeId free_node = world::kNoNode;
    };

    FleetBoard() = default;
    FleetBoard(world::BoundingBox bounds, double cell_m);

    // replaces the snapshot: entries[v] for vehicle v
    void rebuild(std::span<const Entry> entries);
    // replaces the rows of some vehicles: rows[i] is vehicle vehicles[i]'s (each at most once)
    void update(std::span<const std::uint32_t> vehicles, std::span<const Entry> rows);

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
    [[nodiscard]] std::size_t memory_bytes() const;

  private:
    static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
    // a vehicle's place in its cell's list
    struct Link {
        std::uint32_t cell = kNone;
        std::uint32_t prev = kNone;
        std::uint32_t next = kNone;
    };
    [[nodiscard]] std::uint32_t cell_x(double x) const;
    [[nodiscard]] std::uint32_t cell_y(double y) const;
    [[nodiscard]] std::uint32_t cell_of(Point p) const { return cell_y(p.y) * nx_ + cell_x(p.x); }
    void link(std::uint32_t v, std::uint32_t cell);
    void unlink(std::uint32_t v);

    world::BoundingBox bounds_{};
    double cell_m_ = 500.0;
    std::uint32_t nx_ = 1;
    std::uint32_t ny_ = 1;
    std::vector<Entry> entries_;
    std::vector<Link> links_;          // by vehicle
    std::vector<std::uint32_t> head_;  // by cell: its first vehicle, or kNone
    sim::Tick built_at_ = 0;
};

template <class Usable, class TieKey>
std::size_t FleetBoard::nearest(Point p, double radius_m, Usable&& usable,
                                std::span<std::uint32_t> out, TieKey&& tie_key) const {
    if (out.empty() || entries_.empty()) {
        return 0;
    }
    // best candidates so far, kept sorted by (distance^2, tie key, index); out.size() is small
    struct Cand {
        double d2;
        std::uint64_t key;
        std::uint32_t v;
    };
    constexpr std::size_t kMaxK = 64;
    Cand best[kMaxK] = {};
    const std::size_t k = out.size() < kMaxK ? out.size() : kMaxK;
    std::size_t n = 0;
    const double r2 = radius_m * radius_m;
    const std::uint32_t x0 = cell_x(p.x - radius_m);
    const std::uint32_t x1 = cell_x(p.x + radius_m);
    const std::uint32_t y0 = cell_y(p.y - radius_m);
    const std::uint32_t y1 = cell_y(p.y + radius_m);
    for (std::uint32_t cy = y0; cy <= y1; ++cy) {
        for (std::uint32_t cx = x0; cx <= x1; ++cx) {
            const std::uint32_t c = cy * nx_ + cx;
            for (std::uint32_t v = head_[c]; v != kNone; v = links_[v].next) {
                const Entry& e = entries_[v];
                const double dx = e.position.x - p.x;
                const double dy = e.position.y - p.y;
                const double d2 = dx * dx + dy * dy;
                if (d2 > r2 || !usable(v, e)) {
                    continue;
                }
                // insertion into the sorted list of at most k
                const Cand cand{d2, static_cast<std::uint64_t>(tie_key(v, e)), v};
                auto less = [](const Cand& a, const Cand& b) {
                    return a.d2 < b.d2 ||
                           (a.d2 == b.d2 && (a.key < b.key || (a.key == b.key && a.v < b.v)));
                };
                if (n == k && !less(cand, best[n - 1])) {
                    continue;
                }
                std::size_t j = n < k ? n++ : k - 1;
                while (j > 0 && less(cand, best[j - 1])) {
                    best[j] = best[j - 1];
                    --j;
                }
                best[j] = cand;
            }
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = best[i].v;
    }
    return n;
}

}  // namespace swarm::agents
