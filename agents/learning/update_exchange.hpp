// How a model update travels, shared by every host of the learning layer (LearningSim's
// round loop, the fleet's vehicles): updates made of one or more parts (the fleet sends two
// models at once) are encoded (compression.hpp), signed (identity.hpp), possibly altered in
// transit, verified and decoded; rejected ones are counted at their receiver. The push-pull
// exchange of one pair lives here once.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "agents/learning/compression.hpp"
#include "agents/learning/identity.hpp"
#include "sim/random.hpp"

namespace swarm::learning {

// What happened to an agent's updates beyond message and byte counts (those live in a
// comms::MessageCounters). Slot i is written only on behalf of agent i.
struct LearningCounters {
    std::uint64_t lost = 0;               // dropped by the channel (counted at the sender)
    std::uint64_t late = 0;               // delay longer than a round: discarded
    std::uint64_t unreachable = 0;        // the peer was offline
    std::uint64_t rejected_unsigned = 0;  // counted at the receiver
    std::uint64_t rejected_forged = 0;
    std::uint64_t rejected_unknown = 0;
    std::uint64_t rejected_tampered = 0;  // altered in transit: the signature fails
    std::uint64_t rejected_replayed = 0;  // validly signed for an earlier round
    double delay_s = 0.0;                 // sum over delivered messages

    [[nodiscard]] std::uint64_t rejected() const {
        return rejected_unsigned + rejected_forged + rejected_unknown + rejected_tampered +
               rejected_replayed;
    }
};

// Counts a rejected update at its receiver; true when the update is accepted. A tampered
// update fails its signature like a forged one; the simulation knows which it was.
bool accept_update(LearningCounters& c, Verdict v, bool tampered);

// What an attacker on the channel (or an outsider) puts in place of a model: large random
// weights, N(0, 10^2) each.
void poison(sim::RandomStream& rng, std::span<float> out);

// One update of several parts, each part a model's weights. Parts are encoded one by one
// (top-k picks within each model) and the payloads concatenated; a one-part update encodes
// exactly as encode() does.
using UpdateParts = std::span<const std::span<float>>;
std::size_t update_payload_bytes(const CompressionSpec& spec, UpdateParts parts);
void encode_update(const CompressionSpec& spec, UpdateParts parts, std::vector<std::uint8_t>& out);
// decodes into `flat` (the parts back to back; it must hold the receiver's own weights,
// which top-k keeps where the message is silent)
void decode_update(const CompressionSpec& spec, UpdateParts shape,
                   std::span<const std::uint8_t> payload, std::span<float> flat);
// the parts back to back
void flatten(UpdateParts parts, std::vector<float>& out);

// One push-pull exchange between initiator i and peer j on the wire, after i's push reached
// j: j averages with what it decoded of i's update unless it rejects it, and then replies;
// i averages with j's reply when it arrived (`pull`) and is accepted. x_i, x_j are the
// models (changed in place); send_i, send_j what each puts on the wire (its model, or a
// Byzantine agent's crafted update). Without compression, keys and tampering this is the
// plain pairwise average.
struct PairWire {
    const CompressionSpec* compression = nullptr;
    const KeyDirectory* keys = nullptr;  // sign and verify (null: unsigned)
    std::uint32_t round = 0;             // signed with the update
    bool coded = false;                  // encode and decode (compression, keys or tampering)
};
struct PairOutcome {
    bool replied = false;  // j accepted the push and sent its reply
    bool pulled = false;   // i accepted the reply
};
PairOutcome exchange_pair(const PairWire& wire, std::uint32_t i, std::uint32_t j, UpdateParts x_i,
                          UpdateParts x_j, UpdateParts send_i, UpdateParts send_j, bool pull,
                          bool push_tampered, bool pull_tampered, sim::RandomStream& poison_rng,
                          LearningCounters& c_i, LearningCounters& c_j);

}  // namespace swarm::learning
