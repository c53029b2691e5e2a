// Operational learning (agents/fleet/fleet_learning.*): vehicles learn travel times from the
// edges they drive and breakdown risk from their own sensors, share the models, route on
// the predictions and book services before breaking down. Checks the learning itself
// (predictions approach the hidden truth), the averaging protocols, the fleet hooks
// (maintenance, conservation, determinism over threads) and that learning pays off.
#include "agents/fleet/fleet_learning.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "agents/fleet/model_exchanges.hpp"
#include "fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;
using agents::testing::learning_spec;
using agents::testing::run_for;
using agents::testing::run_options;
using agents::testing::SmallCity;

namespace {

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const double n = static_cast<double>(a.size());
    double ma = 0.0;
    double mb = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ma += a[i] / n;
        mb += b[i] / n;
    }
    double sab = 0.0;
    double saa = 0.0;
    double sbb = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / std::sqrt(saa * sbb);
}

}  // namespace

TEST_CASE("fleet learning: an untrained vehicle predicts free flow and the prior risk") {
    SmallCity city;
    const FleetSpec spec = learning_spec(city, LearningMode::kLocal);
    FleetLearning l(spec, 42, 3);
    for (const float f : l.predicted_factors(0, 0)) {
        CHECK(f == doctest::Approx(1.0));
    }
    CHECK(l.edge_zones().size() == city.network.edge_count());
    std::vector<std::uint16_t> zones(l.edge_zones().begin(), l.edge_zones().end());
    std::sort(zones.begin(), zones.end());
    zones.erase(std::unique(zones.begin(), zones.end()), zones.end());
    CHECK(zones.size() >= 12);  // the city covers most of the 4 x 4 areas
    CHECK(zones.back() < 16);
    // wear starts spread over the fleet
    double lo = 1.0;
    double hi = 0.0;
    for (std::uint32_t v = 0; v < 42; ++v) {
        lo = std::min(lo, l.component(v).wear);
        hi = std::max(hi, l.component(v).wear);
    }
    CHECK(lo < 0.2);
    CHECK(hi > 0.6);
    CHECK(hi <= 0.8);
}

TEST_CASE("fleet learning: travel-time predictions converge to the hidden congestion") {
    SmallCity city;
    const FleetSpec spec = learning_spec(city, LearningMode::kLocal);
    FleetLearning l(spec, 1, 5);
    sim::SerialExecutor serial;
    sim::RandomStream rng(5, 99);
    const sim::Tick t = spec.time.from_seconds(9 * 3600.0);
    const double before = [&] {
        l.evaluate(serial);
        return l.metrics().travel_time_rmse;
    }();
    // the vehicle drives random edges at random times of day and trains each "round"
    std::vector<float> u(1, 1.0F);
    std::vector<std::uint8_t> running(1, 1);
    std::vector<std::uint32_t> broke;
    for (int round = 0; round < 300; ++round) {
        for (int k = 0; k < 20; ++k) {
            const auto e = static_cast<EdgeId>(rng.below(city.network.edge_count()));
            const double f =
                l.drive_edge(0, e, spec.time.from_seconds(rng.uniform(0.0, 86400.0)), rng);
            CHECK(f > 0.5);
        }
        l.sense(t, u, running, broke);
        l.train(serial);
    }
    l.evaluate(serial);
    CHECK(l.metrics().travel_time_rmse < 0.7 * before);
    // the predicted factor per zone follows the true factor of that zone at 9 h
    learning::CongestionSpec c = spec.learning.congestion_field;
    const world::BoundingBox box = city.network.bounds();
    c.area_m = std::max(box.max.x - box.min.x, box.max.y - box.min.y);
    const learning::CongestionField truth(c, 5);
    const std::span<const float> predicted = l.predicted_factors(0, t);
    std::vector<double> p;
    std::vector<double> q;
    // a linear model learns each area's level over the day (rush hours differ by area):
    // compare with the true mean log factor of the areas the city covers
    const double cell = c.area_m / 4.0;
    for (std::uint32_t z = 0; z < 16; ++z) {
        if (std::find(l.edge_zones().begin(), l.edge_zones().end(), z) == l.edge_zones().end()) {
            continue;
        }
        double mean_log = 0.0;
        for (int h = 0; h < 96; ++h) {
            mean_log +=
                std::log(truth.factor({(z % 4 + 0.5) * cell, (z / 4 + 0.5) * cell}, h * 900.0)) /
                96.0;
        }
        p.push_back(std::log(predicted[z]));
        q.push_back(mean_log);
    }
    CHECK(pearson(p, q) > 0.9);
}

