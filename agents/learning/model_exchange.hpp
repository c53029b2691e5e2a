// The exchange stack for a host that decides for itself who talks to whom and which
// messages arrive (the fleet: radio neighbours on the road, the cloud link, its own loss
// draws): Byzantine agents and their crafted updates, compression, Ed25519 signatures,
// tampering on the channel, the pairwise push-pull (update_exchange.hpp) and a FedAvg
// server that combines the uploads with an aggregator (robust.hpp, aggregators.hpp).
//
// Random draws come from per-(agent, purpose, round) streams of the exchange's own seed, so
// a host's draws never shift, and are only taken for the features a run turns on.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agents/learning/compression.hpp"
#include "agents/learning/identity.hpp"
#include "agents/learning/model_bank.hpp"
#include "agents/learning/robust.hpp"
#include "agents/learning/update_exchange.hpp"

namespace swarm::sim {
class StateArchive;
}

namespace swarm::learning {

struct ExchangeSpec {
    CompressionSpec compression;
    bool sign = false;          // sign and verify every update (the server signs its model too)
    double tamper_rate = 0.0;   // per message: an attacker on the channel replaces the weights
    AttackSpec attack;          // Byzantine agents: valid identities, crafted updates
    AggregatorSpec aggregator;  // how the FedAvg server combines the uploads

    [[nodiscard]] bool attacked() const {
        return attack.kind != AttackKind::kNone && attack.fraction > 0.0;
    }
    // whether updates are encoded on the wire (otherwise models are averaged directly)
    [[nodiscard]] bool coded() const {
        return compression.kind != CompressionKind::kNone || sign || tamper_rate > 0.0;
    }
    // std::invalid_argument naming the field
    void validate() const;
};

class ModelExchange {
  public:
    // `agents` take part; the server is agent index `agents` (its counters, its key).
    // std::invalid_argument for a bad spec.
    ModelExchange(const ExchangeSpec& spec, std::uint32_t agents, std::uint64_t seed);
    ~ModelExchange();
    ModelExchange(const ModelExchange&) = delete;
    ModelExchange& operator=(const ModelExchange&) = delete;
    ModelExchange(ModelExchange&&) = delete;
    ModelExchange& operator=(ModelExchange&&) = delete;

    // one part of every update: row a of `bank` is agent a's (banks must outlive this);
    // the server's model starts as agent 0's row
    void add_part(ModelBank& bank);

    [[nodiscard]] const ExchangeSpec& spec() const { return spec_; }
    // payload bytes of one update before headers: the encoded parts and the signature
    [[nodiscard]] std::size_t payload_bytes() const;
    [[nodiscard]] bool byzantine(std::uint32_t agent) const { return byzantine_[agent] != 0; }
    [[nodiscard]] std::uint32_t byzantine_count() const { return attackers_; }

    // a new round (numbers must increase): the attackers craft their updates from the
    // honest models as they are now
    void begin_round(std::uint32_t round);
    // push-pull: i's push reached j, j's reply would reach i when `pull`
    PairOutcome push_pull(std::uint32_t i, std::uint32_t j, bool pull);
    // FedAvg: the uploads of `uploads` reached the server, which combines the ones it
    // accepts (mean: weighted by weights[part * agents + a]; otherwise the aggregator, with
    // its own model as one candidate) into its model; the downloads to `downloads` carry
    // it. Appends the agents that took the server's model to `took`. Nothing accepted: no
    // download happens.
    void federated(std::span<const std::uint32_t> uploads, std::span<const double> weights,
                   std::span<const std::uint32_t> downloads, std::vector<std::uint32_t>& took);

    // counters of agent a (the server: a == agents)
    [[nodiscard]] const LearningCounters& counters(std::uint32_t a) const { return counters_[a]; }
    [[nodiscard]] std::uint64_t rejected() const;  // updates rejected, all receivers
    [[nodiscard]] std::uint64_t tampered() const { return tampered_; }  // altered in transit

    // checkpoints, under the caller's scope: the round, the server's model ("global"), the
    // counters per agent and the server ("counters/<field>"). Not the banks (their owner
    // saves them) nor what the spec and seed make (roles, keys). Loading into an exchange
    // made from the same spec, agents and parts; otherwise a sim::CheckpointError.
    void save(sim::StateArchive& ar) const;
    void load(const sim::StateArchive& ar);

  private:
    using Views = std::array<std::span<float>, 4>;
    // agent a's model as parts (crafted: what a Byzantine agent sends instead)
    UpdateParts rows(std::uint32_t a, Views& out, bool crafted = false);
    // a flat vector (parameters_ long) as parts
    UpdateParts flat(std::span<float> v, Views& out) const;
    [[nodiscard]] sim::RandomStream stream(std::uint32_t agent, std::uint32_t tag,
                                           std::uint64_t extra = 0) const;

    ExchangeSpec spec_;
    std::uint32_t agents_ = 0;
    std::uint64_t seed_ = 0;
    std::uint32_t round_ = 0;
    std::vector<ModelBank*> banks_;
    std::size_t parameters_ = 0;  // all parts
    std::vector<unsigned char> byzantine_;
    std::vector<unsigned char> honest_;
    std::uint32_t attackers_ = 0;
    double alie_z_ = 0.0;
    // agents x parameters_ (Byzantine rows only written); begin_round rewrites every row it
    // reads, so a checkpoint leaves it out
    std::vector<float> crafted_;
    std::vector<float> global_;  // the server's model, parts back to back
    std::unique_ptr<KeyDirectory> keys_;
    std::vector<LearningCounters> counters_;
    std::uint64_t tampered_ = 0;
};

}  // namespace swarm::learning
