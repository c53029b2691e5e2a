// TraceReader on files it must refuse: a clear TraceError naming the file, never a crash.
#include "io/trace/trace_reader.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/trace/trace_writer.hpp"
#include "tests/io/trace/trace_test_util.hpp"

using swarm::io::testing::temp_path;

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

TEST_CASE("parameters@ranks: written for a run across ranks, absent (read as 1) otherwise") {
    for (const std::uint64_t ranks : {std::uint64_t{1}, std::uint64_t{3}}) {
        CAPTURE(ranks);
        const std::string path = temp_path("ranks");
        swarm::io::TraceHeader h;
        h.agents = 2;
        h.ranks = ranks;
        {
            swarm::io::TraceWriter w(path, h);
            w.close();
        }
        const swarm::io::TraceReader r(path);
        CHECK(r.ranks() == ranks);
        CHECK(r.schema_version() == swarm::io::kTracePointRowsVersion);
        if (ranks == 1) {
            CHECK_THROWS_AS((void)r.parameter_number("ranks"), swarm::io::TraceError);
        }
        std::filesystem::remove(path);
    }
}

TEST_CASE("the writer refuses a path it cannot create") {
    swarm::io::TraceHeader h;
    CHECK_THROWS_WITH_AS(swarm::io::TraceWriter("/nonexistent/dir/t.h5", h),
                         doctest::Contains("/nonexistent/dir/t.h5"), swarm::io::TraceError);
}

TEST_CASE("connectivity links round trip sorted and merged per sample") {
    using swarm::io::TraceLink;
    const std::string path = temp_path("links");
    swarm::io::TraceHeader h;
    h.agents = 4;
    {
        swarm::io::TraceWriter w(path, h);
        // sample 0: unsorted with a duplicate pair; sample 1: none; sample 2: one link
        const std::vector<std::vector<TraceLink>> per_sample = {
            {{2, 0, 1, 100}, {0, 1, 2, 64}, {2, 0, 3, 50}, {0, 3, 1, 10}}, {}, {{3, 1, 7, 7000}}};
        for (std::size_t k = 0; k < per_sample.size(); ++k) {
            auto f = w.acquire();
            f->step = static_cast<std::int64_t>(k);
            f->time = static_cast<double>(k);
            f->links = per_sample[k];
            w.push(std::move(f));
        }
        w.close();
        CHECK(w.stats().links == 4);
    }
    const swarm::io::TraceReader r(path);
    REQUIRE(r.samples() == 3);
    CHECK(r.links_per_sample() == std::vector<std::int64_t>{3, 0, 1});
    CHECK(r.links(0) == std::vector<TraceLink>{{0, 1, 2, 64}, {0, 3, 1, 10}, {2, 0, 4, 150}});
    CHECK(r.links(1).empty());
    CHECK(r.links(2) == std::vector<TraceLink>{{3, 1, 7, 7000}});
    CHECK(r.all_links().size() == 4);
    CHECK_THROWS_WITH_AS((void)r.links(3), doctest::Contains("the trace has 3 samples"),
                         swarm::io::TraceError);
    std::filesystem::remove(path);
}
