#include "agents/learning/identity.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace swarm::learning;

TEST_CASE("signatures verify for the right sender round and bytes only") {
    const KeyDirectory keys(5, 42);
    const std::vector<std::uint8_t> payload = {1, 2, 3, 4, 5};
    const Signature sig = keys.sign(3, 7, payload);
    CHECK(keys.verify(3, 7, payload, &sig) == Verdict::kAccepted);
    CHECK(keys.verify(2, 7, payload, &sig) == Verdict::kForged);
    CHECK(keys.verify(3, 8, payload, &sig) == Verdict::kForged);
    auto tampered = payload;
    tampered[0] = 9;
    CHECK(keys.verify(3, 7, tampered, &sig) == Verdict::kForged);
    CHECK(keys.verify(3, 7, payload, nullptr) == Verdict::kUnsigned);
    CHECK(keys.verify(5, 7, payload, &sig) == Verdict::kUnknown);
    // an outsider's key is not in the directory
    const KeyPair outsider = derive_key_pair(43, 3);
    const Signature fake = sign_update(outsider.secret_key, 3, 7, payload);
    CHECK(keys.verify(3, 7, payload, &fake) == Verdict::kForged);
    // keys are a pure function of the seed
    CHECK(KeyDirectory(5, 42).public_key(3) == keys.public_key(3));
    CHECK(KeyDirectory(5, 41).public_key(3) != keys.public_key(3));
}

TEST_CASE("an old round's valid update is a replay, a changed round a forgery") {
    const KeyDirectory keys(5, 42);
    // an uncompressed update: float32 weights as sent on the wire
    std::vector<std::uint8_t> payload(4 * 6);
    for (std::size_t i = 0; i < payload.size(); ++i) {
        payload[i] = static_cast<std::uint8_t>(i * 7);
    }
    const Signature sig = keys.sign(2, 3, payload);
    CHECK(keys.verify_fresh(2, 3, 3, payload, &sig) == Verdict::kAccepted);
    // sent again in round 4 with its own round 3: valid signature, stale round
    CHECK(keys.verify_fresh(2, 3, 4, payload, &sig) == Verdict::kReplayed);
    // claiming round 4 instead breaks the signature (the round is in the signed bytes)
    CHECK(keys.verify_fresh(2, 4, 4, payload, &sig) == Verdict::kForged);
    // one bit flipped in transit
    payload[5] ^= 0x10;
    CHECK(keys.verify_fresh(2, 3, 3, payload, &sig) == Verdict::kForged);
    CHECK(std::string(to_string(Verdict::kReplayed)) == "replayed");
}
