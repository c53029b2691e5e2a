// `swarmsim run SCENARIO` and `swarmsim fork CHECKPOINT`: a fleet run with a KPI summary.
#include "cli/run_command.hpp"

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
#include <thread>
#include <vector>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_run.hpp"
#include "agents/fleet/kpi_observer.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/progress.hpp"
#include "cli/ranks.hpp"
#include "cli/run_checkpoints.hpp"
#include "cli/scenario_options.hpp"
#include "cli/validators.hpp"
#include "io/checkpoint/checkpoint_file.hpp"
#include "io/output/output_file.hpp"
#include "io/output/run_tables.hpp"
#include "io/scenario/run_options.hpp"
#include "io/scenario/scenario.hpp"
#include "io/scenario/scenario_fork.hpp"
#include "io/trace/fleet_learning_source.hpp"
#include "io/trace/trace_observer.hpp"
#include "io/trace/trace_writer.hpp"
#include "sim/engine.hpp"

namespace swarm::cli {

namespace {

// the engine a Ctrl-C (or SIGTERM, SIGHUP) stops at its next barrier; set only while a run
// is under way; g_signal: the first such signal since the handlers were installed
std::atomic<sim::Engine*> g_running{nullptr};
std::atomic<int> g_signal{0};
static_assert(std::atomic<sim::Engine*>::is_always_lock_free, "read from a signal handler");
static_assert(std::atomic<int>::is_always_lock_free, "written by a signal handler");

extern "C" void on_run_interrupt(int signal) {
    int none = 0;
    g_signal.compare_exchange_strong(none, signal);
    sim::Engine* engine = g_running.load();
    if (engine != nullptr) {
        engine->request_stop();
    }
}

// SIGINT, SIGTERM (a scheduler's or container's stop) and SIGHUP (a closed terminal) stop
// the run cleanly while installed: the trace is closed and marked interrupted
class StopSignals {
  public:
    StopSignals() {
        g_signal.store(0);
        struct sigaction sa {};
        sa.sa_handler = on_run_interrupt;
        sigemptyset(&sa.sa_mask);
        for (std::size_t i = 0; i < kSignals.size(); ++i) {
            sigaction(kSignals[i], &sa, &previous_[i]);
        }
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
    ~StopSignals() {
        for (std::size_t i = 0; i < kSignals.size(); ++i) {
            sigaction(kSignals[i], &previous_[i], nullptr);
        }
    }

  private:
    static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
    std::array<struct sigaction, 3> previous_{};
};

// Progress on stderr: on a terminal a bar with elapsed time and ETA, redrawn in place; else
// (a log, a pipe, a batch's run) a plain line every `interval_s` of wall time (0: none)
class Progress {
  public:
    Progress(double end_s, double interval_s)
        : end_s_(end_s), interval_s_(interval_s), tty_(isatty(STDERR_FILENO) != 0) {}

    void update(const sim::Engine& engine, double now_s) {
        const auto wall = std::chrono::steady_clock::now();
        const double since = std::chrono::duration<double>(wall - last_).count();
        // a terminal gets the bar at once (a short run shows it too), then 4 times a second
        if (tty_ ? (shown_ && since < 0.25) : (interval_s_ <= 0.0 || since < interval_s_)) {
            return;
        }
        const std::uint64_t events = engine.events_processed();
        ProgressState p;
        p.sim_s = now_s;
        p.end_s = end_s_;
        p.elapsed_s = std::chrono::duration<double>(wall - start_).count();
        p.events_per_s = since > 0.0 ? static_cast<double>(events - last_events_) / since : 0.0;
        last_ = wall;
        last_events_ = events;
        if (tty_) {
            // \r and clear to the end of the line: the bar is redrawn in place
            std::fprintf(stderr, "\r%s\x1b[K", progress_bar(p).c_str());
        } else {
            std::fprintf(stderr, "%s\n", progress_line(p).c_str());
        }
        std::fflush(stderr);
        shown_ = true;
    }
    void done() const {
        if (tty_ && shown_) {
            std::fputs("\r\x1b[K", stderr);  // the summary follows on a clean line
        }
    }

