// Names and enumerations of the swarmsim HDF5 trace (H5MD 1.1 layout plus an /events table).
// The layout, every dataset's shape, type and unit: docs/trace-format.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "agents/fleet/disruption_kinds.hpp"
#include "agents/fleet/fleet_state.hpp"

namespace swarm::io {

// version of our own module (h5md/modules/swarmsim_trace): bump the minor on additions,
// the major on changes a reader must know about
// 1.1: float32 positions, connectivity/links; 1.2: disruption events; 1.3: per-agent value
// elements from TraceHeader::agent_values; 1.4: observables/cost on the KPI grid; 1.5: frames
// at the start and the end of the run, dimension scales (time, particles/agents/id, xy),
// observables delivered_on_time, delivered_late and veh_km; 1.6: the table of /events kinds
// (label, disruption kind, role, pair, target, value) as attributes of /events; 1.7: the
// fleet's per-agent value model_rejected; 1.8: /events@disruption_labels, the scenario's label
// of each applied disruption (by the rows' order); 2.0: every string (attributes and
// parameters/scenario) has a fixed length: a variable-length one lives in HDF5's global heap,
// where libhdf5 1.10 crashes or loops forever on a damaged file, so 2.x readers refuse them;
// 2.1: parameters@ranks, the processes of a run across MPI ranks (absent: one); 3.0: no dense
// particles/agents/position/value: the legs table position/legs (TraceLegRow, one row per
// vehicle whose leg changed since the previous frame, every vehicle at a keyframe) and
// position/legs_per_frame, from which readers rebuild the positions (2.x files are still read);
// 3.1: no dense particles/agents/{state,load,energy}: the legs row also carries the vehicle's
// state, load and energy, a row is written when the leg or any of them changed, and the
// per-row frame column is gone (legs_per_frame places the rows); 3.0 files are still read;
// 3.2: the legs rows name their two points (from, to: uint32 indices into the new
// particles/agents/position/points, each point stored once, in order of first appearance)
// instead of carrying four float64 coordinates (62 -> 38 bytes a row); 3.0 and 3.1 still read;
// 3.3 (a run's: TraceHeader::nodes): position/points is the road network's nodes, row i =
// node i, written when the file is created, and the rows name nodes; a frame's row of a vehicle
// may repeat its last (the model flagged it, nothing traced changed). Same rows as 3.2, so
// readers of 3.2 read it unchanged; 3.4: /events has no vehicle state rows (the legs rows
// carry every state at the same sample resolution), same rows otherwise; 3.5: the elements
// sampled on the frame grid (observables, links_per_sample, per-agent values) have step and
// time as hard links to particles/agents/position's, and the KPI-interval observables to the
// first one's (H5MD allows it; readers see the same data sets)
inline constexpr std::array<int, 2> kTraceSchemaVersion = {3, 5};
// what a writer without the network's nodes writes: schema 3.2 (points in order of first
// appearance)
inline constexpr std::array<int, 2> kTracePointRowsVersion = {3, 2};
// bytes of a packed row of position/legs in schema 3.2 and 3.3 (h5::leg_type(true, 2))
inline constexpr std::size_t kPackedLegBytes = 38;
// what TraceOptions::dense_rows writes: schema 3.0 (dense state, load and energy)
inline constexpr std::array<int, 2> kTraceDenseRowsVersion = {3, 0};
// what TraceOptions::coordinate_rows writes: schema 3.1 (legs rows with coordinates)
inline constexpr std::array<int, 2> kTraceCoordinateRowsVersion = {3, 1};
// the oldest major version this build still reads (2.x: dense positions)
inline constexpr int kTraceOldestReadMajor = 2;
inline constexpr std::array<int, 2> kH5mdVersion = {1, 1};

// kinds of the /events table (an HDF5 enum over int16 in the file): the order lifecycle and
// state rows, then one kind per disruption kind (trace_event_kind)
enum class TraceEventKind : std::int16_t {
    kOrderCreated = 0,   // agent = depot, order = order id, value = due time (s)
    kOrderAssigned = 1,  // agent = vehicle (first assignment)
    kPickedUp = 2,       // agent = vehicle
    kDelivered = 3,      // agent = vehicle, value = lateness (s, 0 when on time)
    kFailed = 4,         // agent = depot, value = FailReason
    kVehicleState = 5,   // agent = vehicle, value = new VehicleState (sample resolution)
};
inline constexpr std::size_t kTraceOrderKindCount = 6;
// codes: the kinds above, then agents::kDisruptionKinds row by row (the table is in
// DisruptionKind order and only grows at its end, so codes never change)
inline constexpr std::size_t kTraceEventKindCount =
    kTraceOrderKindCount + agents::kDisruptionKindCount;

// the /events kind of a disruption: one row per edge, depot or vehicle touched (one row when
// none), at the exact time applied; order = the disruption's index in the run
constexpr std::int16_t trace_event_kind(agents::DisruptionKind k) {
    return static_cast<std::int16_t>(kTraceOrderKindCount + static_cast<std::size_t>(k));
}

// One /events kind as a trace records it (attributes of /events, schema 1.6): the file's own
// table, so that readers need no list of their own
struct TraceKindInfo {
    std::string name;        // the enum name in the file ("road_closed")
    std::string label;       // for people ("roads closed")
    std::string disruption;  // the scenario kind ("close_roads"); "" for order and state rows
    std::string role;        // "start", "end", "set"; "" for order and state rows
    std::string target;      // "roads", "depot", "vehicles", "radio", "cloud", "demand"; ""
    std::int16_t pair = -1;  // the code of the kind it pairs with (a set kind: its own); -1
    std::string value;       // what the value column holds ("": 0)

