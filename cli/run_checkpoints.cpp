#include "cli/run_checkpoints.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/version.hpp"
#include "io/checkpoint/checkpoint_file.hpp"

namespace swarm::cli {

int read_fork_source(const std::string& command, const std::string& path, ForkSource& out) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        std::cerr << path << ": error: cannot read the checkpoint file\n";
        return kExitIo;
    }
    try {
        out.path = path;
        // HDF5 itself can crash on a damaged file: it is read in a child process first
        io::ChildCheckOptions check;
        check.file = io::CheckedFile::kCheckpoint;
        io::check_checkpoint_in_child(path, check);
        out.state = io::read_checkpoint(path);
        {
            const auto meta = out.state.scope("meta");
            out.scenario_text = out.state.get_string("scenario");
            out.scenario_file = out.state.get_string("scenario_file");
            out.scenario_name = out.state.get_string("scenario_name");
            out.time_s = out.state.get_value<double>("time_s");
        }
    } catch (const sim::CheckpointError& e) {
        std::cerr << "swarmsim " << command << ": error: " << path << ": " << e.what() << "\n";
        return kExitInvalidInput;
    }
    return kExitOk;
}

void put_checkpoint_meta(sim::StateArchive& ar, const io::Scenario& s,
                         const std::string& scenario_file, const std::string& scenario_name,
                         double time_s, const std::vector<std::string>& overrides) {
    const auto meta = ar.scope("meta");
    ar.put_string("scenario", s.resolved_toml);
    ar.put_string("scenario_file", scenario_file);
    ar.put_string("scenario_name", scenario_name);
    ar.put_string("policy", s.spec.allocation.policy);
    ar.put_value("seed", s.run.seed);
    ar.put_value("time_s", time_s);
    ar.put_strings("overrides", overrides);
    ar.put_string("swarmsim_version", kVersion);
}

std::string checkpoint_path(const std::string& dir, const std::string& name, std::uint64_t seed,
                            double time_s) {
    char t[48];
    if (time_s == std::floor(time_s) && std::fabs(time_s) < 1e15) {
        std::snprintf(t, sizeof t, "%.0f", time_s);
    } else {
        std::snprintf(t, sizeof t, "%g", time_s);
    }
    return (std::filesystem::path(dir) / (name + "-seed" + std::to_string(seed) + "-t" + t + ".h5"))
        .string();
}

}  // namespace swarm::cli
