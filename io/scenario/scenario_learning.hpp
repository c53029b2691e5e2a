// How a fleet scenario's vehicles exchange models ([learning] compression keys and the
// [learning.attack], [learning.aggregator] and [learning.identity] tables; docs/fleet-learning.md),
// with the combinations that would do nothing refused. Private to io/scenario (toml++ types).
#pragma once

#include <toml++/toml.h>

#include "agents/fleet/fleet_spec.hpp"
#include "io/scenario/toml_reader.hpp"

namespace swarm::io::detail {

// `t` is the [learning] table; l.mode, l.congestion and l.wear are already read
void read_learning_exchange(const Reader& r, toml::table& t, agents::FleetLearningSpec& l);

}  // namespace swarm::io::detail
