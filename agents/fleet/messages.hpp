// The messages of the fleet model's core: event types and their payloads (each <= 32 bytes,
// trivially copyable). Messages between LPs carry at least the lookahead (the radio latency); the
// self events of one LP (movement, service completions, timers) may have any delay >= 0.
#pragma once

#include <cstdint>

#include "agents/fleet/fleet_inputs.hpp"
#include "sim/event.hpp"
#include "sim/time.hpp"

namespace swarm::agents {

enum class Msg : sim::EventType {
    // depot, self
    kDemand = 1,  // the next order arrives
    kRetry,       // re-offer an order nobody took
    kDockDone,    // a loading dock finishes a vehicle
    kChargeDone,  // a charging point finishes a vehicle
    // vehicle -> depot
    kAccept,         // an awarded order is in the vehicle's plan
    kReject,         // an awarded order is no longer feasible
    kDockRequest,    // the vehicle is at the depot and wants to load
    kDelivered,      // an order was handed to its customer
    kChargeRequest,  // the vehicle is at the depot and wants to charge
    // depot -> vehicle
    kAward,    // the vehicle won an order
    kLoaded,   // loading done: the docked orders are on board
    kCharged,  // battery full
    // vehicle, self
    kArrive,       // the end of the current edge (ground) or leg (drone) is reached
    kServiceDone,  // the hand-over at a customer is over
    kReady,        // an early vehicle may start the hand-over now
    // disruptions (injected at barriers by FleetModel::apply)
    kBreak,      // vehicle: breaks down now
    kRepair,     // vehicle: back in service
    kRehome,     // vehicle: its home depot changed; go there if idle or returning
    kDepotDown,  // depot: out of service
    kDepotUp,    // depot: back in service
    kDocks,      // depot: its number of loading docks changes (VehicleMsg::count)
    // self-healing
    kOrphan,   // vehicle -> depot: an order it was assigned but cannot serve (re-allocate it)
    kLost,     // vehicle -> depot: an order it cannot deliver (failed with the given reason)
    kRevoke,   // depot -> vehicle: drop an order from the plan (depot closed, stale award)
    kForward,  // depot -> depot: an order of a closed depot's zone, to serve from here
    // predictive maintenance
    kServiceDue,  // vehicle (injected at a learning round): its predicted risk crossed the line
    kServiced,    // vehicle, self: the planned service is over
    // replayed orders (FleetSpec::replay)
    kReplay,  // depot, self: the next replayed orders are released
    // orders held while unreachable (docs/inputs.md, "Unreachable orders")
    kRouteRetry,  // vehicle, self: try again to route to the loaded order it holds
    // orders loaded at a pick-up location of their own (ReplayOrder::pickup)
    kPickUpDone,  // vehicle, self: loading at the pick-up location is over (PickUpMsg)
    kPickUp,      // vehicle -> depot: the order is on board since `at` (PickUpMsg)
};

// Each allocation protocol has messages of its own (agents/fleet/protocol.hpp): offers and
// bids, requests to a dispatcher, consensus rounds. Awards, accepts and rejects are the
// core's, shared by all protocols.

// timers that run after every message arriving at the same tick (bid windows, timeouts)
inline constexpr std::uint8_t kLatePriority = 1;

[[nodiscard]] constexpr sim::EventType type_of(Msg m) {
    return static_cast<sim::EventType>(m);
}
const char* to_string(Msg m);

// An order as the depot describes it to vehicles and dispatchers (Award, Revoke, Forward and the
// protocols' offers and requests). An event's payload is 32 bytes, so each field is as narrow
// as the model allows: the depot in 16 bits (FleetSpec: at most kMaxDepots), the order's index
// in its depot's book in the low 24 bits of `key` with its priority in the high 8 (at most
// kMaxOrderIndex + 1 orders per depot and run), its size and hand-over time in 16 bits each.
struct OrderMsg {
    std::uint32_t key = 0;  // order index | priority << 24 (order(), priority())
    std::uint32_t customer = 0;
    std::uint16_t depot = 0;
    std::uint16_t size = 0;
    std::uint16_t round = 0;                   // auction round: stale bids are ignored
    std::uint16_t service_s = kDemandService;  // hand-over, whole seconds (fleet_inputs.hpp)
    sim::Tick ready = 0;
    sim::Tick due = 0;

