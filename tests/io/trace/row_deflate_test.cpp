// RowDeflater: the chunk it streams row by row is a zlib stream that zlib's own inflate
// decodes to the chunk as HDF5's shuffle filter lays it out, for rows that repeat, runs,
// noise, partial rows, rows of zeros added at finish, element sizes 1 to 12 and rows too wide
// for deflate's window; rows encoded from their changes (all changed, none changed, partial
// rows that shrink and grow, unchanged stretches around deflate's match limits, or from a
// list of the elements that may have changed); repeated rows compress to almost nothing.
#include "io/trace/row_deflate.hpp"

#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace {

using swarm::io::RowDeflater;

std::vector<unsigned char> inflated(const std::vector<unsigned char>& packed, std::size_t size) {
    std::vector<unsigned char> out(size + 1);
    uLongf n = static_cast<uLongf>(out.size());
    const int rc = uncompress(out.data(), &n, packed.data(), static_cast<uLong>(packed.size()));
    REQUIRE(rc == Z_OK);
    out.resize(n);
    return out;
}

// HDF5's shuffle of a [rows][width] chunk of `element`-byte values, written out by hand
std::vector<unsigned char> shuffled(const std::vector<std::vector<unsigned char>>& rows,
                                    std::size_t rows_total, std::size_t element,
                                    std::size_t width) {
    const std::size_t n = rows_total * width;  // elements
    std::vector<unsigned char> out(n * element, 0);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        for (std::size_t i = 0; i < rows[r].size() / element; ++i) {
            for (std::size_t k = 0; k < element; ++k) {
                out[k * n + r * width + i] = rows[r][i * element + k];
            }
        }
    }
    return out;
}

struct Lcg {
    std::uint32_t x = 12345;
    unsigned char operator()() {
        x = x * 1664525U + 1013904223U;
        return static_cast<unsigned char>(x >> 24);
    }
};

// rows of `width` elements: each the previous one with a few bytes changed, some short
std::vector<std::vector<unsigned char>> sample_rows(std::size_t count, std::size_t element,
                                                    std::size_t width, Lcg& next) {
    std::vector<std::vector<unsigned char>> rows;
    std::vector<unsigned char> row(element * width);
    for (unsigned char& b : row) {
        b = next();
    }
    for (std::size_t r = 0; r < count; ++r) {
        for (unsigned char& b : row) {
            b = next() < 20 ? next() : b;
        }
        rows.push_back(row);
        if (r % 5 == 3) {  // a partial row: the rest is zeros
            rows.back().resize(element * (width / 2));
        }
    }
    return rows;
}

void round_trip(std::size_t element, std::size_t width, std::size_t count, std::size_t total) {
    Lcg next;
    const auto rows = sample_rows(count, element, width, next);
    RowDeflater d(element, width);
    for (const auto& row : rows) {
        d.add_row(row.data(), row.size());
    }
    CHECK(d.rows() == count);
    std::vector<unsigned char> packed;
    d.finish(total, packed);
    const std::vector<unsigned char> expected = shuffled(rows, total, element, width);
    CHECK(inflated(packed, expected.size()) == expected);
}

}  // namespace

TEST_CASE("RowDeflater streams inflate back to the shuffled chunk") {
    for (const std::size_t element :
         {std::size_t{1}, std::size_t{2}, std::size_t{4}, std::size_t{8}}) {
        round_trip(element, 1024, 32, 32);
        round_trip(element, 7, 5, 5);
        round_trip(element, 1024, 13, 32);  // a partial chunk, padded with zero rows
        round_trip(element, 1024, 0, 32);   // nothing yet: all zeros
        round_trip(element, 1024, 0, 0);    // empty
    }
    round_trip(4, 40000, 3, 4);  // rows beyond deflate's window: no row matches
}

TEST_CASE("RowDeflater can finish a chunk again after more rows and starts over when cleared") {
    Lcg next;
    const auto rows = sample_rows(20, 4, 256, next);
    RowDeflater d(4, 256);
    std::vector<unsigned char> packed;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        d.add_row(rows[r].data(), rows[r].size());
        if (r == 9) {
            d.finish(20, packed);
            const std::vector<std::vector<unsigned char>> first(rows.begin(), rows.begin() + 10);
            CHECK(inflated(packed, 20 * 256 * 4) == shuffled(first, 20, 4, 256));
        }
    }
    d.finish(20, packed);
    CHECK(inflated(packed, 20 * 256 * 4) == shuffled(rows, 20, 4, 256));
    d.clear();
    CHECK(d.rows() == 0);
    d.add_row(rows[7].data(), rows[7].size());
    d.finish(1, packed);
    CHECK(inflated(packed, 256 * 4) == shuffled({rows[7]}, 1, 4, 256));
}

