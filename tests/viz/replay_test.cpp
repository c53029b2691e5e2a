#include "viz/replay.hpp"

#include <doctest/doctest.h>
#include <hdf5.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "tests/io/scenario/every_disruption_kind.hpp"
#include "tests/viz/viz_test_util.hpp"

using namespace swarm;
using namespace swarm::viz;

TEST_CASE("replay rebuilds the map and interpolates positions between frames") {
    const auto path = test::temp_path("replay.h5");
    test::write_small_trace(path);
    ReplaySource r(path.string());
    REQUIRE(r.has_map());
    CHECK(r.policy() == "nearest_bid");  // the scenario's default, named on screen by it
    CHECK(r.roads().edges() == r.network()->edge_count());
    CHECK(r.roads().depots.size() == 4);
    REQUIRE(r.sample_times().size() == 39);  // every 60 s from 60 to 2340 (the end is exclusive)
    CHECK(r.sample_times().front() == doctest::Approx(60.0));
    CHECK(r.kpis().intervals.size() == 39);
    CHECK(r.kpis().interval_s == doctest::Approx(60.0));
    CHECK_FALSE(r.kpis().has_orphaned);
    CHECK_FALSE(r.events().empty());
    CHECK(r.kpis().disruptions.empty());  // a run without disruptions

    // at a sample: exactly the frame; halfway: the mean of the two frames
    Snapshot a;
    Snapshot b;
    Snapshot mid;
    r.fill(600.0, a);
    r.fill(660.0, b);
    r.fill(630.0, mid);
    REQUIRE(a.agents() == 40);
    const io::TraceFrameData f = r.reader().frame(9);
    CHECK(f.time == doctest::Approx(600.0));
    for (std::size_t i = 0; i < 40; ++i) {
        CHECK(a.xy[2 * i] == doctest::Approx(f.position[2 * i] - r.roads().origin.x).epsilon(1e-5));
        CHECK(mid.xy[2 * i] == doctest::Approx((a.xy[2 * i] + b.xy[2 * i]) / 2).epsilon(1e-4));
        CHECK(a.state[i] == static_cast<std::uint8_t>(f.state[i]));
    }
    CHECK(mid.kpi.time_s == doctest::Approx(600.0));
    CHECK(a.kpi.created > 0);
    // outside the trace: clamped
    Snapshot late;
    r.fill(1e9, late);
    CHECK(late.time_s == doctest::Approx(2340.0));
    const Timeline t = r.make_timeline();
    CHECK(t.end() == doctest::Approx(2340.0));
    std::filesystem::remove(path);
}

TEST_CASE("replay classifies every disruption kind of a trace by the trace's own table") {
    const auto path = test::temp_path("every_kind.h5");
    // kind k at 60 (k + 1) s: roads 0 and 1, depot "east" (1), vehicle 0, an area at the centre
    test::write_small_trace(
        path, {}, swarm::io::testing::every_disruption_kind_toml("east", 60.0, 60.0, 600.0, 600.0));
    ReplaySource r(path.string());
    REQUIRE(r.event_kinds() == io::trace_event_kinds());
    // every kind that is not an end is a jump target at its time, depot_docks among them
    std::vector<double> starts;
    for (const agents::DisruptionKindInfo& k : agents::kDisruptionKinds) {
        if (k.role != agents::DisruptionRole::kEnd) {
            starts.push_back(60.0 * static_cast<double>(static_cast<std::size_t>(k.kind) + 1));
        }
    }
    CHECK(r.kpis().disruptions == starts);
    const auto at = [](agents::DisruptionKind k) {
        return 60.0 * static_cast<double>(static_cast<std::size_t>(k) + 1);
    };
    CHECK(std::find(starts.begin(), starts.end(), at(agents::DisruptionKind::kDepotDocks)) !=
          starts.end());
    // the map's state between a start and its end
    Snapshot s;
    r.fill(at(agents::DisruptionKind::kCloseRoads) + 30.0, s);
    CHECK(s.edge_closed(0));
    CHECK(s.edge_closed(1));
    r.fill(at(agents::DisruptionKind::kReopenRoads) + 30.0, s);
    CHECK_FALSE(s.edge_closed(0));
    r.fill(at(agents::DisruptionKind::kDepotDown) + 30.0, s);
    CHECK(s.depot_down == std::vector<std::uint8_t>{0, 1});
    r.fill(at(agents::DisruptionKind::kDepotUp) + 30.0, s);
    CHECK(s.depot_down == std::vector<std::uint8_t>{0, 0});
    r.fill(at(agents::DisruptionKind::kCloudDown) + 30.0, s);
    CHECK_FALSE(s.cloud_link_up);
    r.fill(at(agents::DisruptionKind::kCloudUp) + 30.0, s);
    CHECK(s.cloud_link_up);
    CHECK(r.event_kind_name(io::trace_event_kind(agents::DisruptionKind::kDepotDocks)) ==
          "depot_docks");
    std::filesystem::remove(path);
}

