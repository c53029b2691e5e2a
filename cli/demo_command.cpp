// `swarmsim demo`: the fleet story in one command. The cloud-outage scenario
// (scenarios/cloud_outage.toml, compiled in so that the demo runs from anywhere) is run twice
// on the same seed and orders: dispatched by the cloud, and by the swarm (depots and vehicles
// auctioning orders over the radio). The headline KPIs side by side, then what the numbers
// say. The kernel check that was `demo` before is `swarmsim selftest`.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <exception>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/fleet/fleet_run.hpp"
#include "agents/fleet/kpi_observer.hpp"
#include "cli/commands.hpp"
#include "cli/demo_scenario.hpp"
#include "cli/format.hpp"
#include "cli/validators.hpp"
#include "io/scenario/run_options.hpp"
#include "io/scenario/scenario.hpp"

namespace swarm::cli {

namespace {

struct DemoOptions {
    std::optional<std::size_t> threads;  // default: the scenario's (0: all cores)
    std::optional<std::uint64_t> seed;
    std::vector<std::string> overrides;
    bool json = false;
};

// the two ways to dispatch, in table order
struct Side {
    const char* policy;
    const char* title;
    const char* how;
};
constexpr Side kSides[] = {
    {"cloud", "Cloud", "a central planner in the cloud assigns every order over the cloud link"},
    {"auction", "Swarm (auction)",
     "depots and vehicles auction the orders among themselves over the radio"},
};

struct SideResult {
    agents::FleetKpis kpis;
    std::uint64_t peak_backlog = 0;  // open orders, worst KPI sample
    double wall_s = 0.0;
};

std::atomic<bool> g_demo_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");
extern "C" void on_demo_interrupt(int /*signal*/) {
    g_demo_stop.store(true);
}

io::Scenario load(const DemoOptions& o, const char* policy) {
    io::ScenarioOptions so;
    so.overrides = o.overrides;
    so.overrides.push_back(std::string("policies.allocation=") + policy);
    if (o.seed) {
        so.overrides.push_back("run.seed=" + std::to_string(*o.seed));
    }
    if (o.threads) {
        so.overrides.push_back("run.threads=" + std::to_string(*o.threads));
    }
    return io::parse_scenario(kDemoScenarioText, kDemoScenarioName, so);
}

SideResult run_side(const io::Scenario& s) {
    const auto t0 = std::chrono::steady_clock::now();
    agents::FleetRunOptions ro = io::fleet_run_options(s);
    ro.sample_first = 0;
    ro.sample_interval = std::max<sim::Tick>(1, s.spec.time.from_seconds(s.run.sample_interval_s));
    agents::FleetRun run(s.spec, ro);
    sim::RunLimits limits;
    limits.until = s.spec.time.from_seconds(s.run.duration_s);
    limits.stop_when = [](const sim::Engine&) { return g_demo_stop.load(); };
    run.run(limits);
    run.engine().sample_now();
    SideResult r;
    r.kpis = run.finish(limits.until);
    for (const agents::LeadingSample& l : run.kpis().timeline()) {
        r.peak_backlog = std::max(r.peak_backlog, l.backlog);
    }
    r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

std::string minutes(double s) {
    return fixed(s / 60.0, 0) + " min";
}

// "cloud_down at 30 min for 20 min; ..."
std::string disruption_text(const io::Scenario& s) {
    std::string text;
    for (const agents::DisruptionSpec& d : s.spec.disruptions) {
        text += (text.empty() ? "" : "; ") + d.id + " at " + minutes(d.at_s);
        if (d.duration_s > 0.0) {
            text += " for " + minutes(d.duration_s);
        }
    }
    return text.empty() ? "none" : text;
}

void print_human(std::ostream& out, const io::Scenario& s, const std::vector<SideResult>& r) {
    out << "swarmsim demo: " << kDemoScenarioName << " (seed " << s.run.seed << "), "
        << grouped(s.spec.vehicle_count()) << " vehicles from " << s.spec.depot_count()
        << " depots, " << minutes(s.run.duration_s) << " simulated\n"
        << "  disruptions: " << disruption_text(s) << "\n"
        << "  the same orders on the same seed, dispatched two ways:\n";
    for (const Side& side : kSides) {
        out << "    " << std::left << std::setw(16) << side.title << side.how << "\n";
    }
    out << "\n"
        << std::left << std::setw(34) << "" << std::setw(18) << kSides[0].title << kSides[1].title
        << "\n";
    const auto row = [&](const char* name, auto text) {
        out << "  " << std::setw(32) << name << std::setw(18) << text(r[0]) << text(r[1]) << "\n";
    };
    row("on time in full [%]",
        [](const SideResult& x) { return fixed(x.kpis.summary.on_time_in_full_pct, 1); });
    row("service level Q",
        [](const SideResult& x) { return fixed(x.kpis.summary.service_level, 3); });
    row("orders delivered / failed", [](const SideResult& x) {
        return grouped(x.kpis.summary.delivered) + " / " + grouped(x.kpis.summary.failed);
    });
    row("peak backlog [open orders]", [](const SideResult& x) { return grouped(x.peak_backlog); });
    row("time to recover [s]",
        [](const SideResult& x) { return fixed(x.kpis.summary.time_to_recover_s, 0); });
    row("decision latency, mean [s]",
        [](const SideResult& x) { return fixed(x.kpis.summary.decision_latency_mean_s, 1); });
    row("cost", [](const SideResult& x) { return fixed(x.kpis.summary.cost, 1); });
    row("cost per delivered order",
        [](const SideResult& x) { return fixed(x.kpis.summary.cost_per_delivered, 2); });
    row("wall time [s]", [](const SideResult& x) { return fixed(x.wall_s, 2); });
    out << std::right;

    // what the numbers say: read off them, never assumed
    const agents::KpiSummary& cloud = r[0].kpis.summary;
    const agents::KpiSummary& swarm = r[1].kpis.summary;
    out << "\nWhat the numbers say:\n";
    const double dp = swarm.on_time_in_full_pct - cloud.on_time_in_full_pct;
    if (std::isfinite(dp)) {
        out << "  - on time in full: the swarm " << (dp >= 0 ? "+" : "") << fixed(dp, 1)
            << " percentage points against the cloud (" << fixed(swarm.on_time_in_full_pct, 1)
            << " % vs " << fixed(cloud.on_time_in_full_pct, 1) << " %)\n";
    }
    out << "  - an order waited " << fixed(cloud.decision_latency_mean_s, 1)
        << " s on average for its first assignment under the cloud, "
        << fixed(swarm.decision_latency_mean_s, 1) << " s under the swarm\n";
    out << "  - open orders peaked at " << grouped(r[0].peak_backlog) << " under the cloud and "
        << grouped(r[1].peak_backlog) << " under the swarm (KPI samples every "
        << fixed(s.run.sample_interval_s, 0) << " s)\n";
    if (cloud.cost > 0.0 && std::isfinite(swarm.cost)) {
        out << "  - price of decentralization (swarm cost / cloud cost): "
            << fixed(swarm.cost / cloud.cost, 3)
            << (swarm.cost < cloud.cost ? ": the swarm is cheaper here\n"
                                        : ": the swarm costs more here\n");
    }
    out << "\nOne seed is an anecdote. Next:\n"
        << "  swarmsim compare scenarios/cloud_outage.toml --policies oracle,cloud,auction,cbba "
           "--seeds 5\n"
        << "  swarmsim-viz scenarios/cloud_outage.toml     (the live map)\n";
}

void print_json(std::ostream& out, const io::Scenario& s, const std::vector<SideResult>& r) {
    out << "{\n  \"command\": \"demo\",\n  \"scenario\": " << quoted(kDemoScenarioName)
        << ",\n  \"seed\": " << s.run.seed << ",\n  \"runs\": [\n";
    for (std::size_t i = 0; i < r.size(); ++i) {
        out << "  {\"policy\": " << quoted(kSides[i].policy)
            << ", \"peak_backlog\": " << r[i].peak_backlog
            << ", \"wall_seconds\": " << number(r[i].wall_s)
            << ", \"kpi_hash\": " << quoted(hex(r[i].kpis.hash)) << ", \"kpis\":\n";
        r[i].kpis.summary.to_json(out);
        out << "  }" << (i + 1 < r.size() ? "," : "") << "\n";
    }
    out << "  ]\n}\n";
}

int run_demo(const DemoOptions& o) {
    std::vector<io::Scenario> scenarios;
    try {
        for (const Side& side : kSides) {
            scenarios.push_back(load(o, side.policy));
        }
    } catch (const io::ScenarioError& e) {
        std::cerr << e.what() << "\n";
        return kExitInvalidInput;
    }
    for (const std::string& w : scenarios.front().warnings) {
        std::cerr << w << "\n";
    }
    g_demo_stop.store(false);
    const auto previous = std::signal(SIGINT, on_demo_interrupt);
    std::vector<SideResult> results;
    try {
        for (std::size_t i = 0; i < scenarios.size() && !g_demo_stop.load(); ++i) {
            std::cerr << "swarmsim demo: running " << kSides[i].title << " (" << kSides[i].policy
                      << ")...\n";
            results.push_back(run_side(scenarios[i]));
        }
    } catch (...) {
        std::signal(SIGINT, previous);
        throw;
    }
    std::signal(SIGINT, previous);
    if (g_demo_stop.load()) {
        std::cerr << "swarmsim demo: interrupted\n";
        return kExitInterrupted;
    }
    if (o.json) {
        print_json(std::cout, scenarios.front(), results);
    } else {
        print_human(std::cout, scenarios.front(), results);
    }
    std::cout.flush();
    return std::cout ? kExitOk : kExitIo;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<DemoOptions>();
    CLI::App* cmd = app.add_subcommand(
        "demo",
        "The fleet story: a cloud outage, run dispatched by the cloud and by the swarm on the "
        "same seed, headline KPIs side by side (scenarios/cloud_outage.toml, built in)");
    cmd->add_option("-j,--threads", o->threads, "Worker threads (0: all cores)")
        ->check(CLI::Range(std::size_t{0}, std::size_t{1024}));
    cmd->add_option("--seed", o->seed, "Run seed (overrides run.seed)")
        ->check(non_negative_integer());
    cmd->add_option("--set", o->overrides, "Override a field: key.path=value (repeatable)");
    cmd->add_flag("--json", o->json, "Print both runs' KPIs as JSON on stdout");
    cmd->callback([o, &exit_code] {
        try {
            exit_code = run_demo(*o);
        } catch (const std::exception& e) {
            std::cerr << "swarmsim demo: error: " << e.what() << "\n";
            exit_code = kExitRuntime;
        }
    });
}

}  // namespace swarm::cli
