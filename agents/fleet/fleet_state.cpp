#include "agents/fleet/fleet_state.hpp"

#include <algorithm>
#include <iterator>

#include "sim/huge_pages.hpp"

namespace swarm::agents {

const char* to_string(VehicleState s) {
    switch (s) {
        case VehicleState::kIdle:
            return "idle";
        case VehicleState::kToPickup:
            return "to_pickup";
        case VehicleState::kLoading:
            return "loading";
        case VehicleState::kEnRoute:
            return "en_route";
        case VehicleState::kDelivering:
            return "delivering";
        case VehicleState::kReturning:
            return "returning";
        case VehicleState::kCharging:
            return "charging";
        case VehicleState::kBroken:
            return "broken";
        case VehicleState::kMaintenance:
            return "maintenance";
    }
    return "?";
}

const char* to_string(Msg m) {
    switch (m) {
        case Msg::kDemand:
            return "demand";
        case Msg::kRetry:
            return "retry";
        case Msg::kDockDone:
            return "dock_done";
        case Msg::kChargeDone:
            return "charge_done";
        case Msg::kAccept:
            return "accept";
        case Msg::kReject:
            return "reject";
        case Msg::kDockRequest:
            return "dock_request";
        case Msg::kDelivered:
            return "delivered";
        case Msg::kChargeRequest:
            return "charge_request";
        case Msg::kAward:
            return "award";
        case Msg::kLoaded:
            return "loaded";
        case Msg::kCharged:
            return "charged";
        case Msg::kArrive:
            return "arrive";
        case Msg::kServiceDone:
            return "service_done";
        case Msg::kReady:
            return "ready";
        case Msg::kBreak:
            return "break";
        case Msg::kRepair:
            return "repair";
        case Msg::kRehome:
            return "rehome";
        case Msg::kDepotDown:
            return "depot_down";
        case Msg::kDepotUp:
            return "depot_up";
        case Msg::kDocks:
            return "docks";
        case Msg::kOrphan:
            return "orphan";
        case Msg::kLost:
            return "lost";
        case Msg::kRevoke:
            return "revoke";
        case Msg::kForward:
            return "forward";
        case Msg::kServiceDue:
            return "service_due";
        case Msg::kServiced:
            return "serviced";
        case Msg::kReplay:
            return "replay";
        case Msg::kRouteRetry:
            return "route_retry";
        case Msg::kPickUpDone:
            return "pick_up_done";
        case Msg::kPickUp:
            return "pick_up";
    }
    return "?";
}

std::uint32_t payload_bytes(Msg m) {
    switch (m) {
        case Msg::kAward:
        case Msg::kRevoke:
        case Msg::kForward:
            return static_cast<std::uint32_t>(sizeof(OrderMsg));
        case Msg::kDockRequest:
        case Msg::kLoaded:
            return static_cast<std::uint32_t>(sizeof(DockMsg));
        case Msg::kDelivered:
            return static_cast<std::uint32_t>(sizeof(DeliveredMsg));
        case Msg::kPickUp:
            return static_cast<std::uint32_t>(sizeof(PickUpMsg));
        case Msg::kChargeRequest:
            return static_cast<std::uint32_t>(sizeof(ChargeMsg));
        case Msg::kCharged:
            return static_cast<std::uint32_t>(sizeof(VehicleMsg));
        default:
            return static_cast<std::uint32_t>(sizeof(AnswerMsg));
    }
}

void save_rows(sim::StateArchive& ar, const std::vector<DockMsg>& rows) {
    ar.put_field("vehicle", rows, &DockMsg::vehicle);
    ar.put_field("count", rows, &DockMsg::count);
    ar.put_field("epoch", rows, &DockMsg::epoch);
    ar.put_field("depot", rows, &DockMsg::depot);
    std::vector<std::uint32_t> orders;  // kMaxPlan per row
    for (const DockMsg& m : rows) {
        orders.insert(orders.end(), std::begin(m.orders), std::end(m.orders));
    }
    ar.put("orders", orders);
}

void load_rows(const sim::StateArchive& ar, std::vector<DockMsg>& rows) {
    rows.assign(ar.count("vehicle"), DockMsg{});
    ar.get_field("vehicle", rows, &DockMsg::vehicle);
    ar.get_field("count", rows, &DockMsg::count);
    ar.get_field("epoch", rows, &DockMsg::epoch);
    ar.get_field("depot", rows, &DockMsg::depot);
    std::vector<std::uint32_t> orders;
    ar.get("orders", orders, rows.size() * kMaxPlan);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        std::copy_n(orders.begin() + static_cast<std::ptrdiff_t>(i * kMaxPlan), kMaxPlan,
                    std::begin(rows[i].orders));
    }
}

