// Radio-graph and CBBA throughput on one machine:
//  - RadioGrid rebuild and neighbour queries for 10k and 100k agents spread uniformly at a
//    given mean number of radio neighbours;
//  - CBBA rounds per second on 100 tasks x 200 agents over their radio graph (serial and
//    with a thread pool), next to the sequential-greedy reference.
//   comms_bench [--agents 10000,100000] [--degree 10] [--repeats 5] [--tasks 100]
//               [--cbba-agents 200] [--capacity 3] [--threads 2]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <numbers>
#include <string>
#include <vector>

#include "agents/comms/radio_grid.hpp"
#include "agents/coordination/cbba.hpp"
#include "agents/coordination/greedy.hpp"
#include "bench/bench_util.hpp"
#include "sim/executor.hpp"
#include "sim/random.hpp"

using namespace swarm;

namespace {

struct Options {
    std::vector<std::size_t> agents = {10'000, 100'000};
    double degree = 10.0;
    std::size_t repeats = 5;
    std::size_t tasks = 100;
    std::size_t cbba_agents = 200;
    std::uint32_t capacity = 3;
    std::size_t threads = 2;
};

constexpr double kRange = 250.0;

// Wall and process CPU time. On a shared, loaded machine the CPU time of a single-threaded
// section is the steadier figure, so both are printed.
struct Stopwatch {
    std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
    std::clock_t cpu = std::clock();
    double wall_s() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
    }
    double cpu_s() const {
        return static_cast<double>(std::clock() - cpu) / static_cast<double>(CLOCKS_PER_SEC);
    }
};

// uniform in a square sized so that the mean neighbour count is about `degree`
std::vector<world::Point> layout(std::size_t n, double degree, std::uint64_t seed) {
    const double side = kRange * std::sqrt(std::numbers::pi * static_cast<double>(n) / degree);
    sim::RandomStream rng(seed, 0);
    std::vector<world::Point> pos(n);
    for (auto& p : pos) {
        p = {rng.uniform(0.0, side), rng.uniform(0.0, side)};
    }
    return pos;
}

void bench_grid(std::size_t n, const Options& opt) {
    const auto pos = layout(n, opt.degree, 7);
    comms::RadioGrid grid(kRange);
    comms::CommsConditions cond;
    std::vector<double> rebuild;
    std::vector<double> sweep;
    std::vector<double> sorted;
    std::vector<double> graph;
    std::vector<double> rebuild_cpu;
    std::vector<double> sweep_cpu;
    std::vector<double> graph_cpu;
    std::uint64_t pairs = 0;
    std::vector<comms::AgentIndex> out;
    for (std::size_t r = 0; r < opt.repeats; ++r) {
        Stopwatch t0;
        grid.rebuild(pos, cond);
        rebuild.push_back(t0.wall_s());
        rebuild_cpu.push_back(t0.cpu_s());

        t0 = Stopwatch{};
        pairs = 0;
        for (comms::AgentIndex i = 0; i < n; ++i) {
            grid.for_each_neighbour(i, [&pairs](comms::AgentIndex) { ++pairs; });
        }
        sweep.push_back(t0.wall_s());
        sweep_cpu.push_back(t0.cpu_s());

        t0 = Stopwatch{};
        std::uint64_t check = 0;
        for (comms::AgentIndex i = 0; i < n; ++i) {
            grid.neighbours(i, out);
            check += out.size();
        }
        sorted.push_back(t0.wall_s());
        if (check != pairs) {
            std::fprintf(stderr, "comms_bench: neighbour counts disagree\n");
            std::exit(1);
        }

        t0 = Stopwatch{};
        const comms::AgentGraph g = grid.graph();
        graph.push_back(t0.wall_s());
        graph_cpu.push_back(t0.cpu_s());
        if (g.edge_count() * 2 != pairs) {
            std::fprintf(stderr, "comms_bench: graph edge count disagrees\n");
            std::exit(1);
        }
    }
    const double nd = static_cast<double>(n);
    std::printf("  %zu agents, mean degree %.2f, %s grid\n", n, static_cast<double>(pairs) / nd,
                grid.dense() ? "dense" : "sparse");
    std::printf("    rebuild                          %8.2f ms   (cpu %8.2f ms)\n",
                bench::median(rebuild) * 1e3, bench::median(rebuild_cpu) * 1e3);
    std::printf("    for_each_neighbour (all agents)  %8.2f M/s  (cpu %8.2f M/s)\n",
                nd / bench::median(sweep) / 1e6, nd / bench::median(sweep_cpu) / 1e6);
    std::printf("    neighbours() (sorted lists)      %8.2f M/s\n",
                nd / bench::median(sorted) / 1e6);
    std::printf("    graph() (CSR radio graph)        %8.2f ms   (cpu %8.2f ms)\n",
                bench::median(graph) * 1e3, bench::median(graph_cpu) * 1e3);
}

