// The /events kinds of a trace come from the kinds table (agents/fleet/disruption_kinds.hpp):
// every disruption kind has its code, name and entry in the table the trace records; a traced
// run of every kind writes its rows and that table; a file without the table (as schema 1.5
// wrote them) is read with this build's kinds of the same names; 1.x files are refused.
#include "io/trace/trace_format.hpp"

#include <doctest/doctest.h>
#include <hdf5.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "io/trace/hdf5_util.hpp"
#include "io/trace/trace_reader.hpp"
#include "tests/io/trace/trace_test_util.hpp"

using namespace swarm;

TEST_CASE("trace event kinds: one code per disruption kind, from the kinds table") {
    const std::vector<io::TraceKindInfo>& kinds = io::trace_event_kinds();
    REQUIRE(kinds.size() == io::kTraceEventKindCount);
    for (std::size_t i = 0; i < io::kTraceOrderKindCount; ++i) {
        CHECK(kinds[i].role.empty());
        CHECK(kinds[i].disruption.empty());
        CHECK(kinds[i].pair == -1);
    }
    for (std::size_t i = 0; i < agents::kDisruptionKindCount; ++i) {
        const agents::DisruptionKindInfo& k = agents::kDisruptionKinds[i];
        CAPTURE(k.name);
        const std::int16_t code = io::trace_event_kind(k.kind);
        REQUIRE(code >= 0);
        REQUIRE(static_cast<std::size_t>(code) < kinds.size());
        const io::TraceKindInfo& t = kinds[static_cast<std::size_t>(code)];
        CHECK(t.name == k.event);
        CHECK(t.label == k.label);
        CHECK(t.disruption == k.name);
        CHECK(t.role == agents::to_string(k.role));
        CHECK(t.target == agents::to_string(k.target));
        CHECK(t.pair == io::trace_event_kind(k.pair));
        CHECK(t.value == k.value);
    }
    // the codes files of schema 1.2 to 1.5 were written with: they never change (new kinds
    // get new codes at the end)
    constexpr std::array<const char*, 23> kBefore16 = {
        "order_created",  "order_assigned",   "picked_up",      "delivered",
        "failed",         "vehicle_state",    "road_closed",    "road_reopened",
        "road_slowed",    "depot_down",       "depot_up",       "depot_stock",
        "vehicle_broken", "vehicle_repaired", "radio_blackout", "radio_restored",
        "loss_spike",     "loss_end",         "cloud_down",     "cloud_up",
        "demand_surge",   "demand_surge_end", "depot_docks"};
    for (std::size_t i = 0; i < kBefore16.size(); ++i) {
        CHECK(kinds.at(i).name == kBefore16[i]);
    }
}

TEST_CASE("a traced run writes a row of every disruption kind and the kinds table") {
    const std::string path = io::testing::temp_path("every_kind");
    io::testing::TracedRun run([](agents::FleetSpec& spec) {
        spec.disruptions = agents::testing::every_disruption_kind(*spec.network, 60.0, 60.0);
        // the scenario's own labels, which the trace records by disruption (schema 1.8)
        for (std::size_t i = 0; i < spec.disruptions.size(); ++i) {
            spec.disruptions[i].action.label = "planner label " + std::to_string(i);
        }
    });
    run.write(path, 0.5);
    const io::TraceReader r(path);
    CHECK(r.schema_version() == io::kTraceSchemaVersion);
    CHECK(r.event_kinds() == io::trace_event_kinds());
    const std::vector<std::string> labels = r.disruption_labels();
    REQUIRE(labels.size() >= agents::kDisruptionKindCount);
    for (std::size_t i = 0; i < agents::kDisruptionKindCount; ++i) {
        CHECK(labels[i] == "planner label " + std::to_string(i));
    }
    const std::vector<io::TraceEvent> events = r.events();
    for (std::size_t i = 0; i < agents::kDisruptionKindCount; ++i) {
        const agents::DisruptionKindInfo& k = agents::kDisruptionKinds[i];
        CAPTURE(k.name);
        const std::int16_t code = io::trace_event_kind(k.kind);
        const auto row = std::find_if(events.begin(), events.end(),
                                      [&](const io::TraceEvent& e) { return e.kind == code; });
        REQUIRE(row != events.end());
        CHECK(row->time == doctest::Approx(60.0 * static_cast<double>(i + 1)));
        CHECK(row->order == i);  // the disruption's index in the run
        // roads by their edge, depots and vehicles in the agent column
        const bool roads = k.target == agents::DisruptionTarget::kRoads;
        const bool agent = k.target == agents::DisruptionTarget::kDepot ||
                           k.target == agents::DisruptionTarget::kVehicles;
        CHECK((row->edge != io::kTraceNoId) == roads);
        CHECK((row->agent != io::kTraceNoId) == agent);
    }
    std::filesystem::remove(path);
}

