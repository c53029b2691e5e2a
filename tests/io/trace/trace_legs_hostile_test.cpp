// The legs table of a trace forged (schema 3.0, 3.1 and 3.2: rows, columns, points): each
// refused with a TraceFormatError naming the data set, the row or column and what is wrong;
// never a read past a buffer (ASan in CI), never a hang (ctest TIMEOUT). Tests
// io/trace/trace_legs.*.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/trace/trace_reader.hpp"
#include "io/trace/trace_writer.hpp"
#include "tests/io/trace/trace_hostile_util.hpp"

using namespace swarm_hostile;  // NOLINT: the tests' shared helpers
namespace {

using swarm::io::TraceLegRow;

// TraceLegRow as HDF5 sees it in memory, optionally without one column or with another type
// for it: schema 3.1's columns, or (dense_rows) 3.0's
hid_t leg_type(const char* without = "", bool dense_rows = false, hid_t retype = -1) {
    const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(TraceLegRow));
    const auto add = [&](const char* name, std::size_t at, hid_t type) {
        if (std::string(name) != without) {
            H5Tinsert(t, name, at, type);
        } else if (retype >= 0) {
            H5Tinsert(t, name, at, retype);
        }
    };
    if (dense_rows) {
        add("frame", offsetof(TraceLegRow, frame), H5T_NATIVE_UINT32);
    }
    add("agent", offsetof(TraceLegRow, agent), H5T_NATIVE_UINT32);
    add("moving", offsetof(TraceLegRow, moving), H5T_NATIVE_UINT8);
    if (!dense_rows) {
        add("state", offsetof(TraceLegRow, state), H5T_NATIVE_INT8);
        add("load", offsetof(TraceLegRow, load), H5T_NATIVE_FLOAT);
        add("energy", offsetof(TraceLegRow, energy), H5T_NATIVE_FLOAT);
    }
    add("from_x", offsetof(TraceLegRow, from_x), H5T_NATIVE_DOUBLE);
    add("from_y", offsetof(TraceLegRow, from_y), H5T_NATIVE_DOUBLE);
    add("to_x", offsetof(TraceLegRow, to_x), H5T_NATIVE_DOUBLE);
    add("to_y", offsetof(TraceLegRow, to_y), H5T_NATIVE_DOUBLE);
    add("start", offsetof(TraceLegRow, start), H5T_NATIVE_INT64);
    add("end", offsetof(TraceLegRow, end), H5T_NATIVE_INT64);
    return t;
}

constexpr const char* kLegsPath = "particles/agents/position/legs";
constexpr const char* kCountsPath = "particles/agents/position/legs_per_frame";

std::vector<TraceLegRow> read_legs(hid_t f, bool dense_rows = false) {
    const hid_t d = H5Dopen2(f, kLegsPath, H5P_DEFAULT);
    const hid_t space = H5Dget_space(d);
    std::vector<TraceLegRow> rows(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
    const hid_t t = leg_type("", dense_rows);
    REQUIRE(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) >= 0);
    H5Tclose(t);
    H5Sclose(space);
    H5Dclose(d);
    return rows;
}

// the legs table replaced by `rows` (contiguous, of `type`), with its keyframe interval
void write_legs(hid_t f, const std::vector<TraceLegRow>& rows, std::int64_t keyframe = 256,
                const char* without = "", bool dense_rows = false, hid_t retype = -1) {
    REQUIRE(H5Ldelete(f, kLegsPath, H5P_DEFAULT) >= 0);
    const hsize_t n = rows.size();
    const hid_t t = leg_type(without, dense_rows, retype);
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t d = H5Dcreate2(f, kLegsPath, t, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(d >= 0);
    REQUIRE(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) >= 0);
    set_i64_attr(d, "keyframe_interval", keyframe);
    H5Dclose(d);
    H5Sclose(space);
    H5Tclose(t);
}

void write_counts(hid_t f, const std::vector<std::int64_t>& counts) {
    REQUIRE(H5Ldelete(f, kCountsPath, H5P_DEFAULT) >= 0);
    const hsize_t n = counts.size();
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t d =
        H5Dcreate2(f, kCountsPath, H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(d >= 0);
    REQUIRE(H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, counts.data()) >= 0);
    H5Dclose(d);
    H5Sclose(space);
}

// the refusal of the clean trace (schema 3.1, or 3.0 with dense_rows: rows with coordinates)
// with its legs changed by `change`
template <class F>
std::string legs_refusal(const std::string& path, F&& change, bool dense_rows = false) {
    write_trace(path, dense_rows, true);
    edit(path, [&](hid_t f) {
        std::vector<TraceLegRow> rows = read_legs(f, dense_rows);
        REQUIRE(rows.size() == kFrames * kAgents);  // every agent moves at every frame
        change(f, rows);
    });
    return refusal(path);
}

}  // namespace

