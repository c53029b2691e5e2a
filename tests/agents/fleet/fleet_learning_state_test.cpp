// FleetLearning's checkpoint state (agents/fleet/fleet_learning_state.cpp): a fleet run's
// learning saved mid-run loads into a fresh FleetLearning of the same spec, vehicles and seed
// and saves the same bytes; a loaded one continues exactly as the original; every field has
// its name; a checkpoint of another fleet or spec is a CheckpointError naming the field.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "agents/fleet/fleet_learning.hpp"
#include "fleet_test_util.hpp"
#include "sim/state_archive.hpp"

using namespace swarm;
using namespace swarm::agents;
using agents::testing::learning_spec;
using agents::testing::run_options;
using agents::testing::SmallCity;
using sim::CheckpointError;
using sim::StateArchive;

namespace {

// the learning under "learning/", as FleetModel saves it
StateArchive archive_of(const FleetLearning& l) {
    StateArchive ar;
    const auto s = ar.scope("learning");
    l.save(ar);
    return ar;
}

void load_from(FleetLearning& l, const StateArchive& ar) {
    const auto s = ar.scope("learning");
    l.load(ar);
}

// the exchange stacks covered: gossip with every wire feature (q8 compression, signatures,
// tampering, Byzantine vehicles); FedAvg with top-k compression and a robust aggregator;
// plain FedAvg (models averaged directly)
std::vector<FleetSpec> exchange_cases(const SmallCity& city) {
    FleetSpec gossip = learning_spec(city, LearningMode::kGossip);
    learning::ExchangeSpec& g = gossip.learning.exchange;
    g.compression.kind = learning::CompressionKind::kQ8;
    g.sign = true;
    g.tamper_rate = 0.1;
    g.attack.kind = learning::AttackKind::kSignFlip;
    g.attack.fraction = 0.2;
    g.attack.scale = 4.0;
    FleetSpec robust = learning_spec(city, LearningMode::kFedAvg);
    robust.learning.exchange.compression.kind = learning::CompressionKind::kTopK;
    robust.learning.exchange.compression.fraction = 0.3;
    robust.learning.exchange.aggregator.kind = learning::AggregatorKind::kMedian;
    robust.learning.exchange.attack.kind = learning::AttackKind::kGaussian;
    robust.learning.exchange.attack.fraction = 0.1;
    return {gossip, robust, learning_spec(city, LearningMode::kFedAvg)};
}

template <class T>
std::vector<T> array(const StateArchive& ar, const std::string& name) {
    std::vector<T> v;
    ar.get(name, v);
    return v;
}

// one round of a host driving FleetLearning directly, as FleetModel does at a barrier: its
// inputs (edges driven, use, peers, losses) are drawn from (round, vehicle) alone
void scripted_round(FleetLearning& l, const FleetSpec& spec, std::uint32_t k,
                    sim::Executor& executor) {
    const std::uint32_t n = spec.vehicle_count();
    const sim::Tick round = spec.time.from_seconds(spec.learning.round_s);
    const sim::Tick t = round * k;
    std::vector<float> use(n);
    std::vector<std::uint8_t> running(n);
    for (std::uint32_t v = 0; v < n; ++v) {
        sim::RandomStream rng(99, v, k);
        for (int e = 0; e < 5; ++e) {
            const auto edge = static_cast<EdgeId>(rng.below(spec.net().edge_count()));
            l.drive_edge(
                v, edge,
                t - round + static_cast<sim::Tick>(rng.below(static_cast<std::uint64_t>(round))),
                rng);
        }
        (void)l.predicted_factors(v, t);
        use[v] = static_cast<float>(rng.uniform());
        running[v] = rng.bernoulli(0.9) ? 1 : 0;
    }
    std::vector<std::uint32_t> broke;
    l.sense(t, use, running, broke);
    l.train(executor);
    l.begin_exchange();
    const std::uint32_t bytes = l.transfer_bytes() + 40;
    if (spec.learning.mode == LearningMode::kGossip) {
        for (std::uint32_t v = 0; v < n; ++v) {
            const std::uint32_t u = (v + 1 + k % (n - 1)) % n;
            const bool pull = (v + k) % 3 != 0;
            l.count_transfer(v, u, bytes, true);
            if (l.push_pull(v, u, pull).replied) {
                l.count_transfer(u, v, bytes, pull);
            }
        }
    } else {
        std::vector<std::uint32_t> members;
        std::vector<std::uint32_t> receivers;
        for (std::uint32_t v = 0; v < n; ++v) {
            const bool up = (v + k) % 4 != 0;
            l.count_transfer(v, n, bytes, up);
            if (up) {
                members.push_back(v);
            }
            if ((v + k) % 5 != 0) {
                l.count_transfer(n, v, bytes, true);
                receivers.push_back(v);
            }
        }
        l.federated_round(members, receivers);
    }
    std::vector<std::uint8_t> eligible(n, 1);
    std::vector<std::uint32_t> due;
    l.decide(eligible, due);
    for (const std::uint32_t v : due) {
        if (v % 2 == 0) {
            l.serviced(v);
        }
    }
    if (k % 3 == 0) {
        l.evaluate(executor);
    }
}

}  // namespace

