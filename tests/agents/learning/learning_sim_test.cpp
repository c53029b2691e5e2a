// The gossip anchors (Jelasity 2005, Kempe 2003), D-PSGD versus centralized SGD, and
// determinism across thread counts.
#include "agents/learning/learning_sim.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "sim/executor.hpp"

using namespace swarm;
using namespace swarm::learning;

namespace {

double variance(const ModelBank& bank) {
    return consensus_distance(bank);
}

double exact_sum(const ModelBank& bank) {
    double s = 0.0;
    for (std::size_t i = 0; i < bank.agents(); ++i) {
        s += bank.row(i)[0];
    }
    return s;
}

// integer starting values: every average stays a short dyadic fraction, exact in float
void integer_values(LearningSim& sim, std::uint64_t seed) {
    sim::RandomStream rng(seed, 0, 99);
    for (std::size_t i = 0; i < sim.models().agents(); ++i) {
        sim.models().row(i)[0] = static_cast<float>(rng.below(64));
    }
}

LearningSpec averaging(ProtocolKind protocol, std::uint32_t agents, std::uint64_t seed) {
    LearningSpec s;
    s.agents = agents;
    s.seed = seed;
    s.protocol = protocol;
    s.overlay = OverlayKind::kComplete;
    s.comms.radio_loss = 0.0;
    return s;
}

}  // namespace

TEST_CASE("push-pull on a complete graph shrinks the variance by 1/(2 sqrt e) per cycle") {
    sim::SerialExecutor ex;
    constexpr int kSeeds = 24;
    constexpr int kCycles = 3;
    double factor_sum = 0.0;
    for (int seed = 1; seed <= kSeeds; ++seed) {
        LearningSim sim(averaging(ProtocolKind::kPushPull, 1000, std::uint64_t(seed)), nullptr,
                        nullptr, ex);
        integer_values(sim, std::uint64_t(seed));
        const double sum0 = exact_sum(sim.models());
        double v = variance(sim.models());
        for (int c = 0; c < kCycles; ++c) {
            sim.step();
            const double next = variance(sim.models());
            factor_sum += next / v;
            v = next;
            // both ends take their exact average: the sum never moves while the dyadic
            // fractions fit float32's 24 bits (two cycles here), then to float rounding
            if (c < 2) {
                CHECK(exact_sum(sim.models()) == sum0);
            } else {
                CHECK(exact_sum(sim.models()) == doctest::Approx(sum0).epsilon(1e-6));
            }
        }
    }
    const double factor = factor_sum / (kSeeds * kCycles);
    MESSAGE("push-pull variance factor per cycle: " << factor);
    CHECK(std::fabs(factor - 0.3033) < 0.01);
}

TEST_CASE("push-pull counts two messages per exchange and every byte") {
    sim::SerialExecutor ex;
    LearningSim sim(averaging(ProtocolKind::kPushPull, 100, 3), nullptr, nullptr, ex);
    sim.step();
    const auto t = sim.totals();
    // 100 initiators, each push answered by a pull: 200 messages of 4 + 64 header bytes
    CHECK(t.messages_sent == 200);
    CHECK(t.bytes_sent == 200 * (4 + 64));
    CHECK(t.bytes_received == t.bytes_sent);
}

// Kempe et al.'s potential (a sum of squared errors) halves per round in expectation.
TEST_CASE("push-sum conserves mass and roughly halves the squared error each round") {
    sim::SerialExecutor ex;
    auto spec = averaging(ProtocolKind::kPushSum, 1000, 5);
    LearningSim sim(spec, nullptr, nullptr, ex);
    integer_values(sim, 5);
    const double sum0 = exact_sum(sim.models());
    const double mean = sum0 / 1000.0;
    auto error = [&] {
        double e = 0.0;
        for (std::uint32_t i = 0; i < 1000; ++i) {
            const double d = sim.estimate(i)[0] - mean;
            e += d * d;
        }
        return e / 1000.0;
    };
    double e = error();
    double log_ratio = 0.0;
    constexpr int kRounds = 12;
    for (int r = 0; r < kRounds; ++r) {
        sim.step();
        const double w = std::accumulate(sim.weights().begin(), sim.weights().end(), 0.0);
        CHECK(w == 1000.0);
        CHECK(exact_sum(sim.models()) == doctest::Approx(sum0).epsilon(1e-9));
        const double next = error();
        log_ratio += std::log(next / e);
        e = next;
    }
    const double ratio = std::exp(log_ratio / kRounds);
    MESSAGE("push-sum squared error ratio per round: " << ratio);
    CHECK(ratio > 0.4);
    CHECK(ratio < 0.62);
}

