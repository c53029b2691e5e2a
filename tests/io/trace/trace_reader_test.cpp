// TraceReader on files it must refuse: a clear TraceError naming the file, never a crash.
#include "io/trace/trace_reader.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "io/trace/trace_writer.hpp"

namespace {

std::string temp_path(const char* name) {
    return (std::filesystem::temp_directory_path() /
            (std::string("swarm_") + name + "_" + std::to_string(getpid()) + ".h5"))
        .string();
}

}  // namespace

TEST_CASE("reader errors name the file and the problem") {
    using swarm::io::TraceError;
    using swarm::io::TraceReader;
    CHECK_THROWS_WITH_AS(TraceReader("/nonexistent/x.h5"),
                         doctest::Contains("'/nonexistent/x.h5': cannot open"), TraceError);
    const std::string text = temp_path("text");
    std::ofstream(text) << "not hdf5\n";
    CHECK_THROWS_WITH_AS(TraceReader{text}, doctest::Contains("not an HDF5 file"), TraceError);
    std::filesystem::remove(text);
}

TEST_CASE("an empty but closed trace reads back with zero samples") {
    const std::string path = temp_path("empty");
    swarm::io::TraceHeader h;
    h.agents = 3;
    h.scenario_text = "x = 1";
    {
        swarm::io::TraceWriter w(path, h);
        w.close();
        CHECK(w.stats().frames == 0);
    }
    const swarm::io::TraceReader r(path);
    CHECK(r.complete());
    CHECK(r.samples() == 0);
    CHECK(r.agents() == 3);
    CHECK(r.scenario_text() == "x = 1");
    CHECK(r.events().empty());
    CHECK(r.observable("service_level").value.empty());
    CHECK_THROWS_AS((void)r.frame(0), swarm::io::TraceError);
    CHECK_THROWS_WITH_AS((void)r.observable("nope"), doctest::Contains("no observable 'nope'"),
                         swarm::io::TraceError);
    std::filesystem::remove(path);
}

TEST_CASE("the writer refuses a path it cannot create") {
    swarm::io::TraceHeader h;
    CHECK_THROWS_WITH_AS(swarm::io::TraceWriter("/nonexistent/dir/t.h5", h),
                         doctest::Contains("/nonexistent/dir/t.h5"), swarm::io::TraceError);
}
