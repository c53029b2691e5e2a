#pragma once
// Sub-commands of the swarmsim CLI. Each module registers its own; main() dispatches.
#include <CLI/CLI.hpp>

namespace swarm::cli {

// Exit codes shared by every command (docs/architecture.md lists them).
enum ExitCode : int {
    kExitOk = 0,
    kExitRuntime = 1,
    kExitUsage = 2,
    kExitInvalidInput = 3,  // invalid scenario, network file or trace
    kExitIo = 4,
    kExitInterrupted = 130,
};

// Each add_* registers sub-commands on `app`; their callbacks store the exit code in
// `exit_code` (they never call exit()).
// `demo`: the fleet story (a cloud outage, the cloud-dispatched fleet against the swarm)
void add_demo_command(CLI::App& app, int& exit_code);
// `selftest`: the kernel's M/M/c loading-dock model checked against Erlang C
void add_selftest_command(CLI::App& app, int& exit_code);
void add_network_commands(CLI::App& app, int& exit_code);
// `validate` and `run` on TOML scenario files
void add_scenario_commands(CLI::App& app, int& exit_code);
// `sweep` and `compare`: many runs through the batch runner (cli/batch.hpp)
void add_batch_commands(CLI::App& app, int& exit_code);
// `bench`: the built-in benchmark suite (bench/suite)
void add_bench_command(CLI::App& app, int& exit_code);
// `learn` on TOML learning scenarios
void add_learn_command(CLI::App& app, int& exit_code);
// `vrp` on static VRPTW/CVRP instance files (docs/vrp.md)
void add_vrp_command(CLI::App& app, int& exit_code);

}  // namespace swarm::cli
