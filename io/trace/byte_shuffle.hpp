// HDF5's shuffle filter, done by the trace writer itself: the chunks it encodes (RowDeflater,
// PlaneDeflater, h5::Appendable) are laid out as the filter would have them, byte plane by
// byte plane, so that any HDF5 reader unshuffles them.
#pragma once

#include <cstddef>

namespace swarm::io {

// byte k of element i of `in` (n elements of `size` bytes) goes to out[k * plane + i]
// (plane = n for a whole chunk)
void shuffle_bytes(const unsigned char* in, std::size_t n, std::size_t size, unsigned char* out,
                   std::size_t plane);

}  // namespace swarm::io
