// Checks of a scenario as a whole, beyond each field's own range (docs/scenarios.md,
// "Settings that would leave the fleet inert" and "Networks without coordinates"): refused
// with the file, line and field to change, or kept as warnings in Scenario::warnings.
// Private to io/scenario (it takes toml++ types).
#pragma once

#include <toml++/toml.h>

#include "agents/world/road_network.hpp"
#include "io/scenario/scenario.hpp"
#include "io/scenario/toml_reader.hpp"

namespace swarm::io::detail {

// Refuses settings under which no order could ever be allocated: an auction whose bid window
// closes before any bid can be back, a cloud timeout shorter than a request's round trip,
// every offer or request lost, a consensus policy without a board rebuild in the run; warns
// when only some awards can make it. Needs the spec's allocation, comms, cloud, time and
// lookahead read.
void check_fleet_not_inert(const Reader& r, toml::table& root, Scenario& s);

// A network reduced to fewer than 2 nodes or no road (its largest strongly connected part)
// is refused at network.file or network.generator: every speed estimate would divide by 0.
void refuse_single_node(const Reader& r, toml::table& root, const world::RoadNetwork& net);

// Spans the model divides out of the document and turns into ticks must fit the clock
// (kMaxSpanTicks): a message of 1 GB over either link (bandwidths), the longest charge at
// each depot (charge_power_kw), and, with a network, the slowest edge driven by the slowest
// vehicle type on the slowest road disruption (speeds, speed factors), the longest drone
// flight (cruise_mps) and the straight-line estimates of the allocation. Refused at the key,
// as is a policies.board_cell_m that would give the vehicle board over 2^24 cells.
// Call with net = nullptr before the network is built (comms and charging), then with it.
void check_time_spans(const Reader& r, toml::table& root, const world::RoadNetwork* net,
                      Scenario& s);

// A network whose nodes all lie on one point has no coordinates (a DIMACS .gr without .co):
// refuses what cannot work without them (drones in a fleet, depots placed by x/y, areas of
// disruptions) and warns about what then means nothing (zone radius, ranges, straight-line
// costs). Call before the depots are placed and the disruptions read.
void check_coordinates(const Reader& r, toml::table& root, const world::RoadNetwork& net,
                       Scenario& s);

// Warnings for settings that cannot act in this run: learning with nothing to learn or no
// round before the end, disruptions that start after the end, orders no vehicle can carry.
void warn_dead_settings(const Reader& r, toml::table& root, Scenario& s);

}  // namespace swarm::io::detail