TEST_CASE("a trace without the kinds table is read with this build's kinds of the same names") {
    const std::string path = io::testing::temp_path("old_kinds");
    io::testing::TracedRun run([](agents::FleetSpec& spec) {
        spec.disruptions = agents::testing::every_disruption_kind(*spec.network, 60.0, 60.0);
    });
    run.write(path, 0.1);
    {
        // as a 1.5 writer left it: no table beyond the names; one name this build does not know
        const std::lock_guard lock(io::h5::hdf5_mutex());
        const io::h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
        REQUIRE(f.valid());
        const io::h5::Handle ev(H5Dopen2(f, "events", H5P_DEFAULT));
        for (const char* a : {"kind_labels", "kind_disruptions", "kind_roles", "kind_targets",
                              "kind_pairs", "kind_values"}) {
            REQUIRE(H5Adelete(ev, a) >= 0);
        }
        std::vector<std::string> names = io::h5::read_attr_strings(ev, "kinds");
        names.at(6) = "bridge_fell";
        io::h5::attr_strings(ev, "kinds", names);
    }
    const io::TraceReader r(path);
    const std::vector<io::TraceKindInfo> kinds = r.event_kinds();
    const std::vector<io::TraceKindInfo>& own = io::trace_event_kinds();
    REQUIRE(kinds.size() == own.size());
    CHECK(kinds[6].name == "bridge_fell");
    CHECK(kinds[6].role.empty());  // unknown here: no meaning
    CHECK(kinds[7].pair == -1);    // road_reopened: its pair's name is not in the file
    for (std::size_t i = 0; i < own.size(); ++i) {
        if (i != 6 && i != 7) {
            CHECK(kinds[i] == own[i]);
        }
    }
    std::filesystem::remove(path);
}

TEST_CASE("a trace of schema 1.x is refused: its strings are in HDF5's global heap") {
    const std::string path = io::testing::temp_path("schema_1");
    io::testing::TracedRun run;
    run.write(path, 0.1);
    {
        const std::lock_guard lock(io::h5::hdf5_mutex());
        const io::h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
        REQUIRE(f.valid());
        const io::h5::Handle m(H5Gopen2(f, "h5md/modules/swarmsim_trace", H5P_DEFAULT));
        io::h5::attr_ints(m, "version", {1, 8});
    }
    CHECK_THROWS_WITH_AS((void)io::TraceReader{path},
                         doctest::Contains("unsupported trace schema version 1.8 (this build "
                                           "reads 2.x to 3.x; a trace is reproducible: run its "
                                           "scenario again"),
                         io::TraceFormatError);
    std::filesystem::remove(path);
}

