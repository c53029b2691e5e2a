// What `run` and `learn` share before loading a scenario: the file must be readable, and
// --seed / -j become overrides applied after the user's --set ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "io/scenario/scenario.hpp"

namespace swarm::cli {

// false (after saying why on stderr) when `file` is not a readable regular file
inline bool scenario_file_readable(const std::string& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        std::cerr << file << ": error: cannot read the scenario file\n";
        return false;
    }
    return true;
}

inline io::ScenarioOptions scenario_options(const std::vector<std::string>& overrides,
                                            const std::optional<std::uint64_t>& seed,
                                            const std::optional<std::size_t>& threads) {
    io::ScenarioOptions so;
    so.overrides = overrides;
    if (seed) {
        so.overrides.push_back("run.seed=" + std::to_string(*seed));
    }
    if (threads) {
        so.overrides.push_back("run.threads=" + std::to_string(*threads));
    }
    return so;
}

}  // namespace swarm::cli
