// The mutable state of a fleet run (MuJoCo's mjData beside the immutable FleetSpec): vehicles
// as structs of arrays indexed by vehicle index, depots as one padded record each. Only the
// LP that owns an entry writes it during a window; barrier actions and observers read it
// between windows.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "agents/fleet/messages.hpp"
#include "agents/world/road_network.hpp"
#include "sim/models/queueing.hpp"
#include "sim/time.hpp"

namespace swarm::agents {

using world::EdgeId;
using world::NodeId;
using world::Point;

enum class VehicleState : std::uint8_t {
    kIdle,        // at home, nothing to do
    kToPickup,    // driving to the depot of its next order
    kLoading,     // at a depot: queued for or served by a loading dock
    kEnRoute,     // driving loaded orders to a customer
    kDelivering,  // at a customer: waiting until ready or handing over
    kReturning,   // driving home with an empty plan
    kCharging,    // at home: queued for or using a charging point
    kBroken,      // out of service (set by disruptions)
};
inline constexpr std::size_t kVehicleStateCount = 8;
const char* to_string(VehicleState s);

// whether the state machine allows from -> to
[[nodiscard]] bool transition_allowed(VehicleState from, VehicleState to);

// One planned order as the vehicle keeps it.
struct PlanEntry {
    std::uint32_t depot = 0;
    std::uint32_t order = 0;
    std::uint32_t customer = 0;
    std::uint32_t size = 0;
    sim::Tick ready = 0;
    sim::Tick due = 0;
};

// A vehicle's orders, in execution order; the first `loaded` are on board.
struct Plan {
    std::array<PlanEntry, kMaxPlan> entries{};
    std::uint8_t size = 0;
    std::uint8_t loaded = 0;
};

// Vehicles, structs of arrays. Hot: movement; warm: plan and energy; cold: counters.
struct FleetState {
    // hot: where each vehicle is
    std::vector<VehicleState> state;
    std::vector<NodeId> node;    // last node reached (leg start while moving)
    std::vector<NodeId> leg_to;  // end node of the current edge or leg (== node if still)
    std::vector<sim::Tick> leg_start;
    std::vector<sim::Tick> leg_end;          // == leg_start when not moving
    std::vector<NodeId> dest;                // where the vehicle is heading
    std::vector<std::vector<EdgeId>> route;  // ground: edges from node to route_dest
    std::vector<std::uint32_t> route_pos;    // next edge of route to drive
    std::vector<NodeId> route_dest;
    std::vector<std::uint8_t> moving;  // 1 while an Arrive event is pending
    // warm
    std::vector<std::uint16_t> type;
    std::vector<std::uint32_t> home;  // depot index
    std::vector<std::uint32_t> load;  // units on board
    std::vector<double> energy_kwh;
    std::vector<Plan> plan;
    // cold: counters
    std::vector<double> metres;
    std::vector<double> kwh_used;
    std::vector<sim::Tick> busy_ticks;  // time in any state but idle/charging/broken
    std::vector<sim::Tick> state_since;
    std::vector<std::uint32_t> delivered;
    std::vector<std::uint32_t> max_load;           // highest load ever carried
    std::vector<double> min_energy_kwh;            // lowest energy ever reached
    std::vector<std::uint32_t> energy_violations;  // edges or legs that ended below 0 kWh

    void resize(std::size_t n);
    [[nodiscard]] std::size_t size() const { return state.size(); }
    // bytes held by the vectors (capacities), routes included
    [[nodiscard]] std::size_t memory_bytes() const;
};

// Where an order is in its life at its depot.
enum class OrderStatus : std::uint8_t {
    kOpen,       // being offered (or waiting to be offered again)
    kAwarding,   // awarded, the winner's answer is on its way
    kAssigned,   // in a vehicle's plan
    kPickedUp,   // loaded on the vehicle
    kDelivered,  // handed over (on time or late)
    kFailed,     // given up (no vehicle before its due time, or no stock)
};
inline constexpr std::size_t kOrderStatusCount = 6;

// An order as the depot keeps it.
struct DepotOrder {
    NodeId customer = world::kNoNode;
    std::uint32_t size = 0;
    sim::Tick created = 0;
    sim::Tick ready = 0;
    sim::Tick due = 0;
    double best_cost = 0.0;
    std::uint32_t best_vehicle = 0xFFFFFFFFu;
    std::uint32_t vehicle = 0xFFFFFFFFu;  // assigned vehicle
    std::uint16_t round = 0;
    OrderStatus status = OrderStatus::kOpen;
};

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

  private:
    std::vector<T> slots_;
    std::vector<std::uint32_t> free_;
};

// Per-depot counters, summed by the KPI observer in depot order.
struct FleetDepotCounters {
    std::uint64_t created = 0;
    std::uint64_t assigned = 0;
    std::uint64_t picked_up = 0;
    std::uint64_t delivered_on_time = 0;
    std::uint64_t delivered_late = 0;
    std::uint64_t failed_no_vehicle = 0;
    std::uint64_t failed_no_stock = 0;
    std::uint64_t offers = 0;
    std::uint64_t bids = 0;
    std::uint64_t declines = 0;
    std::uint64_t rejects = 0;
    std::uint64_t retries = 0;
    double delivery_delay_s = 0.0;  // sum over delivered orders of (delivered - created)
};

struct alignas(64) DepotState {
    DepotState(std::uint32_t dock_count, std::uint32_t charger_count)
        : docks(dock_count), chargers(charger_count) {}
    std::vector<DepotOrder> orders;   // by order index
    SlotPool<DockMsg> dock_jobs;      // by the dock customer's id
    SlotPool<ChargeMsg> charge_jobs;  // by the charger customer's id
    sim::FifoStation docks;
    sim::FifoStation chargers;
    std::uint64_t stock = 0;
    std::uint64_t demand_draws = 0;  // draws taken from the demand substream
    FleetDepotCounters counters;
};

}  // namespace swarm::agents
