// Reading an untrusted trace first in a child process (issue 21): libhdf5 1.10.8 itself can
// crash on a damaged file, below every check TraceReader makes (docs/fuzzing.md, "known").
// check_trace_in_child runs swarmsim-trace-check on the file with a time and a memory limit;
// a crash, a hang or a runaway allocation in there becomes a TraceFormatError naming the file,
// and the caller then opens the file in its own process. docs/trace-format.md, "Untrusted
// traces".
#pragma once

#include <cstdint>
#include <string>

namespace swarm::io {

struct TraceCheckOptions {
    // the check program; empty: trace_check_program()
    std::string program;
    bool allow_partial = false;
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

// Returns when the check accepts `path` (exit 0). Throws TraceFormatError (exit 3 in the
// front ends) for a file the reader refuses at open, a crash ("damaged trace: reading it
// crashed the HDF5 library (signal N: NAME)"), a hang ("... did not finish in S s") or another
// failure of the child; TraceError (exit 4) for a file that cannot be opened at all;
// std::runtime_error when the program cannot be run.
void check_trace_in_child(const std::string& path, const TraceCheckOptions& options = {});

}  // namespace swarm::io
