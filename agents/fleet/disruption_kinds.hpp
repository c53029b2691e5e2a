// The one table of disruption kinds: each kind's scenario name, event name, label, whether it
// starts or ends a disruption (and which kind it pairs with), what it targets and where it
// may act. The scenario reader, the model, the trace (its event codes and the table it
// records), the visualizer and, through the trace, scripts/trace.py all read it.
//
// A new kind: append it to DisruptionKind (kinds are trace codes: never reorder), set
// kDisruptionKindCount, append its record to kDisruptionKinds (a static_assert checks the
// two match) and write its effect in FleetModel::apply (-Wswitch checks that); a kSet kind
// that can be undone also needs its neutral value in inverse() (disruption.cpp).
// tests/agents/fleet/disruption_kinds_test.cpp then checks it everywhere.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace swarm::agents {

enum class DisruptionKind : std::uint8_t {
    kCloseRoads,      // edges closed
    kReopenRoads,     // edges open again
    kSlowRoads,       // edges driven at speed_factor of their speed (1 = normal again)
    kDepotDown,       // depot out of service: no loading, no new orders taken there
    kDepotUp,         // back in service
    kDepotStock,      // depot stock set to `stock` units
    kBreakVehicles,   // named vehicles, or a random `fraction` of the working fleet
    kRepairVehicles,  // named vehicles back in service at their position
    kRadioBlackout,   // no radio inside `area`
    kRadioRestore,    // the blackout of `area` ends (the one with the same label)
    kLossSpike,       // radio messages lost with probability `loss` (in `area` if set)
    kLossEnd,         // back to the base loss
    kCloudDown,       // the cloud link is down
    kCloudUp,         // the cloud link is back
    kDemandSurge,     // orders at depots inside `area` arrive `multiplier` times as often
    kDemandSurgeEnd,  // the surge of `area` ends
    kDepotDocks,      // the depot works with `docks` loading docks (0: as many as it was built)
};
inline constexpr std::size_t kDisruptionKindCount =
    static_cast<std::size_t>(DisruptionKind::kDepotDocks) + 1;

enum class DisruptionRole : std::uint8_t {
    kStart,  // starts a disruption; its pair ends it (the inverse after duration_s)
    kEnd,    // ends what its pair started
    kSet,    // sets a level (a speed, a stock, docks): counts as a start each time it is
             // applied; undone, when undoable, by itself at the neutral value
};

enum class DisruptionTarget : std::uint8_t {
    kRoads,     // edges (the rows of the trace name edges)
    kDepot,     // one depot
    kVehicles,  // named vehicles or a share of them
    kRadio,     // the radio (and cloud link) of an area
    kCloud,     // the cloud link
    kDemand,    // the order rate of the depots of an area
};

enum class AreaUse : std::uint8_t {
    kNo,        // no `area`
    kOptional,  // roads: selects the edges; radio, loss, demand: restricts (default everywhere)
    kRequired,
};

struct DisruptionKindInfo {
    DisruptionKind kind;
    std::string_view name;   // scenario name: [[disruptions]] kind, the to_string name
    std::string_view event;  // what happened: the trace's /events kind name
    std::string_view label;  // for people
    DisruptionRole role;
    DisruptionKind pair;  // kStart: the kind that ends it; kEnd: the kind it ends; kSet: itself
    DisruptionTarget target;
    AreaUse area;
    bool undoable;           // duration_s schedules an inverse (inverse() in disruption.cpp)
    std::string_view value;  // what the trace's value column holds ("" : 0)
};

