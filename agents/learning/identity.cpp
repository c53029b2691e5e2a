#include "agents/learning/identity.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "sim/random.hpp"

namespace swarm::learning {
namespace {

void ensure_sodium() {
    // sodium_init is thread-safe and idempotent; < 0 means no usable randomness source,
    // which we do not need (keys come from seeds) but libsodium refuses to run without
    static const int status = sodium_init();
    if (status < 0) {
        throw std::runtime_error("libsodium failed to initialise");
    }
}

// what is signed: sender (4 bytes LE) | round (8 bytes LE) | BLAKE2b-256(payload)
std::array<std::uint8_t, 44> statement(std::uint32_t sender, std::uint64_t round,
                                       std::span<const std::uint8_t> payload) {
    std::array<std::uint8_t, 44> m{};
    for (int b = 0; b < 4; ++b) {
        m[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(sender >> (8 * b));
    }
    for (int b = 0; b < 8; ++b) {
        m[4 + static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(round >> (8 * b));
    }
    crypto_generichash(m.data() + 12, 32, payload.data(), payload.size(), nullptr, 0);
    return m;
}

}  // namespace

const char* to_string(Verdict v) {
    switch (v) {
        case Verdict::kAccepted:
            return "accepted";
        case Verdict::kUnsigned:
            return "unsigned";
        case Verdict::kForged:
            return "forged";
        case Verdict::kUnknown:
            return "unknown";
        case Verdict::kReplayed:
            return "replayed";
    }
    return "?";
}

KeyPair derive_key_pair(std::uint64_t seed, std::uint32_t index) {
    ensure_sodium();
    sim::RandomStream rng(seed, index, 0x1D);
    std::array<std::uint8_t, crypto_sign_SEEDBYTES> s{};
    for (std::size_t i = 0; i < s.size(); i += 8) {
        const std::uint64_t v = rng.next_u64();
        std::memcpy(s.data() + i, &v, 8);
    }
    KeyPair kp;
    crypto_sign_seed_keypair(kp.public_key.data(), kp.secret_key.data(), s.data());
    return kp;
}

Signature sign_update(const SecretKey& key, std::uint32_t sender, std::uint64_t round,
                      std::span<const std::uint8_t> payload) {
    ensure_sodium();
    const auto m = statement(sender, round, payload);
    Signature sig{};
    crypto_sign_detached(sig.data(), nullptr, m.data(), m.size(), key.data());
    return sig;
}

KeyDirectory::KeyDirectory(std::uint32_t agents, std::uint64_t seed) {
    keys_.reserve(agents);
    for (std::uint32_t i = 0; i < agents; ++i) {
        keys_.push_back(derive_key_pair(seed, i));
    }
}

Verdict KeyDirectory::verify(std::uint32_t claimed_sender, std::uint64_t round,
                             std::span<const std::uint8_t> payload,
                             const Signature* signature) const {
    if (signature == nullptr) {
        return Verdict::kUnsigned;
    }
    if (claimed_sender >= keys_.size()) {
        return Verdict::kUnknown;
    }
    return verify_update(keys_[claimed_sender].public_key, claimed_sender, round, payload,
                         signature);
}

Verdict verify_update(const PublicKey& key, std::uint32_t sender, std::uint64_t round,
                      std::span<const std::uint8_t> payload, const Signature* signature) {
    if (signature == nullptr) {
        return Verdict::kUnsigned;
    }
    ensure_sodium();
    const auto m = statement(sender, round, payload);
    const int rc = crypto_sign_verify_detached(signature->data(), m.data(), m.size(), key.data());
    return rc == 0 ? Verdict::kAccepted : Verdict::kForged;
}

}  // namespace swarm::learning
