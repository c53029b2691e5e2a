#include "agents/fleet/fleet_run.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

#include "sim/executor.hpp"
#include "tests/agents/fleet/fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;
using agents::testing::run_for;
using agents::testing::run_options;
using agents::testing::SmallCity;

namespace {

// what the model's disruption log held at each sample
class LogWatcher final : public sim::Observer {
  public:
    explicit LogWatcher(const FleetModel& model) : model_(model) {}
    void on_sample(const sim::Engine& /*engine*/, sim::Tick t) override {
        times.push_back(t);
        applied.push_back(model_.disruption_log().size());
    }
    std::vector<sim::Tick> times;
    std::vector<std::size_t> applied;

  private:
    const FleetModel& model_;
};

}  // namespace

TEST_CASE("fleet run: routers and executor made by the run or borrowed give the same run") {
    SmallCity city;  // its routers: 4 landmarks
    sim::SerialExecutor serial;
    FleetRun borrowed(city.spec, run_options(city.spec, *city.routers, serial, 2, 5));
    const auto a = run_for(borrowed, 0.25);

    FleetRunOptions o;
    o.seed = 5;
    o.partitions = 2;
    o.threads = 2;
    o.routing.landmark_count = 4;
    o.sample_first = city.spec.time.from_seconds(city.spec.demand.kpi_interval_s);
    o.sample_interval = o.sample_first;
    FleetRun owned(city.spec, o);
    CHECK(&owned.routers() != city.routers.get());
    CHECK(owned.routers().options().landmark_count == 4);
    CHECK(owned.engine().partitions() == 2);
    const auto b = run_for(owned, 0.25);
    CHECK(a.kpi.created > 0);
    CHECK(a.event_hash == b.event_hash);
    CHECK(a.kpi_hash == b.kpi_hash);
}

TEST_CASE("fleet run: KPI samples on the run's grid and the final one on request, none when off") {
    SmallCity city;
    sim::SerialExecutor serial;
    const sim::TimeScale ts = city.spec.time;
    FleetRunOptions o = run_options(city.spec, *city.routers, serial);
    o.sample_first = 0;
    o.sample_interval = ts.from_seconds(300.0);
    FleetRun sampled(city.spec, o);
    CHECK_FALSE(sampled.started());
    sim::RunLimits limits;
    limits.until = ts.from_seconds(900.0);
    sampled.run(limits);
    CHECK(sampled.started());
    CHECK(sampled.kpis().samples() == 3);  // 0, 300, 600 s: `until` is the next run's
    sampled.engine().sample_now();
    CHECK(sampled.kpis().samples() == 4);
    CHECK(sampled.kpis().latest().t == limits.until);
    const FleetKpis k = sampled.finish(limits.until);
    CHECK(k.hash == sampled.kpis().latest().hash);

    o.kpi_samples = false;
    FleetRun quiet(city.spec, o);
    quiet.run(limits);
    quiet.engine().sample_now();
    CHECK(quiet.kpis().samples() == 0);
    CHECK(quiet.finish(limits.until).hash == k.hash);
    CHECK(quiet.engine().event_hash() == sampled.engine().event_hash());
}

TEST_CASE("fleet run: every observer sees an instant after the barrier actions due then") {
    SmallCity city;
    DisruptionSpec fire;
    fire.id = "fire";
    fire.action.kind = DisruptionKind::kDepotDown;
    fire.action.depot = 1;
    fire.at_s = 600.0;
    city.spec.disruptions.push_back(fire);
    sim::SerialExecutor serial;
    const sim::TimeScale ts = city.spec.time;
    FleetRunOptions o = run_options(city.spec, *city.routers, serial);
    o.sample_first = ts.from_seconds(600.0);  // the run's grid: KPIs and `grid`
    o.sample_interval = ts.from_seconds(600.0);
    FleetRun run(city.spec, o);
    LogWatcher grid(run.model());
    LogWatcher before(run.model());
    LogWatcher after(run.model());
    run.add_observer(grid);
    run.add_observer(before, ts.from_seconds(600.0), ts.from_seconds(600.0));
    run.start();
    run.add_observer(after, ts.from_seconds(600.0), ts.from_seconds(600.0));
    sim::RunLimits limits;
    limits.until = ts.from_seconds(601.0);
    run.run(limits);
    REQUIRE(run.model().disruption_log().size() == 1);
    for (const LogWatcher* w : {&grid, &before, &after}) {
        REQUIRE(w->times.size() == 1);
        CHECK(w->times[0] == ts.from_seconds(600.0));
    }
    // the fire at 600 s is the model's barrier action: whenever an observer was registered,
    // its sample at 600 s comes after it (a resumed run registers them anew: Engine::restore)
    CHECK(grid.applied[0] == 1);
    CHECK(before.applied[0] == 1);
    CHECK(after.applied[0] == 1);
    CHECK(run.kpis().latest().summary.disruptions == 1);
}
