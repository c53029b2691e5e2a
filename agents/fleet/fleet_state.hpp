// The mutable state of a fleet run (MuJoCo's mjData beside the immutable FleetSpec): vehicles
// as records and arrays indexed by vehicle index, depots as one padded record each. Only the
// LP that owns an entry writes it during a window; barrier actions and observers read it
// between windows.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "agents/fleet/disruption.hpp"
#include "agents/fleet/messages.hpp"
#include "agents/logistics/chunked_vector.hpp"
#include "agents/logistics/kpi.hpp"
#include "agents/logistics/order_book.hpp"
#include "agents/world/road_network.hpp"
#include "sim/models/queueing.hpp"
#include "sim/state_archive.hpp"
#include "sim/time.hpp"

namespace swarm::agents {

using world::EdgeId;
using world::NodeId;
using world::Point;

enum class VehicleState : std::uint8_t {
    kIdle,         // at home, nothing to do
    kToPickup,     // driving to where its next order is loaded (its depot or pick-up location)
    kLoading,      // at a depot: queued for or served by a loading dock; at a pick-up
                   // location: waiting for it to open, loading
    kEnRoute,      // driving loaded orders to a customer
    kDelivering,   // at a customer: waiting until ready or handing over
    kReturning,    // driving home with an empty plan
    kCharging,     // at home: queued for or using a charging point
    kBroken,       // out of service (set by disruptions and worn-out components)
    kMaintenance,  // at home: a planned service (predictive maintenance)
};
inline constexpr std::size_t kVehicleStateCount = 9;
const char* to_string(VehicleState s);

// whether the state machine allows from -> to
[[nodiscard]] bool transition_allowed(VehicleState from, VehicleState to);
// whether a vehicle in state s is serving orders (to pick-up, loading, en route, delivering):
// the "busy" share of traces and the live map
[[nodiscard]] constexpr bool serving(VehicleState s) {
    return s == VehicleState::kToPickup || s == VehicleState::kLoading ||
           s == VehicleState::kEnRoute || s == VehicleState::kDelivering;
}

// whether a vehicle in state s can take no order now (broken, charging, in maintenance)
[[nodiscard]] constexpr bool off_duty(VehicleState s) {
    return s == VehicleState::kBroken || s == VehicleState::kCharging ||
           s == VehicleState::kMaintenance;
}

// One planned order as the vehicle keeps it (as its award described it: OrderMsg).
// Its size is what the cloud's telemetry counts per entry (protocols/cloud.cpp).
struct PlanEntry {
    std::uint16_t depot = 0;  // the dispatcher (at most OrderMsg::kMaxDepots)
    // 1: loaded at the pick-up location of its table row, which `customer` then holds
    // (OrderMsg::has_row); 0: loaded at the depot
    std::uint16_t row = 0;
    std::uint32_t order = 0;
    std::uint32_t customer = 0;
    std::uint16_t size = 0;
    std::uint16_t service_s = kDemandService;  // hand-over time (fleet_inputs.hpp)
    sim::Tick ready = 0;
    sim::Tick due = 0;

