// Fleet benchmark: 10,000 vehicles, 100 depots, 1 simulated hour on a 100,000-node grid city.
// Prints wall time, events/s, peak memory (VmHWM), model + kernel memory per agent (network
// and routers excluded) and the KPI and event hashes, for each thread count. Each
// configuration runs in a child process so that its peak memory is its own.
//
//   fleet_bench [--threads 1,2] [--vehicles 10000] [--depots 100] [--nodes 100000]
//               [--hours 1] [--demand 400] [--profile flat|day]
//               [--against N --interleave S [--repeat 5]]
//               [--threads A,B [--partitions P,Q] --interleave S [--repeat 5]]
//               [--threads 1,N --per-cpu R] [--run-ahead 256]
//
// --against N compares the fleet of --vehicles with one of N vehicles under the same demand
// (issue 20: an idle vehicle costs nothing between its events), both run side by side in one
// child on one thread, S simulated seconds at a time (bench::run_interleaved): the CPU of N's
// run over the first's, the median of --repeat children. Separate processes on a host whose
// speed changes from one process to the next give ratios that differ by more than measured.
// --interleave S without --against does the same for two thread counts on one city (issue 20
// item 2): the wall-time speedup of the second over the first, per pair and the median;
// --partitions P,Q gives the two runs their own partition counts (--threads 2,2 --partitions
// 2,8: does a finer partitioning balance the threads better than it costs?).
// Caution: on the team's VM a two-thread run beside a one-thread run ran about 20 % slower than
// alone (two two-thread runs did not), for reasons not found: docs/fleet-bench.md "Session 24".
// --per-cpu R (issue 20 item 2 on a host whose vCPUs run at different speeds): R rounds, each
// a one-thread run pinned to every vCPU the process may use in turn and an unpinned N-thread
// run, each in its own child; the speedup is taken against the fastest vCPU's one-thread run
// (a lower bound when the vCPUs differ: the N-thread run waits for the slowest at each
// barrier), and the vCPUs' spread is printed beside it. Each round also runs the one-thread run
// on N vCPUs at once, side by side (their timed runs started together): how much slower each
// runs beside the others than alone. N x the fastest alone over the slowest side by side is
// the host's ceiling, the most N equal parts of the work could reach on it whatever the code
// does (on the team's VM on 2026-12-05 it was 1.53 to 2.03 from one round to the next, and
// two whole 10k runs side by side took 1.5x their time alone: docs/fleet-bench.md "Session 30").
//
// --run-ahead N: FleetRunOptions::run_ahead_lookaheads (0: the partitions in lockstep windows,
// as before session 26; the same results).
//
// The demand is flat by default: the day profile (logistics::RateProfile::day) starts at
// midnight, so a 1 h run would measure a quiet night.

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/kpi_observer.hpp"
#include "agents/routing/router.hpp"
#include "agents/world/generators.hpp"
#include "bench/bench_util.hpp"
#include "bench/fleet/bench_city.hpp"
#include "bench/suite/measure.hpp"
#include "sim/engine.hpp"
#include "sim/executor.hpp"

