// Checked reads for TraceReader (private to io/trace): data sets opened with their rank, type
// class and extent checked against the bytes the file holds, and row reads that never write
// past the caller's buffer. Every failure is a Malformed naming the data set; callers hold
// h5::hdf5_mutex().
#pragma once

#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "io/trace/hdf5_util.hpp"

namespace swarm::io::checked {

// a malformed file: the message names the data set and what was expected and found
class Malformed : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// the innermost message of the HDF5 error stack ("inflate() failed", "incorrect metadata
// checksum ..."): why the last call failed ("" when none did)
std::string hdf5_reason();
// throws Malformed(what), with the HDF5 reason appended
[[noreturn]] void fail(const std::string& what);

std::string dims_text(const std::vector<hsize_t>& d);

enum class Want { kInteger, kFloat, kNumber, kCompound, kString };

struct Dset {
    h5::Handle id;
    std::vector<hsize_t> dims;
    std::string path;
};

// Opens data set `path` and checks its rank, its type's class and that the file holds enough
// bytes for its extent (no buffer is ever sized from a number the file cannot back).
// check_extent = false skips the last check (it walks the chunk index) for a data set whose
// extent was checked when the file was opened and whose reads are sized from that.
Dset open_checked(hid_t file, const std::string& path, int rank, Want want,
                  bool check_extent = true);

// Reads rows [first, first + count) of `d` (rank >= 1) into `out`, which holds `capacity`
// elements of mem_type: a wider selection is refused, never written.
void read_rows(const Dset& d, hid_t mem_type, hsize_t first, hsize_t count, void* out,
               std::size_t capacity);

// the names of the links in group `path` (none when it does not exist), bounded in number
// and length
std::vector<std::string> link_names(hid_t file, const char* path);

}  // namespace swarm::io::checked
