#include "io/trace/row_deflate.hpp"

#include <libdeflate.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace swarm::io {

namespace {

constexpr std::size_t kMinMatch = 3;
constexpr std::size_t kMaxMatch = 258;
constexpr std::size_t kWindow = 32768;

// RFC 1951 3.2.5: length codes 257..285 and distance codes 0..29
constexpr std::array<std::uint16_t, 29> kLengthBase = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                                       15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                                       67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<std::uint16_t, 30> kDistBase = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<std::uint8_t, 30> kDistExtra = {0, 0, 0,  0,  1,  1,  2,  2,  3,  3,
                                                     4, 4, 5,  5,  6,  6,  7,  7,  8,  8,
                                                     9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

std::uint32_t reverse_bits(std::uint32_t code, unsigned length) {
    std::uint32_t r = 0;
    for (unsigned i = 0; i < length; ++i) {
        r = (r << 1) | ((code >> i) & 1U);
    }
    return r;
}

// the fixed Huffman code of every literal/length symbol and of every match length,
// bit-reversed (deflate sends Huffman codes most significant bit first)
struct Tables {
    std::array<std::uint32_t, 288> lit_bits{};
    std::array<std::uint8_t, 288> lit_len{};
    std::array<std::uint32_t, kMaxMatch + 1> match_bits{};  // code and extra bits together
    std::array<std::uint8_t, kMaxMatch + 1> match_len{};

    Tables() {
        for (unsigned s = 0; s < 288; ++s) {
            unsigned code = 0;
            unsigned len = 0;
            if (s < 144) {
                code = 0x30 + s;
                len = 8;
            } else if (s < 256) {
                code = 0x190 + (s - 144);
                len = 9;
            } else if (s < 280) {
                code = s - 256;
                len = 7;
            } else {
                code = 0xC0 + (s - 280);
                len = 8;
            }
            lit_bits[s] = reverse_bits(code, len);
            lit_len[s] = static_cast<std::uint8_t>(len);
        }
        for (std::size_t l = kMinMatch; l <= kMaxMatch; ++l) {
            std::size_t c = kLengthBase.size() - 1;
            while (kLengthBase[c] > l) {
                --c;
            }
            const unsigned sym = 257 + static_cast<unsigned>(c);
            const auto extra = static_cast<std::uint32_t>(l - kLengthBase[c]);
            match_bits[l] = lit_bits[sym] | (extra << lit_len[sym]);
            match_len[l] = static_cast<std::uint8_t>(lit_len[sym] + kLengthExtra[c]);
        }
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

static_assert(std::endian::native == std::endian::little, "Bits stores words as is");

// code and extra bits of a distance, together
void distance_code(std::size_t d, std::uint32_t& bits, unsigned& len) {
    std::size_t c = kDistBase.size() - 1;
    while (kDistBase[c] > d) {
        --c;
    }
    bits = reverse_bits(static_cast<std::uint32_t>(c), 5) |
           (static_cast<std::uint32_t>(d - kDistBase[c]) << 5);
    len = 5U + kDistExtra[c];
}

// leading bytes of p equal to c, at most limit
std::size_t run_length(const unsigned char* p, unsigned char c, std::size_t limit) {
    const std::uint64_t word = 0x0101010101010101ULL * c;
    std::size_t n = 0;
    while (n + 8 <= limit) {
        std::uint64_t x = 0;
        std::memcpy(&x, p + n, 8);
        if (x != word) {
            return n + static_cast<std::size_t>(__builtin_ctzll(x ^ word) / 8);
        }
        n += 8;
    }
    while (n < limit && p[n] == c) {
        ++n;
    }
    return n;
}

// A branch-free bit writer (the changed bytes of a trace row are scattered
// at random: a branch per symbol would be mispredicted half the time). It stores 8 bytes per
// call and keeps fewer than 8 bits pending, so a call takes up to 56 bits; the caller
// reserved room for every call plus 8 bytes.
struct FastBits {
    unsigned char* out;
    std::uint64_t acc;
    unsigned fill;
    void put(std::uint64_t bits, unsigned count) {
        acc |= bits << fill;
        fill += count;
        std::memcpy(out, &acc, 8);  // little-endian (x86, ARM)
        const unsigned whole = fill >> 3U;
        out += whole;
        acc >>= 8U * whole;
        fill &= 7U;
    }
};

// `count` (<= 16) literals from `s`, up to six symbols of at most 9 bits per put
void put_literals(FastBits& out, const Tables& t, const unsigned char* s, std::size_t count) {
    while (count > 0) {
        const std::size_t m = std::min<std::size_t>(count, 6);
        std::uint64_t bits = 0;
        unsigned len = 0;
        for (std::size_t i = 0; i < m; ++i) {
            bits |= std::uint64_t{t.lit_bits[s[i]]} << len;
            len += t.lit_len[s[i]];
        }
        out.put(bits, len);
        s += m;
        count -= m;
    }
}

// bytes [from, to) of a byte plane appended to `bits` as runs of one byte (at distance 1,
// which may start at `from` on the byte before it) and literals: a chunk's first row (or a
// row of zeros) is [0, width), a series' chunk is encoded in spans as it fills. Where a run
// may start (the byte and the two after it equal the one before) is found 16 positions at a
// time; the literals before it go out six to a write.
void encode_span(const unsigned char* plane, std::size_t from, std::size_t to,
                 RowDeflater::Bits& bits) {
    const Tables& t = tables();
    // distance 1: code 0 in five bits, no extra bits (distance_code per span cost a tenth)
    constexpr std::uint32_t one_bits = 0;
    constexpr unsigned one_len = 5;
    const std::size_t width = to - from;
    const std::size_t room = width + width / 8 + 24;
    if (bits.size + room > bits.bytes.size()) {
        bits.bytes.resize(std::max(2 * bits.bytes.size(), bits.size + room));
    }
    FastBits out{bits.bytes.data() + bits.size, bits.acc, bits.fill};
    out.put(0, 0);  // fewer than 8 bits pending
    const auto run = [&](std::size_t p) {
        const std::size_t len = run_length(plane + p, plane[p - 1], std::min(kMaxMatch, to - p));
        out.put(t.match_bits[len] | (std::uint64_t{one_bits} << t.match_len[len]),
                t.match_len[len] + one_len);
        return len;
    };
    std::size_t p = from;
#if defined(__SSE2__)
    // positions p .. p + 15 with bytes p - 1 .. p + 17 inside the span's plane
    while (p >= 1 && p + 18 <= to) {
        const __m128i before = _mm_loadu_si128(reinterpret_cast<const __m128i*>(plane + p - 1));
        const __m128i at = _mm_loadu_si128(reinterpret_cast<const __m128i*>(plane + p));
        const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(plane + p + 1));
        const __m128i after = _mm_loadu_si128(reinterpret_cast<const __m128i*>(plane + p + 2));
        const __m128i starts = _mm_and_si128(
            _mm_cmpeq_epi8(at, before),
            _mm_and_si128(_mm_cmpeq_epi8(next, before), _mm_cmpeq_epi8(after, before)));
        const auto mask = static_cast<std::uint32_t>(_mm_movemask_epi8(starts));
        if (mask == 0) {
            put_literals(out, t, plane + p, 16);
            p += 16;
            continue;
        }
        const auto lits = static_cast<std::size_t>(__builtin_ctz(mask));
        put_literals(out, t, plane + p, lits);
        p += lits;
        p += run(p);
    }
#endif
    while (p < to) {
        if (p >= 1 && p + kMinMatch <= to && plane[p] == plane[p - 1] &&
            plane[p + 1] == plane[p - 1] && plane[p + 2] == plane[p - 1]) {
            p += run(p);
            continue;
        }
        out.put(t.lit_bits[plane[p]], t.lit_len[plane[p]]);
        ++p;
    }
    bits.size = static_cast<std::size_t>(out.out - bits.bytes.data());
    bits.acc = out.acc;
    bits.fill = out.fill;
}

// a new plane stream starts a fixed-Huffman block (not the last one)
void start_block(RowDeflater::Bits& b) {
    b.put(0, 1);
    b.put(1, 2);
}

// an empty plane stream, its first block started
void restart_plane(RowDeflater::Bits& b) {
    b.size = 0;
    b.acc = 0;
    b.fill = 0;
    start_block(b);
}

// ends a plane's fixed-Huffman block and adds an empty stored block, so that the next plane's
// stream starts on a byte boundary
void end_block(RowDeflater::Bits& b) {
    const Tables& t = tables();
    b.put(t.lit_bits[256], t.lit_len[256]);  // end of block
    b.put(0, 3);                             // a stored block, not the last
    b.align();
    constexpr std::array<unsigned char, 4> kEmptyStored = {0x00, 0x00, 0xFF, 0xFF};  // LEN, NLEN
    for (const unsigned char c : kEmptyStored) {
        b.byte(c);
    }
}

// the adler-32 of a plane followed by `pad` zero bytes (zeros leave s1 and add pad * s1 to s2)
uLong with_zero_pad(uLong adler, std::size_t pad) {
    if (pad == 0) {
        return adler;
    }
    const uLong zero_adler = ((static_cast<uLong>(pad) % 65521U) << 16U) | 1U;
    return adler32_combine(adler, zero_adler, static_cast<z_off_t>(pad));
}

// closes a zlib stream: an empty last block (fixed Huffman) and the adler-32 `check`
void end_stream(std::uint32_t check, std::vector<unsigned char>& out) {
    const Tables& t = tables();
    RowDeflater::Bits last;
    last.put(1, 1);
    last.put(1, 2);
    last.put(t.lit_bits[256], t.lit_len[256]);
    last.align();
    out.insert(out.end(), last.bytes.begin(),
               last.bytes.begin() + static_cast<std::ptrdiff_t>(last.size));
    for (const int shift : {24, 16, 8, 0}) {
        out.push_back(static_cast<unsigned char>((check >> shift) & 0xFFU));
    }
}

}  // namespace

void RowDeflater::Bits::grow() {
    bytes.resize(std::max<std::size_t>(256, 2 * bytes.size()));
}

void RowDeflater::Bits::byte(unsigned char b) {
    if (size + 1 > bytes.size()) {
        grow();
    }
    bytes[size++] = b;
}

void RowDeflater::Bits::align() {
    while (fill > 0) {
        byte(static_cast<unsigned char>(acc & 0xFFU));
        acc >>= 8;
        fill = fill >= 8 ? fill - 8 : 0;
    }
}

RowDeflater::RowDeflater(std::size_t element, std::size_t width)
    : element_(std::max<std::size_t>(1, element)), width_(width) {
    raw_.resize(element_ * width_);
    prev_.resize(element_ * width_ + 8);  // add_changes reads a byte past a plane
    changed_.resize(width_);
    masks_.resize(width_);
    columns_.resize(element_ * width_);
    counts_.resize(element_);
    cur_.resize(element_ * width_ + 8);
    planes_.resize(element_);
    adler_.resize(element_);
    row_adler_.resize(element_);
    // a gap of 3 to 258 unchanged bytes: its length code and the distance of one row, as one
    // string of bits (at most 13 + 18)
    std::uint32_t row_bits = 0;
    unsigned row_len = 0;
    distance_code(std::min(width_, kWindow), row_bits, row_len);
    const Tables& t = tables();
    for (std::size_t m = kMinMatch; m <= kMaxMatch; ++m) {
        gap_bits_[m] = t.match_bits[m] | (row_bits << t.match_len[m]);
        gap_len_[m] = static_cast<std::uint8_t>(t.match_len[m] + row_len);
    }
    clear();
}

void RowDeflater::clear() {
    rows_ = 0;
    for (std::size_t k = 0; k < element_; ++k) {
        restart_plane(planes_[k]);
        adler_[k] = 1;
    }
}

void RowDeflater::add_row(const unsigned char* row, std::size_t bytes,
                          const std::vector<std::uint32_t>* touched) {
    const std::size_t used = std::min(bytes / element_, width_);
    // a row match reaches width bytes back: only within deflate's window; a byte's planes
    // are told apart with a 64-bit mask
    if (rows_ == 0 || width_ > kWindow || element_ > 64) {
        add_first_row(row, used);
    } else {
        add_changes(row, used, touched);
    }
    ++rows_;
}

void RowDeflater::add_first_row(const unsigned char* row, std::size_t used) {
    // the shuffle filter's layout, one row: byte k of element i to plane k, column i
    shuffle_bytes(row, used, element_, cur_.data(), width_);
    for (std::size_t k = 0; k < element_; ++k) {
        std::memset(cur_.data() + k * width_ + used, 0, width_ - used);
    }
    for (std::size_t k = 0; k < element_; ++k) {
        const unsigned char* plane = cur_.data() + k * width_;
        encode_span(plane, 0, width_, planes_[k]);
        row_adler_[k] = libdeflate_adler32(1, plane, width_);
        adler_[k] = rows_ == 0 ? row_adler_[k]
                               : static_cast<std::uint32_t>(adler32_combine(
                                     adler_[k], row_adler_[k], static_cast<z_off_t>(width_)));
    }
    cur_.swap(prev_);
    std::memcpy(raw_.data(), row, used * element_);
    std::memset(raw_.data() + used * element_, 0, (width_ - used) * element_);
    raw_used_ = used;
}

namespace {

constexpr std::int64_t kAdlerMod = 65521;

// add_changes' scan for elements of E bytes (E divides 16): a block of 16 bytes at a time,
// skipped when equal (most are), else its elements that differ, each with the mask of its
// bytes that differ, written and kept by counting them (no branch on the data); the block is
// copied into `old`. Returns the number of elements; the bytes past the last whole block are
// left to the caller.
template <std::size_t E>
std::size_t changed_blocks(const unsigned char* row, unsigned char* old, std::size_t blocks,
                           std::uint32_t* changed, std::uint64_t* masks) {
    constexpr std::uint32_t kElementBits = (1U << E) - 1U;
    std::size_t n_changed = 0;
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::size_t at = 16 * b;
#if defined(__SSE2__)
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + at));
        const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(old + at));
        const auto differ =
            static_cast<std::uint32_t>(~_mm_movemask_epi8(_mm_cmpeq_epi8(x, y))) & 0xFFFFU;
#else
        std::uint32_t differ = 0;
        for (std::size_t i = 0; i < 16; ++i) {
            differ |= static_cast<std::uint32_t>(row[at + i] != old[at + i]) << i;
        }
#endif
        if (differ == 0) {
            continue;
        }
        for (std::size_t j = 0; j < 16 / E; ++j) {
            const std::uint32_t mask = (differ >> (j * E)) & kElementBits;
            changed[n_changed] = static_cast<std::uint32_t>(at / E + j);
            masks[n_changed] = mask;
            n_changed += mask != 0 ? 1 : 0;
        }
        std::memcpy(old + at, row + at, 16);
    }
    return n_changed;
}

}  // namespace