TEST_CASE("RowDeflater: a row that repeats costs almost nothing") {
    Lcg next;
    std::vector<unsigned char> row(4 * 1024);
    for (unsigned char& b : row) {
        b = next();
    }
    RowDeflater once(4, 1024);
    once.add_row(row.data(), row.size());
    std::vector<unsigned char> one;
    once.finish(1, one);
    RowDeflater many(4, 1024);
    for (int r = 0; r < 32; ++r) {
        many.add_row(row.data(), row.size());
    }
    std::vector<unsigned char> packed;
    many.finish(32, packed);
    CHECK(one.size() > 4 * 1024);  // noise does not compress
    CHECK(packed.size() < one.size() + 32 * 4 * 16);
}

namespace {

// rows built by `make(r, row)` (bytes of the row; fewer than width elements leave zeros),
// streamed, finished as a chunk of `total` rows and inflated by zlib
void check_rows(std::size_t element, std::size_t width, std::size_t count, std::size_t total,
                const std::function<void(std::size_t, std::vector<unsigned char>&)>& make) {
    std::vector<std::vector<unsigned char>> rows;
    RowDeflater d(element, width);
    for (std::size_t r = 0; r < count; ++r) {
        std::vector<unsigned char> row(element * width);
        make(r, row);
        d.add_row(row.data(), row.size());
        rows.push_back(row);
    }
    std::vector<unsigned char> packed;
    d.finish(total, packed);
    const std::vector<unsigned char> expected = shuffled(rows, total, element, width);
    CHECK(inflated(packed, expected.size()) == expected);
}

}  // namespace

TEST_CASE("RowDeflater: rows encoded from what changed since the previous row") {
    // element sizes the 16-byte scan handles (1, 2, 4, 8) and others (3, 12), widths that
    // are and are not multiples of the scan's block
    for (const std::size_t element : {std::size_t{1}, std::size_t{2}, std::size_t{3},
                                      std::size_t{4}, std::size_t{8}, std::size_t{12}}) {
        for (const std::size_t width : {std::size_t{1}, std::size_t{7}, std::size_t{1000},
                                        std::size_t{1024}, std::size_t{2048}}) {
            CAPTURE(element);
            CAPTURE(width);
            Lcg next;
            // every byte changes in every row
            check_rows(element, width, 32, 32, [&](std::size_t, std::vector<unsigned char>& row) {
                for (unsigned char& b : row) {
                    b = next();
                }
            });
            // nothing changes after the first row
            std::vector<unsigned char> first(element * width);
            for (unsigned char& b : first) {
                b = next();
            }
            check_rows(element, width, 32, 32,
                       [&](std::size_t, std::vector<unsigned char>& row) { row = first; });
            // a partial last chunk: 11 rows of 32, a few elements changing per row
            check_rows(element, width, 11, 32, [&](std::size_t r, std::vector<unsigned char>& row) {
                row = first;
                for (std::size_t i = r; i < width; i += 17 + r) {
                    row[i * element + r % element] = static_cast<unsigned char>(r + i);
                }
            });
            // the used part of a row shrinks and grows (a last agent block that is not full;
            // the rest of the row is zeros)
            check_rows(element, width, 12, 12, [&](std::size_t r, std::vector<unsigned char>& row) {
                const std::size_t used = (r % 3 == 0 ? width : (width * (r % 4)) / 5);
                row.assign(first.begin(),
                           first.begin() + static_cast<std::ptrdiff_t>(used * element));
                if (used > 0) {
                    row[(r * 7) % (used * element)] ^= 0x5A;
                }
            });
        }
    }
}

