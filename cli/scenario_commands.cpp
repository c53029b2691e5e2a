// `swarmsim validate SCENARIO...` and `swarmsim run SCENARIO`: TOML scenario files
// (io/scenario, docs/scenarios.md) checked, or run as a fleet with a KPI summary.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_run.hpp"
#include "agents/fleet/kpi_observer.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/progress.hpp"
#include "cli/run_command.hpp"
#include "cli/scenario_options.hpp"
#include "cli/validators.hpp"
#include "io/output/output_file.hpp"
#include "io/output/run_tables.hpp"
#include "io/scenario/run_options.hpp"
#include "io/scenario/scenario.hpp"
#include "io/trace/fleet_learning_source.hpp"
#include "io/trace/trace_observer.hpp"
#include "io/trace/trace_writer.hpp"
#include "sim/engine.hpp"

namespace swarm::cli {

namespace {

struct ValidateOptions {
    std::vector<std::string> files;
    std::vector<std::string> overrides;
};

// what the network and its router's landmarks (8 bytes per node each) will hold in memory
double network_megabytes(const io::Scenario& s) {
    const double landmarks = 8.0 * static_cast<double>(s.network_settings.landmarks) *
                             static_cast<double>(s.network->node_count());
    return (static_cast<double>(s.network->memory_bytes()) + landmarks) / 1e6;
}

int run_validate(const ValidateOptions& o) {
    int failures = 0;
    int unreadable = 0;  // files that could not be read: exit 4 (I/O), as `run` says
    for (const std::string& file : o.files) {
        try {
            io::ScenarioOptions so;
            so.overrides = o.overrides;
            const io::Scenario s = io::load_scenario(file, so);
            for (const std::string& w : s.warnings) {
                std::cerr << w << "\n";
            }
            std::cout << file << ": ok (" << grouped(s.network->node_count()) << " nodes, "
                      << s.spec.depot_count() << " depots, " << grouped(s.spec.vehicle_count())
                      << " vehicles, " << fixed(s.run.duration_s, 0) << " s; network "
                      << fixed(network_megabytes(s), 1) << " MB)\n";
            print_speed_profile(std::cout, s.spec.speed_profile);
            print_snapped(std::cout, s);
        } catch (const io::ScenarioError& e) {
            std::cerr << e.what() << "\n";
            ++(e.io() ? unreadable : failures);
        }
    }
    std::cout.flush();
    if (!std::cout || unreadable > 0) {
        return kExitIo;
    }
    return failures == 0 ? kExitOk : kExitInvalidInput;
}

}  // namespace

// "  depots[0] 'north': lat 43.73, lon 7.42 -> node 812 (3.2 m away)": the first ten
// positions the scenario put on the network, then the farthest of the rest (docs/scenarios.md,
// "Positions"; --json lists them all)
void print_snapped(std::ostream& out, const io::Scenario& s) {
    constexpr std::size_t kShown = 10;
    const auto line = [&](const io::SnappedPoint& p) {
        out << "  " << p.what << ": ";
        if (p.geographic) {
            out << "lat " << number(p.lat) << ", lon " << number(p.lon);
        } else {
            out << "x " << number(p.point.x) << ", y " << number(p.point.y);
        }
        out << " -> node " << p.node << " (" << fixed(p.distance_m, 1) << " m away)\n";
    };
    for (std::size_t i = 0; i < s.snapped.size() && i < kShown; ++i) {
        line(s.snapped[i]);
    }
    if (s.snapped.size() > kShown) {
        const auto far = std::max_element(s.snapped.begin() + kShown, s.snapped.end(),
                                          [](const io::SnappedPoint& a, const io::SnappedPoint& b) {
                                              return a.distance_m < b.distance_m;
                                          });
        out << "  ... " << grouped(s.snapped.size() - kShown) << " more, the farthest:\n";
        line(*far);
    }
}

// the network's mean speed at its slowest and fastest hours under network.speed_profile
void print_speed_profile(std::ostream& out, const routing::SpeedProfile& p) {
    if (p.empty()) {
        return;
    }
    std::size_t slow = 0;
    std::size_t fast = 0;
    for (std::size_t h = 1; h < routing::SpeedProfile::kHours; ++h) {
        slow = p.mean_factor(h) < p.mean_factor(slow) ? h : slow;
        fast = p.mean_factor(h) > p.mean_factor(fast) ? h : fast;
    }
    const auto hour = [](std::size_t h) { return (h < 10 ? "0" : "") + std::to_string(h); };
    out << "  speed profile: the network at " << fixed(100.0 * p.mean_factor(slow), 0)
        << " % of its free-flow speed at " << hour(slow) << " h (slowest), "
        << fixed(100.0 * p.mean_factor(fast), 0) << " % at " << hour(fast) << " h\n";
}

// the flags `run` and `fork` share, and the callback that runs
void add_run_flags(CLI::App* cmd, const std::shared_ptr<RunOptions>& options, int& exit_code) {
    RunOptions& r = *options;
    cmd->add_option("-j,--threads", r.threads, "Worker threads (0: all cores)")
        ->check(CLI::Range(std::size_t{0}, std::size_t{1024}));
    cmd->add_option("--set", r.overrides, "Override a field: key.path=value (repeatable)");
    cmd->add_option("--close", r.close,
                    "Close a road: ROAD[@T[+D]], ROAD a name, way:ID or edge id; from T s "
                    "(default 0), reopened after D s (repeatable; `network roads` lists names)");
    cmd->add_option("--slow", r.slow,
                    "Slow a road: ROAD=FACTOR[@T[+D]], speeds times FACTOR in (0, 1] (repeatable)");
    cmd->add_option("--until", r.until_s, "Stop at this simulated time in seconds")
        ->check(positive_finite());
    cmd->add_option("-o,--output", r.trace, "HDF5 trace file (H5MD layout, docs/trace-format.md)");
    cmd->add_option(
        "--orders-out", r.orders_out,
        "Per-order results as CSV (docs/logistics.md: vehicle, times, lateness, status)");
    cmd->add_option("--vehicles-out", r.vehicles_out,
                    "Per-vehicle results as CSV (distance, energy, busy time, deliveries)");
    cmd->add_option("--checkpoint-at", r.checkpoint_at,
                    "Save the run's complete state at these simulated times in seconds: T[,T2...] "
                    "(docs/checkpoints.md; `swarmsim fork` continues from one)")
        ->delimiter(',')
        ->check(positive_finite());
    cmd->add_option("--checkpoint-dir", r.checkpoint_dir,
                    "Directory of the checkpoint files NAME-seedS-tT.h5 (default: .)");
    cmd->add_flag("--force", r.force,
                  "Replace existing output files (trace, tables, checkpoints; never a device or "
                  "link)");
    cmd->add_flag("--json", r.json, "Print the results as JSON on stdout");
    cmd->add_option("--progress-interval", r.progress_interval_s,
                    "Wall seconds between progress lines when stderr is not a terminal (0: none; "
                    "a terminal gets a bar)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    const std::string name = cmd->get_name();
    cmd->callback([options, &exit_code, name] {
        try {
            exit_code = run_scenario(*options);
        } catch (const std::exception& e) {
            std::cerr << "swarmsim " << name << ": error: " << e.what() << "\n";
            exit_code = kExitRuntime;
        }
    });
}

void add_scenario_commands(CLI::App& app, int& exit_code) {
    auto v = std::make_shared<ValidateOptions>();
    CLI::App* validate = app.add_subcommand(
        "validate",
        "Check scenario files (TOML, docs/scenarios.md); exit 3 if any is invalid, 4 if "
        "any cannot be read");
    validate->add_option("scenarios", v->files, "Scenario files")->required();
    validate->add_option("--set", v->overrides, "Override a field: key.path=value (repeatable)");
    validate->callback([v, &exit_code] {
        try {
            exit_code = run_validate(*v);
        } catch (const std::exception& e) {
            std::cerr << "swarmsim validate: error: " << e.what() << "\n";
            exit_code = kExitRuntime;
        }
    });

    auto r = std::make_shared<RunOptions>();
    CLI::App* run = app.add_subcommand(
        "run", "Run a fleet scenario and print its KPI summary (progress on stderr)");
    run->add_option("scenario", r->file, "Scenario file (TOML)")->required();
    run->add_option("--seed", r->seed, "Run seed (overrides run.seed)")
        ->check(non_negative_integer());
    add_run_flags(run, r, exit_code);

    auto f = std::make_shared<RunOptions>();
    CLI::App* fork = app.add_subcommand(
        "fork",
        "Continue a run from a checkpoint (run --checkpoint-at), with changes legal mid-run: "
        "policy, comms, cloud, disruptions from then on (docs/checkpoints.md)");
    fork->add_option("checkpoint", f->resume, "Checkpoint file (HDF5)")->required();
    add_run_flags(fork, f, exit_code);
}

}  // namespace swarm::cli