TEST_CASE("fleet learning state: saved mid-run, loaded into a fresh one, saves the same") {
    SmallCity city;
    for (const FleetSpec& spec : exchange_cases(city)) {
        CAPTURE(std::string(to_string(spec.learning.mode)));
        CAPTURE(std::string(to_string(spec.learning.exchange.aggregator.kind)));
        sim::SerialExecutor serial;
        sim::RunLimits mid;
        mid.until = spec.time.from_seconds(0.75 * 3600.0);
        FleetRun run(spec, run_options(spec, *city.routers, serial));
        run.model().keep_model_exchange_log(true);  // a trace's links: not yet taken
        run.run(mid);
        const FleetLearning* original = run.model().learning();
        REQUIRE(original != nullptr);
        const StateArchive saved = archive_of(*original);

        const std::uint32_t n = run.model().vehicle_count();
        FleetLearning fresh(spec, n, 11);  // run_options' seed
        const std::uint64_t unloaded = archive_of(fresh).checksum();
        load_from(fresh, saved);
        const StateArchive again = archive_of(fresh);
        CHECK(again.checksum() == saved.checksum());
        CHECK(unloaded != saved.checksum());

        // the state is not trivial: every part of it has moved since construction
        CHECK(original->totals().rounds == 44);
        CHECK(original->totals().model_messages > 0);
        CHECK(!array<std::uint32_t>(saved, "learning/exchange_log/from").empty());
        CHECK(!array<std::uint32_t>(saved, "learning/round_log/from").empty());
        CHECK(!array<sim::Tick>(saved, "learning/pending/t/values").empty());
        CHECK(!array<std::uint16_t>(saved, "learning/travel_memory/zone").empty());
        const std::vector<std::uint64_t> draws =
            array<std::uint64_t>(saved, "learning/component/draws");
        CHECK(*std::max_element(draws.begin(), draws.end()) > 1);
        // ... and reads back through the accessors
        CHECK(fresh.totals().model_bytes == original->totals().model_bytes);
        CHECK(fresh.totals().risk_samples == original->totals().risk_samples);
        CHECK(fresh.metrics().risk_loss == original->metrics().risk_loss);
        const auto& wa = original->travel_models();
        const auto& wb = fresh.travel_models();
        CHECK(std::equal(wa.data(), wa.data() + wa.agents() * wa.parameters(), wb.data()));
        for (std::size_t k = 0; k < FleetLearning::kValues; ++k) {
            CHECK(std::ranges::equal(fresh.value(k), original->value(k)));
        }
        CHECK(fresh.component(n - 1).wear == original->component(n - 1).wear);
        CHECK(fresh.round_exchanges().size() == original->round_exchanges().size());
        CHECK(fresh.exchange().tampered() == original->exchange().tampered());
        CHECK(fresh.exchange().rejected() == original->exchange().rejected());
        if (spec.learning.exchange.sign) {
            CHECK(original->exchange().rejected() > 0);
        }
    }
}