void RowDeflater::add_changes(const unsigned char* row, std::size_t used,
                              const std::vector<std::uint32_t>* touched) {
    const std::size_t e = element_;
    unsigned char* old = raw_.data();
    // the elements whose bytes differ from the last row's, each with the mask of its bytes
    // (planes) that differ; raw_ becomes the new row
    std::size_t n_changed = 0;
    const auto mark = [&](std::size_t c, const unsigned char* now) {
        std::uint64_t mask = 0;
        for (std::size_t k = 0; k < e; ++k) {
            mask |= static_cast<std::uint64_t>(now[k] != old[c * e + k]) << k;
        }
        changed_[n_changed] = static_cast<std::uint32_t>(c);
        masks_[n_changed] = mask;
        n_changed += mask != 0 ? 1 : 0;
        std::memcpy(old + c * e, now, e);
    };
    // told which elements may have changed: only those are compared, no scan of the row
    const bool told = touched != nullptr && used == raw_used_;
    const std::size_t blocks = told ? 0 : used * e / 16;
    std::size_t first = told ? used : 0;  // elements before it were looked at a block at a time
    if (told) {
        for (const std::uint32_t c : *touched) {
            const unsigned char* now = row + std::size_t{c} * e;
            if (std::memcmp(now, old + std::size_t{c} * e, e) != 0) {
                mark(c, now);
            }
        }
    }
    switch (told ? 0 : e) {
        case 1:
            n_changed = changed_blocks<1>(row, old, blocks, changed_.data(), masks_.data());
            first = blocks * 16;
            break;
        case 2:
            n_changed = changed_blocks<2>(row, old, blocks, changed_.data(), masks_.data());
            first = blocks * 8;
            break;
        case 4:
            n_changed = changed_blocks<4>(row, old, blocks, changed_.data(), masks_.data());
            first = blocks * 4;
            break;
        case 8:
            n_changed = changed_blocks<8>(row, old, blocks, changed_.data(), masks_.data());
            first = blocks * 2;
            break;
        default:
            break;
    }
    for (std::size_t c = first; c < used; ++c) {
        mark(c, row + c * e);
    }
    if (used < raw_used_) {  // past the bytes given: zeros now
        const std::vector<unsigned char> zero(e, 0);
        for (std::size_t c = used; c < raw_used_; ++c) {
            mark(c, zero.data());
        }
    }
    raw_used_ = used;
    // the columns that changed per plane (plane k's at k * width)
    std::fill(counts_.begin(), counts_.end(), 0);
    for (std::size_t j = 0; j < n_changed; ++j) {
        for (std::size_t k = 0; k < e; ++k) {
            columns_[k * width_ + counts_[k]] = changed_[j];
            counts_[k] += (masks_[j] >> k) & 1U;
        }
    }
    // per plane: its new bytes as literals, the unchanged stretches between them as
    // back-references one row up, and the change of the row's Adler-32 sums (a byte at column
    // c counts once in A and width - c times in B)
    const Tables& t = tables();
    for (std::size_t k = 0; k < e; ++k) {
        unsigned char* plane = prev_.data() + k * width_;  // the last row, becoming the new one
        const std::uint32_t* cols = columns_.data() + k * width_;
        const std::size_t count = counts_[k];
        Bits& bits = planes_[k];
        // at most 40 bits per change, 31 per 258 unchanged bytes, and 8 bytes of slack
        const std::size_t room = 5 * count + 4 * (width_ / kMaxMatch + 2) + 16;
        if (bits.size + room > bits.bytes.size()) {
            bits.bytes.resize(std::max(2 * bits.bytes.size(), bits.size + room));
        }
        FastBits out{bits.bytes.data() + bits.size, bits.acc, bits.fill};
        out.put(0, 0);  // fewer than 8 bits pending
        // unchanged bytes [p, p + len) with len > 258: back-references until 3..258 are left
        const auto long_gap = [&](std::size_t& p, std::size_t len) {
            while (len > kMaxMatch) {
                const std::size_t m = len - kMaxMatch >= kMinMatch ? kMaxMatch : len - kMinMatch;
                out.put(gap_bits_[m], gap_len_[m]);
                p += m;
                len -= m;
            }
        };
        std::int64_t sum_a = 0;
        std::int64_t sum_b = 0;
        std::size_t p = 0;
        for (std::size_t j = 0; j < count; ++j) {
            const std::size_t c = cols[j];
            const unsigned char now = old[c * e + k];
            const std::int64_t d = static_cast<std::int64_t>(now) - plane[c];
            sum_a += d;
            sum_b += static_cast<std::int64_t>(width_ - c) * d;
            plane[c] = now;
            if (c - p > kMaxMatch) {
                long_gap(p, c - p);
            }
            // the gap before the change: a back-reference, or one or two literals
            const std::size_t g = c - p;
            const unsigned char b0 = plane[p];
            const unsigned char b1 = plane[p + 1];  // prev_ has slack past the last plane
            const std::uint64_t one = t.lit_bits[b0];
            const unsigned one_len = t.lit_len[b0];
            const std::uint64_t two = one | (std::uint64_t{t.lit_bits[b1]} << one_len);
            const unsigned two_len = one_len + t.lit_len[b1];
            std::uint64_t code = g >= kMinMatch ? gap_bits_[g] : g == 2 ? two : g == 1 ? one : 0;
            unsigned code_len = g >= kMinMatch ? gap_len_[g]
                                : g == 2       ? two_len
                                : g == 1       ? one_len
                                               : 0U;
            code |= std::uint64_t{t.lit_bits[now]} << code_len;
            code_len += t.lit_len[now];
            out.put(code, code_len);
            p = c + 1;
        }
        if (width_ - p > kMaxMatch) {
            long_gap(p, width_ - p);
        }
        const std::size_t g = width_ - p;
        if (g >= kMinMatch) {
            out.put(gap_bits_[g], gap_len_[g]);
        } else {
            for (std::size_t i = p; i < width_; ++i) {
                out.put(t.lit_bits[plane[i]], t.lit_len[plane[i]]);
            }
        }
        bits.size = static_cast<std::size_t>(out.out - bits.bytes.data());
        bits.acc = out.acc;
        bits.fill = out.fill;
        const std::int64_t a =
            ((row_adler_[k] & 0xFFFFU) + sum_a % kAdlerMod + kAdlerMod) % kAdlerMod;
        const std::int64_t b = ((row_adler_[k] >> 16U) + sum_b % kAdlerMod + kAdlerMod) % kAdlerMod;
        row_adler_[k] = static_cast<std::uint32_t>((b << 16) | a);
        adler_[k] = static_cast<std::uint32_t>(
            adler32_combine(adler_[k], row_adler_[k], static_cast<z_off_t>(width_)));
    }
}

