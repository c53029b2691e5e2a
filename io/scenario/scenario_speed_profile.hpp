// network.speed_profile (docs/scenarios.md, docs/routing.md "Time of day"): speed factors by
// road class and hour of day, as a table in the scenario or a TOML file the scenario names.
// Private to io/scenario (toml++ types).
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <optional>

#include "agents/routing/speed_profile.hpp"
#include "io/scenario/toml_reader.hpp"

namespace swarm::io::detail {

// The factors of network.speed_profile in `network` (the [network] table), checked, or
// nullopt when there is none or every factor is 1 (the same run as none). A file it names is
// read and its table put in the string's place, so that the resolved document holds the
// profile itself; errors in it name that file.
std::optional<routing::SpeedProfile::Classes> read_speed_profile(
    const Reader& r, toml::table& network, const std::filesystem::path& scenario_file);

}  // namespace swarm::io::detail
