// One way to set up a fleet run, shared by every front-end (`swarmsim run`, the live
// visualizer, the benchmarks, the tests): the routers, the model, the executor, the engine
// and the KPI observer, made in the right order and kept alive for the run. A front-end adds
// only what is its own (a trace, a live feed, progress, timing, Ctrl-C) and runs:
//
//   FleetRunOptions o;
//   o.seed = 7;
//   o.sample_interval = spec.time.from_seconds(900.0);  // KPI samples at 0, 900 s, ...
//   FleetRun run(spec, o);                  // model, engine, KPI observer on the run's grid
//   run.add_observer(feed);                 // sampled with the KPIs (or on a grid of its own)
//   run.run(limits);                        // attaches the model first (start())
//   run.engine().sample_now();              // the final state, when the front-end wants it
//   const FleetKpis kpis = run.finish(limits.until);
//
// At one instant the model's barrier actions (board rebuilds, fleet time, learning rounds,
// disruptions) run first, in the order they were registered, and then the samples, in the
// order the observers were added (the KPI observer first): a sample at t sees the state after
// everything due at t, whoever registered first
// (docs/architecture.md, "Setting up a run").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/kpi_observer.hpp"
#include "agents/routing/router.hpp"
#include "sim/engine.hpp"
#include "sim/executor.hpp"

namespace swarm::agents {

struct FleetRunOptions {
    std::uint64_t seed = 0;      // the run seed (EngineConfig::seed)
    std::size_t partitions = 0;  // 0: one per thread of the executor
    // the executor: borrowed (must outlive the run), or made with `threads` (0: all cores)
    sim::Executor* executor = nullptr;
    std::size_t threads = 0;
    // the routers: borrowed (must outlive the run), or made from the spec's network with
    // `routing` (its landmark count: the scenario's network.landmarks)
    const routing::RouterFactory* routers = nullptr;
    routing::RouterOptions routing;
    // the run's sampling grid in ticks: the KPI observer and the observers added without a
    // grid of their own sample at sample_first, sample_first + sample_interval, ... (and at
    // Engine::sample_now()). sample_interval 0: no grid.
    sim::Tick sample_first = 0;
    sim::Tick sample_interval = 0;
    // false: the KPI observer is not sampled (no timeline; finish() still aggregates the end)
    bool kpi_samples = true;
    // sim::EngineConfig::serial_below_events: a window after one of fewer events runs on the
    // calling thread (the same results; tests set 0 to hand every window to the executor)
    std::uint64_t serial_below_events = kSerialBelowEvents;
    static constexpr std::uint64_t kSerialBelowEvents = 32;
    // sim::EngineConfig::time_windows: how busy the threads are inside windows (benchmarks)
    bool time_windows = false;
    // sim::EngineConfig::run_ahead_lookaheads: between barrier actions (the board every
    // few seconds) the partitions run ahead of one another in segments of at most this many
    // lookaheads, so a stop condition is seen at a segment's end (at most about 5 s of
    // simulated time at the default 20 ms lookahead); 0 runs them in lockstep windows. The
    // same results either way (docs/fleet-bench.md, "Session 26")
    std::uint32_t run_ahead_lookaheads = kRunAheadLookaheads;
    static constexpr std::uint32_t kRunAheadLookaheads = 256;
    // the kernel's exchange (none: sim::LocalExchange, one process). One across processes
    // (sim/mpi/) runs this process's share of the LPs on a replicated world
    // (FleetModel::sync_replicas, docs/distributed.md); every process makes the same run.
    std::function<std::unique_ptr<sim::Exchange>()> exchange;
};

class FleetRun {
  public:
    // spec (and its network) must outlive the run. Throws what the parts throw (a bad
    // allocation policy, a bad grid: sim::SchedulingError).
    FleetRun(const FleetSpec& spec, const FleetRunOptions& options);
    FleetRun(const FleetRun&) = delete;
    FleetRun& operator=(const FleetRun&) = delete;
    ~FleetRun();

    // an observer on the run's grid, sampled after the KPI observer and those added before;
    // kept by reference (it must outlive the run's last sample)
    void add_observer(sim::Observer& observer);
    // an observer on a grid of its own (it samples after the barrier actions due at its
    // instants, like every observer)
    void add_observer(sim::Observer& observer, sim::Tick first, sim::Tick interval);

    // attaches the model to the engine (FleetModel::attach: routers per partition, the first
    // board, its barrier actions, each depot's first order); once, run() does it if needed
    void start();
    [[nodiscard]] bool started() const { return started_; }
    // Checkpoints (docs/checkpoints.md). save(): between runs, everything the run holds:
    // the kernel ("kernel"), the model (FleetModel::save) and the KPI observer ("kpi").
    // resume(): instead of start(), for a run made from the same spec and seed (its thread
    // count may differ): continues the saved run; observers added before or after sample on
    // their grids from the checkpoint's time on. A front-end that keyed barrier actions of
    // its own (kinds from sim::ActionKey::kFrontEnd on) makes them again with `front_end`.
    void save(sim::StateArchive& ar) const;
    void resume(const sim::StateArchive& ar, const sim::Engine::ActionMaker& front_end = {});
    // runs until a limit (sim::RunLimits: until, stop_when, max_events) or request_stop();
    // may be called again to continue
    sim::RunStats run(const sim::RunLimits& limits);

    // across processes: brings every process's copy of the world up to date (a collective;
    // nothing in one process). Call it on every process after run() before the final
    // engine().sample_now(); finish() calls it too.
    void sync() { model_->sync_replicas(); }

    // the end of the run: checks every depot's conservation (FleetModel::finish, throws
    // FleetModelError) and aggregates the KPIs at `end` (not before the last sample). Call
    // engine().sample_now() before it for the observers' final sample.
    [[nodiscard]] FleetKpis finish(sim::Tick end);

    [[nodiscard]] const FleetSpec& spec() const { return model_->spec(); }
    [[nodiscard]] FleetModel& model() { return *model_; }
    [[nodiscard]] const FleetModel& model() const { return *model_; }
    [[nodiscard]] sim::Engine& engine() { return *engine_; }
    [[nodiscard]] const sim::Engine& engine() const { return *engine_; }
    [[nodiscard]] sim::Executor& executor() { return *executor_; }
    [[nodiscard]] const routing::RouterFactory& routers() const { return *routers_; }
    // the KPI observer: its latest sample and timeline
    [[nodiscard]] const FleetKpiObserver& kpis() const { return *kpi_; }

  private:
    // declared in construction order; destroyed in reverse (the engine before the model, the
    // model before its routers)
    std::unique_ptr<routing::RouterFactory> own_routers_;
    const routing::RouterFactory* routers_;
    std::unique_ptr<sim::Executor> own_executor_;
    sim::Executor* executor_;
    std::unique_ptr<FleetModel> model_;
    std::unique_ptr<sim::Engine> engine_;
    std::unique_ptr<FleetKpiObserver> kpi_;
    bool started_ = false;
};

}  // namespace swarm::agents