void RowDeflater::finish(std::size_t rows_total, std::vector<unsigned char>& out) const {
    out.clear();
    out.push_back(0x78);  // zlib: deflate, 32 KiB window
    out.push_back(0x01);  // no dictionary, check bits
    const std::size_t pad = rows_total > rows_ ? rows_total - rows_ : 0;
    const auto plane_bytes = static_cast<z_off_t>(std::max(rows_total, rows_) * width_);
    const auto pad_bytes = static_cast<z_off_t>(pad * width_);
    const std::vector<unsigned char> zeros(width_, 0);
    std::uint32_t check = 1;
    Bits bits;
    for (std::size_t k = 0; k < element_; ++k) {
        // the plane's block so far, its rows of zeros, then an empty stored block: the next
        // plane starts on a byte boundary. Only the plane's pending bits are carried on (its
        // whole bytes are copied out as they are)
        const Bits& plane_bits = planes_[k];
        bits.size = 0;
        bits.acc = plane_bits.acc;
        bits.fill = plane_bits.fill;
        for (std::size_t r = 0; r < pad; ++r) {
            encode_span(zeros.data(), 0, width_, bits);
        }
        end_block(bits);
        out.insert(out.end(), plane_bits.bytes.begin(),
                   plane_bits.bytes.begin() + static_cast<std::ptrdiff_t>(plane_bits.size));
        out.insert(out.end(), bits.bytes.begin(),
                   bits.bytes.begin() + static_cast<std::ptrdiff_t>(bits.size));
        const uLong plane = with_zero_pad(adler_[k], static_cast<std::size_t>(pad_bytes));
        check = static_cast<std::uint32_t>(adler32_combine(check, plane, plane_bytes));
    }
    end_stream(check, out);
}

