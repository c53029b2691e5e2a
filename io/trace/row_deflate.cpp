#include "io/trace/row_deflate.hpp"

#include <libdeflate.h>

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
constexpr std::array<std::uint16_t, 29> kLengthBase = {3,  4,  5,  6,  7,  8,  9,  10, 11, 13,
                                                       15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                                       67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1,
                                                       1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                                       4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<std::uint16_t, 30> kDistBase = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<std::uint8_t, 30> kDistExtra = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,
                                                     4, 4, 5, 5, 6, 6, 7, 7,  8,  8,
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

static_assert(std::endian::native == std::endian::little, "BitWriter stores words as is");

class BitWriter {
  public:
    explicit BitWriter(std::vector<unsigned char>& out) : out_(out) {}
    // up to 32 bits, least significant first
    void put(std::uint32_t bits, unsigned count) {
        acc_ |= static_cast<std::uint64_t>(bits) << fill_;
        fill_ += count;
        if (fill_ >= 32) {
            const auto word = static_cast<std::uint32_t>(acc_);
            const std::size_t at = out_.size();
            out_.resize(at + 4);
            std::memcpy(out_.data() + at, &word, 4);  // little-endian bytes (x86, ARM)
            acc_ >>= 32;
            fill_ -= 32;
        }
    }
    void flush() {
        while (fill_ > 0) {
            out_.push_back(static_cast<unsigned char>(acc_ & 0xFFU));
            acc_ >>= 8;
            fill_ = fill_ >= 8 ? fill_ - 8 : 0;
        }
    }

  private:
    std::vector<unsigned char>& out_;
    std::uint64_t acc_ = 0;
    unsigned fill_ = 0;
};

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

// bytes from p equal to those `d` earlier, at most `limit`
std::size_t match_length(const unsigned char* p, std::size_t d, std::size_t limit) {
    std::size_t n = 0;
    while (n + 8 <= limit) {
        std::uint64_t a = 0;
        std::uint64_t b = 0;
        std::memcpy(&a, p + n, 8);
        std::memcpy(&b, p + n - d, 8);
        if (a != b) {
            return n + static_cast<std::size_t>(__builtin_ctzll(a ^ b) / 8);
        }
        n += 8;
    }
    while (n < limit && p[n] == p[n - d]) {
        ++n;
    }
    return n;
}

}  // namespace

void row_deflate(std::span<const unsigned char> in, std::size_t row,
                 std::vector<unsigned char>& out) {
    const Tables& t = tables();
    out.clear();
    out.reserve(in.size() / 4 + 64);
    out.push_back(0x78);  // zlib: deflate, 32 KiB window
    out.push_back(0x01);  // no dictionary, check bits
    BitWriter w(out);
    w.put(1, 1);  // final block
    w.put(1, 2);  // fixed Huffman codes
    if (row > kWindow) {
        row = 0;
    }
    std::uint32_t row_bits = 0;
    unsigned row_len = 0;
    if (row > 0) {
        distance_code(row, row_bits, row_len);
    }
    std::uint32_t one_bits = 0;
    unsigned one_len = 0;
    distance_code(1, one_bits, one_len);
    const unsigned char* data = in.data();
    const std::size_t n = in.size();
    std::size_t p = 0;
    while (p < n) {
        const std::size_t limit = std::min(kMaxMatch, n - p);
        std::size_t len = 0;
        if (row > 0 && p >= row) {
            len = match_length(data + p, row, limit);
        }
        if (len >= kMinMatch) {
            w.put(t.match_bits[len], t.match_len[len]);
            w.put(row_bits, row_len);
            p += len;
            continue;
        }
        len = p >= 1 ? match_length(data + p, 1, limit) : 0;
        if (len >= kMinMatch) {
            w.put(t.match_bits[len], t.match_len[len]);
            w.put(one_bits, one_len);
            p += len;
            continue;
        }
        w.put(t.lit_bits[data[p]], t.lit_len[data[p]]);
        ++p;
    }
    w.put(t.lit_bits[256], t.lit_len[256]);  // end of block
    w.flush();
    const std::uint32_t check = libdeflate_adler32(1, in.data(), in.size());
    for (const int shift : {24, 16, 8, 0}) {
        out.push_back(static_cast<unsigned char>((check >> shift) & 0xFFU));
    }
}

}  // namespace swarm::io