TEST_CASE("push-sum loses exactly the mass of lost messages") {
    sim::SerialExecutor ex;
    auto spec = averaging(ProtocolKind::kPushSum, 200, 8);
    spec.comms.radio_loss = 0.2;
    LearningSim sim(spec, nullptr, nullptr, ex);
    sim.step();
    const double w = std::accumulate(sim.weights().begin(), sim.weights().end(), 0.0);
    CHECK(sim.totals().lost > 0);
    CHECK(w == doctest::Approx(200.0 - 0.5 * double(sim.totals().lost)));
}

TEST_CASE("D-PSGD on a complete graph equals centralized mini-batch SGD") {
    const Dataset data = make_blobs(400, 6, 3, 0.3, 11);
    LearningSpec spec;
    spec.agents = 8;
    spec.seed = 4;
    spec.protocol = ProtocolKind::kDpsgd;
    spec.overlay = OverlayKind::kComplete;
    spec.model = {ModelKind::kMlp, 6, 3, 5};
    spec.train = {0.2F, 10, 1};
    spec.comms.radio_loss = 0.0;
    sim::SerialExecutor ex;
    LearningSim sim(spec, &data, &data, ex);
    // the centralized model: same start, batch = the union of the agents' batches
    std::vector<float> w(sim.models().row(0).begin(), sim.models().row(0).end());
    Scratch scratch;
    std::vector<std::uint32_t> rows, all;
    for (std::uint32_t r = 0; r < 30; ++r) {
        all.clear();
        for (std::uint32_t i = 0; i < spec.agents; ++i) {
            sample_batch(spec.seed, i, r, 0, sim.partition()[i], spec.train.batch, rows);
            all.insert(all.end(), rows.begin(), rows.end());
        }
        sgd_step(spec.model, w, data, all, spec.train.learning_rate, scratch);
        sim.step();
    }
    double worst = 0.0;
    for (std::uint32_t i = 0; i < spec.agents; ++i) {
        for (std::size_t k = 0; k < w.size(); ++k) {
            worst = std::max(worst, double(std::fabs(sim.models().row(i)[k] - w[k])));
        }
    }
    MESSAGE("largest difference to centralized SGD: " << worst);
    CHECK(worst < 1e-5);
    CHECK(evaluate(spec.model, w, data).accuracy > 0.9);
}

TEST_CASE("learning runs are bit-identical for 1 and 2 threads") {
    const Dataset data = make_blobs(600, 8, 4, 0.8, 2);
    LearningSpec spec;
    spec.agents = 40;
    spec.seed = 9;
    spec.overlay = OverlayKind::kSmallWorld;
    spec.degree = 4;
    spec.model = {ModelKind::kLogistic, 8, 4, 0};
    spec.rounds = 12;
    spec.eval_every = 4;
    spec.comms.radio_loss = 0.1;
    spec.churn = {0.1, 0.5};
    spec.attack.kind = AttackKind::kGaussian;
    spec.attack.fraction = 0.1;
    spec.aggregator.kind = AggregatorKind::kTrimmedMean;
    spec.identity = {true, 0.05, 0.05, 0.05, 0.05, 0.05};
    spec.partition.kind = PartitionKind::kDirichlet;
    for (auto protocol : {ProtocolKind::kDpsgd, ProtocolKind::kGossipLearning,
                          ProtocolKind::kFedAvg, ProtocolKind::kPushPull}) {
        CAPTURE(to_string(protocol));
        spec.protocol = protocol;
        spec.compression.kind =
            protocol == ProtocolKind::kPushPull ? CompressionKind::kQ8 : CompressionKind::kTopK;
        sim::SerialExecutor one;
        auto two = sim::make_executor(2);
        LearningSim a(spec, &data, &data, one);
        LearningSim b(spec, &data, &data, *two);
        a.run();
        b.run();
        CHECK(a.state_hash() == b.state_hash());
        CHECK(a.series().size() == b.series().size());
        CHECK(a.series().back().model_accuracy == b.series().back().model_accuracy);
        CHECK(a.totals().messages_sent > 0);
    }
}