PlaneDeflater::PlaneDeflater(std::size_t element, std::size_t n)
    : element_(element),
      n_(n),
      stored_(element),
      planes_(element),
      adler_(element, 1U),
      zeros_(n, 0) {
    clear();
}

void PlaneDeflater::add_step(std::size_t k, const unsigned char* plane, std::size_t from) {
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    constexpr std::size_t kMaxStored = 65535;
    RowDeflater::Bits& b = planes_[k];
    const std::size_t to = from + kStep;
    // the bytes equal to the one before them (16 at a time: kStep is a multiple of 16), counted
    // per lane (0xFF per equal byte subtracted: at most kStep / 16 per lane) and summed once
    // (std::popcount per block was a libgcc call on baseline x86-64, without POPCNT)
    static_assert(kStep % 16 == 0 && kStep / 16 <= 255);
    __m128i lanes = _mm_setzero_si128();
    for (std::size_t p = from; p < to; p += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(plane + p));
        if (p == 0) {
            // the plane's first byte has none before it: not counted
            const __m128i y = _mm_slli_si128(x, 1);
            const __m128i same = _mm_cmpeq_epi8(x, y);
            lanes = _mm_sub_epi8(lanes, _mm_andnot_si128(_mm_cvtsi32_si128(0xFF), same));
        } else {
            const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(plane + p - 1));
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(x, y));
        }
    }
    const __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
    const auto repeats = static_cast<std::size_t>(_mm_cvtsi128_si32(sums)) +
                         static_cast<std::size_t>(_mm_extract_epi16(sums, 4));
    if (2 * repeats >= kStep) {  // runs: a fixed-Huffman block
        if (stored_[k] != kNone) {
            start_block(b);
            stored_[k] = kNone;
        }
        encode_span(plane, from, to, b);
        return;
    }
    std::size_t len = 0;
    if (stored_[k] != kNone) {
        len = static_cast<std::size_t>(b.bytes[stored_[k]]) |
              (static_cast<std::size_t>(b.bytes[stored_[k] + 1]) << 8U);
    }
    if (stored_[k] == kNone || len + kStep > kMaxStored) {
        if (stored_[k] == kNone) {
            b.put(tables().lit_bits[256], tables().lit_len[256]);  // end of block
        }
        b.put(0, 3);  // a stored block, not the last
        b.align();
        stored_[k] = b.size;
        for (int i = 0; i < 4; ++i) {
            b.byte(0);
        }
        len = 0;
    }
    if (b.size + kStep > b.bytes.size()) {
        b.bytes.resize(std::max(2 * b.bytes.size(), b.size + kStep));
    }
    std::memcpy(b.bytes.data() + b.size, plane + from, kStep);
    b.size += kStep;
    len += kStep;
    b.bytes[stored_[k]] = static_cast<unsigned char>(len & 0xFFU);
    b.bytes[stored_[k] + 1] = static_cast<unsigned char>(len >> 8U);
    b.bytes[stored_[k] + 2] = static_cast<unsigned char>(~len & 0xFFU);
    b.bytes[stored_[k] + 3] = static_cast<unsigned char>((~len >> 8U) & 0xFFU);
}