    friend bool operator==(const TraceKindInfo&, const TraceKindInfo&) = default;
};
// this build's kinds, index = code
const std::vector<TraceKindInfo>& trace_event_kinds();

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

// One row of particles/agents/position/legs: what FleetModel::position_at needs of vehicle
// `agent` from its frame on (legs_per_frame places the rows), with its state, load and energy
// there (schema 3.1; 3.0 rows have a frame column instead of those three), until its next row.
// Still (moving = 0): at (from_x, from_y), and to = from, start = end = 0; on a leg (moving = 1,
// start < end): from `from` (at tick start) to `to` (arriving at tick end), on the straight line
// between them. The coordinates are the network's float64 metres, the ticks those of parameters@
// ticks_per_second.
struct TraceLegRow {
    std::uint32_t frame = 0;  // schema 3.0 files only (a 3.1 row's frame: legs_per_frame)
    std::uint32_t agent = 0;
    std::uint8_t moving = 0;
    std::int8_t state = 0;  // agents::VehicleState (schema 3.1)
    float load = 0.0F;
    float energy = 0.0F;  // kWh
    double from_x = 0.0;
    double from_y = 0.0;
    double to_x = 0.0;
    double to_y = 0.0;
    std::int64_t start = 0;
    std::int64_t end = 0;
};

// One row of a schema 3.2 legs table as read: TraceLegRow's columns with the two points named
// (`from`, `to`: rows of particles/agents/position/points, {x, y} float64 m) instead of their
// coordinates, and no frame column
struct TracePointLegRow {
    std::uint32_t agent = 0;
    std::uint8_t moving = 0;
    std::int8_t state = 0;
    float load = 0.0F;
    float energy = 0.0F;
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    std::int64_t start = 0;
    std::int64_t end = 0;
};

// the position a leg row gives at tick t, as FleetModel::position_at computes it
// (agents::leg_position), cast to float32 as schema 2 wrote it: bit for bit the same
inline std::array<float, 2> leg_row_position(const TraceLegRow& r, std::int64_t t) {
    if (r.moving == 0 || r.end <= r.start) {
        return {static_cast<float>(r.from_x), static_cast<float>(r.from_y)};
    }
    const agents::Point p =
        agents::leg_position({r.from_x, r.from_y}, {r.to_x, r.to_y}, r.start, r.end, t);
    return {static_cast<float>(p.x), static_cast<float>(p.y)};
}

// a bad, foreign or partial trace file, or a failed write; the message names the file
class TraceError : public std::runtime_error {
  public:
    TraceError(const std::string& path, const std::string& what)
        : std::runtime_error("trace file '" + path + "': " + what) {}
};

}  // namespace swarm::io