TEST_CASE("fleet learning: risk labels come in hindsight and the risk model learns them") {
    SmallCity city;
    FleetSpec spec = learning_spec(city, LearningMode::kFedAvg);
    spec.learning.congestion = false;
    const std::uint32_t n = 200;
    FleetLearning l(spec, n, 8);
    sim::SerialExecutor serial;
    std::vector<float> u(n, 1.0F);
    std::vector<std::uint8_t> running(n, 1);
    std::vector<std::uint32_t> broke;
    std::vector<std::uint32_t> all(n);
    for (std::uint32_t v = 0; v < n; ++v) {
        all[v] = v;
    }
    l.evaluate(serial);
    const double loss_before = l.metrics().risk_loss;
    const sim::Tick round = spec.time.from_seconds(spec.learning.round_s);
    for (std::uint32_t k = 1; k <= 600; ++k) {
        l.sense(round * k, u, running, broke);
        l.train(serial);
        l.begin_exchange();
        l.federated_round(all, all);
    }
    CHECK(l.totals().wear_breakdowns == broke.size());
    CHECK(broke.size() > 20);
    CHECK(l.totals().risk_samples > 10'000);
    l.evaluate(serial);
    CHECK(l.metrics().risk_loss < loss_before);
    CHECK(l.metrics().consensus_risk < 1e-10);  // FedAvg leaves every member with one model
    // the trained model ranks a worn component above a new one
    std::vector<std::uint8_t> eligible(n, 1);
    std::vector<std::uint32_t> due;
    l.decide(eligible, due);
    double worn = 0.0;
    double fresh = 0.0;
    std::uint32_t worn_n = 0;
    std::uint32_t fresh_n = 0;
    for (std::uint32_t v = 0; v < n; ++v) {
        if (l.component(v).wear > 0.7) {
            worn += l.value(1)[v];
            ++worn_n;
        } else if (l.component(v).wear < 0.3) {
            fresh += l.value(1)[v];
            ++fresh_n;
        }
    }
    REQUIRE(worn_n > 0);
    REQUIRE(fresh_n > 0);
    CHECK(worn / worn_n > 2.0 * fresh / fresh_n);
}

TEST_CASE("fleet learning: push-pull and FedAvg keep the models' mean") {
    SmallCity city;
    const FleetSpec spec = learning_spec(city, LearningMode::kGossip);
    FleetLearning l(spec, 4, 2);
    sim::SerialExecutor serial;
    sim::RandomStream rng(2, 1);
    // give the vehicles different models
    std::vector<float> u(4, 1.0F);
    std::vector<std::uint8_t> running(4, 1);
    std::vector<std::uint32_t> broke;
    for (int round = 0; round < 20; ++round) {
        for (std::uint32_t v = 0; v < 4; ++v) {
            for (std::uint32_t k = 0; k < 10 * (v + 1); ++k) {
                l.drive_edge(v, static_cast<EdgeId>(rng.below(city.network.edge_count())),
                             spec.time.from_seconds(3600.0 * v), rng);
            }
        }
        l.sense(spec.time.from_seconds(60.0 * round), u, running, broke);
        l.train(serial);
    }
    const auto mean = [&] { return learning::mean_row(l.travel_models()); };
    const std::vector<float> before = mean();
    l.begin_exchange();
    l.push_pull(0, 3, true);
    const std::vector<float> after = mean();
    for (std::size_t k = 0; k < before.size(); ++k) {
        CHECK(after[k] == doctest::Approx(before[k]).epsilon(1e-5));
    }
    const auto r0 = l.travel_models().row(0);
    const auto r3 = l.travel_models().row(3);
    CHECK(std::equal(r0.begin(), r0.end(), r3.begin()));
    const std::vector<std::uint32_t> some = {1, 2};
    l.federated_round(some, some);
    const auto r1 = l.travel_models().row(1);
    const auto r2 = l.travel_models().row(2);
    CHECK(std::equal(r1.begin(), r1.end(), r2.begin()));
    // lost messages: 0's upload is not averaged, 3's download never came (it keeps its own)
    const std::vector<float> own0(r0.begin(), r0.end());
    const std::vector<float> own3(r3.begin(), r3.end());
    const std::vector<float> own1(r1.begin(), r1.end());
    l.federated_round(std::vector<std::uint32_t>{1, 3}, std::vector<std::uint32_t>{0, 1});
    CHECK(std::equal(own3.begin(), own3.end(), l.travel_models().row(3).begin()));
    CHECK(std::equal(r0.begin(), r0.end(), r1.begin()));  // 0 got the average of 1 and 3
    CHECK(!std::equal(own0.begin(), own0.end(), r0.begin()));
    CHECK(!std::equal(own1.begin(), own1.end(), r1.begin()));
}

TEST_CASE("fleet learning: services happen and orders are conserved in every mode") {
    SmallCity city;
    for (const LearningMode mode :
         {LearningMode::kOff, LearningMode::kLocal, LearningMode::kGossip, LearningMode::kFedAvg}) {
        CAPTURE(to_string(mode));
        const FleetSpec spec = learning_spec(city, mode);
        sim::SerialExecutor serial;
        FleetRun run(spec, run_options(spec, *city.routers, serial));
        const auto r = run_for(run, 6.0);     // finish() checks conservation
        CHECK(r.kpi.learning_rounds == 359);  // every minute before the end
        CHECK(r.kpi.wear_breakdowns > 0);
        CHECK(r.kpi.breakdowns >= r.kpi.wear_breakdowns);
        if (mode == LearningMode::kOff) {
            CHECK(r.kpi.services == 0);
            CHECK(r.kpi.model_bytes == 0);
        }
        if (mode == LearningMode::kGossip || mode == LearningMode::kFedAvg) {
            CHECK(r.kpi.services > 0);
            CHECK(r.kpi.model_bytes > 0);
        }
        // no vehicle is left in the workshop or flagged past a service it had
        const FleetState& fs = run.model().vehicles();
        for (std::uint32_t v = 0; v < fs.size(); ++v) {
            if (fs.hot[v].state == VehicleState::kMaintenance) {
                CHECK(fs.plan[v].size == 0);
            }
        }
    }
}

// every vehicle is due for service at once (threshold ~0) while its home depot is cut off:
// the ones away park, and once the roads reopen they still get home and are serviced (they
// used to park forever, declining every order)
TEST_CASE("fleet learning: a vehicle due for service that cannot get home tries again") {
    SmallCity city;
    FleetSpec spec = learning_spec(city, LearningMode::kGossip);
    spec.learning.risk_threshold = 1e-6;
    spec.learning.service_s = 600.0;
    const NodeId home = spec.depots[0].node;
    DisruptionSpec cut;
    cut.id = "cut-off";
    cut.action.kind = DisruptionKind::kCloseRoads;
    cut.action.label = "cut-off";
    for (const EdgeId e : city.network.in_edges(home)) {
        cut.action.edges.push_back(e);
    }
    std::sort(cut.action.edges.begin(), cut.action.edges.end());
    cut.at_s = 240.0;
    cut.duration_s = 3600.0;
    spec.disruptions.push_back(cut);
    sim::SerialExecutor serial;
    FleetRun run(spec, run_options(spec, *city.routers, serial));
    const auto r = run_for(run, 3.0);
    CHECK(r.kpi.services > 0);
    // every vehicle of the cut-off depot was serviced after the roads reopened
    const FleetState& fs = run.model().vehicles();
    std::uint32_t homed = 0;
    for (std::uint32_t v = 0; v < fs.size(); ++v) {
        if (fs.warm[v].home != 0) {
            continue;
        }
        ++homed;
        CAPTURE(v);
        CHECK(run.model().vehicle_counters(v, run.engine().now()).services > 0);
    }
    CHECK(homed == 14);
}

TEST_CASE("fleet learning: shared models cut breakdowns against no learning") {
    SmallCity city;
    std::uint64_t off = 0;
    std::uint64_t gossip = 0;
    std::uint64_t fedavg = 0;
    double cost_off = 0.0;
    double cost_gossip = 0.0;
    for (const std::uint64_t seed : {std::uint64_t{11}, std::uint64_t{12}}) {
        for (const LearningMode mode :
             {LearningMode::kOff, LearningMode::kGossip, LearningMode::kFedAvg}) {
            const FleetSpec spec = learning_spec(city, mode);
            sim::SerialExecutor serial;
            FleetRun run(spec, run_options(spec, *city.routers, serial, 0, seed));
            const auto r = run_for(run, 8.0);
            if (mode == LearningMode::kOff) {
                off += r.kpi.breakdowns;
                cost_off += r.kpi.cost;
            } else if (mode == LearningMode::kGossip) {
                gossip += r.kpi.breakdowns;
                cost_gossip += r.kpi.cost;
            } else {
                fedavg += r.kpi.breakdowns;
            }
        }
    }
    MESSAGE("breakdowns off " << off << " gossip " << gossip << " fedavg " << fedavg);
    CHECK(gossip < off);
    CHECK(fedavg < off);
    CHECK(cost_gossip < cost_off);
}

TEST_CASE("fleet learning: results are identical on 1 and 2 threads") {
    SmallCity city;
    for (const LearningMode mode : {LearningMode::kGossip, LearningMode::kFedAvg}) {
        const FleetSpec spec = learning_spec(city, mode);
        sim::SerialExecutor serial;
        FleetRun a(spec, run_options(spec, *city.routers, serial, 1));
        const auto ra = run_for(a, 3.0);
        sim::TbbExecutor two(2);
        FleetRun b(spec, run_options(spec, *city.routers, two, 2));
        const auto rb = run_for(b, 3.0);
        CHECK(ra.kpi_hash == rb.kpi_hash);
        CHECK(ra.event_hash == rb.event_hash);
        const auto& wa = a.model().learning()->risk_models();
        const auto& wb = b.model().learning()->risk_models();
        CHECK(std::equal(wa.data(), wa.data() + wa.agents() * wa.parameters(), wb.data()));
    }
}

// the exchange stack of agents/learning in a fleet run: Byzantine vehicles, tampering and
// signatures act on what the fleet learns, rejections are counted in the KPIs, and the run
// stays identical on 1 and 2 threads
TEST_CASE("fleet learning: Byzantine vehicles and signed updates, on 1 and 2 threads") {
    SmallCity city;
    for (const LearningMode mode : {LearningMode::kGossip, LearningMode::kFedAvg}) {
        CAPTURE(to_string(mode));
        FleetSpec spec = learning_spec(city, mode);
        learning::ExchangeSpec& x = spec.learning.exchange;
        x.attack.kind = learning::AttackKind::kSignFlip;
        x.attack.fraction = 0.2;
        x.attack.scale = 4.0;
        x.sign = true;
        x.tamper_rate = 0.1;
        x.compression.kind = learning::CompressionKind::kQ8;
        sim::SerialExecutor serial;
        FleetRun a(spec, run_options(spec, *city.routers, serial, 1));
        const auto ra = run_for(a, 0.75);
        sim::TbbExecutor two(2);
        FleetRun b(spec, run_options(spec, *city.routers, two, 2));
        const auto rb = run_for(b, 0.75);
        CHECK(ra.kpi_hash == rb.kpi_hash);
        CHECK(ra.event_hash == rb.event_hash);
        REQUIRE(ra.kpi.model_rejected.has_value());
        REQUIRE(ra.kpi.model_tampered.has_value());
        CHECK(*ra.kpi.model_tampered > 0);
        CHECK(*ra.kpi.model_rejected == *ra.kpi.model_tampered);         // every one caught
        CHECK(a.model().learning()->exchange().byzantine_count() == 8);  // 20% of 42
        // the rejections per vehicle (a trace value) add up to the KPI, plus the cloud's
        const std::span<const float> per = a.model().learning()->value(7);
        double sum = 0.0;
        for (const float v : per) {
            sum += v;
        }
        const auto& ex = a.model().learning()->exchange();
        CHECK(sum + double(ex.counters(a.model().vehicle_count()).rejected()) ==
              double(*ra.kpi.model_rejected));
        // the attack changes what the fleet learns: against the same run without it
        FleetSpec clean = spec;
        clean.learning.exchange.attack = {};
        FleetRun c(clean, run_options(clean, *city.routers, serial, 1));
        const auto rc = run_for(c, 0.75);
        CHECK(rc.kpi.risk_model_loss != ra.kpi.risk_model_loss);
    }
}

TEST_CASE("fleet learning: the model exchanges are registered by name, in LearningMode order") {
    const std::vector<std::string> names = model_exchange_names();
    REQUIRE(names.size() >= 4);
    for (const LearningMode m :
         {LearningMode::kOff, LearningMode::kLocal, LearningMode::kGossip, LearningMode::kFedAvg}) {
        CHECK(learning_mode_from_string(to_string(m)) == m);
    }
    CHECK(std::string(to_string(LearningMode::kFedAvg)) == "fedavg");
    CHECK(model_exchange(LearningMode::kGossip).shares);
    CHECK(!model_exchange(LearningMode::kGossip).server);
    CHECK(model_exchange(LearningMode::kFedAvg).server);
    const bool local_sends = model_exchange(LearningMode::kLocal).exchange != nullptr;
    CHECK(!local_sends);
    CHECK_THROWS_WITH_AS(learning_mode_from_string("swarm"),
                         "unknown learning mode 'swarm' (off, local, gossip, fedavg)",
                         std::invalid_argument);
    // a robust aggregator needs a server
    SmallCity city;
    FleetSpec spec = learning_spec(city, LearningMode::kGossip);
    spec.learning.exchange.aggregator.kind = learning::AggregatorKind::kMedian;
    CHECK_THROWS_AS(spec.validate(), std::invalid_argument);
    spec.learning.mode = LearningMode::kFedAvg;
    CHECK_NOTHROW(spec.validate());
}
