// A fast deflate encoder for the trace's per-agent chunks, fed one chunk row (one sample) at
// a time. It writes a standard zlib stream (RFC 1950 around fixed-Huffman RFC 1951 blocks)
// that any inflate reads, of the chunk as HDF5's shuffle filter lays it out (byte plane 0 of
// every row, then plane 1, ...), so the chunk stays an ordinary shuffle + deflate HDF5 chunk.
// It only looks for two kinds of repeats: a plane's bytes one row earlier (a vehicle whose
// value did not change since the previous sample: most of a trace) and runs of one byte. That
// is all the redundancy a trace chunk has worth finding, at a small fraction of a general
// encoder's time (no hash chains). Each row is shuffled and encoded as it arrives, so the
// writer keeps one previous row and the compressed bits per chunk, not the raw chunk rows:
// the trace's memory traffic stays out of the simulation's caches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace swarm::io {

// HDF5's shuffle filter: byte k of element i of `in` (n elements of `size` bytes) goes to
// out[k * plane + i] (plane = n for a whole chunk)
void shuffle_bytes(const unsigned char* in, std::size_t n, std::size_t size, unsigned char* out,
                   std::size_t plane);

class RowDeflater {
  public:
    // rows of `width` elements of `element` bytes (element >= 1)
    RowDeflater(std::size_t element, std::size_t width);

    // the next row: its first `bytes` bytes (whole elements, at most a row), then zeros
    void add_row(const unsigned char* row, std::size_t bytes);
    [[nodiscard]] std::size_t rows() const { return rows_; }

    // Replaces `out` with the zlib stream of the chunk: the rows added so far, then rows of
    // zeros up to `rows_total` (>= rows()). The rows stay: more can be added and the chunk
    // finished again.
    void finish(std::size_t rows_total, std::vector<unsigned char>& out) const;

    // forgets the rows, for the next chunk
    void clear();

    // the bits of one byte plane's stream so far (deflate packs least significant bit first):
    // `size` bytes of `bytes`, then `fill` bits in `acc`
    struct Bits {
        std::vector<unsigned char> bytes;
        std::size_t size = 0;
        std::uint64_t acc = 0;
        unsigned fill = 0;
        // count <= 32 (inline: one call per deflate symbol)
        void put(std::uint32_t bits, unsigned count) {
            acc |= static_cast<std::uint64_t>(bits) << fill;
            fill += count;
            if (fill >= 32) {
                if (size + 4 > bytes.size()) {
                    grow();
                }
                const auto word = static_cast<std::uint32_t>(acc);
                std::memcpy(bytes.data() + size, &word, 4);  // little-endian (x86, ARM)
                size += 4;
                acc >>= 32;
                fill -= 32;
            }
        }
        void byte(unsigned char b);
        void align();  // zero bits up to a byte boundary
        void grow();
    };

  private:
    std::size_t element_;
    std::size_t width_;
    std::size_t rows_ = 0;
    std::vector<unsigned char> prev_;  // the last row, shuffled: plane k at k * width
    std::vector<unsigned char> cur_;
    std::vector<Bits> planes_;
    std::vector<std::uint32_t> adler_;  // per plane, of its rows so far
};

}  // namespace swarm::io
