// `swarmsim sweep` and `swarmsim compare`: front-ends of the batch runner (cli/batch.hpp).
// Both validate every combination before any run starts (exit 3 on the first bad one ...
// after listing all), run the batch, write manifest.json and summary.csv and print a table.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agents/fleet/protocol.hpp"
#include "cli/batch.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/ranks.hpp"
#include "cli/run_checkpoints.hpp"
#include "cli/validators.hpp"
#include "io/output/output_file.hpp"
#include "io/scenario/scenario.hpp"

namespace swarm::cli {

namespace {

void add_price_of_decentralization(const BatchResult& result, const BatchReport& report,
                                   std::vector<KpiRow>& rows);

namespace fs = std::filesystem;

// options both commands share
struct BatchCliOptions {
    std::string file;
    std::vector<std::string> overrides;  // fixed --set (compare) or swept --set (sweep)
    std::optional<std::uint64_t> seed;
    std::size_t parallel = 0;  // runs at once; 0: cores / threads_per_run
    std::uint32_t threads_per_run = 1;
    std::optional<std::string> removed_jobs;  // --jobs: renamed --parallel (an error)
    bool all = false;                         // every KPI in the printed table
    std::string out_dir;
    bool traces = false;
    double timeout_s = 0.0;
    bool force = false;  // replace an earlier batch's outputs in out_dir
    bool json = false;
    std::string checkpoint;  // whatif: every run forks this checkpoint
};

struct SweepOptions : BatchCliOptions {
    std::size_t repeat = 1;
};

struct WhatifOptions : BatchCliOptions {
    double at_s = 0.0;
    std::vector<std::string> branches;  // NAME:key=value,key=value
};

struct CompareOptions : BatchCliOptions {
    std::string policies;
    std::size_t seeds = 5;
};

// a usage problem found after parsing: message on stderr, exit 2
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, sep)) {
        out.push_back(item);
    }
    if (!text.empty() && text.back() == sep) {
        out.emplace_back();
    }
    return out;
}

// one group to run: its labels, the --set overrides that make it, its resolved scenario
struct Group {
    GroupLabel label;
    std::vector<std::string> overrides;
    std::string hash;
    std::uint64_t base_seed = 0;
    bool trace = false;
};

// Loads the scenario once per group (network built: a depot on an unreachable node is
// caught here too). Prints every problem; false if any.
bool validate_groups(const BatchCliOptions& o, const std::vector<std::string>& base,
                     std::vector<Group>& groups, std::string& base_hash) {
    bool ok = true;
    {
        io::ScenarioOptions so;
        so.overrides = base;
        so.build_network = false;
        try {
            base_hash = text_hash(io::load_scenario(o.file, so).resolved_toml);
        } catch (const io::ScenarioError& e) {
            std::cerr << e.what() << "\n";
            return false;
        }
    }
    std::vector<std::string> warned;  // each warning once, not once per combination
    for (Group& g : groups) {
        io::ScenarioOptions so;
        so.overrides = base;
        so.overrides.insert(so.overrides.end(), g.overrides.begin(), g.overrides.end());
        if (o.seed) {
            so.overrides.push_back("run.seed=" + std::to_string(*o.seed));
        }
        try {
            const io::Scenario s = io::load_scenario(o.file, so);
            for (const std::string& w : s.warnings) {
                if (std::find(warned.begin(), warned.end(), w) == warned.end()) {
                    std::cerr << w << "\n";
                    warned.push_back(w);
                }
            }
            g.hash = text_hash(s.resolved_toml);
            g.base_seed = s.run.seed;
            g.trace = o.traces || !s.output.trace.empty();
        } catch (const io::ScenarioError& e) {
            std::string label;
            for (const auto& [k, v] : g.label) {
                label += (label.empty() ? "" : ", ") + k + "=" + v;
            }
            std::cerr << e.what() << "\n  (in the combination " << label << ")\n";
            ok = false;
        }
    }
    return ok;
}