// schema 3's positions: every row of the legs table is checked against its frame, the agents
// and the ranges the arithmetic needs, the counts against the rows
TEST_CASE("a forged legs table is refused with the row and what is wrong named") {
    const std::string path = temp_path("legs");
    // the clean file reads; then one forgery at a time
    write_trace(path);
    CHECK(refusal(path).empty());
    CHECK(legs_refusal(path,
                       [](hid_t f, std::vector<TraceLegRow>& rows) {
                           rows[5].agent = 9;
                           write_legs(f, rows);
                       })
              .find("particles/agents/position/legs row 5: agent 9 (the trace has 4)") !=
          std::string::npos);
    // schema 3.0's frame column against legs_per_frame
    CHECK(legs_refusal(
              path,
              [](hid_t f, std::vector<TraceLegRow>& rows) {
                  rows[6].frame = 3;
                  write_legs(f, rows, 256, "", true);
              },
              true)
              .find("legs row 6: frame 3, but particles/agents/position/legs_per_frame puts it in "
                    "frame 1") != std::string::npos);
    CHECK(legs_refusal(path, [](hid_t f, std::vector<TraceLegRow>& rows) {
              rows[1].agent = 0;
              write_legs(f, rows);
          }).find("legs: keyframe 0 has no row for agent 1") != std::string::npos);
    CHECK(legs_refusal(path, [](hid_t f, std::vector<TraceLegRow>& rows) {
              rows[7].moving = 1;
              rows[7].start = std::int64_t{-1} << 62U;
              rows[7].end = 5;
              write_legs(f, rows);
          }).find("legs row 7: leg ticks") != std::string::npos);
    CHECK(legs_refusal(path, [](hid_t f, std::vector<TraceLegRow>& rows) {
              rows[8].to_y = 1e300;
              write_legs(f, rows);
          }).find("legs row 8: a coordinate beyond 1e30 m") != std::string::npos);
    CHECK(legs_refusal(path, [](hid_t f, std::vector<TraceLegRow>& rows) {
              write_legs(f, rows, 0);
          }).find("legs@keyframe_interval = 0 (must be >= 1)") != std::string::npos);
    CHECK(legs_refusal(path, [](hid_t f, std::vector<TraceLegRow>& rows) {
              write_legs(f, rows, 256, "agent");
          }).find("legs: no integer column 'agent'") != std::string::npos);
    CHECK(legs_refusal(path, [](hid_t f, std::vector<TraceLegRow>& /*rows*/) {
              std::vector<std::int64_t> counts(kFrames, kAgents);
              counts[2] = -1;
              write_counts(f, counts);
          }).find("legs_per_frame: row 2 is -1 (a count must be >= 0)") != std::string::npos);
    // more rows claimed than the table holds: a complete file is refused, a partial one
    // reads the frames whose rows are whole
    CHECK(legs_refusal(path,
                       [](hid_t f, std::vector<TraceLegRow>& /*rows*/) {
                           std::vector<std::int64_t> counts(kFrames, kAgents);
                           counts[30] = std::int64_t{1} << 62U;
                           write_counts(f, counts);
                       })
              .find("legs: 160 rows, but particles/agents/position/legs_per_frame counts more "
                    "than 160") != std::string::npos);
    write_trace(path);
    edit(path, [](hid_t f) {
        std::vector<std::int64_t> counts(kFrames, kAgents);
        counts[30] = std::int64_t{1} << 62U;
        write_counts(f, counts);
        H5Adelete(f, "complete");
    });
    {
        const TraceReader r(path, /*allow_partial=*/true);
        CHECK(r.samples() == 30);
        CHECK(r.frame(29).position[0] == 290.0);
    }
    std::filesystem::remove(path);
}

