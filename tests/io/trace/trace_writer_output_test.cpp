// TraceWriter's file: what is at the path (refused, replaced, renamed at close), write errors,
// a producer's wrong rows, interruptions, a SIGKILLed writer's partial file, when it flushes,
// and wait_idle. The traces of whole runs are in trace_writer_test.cpp.
#include <doctest/doctest.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "io/trace/hdf5_util.hpp"
#include "io/trace/trace_reader.hpp"
#include "io/trace/trace_writer.hpp"
#include "tests/io/trace/trace_test_util.hpp"

namespace {

using namespace swarm;
using swarm::io::testing::temp_path;

}  // namespace

TEST_CASE("a SIGKILLed writer leaves a partial file readable up to the last flush") {
    const std::string path = temp_path("killed");
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // child: 20 frames with a flush every 5, report, then keep writing until killed
        close(fds[0]);
        io::TraceHeader h;
        h.agents = 50;
        io::TraceOptions o;
        o.flush_every = 5;
        o.flush_seconds = 1e9;
        io::TraceWriter w(path, h, o);
        for (int i = 0;; ++i) {
            auto f = w.acquire();
            f->step = i;
            f->time = i;
            f->state.assign(50, static_cast<std::int8_t>(i % 8));
            w.push(std::move(f));
            if (i == 19) {
                // until 20 frames are on disk (a fixed sleep was too short on a loaded machine)
                while (w.flushed_frames() < 20 && !w.failed()) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
                const char ok = 'k';
                if (write(fds[1], &ok, 1) != 1) {
                    _exit(1);
                }
            }
            if (i >= 19) {
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        }
    }
    close(fds[1]);
    char c = 0;
    REQUIRE(read(fds[0], &c, 1) == 1);
    close(fds[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status));
    // the file is under its temporary name; nothing was put at the path
    CHECK_FALSE(std::filesystem::exists(path));
    const std::string partial = io::partial_path(path, pid);
    CHECK_THROWS_WITH_AS(io::TraceReader{partial}, doctest::Contains("partial trace"),
                         io::TraceError);
    const io::TraceReader reader(partial, true);
    CHECK_FALSE(reader.complete());
    CHECK(reader.samples() >= 20);
    const io::TraceFrameData f = reader.frame(19);
    CHECK(f.step == 19);
    CHECK(f.state.at(0) == 19 % 8);
    std::filesystem::remove(partial);
}

// ---- outputs written safely (issue 21): what is at the path, write errors, interruptions

namespace {

// a root attribute of a closed trace as int64 (-1 when absent), read with the C API
std::int64_t root_attr(const std::string& path, const char* name) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    std::int64_t v = -1;
    if (H5Aexists(f, name) > 0) {
        const hid_t a = H5Aopen(f, name, H5P_DEFAULT);
        REQUIRE(H5Aread(a, H5T_NATIVE_INT64, &v) >= 0);
        H5Aclose(a);
    }
    H5Fclose(f);
    return v;
}

// n frames of `agents` agents, frame i at step i with every state i % 8
void push_frames(io::TraceWriter& w, int from, int to, std::size_t agents) {
    for (int i = from; i < to; ++i) {
        auto f = w.acquire();
        f->step = i;
        f->time = i;
        f->state.assign(agents, static_cast<std::int8_t>(i % 8));
        f->scalars.created = i;
        w.push(std::move(f));
    }
}

bool partial_left(const std::string& path) {
    return std::filesystem::exists(io::partial_path(path, getpid()));
}

}  // namespace