    [[nodiscard]] bool has_row() const { return row != 0; }
    // the entry of an awarded order
    [[nodiscard]] static PlanEntry of(const OrderMsg& m) {
        return {m.depot,   static_cast<std::uint16_t>(m.has_row() ? 1 : 0),
                m.order(), m.customer,
                m.size,    m.service_s,
                m.ready,   m.due};
    }
};
static_assert(sizeof(PlanEntry) == 32);

// A vehicle's orders, in execution order; the first `loaded` are on board.
struct Plan {
    std::array<PlanEntry, kMaxPlan> entries{};
    std::uint8_t size = 0;
    std::uint8_t loaded = 0;
};

// Where a vehicle driving from a (at start) to b (arriving at end > start) is at t: on the
// straight line between them, and exactly b from end on (not a + (b - a) * 1).
[[nodiscard]] inline Point leg_position(Point a, Point b, sim::Tick start, sim::Tick end,
                                        sim::Tick t) {
    if (t >= end) {
        return b;
    }
    const double f =
        std::clamp(static_cast<double>(t - start) / static_cast<double>(end - start), 0.0, 1.0);
    return {a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f};
}

// What an event on a vehicle reads and writes on every edge or leg (on_arrive, start_leg,
// set_state): one 128-byte record, two adjacent cache lines that the hardware fetches as a
// pair, instead of a line in each of 15 arrays. With a million vehicles almost every event
// is on a vehicle whose lines left the cache since its last one (issue 20: the 1M fleet's
// extra CPU over the 10k fleet's was such misses, docs/fleet-bench.md "Session 24").
struct alignas(128) VehicleHot {
    FleetCounters counters;  // KPI counters; time is added to the bucket of the state left
    sim::Tick leg_start = 0;
    sim::Tick leg_end = 0;     // == leg_start when not moving
    sim::Tick drive_time = 0;  // time spent moving (edges and legs)
    double energy_kwh = 0.0;
    double min_energy_kwh = 0.0;         // lowest energy ever reached (a limit check)
    NodeId node = world::kNoNode;        // last node reached (leg start while moving)
    NodeId leg_to = world::kNoNode;      // end node of the current edge or leg (== node if still)
    NodeId dest = world::kNoNode;        // where the vehicle is heading
    NodeId route_dest = world::kNoNode;  // where VehicleWarm::route leads
    std::uint32_t route_pos = 0;         // next edge of VehicleWarm::route to drive
    std::uint16_t type = 0;
    VehicleState state = VehicleState::kIdle;
    std::uint8_t moving = 0;  // 1 while an Arrive event is pending
};
static_assert(sizeof(VehicleHot) == 128, "two cache lines per vehicle: keep it so");

// What a vehicle reads and writes less often (a new leg, a state change, loading, arriving
// home) and the limit checks the tests read: one cache line.
struct alignas(64) VehicleWarm {
    std::vector<EdgeId> route;  // ground: edges from node to route_dest
    sim::Tick state_since = 0;
    sim::Tick returned_at = 0;            // last arrival home (shift overrun)
    std::uint32_t home = 0;               // depot index
    std::uint32_t load = 0;               // units on board
    std::uint32_t max_load = 0;           // highest load ever carried
    std::uint32_t energy_violations = 0;  // edges or legs that ended below 0 kWh
    std::uint8_t replan = 0;              // re-plan the route at the next node
    // predictive maintenance: the vehicle's risk model asked for a service (set at a
    // barrier, cleared by the vehicle when the service starts)
    std::uint8_t service_due = 0;
};
static_assert(sizeof(VehicleWarm) == 64, "one cache line per vehicle: keep it so");

// One member of every row as an array, e.g. column(fs.warm, &VehicleWarm::home)
// (checkpoints, the LP layout, tests).
template <class R, class T>
[[nodiscard]] std::vector<T> column(const std::vector<R>& rows, T R::*member) {
    std::vector<T> out;
    out.reserve(rows.size());
    for (const R& r : rows) {
        out.push_back(r.*member);
    }
    return out;
}

// Vehicles by vehicle index: the per-event fields in one record each (hot), the rest of the
// scalars in another (warm), and arrays for the plans, the road knowledge and the followers'
// flags. Records, not an array per field: an event touches two or three cache lines of its
// vehicle, not one per field (docs/fleet.md, "Vehicle state").
struct FleetState {
    std::vector<VehicleHot> hot;
    std::vector<VehicleWarm> warm;
    std::vector<Plan> plan;
    // knowledge of road disruptions (disruption.hpp)
    std::vector<KnownRoadEvents> known;
    // set by touch() whenever state, node, leg, plan, load or energy change, one bit per
    // follower of the fleet, so that each copies only those vehicles: the trace at its next
    // sample (FleetModel::take_changes) and the FleetBoard at its next rebuild
    std::vector<std::uint8_t> changed;
    static constexpr std::uint8_t kTraceFollower = 1;
    static constexpr std::uint8_t kBoardFollower = 2;
    // not a follower: the vehicle passed on an offer since the last board rebuild, which
    // moves it to the back of its taxi rank (FleetBoard) and clears the flag
    static constexpr std::uint8_t kToBack = 4;
    void pass(std::uint32_t v) { flag(v, kBoardFollower | kToBack); }
    void touch(std::uint32_t v) { flag(v, kTraceFollower | kBoardFollower); }
    // sets these bits of `changed` (followers' bits and kToBack) and notes the vehicle's
    // block for each follower whose bit was not set yet
    void flag(std::uint32_t v, std::uint8_t bits) {
        const std::uint8_t was = changed[v];
        if ((was & bits) == bits) {
            return;
        }
        changed[v] = static_cast<std::uint8_t>(was | bits);
        const std::uint8_t fresh = bits & static_cast<std::uint8_t>(~was);
        if ((fresh & kTraceFollower) != 0) {
            note_block(trace_blocks, v);
        }
        if ((fresh & kBoardFollower) != 0) {
            note_block(board_blocks, v);
        }
    }
    // Not state (neither saved nor sent): per follower, one bit per block of kBlock vehicles
    // that may hold its flag, so that a follower's look costs the blocks that changed, not
    // the fleet. Set with an atomic OR (vehicles of one block may run on different threads);
    // a bit may be set for a block whose flags were cleared (mark_all_blocks after a load).
    // A block is eight vehicles, one word of flags: changes are scattered (a noted block
    // mostly holds one), so a noted block costs one load; the bits are 1/512 of the fleet.
    static constexpr std::size_t kBlock = 8;
    std::vector<std::uint64_t> trace_blocks;
    std::vector<std::uint64_t> board_blocks;
    [[nodiscard]] std::vector<std::uint64_t>& blocks_of(std::uint8_t follower) {
        return follower == kTraceFollower ? trace_blocks : board_blocks;
    }
    // every block may hold flags (after `changed` was written wholesale: resize, loads)
    void mark_all_blocks();
    // notes the flags vehicle v holds now (after its `changed` was written directly)
    void note_flags(std::uint32_t v) {
        if ((changed[v] & kTraceFollower) != 0) {
            note_block(trace_blocks, v);
        }
        if ((changed[v] & kBoardFollower) != 0) {
            note_block(board_blocks, v);
        }
    }
    static void note_block(std::vector<std::uint64_t>& blocks, std::uint32_t v) {
        const std::size_t b = v / kBlock;
        const std::uint64_t bit = std::uint64_t{1} << (b % 64);
        std::atomic_ref<std::uint64_t> word(blocks[b / 64]);
        if ((word.load(std::memory_order_relaxed) & bit) == 0) {
            word.fetch_or(bit, std::memory_order_relaxed);
        }
    }

