#include "io/trace/byte_shuffle.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace swarm::io {

namespace {

// out[k * plane + r] = in[r * stride + k] for r, k < 8: 8 rows of 8 bytes transposed in
// registers (three rounds of swapping the off-diagonal halves of 2x2, 4x4 and 8x8 blocks)
void transpose_8x8(const unsigned char* in, std::size_t stride, unsigned char* out,
                   std::size_t plane) {
    std::array<std::uint64_t, 8> w{};
    for (std::size_t r = 0; r < 8; ++r) {
        std::memcpy(&w[r], in + r * stride, 8);  // byte k of row r at bits 8k (little-endian)
    }
    constexpr std::array<std::uint64_t, 3> kMask = {0x00FF00FF00FF00FFULL, 0x0000FFFF0000FFFFULL,
                                                    0x00000000FFFFFFFFULL};
    for (unsigned round = 0; round < 3; ++round) {
        const std::size_t d = std::size_t{1} << round;  // rows r and r + d, bytes d apart
        const unsigned shift = 8U * static_cast<unsigned>(d);
        for (std::size_t r = 0; r < 8; ++r) {
            if ((r & d) == 0) {
                const std::uint64_t x = ((w[r] >> shift) ^ w[r + d]) & kMask[round];
                w[r + d] ^= x;
                w[r] ^= x << shift;
            }
        }
    }
    for (std::size_t k = 0; k < 8; ++k) {
        std::memcpy(out + k * plane, &w[k], 8);
    }
}

// a loop per element size, so that the compiler unrolls and vectorises it
template <std::size_t kSize>
void shuffle_as(const unsigned char* in, std::size_t n, unsigned char* out, std::size_t plane) {
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < kSize; ++j) {
            out[j * plane + i] = in[i * kSize + j];
        }
    }
}

}  // namespace

void shuffle_bytes(const unsigned char* in, std::size_t n, std::size_t size, unsigned char* out,
                   std::size_t plane) {
    switch (size) {
        case 1:
            if (n != 0) {  // an empty span may come with null pointers
                std::memcpy(out, in, n);
            }
            break;
        case 2:
            shuffle_as<2>(in, n, out, plane);
            break;
        case 4:
            shuffle_as<4>(in, n, out, plane);
            break;
        case 8:
            shuffle_as<8>(in, n, out, plane);
            break;
        default:
            // a block of rows at a time, each plane's bytes of the block written together:
            // row by row, the planes (`plane` bytes apart, often a multiple of 4 KiB) would
            // all fall into one set of the cache and evict each other at every byte. Within a
            // block, 8 rows by 8 bytes are transposed in registers (about a fifth of the
            // instructions of a byte at a time: /events' 34-byte rows)
            constexpr std::size_t kBlock = 64;
            for (std::size_t i0 = 0; i0 < n; i0 += kBlock) {
                const std::size_t m = std::min(kBlock, n - i0);
                const unsigned char* rows = in + i0 * size;
                const std::size_t m8 = m / 8 * 8;
                std::size_t j = 0;
                for (; j + 8 <= size; j += 8) {
                    for (std::size_t i = 0; i < m8; i += 8) {
                        transpose_8x8(rows + i * size + j, size, out + j * plane + i0 + i, plane);
                    }
                }
                for (; j < size; ++j) {
                    unsigned char* dst = out + j * plane + i0;
                    for (std::size_t i = 0; i < m8; ++i) {
                        dst[i] = rows[i * size + j];
                    }
                }
                for (j = 0; j < size; ++j) {
                    unsigned char* dst = out + j * plane + i0;
                    for (std::size_t i = m8; i < m; ++i) {
                        dst[i] = rows[i * size + j];
                    }
                }
            }
    }
}

}  // namespace swarm::io