// schema 3.1's rows carry the states, loads and energies: their columns are checked by name
// and type, every row against the agents; a file without an agent count is named
TEST_CASE("a forged schema 3.1 legs table is refused with the column or row named") {
    const std::string path = temp_path("legs31");
    write_trace(path, false, true);
    CHECK(refusal(path).empty());
    {
        const TraceReader r(path);
        CHECK(r.schema_version() == swarm::io::kTraceCoordinateRowsVersion);
        const swarm::io::TraceFrameData fr = r.frame(33);
        for (std::uint32_t a = 0; a < kAgents; ++a) {
            CHECK(fr.state.at(a) == static_cast<std::int8_t>((33 + a) % 9));
            CHECK(fr.load.at(a) == static_cast<float>(a));
            CHECK(fr.energy.at(a) == 67.0F);
        }
    }
    CHECK(
        legs_refusal(path, [](hid_t f, std::vector<TraceLegRow>& rows) {
            write_legs(f, rows, 256, "state", false, H5T_NATIVE_FLOAT);
        }).find("particles/agents/position/legs: no integer column 'state'") != std::string::npos);
    CHECK(legs_refusal(path, [](hid_t f, std::vector<TraceLegRow>& rows) {
              write_legs(f, rows, 256, "load");
          }).find("legs: no floating-point column 'load'") != std::string::npos);
    CHECK(legs_refusal(path, [](hid_t f, std::vector<TraceLegRow>& rows) {
              write_legs(f, rows, 256, "energy", false, H5T_NATIVE_INT32);
          }).find("legs: no floating-point column 'energy'") != std::string::npos);
    CHECK(legs_refusal(path,
                       [](hid_t f, std::vector<TraceLegRow>& rows) {
                           rows[37].agent = 1U << 31U;
                           write_legs(f, rows);
                       })
              .find("particles/agents/position/legs row 37: agent 2147483648 (the trace has 4)") !=
          std::string::npos);
    CHECK(legs_refusal(path, [](hid_t f, std::vector<TraceLegRow>& rows) {
              rows[3].agent = 2;
              write_legs(f, rows);
          }).find("legs: keyframe 0 has no row for agent 3") != std::string::npos);
    // 3.0's rows in a file that says 3.1: no state column
    CHECK(legs_refusal(path, [](hid_t f, std::vector<TraceLegRow>& rows) {
              write_legs(f, rows, 256, "", true);
          }).find("legs: no integer column 'state'") != std::string::npos);
    // no dense rows to count the agents by: parameters@agents or particles/agents/id
    write_trace(path);
    edit(path, [](hid_t f) {
        const hid_t p = H5Gopen2(f, "parameters", H5P_DEFAULT);
        H5Adelete(p, "agents");
        H5Gclose(p);
    });
    CHECK(refusal(path).empty());
    CHECK(TraceReader(path).agents() == kAgents);
    edit(path, [](hid_t f) { H5Ldelete(f, "particles/agents/id", H5P_DEFAULT); });
    CHECK(refusal(path).find("parameters@agents: missing, and no particles/agents/id to count "
                             "the agents") != std::string::npos);
    std::filesystem::remove(path);
}

namespace {

using swarm::io::TracePointLegRow;
constexpr const char* kPointsPath = "particles/agents/position/points";

// TracePointLegRow as HDF5 sees it in memory (schema 3.2)
hid_t point_leg_type() {
    const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(TracePointLegRow));
    H5Tinsert(t, "agent", offsetof(TracePointLegRow, agent), H5T_NATIVE_UINT32);
    H5Tinsert(t, "moving", offsetof(TracePointLegRow, moving), H5T_NATIVE_UINT8);
    H5Tinsert(t, "state", offsetof(TracePointLegRow, state), H5T_NATIVE_INT8);
    H5Tinsert(t, "load", offsetof(TracePointLegRow, load), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "energy", offsetof(TracePointLegRow, energy), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "from", offsetof(TracePointLegRow, from), H5T_NATIVE_UINT32);
    H5Tinsert(t, "to", offsetof(TracePointLegRow, to), H5T_NATIVE_UINT32);
    H5Tinsert(t, "start", offsetof(TracePointLegRow, start), H5T_NATIVE_INT64);
    H5Tinsert(t, "end", offsetof(TracePointLegRow, end), H5T_NATIVE_INT64);
    return t;
}

// the 3.2 legs rows read, changed by `change` and written back in place
template <class F>
void change_point_legs(hid_t f, F&& change) {
    const hid_t d = H5Dopen2(f, kLegsPath, H5P_DEFAULT);
    const hid_t space = H5Dget_space(d);
    std::vector<TracePointLegRow> rows(
        static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
    const hid_t t = point_leg_type();
    REQUIRE(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) >= 0);
    change(rows);
    REQUIRE(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) >= 0);
    H5Tclose(t);
    H5Sclose(space);
    H5Dclose(d);
}

