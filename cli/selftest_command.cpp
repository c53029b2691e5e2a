// `swarmsim selftest`: the kernel's loading-dock model (sim/models/demo.hpp), M/M/c queues
// whose simulated waits are checked against Erlang C, summarised for humans or, with --json,
// as one JSON object on stdout. (Until session 8 this was `swarmsim demo`, which now tells
// the fleet story: cli/demo_command.cpp.)
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/validators.hpp"
#include "sim/executor.hpp"
#include "sim/models/demo.hpp"

namespace swarm::cli {

namespace {

namespace demo = swarm::sim::demo;

struct SelftestOptions {
    std::size_t threads = 0;  // 0: all cores
    std::uint64_t seed = 1;
    std::uint32_t stations = 64;
    std::uint64_t customers = 50'000;
    bool json = false;
};

// Ctrl-C asks the run to stop at its next barrier
std::atomic<bool> g_interrupt{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_interrupt(int /*signal*/) {
    g_interrupt.store(true);
}

double events_per_second(const demo::DemoResult& r) {
    return r.run.wall_seconds > 0.0 ? static_cast<double>(r.run.events) / r.run.wall_seconds : 0.0;
}

void print_kpi(std::ostream& out, const char* name, const demo::Kpi& k, int digits) {
    out << "  " << std::left << std::setw(26) << name << std::right << std::setw(10)
        << fixed(k.simulated.mean, digits) << " +- " << std::left << std::setw(9)
        << fixed(k.simulated.half_width, digits) << std::right << std::setw(10)
        << fixed(k.analytic, digits) << "\n";
}

void print_human(std::ostream& out, const demo::DemoParams& p, const demo::DemoResult& r) {
    out << "swarmsim selftest: loading docks of " << p.depots << " depots, M/M/" << p.docks
        << " at utilisation " << fixed(p.utilisation, 2) << ", " << grouped(p.trucks)
        << " trucks each (seed " << p.seed << ")\n";
    if (r.interrupted) {
        out << "  (interrupted: partial results)\n";
    }
    out << "run\n"
        << "  events         " << grouped(r.run.events) << "\n"
        << "  windows        " << grouped(r.run.windows) << "\n"
        << "  wall time      " << fixed(r.run.wall_seconds, 3) << " s\n"
        << "  events/s       " << grouped(static_cast<std::uint64_t>(events_per_second(r))) << "\n"
        << "  threads        " << r.threads << " (" << r.partitions << " partitions, " << r.lps
        << " LPs)\n"
        << "  simulated      " << fixed(r.simulated_hours, 1) << " h\n"
        << "  stop reason    " << sim::to_string(r.run.reason) << "\n"
        << "  event hash     " << hex(r.event_hash) << "\n";
    out << "KPIs (mean over depots, 95% CI)    simulated                analytic\n";
    print_kpi(out, "wait for a dock [min]", r.wait_minutes, 3);
    print_kpi(out, "P(wait) (Erlang C)", r.p_wait, 4);
    print_kpi(out, "trucks waiting (Lq)", r.queue_length, 4);
    print_kpi(out, "dock utilisation", r.utilisation, 4);
    out << "  trucks loaded  " << grouped(r.trucks_loaded) << ", longest queue " << r.longest_queue
        << ", longest wait " << fixed(r.longest_wait_minutes, 1) << " min\n";
}

// the members of one JSON object on one line: {"key": value, ...}; keys and string values
// here are plain ASCII and need no escaping
class JsonLine {
  public:
    explicit JsonLine(std::ostream& out) : out_(out) { out_ << '{'; }
    JsonLine& field(const char* key, const std::string& raw_value) {
        out_ << (first_ ? "" : ", ") << '"' << key << R"(": )" << raw_value;
        first_ = false;
        return *this;
    }
    JsonLine& field(const char* key, double value) { return field(key, number(value)); }
    JsonLine& field(const char* key, std::uint64_t value) {
        return field(key, std::to_string(value));
    }
    JsonLine& text(const char* key, const std::string& value) {
        return field(key, '"' + value + '"');
    }
    JsonLine& flag(const char* key, bool value) { return field(key, value ? "true" : "false"); }
    void close() { out_ << '}'; }

  private:
    std::ostream& out_;
    bool first_ = true;
};

void print_json_kpi(std::ostream& out, const char* name, const demo::Kpi& k, bool last) {
    out << R"(    ")" << name << R"(": )";
    JsonLine(out)
        .field("mean", k.simulated.mean)
        .field("ci95_half_width", k.simulated.half_width)
        .field("stddev", k.simulated.stddev)
        .field("n", std::uint64_t{k.simulated.n})
        .field("analytic", k.analytic)
        .close();
    out << (last ? "\n" : ",\n");
}

void print_json(std::ostream& out, const demo::DemoParams& p, const demo::DemoResult& r) {
    out << R"({
  "command": "selftest",
  "model": "loading-docks-mmc",
  "params": )";
    JsonLine(out)
        .field("depots", std::uint64_t{p.depots})
        .field("trucks_per_depot", p.trucks)
        .field("docks", std::uint64_t{p.docks})
        .field("utilisation", p.utilisation)
        .field("loading_minutes", p.loading_minutes)
        .field("drive_minutes", p.drive_minutes)
        .field("warmup_hours", p.warmup_hours)
        .field("seed", p.seed)
        .close();
    out << ",\n"
        << R"(  "run": )";
    JsonLine(out)
        .field("events", r.run.events)
        .field("windows", r.run.windows)
        .field("wall_seconds", r.run.wall_seconds)
        .field("events_per_second", events_per_second(r))
        .field("threads", std::uint64_t{r.threads})
        .field("partitions", std::uint64_t{r.partitions})
        .field("lps", std::uint64_t{r.lps})
        .text("stop_reason", sim::to_string(r.run.reason))
        .flag("interrupted", r.interrupted)
        .field("simulated_hours", r.simulated_hours)
        // a string: 64-bit integers do not survive JSON readers that use doubles
        .text("event_hash", hex(r.event_hash))
        .close();
    out << ",\n"
        << R"(  "kpis": {)"
        << "\n";
    print_json_kpi(out, "wait_minutes", r.wait_minutes, false);
    print_json_kpi(out, "p_wait", r.p_wait, false);
    print_json_kpi(out, "queue_length", r.queue_length, false);
    print_json_kpi(out, "utilisation", r.utilisation, true);
    out << "  },\n"
        << R"(  "totals": )";
    JsonLine(out)
        .field("trucks_loaded", r.trucks_loaded)
        .field("longest_queue", r.longest_queue)
        .field("longest_wait_minutes", r.longest_wait_minutes)
        .close();
    out << "\n}\n";
}

int run_selftest_command(const SelftestOptions& o) {
    demo::DemoParams params;
    params.depots = o.stations;
    params.trucks = o.customers;
    params.seed = o.seed;
    const std::unique_ptr<sim::Executor> executor = sim::make_executor(o.threads);

    // Ctrl-C during the run: stop at the next barrier, report what was done, exit 130
    g_interrupt.store(false);
    const auto previous = std::signal(SIGINT, on_interrupt);
    demo::DemoResult result;
    try {
        result = demo::run_demo(params, *executor, &g_interrupt);
    } catch (...) {
        std::signal(SIGINT, previous);
        throw;
    }
    std::signal(SIGINT, previous);

    if (o.json) {
        print_json(std::cout, params, result);
    } else {
        print_human(std::cout, params, result);
    }
    std::cout.flush();
    if (!std::cout) {
        return kExitIo;
    }
    return result.interrupted ? kExitInterrupted : kExitOk;
}

}  // namespace

void add_selftest_command(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<SelftestOptions>();
    CLI::App* cmd = app.add_subcommand(
        "selftest",
        "Check the simulation kernel: M/M/3 loading docks of independent depots at utilisation "
        "0.7, simulated waits against Erlang C");
    cmd->add_option("-j,--threads", options->threads, "Worker threads (0: all cores)")
        ->capture_default_str();
    cmd->add_option("--seed", options->seed, "Run seed")
        ->check(non_negative_integer(18446744073709551615ULL))
        ->capture_default_str();
    cmd->add_option("--stations", options->stations, "Depots, each with its loading docks")
        ->check(CLI::Range(1u, 1'000'000u))
        ->capture_default_str();
    cmd->add_option("--customers", options->customers, "Trucks per depot")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}))
        ->capture_default_str();
    cmd->add_flag("--json", options->json, "Print the results as JSON");
    cmd->callback([options, &exit_code] {
        try {
            exit_code = run_selftest_command(*options);
        } catch (const std::exception& e) {
            std::cerr << "swarmsim selftest: error: " << e.what() << "\n";
            exit_code = kExitRuntime;
        }
    });
}

}  // namespace swarm::cli
