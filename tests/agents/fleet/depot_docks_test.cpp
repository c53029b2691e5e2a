// A depot's loading docks against M/M/c: a source LP sends synthetic DockRequests (no orders)
// as a Poisson stream; the depot LP is the real FleetModel depot.
#include <doctest/doctest.h>

#include <vector>

#include "sim/models/queueing.hpp"
#include "sim/models/queueing_theory.hpp"
#include "tests/agents/fleet/fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;

namespace {

constexpr sim::EventType kGenerate = 1000;

// LP 0: the fleet's depot; LP 1 (the fleet's only vehicle slot): a Poisson source of docking
// vehicles, which also swallows the Loaded replies
class DockSource final : public sim::Model {
  public:
    DockSource(FleetModel& fleet, double mean_gap_ticks, std::uint64_t customers)
        : fleet_(fleet), mean_gap_(mean_gap_ticks), customers_(customers) {}

    void handle(sim::Context& ctx, const sim::Event& event) override {
        if (ctx.self() == 0) {
            fleet_.handle(ctx, event);
            return;
        }
        if (event.type != kGenerate) {
            return;  // Loaded
        }
        DockMsg m;
        m.vehicle = 0;
        m.count = 0;
        ctx.send(0, ctx.lookahead(), type_of(Msg::kDockRequest), sim::Payload::of(m));
        if (++sent_ < customers_) {
            ctx.schedule_self(static_cast<sim::Tick>(ctx.rng().exponential(mean_gap_)), kGenerate);
        }
    }

  private:
    FleetModel& fleet_;
    double mean_gap_;
    std::uint64_t customers_;
    std::uint64_t sent_ = 0;
};

}  // namespace

TEST_CASE("depot docks: the mean wait matches M/M/c (Erlang C)") {
    agents::testing::SmallCity city;
    FleetSpec spec = city.spec;
    DepotSpec depot = spec.depots[0];
    depot.docks = 3;
    depot.dock_service = {ServiceLaw::Kind::kExponential, 60.0};
    depot.demand_per_hour = 0.0;
    spec.depots = {depot};
    spec.fleets = {{0, 1, 0, {}}};
    const double mu = 1.0 / 60.0;      // per second
    const double lambda = 2.4 / 60.0;  // rho = 0.8
    const auto theory = sim::queueing::mmc(lambda, mu, 3);

    std::vector<double> waits;
    std::vector<double> delayed;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        FleetModel fleet(spec, *city.routers);
        DockSource model(fleet, static_cast<double>(spec.time.ticks_per_second) / lambda, 20'000);
        sim::SerialExecutor serial;
        sim::Engine engine(fleet.engine_config(seed), model, serial);
        fleet.attach(engine);
        engine.inject(1, 0, kGenerate);
        engine.run();
        const auto& stats = fleet.depot(0).docks.stats();
        CHECK(stats.completed == 20'000);
        waits.push_back(spec.time.to_seconds(static_cast<sim::Tick>(stats.wait.mean)));
        delayed.push_back(stats.delayed_fraction());
    }
    const auto wq = sim::estimate_95(waits);
    const auto pw = sim::estimate_95(delayed);
    MESSAGE("Wq " << wq.mean << " +- " << wq.half_width << " s (Erlang C " << theory.wq
                  << "), P(wait) " << pw.mean << " +- " << pw.half_width << " (" << theory.p_wait
                  << ")");
    CHECK(wq.contains(theory.wq));
    CHECK(pw.contains(theory.p_wait));
}
