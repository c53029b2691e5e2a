// Trace overhead on the fleet benchmark setup (10,000 vehicles, 100 depots, 100,000-node grid
// city, 1 simulated hour): process CPU and wall time without and with the HDF5 trace at 1 s
// sampling, the overhead in percent of each (target <= 10% in CPU time: the median of
// --repeat alternating pairs' ratios), the file size and MB per agent-hour. Each run is a
// child process; the load average is printed at the start and the end. Each pair also says
// where the traced run's extra CPU went (getrusage per thread: user and system time, minor
// page faults, voluntary and involuntary context switches): the writer thread, the simulation
// thread in the observer, the simulation thread running the same events slower, the close.
//
//   trace_bench [--threads 1] [--vehicles 10000] [--depots 100] [--nodes 100000] [--hours 1]
//               [--sample 1] [--baseline-sample S] [--deflate 1] [--codec row|libdeflate]
//               [--chunk-frames 32]
//               [--agent-block 1024] [--queue 256] [--flush-every 0] [--first-flush 64]
//               [--flush-seconds 5] [--repeat 5] [--interleave S [--aa 1]]
//               [--events 1|0] [--out /tmp/swarm_trace_bench.h5]
//   trace_bench --read FILE
// --events 0 leaves /events without the order lifecycle rows, as `swarmsim run` writes a
// trace unless the scenario asks for them (output.events)
// --read FILE reads a trace as the visualizer's replay does (TraceReader::frame, every
// per-agent value): every frame in order, then the last 200 backwards; wall and CPU per frame

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "agents/fleet/fleet_model.hpp"
#include "agents/routing/router.hpp"
#include "agents/world/generators.hpp"
#include "bench/bench_util.hpp"
#include "bench/suite/measure.hpp"
#include "io/trace/trace_observer.hpp"
#include "io/trace/trace_reader.hpp"
#include "io/trace/trace_writer.hpp"
#include "sim/engine.hpp"
#include "sim/executor.hpp"

