// What `swarmsim run --checkpoint-at` writes besides the run's state, and what `swarmsim fork`
// reads back (docs/checkpoints.md): the scenario as resolved, where it came from, the time.
#pragma once

#include <string>
#include <vector>

#include "io/scenario/scenario.hpp"
#include "sim/state_archive.hpp"

namespace swarm::cli {

// a checkpoint a fork continues, read and checked
struct ForkSource {
    std::string path;
    sim::StateArchive state;
    std::string scenario_text;  // the resolved scenario of the run that wrote it
    std::string scenario_file;  // where that scenario was read (relative network paths)
    std::string scenario_name;  // its stem: names of outputs
    double time_s = 0.0;
};

// reads `path` into `out`; on failure says why on stderr (naming the file) and returns the
// exit code (3: not a valid checkpoint, 4: cannot be read), else 0
int read_fork_source(const std::string& command, const std::string& path, ForkSource& out);

// the "meta" group: the scenario (resolved text, file, name), seed, policy, time, overrides
void put_checkpoint_meta(sim::StateArchive& ar, const io::Scenario& s,
                         const std::string& scenario_file, const std::string& scenario_name,
                         double time_s, const std::vector<std::string>& overrides);

// DIR/NAME-seedS-tT.h5 (T in whole seconds when whole)
std::string checkpoint_path(const std::string& dir, const std::string& name, std::uint64_t seed,
                            double time_s);

}  // namespace swarm::cli
