// [[disruptions]] of a scenario: each entry's kind (agents::kDisruptionKinds), timing and
// targets, checked without the network; edges, roads and areas resolved on it. Private to
// io/scenario (it takes toml++ types).
#pragma once

#include <toml++/toml.h>

#include "agents/world/road_network.hpp"
#include "io/scenario/scenario.hpp"
#include "io/scenario/toml_reader.hpp"

namespace swarm::io::detail {

// reads [[disruptions]] into s.spec.disruptions; `net` may be null (validate without a network)
void read_disruptions(const Reader& r, toml::table& root, const world::RoadNetwork* net,
                      Scenario& s);

// appends the command line's road flags (ScenarioOptions::road_flags) to [[disruptions]], each
// a table whose nodes have the flag as their source
void add_road_flags(toml::table& root, const std::vector<RoadFlag>& flags);

}  // namespace swarm::io::detail