TEST_CASE("the writer refuses a device, a directory, a link and an existing file") {
    io::TraceHeader h;
    h.agents = 3;
    // a character device: refused, untouched (never replaced by a file)
    CHECK_THROWS_WITH_AS(io::TraceWriter("/dev/null", h),
                         doctest::Contains("is a character device, not a regular file"),
                         io::TraceError);
    CHECK(std::filesystem::is_character_file("/dev/null"));
    const std::string dir = temp_path("outdir");
    std::filesystem::create_directory(dir);
    CHECK_THROWS_WITH_AS(io::TraceWriter(dir, h), doctest::Contains("is a directory"),
                         io::TraceError);
    CHECK(std::filesystem::is_directory(dir));
    // an existing file: kept without replace, replaced with it
    const std::string path = temp_path("existing");
    std::ofstream(path) << "precious\n";
    CHECK_THROWS_WITH_AS(io::TraceWriter(path, h), doctest::Contains("pass --force"),
                         io::TraceError);
    CHECK(std::filesystem::file_size(path) == 9);
    // a symbolic link, to a file or to a device: refused even with replace
    const std::string link = temp_path("link");
    std::filesystem::create_symlink(path, link);
    io::TraceOptions replace;
    replace.replace = true;
    CHECK_THROWS_WITH_AS(io::TraceWriter(link, h, replace),
                         doctest::Contains("is a symbolic link to a regular file"), io::TraceError);
    std::filesystem::remove(link);
    std::filesystem::create_symlink("/dev/null", link);
    CHECK_THROWS_WITH_AS(io::TraceWriter(link, h, replace),
                         doctest::Contains("is a symbolic link to a character device"),
                         io::TraceError);
    CHECK(std::filesystem::is_symlink(link));
    CHECK(std::filesystem::file_size(path) == 9);
    for (const std::string& p : {std::string("/dev/null"), dir, path, link}) {
        CHECK_FALSE(partial_left(p));
    }
    {
        io::TraceWriter w(path, h, replace);
        // written beside the target, which stays as it was until close()
        CHECK(w.temp_path() == io::partial_path(path, getpid()));
        push_frames(w, 0, 3, 3);
        CHECK(std::filesystem::file_size(path) == 9);
        w.close();
    }
    CHECK_FALSE(partial_left(path));
    const io::TraceReader reader(path);
    CHECK(reader.samples() == 3);
    CHECK(root_attr(path, "interrupted") == -1);
    std::filesystem::remove(link);
    std::filesystem::remove(path);
    std::filesystem::remove(dir);
}

TEST_CASE("a write error cuts the trace back to its last flush and marks it incomplete") {
    const std::string path = temp_path("full_disk");
    io::TraceHeader h;
    h.agents = 5;
    io::TraceOptions o;
    o.flush_every = 10;
    o.flush_seconds = 1e9;
    o.chunk_frames = 4;
    // schema 3.1: each frame's rows of the legs table count as one write (no dense per-agent
    // chunks without agent values); flushes at 10 and 20 frames, the 23rd frame fails
    o.fail_chunk_write = 23;
    // 100 frames through a queue of 32: the writer stops at the 23rd, so a later push waits
    // on the full queue until the failure is known, before push_frames returns
    o.queue_capacity = 32;
    io::TraceWriter w(path, h, o);
    push_frames(w, 0, 100, 5);  // never throws: the run goes on
    CHECK(w.failed());
    std::string message;
    try {
        w.close();
    } catch (const io::TraceError& e) {
        message = e.what();
    }
    CHECK(message.find("'" + path + "'") != std::string::npos);
    CHECK(message.find("No space left on device") != std::string::npos);
    CHECK(message.find("marked incomplete") != std::string::npos);
    CHECK(w.stats().dropped > 0);
    // nothing at the path; the rows of the last flush under the partial name, no zero rows
    CHECK_FALSE(std::filesystem::exists(path));
    const std::string partial = io::partial_path(path, getpid());
    REQUIRE(std::filesystem::exists(partial));
    CHECK(message.find(partial) != std::string::npos);
    CHECK(root_attr(partial, "complete") == 0);
    CHECK(root_attr(partial, "incomplete") == 1);
    CHECK_THROWS_WITH_AS(io::TraceReader{partial}, doctest::Contains("incomplete"), io::TraceError);
    const io::TraceReader reader(partial, true);
    const std::size_t kept = reader.samples();
    CHECK(kept % 10 == 0);
    CHECK(kept > 0);
    CHECK(root_attr(partial, "frames") == static_cast<std::int64_t>(kept));
    const io::TraceSeries created = reader.observable("created");
    REQUIRE(created.value.size() == kept);
    for (std::size_t k = 0; k < kept; ++k) {
        CHECK(created.value[k] == static_cast<double>(k));
        const io::TraceFrameData f = reader.frame(k);
        CHECK(f.step == static_cast<std::int64_t>(k));
        CHECK(f.state.at(4) == static_cast<std::int8_t>(k % 8));
    }
    std::filesystem::remove(partial);
}