    void resize(std::size_t n);
    [[nodiscard]] std::size_t size() const { return hot.size(); }
    // bytes held by the vectors (capacities), routes included
    [[nodiscard]] std::size_t memory_bytes() const;  // route_bytes() included
    [[nodiscard]] std::size_t route_bytes() const;   // the routes' edges
};

// The allocation of one order at its depot, beside the order's lifecycle in the OrderBook
// (an order being allocated is kCreated there). The protocol deciding it keeps the rest.
struct AllocationState {
    std::uint16_t round = 0;  // allocation round: answers of earlier rounds are stale
    bool awarding = false;    // awarded (or queued with the deciding protocol), no answer yet
    bool waiting = false;     // waits for a retry for want of a vehicle (DepotState::waiting)
    // a vehicle found no route for it under what it knows: held, and failed as unreachable
    // when nobody has taken it by its due time
    bool unreachable = false;
    // the round in which a vehicle last found no route for it (0: never): an order without a
    // bid that round waits for news, not for a vehicle, and holds back no lower priority
    std::uint16_t unreachable_round = 0;
};

// The jobs a SlotPool keeps, field-wise under the archive's current scope (checkpoints);
// load_rows resizes `rows` to what was saved.
void save_rows(sim::StateArchive& ar, const std::vector<DockMsg>& rows);
void load_rows(const sim::StateArchive& ar, std::vector<DockMsg>& rows);
void save_rows(sim::StateArchive& ar, const std::vector<ChargeMsg>& rows);
void load_rows(const sim::StateArchive& ar, std::vector<ChargeMsg>& rows);

// Fixed slots reused through a free list (dock and charger jobs of a depot).
template <class T>
class SlotPool {
  public:
    std::uint32_t put(const T& value) {
        if (!free_.empty()) {
            const std::uint32_t i = free_.back();
            free_.pop_back();
            slots_[i] = value;
            return i;
        }
        slots_.push_back(value);
        return static_cast<std::uint32_t>(slots_.size() - 1);
    }
    T take(std::uint32_t i) {
        free_.push_back(i);
        return slots_[i];
    }
    [[nodiscard]] std::size_t memory_bytes() const {
        return slots_.capacity() * sizeof(T) + free_.capacity() * sizeof(std::uint32_t);
    }

