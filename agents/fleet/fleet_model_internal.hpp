// Helpers shared by the files that implement FleetModel (fleet_model*.cpp): not part of the
// fleet's API.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "agents/fleet/fleet_model.hpp"

namespace swarm::agents::fleet_detail {

using sim::Tick;

inline constexpr std::uint32_t kNone = 0xFFFFFFFFu;

// The kinds of the model's barrier actions (sim::ActionKey::kind): what a checkpoint lists
// of the pending ones. The numbers are part of the checkpoint format: never reuse one.
enum FleetAction : std::uint32_t {
    kBoardAction = 1,      // rebuild the FleetBoard (every board_interval_s)
    kFleetTimeAction = 2,  // book fleet time into the KPI series (every KPI interval)
    kLearningRoundAction = 3,
    kDisruptionAction = 4,      // a: disruption spec index
    kDisruptionEndAction = 5,   // a: disruption spec index (its inverse)
    kFailureAction = 6,         // a: spec index, b: vehicle, c: next draw of its stream
    kFailureRepairAction = 7,   // the same
    kLearningRepairAction = 8,  // b: vehicle (worn out, repaired at world.repair_at)
};

inline double distance(Point a, Point b) {
    return std::hypot(a.x - b.x, a.y - b.y);
}

inline Tick seconds_to_ticks(const sim::TimeScale& ts, double s) {
    return ts.from_seconds(s);
}

// the order id of order o of depot d
inline OrderId order_id(std::uint32_t d, std::uint32_t o) {
    return {d, o};
}

// logistics demand from the fleet's demand spec: integer sizes in [1, max_size], ready at
// creation, due due_s later, a fixed hand-over time
inline DemandProcess make_demand(const FleetSpec& spec, std::uint32_t d, std::vector<NodeId> zone) {
    const DemandSpec& ds = spec.demand;
    CustomerZone z;
    z.depot = d;
    z.nodes = std::move(zone);
    z.orders_per_hour = spec.depots[d].demand_per_hour;
    const Tick day = spec.time.from_seconds(86400.0);
    RateProfile profile = ds.profile == DemandProfile::kDay
                              ? RateProfile::day(spec.time, ds.start_hour)
                              : RateProfile::flat(day);
    DemandParams p;
    p.size = {1.0, static_cast<double>(ds.max_size)};
    p.integer_size = true;
    p.ready_offset_s = {0.0, 0.0};
    p.window_s = {ds.due_s, ds.due_s};
    p.service_s = {ds.customer_service_s, ds.customer_service_s};
    return {std::move(z), std::move(profile), p, spec.time};
}

// the KPI bucket of a vehicle state (docs/logistics.md): busy serving orders, idle when
// available without an order (returning home included), charging, down
inline Tick& time_bucket(FleetCounters& c, VehicleState s) {
    return FleetTally::field(c, FleetTally::bucket(s));  // one mapping of states to buckets
}

// why an order nobody took by its due time fails: unreachable when a vehicle found no route
// for it (it was held for news), else for want of a vehicle
inline FailReason unserved_reason(const AllocationState& a) {
    return a.unreachable ? FailReason::kUnreachable : FailReason::kNoVehicle;
}

// whether order o of depot d is being auctioned and waits for bids (not awarded, assigned or
// closed)
inline bool open_for_bids(const DepotState& ds, std::uint32_t d, std::uint32_t o) {
    return ds.book.order(order_id(d, o)).state == OrderState::kCreated &&
           !ds.allocations[o].awarding;
}

}  // namespace swarm::agents::fleet_detail