// schema 3.3: the producer packs the rows; a frame whose bytes do not add up, or a keyframe
// without a row per agent, ends the file as a failed write does, naming the frame
TEST_CASE("a schema 3.3 frame with the wrong legs rows leaves an incomplete file naming it") {
    io::TraceHeader h;
    h.agents = 2;
    h.network_nodes = 3;
    h.nodes = {{0.0, 0.0}, {1.0, 0.0}, {2.0, 0.0}};
    {
        io::TraceHeader wrong = h;
        wrong.network_nodes = 4;
        CHECK_THROWS_WITH_AS(io::TraceWriter(temp_path("nodes"), wrong),
                             doctest::Contains("3 node coordinates for a network of 4 nodes"),
                             io::TraceError);
    }
    const auto row = [](std::uint32_t agent, std::uint32_t node, unsigned char* out) {
        const std::uint8_t moving = 0;
        const std::int8_t state = 0;
        const float load = 0.0F;
        const float kwh = 1.0F;
        const std::int64_t tick = 0;
        return io::h5::put_packed(out, agent, moving, state, load, kwh, node, node, tick, tick);
    };
    struct Case {
        const char* name;
        std::size_t rows;  // in frame 0, a keyframe
        std::size_t bytes;
        const char* says;
    };
    for (const Case& c : {Case{"keyframe", 1, io::kPackedLegBytes, "frame 0 is a keyframe with 1"},
                          Case{"bytes", 2, io::kPackedLegBytes, "frame 0 brings 38 bytes for 2"}}) {
        CAPTURE(c.name);
        const std::string path = temp_path("packed_rows");
        io::TraceWriter w(path, h);
        REQUIRE(w.packs_legs());
        auto f = w.acquire();
        CHECK(f->position.empty());  // schema 3.3: no per-agent arrays to fill
        f->packed_leg_rows = c.rows;
        f->packed_legs.resize(c.bytes);
        row(0, 2, f->packed_legs.data());
        w.push(std::move(f));
        std::string message;
        try {
            w.close();
        } catch (const io::TraceError& e) {
            message = e.what();
        }
        CHECK(message.find(c.says) != std::string::npos);
        const std::string partial = io::partial_path(path, getpid());
        CHECK(std::filesystem::exists(partial));
        CHECK(root_attr(partial, "incomplete") == 1);
        std::filesystem::remove(partial);
    }
    // and a right one reads back: the points are the nodes, the rows name them
    const std::string path = temp_path("packed_ok");
    {
        io::TraceWriter w(path, h);
        auto f = w.acquire();
        f->packed_leg_rows = 2;
        f->packed_legs.resize(2 * io::kPackedLegBytes);
        row(1, 2, row(0, 1, f->packed_legs.data()));
        w.push(std::move(f));
        w.close();
    }
    const io::TraceReader reader(path);
    CHECK(reader.schema_version() == io::kTraceSchemaVersion);
    const io::TraceFrameData f = reader.frame(0);
    REQUIRE(f.position.size() == 4);
    CHECK(f.position[0] == 1.0);
    CHECK(f.position[2] == 2.0);
    CHECK(f.energy.at(1) == 1.0F);
    std::filesystem::remove(path);
}

TEST_CASE("an interrupted run's trace is complete and marked interrupted") {
    const std::string path = temp_path("interrupted");
    io::TraceHeader h;
    h.agents = 2;
    {
        io::TraceWriter w(path, h);
        push_frames(w, 0, 5, 2);
        w.mark_interrupted();
        w.close();
    }
    CHECK(root_attr(path, "complete") == 1);
    CHECK(root_attr(path, "interrupted") == 1);
    CHECK(io::TraceReader(path).samples() == 5);
    std::filesystem::remove(path);
}

