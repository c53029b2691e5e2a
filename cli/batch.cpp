// Child processes: fork + execv of `swarmsim run`, stdout and stderr into files, reaped with
// waitpid(WNOHANG) in a short polling loop that also enforces timeouts and handles SIGINT.
#include "cli/batch.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "cli/format.hpp"
#include "cli/json_reader.hpp"
#include "cli/progress.hpp"
#include "cli/version.hpp"
#include "io/output/output_file.hpp"

namespace swarm::cli {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_batch_interrupt(int /*signal*/) {
    g_interrupted = 1;
}

// SIGINT, SIGTERM (a scheduler's stop) and SIGHUP set a flag for the duration of a batch;
// the previous actions are restored after
class InterruptGuard {
  public:
    InterruptGuard() {
        g_interrupted = 0;
        struct sigaction sa {};
        sa.sa_handler = on_batch_interrupt;
        sigemptyset(&sa.sa_mask);
        for (std::size_t i = 0; i < kSignals.size(); ++i) {
            sigaction(kSignals[i], &sa, &previous_[i]);
        }
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;
    ~InterruptGuard() {
        for (std::size_t i = 0; i < kSignals.size(); ++i) {
            sigaction(kSignals[i], &previous_[i], nullptr);
        }
    }

  private:
    static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
    std::array<struct sigaction, 3> previous_{};
};

std::string self_executable() {
    std::vector<char> buf(PATH_MAX + 1);
    const ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    if (n <= 0) {
        throw std::runtime_error("cannot find the swarmsim executable (/proc/self/exe)");
    }
    return {buf.data(), static_cast<std::size_t>(n)};
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// the last non-empty line of a run's stderr: the error message `swarmsim run` printed
std::string last_line(const std::string& text) {
    std::size_t end = text.size();
    while (end > 0) {
        while (end > 0 &&
               (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' ')) {
            --end;
        }
        std::size_t start = text.rfind('\n', end == 0 ? 0 : end - 1);
        start = start == std::string::npos ? 0 : start + 1;
        std::string line = text.substr(start, end - start);
        // progress lines are not reasons
        if (!line.empty() && line.rfind(kProgressPrefix, 0) != 0) {
            return line.size() > 500 ? line.substr(0, 500) + "..." : line;
        }
        end = start;
    }
    return {};
}

struct Running {
    std::size_t index = 0;  // into runs
    pid_t pid = -1;
    Clock::time_point start;
    bool timed_out = false;
};

// this process's environment without an MPI launcher's variables: a batch run under mpirun
// (cli/ranks.hpp) starts plain `swarmsim run` children, which must not take themselves for
// ranks of that launch
std::vector<char*> child_environment() {
    std::vector<char*> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view v(*e);
        if (v.rfind("OMPI_", 0) != 0 && v.rfind("PMIX_", 0) != 0 && v.rfind("PMI_", 0) != 0) {
            env.push_back(*e);
        }
    }
    env.push_back(nullptr);
    return env;
}

pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const fs::path& out,
            const fs::path& err) {
    std::vector<char*> envp = child_environment();
    std::vector<char*> argv;
    argv.reserve(args.size() + 2);
    argv.push_back(const_cast<char*>(exe.c_str()));
    for (const std::string& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    // never through a link (check_batch_dir looked at out_dir only)
    constexpr int kFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW;
    const int out_fd = open(out.c_str(), kFlags, 0644);
    const int err_fd = open(err.c_str(), kFlags, 0644);
    if (out_fd < 0 || err_fd < 0) {
        if (out_fd >= 0) {
            close(out_fd);
        }
        if (err_fd >= 0) {
            close(err_fd);
        }
        throw std::runtime_error("cannot create " + out.string() + ": " + std::strerror(errno));
    }
    const pid_t pid = fork();
    if (pid == 0) {
        // child: only async-signal-safe calls until exec
        const int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0) {
            dup2(null_fd, STDIN_FILENO);
        }
        dup2(out_fd, STDOUT_FILENO);
        dup2(err_fd, STDERR_FILENO);
        execve(exe.c_str(), argv.data(), envp.data());
        const char msg[] = "swarmsim sweep: error: cannot execute the swarmsim binary\n";
        const auto ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)ignored;
        _exit(127);
    }
    const int saved = errno;
    close(out_fd);
    close(err_fd);
    if (pid < 0) {
        throw std::runtime_error(std::string("cannot start a run: ") + std::strerror(saved));
    }
    return pid;
}