namespace {

using namespace swarm;

struct Options {
    std::size_t threads = 1;
    std::uint32_t vehicles = 10'000;
    std::uint32_t depots = 100;
    std::size_t nodes = 100'000;
    double hours = 1.0;
    double sample_s = 1.0;
    // the run without the trace samples on the scenario's own grid (its KPI interval) unless
    // --baseline-sample says otherwise: the cost of a trace includes the samples it asks for
    double baseline_sample_s = 0.0;
    double demand = 400.0;
    std::string out = "/tmp/swarm_trace_bench.h5";
    std::string read;  // --read: only read this trace's frames
    int deflate = 1;
    bool row_deflate = true;
    std::size_t chunk_frames = 32;
    std::size_t agent_block = 1024;
    std::size_t queue = io::TraceOptions{}.queue_capacity;
    std::size_t flush_every = io::TraceOptions{}.flush_every;
    std::size_t first_flush = io::TraceOptions{}.first_flush;
    // under callgrind (~50x slower) the wall-time bound flushes far more often than in a
    // real run: --flush-seconds 1e9 counts what a run shorter than it does
    double flush_seconds = io::TraceOptions{}.flush_seconds;
    std::size_t repeat = 5;
    double interleave_s = 0.0;  // > 0: both runs in one process, slices of this (see above)
    bool aa = false;            // --interleave with no trace on either run: the method's own error
    bool events = true;         // /events' order rows (output.events)
};

using Result = bench::FleetResult;

io::TraceObserverOptions observer_options(const Options& o) {
    io::TraceObserverOptions t;
    t.order_events = o.events;
    return t;
}

io::TraceOptions trace_options(const Options& o) {
    io::TraceOptions t;
    t.replace = true;  // the benchmark's own scratch file, run after run
    t.deflate = o.deflate;
    t.row_deflate = o.row_deflate;
    t.chunk_frames = o.chunk_frames;
    t.agent_block = o.agent_block;
    t.queue_capacity = o.queue;
    t.flush_every = o.flush_every;
    t.first_flush = o.first_flush;
    t.flush_seconds = o.flush_seconds;
    return t;
}

// the same run without the trace (sampling on the scenario's own grid, or every
// baseline_sample_s) and with it (every sample_s); no KPI observer in either
Result run_one(const Options& o, bool traced) {
    bench::FleetBenchParams p;
    p.city.vehicles = o.vehicles;
    p.city.depots = o.depots;
    p.city.nodes = o.nodes;
    p.city.demand_per_depot_hour = o.demand;
    p.hours = o.hours;
    p.threads = o.threads;
    p.kpis = false;
    p.sample_s = traced ? o.sample_s : o.baseline_sample_s;
    if (traced) {
        p.trace_path = o.out;
        p.trace_options = trace_options(o);
        p.trace_rows = observer_options(o);
    }
    return bench::measure_fleet(p);
}

// one pair of runs interleaved in this process (--interleave): CPU by run, slice by slice
struct Interleaved {
    bench::SliceTotals plain;   // the plain run's slices
    bench::SliceTotals traced;  // the traced run's slices (to the writer's idle) and its close
    double close_cpu_s = 0;     // of traced.cpu_s: the close (last commit, marking, rename)
    double close_sim_s = 0;     // of traced.sim_s: the close's on the simulation thread
    double writer_cpu_s = 0;    // the writer thread over the run (without creating the file)
    double observer_s = 0;      // of traced.sim_s: in the trace observer (wall, not pushing)
    std::uint64_t slices = 0;
    std::uint64_t plain_hash = 0;
    std::uint64_t traced_hash = 0;
    std::uint64_t frames = 0;
    std::uint64_t flushes = 0;
};

Interleaved interleaved_pair(const Options& o) {
    bench::BenchCityParams cp;
    cp.vehicles = o.vehicles;
    cp.depots = o.depots;
    cp.nodes = o.nodes;
    cp.demand_per_depot_hour = o.demand;
    const bench::BenchCity city = bench::make_bench_city(cp);
    const agents::FleetSpec& spec = city.spec;
    const double plain_sample_s =
        o.baseline_sample_s > 0.0 ? o.baseline_sample_s : spec.demand.kpi_interval_s;
    // as measure_fleet sets each run up: no KPI observer, sampling on its grid
    agents::FleetRun plain(spec, bench::run_options(city, plain_sample_s, false));
    agents::FleetRun traced(spec, bench::run_options(city, o.sample_s, false));
    plain.start();
    traced.start();
    std::unique_ptr<io::TraceWriter> writer;
    std::unique_ptr<io::TraceObserver> observer;
    if (!o.aa) {
        io::TraceHeader h = io::TraceObserver::header_for(traced.model(), o.sample_s);
        h.scenario_text = "# swarmsim benchmark city\n";
        h.seed = 42;
        h.threads = 1;
        writer = std::make_unique<io::TraceWriter>(o.out, h, trace_options(o));
        observer =
            std::make_unique<io::TraceObserver>(traced.model(), *writer, observer_options(o));
        traced.add_observer(*observer);
    }

    const sim::Tick end = spec.time.from_seconds(o.hours * 3600.0);
    const bench::InterleavedRuns runs =
        bench::run_interleaved(plain, traced, end, spec.time.from_seconds(o.interleave_s), [&] {
            if (writer) {
                writer->wait_idle();  // the writer's share of the slice is the traced run's
            }
        });
    bench::SliceTotals traced_totals = runs.b;
    Interleaved r;
    if (writer) {
        bench::SliceTotals close;
        bench::measure(close, [&] { writer->close(); });
        r.close_cpu_s = close.cpu_s;
        r.close_sim_s = close.sim_s;
        traced_totals.cpu_s += close.cpu_s;
        traced_totals.sim_s += close.sim_s;
        traced_totals.sys_s += close.sys_s;
        traced_totals.faults += close.faults;
        traced_totals.wall_s += close.wall_s;
        const io::TraceWriterStats& ws = writer->stats();
        r.writer_cpu_s = ws.writer_cpu_s - ws.writer_open_cpu_s;
        r.frames = ws.frames;
        r.flushes = ws.flushes;
        r.observer_s = observer->sample_seconds() - observer->push_seconds();
    }
    r.plain = runs.a;
    r.traced = traced_totals;
    r.slices = runs.slices;
    r.plain_hash = plain.engine().event_hash();
    r.traced_hash = traced.engine().event_hash();
    return r;
}

// --interleave: pairs in one child each, the overhead the median of their CPU ratios
int report_interleaved(const Options& o) {
    std::printf(
        "interleaved: each pair in one process, %.0f simulated s per slice, alternately "
        "(TraceWriter::wait_idle ends a traced slice)%s\n",
        o.interleave_s, o.aa ? "; A/A CHECK: neither run is traced" : "");
    std::vector<double> ratios;
    std::vector<double> plain_cpu;
    std::vector<double> traced_cpu;
    std::vector<double> writer_cpu;
    std::vector<double> extra_cpu;  // traced - plain, s: steadier than the ratio on a host whose
                                    // slow mode slows the simulation more than the trace
    std::vector<double> observer_cpu;
    std::vector<double> slower_cpu;  // the simulation thread's extra beside the observer
    std::vector<double> close_cpu;
    bool same = true;
    Interleaved r;
    for (std::size_t k = 0; k < o.repeat; ++k) {
        if (!bench::run_in_child([&] { return interleaved_pair(o); }, r)) {
            std::fprintf(stderr, "trace_bench: a run failed\n");
            return 1;
        }
        ratios.push_back(r.traced.cpu_s / r.plain.cpu_s);
        plain_cpu.push_back(r.plain.cpu_s);
        traced_cpu.push_back(r.traced.cpu_s);
        writer_cpu.push_back(r.writer_cpu_s);
        extra_cpu.push_back(r.traced.cpu_s - r.plain.cpu_s);
        observer_cpu.push_back(r.observer_s);
        slower_cpu.push_back(r.traced.sim_s - r.close_sim_s - r.observer_s - r.plain.sim_s);
        close_cpu.push_back(r.close_cpu_s);
        same = same && r.plain_hash == r.traced_hash;
        std::printf(
            "pair %zu: CPU %.2f s / %.2f s (%+.1f%%; simulation thread %.3f s / %.3f s, of it in "
            "the observer %.3f s; system %.3f s / %.3f s, minor faults %llu / %llu), writer "
            "thread %.2f s, close %.2f s; wall of the slices %.2f s / %.2f s; %llu slices, %llu "
            "frames, %llu flushes\n",
            k + 1, r.plain.cpu_s, r.traced.cpu_s, 100.0 * (ratios.back() - 1.0), r.plain.sim_s,
            r.traced.sim_s, r.observer_s, r.plain.sys_s, r.traced.sys_s,
            static_cast<unsigned long long>(r.plain.faults),
            static_cast<unsigned long long>(r.traced.faults), r.writer_cpu_s, r.close_cpu_s,
            r.plain.wall_s, r.traced.wall_s, static_cast<unsigned long long>(r.slices),
            static_cast<unsigned long long>(r.frames), static_cast<unsigned long long>(r.flushes));
    }
    std::printf(
        "medians of %zu: CPU %.2f s without the trace, %.2f s with it, extra %.3f s (%.3f to "
        "%.3f s; writer thread %.2f s); %llu events\n",
        o.repeat, bench::median(plain_cpu), bench::median(traced_cpu), bench::median(extra_cpu),
        *std::min_element(extra_cpu.begin(), extra_cpu.end()),
        *std::max_element(extra_cpu.begin(), extra_cpu.end()), bench::median(writer_cpu),
        static_cast<unsigned long long>(r.plain.events));
    std::printf(
        "medians of the extra's parts: writer thread %.3f s, observer %.3f s, simulation thread "
        "slower %.3f s, close %.3f s\n",
        bench::median(writer_cpu), bench::median(observer_cpu), bench::median(slower_cpu),
        bench::median(close_cpu));
    std::printf(
        "trace overhead in CPU time %.1f%% (median of the interleaved pairs' ratios, %.1f%% to "
        "%.1f%%; target <= 10%%)\n",
        100.0 * (bench::median(ratios) - 1.0),
        100.0 * (*std::min_element(ratios.begin(), ratios.end()) - 1.0),
        100.0 * (*std::max_element(ratios.begin(), ratios.end()) - 1.0));
    if (!o.aa) {
        const double bytes = static_cast<double>(std::filesystem::file_size(o.out));
        std::printf("file %.1f MB\n", bytes / 1e6);
    }
    std::printf("same events with and without the trace: %s (event hash %016llx)\n",
                same ? "yes" : "NO", static_cast<unsigned long long>(r.plain_hash));
    return same ? 0 : 1;
}

void print_usage(const char* name, const bench::CpuUsage& u) {
    std::printf("    %-22s user %5.2f s, sys %5.2f s, %7llu minor faults, %5llu + %5llu switches\n",
                name, u.user_s, u.sys_s, static_cast<unsigned long long>(u.minor_faults),
                static_cast<unsigned long long>(u.voluntary_switches),
                static_cast<unsigned long long>(u.involuntary_switches));
}

// where the traced run's extra CPU went: the writer thread, the simulation thread's observer,
// the simulation thread running the same events slower, the drain and close, the rest
struct Split {
    double extra = 0;         // traced process CPU - plain process CPU
    double writer = 0;        // the writer thread's CPU in the run (not creating the file)
    double observer = 0;      // the simulation thread in the trace observer (wall ~ CPU)
    double sim_slower = 0;    // the simulation thread's run CPU - plain's - observer
    double close = 0;         // the calling thread's CPU in close() (drain, rename, fsync)
    double unattributed = 0;  // extra - all of the above (other threads)
};

Split split_of(const Result& plain, const Result& traced) {
    Split s;
    s.extra = traced.cpu_s - plain.cpu_s;
    s.writer = traced.writer.cpu_s() - traced.trace_open_cpu_s;
    s.observer = traced.trace_sample_s - traced.trace_push_s;
    s.sim_slower = traced.main_run.cpu_s() - plain.main_run.cpu_s() - s.observer;
    s.close = traced.main_close.cpu_s();
    s.unattributed = s.extra - s.writer - s.observer - s.sim_slower - s.close;
    return s;
}

void print_split(const Result& plain, const Result& traced) {
    print_usage("plain process", plain.process);
    print_usage("plain sim thread", plain.main_run);
    print_usage("traced process", traced.process);
    print_usage("traced sim thread", traced.main_run);
    print_usage("traced close (caller)", traced.main_close);
    print_usage("traced writer thread", traced.writer);
    const Split s = split_of(plain, traced);
    std::printf(
        "    extra CPU %.3f s = writer %.3f + observer %.3f + simulation slower %.3f + close "
        "%.3f + other %.3f\n",
        s.extra, s.writer, s.observer, s.sim_slower, s.close, s.unattributed);
}

}  // namespace

