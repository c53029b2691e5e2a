// A run's checkpoint as a file (issue 18): every array of a sim::StateArchive becomes an HDF5
// data set at its path ("kernel/lp_draws": group kernel, data set lp_draws), of its own type,
// so that an analyst can open a checkpoint with h5py; the root's attributes say what the file
// is and hold the archive's checksum. The layout is in docs/checkpoint-format.md.
//
// Writing is complete-or-nothing (io/output's PendingOutput: a temporary file beside the
// target, renamed into place only when complete). Reading checks everything it reads and
// throws sim::CheckpointError naming the file (and the data set) for any problem; it never
// sizes a buffer from a claim the file's size does not cover. libhdf5 itself can still crash
// on a hostile file: a front-end reading a checkpoint somebody gave it calls
// check_checkpoint_in_child first (the same child process as for traces).
#pragma once

#include <cstdint>
#include <filesystem>

#include "io/trace/trace_child_check.hpp"
#include "sim/state_archive.hpp"

namespace swarm::io {

// the root attribute `format` of every checkpoint
inline constexpr const char* kCheckpointFormat = "swarmsim-checkpoint";
// the root attribute `format_version`: raised when the layout changes incompatibly (this
// build reads only its own version)
inline constexpr std::int64_t kCheckpointVersion = 1;

// Writes every array of `state` to `file`, a new file unless `replace` (the CLI's --force)
// allows replacing a regular file there. Throws sim::CheckpointError, before anything is
// created, for an archive a file cannot hold (a name that is both an array and a group of
// others, an empty name component, a numeric array whose element size is not its kind's), and
// io::OutputError (io/output/output_file.hpp) when the file cannot be written there (then
// nothing is at `file`, and no temporary file is left).
void write_checkpoint(const std::filesystem::path& file, const sim::StateArchive& state,
                      bool replace = false);

// Reads a checkpoint back. Throws sim::CheckpointError ("checkpoint file 'PATH': ...") when
// the file is missing, not a regular file, not HDF5, truncated, not a checkpoint (a trace is
// named as one), of another format version, holds a data set of an unknown type or shape or
// sizes that do not add up (the data set is named), or its contents do not give its checksum.
[[nodiscard]] sim::StateArchive read_checkpoint(const std::filesystem::path& file);

// Reads `file` with read_checkpoint in the check program's child process first
// (io::check_in_child, options.file set to kCheckpoint): returns when the child accepts it;
// throws sim::CheckpointError with the child's message, or "damaged checkpoint: reading it
// crashed the HDF5 library (signal ...)" / "... did not finish in S s"; std::runtime_error
// when the check program cannot be run.
void check_checkpoint_in_child(const std::filesystem::path& file,
                               const ChildCheckOptions& options = {});

}  // namespace swarm::io