std::string describe(const BatchJob& job) {
    std::string s;
    for (const std::string& o : job.overrides) {
        s += o + ", ";
    }
    return s + "seed " + std::to_string(job.seed);
}

// fills status, error and KPIs of a reaped run
void finish(BatchRun& run, int wait_status, bool timed_out, double timeout_s, bool interrupted,
            const fs::path& out_dir) {
    if (WIFEXITED(wait_status)) {
        run.exit_code = WEXITSTATUS(wait_status);
    } else if (WIFSIGNALED(wait_status)) {
        run.term_signal = WTERMSIG(wait_status);
    }
    const std::string err_text = read_file(out_dir / run.stderr_path);
    if (timed_out) {
        run.status = RunStatus::kFailed;
        run.error = "timed out after " + fixed(timeout_s, 1) + " s (killed)";
        return;
    }
    if (run.term_signal != 0) {
        run.status = interrupted ? RunStatus::kInterrupted : RunStatus::kFailed;
        run.error = std::string("killed by signal ") + std::to_string(run.term_signal) + " (" +
                    strsignal(run.term_signal) + ")";
        return;
    }
    if (run.exit_code == 130) {
        run.status = interrupted ? RunStatus::kInterrupted : RunStatus::kFailed;
        run.error = "interrupted (exit 130)";
        return;
    }
    if (run.exit_code != 0) {
        run.status = RunStatus::kFailed;
        const std::string reason = last_line(err_text);
        run.error = "exit code " + std::to_string(run.exit_code) +
                    (reason.empty() ? std::string() : ": " + reason);
        return;
    }
    try {
        run.kpis = read_summary_kpis(read_file(out_dir / run.summary_path));
        run.status = RunStatus::kOk;
    } catch (const JsonError& e) {
        run.status = RunStatus::kFailed;
        run.error = run.summary_path + ": bad summary JSON: " + e.what();
    }
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) {
        return s;
    }
    std::string out = "\"";
    for (const char c : s) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

// CSV number: full precision, empty for NaN
std::string csv_number(double v) {
    if (!std::isfinite(v)) {
        return {};
    }
    std::ostringstream s;
    s << std::setprecision(17) << v;
    return s.str();
}

}  // namespace

const char* to_string(RunStatus s) {
    switch (s) {
        case RunStatus::kOk:
            return "ok";
        case RunStatus::kFailed:
            return "failed";
        case RunStatus::kInterrupted:
            return "interrupted";
        case RunStatus::kNotRun:
            break;
    }
    return "not_run";
}

std::size_t BatchResult::count(RunStatus s) const {
    std::size_t n = 0;
    for (const BatchRun& r : runs) {
        n += r.status == s ? 1 : 0;
    }
    return n;
}

std::vector<std::pair<std::string, double>> read_summary_kpis(const std::string& json_text) {
    const Json doc = parse_json(json_text);
    if (!doc.is_object() || !doc.contains("kpis") || !doc["kpis"].is_object()) {
        throw JsonError("no \"kpis\" object");
    }
    return flatten_numbers(doc["kpis"]);
}