void bench_cbba(const Options& opt) {
    const std::size_t na = opt.cbba_agents;
    const std::size_t nt = opt.tasks;
    // agents on a 3 km square at the radio range, tasks spread over the same square
    sim::RandomStream rng(11, 1);
    coordination::TimeDiscountedReward::Params p;
    const double side = 3000.0;
    for (std::size_t i = 0; i < na; ++i) {
        p.agent_start.push_back({rng.uniform(0.0, side), rng.uniform(0.0, side)});
    }
    for (std::size_t j = 0; j < nt; ++j) {
        p.task_position.push_back({rng.uniform(0.0, side), rng.uniform(0.0, side)});
        p.task_reward.push_back(rng.uniform(50.0, 100.0));
    }
    p.speed_mps = 10.0;
    p.lambda = 0.999;
    p.service_s = 60.0;
    p.cost_per_m = 0.002;
    const coordination::TimeDiscountedReward score(p);
    comms::RadioGrid grid(600.0);
    grid.rebuild(p.agent_start, comms::CommsConditions{});
    const comms::AgentGraph g = grid.graph();
    const auto comp = comms::connected_components(g);
    const std::uint32_t d = comms::diameter(g);
    std::printf(
        "  %zu agents x %zu tasks, capacity %u, radio graph: %zu edges, %u components, "
        "diameter %u, message %llu bytes\n",
        na, nt, opt.capacity, g.edge_count(), comp.count, d,
        static_cast<unsigned long long>(8 + (12 * nt) + (4 * na)));

    const Stopwatch t_sga;
    const coordination::Assignment greedy =
        coordination::sequential_greedy(na, nt, opt.capacity, score);
    const double sga_s = t_sga.wall_s();
    std::printf("  sequential greedy: %.1f ms, %zu assigned, total gain %.2f\n", sga_s * 1e3,
                greedy.assigned(), greedy.total_gain);

    for (std::size_t threads : {std::size_t{1}, opt.threads}) {
        auto executor = sim::make_executor(threads);
        std::vector<double> rates;
        std::vector<double> cpu_rates;
        coordination::CbbaResult last;
        for (std::size_t r = 0; r < opt.repeats; ++r) {
            coordination::CbbaSolver solver(na, nt, opt.capacity, score);
            const Stopwatch t0;
            last = solver.run(g, 10'000, executor.get());
            rates.push_back(static_cast<double>(last.rounds) / t0.wall_s());
            cpu_rates.push_back(static_cast<double>(last.rounds) / t0.cpu_s());
        }
        std::printf(
            "  cbba, %zu thread(s): %6.0f rounds/s (%6.0f per cpu-s) | %u rounds (%u to converge), "
            "%s, "
            "%zu conflicts | %llu messages, %.2f MB | %zu assigned, total gain %.2f "
            "(%.1f%% of greedy)\n",
            threads, bench::median(rates), bench::median(cpu_rates), last.rounds,
            last.rounds_to_converge, last.converged ? "converged" : "NOT converged", last.conflicts,
            static_cast<unsigned long long>(last.messages), static_cast<double>(last.bytes) / 1e6,
            last.assignment.assigned(), last.assignment.total_gain,
            100.0 * last.assignment.total_gain / greedy.total_gain);
        if (threads == opt.threads) {
            break;
        }
    }
}

std::size_t parse_count(const char* flag, const char* value) {
    char* end = nullptr;
    const double n = std::strtod(value, &end);
    if (end == value || *end != '\0' || !(n >= 1.0)) {
        std::fprintf(stderr, "comms_bench: %s needs a positive number\n", flag);
        std::exit(2);
    }
    return static_cast<std::size_t>(n);
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int a = 1; a < argc; ++a) {
        const char* flag = argv[a];
        if (a + 1 >= argc) {
            std::fprintf(stderr, "comms_bench: %s needs a value\n", flag);
            return 2;
        }
        const char* value = argv[++a];
        if (std::strcmp(flag, "--agents") == 0) {
            opt.agents.clear();
            for (double v : bench::parse_list<double>(value)) {
                opt.agents.push_back(parse_count(flag, std::to_string(v).c_str()));
            }
        } else if (std::strcmp(flag, "--degree") == 0) {
            opt.degree = static_cast<double>(parse_count(flag, value));
        } else if (std::strcmp(flag, "--repeats") == 0) {
            opt.repeats = parse_count(flag, value);
        } else if (std::strcmp(flag, "--tasks") == 0) {
            opt.tasks = parse_count(flag, value);
        } else if (std::strcmp(flag, "--cbba-agents") == 0) {
            opt.cbba_agents = parse_count(flag, value);
        } else if (std::strcmp(flag, "--capacity") == 0) {
            opt.capacity = static_cast<std::uint32_t>(parse_count(flag, value));
        } else if (std::strcmp(flag, "--threads") == 0) {
            opt.threads = parse_count(flag, value);
        } else {
            std::fprintf(stderr, "comms_bench: unknown flag %s\n", flag);
            return 2;
        }
    }
    const swarm::bench::MachineReport machine;
    std::printf("RadioGrid (range %.0f m, uniform square, median of %zu)\n", kRange, opt.repeats);
    for (std::size_t n : opt.agents) {
        bench_grid(n, opt);
    }
    std::printf("CBBA (time-discounted reward, radio range 600 m on a 3 km square)\n");
    bench_cbba(opt);
    return 0;
}
