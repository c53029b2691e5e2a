#pragma once
// The batch runner behind `swarmsim sweep` and `swarmsim compare`: many (overrides, seed)
// runs of one scenario, each a child `swarmsim run --json` process (a crash or a hang stays
// in its run), at most `parallel` at a time. Each run's stdout (the KPI summary JSON) and
// stderr go to DIR/runs/<id>/; the KPIs are read back generically (every numeric leaf of
// the "kpis" object), so KPIs added to the summary later flow through without changes here.
// A failing run is recorded with its reason and the batch goes on; Ctrl-C (SIGINT), SIGTERM
// or SIGHUP stops launching, sends SIGINT to the running children and waits for them.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "cli/stats.hpp"

namespace swarm::cli {

struct BatchJob {
    std::string id;                      // directory name under runs/
    std::size_t group = 0;               // parameter combination (sweep) or policy (compare)
    std::vector<std::string> overrides;  // "key.path=value", passed as --set
    std::uint64_t seed = 0;
    std::vector<std::string> args;  // more arguments of its command (--checkpoint-at ...)
};

struct BatchOptions {
    std::filesystem::path scenario;
    // set: every run continues this checkpoint (`swarmsim fork`, no --seed: its seed is the
    // checkpoint's) instead of running the scenario (`whatif`)
    std::filesystem::path checkpoint;
    std::filesystem::path out_dir;            // runs/<id>/ are created below it
    std::string executable;                   // the swarmsim binary; empty: this process's own
    std::size_t parallel = 1;                 // runs at once
    std::uint32_t threads_per_run = 1;        // -j of each run
    std::vector<std::string> base_overrides;  // applied to every run before its own
    std::vector<bool> group_traces;           // per group: write runs/<id>/trace.h5
    double timeout_s = 0.0;                   // > 0: a run still going after this is killed
    bool progress = true;                     // one stderr line per finished run
    int ranks = 1;                            // MPI ranks sharing the runs (manifest)
    bool replace = false;
    // outputs of an earlier batch in out_dir may be replaced (--force: passed to the runs'
    // `-o` too); the caller checks out_dir before the batch (check_batch_dir)
};

enum class RunStatus { kNotRun, kOk, kFailed, kInterrupted };
[[nodiscard]] const char* to_string(RunStatus s);

struct BatchRun {
    BatchJob job;
    RunStatus status = RunStatus::kNotRun;
    int exit_code = -1;   // of the child; -1 when it did not exit normally
    int term_signal = 0;  // the signal that ended it, 0 if none
    std::string error;    // why it failed, for people
    double wall_s = 0.0;
    // relative to out_dir
    std::string summary_path;
    std::string stderr_path;
    std::string trace_path;                            // empty: no trace
    std::vector<std::pair<std::string, double>> kpis;  // flattened "kpis" of the summary
};

struct BatchResult {
    std::vector<BatchRun> runs;  // in job order
    bool interrupted = false;
    [[nodiscard]] std::size_t count(RunStatus s) const;
};

// Runs every job; throws std::runtime_error only when the batch itself cannot go on
// (cannot create a directory or start a process).
[[nodiscard]] BatchResult run_batch(const BatchOptions& options, std::vector<BatchJob> jobs);

class Ranks;
// run_batch over MPI ranks (cli/ranks.hpp): job i runs on rank i % size, each rank runs its
// share as above (`options.parallel` at a time), and rank 0 gets every run back, in job
// order; the other ranks get only their own. With one rank, run_batch itself.
[[nodiscard]] BatchResult run_batch_on_ranks(const BatchOptions& options,
                                             std::vector<BatchJob> jobs, const Ranks& ranks);

// Reads a run's summary JSON and returns its flattened "kpis"; throws JsonError.
[[nodiscard]] std::vector<std::pair<std::string, double>> read_summary_kpis(
    const std::string& json_text);

// One row of a batch summary: a KPI over the ok runs of a group.
struct KpiRow {
    std::size_t group = 0;
    std::string kpi;
    SampleStats stats;
    std::size_t failed = 0;  // runs of the group that failed (or were interrupted)
};

// Per group, per KPI (the union of the keys of all ok runs, in first-seen order): mean,
// std and 95% CI over the group's ok runs. Groups without an ok run still get rows (n = 0).
[[nodiscard]] std::vector<KpiRow> aggregate(const BatchResult& result, std::size_t groups);

// The KPIs a planner reads first (docs/batch-runs.md), in table order: on-time, failures,
// recovery, cost, the price of decentralization, decision latency, breakdowns
[[nodiscard]] const std::vector<std::string>& headline_kpis();
// The rows a table shows: per group the headline KPIs first (in headline_kpis() order), then,
// with `all`, every other KPI in its original order; without `all` only the headline ones.
// Groups keep their order and every group gets the same KPIs in the same order.
[[nodiscard]] std::vector<KpiRow> table_rows(const std::vector<KpiRow>& rows, bool all);

// What identifies a group in outputs: ordered (column, value) pairs, e.g. {"policy", "cbba"}
using GroupLabel = std::vector<std::pair<std::string, std::string>>;

// Everything a batch front-end writes into out_dir: manifest.json and summary.csv.
struct BatchReport {
    std::string command;  // "sweep" or "compare"
    std::filesystem::path scenario;
    std::string scenario_hash;         // FNV-1a 64 of the resolved scenario text, hex
    std::vector<std::string> columns;  // label columns, in order
    std::vector<GroupLabel> groups;
    std::vector<std::string> group_hashes;  // resolved text hash per group (overrides applied)
    std::uint64_t base_seed = 0;
    std::size_t repeat = 0;
    std::vector<std::size_t> runs_ok;  // per group: the runs that succeeded (printed tables)
};

// FNV-1a 64 as 0x-prefixed hex
[[nodiscard]] std::string text_hash(const std::string& text);

// Throws io::OutputError when out_dir cannot take a batch's outputs: it is not a directory,
// or it holds an earlier batch's (manifest.json or runs/) and `replace` is not set, or one of
// the output names is taken by something that is not a regular file (a device, a link).
void check_batch_dir(const std::filesystem::path& out_dir, bool replace);

// writes out_dir/manifest.json and out_dir/summary.csv, each through a temporary file renamed
// into place (io/output/output_file.hpp); throws std::runtime_error on I/O
void write_batch_outputs(const std::filesystem::path& out_dir, const BatchReport& report,
                         const BatchOptions& options, const BatchResult& result,
                         const std::vector<KpiRow>& rows);
// the rows as JSON (an array of objects), for --json and compare.json
void write_rows_json(std::ostream& out, const BatchReport& report, const std::vector<KpiRow>& rows);

}  // namespace swarm::cli