TEST_CASE("fleet learning state: a loaded one continues exactly as the original") {
    SmallCity city;
    for (FleetSpec spec : exchange_cases(city)) {
        CAPTURE(std::string(to_string(spec.learning.mode)));
        // rounds of 10 minutes and labels after an hour: the risk models learn and act
        spec.learning.round_s = 600.0;
        spec.learning.horizon_s = 3600.0;
        spec.learning.risk_threshold = 0.05;
        const std::uint32_t n = spec.vehicle_count();
        sim::SerialExecutor serial;
        FleetLearning original(spec, n, 5);
        original.keep_exchange_log(true);
        for (std::uint32_t k = 1; k <= 30; ++k) {
            scripted_round(original, spec, k, serial);
        }
        FleetLearning loaded(spec, n, 5);
        loaded.keep_exchange_log(true);
        load_from(loaded, archive_of(original));
        FleetLearning unloaded(spec, n, 5);  // the control: not loaded, so it differs
        unloaded.keep_exchange_log(true);
        for (std::uint32_t k = 31; k <= 45; ++k) {
            for (FleetLearning* l : {&original, &loaded, &unloaded}) {
                scripted_round(*l, spec, k, serial);
            }
        }
        CHECK(archive_of(loaded).checksum() == archive_of(original).checksum());
        CHECK(archive_of(unloaded).checksum() != archive_of(original).checksum());
        CHECK(original.totals().services_planned > 0);
        std::vector<FleetLearning::Exchange> a;
        std::vector<FleetLearning::Exchange> b;
        original.take_exchanges(a);
        loaded.take_exchanges(b);
        CHECK(a.size() == b.size());
    }
}

TEST_CASE("fleet learning state: every field has its name") {
    SmallCity city;
    const FleetSpec spec = learning_spec(city, LearningMode::kGossip);
    const FleetLearning l(spec, spec.vehicle_count(), 3);
    const StateArchive ar = archive_of(l);
    std::set<std::string> want = {
        "travel_bank/weights",   "travel_bank/parameters", "risk_bank/weights",
        "risk_bank/parameters",  "travel_memory/zone",     "travel_memory/time_of_day",
        "travel_memory/target",  "travel_memory/count",    "risk_memory/signals",
        "risk_memory/label",     "risk_memory/count",      "pending/t/offsets",
        "pending/t/values",      "pending/signals",        "pending/broke",
        "component/wear",        "component/hours",        "component/draws",
        "component/utilisation", "predicted_factors",      "changed",
        "exchange/round",        "exchange/tampered",      "exchange/global",
        "round_log/from",        "round_log/to",           "round_log/bytes",
        "exchange_log/from",     "exchange_log/to",        "exchange_log/bytes"};
    for (const char* f :
         {"lost", "late", "unreachable", "rejected_unsigned", "rejected_forged", "rejected_unknown",
          "rejected_tampered", "rejected_replayed", "delay_s"}) {
        want.insert(std::string("exchange/counters/") + f);
    }
    for (const char* f : {"rounds", "travel_observations", "risk_samples", "wear_breakdowns",
                          "services_planned", "services", "model_messages", "model_drops",
                          "model_bytes", "model_rejected", "model_tampered"}) {
        want.insert(std::string("totals/") + f);
    }
    for (const char* f :
         {"risk_loss", "risk_accuracy", "travel_time_rmse", "consensus_risk", "consensus_travel"}) {
        want.insert(std::string("metrics/") + f);
    }
    for (const char* f : FleetLearning::kValueNames) {
        want.insert(std::string("values/") + f);
    }
    std::set<std::string> got;
    for (const auto& [name, a] : ar.arrays()) {
        REQUIRE(name.starts_with("learning/"));
        got.insert(name.substr(9));
    }
    CHECK(got == want);
    // field-wise arrays an analyst reads as they are
    CHECK(ar.arrays().at("learning/component/wear").kind == sim::ElementKind::kF64);
    CHECK(ar.arrays().at("learning/travel_bank/weights").count ==
          std::uint64_t{spec.vehicle_count()} * l.travel_models().parameters());
    CHECK(ar.arrays().at("learning/exchange/counters/lost").count == spec.vehicle_count() + 1U);
}