// --parallel, or as many runs as the cores hold at --threads each
std::size_t default_parallel(std::size_t requested, std::uint32_t threads_per_run) {
    if (requested > 0) {
        return requested;
    }
    const std::size_t cores = std::max(1U, std::thread::hardware_concurrency());
    return std::max<std::size_t>(1, cores / std::max<std::uint32_t>(1, threads_per_run));
}

// zero-padded run ids, at least 4 digits
std::string run_id(std::size_t i, std::size_t total) {
    std::string s = std::to_string(i);
    const std::size_t width = std::max<std::size_t>(4, std::to_string(total).size());
    return std::string(width - std::min(width, s.size()), '0') + s;
}

// Silences std::cerr while alive when `on`: the ranks other than 0 during checks that
// every rank repeats alike.
class MuteCerr {
  public:
    explicit MuteCerr(bool on) : saved_(on ? std::cerr.rdbuf(nullptr) : nullptr), on_(on) {}
    MuteCerr(const MuteCerr&) = delete;
    MuteCerr& operator=(const MuteCerr&) = delete;
    ~MuteCerr() {
        if (on_) {
            std::cerr.rdbuf(saved_);
            std::cerr.clear();
        }
    }

  private:
    std::streambuf* saved_;
    bool on_;
};

// before any run: an earlier batch's outputs are kept unless --force; the exit code
int prepare_batch_dir(const char* command, const fs::path& out_dir, bool force) {
    try {
        check_batch_dir(out_dir, force);
    } catch (const io::OutputError& e) {
        std::cerr << "swarmsim " << command << ": error: " << e.what() << "\n";
        return kExitIo;
    }
    try {
        fs::create_directories(out_dir / "runs");
    } catch (const fs::filesystem_error& e) {
        std::cerr << "swarmsim " << command << ": error: cannot create " << out_dir << ": "
                  << e.code().message() << "\n";
        return kExitIo;
    }
    return kExitOk;
}

int report_groups(const char* command, const BatchCliOptions& o, const BatchOptions& bo,
                  BatchReport& report, const BatchResult& result, std::size_t group_count,
                  const std::function<void(std::ostream&, const BatchReport&,
                                           const std::vector<KpiRow>&)>& print_table);

// runs the groups x seeds, writes the outputs, prints; the exit code
int run_groups(const char* command, const BatchCliOptions& o, const std::vector<std::string>& base,
               std::vector<Group> groups, std::vector<std::string> columns, std::size_t repeat,
               const std::function<void(std::ostream&, const BatchReport&,
                                        const std::vector<KpiRow>&)>& print_table) {
    if (o.removed_jobs) {
        throw UsageError(
            "--jobs is now --parallel N (runs at once); -j/--threads N sets the worker threads of "
            "each run, as for `swarmsim run`");
    }
    std::error_code ec;
    if (!fs::is_regular_file(o.file, ec)) {
        std::cerr << o.file << ": error: cannot read the scenario file\n";
        return kExitIo;
    }
    // under mpirun: every rank makes the same jobs and runs its share; rank 0 checks the
    // output directory, prints and writes the outputs (docs/distributed.md)
    const Ranks& ranks = Ranks::world();
    const bool lead = ranks.rank() == 0;
    BatchReport report;
    report.command = command;
    report.scenario = o.file;
    report.columns = std::move(columns);
    report.repeat = repeat;
    bool valid = false;
    {
        // the other ranks come to the same verdict: rank 0 alone says why
        const MuteCerr mute(!lead);
        valid = validate_groups(o, base, groups, report.scenario_hash);
    }
    if (!valid) {
        return kExitInvalidInput;
    }
    report.base_seed = groups.empty() ? 0 : groups.front().base_seed;

    BatchOptions bo;
    bo.scenario = o.file;
    bo.checkpoint = o.checkpoint;
    bo.out_dir = o.out_dir;
    bo.parallel = default_parallel(o.parallel, o.threads_per_run);
    if (ranks.size() > 1 && o.parallel == 0) {
        // the cores of a machine are shared by the ranks mpirun put on it
        bo.parallel =
            std::max<std::size_t>(1, bo.parallel / static_cast<std::size_t>(launched_local_size()));
    }
    bo.ranks = ranks.size();
    bo.threads_per_run = o.threads_per_run;
    bo.base_overrides = base;
    bo.timeout_s = o.timeout_s;
    bo.replace = o.force;
    std::vector<BatchJob> jobs;
    const std::size_t total = groups.size() * repeat;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        report.groups.push_back(groups[g].label);
        report.group_hashes.push_back(groups[g].hash);
        bo.group_traces.push_back(groups[g].trace);
        for (std::size_t r = 0; r < repeat; ++r) {
            BatchJob job;
            job.id = run_id(jobs.size(), total);
            job.group = g;
            job.overrides = groups[g].overrides;
            job.seed = groups[g].base_seed + r;
            jobs.push_back(std::move(job));
        }
    }
    int prepared = kExitOk;
    if (lead) {
        prepared = prepare_batch_dir(command, bo.out_dir, o.force);
    }
    if (const int code = ranks.broadcast(prepared); code != kExitOk) {
        return code;
    }
    if (lead) {
        std::cerr << "swarmsim " << command << ": " << jobs.size() << " runs (" << groups.size()
                  << " x " << repeat << " seeds), " << bo.parallel << " at a time"
                  << (ranks.size() > 1 ? " on each of " + std::to_string(ranks.size()) + " ranks"
                                       : std::string())
                  << ", " << bo.threads_per_run
                  << (bo.threads_per_run == 1 ? " thread" : " threads") << " each, into "
                  << bo.out_dir << "\n";
    }
    BatchResult result;
    try {
        result = run_batch_on_ranks(bo, std::move(jobs), ranks);
    } catch (const std::exception& e) {
        std::cerr << "swarmsim " << command << ": error: " << e.what() << "\n";
        return ranks.broadcast(kExitIo);
    }
    if (!lead) {
        return ranks.broadcast(kExitOk);
    }
    return ranks.broadcast(
        report_groups(command, o, bo, report, result, groups.size(), print_table));
}

