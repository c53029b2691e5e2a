// `swarmsim bench`: the built-in benchmark suite, in this process (bench/suite/measure.hpp,
// the code the bench/ programs run): PHOLD events/s, routing queries/s, a fleet run's wall
// time and bytes per agent, and the HDF5 trace's overhead on that run. --quick (default)
// takes seconds; --full runs the sizes of the README's benchmark table.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agents/routing/router.hpp"
#include "agents/world/generators.hpp"
#include "bench/suite/measure.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"

namespace swarm::cli {

namespace {

struct BenchOptions {
    bool quick = true;
    bool full = false;
    bool json = false;
    std::size_t threads = 0;  // the parallel runs; 0: all cores
};

struct Row {
    std::string benchmark;
    std::string config;
    double value = 0;
    std::string unit;
};

int run_bench(const BenchOptions& o) {
    const std::size_t cores = std::max(1U, std::thread::hardware_concurrency());
    const std::size_t par = o.threads > 0 ? o.threads : cores;
    std::vector<Row> rows;
    const auto say = [&](const char* what) {
        if (!o.json) {
            std::cerr << "bench: " << what << "...\n";
        }
    };

    // PHOLD: events/s, 1 thread and par threads
    say("PHOLD");
    const std::vector<std::uint32_t> lps =
        o.full ? std::vector<std::uint32_t>{1000, 100'000, 1'000'000}
               : std::vector<std::uint32_t>{1000, 100'000};
    const std::uint64_t events = o.full ? 10'000'000 : 1'000'000;
    for (const std::uint32_t n : lps) {
        for (const std::size_t t : {std::size_t{1}, par}) {
            const bench::PholdResult r = bench::measure_phold(n, t, events);
            rows.push_back({"phold", grouped(n) + " LPs, " + std::to_string(t) + " thread(s)",
                            r.events_per_second, "events/s"});
            if (par == 1) {
                break;
            }
        }
    }

    // routing: ALT A* with path on a generated city
    say("routing");
    {
        world::GridCityParams g;
        const std::size_t nodes = o.full ? 100'000 : 10'000;
        g.rows = static_cast<std::size_t>(std::sqrt(static_cast<double>(nodes)));
        g.cols = (nodes + g.rows - 1) / g.rows;
        g.spacing_m = 100.0;
        g.seed = 1;
        const world::RoadNetwork net = world::make_grid_city(g);
        routing::RouterOptions ro;
        ro.landmark_count = 16;
        const routing::RouterFactory factory(net, ro);
        auto router = factory.make();
        const bench::RoutePairs pairs = bench::random_pairs(net, o.full ? 2000 : 500, 42);
        const bench::RoutingResult r = bench::measure_routing(*router, pairs, true, 3);
        rows.push_back({"routing", grouped(net.node_count()) + "-node city, ALT A* with path",
                        r.queries_per_second, "queries/s"});
    }

    // fleet and trace overhead on the benchmark city
    bench::FleetBenchParams fp;
    fp.city.vehicles = o.full ? 10'000 : 1'000;
    fp.city.depots = o.full ? 100 : 10;
    fp.city.nodes = o.full ? 100'000 : 10'000;
    fp.hours = o.full ? 1.0 : 0.25;
    fp.threads = 1;
    const std::string city =
        grouped(fp.city.vehicles) + " vehicles, " + fixed(fp.hours, 2) + " h, 1 thread";
    say("fleet");
    {
        const bench::FleetResult r = bench::measure_fleet(fp);
        rows.push_back({"fleet", city, r.wall_s, "s wall"});
        rows.push_back({"fleet", city + ", model + kernel memory",
                        static_cast<double>(r.model_bytes + r.kernel_bytes) /
                            static_cast<double>(fp.city.vehicles),
                        "bytes/agent"});
    }
    say("trace overhead");
    {
        // the plain run samples on the scenario's own grid: the trace's samples are its cost
        fp.kpis = false;
        fp.sample_s = 0.0;
        const bench::FleetResult plain = bench::measure_fleet(fp);
        fp.sample_s = 1.0;
        const std::string path = (std::filesystem::temp_directory_path() /
                                  ("swarmsim_bench_" + std::to_string(getpid()) + ".h5"))
                                     .string();
        fp.trace_path = path;
        // the writer puts a file at `path` only once it is complete (and refuses one that is
        // there already): after an error there is nothing of ours to remove
        const bench::FleetResult traced = bench::measure_fleet(fp);
        std::error_code ec;
        const double bytes = static_cast<double>(std::filesystem::file_size(path, ec));
        std::filesystem::remove(path, ec);
        const std::string cfg = city + ", 1 s sampling";
        rows.push_back(
            {"trace", cfg + ", CPU overhead", 100.0 * (traced.cpu_s / plain.cpu_s - 1.0), "%"});
        rows.push_back(
            {"trace", cfg + ", wall overhead", 100.0 * (traced.wall_s / plain.wall_s - 1.0), "%"});
        rows.push_back({"trace", cfg + ", size",
                        bytes / 1e6 / (static_cast<double>(fp.city.vehicles) * fp.hours),
                        "MB/agent-hour"});
    }

    if (o.json) {
        std::cout << "{\n  \"command\": \"bench\",\n  \"mode\": "
                  << quoted(o.full ? "full" : "quick") << ",\n  \"cores\": " << cores
                  << ",\n  \"results\": [\n";
        for (std::size_t i = 0; i < rows.size(); ++i) {
            std::cout << "    {\"benchmark\": " << quoted(rows[i].benchmark)
                      << ", \"config\": " << quoted(rows[i].config)
                      << ", \"value\": " << number(rows[i].value)
                      << ", \"unit\": " << quoted(rows[i].unit) << "}"
                      << (i + 1 < rows.size() ? "," : "") << "\n";
        }
        std::cout << "  ]\n}\n";
    } else {
        std::printf("swarmsim bench (%s, %zu cores)\n", o.full ? "full" : "quick", cores);
        for (const Row& r : rows) {
            const int digits = r.value >= 1000.0 ? 0 : (r.value >= 10.0 ? 1 : 3);
            std::printf("  %-8s %-58s %14s %s\n", r.benchmark.c_str(), r.config.c_str(),
                        (r.value >= 1000.0 ? grouped(static_cast<std::uint64_t>(r.value))
                                           : fixed(r.value, digits))
                            .c_str(),
                        r.unit.c_str());
        }
    }
    std::cout.flush();
    return std::cout ? kExitOk : kExitIo;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<BenchOptions>();
    CLI::App* cmd = app.add_subcommand(
        "bench", "Run the built-in benchmark suite (PHOLD, routing, fleet, trace overhead)");
    auto* quick = cmd->add_flag("--quick", o->quick, "Short runs (the default)");
    cmd->add_flag("--full", o->full, "The README table's sizes (10,000 vehicles, 1e6 LPs, ...)")
        ->excludes(quick);
    cmd->add_option("-j,--threads", o->threads, "Threads of the parallel PHOLD runs (0: all)");
    cmd->add_flag("--json", o->json, "Print the results as JSON on stdout");
    cmd->callback([o, &exit_code] {
        try {
            exit_code = run_bench(*o);
        } catch (const std::exception& e) {
            std::cerr << "swarmsim bench: error: " << e.what() << "\n";
            exit_code = kExitRuntime;
        }
    });
}

}  // namespace swarm::cli
