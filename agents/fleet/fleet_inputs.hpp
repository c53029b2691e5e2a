// Orders and vehicle shifts given as data rather than drawn: a historic day replayed at
// each order's release time, and per-vehicle shift windows (scenario [inputs] tables,
// docs/inputs.md). Part of the immutable FleetSpec.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "agents/world/road_network.hpp"

namespace swarm::agents {

// An order's hand-over time at the customer in whole seconds, as order messages carry it
// (OrderMsg::service_s), or kDemandService: the demand's customer_service_s (which may have a
// fraction), what drawn orders take.
inline constexpr std::uint16_t kDemandService = 0xFFFF;
inline constexpr std::uint16_t kMaxServiceS = kDemandService - 1;
// Priorities as VROOM has them: 0 (drawn orders) ... 100, higher first (docs/inputs.md).
inline constexpr std::uint8_t kMaxPriority = 100;

// One order of the replay list: it appears at `depot` at `release_s` (simulated seconds) with
// the delivery window [earliest_s, latest_s] at `customer`.
struct ReplayOrder {
    std::uint32_t depot = 0;
    world::NodeId customer = world::kNoNode;
    std::uint32_t size = 1;  // units
    double release_s = 0.0;
    double earliest_s = 0.0;  // the vehicle waits at the customer until then (Order::ready)
    double latest_s = 0.0;    // on time when handed over by then (Order::due)
    std::uint16_t service_s = kDemandService;  // hand-over time (Order::service_time)
    // which orders are offered and planned first when not all can be served
    std::uint8_t priority = 0;
    // where the order is loaded when not at its depot (kNoNode: at the depot's docks); the
    // depot stays its dispatcher. The vehicle waits there until pickup_earliest_s, then
    // loads for pickup_service_s (no dock). docs/inputs.md, "Pick-up locations"
    world::NodeId pickup = world::kNoNode;
    double pickup_earliest_s = 0.0;
    double pickup_latest_s = std::numeric_limits<double>::infinity();  // not enforced
    std::uint16_t pickup_service_s = 0;

    [[nodiscard]] bool has_pickup() const { return pickup != world::kNoNode; }
};

// The replay list grouped by depot: depot d's orders are orders[first[d] .. first[d + 1]),
// sorted by release time (ties in file order). Empty: no replay.
struct OrderReplay {
    std::vector<ReplayOrder> orders;
    std::vector<std::uint32_t> first;  // depots + 1 entries when orders is not empty

    [[nodiscard]] bool empty() const { return orders.empty(); }
    [[nodiscard]] std::uint32_t begin(std::uint32_t d) const { return empty() ? 0 : first[d]; }
    [[nodiscard]] std::uint32_t end(std::uint32_t d) const { return empty() ? 0 : first[d + 1]; }
};

// When a vehicle is on duty: it takes no order before `start_s`, and none it could not
// deliver and be home again from by `end_s` (simulated seconds).
struct VehicleShift {
    double start_s = 0.0;
    double end_s = std::numeric_limits<double>::infinity();

    [[nodiscard]] bool bounded() const { return start_s > 0.0 || end_s < kNoEnd; }
    static constexpr double kNoEnd = std::numeric_limits<double>::infinity();
};

}  // namespace swarm::agents
