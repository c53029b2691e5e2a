#include "agents/logistics/order.hpp"

namespace swarm::agents {

std::string to_string(OrderId id) {
    return std::to_string(id.depot) + ":" + std::to_string(id.index);
}

std::string_view to_string(OrderState state) {
    switch (state) {
        case OrderState::kCreated:
            return "created";
        case OrderState::kAssigned:
            return "assigned";
        case OrderState::kPickedUp:
            return "picked_up";
        case OrderState::kDelivered:
            return "delivered";
        case OrderState::kFailed:
            return "failed";
    }
    return "unknown";
}

std::string_view to_string(FailReason reason) {
    switch (reason) {
        case FailReason::kNone:
            return "none";
        case FailReason::kNoVehicle:
            return "no_vehicle";
        case FailReason::kNoStock:
            return "no_stock";
        case FailReason::kUnreachable:
            return "unreachable";
        case FailReason::kDepotClosed:
            return "depot_closed";
        case FailReason::kVehicleLost:
            return "vehicle_lost";
        case FailReason::kExpired:
            return "expired";
        case FailReason::kCancelled:
            return "cancelled";
    }
    return "unknown";
}

}  // namespace swarm::agents