TEST_CASE("replay's strip: a cloud outage with its scenario label, start and end") {
    const auto path = test::temp_path("cloud_outage.h5");
    // the scenario's day starts at 10 h; the cloud link is down from 10:10 to 10:30
    test::write_small_trace(path, {"demand.start_hour=10"},
                            "[[disruptions]]\nid = \"outage\"\nkind = \"cloud_down\"\n"
                            "label = \"Cloud outage\"\nat_s = 600.0\nduration_s = 1200.0\n");
    ReplaySource r(path.string());
    REQUIRE(r.start_hour().has_value());
    CHECK(*r.start_hour() == 10.0);
    REQUIRE(r.disruptions().size() == 1);
    Snapshot s;
    r.fill(1000.0, s);
    CHECK_FALSE(s.cloud_link_up);
    REQUIRE(s.active.size() == 1);
    CHECK(strip_text(s.active[0], SimClock{r.start_hour()}) ==
          "Cloud outage - cloud link down 10:10-10:30 (cloud link back)");
    r.fill(500.0, s);
    CHECK(s.active.empty());
    r.fill(1900.0, s);
    CHECK(s.active.empty());
    CHECK(s.cloud_link_up);
    std::filesystem::remove(path);
}

TEST_CASE("replay offers the trace's extra per-agent value arrays") {
    const auto path = test::temp_path("extra.h5");
    test::write_small_trace(path);
    std::size_t samples = 0;
    {
        const io::TraceReader r(path.string());
        samples = r.samples();
        CHECK(r.agent_values().empty());
    }
    // a model's per-agent output as a later writer would add it: [T][N] float
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t g = H5Gcreate2(f, "particles/agents/risk", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const std::array<hsize_t, 2> dims = {samples, 40};
    const hid_t space = H5Screate_simple(2, dims.data(), nullptr);
    const hid_t d =
        H5Dcreate2(g, "value", H5T_NATIVE_FLOAT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    std::vector<float> v(samples * 40);
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i] = static_cast<float>(i);  // row k, agent a: 40k + a
    }
    H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Dclose(d);
    H5Sclose(space);
    H5Gclose(g);
    H5Fclose(f);

    ReplaySource r(path.string());
    CHECK(r.reader().agent_values() == std::vector<std::string>{"risk"});
    Snapshot s;
    r.fill(630.0, s);  // frames 9 (600 s) and 10: values of frame 9
    REQUIRE(s.extra.size() == 1);
    CHECK(s.extra[0].name == "risk");
    REQUIRE(s.extra[0].values.size() == 40);
    CHECK(s.extra[0].values[7] == 9.0F * 40.0F + 7.0F);
    CHECK_THROWS_AS((void)r.reader().agent_value("nope", 0), io::TraceError);
    std::filesystem::remove(path);
}

TEST_CASE("replay draws the model transfers of a learning run as gossip lines") {
    const auto path = test::temp_path("replay_learning.h5");
    test::write_small_trace(path, {"learning.mode=gossip", "learning.wear.enabled=true",
                                   "learning.congestion.enabled=true", "learning.round_s=30"});
    ReplaySource r(path.string());
    Snapshot s;
    r.fill(600.0, s);
    REQUIRE(!s.gossip.empty());
    for (const AgentLink& l : s.gossip) {
        CHECK(l.a < s.agents());
        CHECK(l.b < s.agents());
        CHECK(l.a != l.b);
    }
    // the learning values are colour-by choices
    REQUIRE(s.extra.size() == agents::FleetLearning::kValues);
    CHECK(std::any_of(s.extra.begin(), s.extra.end(),
                      [](const ValueArray& v) { return v.name == "predicted_risk"; }));
    std::filesystem::remove(path);
}

