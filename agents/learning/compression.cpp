#include "agents/learning/compression.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>

namespace swarm::learning {
namespace {
std::size_t topk_count(double fraction, std::size_t parameters) {
    const auto k = static_cast<std::size_t>(std::ceil(fraction * double(parameters)));
    return std::clamp<std::size_t>(k, 1, parameters);
}
}  // namespace

const char* to_string(CompressionKind kind) {
    switch (kind) {
        case CompressionKind::kNone:
            return "none";
        case CompressionKind::kTopK:
            return "topk";
        case CompressionKind::kQ8:
            return "q8";
    }
    return "?";
}

CompressionKind compression_kind_from_string(const std::string& name) {
    for (auto k : {CompressionKind::kNone, CompressionKind::kTopK, CompressionKind::kQ8}) {
        if (name == to_string(k)) {
            return k;
        }
    }
    throw std::invalid_argument("unknown compression '" + name + "' (none, topk, q8)");
}

void CompressionSpec::validate() const {
    if (!(fraction > 0.0 && fraction <= 1.0)) {
        throw std::invalid_argument("compression: fraction must be in (0, 1]");
    }
}

std::size_t CompressionSpec::payload_bytes(std::size_t parameters) const {
    switch (kind) {
        case CompressionKind::kNone:
            return parameters * 4;
        case CompressionKind::kTopK:
            return topk_count(fraction, parameters) * 8;
        case CompressionKind::kQ8:
            return parameters + 8;
    }
    return 0;
}

void encode(const CompressionSpec& spec, std::span<const float> values,
            std::vector<std::uint8_t>& out) {
    out.resize(spec.payload_bytes(values.size()));
    switch (spec.kind) {
        case CompressionKind::kNone:
            std::memcpy(out.data(), values.data(), values.size() * 4);
            break;
        case CompressionKind::kTopK: {
            const std::size_t k = topk_count(spec.fraction, values.size());
            std::vector<std::uint32_t> idx(values.size());
            std::iota(idx.begin(), idx.end(), 0U);
            // ties by index keep the choice deterministic
            std::nth_element(idx.begin(), idx.begin() + static_cast<long>(k - 1), idx.end(),
                             [&](std::uint32_t a, std::uint32_t b) {
                                 const float fa = std::fabs(values[a]);
                                 const float fb = std::fabs(values[b]);
                                 return fa != fb ? fa > fb : a < b;
                             });
            std::sort(idx.begin(), idx.begin() + static_cast<long>(k));
            for (std::size_t i = 0; i < k; ++i) {
                std::memcpy(out.data() + i * 8, &idx[i], 4);
                std::memcpy(out.data() + i * 8 + 4, &values[idx[i]], 4);
            }
            break;
        }
        case CompressionKind::kQ8: {
            const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
            const float min = values.empty() ? 0.0F : *lo;
            const float step = values.empty() ? 0.0F : (*hi - *lo) / 255.0F;
            std::memcpy(out.data(), &min, 4);
            std::memcpy(out.data() + 4, &step, 4);
            for (std::size_t i = 0; i < values.size(); ++i) {
                const float q = step > 0.0F ? std::round((values[i] - min) / step) : 0.0F;
                out[8 + i] = static_cast<std::uint8_t>(std::clamp(q, 0.0F, 255.0F));
            }
            break;
        }
    }
}

void decode(const CompressionSpec& spec, std::span<const std::uint8_t> payload,
            std::span<float> out) {
    if (payload.size() != spec.payload_bytes(out.size())) {
        throw std::invalid_argument("decode: payload of " + std::to_string(payload.size()) +
                                    " bytes does not fit " + to_string(spec.kind) + " of " +
                                    std::to_string(out.size()) + " parameters");
    }
    switch (spec.kind) {
        case CompressionKind::kNone:
            std::memcpy(out.data(), payload.data(), out.size() * 4);
            break;
        case CompressionKind::kTopK:
            for (std::size_t i = 0; i < payload.size() / 8; ++i) {
                std::uint32_t at = 0;
                float v = 0.0F;
                std::memcpy(&at, payload.data() + i * 8, 4);
                std::memcpy(&v, payload.data() + i * 8 + 4, 4);
                if (at >= out.size()) {
                    throw std::invalid_argument("decode: top-k index out of range");
                }
                out[at] = v;
            }
            break;
        case CompressionKind::kQ8: {
            float min = 0.0F;
            float step = 0.0F;
            std::memcpy(&min, payload.data(), 4);
            std::memcpy(&step, payload.data() + 4, 4);
            for (std::size_t i = 0; i < out.size(); ++i) {
                out[i] = min + step * static_cast<float>(payload[8 + i]);
            }
            break;
        }
    }
}

}  // namespace swarm::learning