namespace {

using namespace swarm;

struct Options {
    std::vector<std::size_t> threads = {1, 2};
    std::uint32_t vehicles = 10'000;
    std::uint32_t depots = 100;
    std::size_t nodes = 100'000;
    double hours = 1.0;
    double demand = 400.0;  // orders per depot per hour
    bool day_profile = false;
    // windows after one of fewer events run on the calling thread (FleetRunOptions)
    std::uint64_t serial_below = swarm::agents::FleetRunOptions::kSerialBelowEvents;
    std::size_t partitions = 0;  // 0: one per thread (FleetRunOptions)
    std::uint32_t run_ahead = swarm::agents::FleetRunOptions::kRunAheadLookaheads;
    // --partitions A,B with --interleave: the second run's partitions (the first's: partitions)
    std::optional<std::size_t> second_partitions;
    std::uint32_t against = 0;  // > 0: compare with a fleet of this size (--interleave)
    double interleave_s = 60.0;
    bool interleave = false;  // --interleave given
    std::size_t repeat = 5;
    std::size_t per_cpu_rounds = 0;  // > 0: --per-cpu
};

using Result = bench::FleetResult;

// before_run: called in the child after the setup, just before the timed run
Result run_one(const Options& o, std::size_t threads, std::function<void()> before_run = {}) {
    bench::FleetBenchParams p;
    p.city.vehicles = o.vehicles;
    p.city.depots = o.depots;
    p.city.nodes = o.nodes;
    p.city.demand_per_depot_hour = o.demand;
    p.city.day_profile = o.day_profile;
    p.hours = o.hours;
    p.threads = threads;
    p.serial_below_events = o.serial_below;
    p.partitions = o.partitions;
    p.run_ahead_lookaheads = o.run_ahead;
    p.before_run = std::move(before_run);
    return bench::measure_fleet(p);
}

// --against / --interleave: two runs side by side in one process, on the same demand
struct Compared {
    bench::SliceTotals first;
    bench::SliceTotals second;
    std::uint64_t first_hash = 0;
    std::uint64_t second_hash = 0;
};

// `against` > 0: o.vehicles against that many vehicles, one thread each; otherwise one city
// run at o.threads[0] and at o.threads[1] threads
Compared compare_pair(const Options& o) {
    const auto city_of = [&](std::uint32_t vehicles) {
        bench::BenchCityParams p;
        p.vehicles = vehicles;
        p.depots = o.depots;
        p.nodes = o.nodes;
        p.demand_per_depot_hour = o.demand;
        p.day_profile = o.day_profile;
        return bench::make_bench_city(p);
    };
    const bench::BenchCity a_city = city_of(o.vehicles);
    std::optional<bench::BenchCity> b_city;
    if (o.against > 0) {
        b_city.emplace(city_of(o.against));
    }
    const bench::BenchCity& b_of = b_city ? *b_city : a_city;
    const std::size_t a_threads = o.against > 0 ? 1 : o.threads[0];
    const std::size_t b_threads = o.against > 0 ? 1 : o.threads[1];
    // as measure_fleet sets a run up: KPIs on the KPI grid
    agents::FleetRunOptions a_options = bench::run_options(a_city, 0.0, true, a_threads);
    agents::FleetRunOptions b_options = bench::run_options(b_of, 0.0, true, b_threads);
    for (agents::FleetRunOptions* ro : {&a_options, &b_options}) {
        ro->serial_below_events = o.serial_below;
        ro->partitions = o.partitions;
        ro->run_ahead_lookaheads = o.run_ahead;
    }
    b_options.partitions = o.second_partitions.value_or(o.partitions);
    agents::FleetRun a(a_city.spec, a_options);
    agents::FleetRun b(b_of.spec, b_options);
    a.start();
    b.start();
    const bench::InterleavedRuns runs =
        bench::run_interleaved(a, b, a_city.spec.time.from_seconds(o.hours * 3600.0),
                               a_city.spec.time.from_seconds(o.interleave_s));
    return {runs.a, runs.b, a.engine().event_hash(), b.engine().event_hash()};
}

int report_compared(const Options& o) {
    const bool threads = o.against == 0;
    if (threads) {
        std::printf(
            "%zu against %zu threads, same city, side by side in one process, %.0f simulated s "
            "per slice\n",
            o.threads[0], o.threads[1], o.interleave_s);
        if (o.second_partitions) {
            std::printf("partitions %zu against %zu (0: one per thread)\n", o.partitions,
                        *o.second_partitions);
        }
    } else {
        std::printf(
            "%u against %u vehicles, same demand, side by side in one process, %.0f simulated s "
            "per slice, one thread\n",
            o.vehicles, o.against, o.interleave_s);
    }
    std::vector<double> ratios;
    Compared c;
    bool same = true;
    for (std::size_t k = 0; k < o.repeat; ++k) {
        if (!bench::run_in_child([&] { return compare_pair(o); }, c)) {
            std::fprintf(stderr, "fleet_bench: a run failed\n");
            return 1;
        }
        if (threads) {
            // the speedup: wall time, the second thread count's over the first's; a slice's
            // CPU includes the other run's team spinning out its last call (200 us a slice)
            ratios.push_back(c.first.wall_s / c.second.wall_s);
            same = same && c.first_hash == c.second_hash;
            std::printf(
                "pair %zu: wall %.2f s / %.2f s (speedup %.2f), CPU %.2f s / %.2f s, CPU/wall "
                "%.2f / %.2f, events %llu / %llu\n",
                k + 1, c.first.wall_s, c.second.wall_s, ratios.back(), c.first.cpu_s,
                c.second.cpu_s, c.first.cpu_s / c.first.wall_s, c.second.cpu_s / c.second.wall_s,
                static_cast<unsigned long long>(c.first.events),
                static_cast<unsigned long long>(c.second.events));
            continue;
        }
        ratios.push_back(c.second.cpu_s / c.first.cpu_s);
        std::printf(
            "pair %zu: CPU %.2f s / %.2f s (%+.1f%%), events %llu / %llu, minor faults %llu / "
            "%llu\n",
            k + 1, c.first.cpu_s, c.second.cpu_s, 100.0 * (ratios.back() - 1.0),
            static_cast<unsigned long long>(c.first.events),
            static_cast<unsigned long long>(c.second.events),
            static_cast<unsigned long long>(c.first.faults),
            static_cast<unsigned long long>(c.second.faults));
    }
    const double lo = *std::min_element(ratios.begin(), ratios.end());
    const double hi = *std::max_element(ratios.begin(), ratios.end());
    if (threads) {
        std::printf(
            "speedup of %zu threads over %zu: %.2f (median of %zu pairs, %.2f to %.2f); event "
            "hashes %016llx / %016llx; results identical across thread counts: %s\n",
            o.threads[1], o.threads[0], bench::median(ratios), o.repeat, lo, hi,
            static_cast<unsigned long long>(c.first_hash),
            static_cast<unsigned long long>(c.second_hash), same ? "yes" : "NO");
        return same ? 0 : 1;
    }
    std::printf(
        "CPU of %u vehicles over %u: %+.1f%% (median of %zu pairs, %+.1f%% to %+.1f%%); event "
        "hashes %016llx / %016llx\n",
        o.against, o.vehicles, 100.0 * (bench::median(ratios) - 1.0), o.repeat, 100.0 * (lo - 1.0),
        100.0 * (hi - 1.0), static_cast<unsigned long long>(c.first_hash),
        static_cast<unsigned long long>(c.second_hash));
    return 0;
}

// the vCPUs this process may run on (taskset narrows them)
std::vector<int> usable_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof(set), &set) != 0) {
        return cpus;
    }
    for (std::size_t c = 0; c < CPU_SETSIZE; ++c) {
        if (CPU_ISSET(c, &set)) {
            cpus.push_back(static_cast<int>(c));
        }
    }
    return cpus;
}