    // checkpoints: every slot (free ones too, as they are) and the free list in its order,
    // which decides the slot of the next job
    void save(sim::StateArchive& ar) const {
        ar.put("free", free_);
        const auto s = ar.scope("slots");
        save_rows(ar, slots_);
    }
    void load(const sim::StateArchive& ar) {
        std::vector<std::uint32_t> free;
        ar.get("free", free);
        std::vector<T> slots;
        {
            const auto s = ar.scope("slots");
            load_rows(ar, slots);
        }
        for (const std::uint32_t i : free) {
            if (i >= slots.size()) {
                ar.field_error("free", "names slot " + std::to_string(i) + " of " +
                                           std::to_string(slots.size()));
            }
        }
        slots_ = std::move(slots);
        free_ = std::move(free);
    }

  private:
    std::vector<T> slots_;
    std::vector<std::uint32_t> free_;
};

// Allocation traffic of one depot (the order and dock KPIs live in the book's DepotCounters).
struct AllocationCounters {
    std::uint64_t offers = 0;
    std::uint64_t bids = 0;
    std::uint64_t declines = 0;
    std::uint64_t rejects = 0;
    std::uint64_t retries = 0;
};

struct alignas(64) DepotState {
    DepotState(std::uint32_t depot, sim::Tick kpi_interval, std::uint32_t dock_count,
               std::uint32_t charger_count)
        : book(depot, kpi_interval), docks(dock_count), chargers(charger_count) {}
    OrderBook book;                              // the orders, their lifecycle and the KPIs
    ChunkedVector<AllocationState> allocations;  // by order index
    SlotPool<DockMsg> dock_jobs;                 // by the dock customer's id
    SlotPool<ChargeMsg> charge_jobs;             // by the charger customer's id
    sim::FifoStation docks;
    sim::FifoStation chargers;
    std::uint64_t stock = 0;
    std::uint64_t demand_draws = 0;  // draws taken from the demand substream
    std::uint64_t cloud_draws = 0;   // draws taken from the cloud-loss substream
    AllocationCounters allocation;
    std::uint64_t forwarded_in = 0;   // orders taken over from a closed depot
    std::uint64_t forwarded_out = 0;  // orders handed to another depot while closed
    std::uint32_t replay_next = 0;    // the next order of FleetSpec::replay to release
    // orders waiting for a retry for want of a vehicle, by priority (0 ... kMaxPriority);
    // empty when every order has priority 0 (docs/inputs.md, "Priorities")
    std::vector<std::uint32_t> waiting;
};

// The LP id layout: each depot followed by the vehicles based there (in vehicle order), so
// that the kernel's contiguous partition blocks spread depots over partitions and keep each
// depot near its own fleet. The only place LP ids and (kind, index) are mapped.
class LpLayout {
  public:
    enum class Kind : std::uint8_t { kDepot, kVehicle, kCloud };
    struct Entry {
        Kind kind = Kind::kDepot;
        std::uint32_t index = 0;  // depot or vehicle index
    };

    LpLayout() = default;
    // vehicle_home[v]: the home depot of vehicle v (< depots); with_cloud: one more LP, the
    // last, for the cloud dispatcher
    LpLayout(std::uint32_t depots, const std::vector<std::uint32_t>& vehicle_home,
             bool with_cloud = false);

    [[nodiscard]] sim::LpId depot_lp(std::uint32_t d) const { return depot_lp_[d]; }
    [[nodiscard]] sim::LpId vehicle_lp(std::uint32_t v) const { return vehicle_lp_[v]; }
    // the cloud dispatcher: the last LP, or kNoCloud without one
    static constexpr sim::LpId kNoCloud = 0xFFFFFFFFu;
    [[nodiscard]] sim::LpId cloud_lp() const { return cloud_lp_; }
    [[nodiscard]] Entry at(sim::LpId lp) const { return entries_[lp]; }
    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    [[nodiscard]] std::size_t memory_bytes() const;

  private:
    std::vector<sim::LpId> depot_lp_;
    std::vector<sim::LpId> vehicle_lp_;
    std::vector<Entry> entries_;  // by LP id
    sim::LpId cloud_lp_ = kNoCloud;
};

}  // namespace swarm::agents