TEST_CASE("signed updates reject unsigned forged and unknown ones and count them") {
    const Dataset data = make_blobs(300, 4, 3, 0.5, 6);
    LearningSpec spec;
    spec.agents = 20;
    spec.overlay = OverlayKind::kRing;
    spec.degree = 4;
    spec.model = {ModelKind::kLogistic, 4, 3, 0};
    spec.rounds = 10;
    spec.train.learning_rate = 0.5F;
    spec.identity = {true, 0.3, 0.3, 0.3};
    spec.comms.radio_loss = 0.0;
    sim::SerialExecutor ex;
    LearningSim guarded(spec, &data, &data, ex);
    guarded.run();
    const auto t = guarded.totals();
    CHECK(t.rejected_unsigned > 0);
    CHECK(t.rejected_forged > 0);
    CHECK(t.rejected_unknown > 0);
    // about 0.3 x 20 agents x 10 rounds of each kind
    CHECK(t.rejected_unsigned + t.rejected_forged + t.rejected_unknown > 120);
    // every legitimate update is accepted: 20 agents x 4 neighbours x 10 rounds
    CHECK(t.messages_received - t.rejected() == 800);
    CHECK(guarded.series().back().model_accuracy > 0.9);
    // the same outsiders without signatures poison the models
    spec.identity.sign = false;
    LearningSim open(spec, &data, &data, ex);
    open.run();
    CHECK(open.totals().rejected_forged == 0);
    CHECK(open.series().back().model_accuracy < guarded.series().back().model_accuracy - 0.2);
}

TEST_CASE("compression shrinks the bytes on the wire") {
    const Dataset data = make_blobs(300, 20, 3, 0.5, 6);
    LearningSpec spec;
    spec.agents = 10;
    spec.overlay = OverlayKind::kRing;
    spec.degree = 2;
    spec.model = {ModelKind::kLogistic, 20, 3, 0};
    spec.rounds = 5;
    sim::SerialExecutor ex;
    std::uint64_t bytes[3] = {};
    int k = 0;
    for (auto c : {CompressionKind::kNone, CompressionKind::kQ8, CompressionKind::kTopK}) {
        spec.compression = {c, 0.1};
        LearningSim sim(spec, &data, &data, ex);
        sim.run();
        bytes[k++] = sim.totals().bytes_sent;
    }
    // 63 parameters: 252 bytes raw, 71 as q8, 7 x 8 = 56 as top-k, plus 64 of header
    CHECK(bytes[0] == 10 * 2 * 5 * (252 + 64));
    CHECK(bytes[1] == 10 * 2 * 5 * (71 + 64));
    CHECK(bytes[2] == 10 * 2 * 5 * (56 + 64));
}

TEST_CASE("churn takes agents offline and their messages go unanswered") {
    sim::SerialExecutor ex;
    auto spec = averaging(ProtocolKind::kPushPull, 500, 2);
    spec.churn = {0.3, 0.3};
    LearningSim sim(spec, nullptr, nullptr, ex);
    for (int r = 0; r < 5; ++r) {
        sim.step();
    }
    const auto online = sim.record().online;
    CHECK(online > 150);
    CHECK(online < 350);
    CHECK(sim.totals().unreachable > 0);
}

TEST_CASE("the radio overlay follows the agents as they move") {
    const Dataset data = make_blobs(400, 4, 3, 0.3, 1);
    LearningSpec spec;
    spec.agents = 60;
    spec.overlay = OverlayKind::kRadio;
    spec.radio = {1000.0, 20.0, 0.2};
    spec.comms.radio_range_m = 250.0;
    spec.model = {ModelKind::kLogistic, 4, 3, 0};
    spec.rounds = 20;
    spec.eval_every = 20;
    sim::SerialExecutor ex;
    LearningSim sim(spec, &data, &data, ex);
    const std::vector<world::Point> start(sim.positions().begin(), sim.positions().end());
    auto check_ranges = [&] {
        std::size_t edges = 0;
        for (std::uint32_t i = 0; i < spec.agents; ++i) {
            for (std::uint32_t k = 0; k < sim.overlay().degree(i); ++k) {
                const auto& a = sim.positions()[i];
                const auto& b = sim.positions()[sim.overlay().neighbour(i, k)];
                CHECK(std::hypot(a.x - b.x, a.y - b.y) <= 250.0);
                ++edges;
            }
        }
        return edges;
    };
    CHECK(check_ranges() > 0);
    sim.run();
    check_ranges();
    double moved = 0.0;
    for (std::uint32_t i = 0; i < spec.agents; ++i) {
        moved += std::hypot(sim.positions()[i].x - start[i].x, sim.positions()[i].y - start[i].y);
        CHECK(sim.positions()[i].x >= 0.0);
        CHECK(sim.positions()[i].x <= 1000.0);
    }
    CHECK(moved > 60 * 100.0);
    CHECK(sim.totals().messages_received > 0);
    CHECK(sim.series().back().model_accuracy > 0.9);
    // same with two threads
    auto two = sim::make_executor(2);
    LearningSim again(spec, &data, &data, *two);
    again.run();
    CHECK(again.state_hash() == sim.state_hash());
}

