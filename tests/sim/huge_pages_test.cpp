#include "sim/huge_pages.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

namespace swarm::sim {

TEST_CASE("resize_huge gives what resize gives, above and below the huge-page size") {
    for (const std::size_t n : {std::size_t{0}, std::size_t{10}, (kHugePageMinBytes / 8) + 3}) {
        std::vector<std::uint64_t> plain;
        std::vector<std::uint64_t> huge;
        plain.resize(n, 7);
        resize_huge(huge, n, 7);
        CHECK(huge == plain);
        // growing keeps what was there and fills the rest
        plain.resize(2 * n + 1, 9);
        resize_huge(huge, 2 * n + 1, 9);
        CHECK(huge == plain);
        CHECK(huge.capacity() >= 2 * n + 1);
    }
}

TEST_CASE("reserve_huge reserves, keeps the contents and never shrinks") {
    std::vector<double> v(5, 1.5);
    reserve_huge(v, kHugePageMinBytes / sizeof(double) + 1);
    CHECK(v.size() == 5);
    CHECK(v.capacity() >= kHugePageMinBytes / sizeof(double) + 1);
    CHECK(v[4] == 1.5);
    const std::size_t cap = v.capacity();
    reserve_huge(v, 3);
    CHECK(v.capacity() == cap);
}

TEST_CASE("advise_huge_pages takes any range (a hint: unaligned, short or empty)") {
    std::vector<unsigned char> bytes(3U << 20U, 1);
    advise_huge_pages(bytes.data() + 1, bytes.size() - 1);
    advise_huge_pages(bytes.data(), 100);
    advise_huge_pages(bytes.data(), 0);
    advise_huge_pages(nullptr, 0);
    CHECK(bytes[bytes.size() - 1] == 1);
}

}  // namespace swarm::sim
