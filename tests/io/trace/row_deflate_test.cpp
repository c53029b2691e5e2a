// row_deflate: its output is a zlib stream that zlib's own inflate decodes to the input,
// for rows that repeat, runs, noise, and the edge sizes.
#include "io/trace/row_deflate.hpp"

#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdint>
#include <vector>

namespace {

std::vector<unsigned char> inflated(const std::vector<unsigned char>& packed, std::size_t size) {
    std::vector<unsigned char> out(size + 1);
    uLongf n = static_cast<uLongf>(out.size());
    const int rc = uncompress(out.data(), &n, packed.data(), static_cast<uLong>(packed.size()));
    REQUIRE(rc == Z_OK);
    out.resize(n);
    return out;
}

void round_trip(const std::vector<unsigned char>& in, std::size_t row) {
    std::vector<unsigned char> packed;
    swarm::io::row_deflate(in, row, packed);
    CHECK(inflated(packed, in.size()) == in);
}

}  // namespace

TEST_CASE("row_deflate output inflates back to its input") {
    std::uint32_t x = 12345;
    const auto next = [&x] {
        x = x * 1664525U + 1013904223U;
        return static_cast<unsigned char>(x >> 24);
    };
    // 32 rows of 1024 bytes: each row the previous one with a few bytes changed
    std::vector<unsigned char> rows(32 * 1024);
    for (std::size_t i = 0; i < 1024; ++i) {
        rows[i] = next();
    }
    for (std::size_t r = 1; r < 32; ++r) {
        for (std::size_t i = 0; i < 1024; ++i) {
            rows[r * 1024 + i] = (next() < 20) ? next() : rows[(r - 1) * 1024 + i];
        }
    }
    round_trip(rows, 1024);
    round_trip(rows, 0);      // no row matches: runs and literals only
    round_trip(rows, 40000);  // a row beyond the window is ignored
    std::vector<unsigned char> noise(70000);
    for (unsigned char& b : noise) {
        b = next();
    }
    round_trip(noise, 1024);
    round_trip(std::vector<unsigned char>(100000, 7), 1024);  // one long run
    round_trip({}, 1024);
    round_trip({1}, 1);
    round_trip({1, 1, 1, 1}, 1);
    // repeats compress: 32 equal rows cost little more than the first
    std::vector<unsigned char> same(32 * 1024);
    for (std::size_t i = 0; i < same.size(); ++i) {
        same[i] = static_cast<unsigned char>((i % 1024) * 37 % 251);
    }
    std::vector<unsigned char> packed;
    swarm::io::row_deflate(same, 1024, packed);
    CHECK(packed.size() < 1024 * 9 / 8 + 500);
}
