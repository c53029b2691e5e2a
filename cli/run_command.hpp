// `swarmsim run`, and `swarmsim fork`, which continues a run from a checkpoint
// (docs/checkpoints.md): a scenario run as a fleet with a KPI summary, trace and tables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "agents/routing/speed_profile.hpp"
#include "io/scenario/scenario.hpp"

namespace swarm::cli {

struct RunOptions {
    std::string file;
    std::optional<std::size_t> threads;
    std::optional<std::uint64_t> seed;
    std::vector<std::string> overrides;
    std::vector<std::string> close;  // --close ROAD[@T[+D]]
    std::vector<std::string> slow;   // --slow ROAD=FACTOR[@T[+D]]
    std::optional<double> until_s;
    std::string trace;
    std::string orders_out;    // --orders-out: per-order CSV
    std::string vehicles_out;  // --vehicles-out: per-vehicle CSV
    bool force = false;
    bool json = false;
    double progress_interval_s = 10.0;  // plain progress lines when stderr is no terminal
    // checkpoints (docs/checkpoints.md): the state at these simulated times, into this dir
    std::vector<double> checkpoint_at;
    std::string checkpoint_dir = ".";
    // `fork`: the checkpoint to continue (then `file` is unused: the scenario is its)
    std::string resume;
};

// runs it; the exit code (docs/cli.md)
int run_scenario(const RunOptions& o);

// shared with `validate`: the positions put on the network, and its speed profile
void print_snapped(std::ostream& out, const io::Scenario& s);
void print_speed_profile(std::ostream& out, const routing::SpeedProfile& p);

}  // namespace swarm::cli
