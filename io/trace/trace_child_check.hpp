// Reading an untrusted HDF5 file first in a child process (issue 21): libhdf5 1.10.8 itself
// can crash on a damaged file, below every check our readers make (docs/fuzzing.md, "known").
// check_in_child runs swarmsim-trace-check on the file with a time and a memory limit, reading
// it as a trace (TraceReader) or as a checkpoint (io::read_checkpoint); a crash, a hang or a
// runaway allocation in there becomes the caller's own format error naming the file
// (check_trace_in_child: TraceFormatError; io/checkpoint's check_checkpoint_in_child:
// sim::CheckpointError), and the caller then opens the file in its own process. The one way
// to probe such a file: docs/trace-format.md, "Untrusted traces".
#pragma once

#include <cstdint>
#include <string>

namespace swarm::io {

// what the check program reads the file as
enum class CheckedFile : std::uint8_t { kTrace, kCheckpoint };

struct ChildCheckOptions {
    // the check program; empty: trace_check_program()
    std::string program;
    CheckedFile file = CheckedFile::kTrace;
    bool allow_partial = false;  // traces: accept one whose writer did not finish
    // wall-clock limit (the child is killed after it) and the child's own CPU-time limit
    double seconds = 60.0;
    // the child's address-space limit (RLIMIT_AS; not applied in sanitizer builds)
    std::uint64_t memory_bytes = std::uint64_t{4} << 30U;
};

// the program's name, installed next to the executables that use it
inline constexpr const char* kTraceCheckName = "swarmsim-trace-check";
// the environment variable naming another check program
inline constexpr const char* kTraceCheckEnv = "SWARMSIM_TRACE_CHECK";

// $SWARMSIM_TRACE_CHECK when set, else swarmsim-trace-check in the running executable's
// directory; std::runtime_error when it is not there (no silent in-process fallback: that is
// the crash this guards against)
[[nodiscard]] std::string trace_check_program();

// What the child made of the file.
struct ChildVerdict {
    enum class Outcome : std::uint8_t {
        kAccepted,    // exit 0: the caller opens the file itself
        kRefused,     // exit 3: the reader refuses its contents
        kUnreadable,  // exit 4: the reader cannot open it (missing, not a regular file)
        kDamaged,     // a crash, a hang, or any other failure of the child
    };
    Outcome outcome = Outcome::kAccepted;
    // kRefused, kUnreadable: the reader's message, without the program's prefix and the
    // "trace file 'PATH': " (or "checkpoint file 'PATH': ") the reader puts first; kDamaged:
    // what happened ("reading it crashed the HDF5 library (signal 11: Segmentation fault)",
    // "reading it did not finish in 60 s", "checking it in a child process failed (exit
    // status N: its last line)")
    std::string message;
};

// Runs the check program on `path` and says what it made of it; std::runtime_error when the
// program cannot be run. The callers below turn the verdict into their own errors.
[[nodiscard]] ChildVerdict check_in_child(const std::string& path,
                                          const ChildCheckOptions& options);

// Returns when the check accepts `path` (exit 0). Throws TraceFormatError (exit 3 in the
// front ends) for a file the reader refuses at open, a crash ("damaged trace: reading it
// crashed the HDF5 library (signal N: NAME)"), a hang ("... did not finish in S s") or another
// failure of the child; TraceError (exit 4) for a file that cannot be opened at all;
// std::runtime_error when the program cannot be run.
// (options.file is kTrace here, whatever it says)
void check_trace_in_child(const std::string& path, const ChildCheckOptions& options = {});

}  // namespace swarm::io
