// A fast deflate encoder for the trace's per-agent chunks: a standard zlib stream (RFC 1950
// around one fixed-Huffman RFC 1951 block) that any inflate reads, so the chunk stays an
// ordinary HDF5 deflate-filtered chunk. It only looks for two kinds of repeats: the same
// bytes one row earlier (a vehicle whose value did not change since the previous sample:
// most of a trace) and runs of one byte. That is all the redundancy a trace chunk has
// worth finding, at a small fraction of a general encoder's time (no hash chains).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace swarm::io {

// Replaces `out` with the zlib stream of `in`. `row`: bytes between a byte and the same
// byte one row earlier (0: no row matches).
void row_deflate(std::span<const unsigned char> in, std::size_t row,
                 std::vector<unsigned char>& out);

}  // namespace swarm::io