bool pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<std::size_t>(cpu), &set);
    return sched_setaffinity(0, sizeof(set), &set) == 0;
}

// where a run's wall time went (issue 20 item 2): the windows (segments, running ahead)
// handed to the executor, and how busy the threads were inside them (the partitions' own time
// over threads x their wall); the rest of the wall is barrier actions, windows run on one
// thread and the engine's bookkeeping between them
std::string window_share(const Result& r, std::size_t threads) {
    char line[256];
    if (r.parallel_window_s < 0.01 * r.wall_s) {
        // a handful of windows (at 10k vehicles most hold fewer events than a hand-over costs)
        std::snprintf(
            line, sizeof line,
            "parallel windows or segments %.3f s (%.1f%% of wall): too few to tell how busy the "
            "threads are in them",
            r.parallel_window_s, 100.0 * r.parallel_window_s / r.wall_s);
        return line;
    }
    std::snprintf(
        line, sizeof line,
        "parallel windows or segments %.2f s (%.1f%% of wall), the partitions busy %.2f s in them "
        "(%.1f%% of %zu threads x their wall)",
        r.parallel_window_s, 100.0 * r.parallel_window_s / r.wall_s, r.partition_s,
        100.0 * r.partition_s / (static_cast<double>(threads) * r.parallel_window_s), threads);
    return line;
}

