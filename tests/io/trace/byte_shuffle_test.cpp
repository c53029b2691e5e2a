// shuffle_bytes (HDF5's shuffle filter, done by the writer) against the shuffle written out by
// hand, for every element size and row count around its 8x8 and 64-row blocks.
#include "io/trace/byte_shuffle.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

TEST_CASE("shuffle_bytes: byte k of element i at k * plane + i, for every element size") {
    // sizes of 8 and more are transposed 8 rows by 8 bytes at a time (/events' 34 bytes):
    // partial groups of rows and bytes, blocks of 64 rows, and planes wider than the records
    std::uint32_t seed = 12345;
    for (const std::size_t size : {1U, 2U, 3U, 4U, 8U, 9U, 16U, 17U, 34U, 40U}) {
        for (const std::size_t n : {0U, 1U, 7U, 8U, 63U, 64U, 65U, 130U, 1000U}) {
            std::vector<unsigned char> in(n * size);
            for (unsigned char& c : in) {
                seed = seed * 1664525U + 1013904223U;
                c = static_cast<unsigned char>(seed >> 24U);
            }
            const std::size_t plane = n + 3;
            std::vector<unsigned char> got(plane * size, 7);
            std::vector<unsigned char> want(plane * size, 7);
            swarm::io::shuffle_bytes(in.data(), n, size, got.data(), plane);
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t k = 0; k < size; ++k) {
                    want[k * plane + i] = in[i * size + k];
                }
            }
            CHECK_MESSAGE(got == want, "size " << size << ", " << n << " elements");
        }
    }
}