TEST_CASE("replay of a missing or foreign file is a trace error naming it") {
    CHECK_THROWS_WITH_AS(ReplaySource("/nonexistent/x.h5"), doctest::Contains("/nonexistent/x.h5"),
                         io::TraceError);
    const auto path = test::temp_path("foreign.h5");
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("not hdf5", f);
    std::fclose(f);
    CHECK_THROWS_AS(ReplaySource(path.string()), io::TraceError);
    std::filesystem::remove(path);
}

namespace {

// writes one row of a 1-D float64 data set
void write_double(const std::filesystem::path& file, const char* name, hsize_t row, double v) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    const hid_t fs = H5Dget_space(d);
    const hsize_t one = 1;
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &row, nullptr, &one, nullptr);
    const hid_t ms = H5Screate_simple(1, &one, nullptr);
    REQUIRE(H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &v) >= 0);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    H5Fclose(f);
}

}  // namespace

TEST_CASE("replay refuses a damaged trace with a format error instead of crashing") {
    const auto path = test::temp_path("damaged.h5");
    // schema 3.0's dense states (3.1's legs rows carry them): a 3.0 trace is still replayed
    test::write_small_trace(path, {}, {}, true);
    // issue 21's crash: state rows wider than the agents (read whole into a buffer of 40)
    {
        const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        REQUIRE(f >= 0);
        REQUIRE(H5Ldelete(f, "particles/agents/state/value", H5P_DEFAULT) >= 0);
        const std::array<hsize_t, 2> dims = {39, 4000};
        const hid_t space = H5Screate_simple(2, dims.data(), nullptr);
        const hid_t d = H5Dcreate2(f, "particles/agents/state/value", H5T_NATIVE_INT8, space,
                                   H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const std::vector<std::int8_t> zeros(39 * 4000, 0);
        H5Dwrite(d, H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data());
        H5Dclose(d);
        H5Sclose(space);
        H5Fclose(f);
    }
    CHECK_THROWS_WITH_AS(ReplaySource(path.string()),
                         doctest::Contains("particles/agents/state/value: expected [T][40]"),
                         io::TraceFormatError);

    // a time that is not a number: the timeline cannot be ordered
    test::write_small_trace(path);
    write_double(path, "observables/created/time", 5, std::nan(""));
    CHECK_THROWS_WITH_AS(ReplaySource(path.string()),
                         doctest::Contains("the time of sample 5 is not a finite number"),
                         io::TraceFormatError);

    // a damaged chunk: the replay opens (the metadata is intact) and the frame is an error
    test::write_small_trace(path, {}, {}, true);
    haddr_t addr = 0;
    hsize_t size = 0;
    {
        const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        const hid_t d = H5Dopen2(f, "particles/agents/state/value", H5P_DEFAULT);
        const hid_t space = H5Dget_space(d);
        std::array<hsize_t, 2> offset{};
        unsigned mask = 0;
        REQUIRE(H5Dget_chunk_info(d, space, 0, offset.data(), &mask, &addr, &size) >= 0);
        H5Sclose(space);
        H5Dclose(d);
        H5Fclose(f);
    }
    {
        std::FILE* f = std::fopen(path.c_str(), "r+b");
        REQUIRE(f != nullptr);
        for (hsize_t i = size / 4; i < size / 2; i += 7) {
            std::fseek(f, static_cast<long>(addr + i), SEEK_SET);
            std::fputc(0xA5, f);
        }
        std::fclose(f);
    }
    ReplaySource r(path.string());
    Snapshot s;
    CHECK_THROWS_WITH_AS(r.fill(600.0, s),
                         doctest::Contains("particles/agents/state/value: cannot read row"),
                         io::TraceFormatError);
    std::filesystem::remove(path);
}
