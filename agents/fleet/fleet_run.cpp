#include "agents/fleet/fleet_run.hpp"

namespace swarm::agents {

namespace {
sim::EngineConfig engine_config(const FleetModel& model, const FleetRunOptions& options,
                                const sim::Executor& executor) {
    // one partition per thread by default: a fleet window holds tens of events, and more
    // partitions only add hand-overs and outboxes (fleet_bench, docs/fleet-bench.md)
    const std::size_t partitions =
        options.partitions != 0 ? options.partitions : executor.concurrency();
    sim::EngineConfig c = model.engine_config(options.seed, partitions);
    c.serial_below_events = options.serial_below_events;
    c.time_windows = options.time_windows;
    c.run_ahead_lookaheads = options.run_ahead_lookaheads;
    return c;
}
}  // namespace

FleetRun::FleetRun(const FleetSpec& spec, const FleetRunOptions& options)
    : own_routers_(options.routers != nullptr
                       ? nullptr
                       : std::make_unique<routing::RouterFactory>(spec.net(), options.routing)),
      routers_(options.routers != nullptr ? options.routers : own_routers_.get()),
      own_executor_(options.executor != nullptr ? nullptr : sim::make_executor(options.threads)),
      executor_(options.executor != nullptr ? options.executor : own_executor_.get()),
      model_(std::make_unique<FleetModel>(spec, *routers_)),
      engine_(options.exchange
                  ? std::make_unique<sim::Engine>(engine_config(*model_, options, *executor_),
                                                  *model_, *executor_, options.exchange())
                  : std::make_unique<sim::Engine>(engine_config(*model_, options, *executor_),
                                                  *model_, *executor_)),
      kpi_(std::make_unique<FleetKpiObserver>(*model_)) {
    if (options.kpi_samples) {
        engine_->add_observer(*kpi_);
    }
    if (options.sample_interval > 0) {
        // a sample at t sees the state after the barrier actions due at t (board rebuild,
        // fleet-time booking, learning round, disruptions): Engine::at
        engine_->set_sampling(options.sample_first, options.sample_interval);
    }
}

FleetRun::~FleetRun() = default;

void FleetRun::add_observer(sim::Observer& observer) {
    engine_->add_observer(observer);
}

void FleetRun::add_observer(sim::Observer& observer, sim::Tick first, sim::Tick interval) {
    engine_->add_observer(observer, first, interval);
}

void FleetRun::start() {
    if (!started_) {
        model_->attach(*engine_);
        started_ = true;
    }
}

sim::RunStats FleetRun::run(const sim::RunLimits& limits) {
    start();
    return engine_->run(limits);
}

FleetKpis FleetRun::finish(sim::Tick end) {
    model_->sync_replicas();
    model_->finish(*engine_);
    return kpi_->take(end);
}

}  // namespace swarm::agents