  private:
    double end_s_;
    double interval_s_;
    bool tty_;
    bool shown_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_ = start_;
    std::uint64_t last_events_ = 0;
};

struct RunReport {
    sim::RunStats stats;
    double setup_s = 0.0;
    double simulated_s = 0.0;
    std::size_t threads = 0;
    std::size_t partitions = 0;
    std::uint32_t lps = 0;
    std::uint64_t seed = 0;
    std::uint64_t event_hash = 0;
    bool interrupted = false;
    int signal = 0;  // the signal that stopped the run
    // the trace: "" (none), "complete", "interrupted" or "incomplete" (trace_error says why)
    std::string trace_path;
    std::string trace_status;
    std::string trace_error;
    agents::FleetKpis kpis;
    std::vector<agents::LeadingSample> timeline;
    std::vector<std::pair<std::string, double>> checkpoints;  // written: path, time
    bool checkpoint_failed = false;
    std::string forked_from;  // fork: the checkpoint continued
    double fork_s = 0.0;
};

// the stats of a run made of several run() calls (checkpoints cut it)
void add_stats(sim::RunStats& total, const sim::RunStats& part) {
    total.reason = part.reason;
    total.events += part.events;
    total.cancelled += part.cancelled;
    total.windows += part.windows;
    total.parallel_windows += part.parallel_windows;
    total.wall_seconds += part.wall_seconds;
    total.barrier_seconds += part.barrier_seconds;
    total.observer_seconds += part.observer_seconds;
}

double events_per_second(const RunReport& r) {
    return r.stats.wall_seconds > 0.0 ? static_cast<double>(r.stats.events) / r.stats.wall_seconds
                                      : 0.0;
}

void print_human(std::ostream& out, const RunOptions& o, const io::Scenario& s,
                 const RunReport& r) {
    out << "swarmsim " << (o.resume.empty() ? "run " + o.file : "fork " + o.resume) << ": policy "
        << s.spec.allocation.policy << ", seed " << r.seed << ", " << r.threads
        << (r.threads == 1 ? " thread" : " threads") << "; " << grouped(s.spec.vehicle_count())
        << " vehicles, " << s.spec.depot_count() << " depots, " << grouped(s.network->node_count())
        << "-node network\n";
    print_speed_profile(out, s.spec.speed_profile);
    if (r.interrupted) {
        out << "  (interrupted: partial results)\n";
    }
    if (!r.forked_from.empty()) {
        out << "  (forked at " << number(r.fork_s) << " s: the KPIs are the whole run's)\n";
    }
    out << "run\n"
        << "  simulated      " << fixed(r.simulated_s, 0) << " s\n"
        << "  events         " << grouped(r.stats.events) << "\n"
        << "  windows        " << grouped(r.stats.windows) << "\n"
        << "  setup time     " << fixed(r.setup_s, 3) << " s\n"
        << "  wall time      " << fixed(r.stats.wall_seconds, 3) << " s\n"
        << "  events/s       " << grouped(static_cast<std::uint64_t>(events_per_second(r))) << "\n"
        << "  threads        " << r.threads << " (" << r.partitions << " partitions, " << r.lps
        << " LPs)\n"
        << "  stop reason    " << sim::to_string(r.stats.reason) << "\n";
    // what was written: the trace, or that there is none
    if (!r.trace_status.empty()) {
        out << "  trace          " << r.trace_path << " (" << r.trace_status << ")\n";
    } else {
        out << "  trace          none (-o FILE.h5 writes one; --json prints this as JSON)\n";
    }
    for (const auto& [path, t] : r.checkpoints) {
        out << "  checkpoint     " << path << " (at " << number(t) << " s)\n";
    }
    out << "  event hash     " << hex(r.event_hash) << "\n"
        << "  KPI hash       " << hex(r.kpis.hash) << "\n";
    if (!s.snapped.empty()) {
        out << "positions (snapped to the nearest node)\n";
        print_snapped(out, s);
    }
    out << "KPIs\n";
    r.kpis.summary.print(out);
}

void print_json(std::ostream& out, const RunOptions& o, const io::Scenario& s, const RunReport& r) {
    out << "{\n"
        << R"(  "command": )" << (o.resume.empty() ? R"("run")" : R"("fork")") << ",\n"
        << R"(  "scenario": )" << cli::quoted(o.file) << ",\n";
    if (!r.forked_from.empty()) {
        out << R"(  "forked_from": {"checkpoint": )" << cli::quoted(r.forked_from) << R"(, "t_s": )"
            << number(r.fork_s) << "},\n";
    }
    out << R"(  "checkpoints": [)";
    for (std::size_t i = 0; i < r.checkpoints.size(); ++i) {
        out << (i > 0 ? ", " : "") << R"({"path": )" << cli::quoted(r.checkpoints[i].first)
            << R"(, "t_s": )" << number(r.checkpoints[i].second) << "}";
    }
    out << "],\n"
        << R"(  "run": {"policy": )" << cli::quoted(s.spec.allocation.policy) << R"(, "seed": )"
        << r.seed << R"(, "vehicles": )" << s.spec.vehicle_count() << R"(, "depots": )"
        << s.spec.depot_count() << R"(, "nodes": )" << s.network->node_count() << R"(, "lps": )"
        << r.lps << R"(, "simulated_s": )" << number(r.simulated_s) << R"(, "events": )"
        << r.stats.events << R"(, "windows": )" << r.stats.windows << R"(, "stop_reason": )"
        << cli::quoted(sim::to_string(r.stats.reason)) << R"(, "interrupted": )"
        << (r.interrupted ? "true" : "false");
    if (!r.trace_status.empty()) {
        out << R"(, "trace": {"path": )" << cli::quoted(r.trace_path) << R"(, "status": )"
            << cli::quoted(r.trace_status) << R"(, "error": )"
            << (r.trace_error.empty() ? std::string("null") : cli::quoted(r.trace_error)) << "}";
    }
    out
        // strings: 64-bit integers do not survive JSON readers that use doubles
        << R"(, "event_hash": )" << cli::quoted(hex(r.event_hash)) << R"(, "kpi_hash": )"
        << cli::quoted(hex(r.kpis.hash))
        << "},\n"
        // everything that depends on the machine or the thread count
        << R"(  "host": {"threads": )" << r.threads << R"(, "partitions": )" << r.partitions
        << R"(, "setup_seconds": )" << number(r.setup_s) << R"(, "wall_seconds": )"
        << number(r.stats.wall_seconds) << R"(, "events_per_second": )"
        << number(events_per_second(r)) << "},\n"
        << R"(  "snapped": [)";
    for (std::size_t i = 0; i < s.snapped.size(); ++i) {
        const io::SnappedPoint& p = s.snapped[i];
        out << (i > 0 ? ", " : "") << R"({"what": )" << cli::quoted(p.what);
        if (p.geographic) {
            out << R"(, "lat": )" << number(p.lat) << R"(, "lon": )" << number(p.lon);
        }
        out << R"(, "x": )" << number(p.point.x) << R"(, "y": )" << number(p.point.y)
            << R"(, "node": )" << p.node << R"(, "distance_m": )" << number(p.distance_m) << "}";
    }
    out << "],\n"
        << R"(  "kpis": )";
    r.kpis.summary.to_json(out);
    // Q(k) over the complete KPI intervals and the leading indicators at every sample: the
    // curves behind the summary's figures
    const agents::KpiSeries& series = r.kpis.series;
    const std::size_t n = r.kpis.summary.intervals;
    const auto list = [&](const char* key, std::size_t count, const auto& value, bool last) {
        out << "    \"" << key << "\": [";
        for (std::size_t i = 0; i < count; ++i) {
            out << (i > 0 ? ", " : "") << value(i);
        }
        out << (last ? "]\n" : "],\n");
    };
    out << R"(  , "series": {"interval_s": )" << number(r.kpis.summary.interval_s) << ",\n";
    list(
        "service_level", n, [&](std::size_t k) { return number(series.service_level(k)); }, false);
    list(
        "served", n, [&](std::size_t k) { return series.service_counts(k).served; }, false);
    list(
        "lost", n, [&](std::size_t k) { return series.service_counts(k).lost; }, false);
    list(
        "lapsed", n, [&](std::size_t k) { return series.service_counts(k).lapsed; }, true);
    out << "  },\n";
    const std::vector<agents::LeadingSample>& tl = r.timeline;
    out << R"(  "timeline": {)"
        << "\n";
    list(
        "t_s", tl.size(), [&](std::size_t i) { return number(s.spec.time.to_seconds(tl[i].t)); },
        false);
    list(
        "backlog", tl.size(), [&](std::size_t i) { return tl[i].backlog; }, false);
    list(
        "unassigned", tl.size(), [&](std::size_t i) { return tl[i].unassigned; }, false);
    list(
        "oldest_unassigned_age_s", tl.size(),
        [&](std::size_t i) { return number(tl[i].oldest_unassigned_age_s); }, false);
    list(
        "at_risk", tl.size(), [&](std::size_t i) { return tl[i].at_risk; }, false);
    list(
        "overdue", tl.size(), [&](std::size_t i) { return tl[i].overdue; }, true);
    out << "  }\n}\n";
}

// a sampling interval in ticks: a warning when the tick grid changes it, an error (nullopt)
// when it is below one tick
std::optional<sim::Tick> sample_ticks(const std::string& file, const char* key, double seconds,
                                      const sim::TimeScale& scale) {
    const sim::Tick ticks = scale.from_seconds(seconds);
    if (ticks <= 0) {
        std::cerr << file << ": error: " << key << " = " << number(seconds)
                  << " s is shorter than one tick (run.tick_us)\n";
        return std::nullopt;
    }
    if (scale.to_seconds(ticks) != seconds) {
        std::cerr << file << ": warning: " << key << " = " << number(seconds)
                  << " s is not a whole number of ticks: sampling every "
                  << number(scale.to_seconds(ticks)) << " s\n";
    }
    return ticks;
}

// a device, directory, link or an existing file (without --force) is refused before the run:
// false after saying why
bool trace_path_usable(const std::string& path, bool force) {
    try {
        io::check_output_path(path, force);
        return true;
    } catch (const io::OutputError& e) {
        if (launched_rank() == 0) {  // once under mpirun
            std::cerr << "swarmsim run: error: " << e.what() << "\n";
        }
        return false;
    }
}

// --orders-out and --vehicles-out: the same rules as the trace (-o), checked before the run,
// and no two outputs at one path
bool table_paths_usable(const RunOptions& o) {
    const std::array<std::pair<const char*, const std::string*>, 3> outputs = {
        {{"-o", &o.trace}, {"--orders-out", &o.orders_out}, {"--vehicles-out", &o.vehicles_out}}};
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        for (std::size_t j = i + 1; j < outputs.size(); ++j) {
            if (!outputs[i].second->empty() && *outputs[i].second == *outputs[j].second) {
                std::cerr << "swarmsim run: error: " << outputs[i].first << " and "
                          << outputs[j].first << " name the same file '" << *outputs[i].second
                          << "'\n";
                return false;
            }
        }
    }
    return (o.orders_out.empty() || trace_path_usable(o.orders_out, o.force)) &&
           (o.vehicles_out.empty() || trace_path_usable(o.vehicles_out, o.force));
}

// writes the tables asked for (io/output/run_tables.hpp); false after saying what failed
bool write_run_tables(const RunOptions& o, const io::Scenario& s, const agents::FleetModel& model,
                      sim::Tick end) {
    io::RunTableNames names;
    names.depots = s.depot_ids;
    names.types = s.type_ids;
    names.order_refs = s.order_refs;
    names.vehicles = s.vehicle_names;
    std::optional<io::GeoProjection> geo;
    if (s.network_settings.origin) {
        geo.emplace(*s.network_settings.origin);
        names.lat_lon = [&geo](world::Point p) { return geo->to_lat_lon(p); };
    }
    bool ok = true;
    const auto write = [&](const std::string& path, const std::string& content) {
        try {
            io::write_file_safely(path, content, o.force);
        } catch (const io::OutputError& e) {
            std::cerr << "swarmsim run: error: " << e.what() << "\n";
            ok = false;
        }
    };
    if (!o.orders_out.empty()) {
        write(o.orders_out, io::orders_csv(model, names, end));
    }
    if (!o.vehicles_out.empty()) {
        write(o.vehicles_out, io::vehicles_csv(model, names, end));
    }
    return ok;
}

}  // namespace

namespace {

// Under mpirun -np N > 1, before MPI starts: why this run cannot run across the ranks ("" when
// it can, and always without a launcher).
std::string refuse_across_ranks(const RunOptions& o, const std::vector<double>& checkpoint_at) {
    if (launched_size() == 1) {
        return {};
    }
    if (!o.resume.empty()) {
        return "a fork does not run across ranks yet";
    }
    if (!checkpoint_at.empty()) {
        return "checkpoints of a run across ranks are not supported yet";
    }
    return {};  // every scenario setting runs across ranks
}

// Across ranks, one line on rank 0's stderr: the kernel messages that crossed ranks and the
// state records the ranks sent each other at barriers (a collective: every rank calls it).
void report_ranks(agents::FleetRun& run, const Ranks& ranks) {
    sim::Engine& engine = run.engine();
    const RankTraffic t = Ranks::traffic(engine.exchange());
    const agents::FleetModel::ReplicaStats& rs = run.model().replica_stats();
    const auto micros = [](double seconds) { return static_cast<std::uint64_t>(seconds * 1e6); };
    std::array<std::uint64_t, 10> v = {
        t.events,           engine.messages_sent(), t.event_bytes,        rs.vehicle_records,
        rs.depot_records,   t.state_bytes,          micros(t.exchange_s), micros(t.gather_s),
        micros(t.reduce_s), rs.dispatcher_records};
    engine.exchange().sum(v);
    if (ranks.rank() != 0) {
        return;
    }
    const auto share = [](std::uint64_t part, std::uint64_t whole) {
        return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
    };
    const auto mib = [](std::uint64_t bytes) { return static_cast<double>(bytes) / 1048576.0; };
    const std::uint64_t lps = engine.config().lp_count;
    const std::uint64_t records = v[3] + v[4] + v[9];
    // the dispatcher's records, with the cloud and oracle protocols only
    const std::string dispatcher =
        v[9] == 0 ? std::string() : ", " + grouped(v[9]) + " dispatcher states";
    std::fprintf(stderr,
                 "swarmsim run: across %d ranks: %s of %s messages crossed ranks (%.1f%%, "
                 "%.2f MiB); state records: %s at %s barriers (%.2f%% of the %s LP states, "
                 "%s vehicle rows, %s depot states%s), %.2f MiB sent; seconds summed over "
                 "ranks: exchange %.2f, state gathers %.2f, reductions %.2f\n",
                 ranks.size(), grouped(v[0]).c_str(), grouped(v[1]).c_str(), share(v[0], v[1]),
                 mib(v[2]), grouped(records).c_str(), grouped(rs.syncs).c_str(),
                 share(records, rs.syncs * lps), grouped(lps).c_str(), grouped(v[3]).c_str(),
                 grouped(v[4]).c_str(), dispatcher.c_str(), mib(v[5]),
                 static_cast<double>(v[6]) / 1e6, static_cast<double>(v[7]) / 1e6,
                 static_cast<double>(v[8]) / 1e6);
}

}  // namespace

int run_scenario(const RunOptions& options) {
    RunOptions o = options;  // a fork's scenario file is its checkpoint's
    const auto t0 = std::chrono::steady_clock::now();
    if (!o.trace.empty() && !trace_path_usable(o.trace, o.force)) {
        return kExitIo;
    }
    if (!table_paths_usable(o)) {
        return kExitIo;
    }
    io::ScenarioOptions so = scenario_options(o.overrides, o.seed, o.threads);
    for (const auto& [option, values] : {std::pair{"--close", &o.close}, {"--slow", &o.slow}}) {
        for (const std::string& v : *values) {
            try {
                so.road_flags.push_back(io::parse_road_flag(option, v));
            } catch (const std::invalid_argument& e) {
                std::cerr << "swarmsim run: error: " << option << " '" << v << "': " << e.what()
                          << "\n";
                return kExitUsage;
            }
        }
    }
    // a fork: the scenario is the checkpoint's, with this command's changes on top
    ForkSource fork;
    if (!o.resume.empty()) {
        if (const int code = read_fork_source("fork", o.resume, fork); code != kExitOk) {
            return code;
        }
        o.file = fork.scenario_file;
    }
    const std::string scenario_file = o.file;
    const std::string scenario_name =
        o.resume.empty() ? std::filesystem::path(o.file).stem().string() : fork.scenario_name;
    io::Scenario s;
    try {
        s = o.resume.empty() ? io::load_scenario(o.file, so)
                             : io::parse_scenario(fork.scenario_text, fork.scenario_file, so);
    } catch (const io::ScenarioError& e) {
        std::cerr << e.what() << "\n";
        // a --close/--slow naming no road of the map is a bad flag value
        const bool flag = e.file().rfind("--close ", 0) == 0 || e.file().rfind("--slow ", 0) == 0;
        return e.io() ? kExitIo : flag ? kExitUsage : kExitInvalidInput;
    }
    for (const std::string& w : s.warnings) {
        if (launched_rank() == 0) {  // once under mpirun
            std::cerr << w << "\n";
        }
    }
    if (!o.resume.empty()) {
        const std::vector<std::string> problems =
            io::fork_problems(fork.scenario_text, s.resolved_toml, fork.time_s);
        for (const std::string& p : problems) {
            std::cerr << o.resume << ": error: " << p << "\n";
        }
        if (!problems.empty()) {
            return kExitInvalidInput;
        }
    }
    // checkpoint times: after the start, before the end, each file new (or --force)
    const double end_s = o.until_s ? std::min(*o.until_s, s.run.duration_s) : s.run.duration_s;
    std::vector<double> checkpoint_at = o.checkpoint_at;
    std::sort(checkpoint_at.begin(), checkpoint_at.end());
    checkpoint_at.erase(std::unique(checkpoint_at.begin(), checkpoint_at.end()),
                        checkpoint_at.end());
    for (const double t : checkpoint_at) {
        if (t <= fork.time_s || t >= end_s) {
            std::cerr << "swarmsim run: error: --checkpoint-at " << number(t)
                      << ": not inside the run (" << number(fork.time_s) << " s to "
                      << number(end_s) << " s)\n";
            return kExitUsage;
        }
        const std::string path = checkpoint_path(o.checkpoint_dir, scenario_name, s.run.seed, t);
        std::error_code ec;
        if (!std::filesystem::is_directory(o.checkpoint_dir, ec)) {
            std::cerr << "swarmsim run: error: --checkpoint-dir " << o.checkpoint_dir
                      << ": not a directory\n";
            return kExitIo;
        }
        if (std::filesystem::exists(path, ec) && !o.force) {
            std::cerr << "swarmsim run: error: " << path << " exists (--force replaces it)\n";
            return kExitIo;
        }
    }
    const std::string trace_path = !o.trace.empty() ? o.trace : s.output.trace;
    if (!trace_path.empty() && (!s.output.positions || !s.output.kpis)) {
        std::cerr << o.file << ": error: output.positions and output.kpis cannot be turned off "
                  << "yet: every trace records both\n";
        return kExitInvalidInput;
    }
    if (!trace_path.empty() && !trace_path_usable(trace_path, o.force)) {
        return kExitIo;  // output.trace (-o was checked before the network was built)
    }

    // under mpirun -np N: what a run across ranks cannot do yet is refused before MPI starts
    if (const std::string why = refuse_across_ranks(o, checkpoint_at); !why.empty()) {
        if (launched_rank() == 0) {
            std::cerr << "swarmsim run: error: started as one of " << launched_size()
                      << " MPI ranks, but " << why
                      << " (docs/distributed.md). Run it without mpirun, or with -np 1.\n";
        }
        return kExitUsage;
    }
    const Ranks& ranks = Ranks::world();
    const bool rank0 = ranks.rank() == 0;

    // KPI samples and trace frames on grids of their own from t = 0, and both once more at
    // the end (engine.sample_now() below)
    const std::optional<sim::Tick> interval =
        sample_ticks(o.file, "run.sample_interval_s", s.run.sample_interval_s, s.spec.time);
    const std::optional<sim::Tick> frame_interval =
        trace_path.empty() ? interval
                           : sample_ticks(o.file, "output.sample_interval_s",
                                          s.output.sample_interval_s, s.spec.time);
    if (!interval || !frame_interval) {
        return kExitInvalidInput;
    }
    // routers, model, kernel and the KPI observer on the KPI grid; the model attached before
    // the trace, whose frames at an instant follow the model's barrier actions there
    agents::FleetRunOptions ro = io::fleet_run_options(s);
    ro.sample_first = 0;
    ro.sample_interval = *interval;
    if (ranks.size() > 1) {
        // each rank runs `threads` partitions of the run's LPs on a replicated world
        const std::size_t threads =
            ro.threads != 0 ? ro.threads : std::max(1U, std::thread::hardware_concurrency());
        ro.partitions = threads * static_cast<std::size_t>(ranks.size());
        ro.exchange = ranks.exchange();
    }
    agents::FleetRun run(s.spec, ro);
    if (o.resume.empty()) {
        run.start();
    } else {
        try {
            run.resume(fork.state);
        } catch (const sim::CheckpointError& e) {
            std::cerr << "swarmsim fork: error: " << o.resume << ": " << e.what() << "\n";
            return kExitInvalidInput;
        }
        fork.state = {};  // the run holds it now
    }
    agents::FleetModel& model = run.model();
    sim::Engine& engine = run.engine();

    // from here on a stop signal ends the run cleanly (the trace's temporary file exists)
    const StopSignals stop_signals;
    // the trace: one writer thread behind a bounded queue, fed at sample times
    std::unique_ptr<io::TraceWriter> writer;
    std::unique_ptr<io::TraceObserver> tracer;
    std::unique_ptr<io::FleetLearningSource> learned;
    std::unique_ptr<io::TraceFollower> follower;
    if (!trace_path.empty() && !rank0) {
        // across ranks rank 0 writes; the others sync and follow the changes at its frames
        follower = std::make_unique<io::TraceFollower>(model);
        run.add_observer(*follower,
                         (engine.now() + *frame_interval - 1) / *frame_interval * *frame_interval,
                         *frame_interval);
    } else if (!trace_path.empty()) {
        io::TraceHeader header =
            io::TraceObserver::header_for(model, s.spec.time.to_seconds(*frame_interval));
        header.scenario_text = s.resolved_toml;
        header.scenario_name = scenario_name;
        header.seed = s.run.seed;
        header.threads = s.run.threads;
        header.ranks = static_cast<std::uint64_t>(ranks.size());
        header.agent_values = io::FleetLearningSource::names(s.spec);
        if (!o.resume.empty()) {
            header.forked_from = o.resume;
            header.fork_time_s = fork.time_s;
        }
        const std::vector<std::string> header_values = header.agent_values;
        io::TraceObserverOptions to;
        to.order_events = s.output.events;
        io::TraceOptions wo;
        wo.replace = o.force;
        // test hook (tests/cli/run_output_test.sh): the n-th chunk write fails as on a full disk
        if (const char* n = std::getenv("SWARMSIM_TEST_FAIL_TRACE_CHUNK"); n != nullptr) {
            wo.fail_chunk_write = std::strtoull(n, nullptr, 10);
        }
        try {
            writer = std::make_unique<io::TraceWriter>(trace_path, std::move(header), wo);
        } catch (const io::TraceError& e) {
            std::cerr << "swarmsim run: error: " << e.what() << "\n";
            return kExitIo;
        }
        tracer = std::make_unique<io::TraceObserver>(model, *writer, to);
        if (!header_values.empty()) {
            // what the vehicles learn: per-agent values and model transfers
            learned = std::make_unique<io::FleetLearningSource>(model);
            tracer->add_value_source(*learned);
            tracer->add_link_source(*learned);
        }
        // a fork's frames fall on the grid of the run it continues (from 0), so that they are
        // that run's frames from the checkpoint on
        const sim::Tick first =
            (engine.now() + *frame_interval - 1) / *frame_interval * *frame_interval;
        if (!o.resume.empty()) {
            // the rows of the run it continues from the checkpoint on: what came before (up
            // to that run's frame before `first`) counts as written
            const sim::Tick previous = first >= *frame_interval ? first - *frame_interval : 0;
            tracer->resume(previous);
        }
        run.add_observer(*tracer, first, *frame_interval);
    }
    RunReport r;
    r.seed = s.run.seed;
    r.forked_from = o.resume;
    r.fork_s = fork.time_s;
    r.threads = s.run.threads == 0 ? run.executor().concurrency() : s.run.threads;
    r.partitions = engine.partitions();
    r.lps = engine.config().lp_count;
    sim::RunLimits limits;
    limits.until = s.spec.time.from_seconds(end_s);
    Progress progress(end_s, o.progress_interval_s);
    bool warned = false;
    limits.stop_when = [&](const sim::Engine& e) {
        if (!rank0) {
            return false;  // across ranks only the stop the engine agreed on counts
        }
        progress.update(e, s.spec.time.to_seconds(e.now()));
        if (writer && !warned && writer->failed()) {
            std::cerr << "swarmsim run: warning: writing the trace '" << trace_path
                      << "' failed; the run goes on without it (the error and the KPI summary "
                         "follow at the end)\n";
            warned = true;
        }
        // a stop signal before the run had started
        return ranks.size() == 1 && g_signal.load() != 0;
    };
    r.setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    // Ctrl-C, SIGTERM or SIGHUP during the run: stop at the next barrier, close the trace
    // (marked interrupted), report what was done, exit 128 + the signal (130 for Ctrl-C)
    g_running.store(&engine);
    try {
        for (const double t : checkpoint_at) {
            sim::RunLimits part = limits;
            part.until = s.spec.time.from_seconds(t);
            add_stats(r.stats, run.run(part));
            if (r.stats.reason != sim::StopReason::kUntil) {
                break;  // interrupted
            }
            sim::StateArchive ar;
            run.save(ar);
            put_checkpoint_meta(ar, s, std::filesystem::absolute(scenario_file).string(),
                                scenario_name, t, o.overrides);
            const std::string path =
                checkpoint_path(o.checkpoint_dir, scenario_name, s.run.seed, t);
            try {
                io::write_checkpoint(path, ar, o.force);
                r.checkpoints.emplace_back(path, t);
            } catch (const std::exception& e) {
                std::cerr << "swarmsim run: error: " << e.what() << "\n";
                r.checkpoint_failed = true;
            }
        }
        if (checkpoint_at.empty() || r.stats.reason == sim::StopReason::kUntil) {
            add_stats(r.stats, run.run(limits));
        }
    } catch (...) {
        g_running.store(nullptr);
        throw;
    }
    g_running.store(nullptr);
    if (rank0) {
        progress.done();
    }
    // across ranks: every copy of the world as the ranks left it (nothing in one process)
    run.sync();

    r.signal = g_signal.load();
    r.interrupted = r.stats.reason == sim::StopReason::kRequested || r.signal != 0;
    // the final state (the grids stop short of `until`): the trace's last frame is the summary
    engine.sample_now();
    const sim::Tick end =
        r.interrupted ? std::max(engine.now(), run.kpis().latest().t) : limits.until;
    r.kpis = run.finish(end);
    r.timeline = run.kpis().timeline();
    if (r.timeline.empty() || r.timeline.back().t < end) {
        // the state at the end, when no sample fell on it
        const agents::KpiSummary& ks = r.kpis.summary;
        r.timeline.push_back(
            {end, ks.unassigned, ks.oldest_unassigned_age_s, ks.at_risk, ks.overdue, ks.backlog});
    }
    r.simulated_s = s.spec.time.to_seconds(end);
    r.event_hash = engine.event_hash();
    if (ranks.size() > 1) {
        report_ranks(run, ranks);
        if (!rank0) {
            // rank 0 writes and prints; the others end as it does
            return r.interrupted ? (r.signal != 0 ? 128 + r.signal : kExitInterrupted) : kExitOk;
        }
    }
    if (writer) {
        // also after Ctrl-C: the trace is closed cleanly, complete up to `end`, marked
        // interrupted. A write error leaves it incomplete under its partial name: the run's
        // KPIs still hold and are printed, the exit code is 4.
        r.trace_path = trace_path;
        if (r.interrupted) {
            writer->mark_interrupted();
        }
        try {
            writer->close();
            r.trace_status = r.interrupted ? "interrupted" : "complete";
        } catch (const io::TraceError& e) {
            std::cerr << "swarmsim run: error: " << e.what() << "\n";
            r.trace_status = "incomplete";
            r.trace_error = e.what();
        }
    }

    // the tables after the trace: a failure to write one is reported, the KPIs still printed
    const bool tables_written = write_run_tables(o, s, model, end);
    if (o.json) {
        print_json(std::cout, o, s, r);
    } else {
        print_human(std::cout, o, s, r);
    }
    std::cout.flush();
    if (!std::cout || r.trace_status == "incomplete" || !tables_written || r.checkpoint_failed) {
        return kExitIo;
    }
    if (r.interrupted) {
        return r.signal != 0 ? 128 + r.signal : kExitInterrupted;
    }
    return kExitOk;
}

}  // namespace swarm::cli