void PlaneDeflater::clear() {
    done_ = 0;
    for (std::size_t k = 0; k < element_; ++k) {
        restart_plane(planes_[k]);
        stored_[k] = static_cast<std::size_t>(-1);
        adler_[k] = 1U;
    }
}

void PlaneDeflater::finish(const unsigned char* shuffled, std::size_t used,
                           std::vector<unsigned char>& out) {
    // the whole steps not yet encoded, one step at a time (the same symbols however many
    // came since the last call)
    const std::size_t whole = used / kStep * kStep;
    for (std::size_t k = 0; k < element_; ++k) {
        const unsigned char* plane = shuffled + k * n_;
        for (std::size_t from = done_; from < whole; from += kStep) {
            add_step(k, plane, from);
        }
        if (whole > done_) {
            adler_[k] = libdeflate_adler32(adler_[k], plane + done_, whole - done_);
        }
    }
    done_ = std::max(done_, whole);
    out.clear();
    out.push_back(0x78);  // zlib: deflate, 32 KiB window
    out.push_back(0x01);  // no dictionary, check bits
    const std::size_t pad = n_ - used;
    std::uint32_t check = 1;
    for (std::size_t k = 0; k < element_; ++k) {
        // the plane's steps, its records past them and its zeros, then an empty stored block:
        // the next plane starts on a byte boundary
        const unsigned char* plane = shuffled + k * n_;
        const RowDeflater::Bits& steps = planes_[k];
        scratch_.size = 0;
        scratch_.acc = steps.acc;
        scratch_.fill = steps.fill;
        if (stored_[k] != static_cast<std::size_t>(-1)) {
            start_block(scratch_);  // after a stored block (on a byte boundary)
        }
        if (used > done_) {
            encode_span(plane, done_, used, scratch_);
        }
        if (pad > 0) {
            encode_span(zeros_.data(), 0, pad, scratch_);
        }
        end_block(scratch_);
        out.insert(out.end(), steps.bytes.begin(),
                   steps.bytes.begin() + static_cast<std::ptrdiff_t>(steps.size));
        out.insert(out.end(), scratch_.bytes.begin(),
                   scratch_.bytes.begin() + static_cast<std::ptrdiff_t>(scratch_.size));
        uLong plane_adler = adler_[k];
        if (used > done_) {
            plane_adler = libdeflate_adler32(static_cast<std::uint32_t>(plane_adler), plane + done_,
                                             used - done_);
        }
        plane_adler = with_zero_pad(plane_adler, pad);
        check = static_cast<std::uint32_t>(
            adler32_combine(check, plane_adler, static_cast<z_off_t>(n_)));
    }
    end_stream(check, out);
}

}  // namespace swarm::io