// --per-cpu's host check: a one-thread run pinned to each vCPU, all at once, their timed runs
// started together once every child has set up. How much slower each runs beside the others
// than alone is what the host gives N threads (vCPUs that share a core, or a busy host, cannot
// give N threads N times one), whatever the code does. Empty when a run failed.
std::vector<Result> side_by_side(const Options& o, const std::vector<int>& cpus) {
    int ready[2];
    int go[2];
    if (pipe(ready) != 0) {
        return {};
    }
    if (pipe(go) != 0) {
        close(ready[0]);
        close(ready[1]);
        return {};
    }
    std::vector<bench::Child> children;
    for (const int cpu : cpus) {
        children.push_back(bench::start_child<Result>([&, cpu] {
            close(ready[0]);
            close(go[1]);
            if (!pin_to(cpu)) {
                std::fprintf(stderr, "fleet_bench: cannot pin to vCPU %d\n", cpu);
                std::_Exit(1);
            }
            return run_one(o, 1, [&] {
                // set up: say so (closing this end, so that the parent sees the end of the pipe
                // if a sibling dies first), then wait for everyone's start
                char byte = 1;
                const bool told = write(ready[1], &byte, 1) == 1;
                close(ready[1]);
                if (!told || read(go[0], &byte, 1) != 1) {
                    throw std::runtime_error("side by side: no start from the parent");
                }
            });
        }));
    }
    close(ready[1]);
    close(go[0]);
    std::size_t set_up = 0;
    char byte = 0;
    while (set_up < children.size() && read(ready[0], &byte, 1) == 1) {
        ++set_up;
    }
    close(ready[0]);
    const std::string start(children.size(), '1');
    bool ok = set_up == children.size() &&
              write(go[1], start.data(), start.size()) == static_cast<ssize_t>(start.size());
    close(go[1]);  // a child still waiting (a sibling failed) reads the end and gives up
    std::vector<Result> results(children.size());
    for (std::size_t i = 0; i < children.size(); ++i) {
        ok = bench::finish_child(children[i], results[i]) && ok;
    }
    return ok ? results : std::vector<Result>{};
}