TEST_CASE("a writer its owner never closed leaves no file at the path") {
    const std::string path = temp_path("abandoned");
    io::TraceHeader h;
    h.agents = 2;
    {
        io::TraceWriter w(path, h);
        push_frames(w, 0, 5, 2);
    }  // e.g. the run threw
    CHECK_FALSE(std::filesystem::exists(path));
    const std::string partial = io::partial_path(path, getpid());
    REQUIRE(std::filesystem::exists(partial));
    CHECK(root_attr(partial, "complete") == 0);
    CHECK(root_attr(partial, "incomplete") == 1);
    CHECK(io::TraceReader(partial, true).samples() == 5);
    std::filesystem::remove(partial);
}

TEST_CASE(
    "flushes come after first_flush frames, then by wall time or doubling up to flush_every") {
    const std::string path = temp_path("flush_policy");
    io::TraceHeader h;
    h.agents = 5;
    io::TraceOptions o;
    o.flush_seconds = 1e9;
    o.replace = true;
    // the default (flush_every 0): once after first_flush frames, then by wall time only
    REQUIRE(o.flush_every == 0);
    o.first_flush = 4;
    {
        io::TraceWriter w(path, h, o);
        push_frames(w, 0, 30, 5);
        while (w.flushed_frames() < 4 && !w.failed()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        CHECK(w.flushed_frames() == 4);
        w.close();
        // after frame 4, and at close
        CHECK(w.stats().flushes == 2);
    }
    // flush_every > 0: then twice as many frames each time, up to flush_every
    o.first_flush = 2;
    o.flush_every = 8;
    {
        io::TraceWriter w(path, h, o);
        push_frames(w, 0, 30, 5);
        w.close();
        // after frames 2, 6, 14, 22 and 30 (2, 4, 8, 8, 8 apart), and at close
        CHECK(w.stats().flushes == 6);
    }
    // first_flush above flush_every: every flush_every frames (5, 10, ... 30), and at close
    o.first_flush = 64;
    o.flush_every = 5;
    {
        io::TraceWriter w(path, h, o);
        push_frames(w, 0, 30, 5);
        w.close();
        CHECK(w.stats().flushes == 7);
    }
    std::filesystem::remove(path);
}

TEST_CASE("a queue bounded by bytes passes every frame, one larger than the bound too") {
    const std::string path = temp_path("queue_bytes");
    io::TraceHeader h;
    h.agents = 5;
    io::TraceOptions o;
    o.replace = true;
    // every frame holds more than this: each waits for the queue to empty, none waits forever
    o.queue_bytes = 1;
    {
        io::TraceWriter w(path, h, o);
        push_frames(w, 0, 40, 5);
        w.close();
        CHECK(w.stats().frames == 40);
        CHECK(w.stats().dropped == 0);
    }
    const io::TraceReader reader(path);
    CHECK(reader.samples() == 40);
    CHECK(reader.observable("created").value.back() == 39.0);
    std::filesystem::remove(path);
}

TEST_CASE("wait_idle returns once every frame pushed went through the writer") {
    const std::string path = temp_path("wait_idle");
    io::TraceHeader h;
    h.agents = 4;
    io::TraceOptions o;
    o.replace = true;
    o.flush_seconds = 1e9;
    // counts the frames it sees on the writer thread and gives them the arrays the file needs
    struct Counting : io::FrameCompleter {
        std::atomic<int> frames{0};
        std::size_t agents = 0;
        void complete(io::TraceFrame& f) override {
            f.position.assign(2 * agents, 0.0F);
            f.load.assign(agents, 0.0F);
            f.energy.assign(agents, 0.0F);
            ++frames;
        }
    } counting;
    counting.agents = h.agents;
    io::TraceWriter w(path, h, o);
    w.set_completer(counting);
    // fewer frames than a wake-up batch: without wait_idle the writer would sleep on them
    push_frames(w, 0, 3, h.agents);
    w.wait_idle();
    CHECK(counting.frames.load() == 3);
    push_frames(w, 3, 20, h.agents);
    w.wait_idle();
    CHECK(counting.frames.load() == 20);
    w.wait_idle();  // nothing pushed since: returns at once
    w.release_completer(counting);
    w.close();
    CHECK(w.stats().frames == 20);
    std::filesystem::remove(path);
}
