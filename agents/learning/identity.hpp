// Agent identities: an Ed25519 key pair per agent (libsodium), derived from the run seed so
// that runs are reproducible. An update is signed over (sender, round, BLAKE2b of payload);
// receivers check it against the directory of known public keys.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace swarm::learning {

using Signature = std::array<std::uint8_t, 64>;
using PublicKey = std::array<std::uint8_t, 32>;
using SecretKey = std::array<std::uint8_t, 64>;
inline constexpr std::uint64_t kSignatureBytes = 64;  // added to each signed update on the wire

enum class Verdict : std::uint8_t {
    kAccepted,
    kUnsigned,  // no signature attached
    kForged,    // known sender, signature does not verify
    kUnknown,   // sender id not in the directory
    kReplayed,  // valid signature, but for an earlier round: an old update sent again
};
const char* to_string(Verdict v);

struct KeyPair {
    PublicKey public_key{};
    SecretKey secret_key{};
};

// Deterministic key pair from (seed, index) via crypto_sign_seed_keypair.
KeyPair derive_key_pair(std::uint64_t seed, std::uint32_t index);

Signature sign_update(const SecretKey& key, std::uint32_t sender, std::uint64_t round,
                      std::span<const std::uint8_t> payload);

// Checks a signature against one known public key (kAccepted or kForged; kUnsigned when
// signature == nullptr).
Verdict verify_update(const PublicKey& key, std::uint32_t sender, std::uint64_t round,
                      std::span<const std::uint8_t> payload, const Signature* signature);

// The directory every agent holds: the public keys of the `agents` legitimate identities.
class KeyDirectory {
  public:
    KeyDirectory(std::uint32_t agents, std::uint64_t seed);

    [[nodiscard]] std::uint32_t size() const { return static_cast<std::uint32_t>(keys_.size()); }
    [[nodiscard]] const SecretKey& secret_key(std::uint32_t agent) const {
        return keys_[agent].secret_key;
    }
    [[nodiscard]] const PublicKey& public_key(std::uint32_t agent) const {
        return keys_[agent].public_key;
    }
    [[nodiscard]] Signature sign(std::uint32_t agent, std::uint64_t round,
                                 std::span<const std::uint8_t> payload) const {
        return sign_update(keys_[agent].secret_key, agent, round, payload);
    }
    // signature == nullptr: an unsigned update
    [[nodiscard]] Verdict verify(std::uint32_t claimed_sender, std::uint64_t round,
                                 std::span<const std::uint8_t> payload,
                                 const Signature* signature) const;
    // An update received in round `now` that says it was signed in `signed_round` (the
    // round is inside the signed statement, so it cannot be altered): the signature must
    // verify, and an update signed for an earlier round is a replay.
    [[nodiscard]] Verdict verify_fresh(std::uint32_t claimed_sender, std::uint64_t signed_round,
                                       std::uint64_t now, std::span<const std::uint8_t> payload,
                                       const Signature* signature) const {
        const Verdict v = verify(claimed_sender, signed_round, payload, signature);
        return v == Verdict::kAccepted && signed_round != now ? Verdict::kReplayed : v;
    }

  private:
    std::vector<KeyPair> keys_;
};

}  // namespace swarm::learning
