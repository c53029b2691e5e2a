// Disruption benchmark (issue: disruptions and self-healing): 10,000 vehicles on the
// 100,000-node city; 30 minutes in, 5 % of the edges close at once and 10 % of the vehicles
// break down. For each policy: orders orphaned, how long until the last of them was
// re-assigned (simulated), orphans still waiting at the end, decision latency, messages and
// bytes per agent, delivered and failed orders, and wall time of the whole run.
//
//   disruption_bench [--policies auction,cbba,cloud] [--vehicles 10000] [--nodes 100000]
//                    [--depots 100] [--hours 1] [--threads 1]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "agents/fleet/fleet_run.hpp"
#include "bench/bench_util.hpp"
#include "bench/fleet/bench_city.hpp"
#include "sim/engine.hpp"
#include "sim/random.hpp"

namespace {

using namespace swarm;

struct Options {
    std::vector<std::string> policies = {"auction", "cbba", "cloud"};
    std::uint32_t vehicles = 10'000;
    std::uint32_t depots = 100;
    std::size_t nodes = 100'000;
    double hours = 1.0;
    std::size_t threads = 1;
};

// a seeded 5 % sample of the edges, ascending
std::vector<world::EdgeId> sample_edges(const world::RoadNetwork& net, double share) {
    std::vector<world::EdgeId> all(net.edge_count());
    std::iota(all.begin(), all.end(), world::EdgeId{0});
    sim::RandomStream rng(2024, 0, 0, 0);
    const auto k = static_cast<std::size_t>(share * static_cast<double>(all.size()));
    for (std::size_t i = 0; i < k; ++i) {
        const std::size_t j =
            i + static_cast<std::size_t>(rng.uniform() * static_cast<double>(all.size() - i));
        std::swap(all[i], all[std::min(j, all.size() - 1)]);
    }
    all.resize(k);
    std::sort(all.begin(), all.end());
    return all;
}

void run_policy(const Options& o, const std::string& policy) {
    bench::BenchCityParams p;
    p.vehicles = o.vehicles;
    p.depots = o.depots;
    p.nodes = o.nodes;
    bench::BenchCity city = bench::make_bench_city(p);
    agents::FleetSpec& spec = city.spec;
    spec.allocation.policy = policy;
    agents::DisruptionSpec closure;
    closure.id = "closures";
    closure.action.kind = agents::DisruptionKind::kCloseRoads;
    closure.action.label = "5 % of the roads closed";
    closure.action.edges = sample_edges(*city.network, 0.05);
    closure.at_s = 1800.0;
    agents::DisruptionSpec breakdown;
    breakdown.id = "breakdowns";
    breakdown.action.kind = agents::DisruptionKind::kBreakVehicles;
    breakdown.action.label = "10 % of the vehicles break down";
    breakdown.action.fraction = 0.10;
    breakdown.at_s = 1800.0;
    spec.disruptions = {closure, breakdown};

    const auto t0 = std::chrono::steady_clock::now();
    // no KPI samples: the figures are the end's
    agents::FleetRunOptions ro;
    ro.seed = 1;
    ro.threads = o.threads;
    ro.routers = city.routers.get();
    agents::FleetRun run(spec, ro);
    sim::RunLimits limits;
    limits.until = spec.time.from_seconds(o.hours * 3600.0);
    const sim::RunStats stats = run.run(limits);
    const agents::FleetKpis k = run.finish(limits.until);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // orphans still waiting for a vehicle at the end
    std::uint64_t waiting = 0;
    const agents::FleetModel& model = run.model();
    for (std::uint32_t d = 0; d < model.depot_count(); ++d) {
        for (const agents::Order& ord : model.depot(d).book.orders()) {
            waiting += ord.state == agents::OrderState::kCreated && ord.reassignments > 0 ? 1 : 0;
        }
    }
    const agents::KpiSummary& s = k.summary;
    std::printf(
        "%-8s %10llu %14.1f %10llu %12.2f %12.1f %10.1f %10llu %8llu %9.2f %12llu\n",
        policy.c_str(), static_cast<unsigned long long>(s.orphaned),
        s.reassigned > 0 ? s.time_to_reassign_max_s : 0.0, static_cast<unsigned long long>(waiting),
        s.decision_latency_mean_s, s.messages_per_agent, s.bytes_per_agent / 1024.0,
        static_cast<unsigned long long>(s.delivered), static_cast<unsigned long long>(s.failed),
        wall, static_cast<unsigned long long>(stats.events));
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "disruption_bench: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--policies") {
            o.policies.clear();
            std::stringstream in(next());
            for (std::string name; std::getline(in, name, ',');) {
                o.policies.push_back(name);
            }
        } else if (a == "--vehicles") {
            o.vehicles = static_cast<std::uint32_t>(std::stoul(next()));
        } else if (a == "--nodes") {
            o.nodes = std::stoul(next());
        } else if (a == "--depots") {
            o.depots = static_cast<std::uint32_t>(std::stoul(next()));
        } else if (a == "--hours") {
            o.hours = std::stod(next());
        } else if (a == "--threads") {
            o.threads = std::stoul(next());
        } else {
            std::cerr << "disruption_bench: unknown option " << a << "\n";
            return 2;
        }
    }
    const swarm::bench::MachineReport machine;
    std::printf(
        "disruption benchmark: %u vehicles, %zu nodes, %u depots, %.1f h, %zu thread(s); "
        "at 30 min 5 %% of edges close and 10 %% of vehicles break\n",
        o.vehicles, o.nodes, o.depots, o.hours, o.threads);
    std::printf("%-8s %10s %14s %10s %12s %12s %10s %10s %8s %9s %12s\n", "policy", "orphaned",
                "reassign_all_s", "waiting", "decision_s", "msgs/agent", "KiB/agent", "delivered",
                "failed", "wall_s", "events");
    for (const std::string& policy : o.policies) {
        run_policy(o, policy);
    }
    return 0;
}