void save_rows(sim::StateArchive& ar, const std::vector<ChargeMsg>& rows) {
    ar.put_field("vehicle", rows, &ChargeMsg::vehicle);
    ar.put_field("kwh", rows, &ChargeMsg::kwh);
}

void load_rows(const sim::StateArchive& ar, std::vector<ChargeMsg>& rows) {
    rows.assign(ar.count("vehicle"), ChargeMsg{});
    ar.get_field("vehicle", rows, &ChargeMsg::vehicle);
    ar.get_field("kwh", rows, &ChargeMsg::kwh);
}

bool transition_allowed(VehicleState from, VehicleState to) {
    using S = VehicleState;
    if (to == S::kBroken) {
        return from != S::kBroken;
    }
    // disruptions add: dropping orders (revoked, unreachable) from any driving or loading
    // state, re-homing an idle vehicle, parking where home cannot be reached; a vehicle left
    // without orders while at its home node is home at once (idle, or charging or in service
    // when due)
    const bool home_now = to == S::kIdle || to == S::kCharging || to == S::kMaintenance;
    switch (from) {
        case S::kIdle:
            return to == S::kToPickup || to == S::kCharging || to == S::kReturning ||
                   to == S::kMaintenance;
        case S::kToPickup:
            return to == S::kLoading || to == S::kEnRoute || to == S::kReturning || home_now;
        case S::kLoading:
            return to == S::kEnRoute || to == S::kToPickup || to == S::kReturning || home_now;
        case S::kEnRoute:
            return to == S::kDelivering || to == S::kToPickup || to == S::kReturning || home_now;
        case S::kDelivering:
            return to == S::kEnRoute || to == S::kToPickup || to == S::kReturning ||
                   to == S::kIdle || to == S::kCharging;
        case S::kReturning:
            return to == S::kIdle || to == S::kCharging || to == S::kToPickup ||
                   to == S::kEnRoute || to == S::kMaintenance;
        case S::kCharging:
            return to == S::kIdle || to == S::kToPickup || to == S::kMaintenance;
        case S::kBroken:
            return to == S::kIdle;
        case S::kMaintenance:
            return to == S::kIdle || to == S::kCharging;
    }
    return false;
}

void FleetState::resize(std::size_t n) {
    // a million vehicles' records are touched at random: huge pages spare the TLB misses
    sim::resize_huge(hot, n);
    sim::resize_huge(warm, n);
    sim::resize_huge(plan, n);
    sim::resize_huge(known, n);
    sim::resize_huge(changed, n, kTraceFollower | kBoardFollower);  // new vehicles are news
    mark_all_blocks();
}

void FleetState::mark_all_blocks() {
    const std::size_t words = (changed.size() + kBlock * 64 - 1) / (kBlock * 64);
    trace_blocks.assign(words, ~std::uint64_t{0});
    board_blocks.assign(words, ~std::uint64_t{0});
}

namespace {
template <class T>
std::size_t bytes(const std::vector<T>& v) {
    return v.capacity() * sizeof(T);
}
}  // namespace

std::size_t FleetState::memory_bytes() const {
    const std::size_t b = bytes(hot) + bytes(warm) + bytes(plan) + bytes(known) +
                          bytes(trace_blocks) + bytes(board_blocks);
    return b + route_bytes();
}

std::size_t FleetState::route_bytes() const {
    std::size_t b = 0;
    for (const VehicleWarm& w : warm) {
        b += bytes(w.route);
    }
    return b;
}

LpLayout::LpLayout(std::uint32_t depots, const std::vector<std::uint32_t>& vehicle_home,
                   bool with_cloud) {
    depot_lp_.resize(depots);
    vehicle_lp_.resize(vehicle_home.size());
    entries_.reserve(depots + vehicle_home.size());
    // vehicles by home depot, in vehicle order (a counting sort)
    std::vector<std::vector<std::uint32_t>> based(depots);
    for (std::uint32_t v = 0; v < vehicle_home.size(); ++v) {
        based.at(vehicle_home[v]).push_back(v);
    }
    for (std::uint32_t d = 0; d < depots; ++d) {
        depot_lp_[d] = static_cast<sim::LpId>(entries_.size());
        entries_.push_back({Kind::kDepot, d});
        for (const std::uint32_t v : based[d]) {
            vehicle_lp_[v] = static_cast<sim::LpId>(entries_.size());
            entries_.push_back({Kind::kVehicle, v});
        }
    }
    if (with_cloud) {
        cloud_lp_ = static_cast<sim::LpId>(entries_.size());
        entries_.push_back({Kind::kCloud, 0});
    }
}

std::size_t LpLayout::memory_bytes() const {
    return bytes(depot_lp_) + bytes(vehicle_lp_) + bytes(entries_);
}

}  // namespace swarm::agents
