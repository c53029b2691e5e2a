// Signed exchanges in every protocol: every update carries a signature and is verified, also
// without compression; updates altered in transit and replays of an earlier round's signed
// update are rejected and counted (issue 21). Tiny settings: each case well under a second.
#include <doctest/doctest.h>

#include <cmath>

#include "agents/learning/learning_sim.hpp"
#include "sim/executor.hpp"

using namespace swarm;
using namespace swarm::learning;

namespace {

LearningSpec small(ProtocolKind protocol, const Dataset& data) {
    LearningSpec spec;
    spec.agents = 20;
    spec.seed = 5;
    spec.protocol = protocol;
    spec.overlay = OverlayKind::kRing;
    spec.degree = 4;
    spec.model = {ModelKind::kLogistic, data.features, data.classes, 0};
    spec.values = 3;
    spec.rounds = 10;
    spec.eval_every = 10;
    spec.train.learning_rate = 0.5F;
    spec.fedavg_fraction = 0.5;
    spec.comms.radio_loss = 0.0;
    spec.comms.cloud_loss = 0.0;
    return spec;
}

constexpr ProtocolKind kExchanging[] = {ProtocolKind::kPushPull, ProtocolKind::kPushSum,
                                        ProtocolKind::kDpsgd, ProtocolKind::kGossipLearning,
                                        ProtocolKind::kFedAvg};

// averaging protocols start from value i in every coordinate
void start_values(LearningSim& sim) {
    if (trains(sim.spec().protocol)) {
        return;
    }
    for (std::uint32_t i = 0; i < sim.spec().agents; ++i) {
        for (auto& v : sim.models().row(i)) {
            v = static_cast<float>(i);
        }
    }
}

// how far the honest estimates are from the true mean of the starting values (9.5)
double error_from_mean(const LearningSim& sim) {
    double worst = 0.0;
    for (std::uint32_t i = 0; i < sim.spec().agents; ++i) {
        for (const float v : sim.estimate(i)) {
            worst = std::max(worst, std::fabs(double(v) - 9.5));
        }
    }
    return worst;
}

}  // namespace

TEST_CASE("with signing every protocol's updates carry 64 signature bytes, also uncompressed") {
    const Dataset data = make_blobs(300, 4, 3, 0.5, 6);
    sim::SerialExecutor ex;
    for (const auto protocol : kExchanging) {
        CAPTURE(to_string(protocol));
        LearningSpec spec = small(protocol, data);
        LearningSim plain(spec, &data, &data, ex);
        start_values(plain);
        plain.run();
        spec.identity.sign = true;
        LearningSim signed_run(spec, &data, &data, ex);
        start_values(signed_run);
        signed_run.run();
        const AgentCounters a = plain.totals();
        const AgentCounters b = signed_run.totals();
        REQUIRE(a.messages_sent == b.messages_sent);
        CHECK(b.bytes_sent - a.bytes_sent == 64 * b.messages_sent);
        CHECK(b.rejected() == 0);
        // honest, untouched updates all verify: the models are the same
        CHECK(plain.state_hash() != signed_run.state_hash());  // counters differ (bytes)
        CHECK(plain.series().back().consensus_distance ==
              signed_run.series().back().consensus_distance);
    }
}

TEST_CASE("updates altered in transit are rejected when signed and poison the models when not") {
    const Dataset data = make_blobs(300, 4, 3, 0.5, 6);
    sim::SerialExecutor ex;
    for (const auto protocol : kExchanging) {
        CAPTURE(to_string(protocol));
        LearningSpec spec = small(protocol, data);
        spec.identity.tamper_rate = 0.2;  // no compression: float32 updates
        spec.identity.sign = true;
        LearningSim guarded(spec, &data, &data, ex);
        start_values(guarded);
        guarded.run();
        const AgentCounters g = guarded.totals();
        CHECK(g.rejected_tampered > 0);
        CHECK(g.rejected() == g.rejected_tampered);
        spec.identity.sign = false;
        LearningSim open(spec, &data, &data, ex);
        start_values(open);
        open.run();
        CHECK(open.totals().rejected() == 0);
        if (trains(protocol)) {
            CHECK(guarded.series().back().model_accuracy > 0.85);
            CHECK(open.series().back().model_accuracy <
                  guarded.series().back().model_accuracy - 0.1);
        } else {
            // the signed run's estimates stay between the starting values; the open one's
            // carry the attacker's N(0, 10^2) weights
            CHECK(error_from_mean(guarded) < 10.0);
            CHECK(error_from_mean(open) > 2.0 * error_from_mean(guarded));
        }
    }
}

TEST_CASE("replays of an earlier round's signed update are rejected and counted") {
    const Dataset data = make_blobs(300, 4, 3, 0.5, 6);
    sim::SerialExecutor ex;
    for (const auto protocol : {ProtocolKind::kDpsgd, ProtocolKind::kGossipLearning}) {
        CAPTURE(to_string(protocol));
        LearningSpec spec = small(protocol, data);
        spec.identity.sign = true;
        spec.identity.replay_rate = 0.5;
        LearningSim guarded(spec, &data, &data, ex);
        guarded.run();
        const AgentCounters g = guarded.totals();
        // about 0.5 x 20 agents x 9 rounds (round 0 has nothing to replay)
        CHECK(g.rejected_replayed > 60);
        CHECK(g.rejected_replayed < 130);
        CHECK(g.rejected() == g.rejected_replayed);
        // every legitimate update is still accepted
        const std::uint64_t legit = protocol == ProtocolKind::kDpsgd ? 20 * 4 * 10 : 20 * 10;
        CHECK(g.messages_received - g.rejected() == legit);
        // unsigned, the same replays are taken for fresh updates
        spec.identity.sign = false;
        LearningSim open(spec, &data, &data, ex);
        open.run();
        CHECK(open.totals().rejected_replayed == 0);
        CHECK(open.totals().messages_received == legit + g.rejected_replayed);
    }
}
