// What a model update looks like on the wire. Encoding is real (the bytes are what gets
// signed and counted), so compression shrinks the byte count and loses what it loses.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace swarm::learning {

enum class CompressionKind : std::uint8_t {
    kNone,  // float32 little-endian, 4 bytes a parameter
    kTopK,  // the k largest-magnitude parameters as (u32 index, f32 value): 8 bytes each
    kQ8,    // per-message min and step (2 x f32) then one byte a parameter
};
const char* to_string(CompressionKind kind);
CompressionKind compression_kind_from_string(const std::string& name);

struct CompressionSpec {
    CompressionKind kind = CompressionKind::kNone;
    double fraction = 0.1;  // top-k: k = ceil(fraction * parameters)
    void validate() const;
    // payload bytes of one encoded update of `parameters` floats
    [[nodiscard]] std::size_t payload_bytes(std::size_t parameters) const;
};

void encode(const CompressionSpec& spec, std::span<const float> values,
            std::vector<std::uint8_t>& out);
// Decodes into out. Coordinates a top-k message leaves out keep the value they have in
// `out` (the receiver passes its own model, so those coordinates are not moved).
// std::invalid_argument when the payload size is wrong for the spec.
void decode(const CompressionSpec& spec, std::span<const std::uint8_t> payload,
            std::span<float> out);

}  // namespace swarm::learning
