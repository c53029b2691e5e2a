// A read-only snapshot of where the vehicles are, for depots choosing whom to offer an order.
// Changed only at barriers (Engine::every), so every LP reads the same snapshot in a window.
// The rows stand on the house's one spatial index (world::PointGrid), which answers "the
// nearest available vehicles within r"; a barrier that changed k rows costs O(k) (update),
// not O(fleet): an idle vehicle costs nothing.
// Vehicles waiting at one spot (idle at a depot: a spot per depot) stand in a taxi rank, a
// queue with one point in the grid: the one that has waited longest comes first, then the
// lower index. An offer query (nearest_ranked) reads a rank from its head and stops as soon
// as no later vehicle can make the answer, so thousands of idle vehicles at a depot cost
// what the few it offers to cost. The queues are intrusive doubly linked lists (a prev and
// next index per vehicle, a head and tail per spot and type): joining and leaving are O(1).
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

    static constexpr std::uint32_t kNoSpot = 0xFFFFFFFFu;
    // or'ed into a spot given to update(): the vehicle goes to the back of that spot's rank
    // even if it waited there already (it passed on an offer)
    static constexpr std::uint32_t kToBack = 0x80000000u;

    FleetBoard() = default;
    static constexpr std::uint16_t kAnyType = 0xFFFFu;

    // cells of side cell_m over bounds, sized for about `vehicles` rows; spots 0..spots-1
    // for taxi ranks (the fleet's depots), whose vehicles are of `types` types (a rank
    // keeps a lane per type, up to 16, so that a query for one type reads only its lane)
    FleetBoard(world::BoundingBox bounds, double cell_m, std::size_t vehicles,
               std::size_t spots = 0, std::size_t types = 1);

    // replaces the snapshot: entries[v] for vehicle v, waiting at spots[v] (kNoSpot: not
    // waiting; spots empty: nobody waits). Those waiting join their ranks at t, by index.
    // Every vehicle waiting at a spot stands at one position (where the first one joined),
    // and only one without orders waits (others stand alone).
    void rebuild(std::span<const Entry> entries, std::span<const std::uint32_t> spots = {},
                 sim::Tick t = 0);
    // replaces the rows of some vehicles: rows[i] is vehicle vehicles[i]'s (each at most
    // once, in increasing order), waiting at spots[i] (or none; spots empty: none). A
    // vehicle that comes to wait at a spot at tick t goes to the back of its rank; one still
    // waiting at the same spot keeps its place, unless its spot carries kToBack. In parallel on
    // `executor` where it can (the same board for any executor).
    void update(std::span<const std::uint32_t> vehicles, std::span<const Entry> rows,
                sim::Executor* executor = nullptr, std::span<const std::uint32_t> spots = {},
                sim::Tick t = 0);

    // vehicles within radius_m of p accepted by `usable`, nearest first, at most out.size()
    // of them; returns how many were written. Ties in distance (vehicles at one spot, e.g.
    // at a depot) go to the lower tie_key(v, entry), then the lower index; the default key
    // is 0 (the lower index wins). Reads every vehicle of a rank within the radius.
    template <class Usable>
    std::size_t nearest(Point p, double radius_m, Usable&& usable,
                        std::span<std::uint32_t> out) const {
        return nearest(p, radius_m, usable, out, [](std::uint32_t, const Entry&) { return 0; });
    }
    template <class Usable, class TieKey>
    std::size_t nearest(Point p, double radius_m, Usable&& usable, std::span<std::uint32_t> out,
                        TieKey&& tie_key) const;

    // the depots' offers: vehicles within radius_m of p accepted by `usable`, in the order
    // (distance, more orders in the plan first, rank: waiting since earlier first, those not
    // waiting before those waiting, lower index), at most out.size() of them. With `type`,
    // usable must refuse other types (the ranks' other lanes are not read).
    template <class Usable>
    std::size_t nearest_ranked(Point p, double radius_m, Usable&& usable,
                               std::span<std::uint32_t> out, std::uint16_t type = kAnyType) const;

    // where vehicle v waits (kNoSpot: it does not) and since when
    [[nodiscard]] std::uint32_t spot(std::uint32_t v) const {
        return spot_.empty() ? kNoSpot : spot_[v];
    }
    [[nodiscard]] sim::Tick waiting_since(std::uint32_t v) const { return rank_[v].since; }
    // the vehicles waiting at spot s, front first
    [[nodiscard]] std::vector<std::uint32_t> rank(std::uint32_t s) const;

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
    static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
    struct Link {  // a vehicle's place in its rank
        std::uint32_t prev = kNone;
        std::uint32_t next = kNone;
        sim::Tick since = 0;  // joined at
    };
    struct Queue {  // a lane of a spot's rank
        std::uint32_t head = kNone;
        std::uint32_t tail = kNone;
    };
    static constexpr std::uint32_t kMaxLanes = 16;
    [[nodiscard]] std::uint32_t lane_of(std::uint32_t v) const {
        return lanes_ == 1 ? 0 : entries_[v].type;
    }
    // fn(v) for the vehicles waiting at spot s, front first (the lanes merged by (since,
    // index)), until it returns false
    template <class Fn>
    void walk(std::uint32_t s, Fn&& fn) const;
    // the grid's point of spot s (vehicles are points 0..n-1)
    [[nodiscard]] std::uint32_t spot_point(std::uint32_t s) const {
        return static_cast<std::uint32_t>(entries_.size()) + s;
    }
    void join(std::uint32_t v, std::uint32_t s, sim::Tick t);
    void leave(std::uint32_t v);
    // the grid and ranks from entries_, spot_ and rank_[].since (ranks by (since, index))
    void place_all();

    std::vector<Entry> entries_;
    world::PointGrid grid_;
    sim::Tick built_at_ = 0;
    std::vector<std::uint32_t> spot_;     // by vehicle: where it waits, or kNoSpot
    std::vector<Link> rank_;              // by vehicle
    std::vector<Queue> queues_;           // by spot and lane
    std::vector<std::uint32_t> waiting_;  // by spot: how many wait there
    std::uint32_t spots_ = 0;
    std::uint32_t lanes_ = 1;
};