TEST_CASE("fedavg beats local-only training on label-skewed data and uses the cloud link") {
    const Dataset data = make_blobs(2000, 6, 5, 0.4, 4);
    LearningSpec spec;
    spec.agents = 20;
    spec.model = {ModelKind::kLogistic, 6, 5, 0};
    spec.partition = {PartitionKind::kShards, 0.5, 1, 1.5};  // one label per agent
    spec.train = {0.3F, 16, 2};
    spec.rounds = 40;
    spec.eval_every = 40;
    spec.eval_samples = 400;
    spec.comms.cloud_loss = 0.0;
    spec.fedavg_fraction = 0.5;
    sim::SerialExecutor ex;
    spec.protocol = ProtocolKind::kFedAvg;
    LearningSim fed(spec, &data, &data, ex);
    fed.run();
    spec.protocol = ProtocolKind::kLocal;
    LearningSim local(spec, &data, &data, ex);
    local.run();
    const auto& f = fed.series().back();
    const auto& l = local.series().back();
    MESSAGE("fedavg " << f.model_accuracy << ", local-only agents " << l.mean_accuracy);
    CHECK(f.model_accuracy > 0.9);
    CHECK(l.mean_accuracy < 0.4);  // each agent only knows its own label
    CHECK(local.totals().messages_sent == 0);
    // every participant downloads and uploads one model (7 x 5 weights, 64 header bytes)
    const auto t = fed.totals();
    CHECK(t.messages_sent == t.messages_received);
    CHECK(t.bytes_sent == t.messages_sent * (35 * 4 + 64));
    CHECK(t.messages_sent > 20 * 40 * 0.5 * 0.8);
}

TEST_CASE("bad specs are refused with the field named") {
    sim::SerialExecutor ex;
    LearningSpec spec;
    spec.agents = 1;
    CHECK_THROWS_WITH_AS(LearningSim(spec, nullptr, nullptr, ex), doctest::Contains("agents"),
                         std::invalid_argument);
    spec.agents = 10;
    spec.model = {ModelKind::kLogistic, 4, 3, 0};
    CHECK_THROWS_WITH_AS(LearningSim(spec, nullptr, nullptr, ex),
                         doctest::Contains("needs training data"), std::invalid_argument);
    spec.churn.leave = 2.0;
    CHECK_THROWS_WITH_AS(LearningSim(spec, nullptr, nullptr, ex), doctest::Contains("churn"),
                         std::invalid_argument);
}

namespace {

// 40 agents, MLP on blobs, 30% ALIE attackers at z = 5 with self-centred clipping: the
// setting where issue 21 saw the weights blow up silently (tiny, well under a second)
LearningSpec alie_spec(const Dataset& data) {
    LearningSpec spec;
    spec.agents = 40;
    spec.seed = 3;
    spec.overlay = OverlayKind::kRegular;
    spec.degree = 6;
    spec.model = {ModelKind::kMlp, data.features, data.classes, 16};
    spec.partition.kind = PartitionKind::kDirichlet;
    spec.rounds = 40;
    spec.eval_every = 10;
    spec.eval_samples = 20;
    spec.test_samples = 200;
    spec.attack.kind = AttackKind::kAlie;
    spec.attack.fraction = 0.3;
    spec.attack.z = 5.0;
    spec.aggregator.kind = AggregatorKind::kClipping;
    return spec;
}

}  // namespace

