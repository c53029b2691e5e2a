// Allocation building blocks: what a vehicle knows of itself, straight-line plan estimates,
// feasibility, candidates and bids. Pure functions of what the caller passes, shared by all
// LPs and threads. The protocols that decide with them are in agents/fleet/protocol.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "agents/fleet/fleet_board.hpp"
#include "agents/fleet/fleet_spec.hpp"
#include "agents/fleet/fleet_state.hpp"

namespace swarm::agents {

// What the vehicle knows of itself when it answers an offer.
struct VehicleView {
    std::uint32_t vehicle = 0;
    const VehicleType* type = nullptr;
    VehicleState state = VehicleState::kIdle;
    NodeId position = world::kNoNode;  // where it will be next (end of the current leg)
    sim::Tick position_time = 0;       // when it gets there
    NodeId home_node = world::kNoNode;
    double energy_kwh = 0.0;
    const Plan* plan = nullptr;
    // its shift (FleetSpec::shifts): no order before shift_start, none it could not deliver
    // and be home from by shift_end
    sim::Tick shift_start = 0;
    sim::Tick shift_end = sim::kTickNever;
};

// an order's hand-over time in seconds (OrderMsg::service_s, PlanEntry::service_s)
[[nodiscard]] inline double service_seconds(const FleetSpec& spec, std::uint16_t service_s) {
    return service_s == kDemandService ? spec.demand.customer_service_s
                                       : static_cast<double>(service_s);
}

// The stops of an order (an OrderMsg or a PlanEntry): one loaded at a pick-up location
// carries its table row in `customer` (OrderMsg::kRowFlag), read here.
template <class M>
[[nodiscard]] const ReplayOrder* pickup_row(const FleetSpec& spec, const M& m) {
    return m.has_row() ? &spec.replay.orders[m.customer] : nullptr;
}
// where the order is handed over
template <class M>
[[nodiscard]] NodeId customer_node(const FleetSpec& spec, const M& m) {
    return m.has_row() ? spec.replay.orders[m.customer].customer : m.customer;
}
// where the order is loaded: its pick-up location, else its depot
template <class M>
[[nodiscard]] NodeId load_node(const FleetSpec& spec, const M& m) {
    return m.has_row() ? spec.replay.orders[m.customer].pickup : spec.depots[m.depot].node;
}

// me's shift from spec.shifts (vehicle v), unbounded when the spec has none
void set_shift(VehicleView& me, const FleetSpec& spec, std::uint32_t v);

// A plan's estimate: when and where it ends, and the energy it needs.
struct PlanEstimate {
    sim::Tick finish = 0;
    NodeId end = world::kNoNode;
    double kwh = 0.0;
    double metres = 0.0;  // the estimate's distance, home again included
    sim::Tick home = 0;   // when the vehicle is home again after the plan
    // false when a leg has no route on the roads the LegModel knows (straight-line
    // estimates are always reachable); the rest of the estimate then uses straight lines
    bool reachable = true;
};

// Travel on the roads between two nodes, for estimates that use the network rather than
// straight lines: seconds (+inf: no route) and metres.
struct Leg {
    double seconds = 0.0;
    double metres = 0.0;
};
class LegModel {
  public:
    virtual ~LegModel() = default;
    // the leg leaving at clock time depart_s (FleetSpec::clock_s; it matters under a speed
    // profile) by a vehicle at speed_factor of each road's speed
    virtual Leg leg(NodeId from, NodeId to, double depart_s, double speed_factor) = 0;
};

// The K nearest usable vehicles of a depot and their bids: the building blocks the
// built-in protocols (agents/fleet/protocols/) share.

// The vehicles to offer `order` to, written to out; returns how many: the
// policies.max_offers nearest usable vehicles (on duty, a free plan slot, able to carry it)
// within policies.offer_radius_m of the depot, plus each other vehicle type's nearest
// usable one that can carry it. Vehicles at one spot tie: those already holding orders
// first, then in an order of their own for each order and round.
std::size_t nearest_candidates(const FleetSpec& spec, const FleetBoard& board, std::uint32_t depot,
                               const OrderMsg& order, std::span<std::uint32_t> out);

// whether bid (cost_a, vehicle_a) beats (cost_b, vehicle_b): lower cost, ties to the lower
// vehicle index
[[nodiscard]] inline bool cheaper(double cost_a, std::uint32_t vehicle_a, double cost_b,
                                  std::uint32_t vehicle_b) {
    return cost_a < cost_b || (cost_a == cost_b && vehicle_a < vehicle_b);
}

// A vehicle's insertion bid: the straight-line time in seconds to finish its plan, reach
// the depot, load and deliver `order`; nullopt when infeasible (capacity, plan length,
// energy)
[[nodiscard]] std::optional<double> insertion_bid(const FleetSpec& spec, const VehicleView& me,
                                                  const OrderMsg& order, sim::Tick now);

// estimate of a vehicle's plan plus, if `extra` is given, the order appended, and the
// energy to get home afterwards: straight lines, or, when `legs` is given, its road legs
// for ground vehicles (drones fly straight); `handed_over`, when not empty (at least the plan's
// size), receives the estimated end of each planned order's hand-over. Each order not yet
// loaded costs a depot visit, unless `joint_loading`: then consecutive orders of one depot
// that fit the vehicle together share one visit, as the vehicle loads them (the central
// planner's cost; bids and the vehicles' own checks use the plain estimate), and
// `dock_wait_s`, when not empty (one per depot), adds a queueing time to every depot visit.
// An order with a pick-up location is loaded there alone (it waits for the pick-up window's
// opening, then the pick-up service), never joined to a depot visit.
// Under a speed profile (spec.speed_profile) ground legs take the speeds of the hours they
// start in and cross: road legs their roads' classes', straight lines the network's mean
PlanEstimate estimate_plan(const FleetSpec& spec, const VehicleView& me, const OrderMsg* extra,
                           sim::Tick now, std::span<sim::Tick> handed_over = {},
                           bool joint_loading = false, std::span<const double> dock_wait_s = {},
                           LegModel* legs = nullptr);

// whether a vehicle can take `order` on top of its plan: capacity, plan length, energy, its
// shift (on duty now, home again by its end)
[[nodiscard]] bool feasible(const FleetSpec& spec, const VehicleView& me, const OrderMsg& order,
                            sim::Tick now, PlanEstimate* estimate = nullptr,
                            std::span<sim::Tick> handed_over = {});

}  // namespace swarm::agents