// schema 3's legs table against schema 2's dense positions: the same run rewritten as a 2.1
// writer left it (position/value [T][N][2] float32 from the model's positions at each frame,
// no legs) reads back the same frames, bit for bit
TEST_CASE("a trace of schema 2.x (dense positions) is still read, the same as schema 3's") {
    const std::string path = io::testing::temp_path("schema_2");
    io::testing::TracedRun run;
    io::TraceOptions o;  // schema 3.0: the dense states, loads and energies of 2.x
    o.dense_rows = true;
    run.write(path, 1.0, o);
    const std::vector<std::vector<double>>& seen = run.recorder->positions;
    std::vector<io::TraceFrameData> legs;
    {
        const io::TraceReader r(path);
        REQUIRE(r.schema_version() == io::kTraceDenseRowsVersion);
        REQUIRE(r.samples() == seen.size());
        for (std::size_t k = 0; k < r.samples(); ++k) {
            legs.push_back(r.frame(k));
            CHECK(legs.back().position == seen[k]);
        }
    }
    {
        const std::lock_guard lock(io::h5::hdf5_mutex());
        const io::h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
        REQUIRE(f.valid());
        const io::h5::Handle m(H5Gopen2(f, "h5md/modules/swarmsim_trace", H5P_DEFAULT));
        io::h5::attr_ints(m, "version", {2, 1});
        REQUIRE(H5Ldelete(f, "particles/agents/position/legs", H5P_DEFAULT) >= 0);
        REQUIRE(H5Ldelete(f, "particles/agents/position/legs_per_frame", H5P_DEFAULT) >= 0);
        const std::array<hsize_t, 3> dims = {seen.size(), seen.at(0).size() / 2, 2};
        const io::h5::Handle space(H5Screate_simple(3, dims.data(), nullptr));
        const io::h5::Handle d(H5Dcreate2(f, "particles/agents/position/value", H5T_IEEE_F32LE,
                                          space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        REQUIRE(d.valid());
        std::vector<float> dense;
        for (const std::vector<double>& frame : seen) {
            for (const double x : frame) {
                dense.push_back(static_cast<float>(x));
            }
        }
        REQUIRE(H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, dense.data()) >= 0);
    }
    const io::TraceReader r(path);
    CHECK(r.schema_version() == std::array<int, 2>{2, 1});
    REQUIRE(r.samples() == legs.size());
    for (std::size_t k = 0; k < r.samples(); ++k) {
        const io::TraceFrameData f = r.frame(k);
        CHECK(f.position == legs[k].position);
        CHECK(f.state == legs[k].state);
        CHECK(f.step == legs[k].step);
    }
    std::filesystem::remove(path);
}

// a run's schema 3.3 legs rows that name network nodes, 3.1's with coordinates and 3.0's with
// dense states, loads and energies (both from frames of positions): the same run written the
// three ways (TraceOptions::dense_rows, coordinate_rows) reads back the same frames, bit for
// bit, and the model's values and positions at every frame
TEST_CASE("traces of schema 3.0 (dense states) and 3.1 (coordinates) read the same as 3.3's") {
    const std::string path33 = io::testing::temp_path("schema_33");
    const std::string path31 = io::testing::temp_path("schema_31");
    const std::string path30 = io::testing::temp_path("schema_30");
    io::testing::TracedRun run33;
    io::TraceOptions rows;
    // a short keyframe interval: frames rebuilt from a keyframe and from the frame before
    rows.keyframe_frames = 16;
    run33.write(path33, 1.0, rows);
    io::testing::TracedRun run31;
    io::TraceOptions coordinates = rows;
    coordinates.coordinate_rows = true;
    run31.write(path31, 1.0, coordinates);
    io::testing::TracedRun run30;
    io::TraceOptions dense;
    dense.dense_rows = true;
    run30.write(path30, 1.0, dense);
    const io::TraceReader r33(path33);
    const io::TraceReader r31(path31);
    const io::TraceReader r30(path30);
    CHECK(r33.schema_version() == io::kTraceSchemaVersion);  // 3.4: 3.3's rows
    CHECK(r31.schema_version() == std::array<int, 2>{3, 1});
    CHECK(r30.schema_version() == std::array<int, 2>{3, 0});
    const io::testing::RecordingObserver& seen = *run33.recorder;
    REQUIRE(r33.samples() == seen.states.size());
    REQUIRE(r31.samples() == r33.samples());
    REQUIRE(r30.samples() == r33.samples());
    const auto same_bits = [](const std::vector<float>& a, const std::vector<float>& b) {
        return a.size() == b.size() &&
               std::equal(a.begin(), a.end(), b.begin(), [](float x, float y) {
                   return std::bit_cast<std::uint32_t>(x) == std::bit_cast<std::uint32_t>(y);
               });
    };
    std::size_t changed = 0;
    // forwards, then backwards (each frame from its keyframe)
    for (const bool back : {false, true}) {
        for (std::size_t i = 0; i < r33.samples(); ++i) {
            const std::size_t k = back ? r33.samples() - 1 - i : i;
            const io::TraceFrameData a = r33.frame(k);
            for (const io::TraceReader* other : {&r31, &r30}) {
                const io::TraceFrameData b = other->frame(k);
                CHECK(a.step == b.step);
                CHECK(a.time == b.time);
                CHECK(a.position == b.position);
                CHECK(a.state == b.state);
                CHECK(same_bits(a.load, b.load));
                CHECK(same_bits(a.energy, b.energy));
            }
            CHECK(a.position == seen.positions[k]);
            CHECK(a.state == seen.states[k]);
            CHECK(same_bits(a.load, seen.loads[k]));
            CHECK(same_bits(a.energy, seen.energies[k]));
            changed += k > 0 && a.state != seen.states[k - 1] ? 1U : 0U;
        }
    }
    CHECK(changed > 0);  // the states do change between frames
    std::filesystem::remove(path33);
    std::filesystem::remove(path31);
    std::filesystem::remove(path30);
}