BatchResult run_batch(const BatchOptions& options, std::vector<BatchJob> jobs) {
    const std::string exe = options.executable.empty() ? self_executable() : options.executable;
    const std::size_t parallel = std::max<std::size_t>(1, options.parallel);
    BatchResult result;
    result.runs.resize(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        BatchRun& r = result.runs[i];
        r.job = std::move(jobs[i]);
        const fs::path rel = fs::path("runs") / r.job.id;
        r.summary_path = (rel / "summary.json").string();
        r.stderr_path = (rel / "stderr.txt").string();
        const bool trace =
            r.job.group < options.group_traces.size() && options.group_traces[r.job.group];
        if (trace) {
            r.trace_path = (rel / "trace.h5").string();
        }
    }

    const InterruptGuard guard;
    const Clock::time_point batch_start = Clock::now();
    std::vector<Running> running;
    std::size_t next = 0;
    std::size_t done = 0;
    bool forwarded = false;
    while (next < result.runs.size() || !running.empty()) {
        // launch while there is room (never after Ctrl-C)
        while (g_interrupted == 0 && next < result.runs.size() && running.size() < parallel) {
            BatchRun& r = result.runs[next];
            std::vector<std::string> args;
            if (options.checkpoint.empty()) {
                args = {"run",
                        options.scenario.string(),
                        "--json",
                        "-j",
                        std::to_string(options.threads_per_run),
                        "--seed",
                        std::to_string(r.job.seed)};
            } else {
                args = {"fork", options.checkpoint.string(), "--json", "-j",
                        std::to_string(options.threads_per_run)};
            }
            args.insert(args.end(), r.job.args.begin(), r.job.args.end());
            for (const std::string& o : options.base_overrides) {
                args.insert(args.end(), {"--set", o});
            }
            for (const std::string& o : r.job.overrides) {
                args.insert(args.end(), {"--set", o});
            }
            if (!r.trace_path.empty()) {
                args.insert(args.end(), {"-o", (options.out_dir / r.trace_path).string()});
                if (options.replace) {
                    args.emplace_back("--force");  // an earlier batch's trace (check_batch_dir)
                }
            }
            fs::create_directories((options.out_dir / r.summary_path).parent_path());
            Running run;
            run.index = next;
            run.start = Clock::now();
            run.pid =
                spawn(exe, args, options.out_dir / r.summary_path, options.out_dir / r.stderr_path);
            running.push_back(run);
            ++next;
        }
        if (g_interrupted != 0 && !forwarded) {
            // children in our process group got a terminal's Ctrl-C already; a SIGINT sent
            // to this process alone reaches them here (a second one is harmless)
            for (const Running& run : running) {
                kill(run.pid, SIGINT);
            }
            forwarded = true;
            result.interrupted = true;
        }
        // reap whatever finished
        bool reaped = false;
        for (std::size_t k = 0; k < running.size();) {
            Running& run = running[k];
            int status = 0;
            const pid_t got = waitpid(run.pid, &status, WNOHANG);
            const double elapsed = std::chrono::duration<double>(Clock::now() - run.start).count();
            if (got == 0) {
                if (options.timeout_s > 0.0 && elapsed > options.timeout_s && !run.timed_out) {
                    kill(run.pid, SIGKILL);
                    run.timed_out = true;
                }
                ++k;
                continue;
            }
            BatchRun& r = result.runs[run.index];
            r.wall_s = elapsed;
            if (got < 0) {
                r.status = RunStatus::kFailed;
                r.error = std::string("lost the run process: ") + std::strerror(errno);
            } else {
                finish(r, status, run.timed_out, options.timeout_s, g_interrupted != 0,
                       options.out_dir);
            }
            ++done;
            if (options.progress) {
                std::cerr << "[" << done << "/" << result.runs.size() << "] run " << r.job.id
                          << " (" << describe(r.job) << "): " << to_string(r.status);
                if (r.status == RunStatus::kOk) {
                    std::cerr << " in " << fixed(r.wall_s, 2) << " s";
                } else {
                    std::cerr << ": " << r.error;
                }
                // the batch's pace so far: elapsed and the time the remaining runs need
                const double batch_s =
                    std::chrono::duration<double>(Clock::now() - batch_start).count();
                const double share =
                    static_cast<double>(done) / static_cast<double>(result.runs.size());
                std::cerr << "; elapsed " << clock_text(batch_s) << ", ETA "
                          << clock_text(eta_seconds(share, batch_s)) << "\n";
            }
            running[k] = running.back();
            running.pop_back();
            reaped = true;
        }
        if (!reaped && !running.empty()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (g_interrupted != 0 && running.empty()) {
            break;  // the runs never launched stay not_run
        }
    }
    result.interrupted = result.interrupted || g_interrupted != 0;
    return result;
}

std::vector<KpiRow> aggregate(const BatchResult& result, std::size_t groups) {
    // the union of KPI keys in first-seen order
    std::vector<std::string> keys;
    std::map<std::string, std::size_t> key_index;
    for (const BatchRun& r : result.runs) {
        for (const auto& [k, v] : r.kpis) {
            if (key_index.emplace(k, keys.size()).second) {
                keys.push_back(k);
            }
        }
    }
    std::vector<KpiRow> rows;
    for (std::size_t g = 0; g < groups; ++g) {
        std::vector<std::vector<double>> values(keys.size());
        std::size_t failed = 0;
        for (const BatchRun& r : result.runs) {
            if (r.job.group != g) {
                continue;
            }
            if (r.status == RunStatus::kFailed || r.status == RunStatus::kInterrupted) {
                ++failed;
            }
            if (r.status != RunStatus::kOk) {
                continue;
            }
            for (const auto& [k, v] : r.kpis) {
                values[key_index.at(k)].push_back(v);
            }
        }
        for (std::size_t k = 0; k < keys.size(); ++k) {
            rows.push_back({g, keys[k], sample_stats(values[k]), failed});
        }
    }
    return rows;
}

const std::vector<std::string>& headline_kpis() {
    static const std::vector<std::string> kpis = {"on_time_in_full_pct",
                                                  "service_level",
                                                  "failed",
                                                  "time_to_recover_s",
                                                  "cost",
                                                  "price_of_decentralization",
                                                  "price_vs_oracle",
                                                  "decision_latency_mean_s",
                                                  "breakdowns",
                                                  "wear_breakdowns"};
    return kpis;
}

std::vector<KpiRow> table_rows(const std::vector<KpiRow>& rows, bool all) {
    const std::vector<std::string>& head = headline_kpis();
    const auto rank = [&](const KpiRow& r) {
        const auto it = std::find(head.begin(), head.end(), r.kpi);
        return static_cast<std::size_t>(it - head.begin());  // head.size(): not a headline
    };
    std::vector<KpiRow> out;
    for (const KpiRow& r : rows) {
        if (all || rank(r) < head.size()) {
            out.push_back(r);
        }
    }
    std::stable_sort(out.begin(), out.end(), [&](const KpiRow& a, const KpiRow& b) {
        if (a.group != b.group) {
            return a.group < b.group;
        }
        return rank(a) < rank(b);
    });
    return out;
}

std::string text_hash(const std::string& text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return hex(h);
}

void write_batch_outputs(const fs::path& out_dir, const BatchReport& report,
                         const BatchOptions& options, const BatchResult& result,
                         const std::vector<KpiRow>& rows) {
    // manifest.json: enough to redo every run by hand
    {
        const fs::path path = out_dir / "manifest.json";
        std::ostringstream out;
        out << "{\n"
            << "  \"command\": " << cli::quoted(report.command) << ",\n"
            << "  \"swarmsim_version\": " << cli::quoted(kVersionText) << ",\n"
            << "  \"scenario\": {\"path\": " << cli::quoted(report.scenario.string())
            << ", \"resolved_hash\": " << cli::quoted(report.scenario_hash) << "},\n"
            << "  \"base_overrides\": [";
        for (std::size_t i = 0; i < options.base_overrides.size(); ++i) {
            out << (i > 0 ? ", " : "") << cli::quoted(options.base_overrides[i]);
        }
        out << "],\n"
            << "  \"base_seed\": " << report.base_seed << ",\n"
            << "  \"repeat\": " << report.repeat << ",\n"
            << "  \"parallel\": " << options.parallel << ",\n";
        if (options.ranks > 1) {
            out << "  \"ranks\": " << options.ranks << ",\n";  // parallel is per rank
        }
        out << "  \"threads_per_run\": " << options.threads_per_run << ",\n"
            << "  \"status\": "
            << cli::quoted(result.interrupted                     ? "interrupted"
                           : result.count(RunStatus::kFailed) > 0 ? "failed"
                                                                  : "ok")
            << ",\n"
            << "  \"runs_ok\": " << result.count(RunStatus::kOk) << ",\n"
            << "  \"runs_failed\": " << result.count(RunStatus::kFailed) << ",\n"
            << "  \"groups\": [\n";
        for (std::size_t g = 0; g < report.groups.size(); ++g) {
            out << "    {\"group\": " << g << ", \"resolved_hash\": "
                << cli::quoted(g < report.group_hashes.size() ? report.group_hashes[g] : "")
                << ", \"labels\": {";
            for (std::size_t i = 0; i < report.groups[g].size(); ++i) {
                out << (i > 0 ? ", " : "") << cli::quoted(report.groups[g][i].first) << ": "
                    << cli::quoted(report.groups[g][i].second);
            }
            out << "}}" << (g + 1 < report.groups.size() ? "," : "") << "\n";
        }
        out << "  ],\n  \"runs\": [\n";
        for (std::size_t i = 0; i < result.runs.size(); ++i) {
            const BatchRun& r = result.runs[i];
            out << "    {\"id\": " << cli::quoted(r.job.id) << ", \"group\": " << r.job.group
                << ", \"overrides\": [";
            for (std::size_t k = 0; k < r.job.overrides.size(); ++k) {
                out << (k > 0 ? ", " : "") << cli::quoted(r.job.overrides[k]);
            }
            out << "], \"seed\": " << r.job.seed
                << ", \"status\": " << cli::quoted(to_string(r.status)) << ", \"exit_code\": ";
            if (r.exit_code >= 0) {
                out << r.exit_code;
            } else {
                out << "null";
            }
            out << ", \"signal\": " << r.term_signal << ", \"error\": " << cli::quoted(r.error)
                << ", \"wall_seconds\": " << number(r.wall_s)
                << ", \"summary\": " << cli::quoted(r.summary_path)
                << ", \"stderr\": " << cli::quoted(r.stderr_path) << ", \"trace\": "
                << (r.trace_path.empty() ? std::string("null") : cli::quoted(r.trace_path)) << "}"
                << (i + 1 < result.runs.size() ? "," : "") << "\n";
        }
        out << "  ]\n}\n";
        io::write_file_safely(path.string(), out.str(), options.replace);
    }
    // summary.csv: one row per group x KPI
    {
        const fs::path path = out_dir / "summary.csv";
        std::ostringstream out;
        for (const std::string& c : report.columns) {
            out << csv_field(c) << ",";
        }
        out << "kpi,mean,std,ci95_low,ci95_high,n,failed\n";
        for (const KpiRow& row : rows) {
            for (const auto& [column, value] : report.groups[row.group]) {
                out << csv_field(value) << ",";
            }
            out << csv_field(row.kpi) << "," << csv_number(row.stats.mean) << ","
                << csv_number(row.stats.stddev) << "," << csv_number(row.stats.ci95_low) << ","
                << csv_number(row.stats.ci95_high) << "," << row.stats.n << "," << row.failed
                << "\n";
        }
        io::write_file_safely(path.string(), out.str(), options.replace);
    }
}

void check_batch_dir(const fs::path& out_dir, bool replace) {
    std::error_code ec;
    // the directory itself may be reached through a link (nothing replaces it)
    const fs::file_status st = fs::status(out_dir, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
        throw io::OutputError(out_dir.string(), "cannot check the directory: " + ec.message());
    }
    if (!fs::exists(st)) {
        return;  // created by the batch
    }
    if (!fs::is_directory(st)) {
        throw io::OutputError(out_dir.string(), "is not a directory (--out-dir)");
    }
    const bool earlier = fs::exists(fs::symlink_status(out_dir / "manifest.json", ec)) ||
                         fs::exists(fs::symlink_status(out_dir / "runs", ec));
    if (earlier && !replace) {
        throw io::OutputError(out_dir.string(),
                              "holds an earlier batch's outputs (manifest.json, runs/): not "
                              "overwritten (pass --force to replace them)");
    }
    // a device or link under an output name is refused even with --force
    for (const char* name : {"manifest.json", "summary.csv", "compare.json"}) {
        io::check_output_path((out_dir / name).string(), true);
    }
    if (fs::exists(fs::symlink_status(out_dir / "runs", ec)) &&
        !fs::is_directory(fs::symlink_status(out_dir / "runs", ec))) {
        throw io::OutputError((out_dir / "runs").string(), "is not a directory");
    }
}

void write_rows_json(std::ostream& out, const BatchReport& report,
                     const std::vector<KpiRow>& rows) {
    out << "[\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const KpiRow& row = rows[i];
        out << "  {";
        for (const auto& [column, value] : report.groups[row.group]) {
            out << cli::quoted(column) << ": " << cli::quoted(value) << ", ";
        }
        out << "\"kpi\": " << cli::quoted(row.kpi) << ", \"mean\": " << number(row.stats.mean)
            << ", \"std\": " << number(row.stats.stddev)
            << ", \"ci95_low\": " << number(row.stats.ci95_low)
            << ", \"ci95_high\": " << number(row.stats.ci95_high) << ", \"n\": " << row.stats.n
            << ", \"failed\": " << row.failed << "}" << (i + 1 < rows.size() ? "," : "") << "\n";
    }
    out << "]\n";
}

}  // namespace swarm::cli