// rank 0's part of run_groups: aggregates, writes the outputs and prints; the exit code
int report_groups(const char* command, const BatchCliOptions& o, const BatchOptions& bo,
                  BatchReport& report, const BatchResult& result, std::size_t group_count,
                  const std::function<void(std::ostream&, const BatchReport&,
                                           const std::vector<KpiRow>&)>& print_table) {
    std::vector<KpiRow> rows;
    try {
        report.runs_ok.assign(group_count, 0);
        for (const BatchRun& r : result.runs) {
            report.runs_ok[r.job.group] += r.status == RunStatus::kOk ? 1 : 0;
        }
        rows = aggregate(result, group_count);
        if (std::string(command) == "compare") {
            add_price_of_decentralization(result, report, rows);
        }
        write_batch_outputs(bo.out_dir, report, bo, result, rows);
        if (std::string(command) == "compare") {
            std::ostringstream js;
            write_rows_json(js, report, rows);
            io::write_file_safely((bo.out_dir / "compare.json").string(), js.str(), bo.replace);
        }
    } catch (const std::exception& e) {
        std::cerr << "swarmsim " << command << ": error: " << e.what() << "\n";
        return kExitIo;
    }

    if (o.json) {
        write_rows_json(std::cout, report, rows);
    } else {
        // the headline KPIs first; the rest with --all (all of them are in summary.csv)
        const std::vector<KpiRow> shown = table_rows(rows, o.all);
        print_table(std::cout, report, shown);
        const std::size_t hidden =
            (rows.size() - shown.size()) / std::max<std::size_t>(1, report.groups.size());
        if (hidden > 0) {
            std::cout << "(" << hidden << " more KPIs: --all prints them; all are in "
                      << (bo.out_dir / "summary.csv").string() << ")\n";
        }
    }
    const std::size_t failed = result.count(RunStatus::kFailed);
    for (const BatchRun& r : result.runs) {
        if (r.status == RunStatus::kFailed) {
            std::cerr << "failed: run " << r.job.id << " (seed " << r.job.seed;
            for (const std::string& ov : r.job.overrides) {
                std::cerr << ", " << ov;
            }
            std::cerr << "): " << r.error << "\n";
        }
    }
    std::cerr << "swarmsim " << command << ": " << result.count(RunStatus::kOk) << " ok, " << failed
              << " failed";
    if (result.interrupted) {
        std::cerr << ", interrupted (" << result.count(RunStatus::kNotRun) << " not run)";
    }
    std::cerr << "; " << (bo.out_dir / "manifest.json").string() << ", "
              << (bo.out_dir / "summary.csv").string() << "\n";
    std::cout.flush();
    if (!std::cout) {
        return kExitIo;
    }
    if (result.interrupted) {
        return kExitInterrupted;
    }
    return failed > 0 ? kExitRuntime : kExitOk;
}

