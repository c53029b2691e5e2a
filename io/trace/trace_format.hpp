// Names and enumerations of the swarmsim HDF5 trace (H5MD 1.1 layout plus an /events table).
// The layout, every dataset's shape, type and unit: docs/trace-format.md.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace swarm::io {

// version of our own module (h5md/modules/swarmsim_trace): bump the minor on additions,
// the major on changes a reader must know about
// 1.1: float32 positions, connectivity/links; 1.2: disruption events; 1.3: per-agent value
// elements from TraceHeader::agent_values; 1.4: observables/cost on the KPI grid; 1.5: frames
// at the start and the end of the run, dimension scales (time, particles/agents/id, xy),
// observables delivered_on_time, delivered_late and veh_km
inline constexpr std::array<int, 2> kTraceSchemaVersion = {1, 5};
inline constexpr std::array<int, 2> kH5mdVersion = {1, 1};

// kinds of the /events table (an HDF5 enum over int16 in the file)
enum class TraceEventKind : std::int16_t {
    kOrderCreated = 0,   // agent = depot, order = order id, value = due time (s)
    kOrderAssigned = 1,  // agent = vehicle (first assignment)
    kPickedUp = 2,       // agent = vehicle
    kDelivered = 3,      // agent = vehicle, value = lateness (s, 0 when on time)
    kFailed = 4,         // agent = depot, value = FailReason
    kVehicleState = 5,   // agent = vehicle, value = new VehicleState (sample resolution)
    // disruptions, one row per edge, depot or vehicle touched (one row when none), at the
    // exact time applied; order = the disruption's index in the run (rows of one disruption
    // share it); kind = kRoadClosed + agents::DisruptionKind
    kRoadClosed = 6,        // edge
    kRoadReopened = 7,      // edge
    kRoadSlowed = 8,        // edge, value = speed factor (1: back to normal)
    kDepotDown = 9,         // agent = depot
    kDepotUp = 10,          // agent = depot
    kDepotStock = 11,       // agent = depot, value = new stock
    kVehicleBroken = 12,    // agent = vehicle
    kVehicleRepaired = 13,  // agent = vehicle
    kRadioBlackout = 14,    //
    kRadioRestored = 15,    //
    kLossSpike = 16,        // value = extra loss probability
    kLossEnd = 17,          //
    kCloudDown = 18,        //
    kCloudUp = 19,          //
    kDemandSurge = 20,      // value = multiplier
    kDemandSurgeEnd = 21,   // value = multiplier undone
    kDepotDocks = 22,       // agent = depot, value = docks now
};
inline constexpr std::array<const char*, 23> kTraceEventKindNames = {
    "order_created",  "order_assigned",   "picked_up",      "delivered",        "failed",
    "vehicle_state",  "road_closed",      "road_reopened",  "road_slowed",      "depot_down",
    "depot_up",       "depot_stock",      "vehicle_broken", "vehicle_repaired", "radio_blackout",
    "radio_restored", "loss_spike",       "loss_end",       "cloud_down",       "cloud_up",
    "demand_surge",   "demand_surge_end", "depot_docks"};

// the standard elements of particles/agents (each {step, time, value}); further per-agent
// values (TraceHeader::agent_values) sit beside them under other names
inline constexpr std::array<const char*, 4> kTraceAgentElements = {"position", "state", "load",
                                                                   "energy"};

inline constexpr std::uint32_t kTraceNoId = 0xFFFFFFFFu;

// one row of /events
struct TraceEvent {
    double time = 0.0;  // seconds
    std::int16_t kind = 0;
    std::uint32_t agent = kTraceNoId;
    std::uint32_t edge = kTraceNoId;
    std::uint64_t order = 0;  // depot << 32 | index within the depot
    double value = 0.0;
};

// one row of connectivity/links: agent `from` sent `messages` messages (`bytes` bytes in
// all) to agent `to` since the previous sample. Agent ids are the comms layer's (vehicles
// first, as in particles/agents; other nodes such as depots or the cloud after them).
struct TraceLink {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    std::uint32_t messages = 0;
    std::uint64_t bytes = 0;

    friend bool operator==(const TraceLink&, const TraceLink&) = default;
};

// a bad, foreign or partial trace file, or a failed write; the message names the file
class TraceError : public std::runtime_error {
  public:
    TraceError(const std::string& path, const std::string& what)
        : std::runtime_error("trace file '" + path + "': " + what) {}
};

}  // namespace swarm::io
