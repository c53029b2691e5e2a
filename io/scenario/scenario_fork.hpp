// Which changes a forked run may make to the scenario it continues (`swarmsim fork`,
// `swarmsim whatif`; docs/checkpoints.md, "What a fork may change"). A checkpoint holds the
// state the old settings made; a setting that only steers what happens from now on (the
// allocation policy and its parameters, comms, the cloud, how learned models travel and are
// combined, disruptions added from the fork time on, the run's length, outputs) may change,
// and one that shaped that state (the map, depots, fleet, demand, the learning's memory and
// rounds, learning on or off, the clock) may not.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace swarm::io {

// The changes from `before` to `after` (two resolved scenarios: Scenario::resolved_toml)
// that a run forked at `at_s` seconds may not make, one message each ("demand.due_s cannot
// change mid-run: ..."); empty when the fork is legal.
std::vector<std::string> fork_problems(std::string_view before, std::string_view after,
                                       double at_s);

}  // namespace swarm::io