// The price of decentralization (docs/disruptions.md, docs/central-planner.md): each
// policy's cost over the cloud policy's cost on the same seed (`price_of_decentralization`,
// 1 for the cloud itself) and over the oracle's (`price_vs_oracle`), as one more KPI row
// each per policy, right after the group's other rows. A row only when its reference
// policy ("cloud", "oracle") is among the policies.
void add_cost_ratio(const BatchResult& result, const BatchReport& report, std::string_view policy,
                    std::string_view kpi, std::vector<KpiRow>& rows) {
    std::size_t base_group = report.groups.size();
    for (std::size_t g = 0; g < report.groups.size(); ++g) {
        for (const auto& [k, v] : report.groups[g]) {
            if (k == "policy" && v == policy) {
                base_group = g;
            }
        }
    }
    if (base_group == report.groups.size()) {
        return;
    }
    const auto cost_of = [](const BatchRun& r) {
        for (const auto& [k, v] : r.kpis) {
            if (k == "cost") {
                return v;
            }
        }
        return std::numeric_limits<double>::quiet_NaN();
    };
    std::vector<KpiRow> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        out.push_back(rows[i]);
        const std::size_t g = rows[i].group;
        if (i + 1 < rows.size() && rows[i + 1].group == g) {
            continue;
        }
        // the last row of group g: its ratios, seed by seed
        std::vector<double> ratios;
        std::size_t failed = 0;
        for (const BatchRun& r : result.runs) {
            if (r.job.group != g) {
                continue;
            }
            const auto base =
                std::find_if(result.runs.begin(), result.runs.end(), [&](const BatchRun& c) {
                    return c.job.group == base_group && c.job.seed == r.job.seed;
                });
            if (r.status != RunStatus::kOk || base == result.runs.end() ||
                base->status != RunStatus::kOk) {
                ++failed;
                continue;
            }
            ratios.push_back(cost_of(r) / cost_of(*base));
        }
        KpiRow row;
        row.group = g;
        row.kpi = std::string(kpi);
        row.stats = sample_stats(ratios);
        row.failed = failed;
        out.push_back(row);
    }
    rows.swap(out);
}

void add_price_of_decentralization(const BatchResult& result, const BatchReport& report,
                                   std::vector<KpiRow>& rows) {
    add_cost_ratio(result, report, "cloud", "price_of_decentralization", rows);
    add_cost_ratio(result, report, "oracle", "price_vs_oracle", rows);
}

// "mean ± half-width" text for a table cell
std::string mean_ci(const SampleStats& s) {
    if (s.n == 0) {
        return "n/a";
    }
    const double half = 0.5 * (s.ci95_high - s.ci95_low);
    const int digits = std::fabs(s.mean) >= 100.0 ? 1 : 3;
    std::string text = fixed(s.mean, digits);
    if (std::isfinite(half)) {
        text += " ± " + fixed(half, digits);
    }
    return text;
}

void print_rows(std::ostream& out, const BatchReport& report, const std::vector<KpiRow>& rows) {
    // one block per group
    std::size_t group = static_cast<std::size_t>(-1);
    for (const KpiRow& row : rows) {
        if (row.group != group) {
            group = row.group;
            out << (group == 0 ? "" : "\n");
            for (const auto& [k, v] : report.groups[group]) {
                out << k << "=" << v << "  ";
            }
            out << "(" << report.runs_ok[group] << " ok, " << row.failed << " failed)\n";
        }
        out << "  " << std::left << std::setw(36) << row.kpi << std::right << mean_ci(row.stats)
            << "\n";
    }
}