// --per-cpu: the one-thread run on each vCPU, the N-thread run on all of them, round by round
// (every other round in the reverse order, so that a drift of the host's speed within a round
// does not favour one side)
int report_per_cpu(const Options& o) {
    const std::vector<int> cpus = usable_cpus();
    const std::size_t n = o.threads[1];
    if (cpus.size() < n) {
        std::fprintf(stderr, "fleet_bench: --per-cpu with %zu threads needs %zu vCPUs, has %zu\n",
                     n, n, cpus.size());
        return 2;
    }
    std::printf(
        "one thread pinned to each of %zu vCPUs against %zu threads unpinned, each run in its "
        "own process, %zu rounds; the speedup is over the fastest vCPU's run\n",
        cpus.size(), n, o.per_cpu_rounds);
    std::vector<double> speedups;
    std::vector<double> spreads;
    std::vector<double> ceilings;
    bool same = true;
    std::uint64_t hash = 0;
    bool have_hash = false;
    for (std::size_t k = 0; k < o.per_cpu_rounds; ++k) {
        // -1: the N-thread run; -2: the one-thread runs side by side; otherwise the vCPU of a
        // one-thread run
        std::vector<int> order = cpus;
        order.push_back(-1);
        order.push_back(-2);
        if (k % 2 == 1) {
            std::reverse(order.begin(), order.end());
        }
        std::vector<double> alone(cpus.size());  // one-thread walls, by the vCPU's place in cpus
        std::vector<Result> beside;
        Result multi;
        for (const int cpu : order) {
            if (cpu == -2) {
                beside = side_by_side(
                    o,
                    std::vector<int>(cpus.begin(), cpus.begin() + static_cast<std::ptrdiff_t>(n)));
                if (beside.empty()) {
                    std::fprintf(stderr, "fleet_bench: a run side by side failed\n");
                    return 1;
                }
                for (const Result& r : beside) {
                    if (!have_hash) {
                        hash = r.event_hash;
                        have_hash = true;
                    }
                    same = same && r.event_hash == hash;
                }
                continue;
            }
            Result r;
            const bool ok = bench::run_in_child(
                [&] {
                    if (cpu >= 0 && !pin_to(cpu)) {
                        std::fprintf(stderr, "fleet_bench: cannot pin to vCPU %d\n", cpu);
                        std::_Exit(1);
                    }
                    return run_one(o, cpu >= 0 ? 1 : n);
                },
                r);
            if (!ok) {
                std::fprintf(stderr, "fleet_bench: a run failed\n");
                return 1;
            }
            if (!have_hash) {
                hash = r.event_hash;
                have_hash = true;
            }
            same = same && r.event_hash == hash;
            if (cpu >= 0) {
                alone[static_cast<std::size_t>(std::find(cpus.begin(), cpus.end(), cpu) -
                                               cpus.begin())] = r.wall_s;
                std::printf("round %zu: 1 thread on vCPU %d: wall %.2f s, CPU %.2f s\n", k + 1, cpu,
                            r.wall_s, r.cpu_s);
            } else {
                multi = r;
                std::printf(
                    "round %zu: %zu threads: wall %.2f s, CPU %.2f s, CPU/wall %.2f, "
                    "barrier actions %.1f%% of wall; %s\n",
                    k + 1, n, r.wall_s, r.cpu_s, r.cpu_s / r.wall_s, 100.0 * r.barrier_s / r.wall_s,
                    window_share(r, n).c_str());
            }
        }
        double fastest = std::numeric_limits<double>::infinity();
        double slowest = 0.0;
        for (const double wall : alone) {
            fastest = std::min(fastest, wall);
            slowest = std::max(slowest, wall);
        }
        speedups.push_back(fastest / multi.wall_s);
        spreads.push_back(slowest / fastest);
        // N equal parts, each run beside the others as the side-by-side runs were, end with
        // the slowest of them: N x the fastest alone over the slowest beside the others
        std::string walls;
        double slowest_beside = 0.0;
        for (std::size_t i = 0; i < beside.size(); ++i) {
            char part[96];
            std::snprintf(part, sizeof part, "%svCPU %d %.2f s (%.2fx alone)", i > 0 ? ", " : "",
                          cpus[i], beside[i].wall_s, beside[i].wall_s / alone[i]);
            walls += part;
            slowest_beside = std::max(slowest_beside, beside[i].wall_s);
        }
        ceilings.push_back(static_cast<double>(n) * fastest / slowest_beside);
        std::printf("round %zu: %zu one-thread runs side by side, one on each vCPU: %s\n", k + 1,
                    beside.size(), walls.c_str());
        std::printf(
            "round %zu: speedup %.2f over the fastest vCPU (%.2f over the slowest; "
            "vCPUs differ by %.0f%%); the host's ceiling %.2f (%zu x the fastest alone over the "
            "slowest side by side)\n",
            k + 1, speedups.back(), slowest / multi.wall_s, 100.0 * (spreads.back() - 1.0),
            ceilings.back(), n);
    }
    std::printf(
        "speedup of %zu threads over 1: %.2f (median of %zu rounds, %.2f to %.2f; over the "
        "fastest vCPU); vCPUs differ by %.0f%% (median); the host's ceiling %.2f (median, %.2f "
        "to %.2f); event hash %016llx; results identical across thread counts: %s\n",
        n, bench::median(speedups), speedups.size(),
        *std::min_element(speedups.begin(), speedups.end()),
        *std::max_element(speedups.begin(), speedups.end()), 100.0 * (bench::median(spreads) - 1.0),
        bench::median(ceilings), *std::min_element(ceilings.begin(), ceilings.end()),
        *std::max_element(ceilings.begin(), ceilings.end()), static_cast<unsigned long long>(hash),
        same ? "yes" : "NO");
    return same ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::printf(
                "usage: fleet_bench [--threads 1,2] [--vehicles 10000] [--depots 100]\n"
                "                   [--nodes 100000] [--hours 1] [--demand 400]\n"
                "                   [--profile flat|day] [--serial-below 32] [--partitions 0]\n"
                "                   [--against N --interleave 60 --repeat 5]\n"
                "                   [--threads 1,2 [--partitions P,Q] --interleave 60 --repeat 5]\n"
                "                   [--threads 1,2 --per-cpu 3] [--run-ahead 256]\n");
            return 0;
        }
        if (i + 1 >= argc) {
            std::cerr << "fleet_bench: " << arg << " needs a value\n";
            return 2;
        }
        const std::string value = argv[++i];
        try {
            if (arg == "--threads") {
                o.threads = swarm::bench::parse_list<std::size_t>(value);
            } else if (arg == "--vehicles") {
                o.vehicles = static_cast<std::uint32_t>(std::stoul(value));
            } else if (arg == "--depots") {
                o.depots = static_cast<std::uint32_t>(std::stoul(value));
            } else if (arg == "--nodes") {
                o.nodes = std::stoul(value);
            } else if (arg == "--hours") {
                o.hours = std::stod(value);
            } else if (arg == "--demand") {
                o.demand = std::stod(value);
            } else if (arg == "--partitions") {
                const auto counts = swarm::bench::parse_list<std::size_t>(value);
                if (counts.empty() || counts.size() > 2) {
                    std::cerr << "fleet_bench: --partitions takes one count or two (A,B with "
                                 "--interleave)\n";
                    return 2;
                }
                o.partitions = counts[0];
                if (counts.size() == 2) {
                    o.second_partitions = counts[1];
                }
            } else if (arg == "--serial-below") {
                o.serial_below = std::stoull(value);
            } else if (arg == "--against") {
                o.against = static_cast<std::uint32_t>(std::stoul(value));
            } else if (arg == "--run-ahead") {
                const unsigned long lookaheads = std::stoul(value);
                if (value.find('-') != std::string::npos || lookaheads > UINT32_MAX) {
                    std::cerr << "fleet_bench: --run-ahead needs lookaheads from 0 (lockstep) "
                                 "to 4294967295\n";
                    return 2;
                }
                o.run_ahead = static_cast<std::uint32_t>(lookaheads);
            } else if (arg == "--interleave") {
                o.interleave_s = std::stod(value);
                o.interleave = true;
                if (!(o.interleave_s > 0.0)) {
                    std::cerr << "fleet_bench: --interleave needs simulated seconds > 0\n";
                    return 2;
                }
            } else if (arg == "--per-cpu") {
                o.per_cpu_rounds = std::stoul(value);
                if (o.per_cpu_rounds == 0) {
                    std::cerr << "fleet_bench: --per-cpu needs rounds > 0\n";
                    return 2;
                }
            } else if (arg == "--repeat") {
                o.repeat = std::max<std::size_t>(1, std::stoul(value));
            } else if (arg == "--profile" && (value == "flat" || value == "day")) {
                o.day_profile = value == "day";
            } else {
                std::cerr << "fleet_bench: unknown option " << arg << "\n";
                return 2;
            }
        } catch (const std::exception&) {
            std::cerr << "fleet_bench: bad value for " << arg << "\n";
            return 2;
        }
    }
    const swarm::bench::MachineReport machine;
    std::printf(
        "fleet: %u vehicles (20%% drones), %u depots, %zu-node grid city, %.2f h, "
        "%.0f orders/depot/h (%s); a window after one of < %llu events runs on one thread\n",
        o.vehicles, o.depots, o.nodes, o.hours, o.demand, o.day_profile ? "day profile" : "flat",
        static_cast<unsigned long long>(o.serial_below));
    if (o.interleave && o.against == 0 && o.threads.size() != 2) {
        std::cerr << "fleet_bench: --interleave without --against compares two thread counts "
                     "(--threads 1,2)\n";
        return 2;
    }
    if (o.second_partitions && (!o.interleave || o.against > 0)) {
        std::cerr << "fleet_bench: two partition counts (--partitions P,Q) compare two runs side "
                     "by side: with --threads A,B --interleave S\n";
        return 2;
    }
    if (o.per_cpu_rounds > 0) {
        if (o.threads.size() != 2 || o.threads[0] != 1 || o.threads[1] < 2 || o.interleave ||
            o.against > 0) {
            std::cerr << "fleet_bench: --per-cpu compares one thread with N (--threads 1,N), "
                         "without --interleave or --against\n";
            return 2;
        }
        return report_per_cpu(o);
    }
    if (o.against > 0 || o.interleave) {
        return report_compared(o);
    }
    std::printf("%7s %8s %8s %8s %8s %10s %8s %9s %9s %9s %10s %18s %18s\n", "threads", "setup s",
                "wall s", "CPU s", "CPU/wall", "events", "windows", "Mev/s", "peak MiB", "base RSS",
                "B/agent", "KPI hash", "event hash");
    bool agree = true;
    Result first;
    bool have_first = false;
    for (const std::size_t t : o.threads) {
        Result r;
        if (!swarm::bench::run_in_child([&] { return run_one(o, t); }, r)) {
            std::fprintf(stderr, "fleet_bench: the run with %zu threads failed\n", t);
            return 1;
        }
        const double agents = static_cast<double>(o.vehicles + o.depots);
        const double per_agent = static_cast<double>(r.model_bytes + r.kernel_bytes) / agents;
        std::printf(
            "%7zu %8.2f %8.2f %8.2f %8.2f %10llu %8llu %9.3f %9.1f %9.1f %10.0f   %016llx   "
            "%016llx\n",
            t, r.setup_s, r.wall_s, r.cpu_s, r.cpu_s / r.wall_s,
            static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(r.windows),
            static_cast<double>(r.events) / r.wall_s / 1e6,
            static_cast<double>(r.peak_kib) / 1024.0, static_cast<double>(r.baseline_kib) / 1024.0,
            per_agent, static_cast<unsigned long long>(r.kpi_hash),
            static_cast<unsigned long long>(r.event_hash));
        std::printf(
            "        orders %llu, delivered %llu (on time %llu), failed %llu, "
            "utilisation %.1f%%, %.0f veh-km, dock queue %.2f; RSS growth over baseline "
            "%.0f B/agent; barrier actions %.2f s (%.1f%% of wall); %llu windows through the "
            "executor\n"
            "        %s\n",
            static_cast<unsigned long long>(r.created),
            static_cast<unsigned long long>(r.delivered),
            static_cast<unsigned long long>(r.on_time), static_cast<unsigned long long>(r.failed),
            100.0 * r.utilisation, r.veh_km, r.queue_mean,
            static_cast<double>(r.end_kib - r.baseline_kib) * 1024.0 / agents, r.barrier_s,
            100.0 * r.barrier_s / r.wall_s, static_cast<unsigned long long>(r.parallel_windows),
            window_share(r, t).c_str());
        // where the bytes per vehicle go (issue 20: <= 1 KB per vehicle)
        const double vehicles = static_cast<double>(o.vehicles);
        const auto per_vehicle = [vehicles](std::size_t b) {
            return static_cast<double>(b) / vehicles;
        };
        const agents::FleetMemory& m = r.model_parts;
        std::printf(
            "        memory per vehicle: vehicles %.0f B, routes %.0f B, board %.0f B, orders "
            "%.0f B (%.2f orders per vehicle), depots %.0f B, customer zones %.0f B, "
            "road views %.0f B, other %.0f B; kernel %.0f B (LP state %.0f B, queues %.0f B, "
            "exchange %.0f B)\n",
            per_vehicle(m.vehicles), per_vehicle(m.routes), per_vehicle(m.board),
            per_vehicle(m.orders), static_cast<double>(r.created) / vehicles, per_vehicle(m.depots),
            per_vehicle(m.zones), per_vehicle(m.views), per_vehicle(m.other),
            per_vehicle(r.kernel_bytes), per_vehicle(r.kernel_parts.lp_state_bytes),
            per_vehicle(r.kernel_parts.queue_bytes), per_vehicle(r.kernel_parts.exchange_bytes));
        if (have_first) {
            agree = agree && r.kpi_hash == first.kpi_hash && r.event_hash == first.event_hash;
        } else {
            first = r;
            have_first = true;
        }
    }
    std::printf("results identical across thread counts: %s\n", agree ? "yes" : "NO");
    return agree ? 0 : 1;
}