// in DisruptionKind order: the record of kind k is kDisruptionKinds[k]
inline constexpr std::array<DisruptionKindInfo, kDisruptionKindCount> kDisruptionKinds = {{
    {DisruptionKind::kCloseRoads, "close_roads", "road_closed", "roads closed",
     DisruptionRole::kStart, DisruptionKind::kReopenRoads, DisruptionTarget::kRoads,
     AreaUse::kOptional, true, ""},
    {DisruptionKind::kReopenRoads, "reopen_roads", "road_reopened", "roads reopened",
     DisruptionRole::kEnd, DisruptionKind::kCloseRoads, DisruptionTarget::kRoads,
     AreaUse::kOptional, false, ""},
    {DisruptionKind::kSlowRoads, "slow_roads", "road_slowed", "roads slowed", DisruptionRole::kSet,
     DisruptionKind::kSlowRoads, DisruptionTarget::kRoads, AreaUse::kOptional, true,
     "speed factor (1: normal again)"},
    {DisruptionKind::kDepotDown, "depot_down", "depot_down", "depot down", DisruptionRole::kStart,
     DisruptionKind::kDepotUp, DisruptionTarget::kDepot, AreaUse::kNo, true, ""},
    {DisruptionKind::kDepotUp, "depot_up", "depot_up", "depot back in service",
     DisruptionRole::kEnd, DisruptionKind::kDepotDown, DisruptionTarget::kDepot, AreaUse::kNo,
     false, ""},
    {DisruptionKind::kDepotStock, "depot_stock", "depot_stock", "depot stock set",
     DisruptionRole::kSet, DisruptionKind::kDepotStock, DisruptionTarget::kDepot, AreaUse::kNo,
     false, "new stock"},
    {DisruptionKind::kBreakVehicles, "break_vehicles", "vehicle_broken", "vehicles broken down",
     DisruptionRole::kStart, DisruptionKind::kRepairVehicles, DisruptionTarget::kVehicles,
     AreaUse::kNo, true, ""},
    {DisruptionKind::kRepairVehicles, "repair_vehicles", "vehicle_repaired", "vehicles repaired",
     DisruptionRole::kEnd, DisruptionKind::kBreakVehicles, DisruptionTarget::kVehicles,
     AreaUse::kNo, false, ""},
    {DisruptionKind::kRadioBlackout, "radio_blackout", "radio_blackout", "radio blackout",
     DisruptionRole::kStart, DisruptionKind::kRadioRestore, DisruptionTarget::kRadio,
     AreaUse::kRequired, true, ""},
    {DisruptionKind::kRadioRestore, "radio_restore", "radio_restored", "radio restored",
     DisruptionRole::kEnd, DisruptionKind::kRadioBlackout, DisruptionTarget::kRadio,
     AreaUse::kOptional, false, ""},
    {DisruptionKind::kLossSpike, "loss_spike", "loss_spike", "radio loss spike",
     DisruptionRole::kStart, DisruptionKind::kLossEnd, DisruptionTarget::kRadio, AreaUse::kOptional,
     true, "extra loss probability"},
    {DisruptionKind::kLossEnd, "loss_end", "loss_end", "radio loss back to normal",
     DisruptionRole::kEnd, DisruptionKind::kLossSpike, DisruptionTarget::kRadio, AreaUse::kOptional,
     false, ""},
    {DisruptionKind::kCloudDown, "cloud_down", "cloud_down", "cloud link down",
     DisruptionRole::kStart, DisruptionKind::kCloudUp, DisruptionTarget::kCloud, AreaUse::kNo, true,
     ""},
    {DisruptionKind::kCloudUp, "cloud_up", "cloud_up", "cloud link back", DisruptionRole::kEnd,
     DisruptionKind::kCloudDown, DisruptionTarget::kCloud, AreaUse::kNo, false, ""},
    {DisruptionKind::kDemandSurge, "demand_surge", "demand_surge", "demand surge",
     DisruptionRole::kStart, DisruptionKind::kDemandSurgeEnd, DisruptionTarget::kDemand,
     AreaUse::kOptional, true, "rate multiplier"},
    {DisruptionKind::kDemandSurgeEnd, "demand_surge_end", "demand_surge_end", "demand surge over",
     DisruptionRole::kEnd, DisruptionKind::kDemandSurge, DisruptionTarget::kDemand,
     AreaUse::kOptional, false, "rate multiplier undone"},
    {DisruptionKind::kDepotDocks, "depot_docks", "depot_docks", "depot loading docks changed",
     DisruptionRole::kSet, DisruptionKind::kDepotDocks, DisruptionTarget::kDepot, AreaUse::kNo,
     true, "docks in service now"},
}};

namespace detail {
constexpr bool kinds_consistent() {
    for (std::size_t i = 0; i < kDisruptionKinds.size(); ++i) {
        const DisruptionKindInfo& k = kDisruptionKinds[i];
        if (static_cast<std::size_t>(k.kind) != i || k.name.empty() || k.event.empty() ||
            k.label.empty() || static_cast<std::size_t>(k.pair) >= kDisruptionKinds.size()) {
            return false;
        }
        const DisruptionKindInfo& p = kDisruptionKinds[static_cast<std::size_t>(k.pair)];
        // pairs are mutual and join a start to an end of the same target; kSet pairs itself
        const bool paired =
            k.role == DisruptionRole::kSet
                ? k.pair == k.kind
                : p.pair == k.kind && p.target == k.target &&
                      (k.role == DisruptionRole::kStart) == (p.role == DisruptionRole::kEnd);
        // a start can always be undone (duration_s), an end never
        const bool undo =
            k.role == DisruptionRole::kSet || k.undoable == (k.role == DisruptionRole::kStart);
        if (!paired || !undo) {
            return false;
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (kDisruptionKinds[j].name == k.name || kDisruptionKinds[j].event == k.event) {
                return false;
            }
        }
    }
    return true;
}
}  // namespace detail
static_assert(detail::kinds_consistent(),
              "kDisruptionKinds: one record per DisruptionKind, in enum order, with unique "
              "names, mutual start/end pairs and undoable starts");

constexpr const DisruptionKindInfo& info(DisruptionKind k) {
    return kDisruptionKinds[static_cast<std::size_t>(k)];
}
// the scenario name (close_roads, ...); "?" for a value outside the enum
constexpr const char* to_string(DisruptionKind k) {
    // string literals: NUL-terminated
    return static_cast<std::size_t>(k) < kDisruptionKindCount ? info(k).name.data() : "?";
}
// the kind with this scenario name
std::optional<DisruptionKind> disruption_kind(std::string_view name);

const char* to_string(DisruptionRole r);
const char* to_string(DisruptionTarget t);
std::optional<DisruptionRole> disruption_role(std::string_view name);
std::optional<DisruptionTarget> disruption_target(std::string_view name);

}  // namespace swarm::agents