template <class Fn>
void FleetBoard::walk(std::uint32_t s, Fn&& fn) const {
    const Queue* lanes = &queues_[std::size_t{s} * lanes_];
    if (lanes_ == 1) {
        for (std::uint32_t v = lanes[0].head; v != kNone; v = rank_[v].next) {
            if (!fn(v)) {
                return;
            }
        }
        return;
    }
    std::uint32_t at[kMaxLanes];
    for (std::uint32_t l = 0; l < lanes_; ++l) {
        at[l] = lanes[l].head;
    }
    for (;;) {
        std::uint32_t best = kNone;
        for (std::uint32_t l = 0; l < lanes_; ++l) {
            const std::uint32_t v = at[l];
            if (v != kNone && (best == kNone || rank_[v].since < rank_[at[best]].since ||
                               (rank_[v].since == rank_[at[best]].since && v < at[best]))) {
                best = l;
            }
        }
        if (best == kNone) {
            return;
        }
        const std::uint32_t v = at[best];
        at[best] = rank_[v].next;
        if (!fn(v)) {
            return;
        }
    }
}

template <class Usable>
std::size_t FleetBoard::nearest_ranked(Point p, double radius_m, Usable&& usable,
                                       std::span<std::uint32_t> out, std::uint16_t type) const {
    using Best = world::PointGrid::Best;
    const auto n = static_cast<std::uint32_t>(entries_.size());
    // more orders first, then waiting since earlier (not waiting: 0); since >= 0 < 2^56
    auto key = [](const Entry& e, sim::Tick since) {
        return (std::uint64_t{255u - e.plan_size} << 56) | static_cast<std::uint64_t>(since);
    };
    return grid_.nearest_by(p, radius_m, out, [&](std::uint32_t id, double d2, Best& best) {
        if (id < n) {
            if (usable(id, entries_[id])) {
                best.offer(d2, key(entries_[id], 0), id);
            }
            return;
        }
        // a rank: keys grow from its head, so the first one that cannot enter ends it
        auto take = [&](std::uint32_t v) {
            return !usable(v, entries_[v]) || best.offer(d2, key(entries_[v], rank_[v].since), v);
        };
        if (type != kAnyType && lanes_ > 1 && type < lanes_) {
            const Queue& lane = queues_[(std::size_t{id - n} * lanes_) + type];
            for (std::uint32_t v = lane.head; v != kNone; v = rank_[v].next) {
                if (!take(v)) {
                    return;
                }
            }
            return;
        }
        walk(id - n, take);
    });
}

template <class Usable, class TieKey>
std::size_t FleetBoard::nearest(Point p, double radius_m, Usable&& usable,
                                std::span<std::uint32_t> out, TieKey&& tie_key) const {
    using Best = world::PointGrid::Best;
    const auto n = static_cast<std::uint32_t>(entries_.size());
    auto offer = [&](std::uint32_t v, double d2, Best& best) {
        if (usable(v, entries_[v])) {
            best.offer(d2, static_cast<std::uint64_t>(tie_key(v, entries_[v])), v);
        }
    };
    return grid_.nearest_by(p, radius_m, out, [&](std::uint32_t id, double d2, Best& best) {
        if (id < n) {
            offer(id, d2, best);
            return;
        }
        walk(id - n, [&](std::uint32_t v) {
            offer(v, d2, best);
            return true;
        });
    });
}

}  // namespace swarm::agents