// one column per group (policy), one line per KPI
void print_columns(std::ostream& out, const BatchReport& report, const std::vector<KpiRow>& rows) {
    const std::size_t groups = report.groups.size();
    if (groups == 0 || rows.empty()) {
        out << "no results\n";
        return;
    }
    const std::size_t kpis = rows.size() / groups;
    constexpr int kWidth = 24;
    out << std::left << std::setw(36) << "KPI (mean ± 95% CI)";
    for (const GroupLabel& g : report.groups) {
        out << std::setw(kWidth) << g.front().second;
    }
    out << "\n";
    for (std::size_t k = 0; k < kpis; ++k) {
        out << std::setw(36) << rows[k].kpi;
        for (std::size_t g = 0; g < groups; ++g) {
            out << std::setw(kWidth) << mean_ci(rows[g * kpis + k].stats);
        }
        out << "\n";
    }
    out << std::setw(36) << "runs ok / failed";
    for (std::size_t g = 0; g < groups; ++g) {
        out << std::setw(kWidth)
            << (std::to_string(report.runs_ok[g]) + " / " + std::to_string(rows[g * kpis].failed));
    }
    out << std::right << "\n";
}

int run_sweep(const SweepOptions& o) {
    // --set key=v1,v2: the cartesian product, the first key varying slowest
    std::vector<std::string> keys;
    std::vector<std::vector<std::string>> values;
    for (const std::string& spec : o.overrides) {
        const std::size_t eq = spec.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw UsageError("--set " + spec + ": expected key.path=value[,value...]");
        }
        const std::string key = spec.substr(0, eq);
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
            throw UsageError("--set " + key + " given twice (list the values: " + key + "=v1,v2)");
        }
        keys.push_back(key);
        values.push_back(split(spec.substr(eq + 1), ','));
        if (values.back().empty()) {
            values.back().emplace_back();
        }
    }
    std::vector<Group> groups(1);
    for (std::size_t k = 0; k < keys.size(); ++k) {
        std::vector<Group> next;
        for (const Group& g : groups) {
            for (const std::string& v : values[k]) {
                Group h = g;
                h.label.emplace_back(keys[k], v);
                h.overrides.push_back(keys[k] + "=" + v);
                next.push_back(std::move(h));
            }
        }
        groups = std::move(next);
    }
    return run_groups("sweep", o, {}, std::move(groups), keys, o.repeat, print_rows);
}

int run_compare(const CompareOptions& o) {
    const std::vector<std::string> known = agents::protocol_names();
    std::vector<std::string> policies = split(o.policies, ',');
    std::vector<Group> groups;
    for (const std::string& p : policies) {
        if (std::find(known.begin(), known.end(), p) == known.end()) {
            std::string list;
            for (const std::string& k : known) {
                list += (list.empty() ? "" : ", ") + k;
            }
            throw UsageError("--policies: unknown allocation policy '" + p +
                             "' (registered: " + list + ")");
        }
        for (const Group& g : groups) {
            if (g.label.front().second == p) {
                throw UsageError("--policies: '" + p + "' given twice");
            }
        }
        Group g;
        g.label = {{"policy", p}};
        g.overrides = {"policies.allocation=" + p};
        groups.push_back(std::move(g));
    }
    for (const std::string& ov : o.overrides) {
        if (ov.rfind("policies.allocation=", 0) == 0) {
            throw UsageError("--set policies.allocation: the policies come from --policies");
        }
    }
    return run_groups("compare", o, o.overrides, std::move(groups), {"policy"}, o.seeds,
                      print_columns);
}