TEST_CASE("fleet learning state: a checkpoint of another fleet or spec does not load") {
    SmallCity city;
    const FleetSpec spec = learning_spec(city, LearningMode::kGossip);
    const std::uint32_t n = spec.vehicle_count();
    const StateArchive saved = archive_of(FleetLearning(spec, n, 3));
    FleetLearning fewer(spec, n - 1, 3);
    CHECK_THROWS_WITH_AS(load_from(fewer, saved),
                         doctest::Contains("'learning/component/wear' holds 42 elements; this "
                                           "run has 41"),
                         CheckpointError);
    // another spec: no congestion, so no travel memory and one zone per vehicle
    FleetSpec flat = spec;
    flat.learning.congestion = false;
    FleetLearning other(flat, n, 3);
    CHECK_THROWS_WITH_AS(load_from(other, saved), doctest::Contains("learning/travel_bank"),
                         CheckpointError);
    // a field missing
    StateArchive partial;
    for (const auto& [name, a] : saved.arrays()) {
        if (name != "learning/exchange/global") {
            partial.insert(name, a);
        }
    }
    FleetLearning same(spec, n, 3);
    CHECK_THROWS_WITH_AS(load_from(same, partial),
                         "checkpoint field 'learning/exchange/global' is missing", CheckpointError);
}

TEST_CASE("fleet learning state: a fork may change how the models travel, and they go on") {
    // gossip to the fork, then FedAvg: what each vehicle learned carries over, and from the
    // fork on the models travel to the cloud (docs/checkpoints.md, "What a fork may change")
    SmallCity city;
    const FleetSpec gossip = learning_spec(city, LearningMode::kGossip);
    const FleetSpec fedavg = learning_spec(city, LearningMode::kFedAvg);
    sim::SerialExecutor serial;
    sim::RunLimits mid;
    mid.until = gossip.time.from_seconds(0.75 * 3600.0);
    FleetRun before(gossip, run_options(gossip, *city.routers, serial));
    before.run(mid);
    StateArchive state;
    before.save(state);

    FleetRun fork(fedavg, run_options(fedavg, *city.routers, serial));
    fork.resume(state);
    const FleetLearning& a = *before.model().learning();
    const FleetLearning& b = *fork.model().learning();
    const auto& wa = a.travel_models();
    const auto& wb = b.travel_models();
    CHECK(std::equal(wa.data(), wa.data() + wa.agents() * wa.parameters(), wb.data()));
    CHECK(b.totals().rounds == a.totals().rounds);
    const std::uint32_t n = fork.model().vehicle_count();
    for (const FleetLearning::Exchange& x : a.round_exchanges()) {
        CHECK(x.to < n);  // gossip: vehicle to vehicle
    }

    sim::RunLimits end;
    end.until = gossip.time.from_seconds(1.5 * 3600.0);
    fork.run(end);
    before.run(end);
    CHECK(b.totals().rounds == a.totals().rounds);
    CHECK(b.totals().rounds > 44);
    bool cloud = false;
    for (const FleetLearning::Exchange& x : b.round_exchanges()) {
        cloud = cloud || x.from >= n || x.to >= n;
    }
    CHECK(cloud);  // FedAvg: uploads to and downloads from the cloud
    CHECK(!std::equal(wa.data(), wa.data() + wa.agents() * wa.parameters(), wb.data()));
}
