// A fast deflate encoder for the trace's per-agent chunks, fed one chunk row (one sample) at
// a time. It writes a standard zlib stream (RFC 1950 around fixed-Huffman RFC 1951 blocks)
// that any inflate reads, of the chunk as HDF5's shuffle filter lays it out (byte plane 0 of
// every row, then plane 1, ...), so the chunk stays an ordinary shuffle + deflate HDF5 chunk.
// It only looks for two kinds of repeats: a plane's bytes one row earlier (a vehicle whose
// value did not change since the previous sample: most of a trace) and runs of one byte. That
// is all the redundancy a trace chunk has worth finding, at a small fraction of a general
// encoder's time (no hash chains). Each row is encoded as it arrives, so the writer keeps one
// previous row and the compressed bits per chunk, not the raw chunk rows. A chunk's first row
// is shuffled and scanned whole; every later row is compared with the previous one element
// by element (unshuffled, a word at a time), and only the elements that changed are shuffled,
// written as literals and folded into each plane's Adler-32 (updated in O(1) per byte); the
// unchanged stretches between them become back-references one row up without being looked
// at again. Most vehicles are idle at a given sample, so a row costs about what changed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "io/trace/byte_shuffle.hpp"

namespace swarm::io {

class RowDeflater {
  public:
    // rows of `width` elements of `element` bytes (element >= 1)
    RowDeflater(std::size_t element, std::size_t width);

    // the next row: its first `bytes` bytes (whole elements, at most a row), then zeros.
    // `touched`, when given: the elements (ascending, within those bytes) that may differ
    // from the previous row's; only they are compared (the row is not scanned), so every
    // other element must equal the previous row's. Ignored for a chunk's first row.
    void add_row(const unsigned char* row, std::size_t bytes,
                 const std::vector<std::uint32_t>* touched = nullptr);
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
    void add_first_row(const unsigned char* row, std::size_t used);
    void add_changes(const unsigned char* row, std::size_t used,
                     const std::vector<std::uint32_t>* touched);

    std::size_t element_;
    std::size_t width_;
    std::size_t rows_ = 0;
    std::size_t raw_used_ = 0;         // elements of raw_ that may be non-zero
    std::vector<unsigned char> raw_;   // the last row as given (zeros past its bytes)
    std::vector<unsigned char> prev_;  // the last row, shuffled: plane k at k * width
    std::vector<unsigned char> cur_;
    std::vector<Bits> planes_;
    std::vector<std::uint32_t> adler_;      // per plane, of its rows so far
    std::vector<std::uint32_t> row_adler_;  // per plane, of its last row alone
    // add_changes' scratch: the elements that differ, ascending, and which of their bytes
    // (bit k: plane k); per plane, the columns that changed
    std::vector<std::uint32_t> changed_;
    std::vector<std::uint64_t> masks_;
    std::vector<std::uint32_t> columns_;
    std::vector<std::size_t> counts_;
    // a back-reference one row up of 3 to 258 bytes, the whole code (length and distance)
    std::array<std::uint32_t, 259> gap_bits_{};
    std::array<std::uint8_t, 259> gap_len_{};
};

// A series' chunk (h5::Appendable: `n` records of `element` bytes, shuffled: byte plane k holds
// byte k of every record) encoded as it fills. Each plane's bytes are encoded once, in steps of
// kStep records (runs of one byte and literals, as a chunk's first row of a RowDeflater, in
// fixed-Huffman blocks, or stored where few bytes repeat; each plane closed by an empty stored
// block, as RowDeflater's), and the chunk, open or full, is written by adding the records past the
// last whole step and the zeros after them: a flush re-encodes less than a step per plane, and a
// full chunk costs no more than its last step. The whole steps are encoded from their own bytes and
// the one before them, so the stream depends only on the records, not on when the flushes came.
class PlaneDeflater {
  public:
    static constexpr std::size_t kStep = 128;

    PlaneDeflater(std::size_t element, std::size_t n);
    // Replaces `out` with the zlib stream of the chunk whose planes are at `shuffled` (plane k
    // at k * n): its first `used` records (which must not change until clear()), then zeros.
    void finish(const unsigned char* shuffled, std::size_t used, std::vector<unsigned char>& out);
    // forgets the records, for the next chunk
    void clear();

  private:
    // a step of plane k: literals and runs, or, where few bytes repeat the one before (noise:
    // literals would cost more bits than the bytes), stored as they are
    void add_step(std::size_t k, const unsigned char* plane, std::size_t from);

    std::size_t element_;
    std::size_t n_;
    std::size_t done_ = 0;  // records in planes_
    // per plane: where the LEN of its open stored block is in its bytes (npos: in a
    // fixed-Huffman block)
    std::vector<std::size_t> stored_;
    std::vector<RowDeflater::Bits> planes_;
    std::vector<std::uint32_t> adler_;  // per plane, of its first done_ bytes
    RowDeflater::Bits scratch_;
    std::vector<unsigned char> zeros_;
};

}  // namespace swarm::io
