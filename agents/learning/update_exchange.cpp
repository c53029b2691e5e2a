#include "agents/learning/update_exchange.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace swarm::learning {

bool accept_update(LearningCounters& c, Verdict v, bool tampered) {
    switch (v) {
        case Verdict::kAccepted:
            return true;
        case Verdict::kUnsigned:
            ++c.rejected_unsigned;
            break;
        case Verdict::kForged:
            ++(tampered ? c.rejected_tampered : c.rejected_forged);
            break;
        case Verdict::kUnknown:
            ++c.rejected_unknown;
            break;
        case Verdict::kReplayed:
            ++c.rejected_replayed;
            break;
    }
    return false;
}

void poison(sim::RandomStream& rng, std::span<float> out) {
    for (auto& v : out) {
        v = static_cast<float>(rng.normal(0.0, 10.0));
    }
}

std::size_t update_payload_bytes(const CompressionSpec& spec, UpdateParts parts) {
    std::size_t bytes = 0;
    for (const std::span<float> p : parts) {
        bytes += spec.payload_bytes(p.size());
    }
    return bytes;
}

void encode_update(const CompressionSpec& spec, UpdateParts parts, std::vector<std::uint8_t>& out) {
    if (parts.size() == 1) {
        encode(spec, parts[0], out);
        return;
    }
    thread_local std::vector<std::uint8_t> one;
    out.clear();
    for (const std::span<float> p : parts) {
        encode(spec, p, one);
        out.insert(out.end(), one.begin(), one.end());
    }
}

void decode_update(const CompressionSpec& spec, UpdateParts shape,
                   std::span<const std::uint8_t> payload, std::span<float> flat) {
    std::size_t at = 0;
    std::size_t from = 0;
    for (const std::span<float> p : shape) {
        const std::size_t bytes = spec.payload_bytes(p.size());
        if (from + bytes > payload.size() || at + p.size() > flat.size()) {
            throw std::invalid_argument("decode_update: payload does not fit the update's parts");
        }
        decode(spec, payload.subspan(from, bytes), flat.subspan(at, p.size()));
        from += bytes;
        at += p.size();
    }
}

void flatten(UpdateParts parts, std::vector<float>& out) {
    out.clear();
    for (const std::span<float> p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
}

namespace {

// a flat vector seen as parts of the given shape (at most 4 parts)
struct FlatParts {
    std::array<std::span<float>, 4> spans{};
    std::size_t n = 0;
    FlatParts(UpdateParts shape, std::span<float> flat) {
        if (shape.size() > spans.size()) {
            throw std::invalid_argument("update: at most 4 parts");
        }
        std::size_t at = 0;
        for (const std::span<float> p : shape) {
            spans[n++] = flat.subspan(at, p.size());
            at += p.size();
        }
    }
    [[nodiscard]] UpdateParts parts() const { return {spans.data(), n}; }
};

}  // namespace

PairOutcome exchange_pair(const PairWire& wire, std::uint32_t i, std::uint32_t j, UpdateParts x_i,
                          UpdateParts x_j, UpdateParts send_i, UpdateParts send_j, bool pull,
                          bool push_tampered, bool pull_tampered, sim::RandomStream& poison_rng,
                          LearningCounters& c_i, LearningCounters& c_j) {
    PairOutcome out;
    thread_local std::vector<float> vi, vj, fake;
    if (!wire.coded) {
        // the plain pairwise average; what i sends may alias x_i (read before written)
        out.replied = true;
        out.pulled = pull;
        for (std::size_t part = 0; part < x_i.size(); ++part) {
            const std::span<float> a = x_i[part];
            const std::span<float> b = x_j[part];
            const std::span<const float> si = send_i[part];
            const std::span<const float> sj = send_j[part];
            for (std::size_t k = 0; k < a.size(); ++k) {
                const float from_i = si[k];
                const float from_j = sj[k];
                b[k] = 0.5F * (from_i + b[k]);
                if (pull) {
                    a[k] = 0.5F * (a[k] + from_j);
                }
            }
        }
        return out;
    }
    const CompressionSpec& c = *wire.compression;
    thread_local std::vector<std::uint8_t> bi, bj;
    encode_update(c, send_i, bi);
    encode_update(c, send_j, bj);
    Signature si{};
    Signature sj{};
    if (wire.keys != nullptr) {
        si = wire.keys->sign(i, wire.round, bi);
        sj = wire.keys->sign(j, wire.round, bj);
    }
    // the attacker's weights for the push, then the pull (one stream)
    std::size_t total = 0;
    for (const std::span<float> p : x_i) {
        total += p.size();
    }
    if (push_tampered) {
        fake.resize(total);
        poison(poison_rng, fake);
        encode_update(c, FlatParts(x_i, fake).parts(), bi);
    }
    if (wire.keys != nullptr &&
        !accept_update(c_j, wire.keys->verify_fresh(i, wire.round, wire.round, bi, &si),
                       push_tampered)) {
        return out;  // j ignores the request and does not reply
    }
    out.replied = true;
    if (pull) {
        if (pull_tampered) {
            fake.resize(total);
            poison(poison_rng, fake);
            encode_update(c, FlatParts(x_j, fake).parts(), bj);
        }
        out.pulled = wire.keys == nullptr ||
                     accept_update(c_i, wire.keys->verify_fresh(j, wire.round, wire.round, bj, &sj),
                                   pull_tampered);
    }
    flatten(x_j, vi);  // j's view of i's update
    flatten(x_i, vj);  // i's view of j's update
    decode_update(c, x_i, bi, vi);
    if (out.pulled) {
        decode_update(c, x_j, bj, vj);
    }
    std::size_t at = 0;
    for (std::size_t part = 0; part < x_i.size(); ++part) {
        const std::span<float> a = x_i[part];
        const std::span<float> b = x_j[part];
        for (std::size_t k = 0; k < a.size(); ++k, ++at) {
            const float own = a[k];
            b[k] = 0.5F * (b[k] + vi[at]);
            if (out.pulled) {
                a[k] = 0.5F * (own + vj[at]);
            }
        }
    }
    return out;
}

}  // namespace swarm::learning
