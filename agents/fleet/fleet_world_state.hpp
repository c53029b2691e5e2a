// A FleetWorld as named arrays of a sim::StateArchive (checkpoints, forks): every member,
// field-wise, under the names an analyst finds in the checkpoint file (vehicles/node,
// depots/3/book/orders/due, roads/closed, ...). docs/fleet.md lists the groups.
//
// The world holds no pointer into the spec or the model; the one pointer below it, each
// OrderBook's journal, belongs to the book's follower (FleetModel::follow_changes) and is
// left as the loaded-into world has it. Caches rebuilt from the world (the board's spatial
// grid) are rebuilt on load, not saved.
#pragma once

#include "agents/fleet/fleet_world.hpp"
#include "sim/state_archive.hpp"

namespace swarm::agents {

// every member of world, under the archive's current scope
void save_world(const FleetWorld& world, sim::StateArchive& ar);

// Into a world already shaped by FleetModel for the same spec (depots constructed, vehicles
// sized): sizes are checked against it (sim::CheckpointError naming the field: another fleet
// size, depot count, network, KPI grid), everything that changes during a run is
// overwritten. A world whose board or learning state was not built yet (a model not yet
// attached) takes the saved ones.
void load_world(FleetWorld& world, const sim::StateArchive& ar);

// One depot's variable-length part (its book, allocations, job slots, queues, waiting lists)
// under the archive's current scope; load_depot into a depot constructed for the same spec.
// The fixed-size members (stock, draws, counters) are save_world's columns, not these.
void save_depot(sim::StateArchive& ar, const DepotState& ds);
void load_depot(const sim::StateArchive& ar, DepotState& ds);

}  // namespace swarm::agents
