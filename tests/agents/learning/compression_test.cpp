#include "agents/learning/compression.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

using namespace swarm::learning;

TEST_CASE("round trips keep what each codec promises") {
    std::vector<float> x(100);
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = std::sin(float(i)) * float(i % 7);
    }
    std::vector<std::uint8_t> bytes;
    std::vector<float> y(100, 0.0F);
    encode({CompressionKind::kNone, 0.1}, x, bytes);
    CHECK(bytes.size() == 400);
    decode({CompressionKind::kNone, 0.1}, bytes, y);
    CHECK(y == x);

    const CompressionSpec q8{CompressionKind::kQ8, 0.1};
    encode(q8, x, bytes);
    CHECK(bytes.size() == 108);
    decode(q8, bytes, y);
    for (std::size_t i = 0; i < x.size(); ++i) {
        CHECK(std::fabs(y[i] - x[i]) <= 12.0F / 255.0F / 2.0F + 1e-5F);
    }

    const CompressionSpec top{CompressionKind::kTopK, 0.05};
    encode(top, x, bytes);
    CHECK(bytes.size() == 40);
    std::fill(y.begin(), y.end(), 42.0F);
    decode(top, bytes, y);
    int kept = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (y[i] != 42.0F) {
            CHECK(y[i] == x[i]);
            CHECK(std::fabs(x[i]) >= 5.0F);
            ++kept;
        }
    }
    CHECK(kept == 5);
    CHECK_THROWS_AS(decode(top, std::vector<std::uint8_t>(3), y), std::invalid_argument);
}