// `whatif`: the scenario to the branch time once (a checkpoint), then every branch from it,
// and "as is" (the run continued unchanged) beside them
int run_whatif(const WhatifOptions& o) {
    std::vector<Group> groups;
    groups.push_back({{{"branch", "as is"}}, {}, "", 0, true});
    for (const std::string& b : o.branches) {
        const std::size_t colon = b.find(':');
        const std::string name = b.substr(0, colon);
        if (colon == std::string::npos || name.empty() || name == "as is") {
            throw UsageError("--branch '" + b + "': give NAME:key=value[,key=value...]");
        }
        Group g{{{"branch", name}}, {}, "", 0, true};
        for (const std::string& kv : split(b.substr(colon + 1), ',')) {
            if (kv.find('=') == std::string::npos) {
                throw UsageError("--branch '" + b + "': '" + kv + "' is not key=value");
            }
            g.overrides.push_back(kv);
        }
        for (const Group& other : groups) {
            if (other.label == g.label) {
                throw UsageError("--branch '" + name + "' is given twice");
            }
        }
        groups.push_back(std::move(g));
    }
    std::error_code ec;
    if (!fs::is_regular_file(o.file, ec)) {
        std::cerr << o.file << ": error: cannot read the scenario file\n";
        return kExitIo;
    }
    try {
        check_batch_dir(o.out_dir, o.force);
    } catch (const io::OutputError& e) {
        std::cerr << "swarmsim whatif: error: " << e.what() << "\n";
        return kExitIo;
    }
    // the shared history: the scenario up to the branch time (and a second on), its trace
    // and the checkpoint, in OUT/prefix
    io::ScenarioOptions so;
    so.overrides = o.overrides;
    if (o.seed) {
        so.overrides.push_back("run.seed=" + std::to_string(*o.seed));
    }
    so.build_network = false;
    io::Scenario s;
    try {
        s = io::load_scenario(o.file, so);
    } catch (const io::ScenarioError& e) {
        std::cerr << e.what() << "\n";
        return kExitInvalidInput;
    }
    if (o.at_s <= 0.0 || o.at_s >= s.run.duration_s) {
        throw UsageError("--at " + number(o.at_s) + ": not inside the run (0 to " +
                         number(s.run.duration_s) + " s)");
    }
    const fs::path prefix = fs::path(o.out_dir) / "prefix";
    BatchOptions po;
    po.scenario = o.file;
    po.out_dir = prefix;
    po.threads_per_run = o.threads_per_run;
    po.base_overrides = o.overrides;
    po.group_traces = {true};
    po.replace = o.force;
    po.timeout_s = o.timeout_s;
    BatchJob job;
    job.id = "history";
    job.seed = s.run.seed;
    job.args = {"--until",          number(std::min(o.at_s + 1.0, s.run.duration_s)),
                "--checkpoint-at",  number(o.at_s),
                "--checkpoint-dir", prefix.string()};
    if (o.force) {
        job.args.emplace_back("--force");
    }
    std::cerr << "swarmsim whatif: the shared history to " << number(o.at_s) << " s\n";
    fs::create_directories(prefix, ec);
    const BatchResult history = run_batch(po, {job});
    const std::string checkpoint =
        checkpoint_path(prefix.string(), fs::path(o.file).stem().string(), s.run.seed, o.at_s);
    if (history.runs.empty() || history.runs[0].status != RunStatus::kOk ||
        !fs::is_regular_file(checkpoint, ec)) {
        std::cerr << "swarmsim whatif: error: the shared history failed"
                  << (history.runs.empty() ? std::string() : ": " + history.runs[0].error) << " ("
                  << (prefix / "runs").string() << ")\n";
        return kExitRuntime;
    }
    WhatifOptions branches = o;
    branches.checkpoint = checkpoint;
    branches.seed.reset();       // the checkpoint's
    branches.overrides.clear();  // in the checkpoint's scenario already
    branches.traces = true;
    return run_groups("whatif", branches, {}, std::move(groups), {"branch"}, 1, print_columns);
}

