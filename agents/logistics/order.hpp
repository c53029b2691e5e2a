// An order and its lifecycle. Orders belong to the depot that created them; the id packs the
// depot and the depot's own sequence number, so ids never depend on threads or LP order.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/time.hpp"

namespace swarm::agents {

using sim::Tick;

inline constexpr std::uint32_t kUnassignedVehicle = 0xFFFF'FFFFu;
inline constexpr std::uint32_t kNoCustomer = 0xFFFF'FFFFu;
inline constexpr std::uint32_t kNoRef = 0xFFFF'FFFFu;

// (depot, index): index is the depot's creation sequence number, 0, 1, 2, ...
struct OrderId {
    std::uint32_t depot = 0;
    std::uint32_t index = 0;

    // depot in the high 32 bits, so packed ids sort by depot, then creation order
    [[nodiscard]] constexpr std::uint64_t packed() const {
        return (std::uint64_t{depot} << 32) | index;
    }
    [[nodiscard]] static constexpr OrderId unpack(std::uint64_t packed) {
        return {static_cast<std::uint32_t>(packed >> 32), static_cast<std::uint32_t>(packed)};
    }
    friend constexpr bool operator==(OrderId, OrderId) = default;
    friend constexpr auto operator<=>(OrderId, OrderId) = default;
};

// "depot:index", e.g. "3:17"
[[nodiscard]] std::string to_string(OrderId id);

// created -> assigned -> picked_up -> delivered; created/assigned/picked_up -> failed;
// assigned -> created when the vehicle is lost (orphaned). See docs/logistics.md.
enum class OrderState : std::uint8_t { kCreated, kAssigned, kPickedUp, kDelivered, kFailed };
inline constexpr std::size_t kOrderStateCount = 5;

[[nodiscard]] std::string_view to_string(OrderState state);

[[nodiscard]] constexpr bool is_terminal(OrderState state) {
    return state == OrderState::kDelivered || state == OrderState::kFailed;
}

// Why an order failed. kNone on every order that has not failed.
enum class FailReason : std::uint8_t {
    kNone,
    kNoVehicle,    // no vehicle accepted it within the allocation rounds
    kNoStock,      // the depot could not supply it
    kUnreachable,  // no route between depot and customer
    kDepotClosed,  // the depot was disrupted while holding it
    kVehicleLost,  // the vehicle carrying it broke down and it could not be recovered
    kExpired,      // still undelivered at its expiry deadline
    kCancelled,    // withdrawn by the customer or the scenario
};
inline constexpr std::size_t kFailReasonCount = 8;

[[nodiscard]] std::string_view to_string(FailReason reason);

// An order as its depot's OrderBook keeps it. Timestamps of steps not (yet) taken are
// kTickNever; `assigned_at` and `vehicle` describe the latest assignment.
// Members are ordered so that padding is minimal (128 B: four per vehicle in a day's fleet).
struct Order {
    OrderId id;
    std::uint32_t depot = 0;                    // == id.depot
    std::uint32_t customer_node = kNoCustomer;  // road-network node of the customer
    std::uint32_t vehicle = kUnassignedVehicle;
    std::uint32_t reassignments = 0;  // times it was orphaned (assigned -> created)
    // the order's entry in a replayed table (FleetSpec::replay), kNoRef for drawn orders
    std::uint32_t ref = kNoRef;
    OrderState state = OrderState::kCreated;
    FailReason reason = FailReason::kNone;
    double size = 1.0;  // units of vehicle capacity
    Tick created = 0;
    Tick ready = 0;         // earliest hand-over at the customer (the vehicle waits)
    Tick due = 0;           // latest on-time hand-over at the customer
    Tick service_time = 0;  // hand-over time at the customer
    Tick first_assigned_at = sim::kTickNever;
    Tick assigned_at = sim::kTickNever;
    Tick orphaned_at = sim::kTickNever;  // latest orphaning
    Tick picked_up_at = sim::kTickNever;
    Tick delivered_at = sim::kTickNever;
    Tick failed_at = sim::kTickNever;
    double delivered_size = 0.0;  // what was handed over (< size: not in full)

    [[nodiscard]] bool open() const { return !is_terminal(state); }
    [[nodiscard]] bool on_time() const {
        return state == OrderState::kDelivered && delivered_at <= due;
    }
    [[nodiscard]] bool in_full() const {
        return state == OrderState::kDelivered && delivered_size >= size;
    }
    // ticks past the due time at delivery, 0 when on time (tardiness)
    [[nodiscard]] Tick lateness() const {
        return state == OrderState::kDelivered && delivered_at > due ? delivered_at - due : 0;
    }
};

}  // namespace swarm::agents