TEST_CASE("RowDeflater: rows encoded from a list of the elements that may have changed") {
    // the caller names the elements that may differ (those that did, and some that did not);
    // the stream is the chunk exactly, as when the row is scanned
    for (const std::size_t element : {std::size_t{1}, std::size_t{4}, std::size_t{8}}) {
        for (const std::size_t width : {std::size_t{7}, std::size_t{1024}, std::size_t{2048}}) {
            CAPTURE(element);
            CAPTURE(width);
            Lcg next;
            std::vector<unsigned char> row(element * width);
            for (unsigned char& b : row) {
                b = next();
            }
            RowDeflater told(element, width);
            RowDeflater scanned(element, width);
            std::vector<std::vector<unsigned char>> rows;
            std::vector<std::uint32_t> touched;
            for (std::size_t r = 0; r < 20; ++r) {
                touched.clear();
                for (std::size_t i = r % 3; i < width; i += 1U + next() % 40U) {
                    touched.push_back(static_cast<std::uint32_t>(i));
                    if (next() < 160U) {  // most named elements change, some do not
                        row[i * element + next() % element] = next();
                    }
                }
                told.add_row(row.data(), row.size(), &touched);
                scanned.add_row(row.data(), row.size());
                rows.push_back(row);
            }
            std::vector<unsigned char> a;
            std::vector<unsigned char> b;
            told.finish(32, a);
            scanned.finish(32, b);
            CHECK(a == b);
            const std::vector<unsigned char> expected = shuffled(rows, 32, element, width);
            CHECK(inflated(a, expected.size()) == expected);
        }
    }
}

TEST_CASE("RowDeflater: unchanged stretches of every length around deflate's match limits") {
    // changes separated by 0..600 unchanged bytes: gaps of 1 and 2 (literals), 3 (the
    // shortest match), 258 (the longest), 259..261 (a split that must leave >= 3) and longer
    for (const std::size_t gap :
         {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4},
          std::size_t{257}, std::size_t{258}, std::size_t{259}, std::size_t{260}, std::size_t{261},
          std::size_t{516}, std::size_t{517}, std::size_t{600}}) {
        CAPTURE(gap);
        check_rows(1, 4096, 6, 8, [&](std::size_t r, std::vector<unsigned char>& row) {
            for (std::size_t i = 0; i < row.size(); i += gap + 1) {
                row[i] = static_cast<unsigned char>(r * 31 + i);
            }
        });
    }
}

TEST_CASE("PlaneDeflater: a series' chunk, open or full, inflates to its records then zeros") {
    using swarm::io::PlaneDeflater;
    std::uint32_t seed = 12345;
    const auto next = [&seed] {
        seed = seed * 1664525U + 1013904223U;
        return static_cast<unsigned char>(seed >> 24U);
    };
    for (const std::size_t element : {std::size_t{1}, std::size_t{8}, std::size_t{34}}) {
        for (const std::size_t n : {std::size_t{1024}, std::size_t{300}, std::size_t{70000}}) {
            CAPTURE(element);
            CAPTURE(n);
            // planes of noise, runs, slow counters and noise with runs in stretches
            std::vector<unsigned char> planes(element * n, 0);
            for (std::size_t k = 0; k < element; ++k) {
                for (std::size_t i = 0; i < n; ++i) {
                    unsigned char& b = planes[k * n + i];
                    switch (k % 4) {
                        case 0:
                            b = next();
                            break;
                        case 1:
                            b = static_cast<unsigned char>(i / 700);
                            break;
                        case 2:
                            b = (i / 200) % 2 == 0 ? next() : 7;
                            break;
                        default:
                            b = static_cast<unsigned char>(k);
                            break;
                    }
                }
            }
            PlaneDeflater often(element, n);
            PlaneDeflater once(element, n);
            std::vector<unsigned char> shuffled(element * n, 0);
            std::vector<unsigned char> out;
            std::size_t used = 0;
            for (const std::size_t step :
                 std::vector<std::size_t>{0, 1, 4, 122, 1, 127, 128, 129, 1000, 5000, 70000}) {
                const std::size_t now = std::min(n, used + step);
                for (std::size_t k = 0; k < element; ++k) {
                    for (std::size_t i = used; i < now; ++i) {
                        shuffled[k * n + i] = planes[k * n + i];
                    }
                }
                used = now;
                often.finish(shuffled.data(), used, out);
                CHECK(inflated(out, shuffled.size()) == shuffled);
            }
            REQUIRE(used == n);
            std::vector<unsigned char> whole;
            once.finish(shuffled.data(), n, whole);
            CHECK(whole == out);  // the same stream whenever the flushes came
            // and again from the start once cleared
            often.clear();
            std::vector<unsigned char> first(element * n, 0);
            for (std::size_t k = 0; k < element; ++k) {
                first[k * n] = planes[k * n];
            }
            often.finish(first.data(), 1, out);
            CHECK(inflated(out, first.size()) == first);
        }
    }
}
