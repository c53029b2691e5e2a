// comms.cloud_loss in fleet runs (FleetModel::send, update_cloud_telemetry, exchange_models,
// share_knowledge): requests, awards, telemetry, road news and FedAvg transfers over the cloud
// link are lost, counted as drops and recovered from; the results stay equal for 1 and 2
// threads.
#include <doctest/doctest.h>

#include <cstdint>

#include "fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;
using agents::testing::run_for;
using agents::testing::run_options;
using agents::testing::RunResult;
using agents::testing::SmallCity;

namespace {

struct LossRun {
    RunResult result;
    comms::MessageTotals totals;
    LearningTotals learning;
};

LossRun run_with(const FleetSpec& spec, const routing::RouterFactory& routers, std::size_t threads,
                 double hours) {
    auto executor = sim::make_executor(threads);
    FleetRun run(spec, run_options(spec, routers, *executor, 4));
    LossRun out;
    out.result = run_for(run, hours);  // finish() checks the conservation of orders
    out.totals = run.model().comms_totals();
    if (const FleetLearning* l = run.model().learning()) {
        out.learning = l->totals();
    }
    return out;
}

}  // namespace

TEST_CASE(
    "cloud loss: lost requests, awards and telemetry are recovered, same on 1 and 2 threads") {
    SmallCity city;
    city.spec.allocation.policy = "cloud";
    city.spec.cloud.timeout_s = 60.0;
    city.spec.comms.cloud_loss = 0.0;
    const LossRun clean = run_with(city.spec, *city.routers, 1, 0.5);
    city.spec.comms.cloud_loss = 0.3;
    const LossRun lossy = run_with(city.spec, *city.routers, 1, 0.5);
    const LossRun lossy2 = run_with(city.spec, *city.routers, 2, 0.5);

    CHECK(clean.totals.dropped == 0);
    CHECK(lossy.totals.dropped > 0);
    CHECK(lossy.result.event_hash != clean.result.event_hash);
    // the timeouts recover: most orders are still delivered, slower to decide
    const KpiSummary& k = lossy.result.kpi;
    CHECK(k.created == k.delivered + k.failed + k.backlog);
    CHECK(k.delivered > clean.result.kpi.delivered / 2);
    CHECK(k.decision_latency_mean_s > clean.result.kpi.decision_latency_mean_s);
    // telemetry goes over the cloud link too: one report per vehicle and board rebuild
    CHECK(clean.totals.messages_sent > clean.result.kpi.created * 2);
    CHECK(lossy.result.event_hash == lossy2.result.event_hash);
    CHECK(lossy.result.kpi_hash == lossy2.result.kpi_hash);
    CHECK(lossy.totals.dropped == lossy2.totals.dropped);
}

TEST_CASE("cloud loss: lost FedAvg transfers and cloud road news, same on 1 and 2 threads") {
    SmallCity city;
    city.spec.learning.mode = LearningMode::kFedAvg;
    city.spec.learning.congestion = true;
    city.spec.learning.round_s = 120.0;
    city.spec.learning.horizon_s = 3600.0;
    DisruptionSpec flood;
    flood.id = "flood";
    flood.action.kind = DisruptionKind::kCloseRoads;
    flood.action.label = "flood";
    const world::BoundingBox b = city.network.bounds();
    flood.action.edges = world::edges_in(
        city.network,
        world::Region::circle({(b.min.x + b.max.x) / 2, (b.min.y + b.max.y) / 2}, 600.0));
    flood.at_s = 300.0;
    city.spec.disruptions.push_back(flood);

    city.spec.comms.radio_loss = 0.0;  // every drop is on the cloud link
    city.spec.comms.cloud_loss = 0.0;
    const LossRun clean = run_with(city.spec, *city.routers, 1, 0.5);
    city.spec.comms.cloud_loss = 0.5;
    const LossRun lossy = run_with(city.spec, *city.routers, 1, 0.5);
    const LossRun lossy2 = run_with(city.spec, *city.routers, 2, 0.5);

    CHECK(clean.totals.dropped == 0);
    CHECK(clean.learning.model_drops == 0);
    CHECK(lossy.learning.model_drops > 0);
    // a lost upload is not answered: fewer transfers than twice the uploads
    CHECK(lossy.learning.model_messages < clean.learning.model_messages);
    CHECK(lossy.totals.dropped > lossy.learning.model_drops);  // road news lost too
    // the models differ (in half an hour not yet the routes: the event hashes may agree)
    CHECK(lossy.result.kpi.travel_time_rmse != clean.result.kpi.travel_time_rmse);
    CHECK(lossy.result.kpi_hash != clean.result.kpi_hash);
    CHECK(lossy.result.event_hash == lossy2.result.event_hash);
    CHECK(lossy.result.kpi_hash == lossy2.result.kpi_hash);
}
