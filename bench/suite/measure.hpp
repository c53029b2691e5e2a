#pragma once
// The measurements behind the benchmark programs (bench/*) and `swarmsim bench`: one
// function per benchmark, returning numbers and printing nothing, so that the programs and
// the CLI share them. Timing covers the simulation only (setup reported apart).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agents/fleet/fleet_run.hpp"
#include "agents/routing/router.hpp"
#include "agents/world/road_network.hpp"
#include "bench/fleet/bench_city.hpp"
#include "io/trace/trace_observer.hpp"
#include "io/trace/trace_writer.hpp"
#include "sim/cpu_usage.hpp"

namespace swarm::bench {

// ---- PHOLD (ROSS definition: mean 2, lookahead 1, 25% remote) ----
struct PholdResult {
    double events_per_second = 0;
    std::uint64_t events = 0;
    std::uint64_t windows = 0;
    std::uint64_t hash = 0;
    long peak_kib = 0;
    std::size_t kernel_bytes = 0;
};
[[nodiscard]] PholdResult measure_phold(std::uint32_t lps, std::size_t threads,
                                        std::uint64_t events, std::size_t partitions = 0);

// ---- routing: random fastest-path queries on one core ----
using RoutePairs = std::vector<std::pair<world::NodeId, world::NodeId>>;
[[nodiscard]] RoutePairs random_pairs(const world::RoadNetwork& net, std::size_t count,
                                      std::uint64_t seed);
struct RoutingResult {
    double queries_per_second = 0;      // median of the repeats, wall clock
    double cpu_queries_per_second = 0;  // median of the repeats, per thread CPU second
    double settled_per_query = 0;
    double checksum = 0;  // keeps the work observable
};
[[nodiscard]] RoutingResult measure_routing(routing::Router& router, const RoutePairs& pairs,
                                            bool with_path, std::size_t repeats);

// ---- fleet on the benchmark city, optionally traced ----
struct FleetBenchParams {
    BenchCityParams city;
    double hours = 1.0;
    std::size_t threads = 1;
    bool kpis = true;  // a KPI observer on the KPI grid
    std::uint64_t serial_below_events = agents::FleetRunOptions::kSerialBelowEvents;
    std::size_t partitions = 0;  // 0: one per thread (FleetRunOptions::partitions)
    std::uint32_t run_ahead_lookaheads = agents::FleetRunOptions::kRunAheadLookaheads;
    double sample_s = 0.0;   // > 0: engine samples at this interval (the trace's grid)
    std::string trace_path;  // non-empty: an HDF5 trace at every sample
    io::TraceOptions trace_options;
    // /events' order lifecycle rows (a scenario's output.events; the
    // benchmarks write them, swarmsim run only when asked)
    io::TraceObserverOptions trace_rows;
    // the kernel's exchange (FleetRunOptions::exchange; across MPI ranks: bench/mpi)
    std::function<std::unique_ptr<sim::Exchange>()> exchange;
    // called just before the timed run (across ranks: a barrier, so all start together)
    // and just after it, before anything else reads the run
    std::function<void()> before_run;
    std::function<void(agents::FleetRun&)> after_run;
};
using sim::cpu_usage;
using sim::CpuUsage;  // getrusage of the process or of one thread (sim/cpu_usage.hpp)

struct FleetResult {
    double wall_s = 0;  // run (and trace drain/close), without setup
    double setup_s = 0;
    double cpu_s = 0;    // user + system time of the process over wall_s (all threads)
    double close_s = 0;  // trace drain and close after the run
    std::uint64_t events = 0;
    std::uint64_t windows = 0;
    std::uint64_t parallel_windows = 0;  // handed to the executor
    double barrier_s = 0;          // of the run: in barrier actions (board, KPIs, disruptions, ...)
    double observer_s = 0;         // of the run: in observers at window ends (the trace's sampling)
    double parallel_window_s = 0;  // of the run: windows handed to the executor (sim::RunStats)
    double partition_s = 0;        // the partitions' own time in those windows, summed
    std::uint64_t event_hash = 0;
    std::uint64_t kpi_hash = 0;
    long peak_kib = 0;
    long baseline_kib = 0;  // resident after network, routers and zones, before the run
    long end_kib = 0;       // resident after the run
    std::size_t model_bytes = 0;
    std::size_t kernel_bytes = 0;
    agents::FleetMemory model_parts;  // model_bytes by part
    sim::MemoryStats kernel_parts;    // kernel_bytes by part
    std::uint64_t created = 0;
    std::uint64_t delivered = 0;
    std::uint64_t on_time = 0;
    std::uint64_t failed = 0;
    double utilisation = 0;
    double veh_km = 0;
    double queue_mean = 0;
    std::uint64_t frames = 0;
    std::uint64_t trace_events = 0;
    std::uint64_t waits = 0;          // pushes that blocked on the writer
    std::uint64_t trace_flushes = 0;  // the file's flushes, the last one at close too
    double trace_sample_s = 0;        // in the trace observer, on the simulation thread
    double trace_push_s = 0;          // ... of which blocked on a full writer queue
    double trace_writer_cpu_s = 0;    // CPU of the writer thread
    double trace_open_cpu_s = 0;      // ... of which creating the file, before the run
    // where the CPU went (cpu_s = process.cpu_s()): the process over wall_s, the calling
    // (simulation) thread in the run and in the trace's drain and close after it, the trace's
    // writer thread over its life (TraceWriterStats)
    CpuUsage process;
    CpuUsage main_run;
    CpuUsage main_close;
    CpuUsage writer;
};
// a benchmark run's options: seed 42, the city's routers, samples every `sample_s` from the
// first (0: the KPI interval), KPIs sampled when `kpis`
[[nodiscard]] agents::FleetRunOptions run_options(const BenchCity& city, double sample_s, bool kpis,
                                                  std::size_t threads = 1);
[[nodiscard]] FleetResult measure_fleet(const FleetBenchParams& p);

// ---- two fleet runs side by side in one process ----
// What one run spent in its slices: the process's CPU (all threads, the scheduler's clock),
// the calling (simulation) thread's, system time and minor faults (getrusage), wall time
struct SliceTotals {
    double cpu_s = 0;
    double sim_s = 0;
    double sys_s = 0;
    double wall_s = 0;
    std::uint64_t faults = 0;
    std::uint64_t events = 0;
};
// Runs `a` and `b` (started, on this thread) to `end`, `slice` ticks at a time, taking turns
// (which of the two goes first alternates), and counts each slice to its run: a host whose
// speed drifts, or differs from one process to the next, slows both alike, where two child
// processes' figures differ by more than what is measured (trace_bench --interleave,
// docs/trace-cost-history-23-28.md "Session 23"). `settle_b`, when given, ends each of b's
// slices inside its measurement (a trace writer's wait_idle(): its thread's work for the slice
// is b's).
// `measure(totals, work)` adds what work() cost to totals: the same accounting for any step
// a caller times itself (closing a trace).
struct InterleavedRuns {
    SliceTotals a;
    SliceTotals b;
    std::uint64_t slices = 0;
};
[[nodiscard]] InterleavedRuns run_interleaved(agents::FleetRun& a, agents::FleetRun& b,
                                              sim::Tick end, sim::Tick slice,
                                              const std::function<void()>& settle_b = {});
void measure(SliceTotals& totals, const std::function<void()>& work);

// process CPU time (user + system, all threads) in seconds, from the scheduler's clock: exact
// over short intervals, where getrusage's per-process times are adjusted from tick samples
[[nodiscard]] double process_cpu_seconds();

}  // namespace swarm::bench
