#include "bench/suite/measure.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <random>

#include "agents/fleet/fleet_run.hpp"
#include "bench/bench_util.hpp"
#include "io/trace/trace_observer.hpp"
#include "sim/engine.hpp"
#include "sim/executor.hpp"
#include "sim/models/phold.hpp"

namespace swarm::bench {

using Clock = std::chrono::steady_clock;

double process_cpu_seconds() {
    timespec cpu{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    return static_cast<double>(cpu.tv_sec) + 1e-9 * static_cast<double>(cpu.tv_nsec);
}

PholdResult measure_phold(std::uint32_t lps, std::size_t threads, std::uint64_t events,
                          std::size_t partitions) {
    sim::PholdParams params;
    sim::PholdModel model(lps, params);
    auto executor = sim::make_executor(threads);
    sim::EngineConfig config;
    config.lp_count = lps;
    config.lookahead = params.lookahead;
    config.seed = 42;
    config.partitions = partitions;
    sim::Engine engine(config, model, *executor);
    model.seed_events(engine);
    sim::RunLimits limits;
    limits.max_events = events;
    const auto stats = engine.run(limits);
    PholdResult r;
    r.events = stats.events;
    r.windows = stats.windows;
    r.events_per_second = static_cast<double>(stats.events) / stats.wall_seconds;
    r.hash = engine.event_hash();
    r.peak_kib = peak_rss_kib();
    r.kernel_bytes = engine.memory().total();
    return r;
}

RoutePairs random_pairs(const world::RoadNetwork& net, std::size_t count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    RoutePairs pairs(count);
    for (auto& [a, b] : pairs) {
        a = static_cast<world::NodeId>(rng() % net.node_count());
        b = static_cast<world::NodeId>(rng() % net.node_count());
    }
    return pairs;
}

RoutingResult measure_routing(routing::Router& router, const RoutePairs& pairs, bool with_path,
                              std::size_t repeats) {
    RoutingResult out;
    std::vector<double> rates;
    std::vector<double> cpu_rates;
    for (std::size_t r = 0; r < std::max<std::size_t>(1, repeats); ++r) {
        std::size_t settled_sum = 0;
        const auto start = Clock::now();
        const double cpu0 = thread_cpu_seconds();
        for (const auto& [a, b] : pairs) {
            if (with_path) {
                const routing::Route route = router.fastest(a, b);
                out.checksum += route.travel_time_s + static_cast<double>(route.edges.size());
            } else {
                out.checksum += router.travel_time(a, b);
            }
            settled_sum += router.last_stats().settled;
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        rates.push_back(static_cast<double>(pairs.size()) / seconds);
        cpu_rates.push_back(static_cast<double>(pairs.size()) / (thread_cpu_seconds() - cpu0));
        out.settled_per_query = static_cast<double>(settled_sum) /
                                static_cast<double>(std::max<std::size_t>(1, pairs.size()));
    }
    out.queries_per_second = median(rates);
    out.cpu_queries_per_second = median(cpu_rates);
    return out;
}

agents::FleetRunOptions run_options(const BenchCity& city, double sample_s, bool kpis,
                                    std::size_t threads) {
    // KPIs (when asked) and the trace on one grid, from its first interval on
    const sim::Tick every =
        city.spec.time.from_seconds(sample_s > 0.0 ? sample_s : city.spec.demand.kpi_interval_s);
    agents::FleetRunOptions o;
    o.seed = 42;
    o.threads = threads;
    o.routers = city.routers.get();
    o.sample_first = every;
    o.sample_interval = every;
    o.kpi_samples = kpis;
    return o;
}

FleetResult measure_fleet(const FleetBenchParams& p) {
    FleetResult r;
    const auto t0 = Clock::now();
    const BenchCity city = make_bench_city(p.city);
    const agents::FleetSpec& spec = city.spec;
    agents::FleetRunOptions o = run_options(city, p.sample_s, p.kpis, p.threads);
    const sim::Tick interval = o.sample_interval;
    o.serial_below_events = p.serial_below_events;
    o.partitions = p.partitions;
    o.run_ahead_lookaheads = p.run_ahead_lookaheads;
    o.time_windows = true;
    o.exchange = p.exchange;
    agents::FleetRun run(spec, o);
    r.baseline_kib = rss_kib();
    run.start();
    std::unique_ptr<io::TraceWriter> writer;
    std::unique_ptr<io::TraceObserver> observer;
    if (!p.trace_path.empty()) {
        io::TraceHeader h =
            io::TraceObserver::header_for(run.model(), spec.time.to_seconds(interval));
        h.scenario_text = "# swarmsim benchmark city\n";
        h.seed = 42;
        h.threads = p.threads;
        writer = std::make_unique<io::TraceWriter>(p.trace_path, h, p.trace_options);
        observer = std::make_unique<io::TraceObserver>(run.model(), *writer, p.trace_rows);
        run.add_observer(*observer);
    }
    r.setup_s = std::chrono::duration<double>(Clock::now() - t0).count();

    sim::RunLimits limits;
    limits.until = spec.time.from_seconds(p.hours * 3600.0);
    if (p.before_run) {
        p.before_run();
    }
    const CpuUsage process1 = cpu_usage(RUSAGE_SELF);
    const CpuUsage main1 = cpu_usage(RUSAGE_THREAD);
    const auto t1 = Clock::now();
    const auto stats = run.run(limits);
    const auto t2 = Clock::now();
    const CpuUsage main2 = cpu_usage(RUSAGE_THREAD);
    if (writer) {
        writer->close();
        r.frames = writer->stats().frames;
        r.trace_events = writer->stats().events;
        r.waits = writer->stats().producer_waits;
        r.trace_flushes = writer->stats().flushes;
        r.trace_sample_s = observer->sample_seconds();
        r.trace_push_s = observer->push_seconds();
        const io::TraceWriterStats& ws = writer->stats();
        r.trace_writer_cpu_s = ws.writer_cpu_s;
        r.trace_open_cpu_s = ws.writer_open_cpu_s;
        r.writer = ws.writer_usage;
    }
    const auto t3 = Clock::now();
    r.wall_s = std::chrono::duration<double>(t3 - t1).count();
    r.close_s = std::chrono::duration<double>(t3 - t2).count();
    r.main_run = main2 - main1;
    r.main_close = cpu_usage(RUSAGE_THREAD) - main2;
    r.process = cpu_usage(RUSAGE_SELF) - process1;
    r.cpu_s = r.process.cpu_s();
    if (p.after_run) {
        p.after_run(run);
    }
    r.events = stats.events;
    r.windows = stats.windows;
    r.parallel_windows = stats.parallel_windows;
    r.barrier_s = stats.barrier_seconds;
    r.observer_s = stats.observer_seconds;
    r.parallel_window_s = stats.parallel_window_seconds;
    r.partition_s = stats.partition_seconds;
    r.event_hash = run.engine().event_hash();
    const agents::FleetKpis k = run.finish(limits.until);
    if (p.kpis) {
        const agents::KpiSummary& s = k.summary;
        r.kpi_hash = k.hash;
        r.created = s.created;
        r.delivered = s.delivered;
        r.on_time = s.delivered_on_time;
        r.failed = s.failed;
        r.utilisation = s.utilisation;
        r.veh_km = s.veh_km;
        r.queue_mean = s.queue_mean;
    }
    r.peak_kib = peak_rss_kib();
    r.end_kib = rss_kib();
    r.model_parts = run.model().memory();
    r.kernel_parts = run.engine().memory();
    r.model_bytes = r.model_parts.total();
    r.kernel_bytes = r.kernel_parts.total();
    return r;
}

void measure(SliceTotals& totals, const std::function<void()>& work) {
    const CpuUsage c0 = cpu_usage(RUSAGE_SELF);
    const double p0 = process_cpu_seconds();
    const double s0 = sim::thread_cpu_seconds();
    const auto t0 = Clock::now();
    work();
    totals.sim_s += sim::thread_cpu_seconds() - s0;
    totals.cpu_s += process_cpu_seconds() - p0;
    const CpuUsage used = cpu_usage(RUSAGE_SELF) - c0;
    totals.sys_s += used.sys_s;
    totals.faults += used.minor_faults;
    totals.wall_s += std::chrono::duration<double>(Clock::now() - t0).count();
}

InterleavedRuns run_interleaved(agents::FleetRun& a, agents::FleetRun& b, sim::Tick end,
                                sim::Tick slice, const std::function<void()>& settle_b) {
    InterleavedRuns r;
    slice = std::max<sim::Tick>(1, slice);
    for (sim::Tick t = std::min(slice, end);; t = std::min(t + slice, end)) {
        sim::RunLimits limits;
        limits.until = t;
        const auto run_a = [&] { measure(r.a, [&] { r.a.events += a.run(limits).events; }); };
        const auto run_b = [&] {
            measure(r.b, [&] {
                r.b.events += b.run(limits).events;
                if (settle_b) {
                    settle_b();
                }
            });
        };
        if (r.slices % 2 == 0) {
            run_a();
            run_b();
        } else {
            run_b();
            run_a();
        }
        ++r.slices;
        if (t >= end) {
            return r;
        }
    }
}

}  // namespace swarm::bench
