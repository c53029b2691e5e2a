#pragma once
// The built-in demo: the loading docks of K depots, each an M/M/c station fed by a Poisson
// stream of trucks that drive in from a hub (the drive is the lookahead). Depots are
// independent replications, so the run exercises the kernel's parallelism and the
// simulated waits can be checked against Erlang C. `swarmsim selftest` runs it as a check of
// the kernel.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "sim/engine.hpp"
#include "sim/models/queueing.hpp"
#include "sim/models/queueing_theory.hpp"
#include "sim/time.hpp"

namespace swarm::sim::demo {

struct DemoParams {
    std::uint32_t depots = 64;
    std::uint64_t trucks = 50'000;  // per depot
    std::uint32_t docks = 3;        // servers per depot
    double utilisation = 0.7;       // rho: sets the truck arrival rate
    double loading_minutes = 30.0;  // mean loading time, exponential
    double drive_minutes = 30.0;    // hub to depot: the transit and the lookahead
    double warmup_hours = 24.0;     // statistics start after the first day
    std::uint64_t seed = 1;
    TimeScale time;  // 1 tick = 1 microsecond
};

// one KPI: its mean over depots (with a 95% interval) next to the analytic value
struct Kpi {
    Estimate simulated;
    double analytic = 0.0;
};

struct DemoResult {
    RunStats run;
    bool interrupted = false;  // stopped early on request
    std::uint64_t event_hash = 0;
    std::uint32_t lps = 0;
    std::size_t partitions = 0;
    std::size_t threads = 0;  // the executor's concurrency
    double simulated_hours = 0.0;
    std::uint64_t trucks_loaded = 0;  // all depots
    std::uint64_t longest_queue = 0;  // over all depots
    double longest_wait_minutes = 0.0;
    Kpi wait_minutes;  // mean wait for a free dock (Wq)
    Kpi p_wait;        // share of trucks that waited (Erlang C)
    Kpi queue_length;  // time-average trucks waiting (Lq)
    Kpi utilisation;   // dock utilisation (rho)
};

// builds the queueing network of the demo
[[nodiscard]] inline QueueingParams demo_network(const DemoParams& p) {
    const double loading_ticks =
        60.0 * p.loading_minutes * static_cast<double>(p.time.ticks_per_second);
    StationParams dock;
    dock.servers = p.docks;
    dock.service = {ServiceTime::Law::kExponential, loading_ticks};
    SourceParams hub;
    hub.mean_interarrival = loading_ticks / (p.utilisation * static_cast<double>(p.docks));
    hub.customers = p.trucks;
    QueueingParams net = replicate(p.depots, dock, hub);
    net.transit = p.time.from_seconds(60.0 * p.drive_minutes);
    net.warmup = p.time.from_seconds(3600.0 * p.warmup_hours);
    return net;
}

// runs the demo on `executor`; it stops early, as interrupted, once `stop` turns true
[[nodiscard]] inline DemoResult run_demo(const DemoParams& p, Executor& executor,
                                         const std::atomic<bool>* stop = nullptr) {
    QueueingModel model(demo_network(p));
    EngineConfig config;
    config.lp_count = model.lp_count();
    config.lookahead = model.params().transit;
    config.seed = p.seed;
    Engine engine(config, model, executor);
    model.seed_events(engine);
    RunLimits limits;
    if (stop != nullptr) {
        limits.stop_when = [stop](const Engine&) { return stop->load(std::memory_order_relaxed); };
    }

    DemoResult r;
    r.run = engine.run(limits);
    r.interrupted = r.run.reason == StopReason::kCondition;
    r.event_hash = engine.event_hash();
    r.lps = config.lp_count;
    r.partitions = engine.partitions();
    r.threads = executor.concurrency();
    r.simulated_hours = p.time.to_seconds(engine.now()) / 3600.0;

    // per-depot observations, in minutes, then their means over depots
    const double ticks_per_minute = 60.0 * static_cast<double>(p.time.ticks_per_second);
    std::vector<double> wait;
    std::vector<double> p_wait;
    std::vector<double> queue;
    std::vector<double> util;
    for (std::uint32_t i = 0; i < p.depots; ++i) {
        const StationStats& s = model.stats(i);
        wait.push_back(s.wait.mean / ticks_per_minute);
        p_wait.push_back(s.delayed_fraction());
        queue.push_back(s.mean_queue());
        util.push_back(s.utilisation(p.docks));
        r.trucks_loaded += s.completed;
        r.longest_queue = std::max(r.longest_queue, s.max_queue);
        r.longest_wait_minutes = std::max(r.longest_wait_minutes, s.wait.max / ticks_per_minute);
    }
    // analytic M/M/c in minutes: mu = 1 / loading time
    const double mu = 1.0 / p.loading_minutes;
    const queueing::QueueMeans m = queueing::mmc(p.utilisation * p.docks * mu, mu, p.docks);
    r.wait_minutes = {estimate_95(wait), m.wq};
    r.p_wait = {estimate_95(p_wait), m.p_wait};
    r.queue_length = {estimate_95(queue), m.lq};
    r.utilisation = {estimate_95(util), m.rho};
    return r;
}

}  // namespace swarm::sim::demo