template <class Options>
void add_batch_options(CLI::App* cmd, Options& o) {
    cmd->add_option("-j,--threads", o.threads_per_run, "Worker threads of each run")
        ->check(CLI::Range(1U, 1024U))
        ->capture_default_str();
    cmd->add_option("--parallel", o.parallel,
                    "Runs at once (default 0: as many as the cores hold at --threads each)")
        ->check(CLI::Range(std::size_t{0}, std::size_t{4096}));
    // the old spellings: --threads-per-run meant what -j means now; --jobs (runs at once)
    // is refused with the new name rather than read as -j
    cmd->add_option("--threads-per-run", o.threads_per_run)
        ->check(CLI::Range(1U, 1024U))
        ->group("");
    cmd->add_option("--jobs", o.removed_jobs)->group("");
    cmd->add_flag("--all", o.all, "Print every KPI, not only the headline ones");
    cmd->add_option("--seed", o.seed, "Base seed (default run.seed); run r uses base + r")
        ->check(non_negative_integer());
    cmd->add_flag("--trace", o.traces,
                  "Write runs/<id>/trace.h5 for every run (also when output.trace is set)");
    cmd->add_option("--timeout", o.timeout_s, "Kill a run after this many wall seconds (failed)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--json", o.json, "Print the summary rows as JSON on stdout");
    cmd->add_flag("--force", o.force,
                  "Replace the outputs of an earlier batch in --out-dir (manifest, CSV, runs/)");
}

template <class Options, class Fn>
void set_callback(CLI::App* cmd, std::shared_ptr<Options> o, int& exit_code, const char* name,
                  Fn fn) {
    cmd->callback([o, &exit_code, name, fn] {
        try {
            exit_code = fn(*o);
        } catch (const UsageError& e) {
            std::cerr << "swarmsim " << name << ": error: " << e.what() << "\n";
            exit_code = kExitUsage;
        } catch (const std::exception& e) {
            std::cerr << "swarmsim " << name << ": error: " << e.what() << "\n";
            exit_code = kExitRuntime;
        }
    });
}

}  // namespace

void add_batch_commands(CLI::App& app, int& exit_code) {
    auto s = std::make_shared<SweepOptions>();
    CLI::App* sweep = app.add_subcommand(
        "sweep", "Run a scenario over the cartesian product of --set value lists x --repeat seeds");
    sweep->add_option("scenario", s->file, "Scenario file (TOML)")->required();
    sweep->add_option("--set", s->overrides,
                      "Swept field: key.path=v1,v2,... (repeatable; one value fixes it)");
    sweep->add_option("--repeat", s->repeat, "Seeds per combination")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
    sweep->add_option("--out-dir", s->out_dir, "Output directory (manifest, CSV, runs/)")
        ->required();
    add_batch_options(sweep, *s);
    set_callback(sweep, s, exit_code, "sweep", run_sweep);

    auto c = std::make_shared<CompareOptions>();
    CLI::App* compare = app.add_subcommand(
        "compare", "Run a scenario under several allocation policies on the same seeds");
    compare->add_option("scenario", c->file, "Scenario file (TOML)")->required();
    compare->add_option("--policies", c->policies, "Allocation policies: a,b,c")->required();
    compare->add_option("--seeds", c->seeds, "Seeds per policy (base seed + 0 .. N-1)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
    compare->add_option("--set", c->overrides, "Override a field for every run (repeatable)");
    compare->add_option("--out-dir", c->out_dir, "Output directory (default: compare-out)")
        ->default_val("compare-out");
    add_batch_options(compare, *c);
    set_callback(compare, c, exit_code, "compare", run_compare);

    auto w = std::make_shared<WhatifOptions>();
    CLI::App* whatif = app.add_subcommand(
        "whatif",
        "Run a scenario to --at once, then each --branch from that instant on the same history "
        "(docs/checkpoints.md)");
    whatif->add_option("scenario", w->file, "Scenario file (TOML)")->required();
    whatif->add_option("--at", w->at_s, "Branch time, simulated seconds")
        ->required()
        ->check(positive_finite());
    whatif
        ->add_option("--branch", w->branches,
                     "A branch: NAME:key=value[,key=value...] (changes legal mid-run; "
                     "repeatable)")
        ->required();
    whatif->add_option("--set", w->overrides, "Override a field of the scenario (repeatable)");
    whatif->add_option("--out-dir", w->out_dir, "Output directory (default: whatif-out)")
        ->default_val("whatif-out");
    add_batch_options(whatif, *w);
    set_callback(whatif, w, exit_code, "whatif", run_whatif);
}

}  // namespace swarm::cli