    static constexpr std::uint32_t kMaxOrderIndex = 0xFF'FFFFu;
    static constexpr std::uint32_t kMaxDepots = 0xFFFFu;
    // the key's top bit: the order is loaded at a pick-up location of its own, and
    // `customer` holds its table row (FleetSpec::replay) instead of the customer node: 32
    // bytes hold no second node (allocation.hpp reads both stops: customer_node, load_node)
    static constexpr std::uint32_t kRowFlag = 0x8000'0000u;
    // index in the depot's book
    [[nodiscard]] constexpr std::uint32_t order() const { return key & kMaxOrderIndex; }
    // the order's priority (ReplayOrder::priority, at most 127; 0 for drawn orders): higher
    // goes first
    [[nodiscard]] constexpr std::uint8_t priority() const {
        return static_cast<std::uint8_t>((key & ~kRowFlag) >> 24);
    }
    [[nodiscard]] constexpr bool has_row() const { return (key & kRowFlag) != 0; }
    constexpr void set_order(std::uint32_t o) {
        key = (key & ~kMaxOrderIndex) | (o & kMaxOrderIndex);
    }
    constexpr void set_priority(std::uint8_t p) {
        key = (key & (kMaxOrderIndex | kRowFlag)) | (std::uint32_t{p & 0x7Fu} << 24);
    }
    // loaded at the pick-up location of table row `row` (customer then holds the row)
    constexpr void set_row(std::uint32_t row) {
        key |= kRowFlag;
        customer = row;
    }
};
static_assert(sizeof(OrderMsg) == 32);

// Accept, Reject, Orphan, Lost (and the protocols' bids): a vehicle's answer about one order.
struct AnswerMsg {
    std::uint32_t order = 0;
    std::uint32_t vehicle = 0;  // vehicle index (not LP id)
    double cost_s = 0.0;        // Bid only: the insertion cost in seconds
    std::uint16_t round = 0;
    std::uint8_t reason = 0;  // Lost only: the logistics::FailReason
};
static_assert(sizeof(AnswerMsg) <= sim::Payload::kBytes);

// DockRequest: up to kMaxPlan orders of this depot to load, in plan order; Loaded: the ones
// actually loaded (orders revoked or orphaned meanwhile stay behind). `epoch` is the vehicle's
// breakdown count when it asked, echoed back: a Loaded for a request made before a breakdown
// is stale (the vehicle dropped those orders) and ignored.
inline constexpr std::uint32_t kMaxPlan = 4;
struct DockMsg {
    std::uint32_t vehicle = 0;
    std::uint16_t count = 0;
    std::uint16_t epoch = 0;
    std::uint32_t depot = 0;
    std::uint32_t orders[kMaxPlan] = {};
};
static_assert(sizeof(DockMsg) == 28);
static_assert(sizeof(DockMsg) <= sim::Payload::kBytes);

// PickUpDone, PickUp: one order loaded at its pick-up location at `at`; `epoch` as DockMsg's.
// The depot answers with a Loaded of that order, or of none when it took the order back.
struct PickUpMsg {
    std::uint32_t order = 0;
    std::uint32_t vehicle = 0;
    std::uint16_t depot = 0;
    std::uint16_t epoch = 0;
    sim::Tick at = 0;
};
static_assert(sizeof(PickUpMsg) <= sim::Payload::kBytes);

// Delivered
struct DeliveredMsg {
    std::uint32_t order = 0;
    std::uint32_t vehicle = 0;
    sim::Tick at = 0;
};

// ChargeRequest
struct ChargeMsg {
    std::uint32_t vehicle = 0;
    double kwh = 0.0;
};

// Payload bytes of each message on the air (comms::LinkModel adds the header).
[[nodiscard]] std::uint32_t payload_bytes(Msg m);

// Loaded and Charged carry the vehicle index only; Docks a count; a vehicle's own Ready and
// ServiceDone its breakdown count (epoch) when scheduled, stale after a breakdown
struct VehicleMsg {
    std::uint32_t vehicle = 0;
    std::uint32_t count = 0;
};

}  // namespace swarm::agents