// the points table replaced by `values` (n rows of `type`, `rank` 1 or 2)
void write_points(hid_t f, hid_t type, const void* values, hsize_t n, int rank = 1) {
    REQUIRE(H5Ldelete(f, kPointsPath, H5P_DEFAULT) >= 0);
    const std::array<hsize_t, 2> dims = {n, 2};
    const hid_t space = H5Screate_simple(rank, dims.data(), nullptr);
    const hid_t d = H5Dcreate2(f, kPointsPath, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(d >= 0);
    if (n > 0) {
        REQUIRE(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0);
    }
    H5Dclose(d);
    H5Sclose(space);
}

hid_t xy_type(hid_t y_type = H5T_NATIVE_DOUBLE) {
    const hid_t t = H5Tcreate(H5T_COMPOUND, 16);
    H5Tinsert(t, "x", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "y", 8, y_type);
    return t;
}

// the refusal of the clean 3.2 trace changed by `change` (complete: false: marked partial)
template <class F>
std::string points_refusal(const std::string& path, F&& change, bool complete = true) {
    write_trace(path);
    edit(path, [&](hid_t f) {
        change(f);
        if (!complete) {
            H5Adelete(f, "complete");
        }
    });
    return refusal(path);
}

}  // namespace

// schema 3.2's rows name their points: a point beyond the table, a table of the wrong type or
// shape, a point beyond 1e30 m, a partial file whose rows name points it does not hold (a
// writer flushes the points before the rows that name them) are each refused with the data
// set named
TEST_CASE("a forged schema 3.2 points table or point index is refused with the data set named") {
    const std::string path = temp_path("points32");
    write_trace(path);
    CHECK(refusal(path).empty());
    hsize_t points = 0;
    {
        const TraceReader r(path);
        CHECK(r.schema_version() == swarm::io::kTracePointRowsVersion);
        CHECK(r.frame(33).position.at(2) == 331.0);  // agent 1 at (33 * 10 + 1, 100)
    }
    edit(path, [&](hid_t f) {
        const hid_t d = H5Dopen2(f, kPointsPath, H5P_DEFAULT);
        const hid_t space = H5Dget_space(d);
        points = static_cast<hsize_t>(H5Sget_simple_extent_npoints(space));
        H5Sclose(space);
        H5Dclose(d);
    });
    CHECK(points == kFrames * kAgents);  // a new position for every row
    CHECK(points_refusal(path,
                         [](hid_t f) {
                             change_point_legs(
                                 f, [](std::vector<TracePointLegRow>& rows) { rows[9].to = 160; });
                         })
              .find("particles/agents/position/legs row 9: point 160, but "
                    "particles/agents/position/points holds 160") != std::string::npos);
    CHECK(points_refusal(path, [](hid_t f) {
              change_point_legs(
                  f, [](std::vector<TracePointLegRow>& rows) { rows[150].from = 0xFFFFFFFFU; });
          }).find("legs row 150: point 4294967295") != std::string::npos);
    CHECK(points_refusal(path, [](hid_t f) {
              H5Ldelete(f, kPointsPath, H5P_DEFAULT);
          }).find("missing data set particles/agents/position/points") != std::string::npos);
    // the wrong type or shape: [P][2] float64, a y of integers, no y
    {
        const std::vector<double> xy(2 * points, 1.0);
        CHECK(points_refusal(path, [&](hid_t f) {
                  write_points(f, H5T_NATIVE_DOUBLE, xy.data(), points, 2);
              }).find("particles/agents/position/points") != std::string::npos);
        CHECK(points_refusal(path, [&](hid_t f) {
                  write_points(f, H5T_NATIVE_DOUBLE, xy.data(), points);
              }).find("particles/agents/position/points") != std::string::npos);
        const hid_t ints = xy_type(H5T_NATIVE_INT64);
        CHECK(points_refusal(path, [&](hid_t f) { write_points(f, ints, xy.data(), points); })
                  .find("particles/agents/position/points: no floating-point column 'y'") !=
              std::string::npos);
        H5Tclose(ints);
        const hid_t x_only = H5Tcreate(H5T_COMPOUND, 16);
        H5Tinsert(x_only, "x", 0, H5T_NATIVE_DOUBLE);
        CHECK(points_refusal(path, [&](hid_t f) { write_points(f, x_only, xy.data(), points); })
                  .find("particles/agents/position/points: no floating-point column 'y'") !=
              std::string::npos);
        H5Tclose(x_only);
        std::vector<double> far = xy;
        far[2 * 7 + 1] = 1e300;
        const hid_t t = xy_type();
        CHECK(points_refusal(path, [&](hid_t f) { write_points(f, t, far.data(), points); })
                  .find("particles/agents/position/points row 7: a coordinate beyond 1e30 m") !=
              std::string::npos);
        // a partial file whose rows name points it does not hold: refused, naming both
        CHECK(points_refusal(
                  path, [&](hid_t f) { write_points(f, t, xy.data(), points - 4); }, false)
                  .find("particles/agents/position/legs row 156: point 156, but "
                        "particles/agents/position/points holds 156") != std::string::npos);
        H5Tclose(t);
    }
    std::filesystem::remove(path);
}
