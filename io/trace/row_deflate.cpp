#include "io/trace/row_deflate.hpp"

#include <libdeflate.h>
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

// leading bytes of a equal to those of b, at most limit
std::size_t common_prefix(const unsigned char* a, const unsigned char* b, std::size_t limit) {
    std::size_t n = 0;
    while (n + 8 <= limit) {
        std::uint64_t x = 0;
        std::uint64_t y = 0;
        std::memcpy(&x, a + n, 8);
        std::memcpy(&y, b + n, 8);
        if (x != y) {
            return n + static_cast<std::size_t>(__builtin_ctzll(x ^ y) / 8);
        }
        n += 8;
    }
    while (n < limit && a[n] == b[n]) {
        ++n;
    }
    return n;
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

// one plane row: matches against the same plane's previous row (`prev`, width bytes back in
// the stream; null for a plane's first row), runs within the row, literals
void encode_row(const unsigned char* cur, const unsigned char* prev, std::size_t width,
                RowDeflater::Bits& out) {
    const Tables& t = tables();
    std::uint32_t row_bits = 0;
    unsigned row_len = 0;
    if (prev != nullptr) {
        distance_code(width, row_bits, row_len);
    }
    std::uint32_t one_bits = 0;
    unsigned one_len = 0;
    distance_code(1, one_bits, one_len);
    std::size_t p = 0;
    while (p < width) {
        const std::size_t limit = std::min(kMaxMatch, width - p);
        std::size_t len = prev != nullptr ? common_prefix(cur + p, prev + p, limit) : 0;
        if (len >= kMinMatch) {
            out.put(t.match_bits[len], t.match_len[len]);
            out.put(row_bits, row_len);
            p += len;
            continue;
        }
        len = p >= 1 ? run_length(cur + p, cur[p - 1], limit) : 0;
        if (len >= kMinMatch) {
            out.put(t.match_bits[len], t.match_len[len]);
            out.put(one_bits, one_len);
            p += len;
            continue;
        }
        out.put(t.lit_bits[cur[p]], t.lit_len[cur[p]]);
        ++p;
    }
}

// a new plane stream starts a fixed-Huffman block (not the last one)
void start_block(RowDeflater::Bits& b) {
    b.put(0, 1);
    b.put(1, 2);
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

namespace {

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
            std::memcpy(out, in, n);
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
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t j = 0; j < size; ++j) {
                    out[j * plane + i] = in[i * size + j];
                }
            }
    }
}

RowDeflater::RowDeflater(std::size_t element, std::size_t width)
    : element_(std::max<std::size_t>(1, element)), width_(width) {
    prev_.resize(element_ * width_);
    cur_.resize(element_ * width_);
    planes_.resize(element_);
    adler_.resize(element_);
    clear();
}

void RowDeflater::clear() {
    rows_ = 0;
    for (std::size_t k = 0; k < element_; ++k) {
        planes_[k].size = 0;
        planes_[k].acc = 0;
        planes_[k].fill = 0;
        start_block(planes_[k]);
        adler_[k] = 1;
    }
}

void RowDeflater::add_row(const unsigned char* row, std::size_t bytes) {
    const std::size_t used = std::min(bytes / element_, width_);
    // the shuffle filter's layout, one row: byte k of element i to plane k, column i
    shuffle_bytes(row, used, element_, cur_.data(), width_);
    for (std::size_t k = 0; k < element_; ++k) {
        std::memset(cur_.data() + k * width_ + used, 0, width_ - used);
    }
    // a row match reaches width bytes back: only within deflate's window
    const bool rows_match = rows_ > 0 && width_ <= kWindow;
    for (std::size_t k = 0; k < element_; ++k) {
        const unsigned char* plane = cur_.data() + k * width_;
        encode_row(plane, rows_match ? prev_.data() + k * width_ : nullptr, width_, planes_[k]);
        adler_[k] = libdeflate_adler32(adler_[k], plane, width_);
    }
    cur_.swap(prev_);
    ++rows_;
}

void RowDeflater::finish(std::size_t rows_total, std::vector<unsigned char>& out) const {
    const Tables& t = tables();
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
        // plane starts on a byte boundary
        bits = planes_[k];
        for (std::size_t r = 0; r < pad; ++r) {
            encode_row(zeros.data(), nullptr, width_, bits);
        }
        bits.put(t.lit_bits[256], t.lit_len[256]);  // end of block
        bits.put(0, 3);                             // a stored block, not the last
        bits.align();
        constexpr std::array<unsigned char, 4> kEmptyStored = {0x00, 0x00, 0xFF,
                                                               0xFF};  // LEN, NLEN
        for (const unsigned char b : kEmptyStored) {
            bits.byte(b);
        }
        out.insert(out.end(), bits.bytes.begin(),
                   bits.bytes.begin() + static_cast<std::ptrdiff_t>(bits.size));
        // zeros leave s1 and add pad * s1 to s2: combine with the adler of pad zeros
        const uLong zero_adler = ((static_cast<uLong>(pad_bytes) % 65521U) << 16U) | 1U;
        const uLong plane =
            pad_bytes > 0 ? adler32_combine(adler_[k], zero_adler, pad_bytes) : adler_[k];
        check = static_cast<std::uint32_t>(adler32_combine(check, plane, plane_bytes));
    }
    bits = {};
    bits.put(1, 1);  // the last block: fixed Huffman, empty
    bits.put(1, 2);
    bits.put(t.lit_bits[256], t.lit_len[256]);
    bits.align();
    out.insert(out.end(), bits.bytes.begin(),
               bits.bytes.begin() + static_cast<std::ptrdiff_t>(bits.size));
    for (const int shift : {24, 16, 8, 0}) {
        out.push_back(static_cast<unsigned char>((check >> shift) & 0xFFU));
    }
}

}  // namespace swarm::io
