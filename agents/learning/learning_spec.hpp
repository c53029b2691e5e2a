// Everything that defines a learning run (immutable for the run): who learns what from
// which data, over which overlay, by which protocol, under which comms, churn, attack and
// defence. Names are what scenario files and the CLI use.
#pragma once

#include <cstdint>
#include <string>

#include "agents/comms/comms_spec.hpp"
#include "agents/learning/compression.hpp"
#include "agents/learning/model.hpp"
#include "agents/learning/overlay.hpp"
#include "agents/learning/partition.hpp"
#include "agents/learning/robust.hpp"

namespace swarm::learning {

enum class ProtocolKind : std::uint8_t {
    kPushPull,        // pairwise averaging, each agent initiates once a round (Jelasity 2005)
    kPushSum,         // keep half, send half of (value, weight) (Kempe et al. 2003)
    kDpsgd,           // local SGD step, then mix with Metropolis-Hastings weights (Lian 2017)
    kGossipLearning,  // train, send the model to one random neighbour, merge (Ormandi 2013)
    kFedAvg,          // cloud server averages sampled agents' models (McMahan et al. 2017)
    kLocal,           // no communication at all: the local-only baseline
};
const char* to_string(ProtocolKind kind);
ProtocolKind protocol_kind_from_string(const std::string& name);
// whether the protocol trains models on data (push-pull and push-sum only average values)
bool trains(ProtocolKind kind);

struct TrainSpec {
    float learning_rate = 0.1F;
    std::uint32_t batch = 16;       // samples per SGD step, drawn with replacement
    std::uint32_t local_steps = 1;  // SGD steps per round
};

// Each round an online agent goes offline w.p. leave, an offline one returns w.p. join.
struct ChurnSpec {
    double leave = 0.0;
    double join = 0.0;
};

// Identities and the outsiders who try to inject updates. Rates are per agent per round.
struct IdentitySpec {
    bool sign = false;           // sign and verify every update (libsodium Ed25519)
    double unsigned_rate = 0.0;  // an outsider sends an update without signature
    double forged_rate = 0.0;    // ... claiming a neighbour's id, signed with its own key
    double unknown_rate = 0.0;   // ... signed with a key outside the directory
    // an outsider re-sends an update a neighbour signed in an earlier round (a replay)
    double replay_rate = 0.0;
    // an attacker on the channel replaces a delivered update's weights (per message)
    double tamper_rate = 0.0;
};

// Agent movement for the radio overlay: random direction mobility in a square (each round
// an agent moves speed * period along its heading, turning w.p. turn and bouncing off the
// borders). Range, latency, bandwidth and loss come from the comms spec.
struct RadioSpec {
    double area_m = 2000.0;  // side of the square
    double speed_mps = 10.0;
    double turn = 0.2;
};

struct LearningSpec {
    std::uint32_t agents = 100;
    std::uint64_t seed = 1;
    ProtocolKind protocol = ProtocolKind::kDpsgd;
    OverlayKind overlay = OverlayKind::kRegular;
    std::uint32_t degree = 8;  // ring, regular, small world
    double rewire = 0.1;       // small world
    RadioSpec radio;           // radio overlay
    ModelSpec model;
    std::uint32_t values = 1;  // push_pull / push_sum: length of each agent's vector
    PartitionSpec partition;
    TrainSpec train;
    double period_s = 10.0;  // one round every period
    std::uint32_t rounds = 100;
    std::uint32_t eval_every = 10;     // metrics every this many rounds (and the last)
    std::uint32_t eval_samples = 200;  // test samples for each agent's own accuracy
    std::uint32_t test_samples = 0;    // test samples for the average model (0: all)
    CompressionSpec compression;
    comms::CommsSpec comms;  // radio for peers, cloud for FedAvg (no loss by default here)
    ChurnSpec churn;
    AttackSpec attack;
    AggregatorSpec aggregator;
    IdentitySpec identity;
    double fedavg_fraction = 0.1;  // agents sampled per FedAvg round
    // Divergence alarm, checked at every evaluation: a non-finite weight in an honest model
    // (or the FedAvg global model), or a consensus distance above this bound (averaging
    // protocols: above the larger of the bound and their starting distance; `local`: not
    // checked, its models are not meant to agree). Healthy runs measure 0.01-1.1.
    double divergence_bound = 100.0;

    // std::invalid_argument naming the field
    void validate() const;
};

}  // namespace swarm::learning
