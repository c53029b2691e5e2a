// swarmsim-trace-check, the program the visualizer runs on a trace before it opens it (issue
// 21): the known trace that crashes libhdf5 1.10.8 (fuzz/known/trace/) is a format error here,
// not a crash; a good trace passes; the reader's own refusals keep their messages and codes.
// With --checkpoint it reads checkpoints (issue 18): a good one passes, anything else is a
// CheckpointError with the reader's message.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "io/checkpoint/checkpoint_file.hpp"
#include "io/trace/trace_child_check.hpp"
#include "io/trace/trace_reader.hpp"
#include "tests/viz/viz_test_util.hpp"

namespace swarm::viz {

namespace {

const std::string kCheck = SWARM_TRACE_CHECK_BIN;
const std::string kKnownCrash =
    std::string(SWARM_SOURCE_DIR) + "/fuzz/known/trace/hdf5-dense-link-table-free-crash";

io::ChildCheckOptions real() {
    io::ChildCheckOptions o;
    o.program = kCheck;
    o.allow_partial = true;
    return o;
}

// the program's exit code run on `path` (-1: killed by a signal)
int run_check(const std::string& path, const std::string& env = "") {
    const int rc = std::system((env + " " + kCheck + " " + path + " 2> /dev/null").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// sets an environment variable for the scope
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
    ~ScopedEnv() { ::unsetenv(name_); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    const char* name_;
};

}  // namespace

TEST_CASE("the trace that crashes libhdf5 is a format error in the caller, not a crash") {
    REQUIRE(std::filesystem::exists(kKnownCrash));
    {
        // libhdf5 frees an uninitialised pointer on it: glibc's MALLOC_PERTURB_ fills new
        // allocations, which makes that free crash every time (it may not without)
        const ScopedEnv perturb("MALLOC_PERTURB_", "165");
        CHECK_THROWS_WITH_AS(
            io::check_trace_in_child(kKnownCrash, real()),
            doctest::Contains("': damaged trace: reading it crashed the HDF5 library (signal "),
            io::TraceFormatError);
    }
    // without it: a crash, or the reader's own refusal; a format error either way
    CHECK_THROWS_AS(io::check_trace_in_child(kKnownCrash, real()), io::TraceFormatError);
}

TEST_CASE("a good trace passes the check and opens, as its writer left it") {
    const auto path = test::temp_path("checked.h5");
    test::write_small_trace(path);
    CHECK_NOTHROW(io::check_trace_in_child(path.string(), real()));
    CHECK(run_check(path.string()) == 0);
    CHECK(io::TraceReader(path.string()).samples() > 0);
    std::filesystem::remove(path);
}

TEST_CASE("the check keeps the reader's refusals: their messages, 3 for contents, 4 for I/O") {
    CHECK_THROWS_WITH_AS(io::check_trace_in_child("/nonexistent/x.h5", real()),
                         "trace file '/nonexistent/x.h5': cannot open it (missing or unreadable)",
                         io::TraceError);
    CHECK(run_check("/nonexistent/x.h5") == 4);
    const auto text = test::temp_path("text.h5");
    std::FILE* f = std::fopen(text.c_str(), "w");
    std::fputs("not hdf5", f);
    std::fclose(f);
    CHECK_THROWS_WITH_AS(io::check_trace_in_child(text.string(), real()),
                         ("trace file '" + text.string() + "': not an HDF5 file").c_str(),
                         io::TraceFormatError);
    CHECK(run_check(text.string()) == 3);
    std::filesystem::remove(text);
    // a FIFO would block a reader: refused, not waited on
    const auto fifo = test::temp_path("fifo.h5");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS(io::check_trace_in_child(fifo.string(), real()),
                         doctest::Contains("not a regular file"), io::TraceError);
    std::filesystem::remove(fifo);
    CHECK(run_check("") == 2);
    CHECK(run_check("--bogus x.h5") == 2);
}

TEST_CASE("the check reads checkpoints too: a good one passes, others keep the reader's message") {
    io::ChildCheckOptions o;
    o.program = kCheck;
    const auto good = test::temp_path("checked_checkpoint.h5");
    std::filesystem::remove(good);
    sim::StateArchive ar;
    ar.put("kernel/lp_draws", std::vector<std::uint64_t>{1, 2, 3});
    io::write_checkpoint(good, ar);
    CHECK_NOTHROW(io::check_checkpoint_in_child(good, o));
    CHECK(run_check("--checkpoint " + good.string()) == 0);
    CHECK(run_check("--checkpoint --partial " + good.string()) == 2);
    std::filesystem::remove(good);

    const auto trace = test::temp_path("not_a_checkpoint.h5");
    test::write_small_trace(trace);
    CHECK_THROWS_WITH_AS(
        io::check_checkpoint_in_child(trace, o),
        ("checkpoint file '" + trace.string() + "': a swarmsim trace, not a checkpoint").c_str(),
        sim::CheckpointError);
    CHECK(run_check("--checkpoint " + trace.string()) == 3);
    std::filesystem::remove(trace);
    CHECK_THROWS_WITH_AS(io::check_checkpoint_in_child("/nonexistent/c.h5", o),
                         "checkpoint file '/nonexistent/c.h5': cannot open it: No such file or "
                         "directory",
                         sim::CheckpointError);
    // the file that crashes libhdf5: a CheckpointError here either way, never a crash
    const ScopedEnv perturb("MALLOC_PERTURB_", "165");
    CHECK_THROWS_AS(io::check_checkpoint_in_child(kKnownCrash, o), sim::CheckpointError);
}

}  // namespace swarm::viz
