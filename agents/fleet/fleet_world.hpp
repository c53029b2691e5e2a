// Everything of a fleet run that changes as it runs (MuJoCo's mjData), apart from the
// immutable FleetSpec and what FleetModel derives from it once (LP layout, demand
// processes, depot nodes, the protocol's needs). One plain struct, so that what a run *is*
// at a barrier can be listed, compared, saved and restored (checkpoints, forks), and so that
// a shard of a multi-process run (a contiguous range of LPs: today the whole run; across MPI
// ranks every rank holds the whole world, FleetModel::sync_replicas) is a FleetWorld of its
// own. The allocation protocol and the learning keep their own state
// (AllocationProtocol, FleetLearning); caches that can be rebuilt from this struct (routers,
// believed-road views) and scratch space stay in the model.
//
// Who writes what: inside a window only the LP that owns an entry (a vehicle's row, a
// depot's state, its message counters) writes it; everything else changes at barriers.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "agents/comms/conditions.hpp"
#include "agents/comms/counters.hpp"
#include "agents/fleet/disruption.hpp"
#include "agents/fleet/fleet_board.hpp"
#include "agents/fleet/fleet_state.hpp"
#include "agents/logistics/kpi.hpp"
#include "sim/time.hpp"

namespace swarm::agents {

// Model memory by part (capacities), so that a benchmark can say where the bytes per vehicle go.
struct FleetMemory {
    std::size_t vehicles = 0;  // the vehicles' arrays (FleetState), without the routes' edges
    std::size_t routes = 0;    // the edges of the vehicles' routes
    std::size_t board = 0;     // the board's rows and grid, and the lists its updates use
    std::size_t orders = 0;    // order records and their allocation state
    std::size_t depots = 0;    // the rest of the depots: KPI series, dock and charging queues
    std::size_t zones = 0;     // the depots' customer zones (their nodes)
    std::size_t views = 0;     // believed road views: closures, slowed times, reach (per set)
    std::size_t other = 0;     // LP layout, learning, protocol
    [[nodiscard]] std::size_t total() const {
        return vehicles + routes + board + orders + depots + zones + views + other;
    }
};

// One disruption as it was applied (traces, KPIs, the visualizer's markers).
struct AppliedDisruption {
    sim::Tick t = 0;
    DisruptionKind kind = DisruptionKind::kCloseRoads;
    std::string label;
    std::uint32_t affected = 0;          // edges, vehicles or depots it touched
    std::vector<std::uint32_t> targets;  // those edges, vehicles or the depot (ascending)
    double value = 0.0;                  // speed factor, loss, multiplier or stock, by kind
};

// The fleet columns of the KPI series (busy and accounted vehicle time per interval), booked
// at barriers: the series, and the totals booked so far and when.
struct FleetTimeBook {
    KpiSeries series;
    sim::Tick booked_at = 0;
    Tick busy_booked = 0;
    Tick accounted_booked = 0;
};

struct FleetWorld {
    // agents
    FleetState vehicles;
    std::vector<DepotState> depots;
    // the snapshot depots read inside a window, and the vehicles on a leg at its last
    // rebuild (their rows are refreshed at the next one whether or not they were touched)
    FleetBoard board;
    std::vector<std::uint32_t> board_moving;

    // the world's truth, changed only at barriers (disruptions)
    RoadState roads;
    std::vector<std::uint8_t> depot_up;
    std::vector<double> demand_factor;  // surge multiplier per depot
    comms::CommsConditions conditions;
    // active blackouts and loss spikes by label, to lift them by label
    std::vector<std::pair<std::string, comms::ConditionId>> active_conditions;
    std::vector<AppliedDisruption> disruption_log;
    std::uint64_t applied = 0;  // apply() calls: the substream of their draws

    // communication: per-agent message counters (vehicles, depots, the cloud), what the
    // cloud knows of the roads, gossip rounds so far (the substream of their draws) and the
    // dispatcher LP's draws from its cloud-loss substream
    comms::MessageCounters counters;
    KnownRoadEvents cloud_known;
    std::uint64_t gossip_rounds = 0;
    std::uint64_t cloud_draws = 0;

    // KPI accounting at barriers
    FleetTimeBook fleet_time;

    // operational learning: busy time booked at the last round, per vehicle, and when a
    // worn-out vehicle's repair is due
    std::vector<Tick> learn_busy;
    std::vector<sim::Tick> repair_at;

    // bytes held (capacities), board and vehicle routes included
    [[nodiscard]] FleetMemory memory() const;
    [[nodiscard]] std::size_t memory_bytes() const { return memory().total(); }
};

}  // namespace swarm::agents
