// Allocation policies: who gets an order. A policy has a depot side (whom to offer an order,
// how long to wait, which bid wins) and a vehicle side (what a vehicle bids). Policies are
// stateless and shared by all LPs and threads; they read only what the caller passes.
// Chosen by name (`make_allocation_policy`), so that auction, CBBA and cloud policies can sit
// beside the first one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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
};

// A plan's straight-line estimate: when and where it ends, and the energy it needs.
struct PlanEstimate {
    sim::Tick finish = 0;
    NodeId end = world::kNoNode;
    double kwh = 0.0;
};

class AllocationPolicy {
  public:
    virtual ~AllocationPolicy() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;
    // true: a central dispatcher (the cloud LP) awards orders; depots send their orders to it
    // over the cloud link instead of offering them to vehicles
    [[nodiscard]] virtual bool centralized() const { return false; }
    // true: vehicles near each depot agree on the awards by consensus (CBBA) instead of the
    // depot collecting bids
    [[nodiscard]] virtual bool consensus() const { return false; }

    // depot side: the vehicles to offer `order` to, written to out; returns how many
    virtual std::size_t candidates(const FleetSpec& spec, const FleetBoard& board,
                                   std::uint32_t depot, const OrderMsg& order,
                                   std::span<std::uint32_t> out) const = 0;
    // depot side: whether bid (cost_a, vehicle_a) beats (cost_b, vehicle_b)
    [[nodiscard]] virtual bool better(double cost_a, std::uint32_t vehicle_a, double cost_b,
                                      std::uint32_t vehicle_b) const = 0;
    // vehicle side: the insertion cost in seconds, or nullopt to decline
    [[nodiscard]] virtual std::optional<double> bid(const FleetSpec& spec, const VehicleView& me,
                                                    const OrderMsg& order, sim::Tick now) const = 0;
};

// "nearest_bid" (alias "insertion"): offer to the K nearest usable vehicles within the offer
// radius; each bids the straight-line time to finish its plan, reach the depot, load and
// deliver; the lowest cost wins, ties to the lower vehicle index.
std::unique_ptr<AllocationPolicy> make_nearest_bid_policy();

// "cloud": the cloud dispatcher picks, for each order, the candidate (same K nearest usable
// vehicles) whose telemetry says it is free soonest near the depot: free_at plus the
// straight-line time from where it gets free to the depot. Vehicles only accept or reject.
std::unique_ptr<AllocationPolicy> make_cloud_policy();

// "cbba": the consensus-based bundle algorithm among the radio-connected vehicles near each
// depot (agents/coordination, docs/cbba.md); candidates and bids as nearest_bid.
std::unique_ptr<AllocationPolicy> make_cbba_policy();

// by name; throws std::invalid_argument listing the known names
std::unique_ptr<AllocationPolicy> make_allocation_policy(std::string_view name);
std::vector<std::string> allocation_policy_names();

// straight-line estimate of a vehicle's plan plus, if `extra` is given, the order appended,
// and the energy to get home afterwards; `handed_over`, when not empty (at least the plan's
// size), receives the estimated end of each planned order's hand-over
PlanEstimate estimate_plan(const FleetSpec& spec, const VehicleView& me, const OrderMsg* extra,
                           sim::Tick now, std::span<sim::Tick> handed_over = {});

// whether a vehicle can take `order` on top of its plan: capacity, plan length, energy
[[nodiscard]] bool feasible(const FleetSpec& spec, const VehicleView& me, const OrderMsg& order,
                            sim::Tick now, PlanEstimate* estimate = nullptr);

}  // namespace swarm::agents