TEST_CASE("30 percent ALIE against clipping is reported as divergence") {
    const Dataset data = make_blobs(2400, 16, 5, 0.8, 3);
    sim::SerialExecutor ex;
    LearningSpec spec = alie_spec(data);
    LearningSim attacked(spec, &data, &data, ex);
    attacked.run();
    const Divergence& d = attacked.divergence();
    REQUIRE(d.diverged);
    CHECK(d.round > 0);
    CHECK(d.round <= 40);
    CHECK(d.consensus_distance > spec.divergence_bound);
    CHECK(d.bound == spec.divergence_bound);
    CHECK(d.reason().find("consensus distance") != std::string::npos);
    CHECK(attacked.series().back().diverged);
    // every evaluation before the first diverged one is clean, the rest flagged
    for (const auto& m : attacked.series()) {
        CHECK(m.diverged == (m.round >= d.round));
    }
    // the same run without attackers stays well inside the bound
    spec.attack.kind = AttackKind::kNone;
    LearningSim clean(spec, &data, &data, ex);
    clean.run();
    CHECK_FALSE(clean.divergence().diverged);
    CHECK(clean.series().back().consensus_distance < 1.0);
    // a tighter bound moves the alarm earlier, a looser one later
    spec.attack.kind = AttackKind::kAlie;
    spec.divergence_bound = 1e12;
    LearningSim loose(spec, &data, &data, ex);
    loose.run();
    CHECK((!loose.divergence().diverged || loose.divergence().round > d.round));
}

TEST_CASE("non-finite weights are counted and mark the run diverged") {
    const Dataset data = make_blobs(300, 4, 3, 0.5, 6);
    LearningSpec spec;
    spec.agents = 10;
    spec.overlay = OverlayKind::kRing;
    spec.degree = 2;
    spec.model = {ModelKind::kLogistic, 4, 3, 0};
    spec.rounds = 2;
    sim::SerialExecutor ex;
    LearningSim sim(spec, &data, &data, ex);
    sim.step();
    CHECK_FALSE(sim.record().diverged);
    sim.models().row(3)[1] = std::numeric_limits<float>::quiet_NaN();
    sim.models().row(7)[0] = std::numeric_limits<float>::infinity();
    const RoundMetrics& m = sim.record();
    CHECK(m.nonfinite_agents == 2);
    CHECK(m.diverged);
    CHECK(sim.divergence().round == 1);
    CHECK(sim.divergence().reason().find("2 honest agents hold non-finite weights") !=
          std::string::npos);
    // the alarm keeps its first occurrence
    sim.step();
    sim.record();
    CHECK(sim.divergence().round == 1);
}

TEST_CASE("averaging protocols are measured against their starting spread, local not at all") {
    sim::SerialExecutor ex;
    // push-sum from values 0..999: the starting consensus distance (~83,000) is no alarm
    LearningSim ps(averaging(ProtocolKind::kPushSum, 1000, 4), nullptr, nullptr, ex);
    for (std::uint32_t i = 0; i < 1000; ++i) {
        ps.models().row(i)[0] = static_cast<float>(i);
    }
    ps.record();
    for (int r = 0; r < 3; ++r) {
        ps.step();
    }
    ps.record();
    CHECK(ps.divergence_threshold() > 80'000.0);
    CHECK_FALSE(ps.divergence().diverged);
    // local training: models drift apart by design; only non-finite weights count
    const Dataset data = make_blobs(300, 4, 3, 0.5, 6);
    LearningSpec spec;
    spec.agents = 10;
    spec.protocol = ProtocolKind::kLocal;
    spec.model = {ModelKind::kLogistic, 4, 3, 0};
    spec.train.learning_rate = 5.0F;
    spec.rounds = 20;
    spec.eval_every = 20;
    spec.divergence_bound = 1e-9;
    LearningSim local(spec, &data, &data, ex);
    local.run();
    CHECK(local.series().back().consensus_distance > 1e-9);
    CHECK_FALSE(local.divergence().diverged);
}

TEST_CASE("the divergence bound is validated") {
    sim::SerialExecutor ex;
    LearningSpec spec;
    spec.agents = 10;
    spec.protocol = ProtocolKind::kPushPull;
    for (double bad : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(),
                       std::numeric_limits<double>::infinity()}) {
        spec.divergence_bound = bad;
        CHECK_THROWS_WITH_AS(LearningSim(spec, nullptr, nullptr, ex),
                             doctest::Contains("divergence_bound"), std::invalid_argument);
    }
    spec.divergence_bound = 1e-3;
    CHECK_NOTHROW(LearningSim(spec, nullptr, nullptr, ex));
}