// --read: a replay's frame reads, in order (each applies the rows since the last frame) and
// backwards (each rebuilds from the keyframe before it)
int report_reads(const std::string& path) {
    try {
        const io::TraceReader reader(path);
        const std::size_t n = reader.samples();
        std::printf("read %s: %zu frames, %zu agents\n", path.c_str(), n, reader.agents());
        double checksum = 0.0;  // keeps the reads from being optimised away
        const auto timed = [&](const char* what, const std::vector<std::size_t>& frames) {
            const auto wall0 = std::chrono::steady_clock::now();
            const double cpu0 = swarm::bench::cpu_seconds();
            for (const std::size_t k : frames) {
                const io::TraceFrameData f = reader.frame(k);
                checksum += f.position.empty() ? 0.0 : static_cast<double>(f.position[0]);
            }
            const double cpu = swarm::bench::cpu_seconds() - cpu0;
            const double wall =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
            const double per = 1e3 / static_cast<double>(std::max<std::size_t>(1, frames.size()));
            std::printf("%-28s %6zu frames: wall %.3f ms, CPU %.3f ms per frame, CPU/wall %.2f\n",
                        what, frames.size(), wall * per, cpu * per, wall > 0.0 ? cpu / wall : 0.0);
        };
        std::vector<std::size_t> frames(n);
        for (std::size_t k = 0; k < n; ++k) {
            frames[k] = k;
        }
        timed("in order", frames);
        std::reverse(frames.begin(), frames.end());
        frames.resize(std::min<std::size_t>(200, n));
        timed("backwards, the last 200", frames);
        std::printf("checksum %.6g\n", checksum);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "trace_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::printf(
                "usage: trace_bench [--threads 1] [--vehicles 10000] [--depots 100]\n"
                "                   [--nodes 100000] [--hours 1] [--sample 1] [--baseline-sample "
                "S]\n"
                "                   [--deflate 1] "
                "[--codec row|libdeflate]\n"
                "                   [--chunk-frames 32] [--agent-block 1024]\n"
                "                   [--queue 256] [--flush-every 0] [--first-flush 64]\n"
                "                   [--flush-seconds 5] [--repeat 5] [--interleave S [--aa 1]]\n"
                "                   [--events 1|0]\n"
                "                   [--out FILE]\n"
                "       trace_bench --read FILE\n");
            return 0;
        }
        if (i + 1 >= argc) {
            std::cerr << "trace_bench: " << arg << " needs a value\n";
            return 2;
        }
        const std::string value = argv[++i];
        try {
            if (arg == "--threads") {
                o.threads = std::stoul(value);
            } else if (arg == "--vehicles") {
                o.vehicles = static_cast<std::uint32_t>(std::stoul(value));
            } else if (arg == "--depots") {
                o.depots = static_cast<std::uint32_t>(std::stoul(value));
            } else if (arg == "--nodes") {
                o.nodes = std::stoul(value);
            } else if (arg == "--hours") {
                o.hours = std::stod(value);
            } else if (arg == "--sample") {
                o.sample_s = std::stod(value);
            } else if (arg == "--baseline-sample") {
                o.baseline_sample_s = std::stod(value);
            } else if (arg == "--deflate") {
                o.deflate = std::stoi(value);
            } else if (arg == "--codec") {
                if (value != "row" && value != "libdeflate") {
                    std::cerr << "trace_bench: --codec is row or libdeflate\n";
                    return 2;
                }
                o.row_deflate = value == "row";
            } else if (arg == "--chunk-frames") {
                o.chunk_frames = std::stoul(value);
            } else if (arg == "--repeat") {
                o.repeat = std::max<std::size_t>(1, std::stoul(value));
            } else if (arg == "--flush-every") {
                o.flush_every = std::stoul(value);  // 0: no frame bound after the first flush
            } else if (arg == "--first-flush") {
                o.first_flush = std::max<std::size_t>(1, std::stoul(value));
            } else if (arg == "--flush-seconds") {
                o.flush_seconds = std::stod(value);
            } else if (arg == "--queue") {
                o.queue = std::stoul(value);
            } else if (arg == "--agent-block") {
                o.agent_block = std::stoul(value);
            } else if (arg == "--aa") {
                o.aa = value == "1" || value == "yes";
                if (!o.aa && value != "0" && value != "no") {
                    std::cerr << "trace_bench: --aa is 1 or 0\n";
                    return 2;
                }
            } else if (arg == "--events") {
                o.events = value == "1" || value == "yes";
                if (!o.events && value != "0" && value != "no") {
                    std::cerr << "trace_bench: --events is 1 or 0\n";
                    return 2;
                }
            } else if (arg == "--interleave") {
                o.interleave_s = std::stod(value);
                if (!(o.interleave_s > 0.0)) {
                    std::cerr << "trace_bench: --interleave needs simulated seconds > 0\n";
                    return 2;
                }
            } else if (arg == "--out") {
                o.out = value;
            } else if (arg == "--read") {
                o.read = value;
            } else {
                std::cerr << "trace_bench: unknown option " << arg << "\n";
                return 2;
            }
        } catch (const std::exception&) {
            std::cerr << "trace_bench: bad value for " << arg << "\n";
            return 2;
        }
    }
    const swarm::bench::MachineReport machine;
    if (!o.read.empty()) {
        return report_reads(o.read);
    }
    std::printf(
        "trace: %u vehicles, %u depots, %zu-node grid city, %.2f h, %zu thread(s), "
        "traced run sampling every %.3g s, %s, %zu alternating pairs of runs\n",
        o.vehicles, o.depots, o.nodes, o.hours, o.threads, o.sample_s,
        o.events ? "with order rows (--events 1)" : "without order rows (--events 0)", o.repeat);
    if (o.baseline_sample_s > 0.0) {
        std::printf("run without the trace sampling every %.3g s (--baseline-sample)\n",
                    o.baseline_sample_s);
    } else {
        std::printf("run without the trace sampling on the scenario's own grid (%.0f s)\n",
                    agents::FleetSpec{}.demand.kpi_interval_s);
    }
    if (o.interleave_s > 0.0) {
        if (o.threads != 1) {
            std::cerr << "trace_bench: --interleave measures runs on one thread (--threads 1)\n";
            return 2;
        }
        return report_interleaved(o);
    }
    // pairs of runs, plain then traced, each in a fresh child: on a shared machine the
    // load drifts between runs, so the overhead is the median of the per-pair ratios
    std::vector<Result> plains;
    std::vector<Result> traceds;
    std::vector<double> ratios;
    std::vector<double> cpu_ratios;  // process CPU, all threads (the writer's too)
    for (std::size_t k = 0; k < o.repeat; ++k) {
        Result plain;
        Result traced;
        if (!swarm::bench::run_in_child([&] { return run_one(o, false); }, plain) ||
            !swarm::bench::run_in_child([&] { return run_one(o, true); }, traced)) {
            std::fprintf(stderr, "trace_bench: a run failed\n");
            return 1;
        }
        plains.push_back(plain);
        traceds.push_back(traced);
        ratios.push_back(traced.wall_s / plain.wall_s);
        cpu_ratios.push_back(traced.cpu_s / plain.cpu_s);
        std::printf(
            "pair %zu: CPU %.2f s / %.2f s (%+.1f%%), wall %.2f s / %.2f s (%+.1f%%), observer "
            "%.0f us per frame, close %.2f s\n",
            k + 1, plain.cpu_s, traced.cpu_s, 100.0 * (cpu_ratios.back() - 1.0), plain.wall_s,
            traced.wall_s, 100.0 * (ratios.back() - 1.0),
            1e6 * traced.trace_sample_s /
                static_cast<double>(std::max<std::uint64_t>(1, traced.frames)),
            traced.close_s);
        print_split(plain, traced);
    }
    const auto med = [](const std::vector<Result>& rs, double Result::*field) {
        std::vector<double> v;
        for (const Result& r : rs) {
            v.push_back(r.*field);
        }
        return swarm::bench::median(v);
    };
    const Result& traced = traceds.back();
    const double bytes = static_cast<double>(std::filesystem::file_size(o.out));
    const double agent_hours = static_cast<double>(o.vehicles) * o.hours;
    const double overhead = 100.0 * (swarm::bench::median(ratios) - 1.0);
    const double cpu_overhead = 100.0 * (swarm::bench::median(cpu_ratios) - 1.0);
    const double frames = static_cast<double>(std::max<std::uint64_t>(1, traced.frames));
    std::printf("medians of %zu   %9s %9s %9s %10s %8s %10s\n", o.repeat, "wall s", "CPU s",
                "CPU/wall", "events", "frames", "rows");
    const auto cpu_per_wall = [](const std::vector<Result>& rs) {
        std::vector<double> v;
        for (const Result& r : rs) {
            v.push_back(r.wall_s > 0.0 ? r.cpu_s / r.wall_s : 0.0);
        }
        return swarm::bench::median(v);
    };
    std::printf("no trace         %9.2f %9.2f %9.2f %10llu %8s %10s\n",
                med(plains, &Result::wall_s), med(plains, &Result::cpu_s), cpu_per_wall(plains),
                static_cast<unsigned long long>(plains[0].events), "-", "-");
    std::printf("trace            %9.2f %9.2f %9.2f %10llu %8llu %10llu\n",
                med(traceds, &Result::wall_s), med(traceds, &Result::cpu_s), cpu_per_wall(traceds),
                static_cast<unsigned long long>(traced.events),
                static_cast<unsigned long long>(traced.frames),
                static_cast<unsigned long long>(traced.trace_events));
    std::printf(
        "trace overhead in CPU time %.1f%%, in wall time %.1f%% (medians of the pairs' ratios; "
        "target <= 10%% in CPU time); close/drain after the run %.2f s; %llu flushes\n",
        cpu_overhead, overhead, med(traceds, &Result::close_s),
        static_cast<unsigned long long>(traced.trace_flushes));
    std::printf(
        "simulation thread in the trace observer %.3f s (%.0f us per frame; blocked on the "
        "queue %.3f s); writer thread CPU %.2f s\n",
        med(traceds, &Result::trace_sample_s), 1e6 * med(traceds, &Result::trace_sample_s) / frames,
        med(traceds, &Result::trace_push_s), med(traceds, &Result::trace_writer_cpu_s));
    {
        std::vector<Split> splits;
        for (std::size_t k = 0; k < o.repeat; ++k) {
            splits.push_back(split_of(plains[k], traceds[k]));
        }
        const auto med_split = [&](double Split::*field) {
            std::vector<double> v;
            for (const Split& s : splits) {
                v.push_back(s.*field);
            }
            return swarm::bench::median(v);
        };
        std::printf(
            "extra CPU of the traced run (medians) %.3f s: writer thread %.3f s (user %.3f, sys "
            "%.3f), observer %.3f s, simulation thread slower %.3f s, close %.3f s, other "
            "%.3f s\n",
            med_split(&Split::extra), med_split(&Split::writer), swarm::bench::median([&] {
                std::vector<double> v;
                for (const Result& r : traceds) {
                    v.push_back(r.writer.user_s);
                }
                return v;
            }()),
            swarm::bench::median([&] {
                std::vector<double> v;
                for (const Result& r : traceds) {
                    v.push_back(r.writer.sys_s);
                }
                return v;
            }()),
            med_split(&Split::observer), med_split(&Split::sim_slower), med_split(&Split::close),
            med_split(&Split::unattributed));
    }
    std::printf("file %.1f MB: %.3f MB per agent-hour (%.0f B per agent-sample)\n", bytes / 1e6,
                bytes / 1e6 / agent_hours, bytes / (static_cast<double>(o.vehicles) * frames));
    bool same = true;
    for (std::size_t k = 0; k < o.repeat; ++k) {
        same = same && plains[k].event_hash == traceds[k].event_hash &&
               plains[k].event_hash == plains[0].event_hash;
    }
    std::printf("same events with and without the trace: %s (event hash %016llx)\n",
                same ? "yes" : "NO", static_cast<unsigned long long>(plains[0].event_hash));
    return same ? 0 : 1;
}
