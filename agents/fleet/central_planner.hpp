// The central planner of the cloud and oracle protocols (agents/fleet/protocols/cloud.cpp,
// docs/central-planner.md): given what it knows of every vehicle (its last telemetry plus
// the awards still on their way) and a batch of open orders, it chooses which vehicle gets
// each order and in which sequence. Vehicles append awards to their plans, so an order can
// go anywhere in the sequence of new orders behind a vehicle's committed plan, never before
// it. An award must pass the vehicle's own acceptance test (allocation.hpp: feasible, what
// the vehicle checks again when the award arrives); travel times, distances and energy are
// the roads' own (options.legs: fastest routes on the roads as they are, energy reserve
// checked on those distances). The objective is the cost KPI's money (distance and energy,
// home again included) plus the lateness the estimate foresees and a small value of
// delivery time.
//
// Algorithm: regret-2 insertion (among the orders of the highest priority left, the one whose
// best and second-best vehicles differ the most goes first: when not all fit, those left out
// are of the lowest priorities, as VROOM's), then relocate moves (an order to any position of any
// vehicle's new sequence) until none improves or kMaxRelocatePasses passes, then exchanges (two
// orders of two vehicles swap places), relocating again after each pass that exchanged something
// (at most kMaxRelocatePasses rounds). Pure function of its inputs: the same inputs give the same
// plan on any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "agents/fleet/allocation.hpp"
#include "agents/routing/router.hpp"
#include "agents/world/point_grid.hpp"
#include "agents/world/strongly_connected.hpp"

namespace swarm::agents {

// What the planner knows of one vehicle. view.plan is ignored: `plan` is used instead (the
// plan as last reported plus the awards sent since that the report does not show yet).
struct PlannerVehicle {
    VehicleView view;
    Plan plan;
    bool usable = false;  // reachable and taking work, as far as the planner knows
};

struct PlannerOptions {
    // candidate vehicles per order: the nearest this many usable vehicles (straight line
    // from their reported position to the order's depot); 0: every usable vehicle
    std::uint32_t candidates = 0;
    // the roads for travel times, distances and energy (RoutedLegs); nullptr: the
    // vehicles' own straight-line estimates. Either way an award must also pass the
    // vehicle's own acceptance test.
    LegModel* legs = nullptr;
    // exchange moves after relocation (off only to measure what they bring)
    bool exchange = true;
    // the vehicles' positions indexed, kept by the caller between solves
    // (update_vehicle_index: every vehicle at its view.position's point, usable or not): an
    // order's candidates (up to 64) are then taken from it instead of a pass over the fleet,
    // the same vehicles either way; nullptr: the pass
    const world::PointGrid* vehicles_index = nullptr;
    // off: the pass even with an index (only to measure and test that it changes nothing)
    bool index_candidates = true;
};

// Keeps `index` holding every vehicle at its view.position's point, for
// PlannerOptions::vehicles_index: builds it the first time (placed[v] remembers each
// vehicle's node), then moves only the vehicles whose node changed since the last call
void update_vehicle_index(const FleetSpec& spec, std::span<const PlannerVehicle> vehicles,
                          world::PointGrid& index, std::vector<NodeId>& placed);

// Road legs from a router under one view, each pair routed once (a solve asks for the same
// few hundred legs many times, and the next solve for most of them again: the plans the
// vehicles hold, the depots' customers). Kept from one solve to the next by rebind() while
// the view is the same object; the results are those of routing every leg afresh. Under a speed
// profile the legs are the fastest leaving at their departure, as the vehicles drive them: a pair
// is routed once per hour and speed factor (leaving as the hour begins), which is exact for every
// departure whose leg ends within that hour (the factors are then constant); a leg that crosses
// into the next hour is routed for its own departure.
class RoutedLegs final : public LegModel {
  public:
    RoutedLegs(routing::Router& router, const routing::RouteView& view,
               const routing::SpeedProfile* profile = nullptr)
        : router_(&router), view_(&view), view_id_(view.id), profile_(profile) {}
    Leg leg(NodeId from, NodeId to, double depart_s, double speed_factor) override;
    // For the next solve: the legs routed so far are kept when `view` is the object they were
    // routed under, with the same id (the caller's views must not change while they live, as
    // FleetModel's do not: one per set of known road events, numbered, freed once no vehicle
    // holds that set, so that another may be made at the same address), and fewer than
    // kMaxKept; otherwise forgotten. Any router gives the same legs.
    void rebind(routing::Router& router, const routing::RouteView& view);
    static constexpr std::size_t kMaxKept = std::size_t{1} << 18;
    [[nodiscard]] std::size_t routed() const {
        return memo_.size() + hour_paths_.size() + crossing_.size();
    }
    [[nodiscard]] std::size_t memory_bytes() const;

  private:
    // (from, to, a clock time: the hour's start or a departure, speed factor)
    struct TimedKey {
        NodeId from;
        NodeId to;
        double at_s;
        double speed_factor;
        bool operator==(const TimedKey&) const = default;
    };
    struct TimedHash {
        std::size_t operator()(const TimedKey& k) const;
    };
    struct HourPath {
        bool found = false;
        bool within = false;  // it ends within the hour, leaving as the hour begins
        double metres = 0.0;
        std::vector<EdgeId> edges;
    };
    Leg timed_leg(NodeId from, NodeId to, double depart_s, double speed_factor);
    // false when no open road leads from `from` to `to` (known without a search for most
    // pairs: a leg behind a closure would settle every node it can reach)
    bool may_reach(NodeId from, NodeId to);

    routing::Router* router_;
    const routing::RouteView* view_;
    std::uint64_t view_id_ = 0;  // view_->id when it was bound (RouteView::id)
    const routing::SpeedProfile* profile_;
    std::unordered_map<std::uint64_t, Leg> memo_;
    std::unordered_map<TimedKey, HourPath, TimedHash> hour_paths_;
    std::unordered_map<TimedKey, Leg, TimedHash> crossing_;  // legs across an hour boundary
    std::optional<world::OpenReach> reach_;                  // under view_, made when needed
};

struct PlannerResult {
    // the awards in the sequence to send them: (index into the orders, vehicle); a
    // vehicle's orders in the sequence it should append them
    std::vector<std::pair<std::uint32_t, std::uint32_t>> awards;
    // plan evaluations done (each one estimate_plan of one vehicle's plan): the work the
    // solve-time model charges for
    std::uint64_t evaluations = 0;
    double objective = 0.0;  // the planned cost of the awards (currency units)
};

inline constexpr std::uint32_t kMaxRelocatePasses = 8;

// plans `orders` (each at most once) onto `vehicles` at time now; orders no vehicle can
// take are left out of the awards
PlannerResult plan_batch(const FleetSpec& spec, std::span<const PlannerVehicle> vehicles,
                         std::span<const OrderMsg> orders, sim::Tick now,
                         const PlannerOptions& options = {});

// the planner's cost of an order handed over at `handed` (estimate): the cost KPI's
// lateness charges when past due plus a small value of delivery time from now
[[nodiscard]] double delivery_cost(const FleetSpec& spec, const OrderMsg& order, sim::Tick handed,
                                   sim::Tick now);

}  // namespace swarm::agents
