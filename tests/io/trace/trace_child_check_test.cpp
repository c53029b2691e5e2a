// check_trace_in_child's side of the child (issue 21): what a check program's exit, signal or
// hang becomes. Stand-in programs (shell scripts) do what swarmsim-trace-check would do on a
// good file, a refused one, one that crashes libhdf5 and one that hangs; the real program is
// tested with the visualizer (tests/viz/trace_check_test.cpp).
#include "io/trace/trace_child_check.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/trace/trace_reader.hpp"

namespace {

using swarm::io::check_trace_in_child;
using swarm::io::ChildCheckOptions;
using swarm::io::TraceError;
using swarm::io::TraceFormatError;

std::filesystem::path temp_dir() {
    const auto dir =
        std::filesystem::temp_directory_path() / ("swarm_child_check_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}

// an executable shell script `name` with `body`
std::string script(const std::string& name, const std::string& body) {
    const auto p = temp_dir() / name;
    std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
    std::filesystem::permissions(p, std::filesystem::perms::owner_all);
    return p.string();
}

ChildCheckOptions with(const std::string& program) {
    ChildCheckOptions o;
    o.program = program;
    return o;
}

// the message of the E check_trace_in_child throws ("" when none)
template <class E>
std::string thrown(const std::string& path, const ChildCheckOptions& o) {
    try {
        check_trace_in_child(path, o);
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("another error: ") + e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a check that exits 0 lets the file through, with the limits and flags it was given") {
    const std::string args = (temp_dir() / "args.txt").string();
    ChildCheckOptions o = with(script("ok.sh", "echo \"$@\" > " + args + "\nexit 0"));
    o.allow_partial = true;
    o.seconds = 2.5;
    o.memory_bytes = std::uint64_t{512} << 20U;
    CHECK_NOTHROW(check_trace_in_child("/some/run.h5", o));
    std::ifstream in(args);
    std::string line;
    std::getline(in, line);
    CHECK(line == "--seconds 3 --memory-mb 512 --partial -- /some/run.h5");
}

TEST_CASE("the reader's refusal in the child is the same error here, with its message") {
    const std::string path = "/data/bad run.h5";
    const std::string format =
        script("format.sh",
               "echo \"swarmsim-trace-check: trace file '$6': not an HDF5 file\" "
               ">&2\nexit 3");
    // (its arguments: --seconds S --memory-mb M -- PATH)
    CHECK(thrown<TraceFormatError>(path, with(format)) ==
          "trace file '/data/bad run.h5': not an HDF5 file");
    const std::string io = script(
        "io.sh", "echo \"swarmsim-trace-check: trace file '$6': cannot open it\" >&2\nexit 4");
    const std::string what = thrown<TraceError>(path, with(io));
    CHECK(what == "trace file '/data/bad run.h5': cannot open it");
    // an I/O problem is not a format error (exit 4 in the front ends, not 3)
    CHECK(thrown<TraceFormatError>(path, with(io)).rfind("another error: ", 0) == 0);
}

TEST_CASE("a check killed by a signal is a damaged trace: exit 3 with the signal") {
    const std::string crash =
        script("crash.sh", "echo 'free(): invalid pointer' >&2\nkill -SEGV $$");
    CHECK(thrown<TraceFormatError>("/t/run.h5", with(crash)) ==
          "trace file '/t/run.h5': damaged trace: reading it crashed the HDF5 library (signal "
          "11: Segmentation fault)");
    const std::string abort = script("abort.sh", "kill -ABRT $$");
    CHECK(thrown<TraceFormatError>("/t/run.h5", with(abort)).find("(signal 6: Aborted)") !=
          std::string::npos);
}

TEST_CASE("a check that does not finish in time is killed: a damaged trace") {
    ChildCheckOptions o = with(script("hang.sh", "exec sleep 30"));
    o.seconds = 0.5;
    CHECK(thrown<TraceFormatError>("/t/run.h5", o) ==
          "trace file '/t/run.h5': damaged trace: reading it did not finish in 0.5 s");
    // its CPU-time limit ends it with SIGXCPU: the same message
    const std::string cpu = script("cpu.sh", "kill -XCPU $$");
    CHECK(thrown<TraceFormatError>("/t/run.h5", with(cpu)).find("did not finish in 60 s") !=
          std::string::npos);
}

TEST_CASE("any other failure of the check is a format error with its exit status and last words") {
    const std::string odd = script("odd.sh", "echo first >&2\necho 'last words' >&2\nexit 1");
    CHECK(thrown<TraceFormatError>("/t/run.h5", with(odd)) ==
          "trace file '/t/run.h5': damaged trace: checking it in a child process failed (exit "
          "status 1: last words)");
}

TEST_CASE("a missing check program is an error naming it, not a silent in-process read") {
    const char* old = std::getenv(swarm::io::kTraceCheckEnv);
    const std::string saved = old != nullptr ? old : "";
    ::setenv(swarm::io::kTraceCheckEnv, "/nonexistent/swarmsim-trace-check", 1);
    try {
        (void)swarm::io::trace_check_program();
        FAIL("no error");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("/nonexistent/swarmsim-trace-check") != std::string::npos);
    }
    CHECK_THROWS_WITH_AS(check_trace_in_child("/t/run.h5"),
                         doctest::Contains("/nonexistent/swarmsim-trace-check"),
                         std::runtime_error);
    if (old != nullptr) {
        ::setenv(swarm::io::kTraceCheckEnv, saved.c_str(), 1);
    } else {
        ::unsetenv(swarm::io::kTraceCheckEnv);
    }
    // without the variable: next to the running program (this test's directory: not there)
    ::unsetenv(swarm::io::kTraceCheckEnv);
    CHECK_THROWS_WITH_AS((void)swarm::io::trace_check_program(),
                         doctest::Contains("swarmsim-trace-check"), std::runtime_error);
    if (old != nullptr) {
        ::setenv(swarm::io::kTraceCheckEnv, saved.c_str(), 1);
    }
}
