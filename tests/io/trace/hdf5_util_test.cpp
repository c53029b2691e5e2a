// The writer's pre-filtered chunks read back through HDF5's own pipeline (H5Dread: deflate,
// then shuffle, as h5py or any reader does): per-agent rows streamed by the row codec
// (ChunkRows) with rows that all change, none change, a partial last chunk and an agent count
// that is not a multiple of the chunk's block; series of compound records whose chunks, the
// open one at each commit too, are written with H5Dwrite_chunk (Appendable), read after every
// commit (as a reader of a flushed file does) and after a cut back to the middle of a chunk;
// series with the same bytes, whose chunks' encodings the writer shares.
#include "io/trace/hdf5_util.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "io/trace/trace_format.hpp"
#include "tests/io/trace/trace_test_util.hpp"

namespace {

using namespace swarm::io;
using swarm::io::h5::check;
using swarm::io::h5::Handle;

struct Noise {
    std::uint32_t x = 987654321;
    std::uint32_t operator()() {
        x = x * 1664525U + 1013904223U;
        return x;
    }
};

// the dataset holds exactly the first n of `events`
void check_events(hid_t dset, const std::vector<swarm::io::TraceEvent>& events, std::size_t n) {
    const Handle space(check(H5Dget_space(dset), "H5Dget_space"));
    hsize_t rows = 0;
    H5Sget_simple_extent_dims(space.get(), &rows, nullptr);
    REQUIRE(rows == n);
    const Handle mem_type = h5::event_type(false);
    std::vector<TraceEvent> back(n);
    REQUIRE(H5Dread(dset, mem_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()) >= 0);
    for (std::size_t i = 0; i < n; ++i) {
        CAPTURE(i);
        CHECK(back[i].time == events[i].time);
        CHECK(back[i].kind == events[i].kind);
        CHECK(back[i].agent == events[i].agent);
        CHECK(back[i].edge == events[i].edge);
        CHECK(back[i].order == events[i].order);
        CHECK(back[i].value == events[i].value);
    }
}

void write_and_cut_events(int deflate, bool packed) {
    const std::string path = testing::temp_path("appendable");
    std::vector<TraceEvent> events;
    for (std::uint32_t i = 0; i < 150; ++i) {
        TraceEvent e;
        e.time = 0.5 * i;
        e.kind = static_cast<std::int16_t>(i % 3);
        e.agent = i * 7;
        e.edge = i % 5 == 0 ? kTraceNoId : i;
        e.order = (std::uint64_t{i} << 32U) | (i * 3);
        e.value = -1.25 * i;
        events.push_back(e);
    }
    {
        const Handle file(
            check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "H5Fcreate"));
        {
            const Handle file_type = h5::event_type(true);
            const Handle mem_type = h5::event_type(false);
            const h5::Appendable create(file.get(), "events", file_type.get(), mem_type.get(), {},
                                        16, deflate);
        }
        const Handle mem_type = h5::event_type(packed);
        h5::Appendable out = h5::Appendable::open(file.get(), "events", mem_type.get());
        out.set_batch(16);
        // the records as given to append(): the struct, or packed in the file's layout
        const auto append = [&](const std::vector<TraceEvent>& rows, std::size_t at,
                                std::size_t count) {
            if (!packed) {
                out.append(rows.data() + at, count);
                return;
            }
            const std::vector<TraceEvent> piece(
                rows.begin() + static_cast<std::ptrdiff_t>(at),
                rows.begin() + static_cast<std::ptrdiff_t>(at + count));
            out.append_with(count, [&](unsigned char* p) { h5::pack_events(piece, p); });
        };
        // pieces that start and end inside chunks, commits that leave a chunk open; after
        // each commit the file holds every record so far, exactly
        std::size_t at = 0;
        for (const std::size_t piece : std::vector<std::size_t>{5, 3, 20, 1, 40, 16, 50, 15}) {
            append(events, at, piece);
            at += piece;
            if (piece % 5 == 0) {
                out.commit();
                REQUIRE(H5Fflush(file.get(), H5F_SCOPE_GLOBAL) >= 0);
                CAPTURE(at);
                check_events(out.id(), events, at);
            }
        }
        REQUIRE(at == events.size());
        out.commit();
        CHECK(out.size() == events.size());
        // cut back into a chunk (a write error's recovery): the chunk's first records are
        // read back and kept when it is written again
        out.truncate(37);
        CHECK(out.size() == 37);
        std::vector<TraceEvent> changed(events.begin(), events.begin() + 37);
        for (std::size_t i = 37; i < 45; ++i) {
            TraceEvent e = events[i];
            e.value = 1000.0 + static_cast<double>(i);
            changed.push_back(e);
        }
        append(changed, 37, 8);
        out.commit();
        check_events(out.id(), changed, changed.size());
    }
    std::filesystem::remove(path);
}

// the dataset holds exactly `values`
template <class T>
void check_series(hid_t dset, hid_t mem_type, const std::vector<T>& values) {
    const Handle space(check(H5Dget_space(dset), "H5Dget_space"));
    hsize_t rows = 0;
    H5Sget_simple_extent_dims(space.get(), &rows, nullptr);
    REQUIRE(rows == values.size());
    std::vector<T> back(values.size());
    REQUIRE(H5Dread(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()) >= 0);
    CHECK(back == values);
}

}  // namespace

TEST_CASE("ChunkRows: row-codec chunks read back through HDF5's filters") {
    const std::string path = testing::temp_path("chunk_rows");
    constexpr hsize_t kAgents = 100;   // blocks of 64: the second one is partly used
    constexpr std::size_t kRows = 19;  // chunks of 8 rows: the last one is partial
    std::vector<std::vector<float>> rows;
    Noise next;
    std::vector<float> row(kAgents * 2);
    for (std::size_t r = 0; r < kRows; ++r) {
        if (r == 0 || (r >= 3 && r < 6)) {  // all change
            for (float& v : row) {
                v = static_cast<float>(next() % 100000) * 0.25F;
            }
        } else if (r >= 9) {  // a few change
            for (std::size_t i = r; i < row.size(); i += 13) {
                row[i] += 1.5F;
            }
        }  // else: none change
        rows.push_back(row);
    }
    {
        const Handle file(
            check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "H5Fcreate"));
        {
            const h5::Appendable create(file.get(), "position", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                                        {kAgents, 2}, 8, 1, 64);
        }
        h5::ChunkRows rows_out = h5::ChunkRows::open(file.get(), "position", 1, true);
        for (std::size_t r = 0; r < kRows; ++r) {
            rows_out.append(rows[r].data());
            if (r == 4 || r == 12) {
                rows_out.commit();  // a flush mid-chunk: rewritten once full
            }
        }
        rows_out.commit();
        CHECK(rows_out.size() == kRows);
    }
    {
        const Handle file(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen"));
        const Handle dset(check(H5Dopen2(file.get(), "position", H5P_DEFAULT), "H5Dopen2"));
        std::vector<float> back(kRows * kAgents * 2);
        REQUIRE(H5Dread(dset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()) >=
                0);
        for (std::size_t r = 0; r < kRows; ++r) {
            CAPTURE(r);
            CHECK(std::vector<float>(back.begin() + static_cast<std::ptrdiff_t>(r * kAgents * 2),
                                     back.begin() + static_cast<std::ptrdiff_t>((r + 1) * kAgents *
                                                                                2)) == rows[r]);
        }
    }
    std::filesystem::remove(path);
}

TEST_CASE("Appendable: every chunk written pre-filtered, the open one again at each commit") {
    // deflate 1: shuffled and deflated chunks; deflate 0: raw chunks (no filters), written as
    // HDF5 lays them out. The records given as the struct (converted) or packed (as is).
    for (const int deflate : {1, 0}) {
        for (const bool packed : {false, true}) {
            CAPTURE(deflate);
            CAPTURE(packed);
            write_and_cut_events(deflate, packed);
        }
    }
}

TEST_CASE("Appendable: series with the same bytes share an encoding, others do not") {
    // a trace's step and time of every element hold the same values: the writer encodes
    // such a chunk once and reuses it (the last few encodings, by their shuffled bytes). Here
    // five series, three of them alike, one differing only in its last record and one of
    // another type, are written in turns and read back after every commit and at the end.
    const std::string path = testing::temp_path("appendable_shared");
    const std::lock_guard lock(h5::hdf5_mutex());
    {
        const Handle file(
            check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "H5Fcreate"));
        const char* names[] = {"a", "b", "c", "d", "t"};
        for (const char* name : names) {
            const bool real = name[0] == 't';
            const h5::Appendable create(file.get(), name, real ? H5T_IEEE_F64LE : H5T_STD_I64LE,
                                        real ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64, {}, 16, 1);
        }
        std::vector<h5::Appendable> out;
        for (const char* name : names) {
            out.push_back(h5::Appendable::open(
                file.get(), name, name[0] == 't' ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64));
            out.back().set_batch(1024);
        }
        std::vector<std::int64_t> same;
        std::vector<std::int64_t> odd;
        std::vector<double> times;
        for (std::int64_t k = 0; k < 53; ++k) {
            same.push_back(1000 * k);
            odd.push_back(k == 52 ? -1 : 1000 * k);  // the last chunk differs in one record
            times.push_back(0.25 * static_cast<double>(k));
            for (std::size_t s = 0; s < 3; ++s) {
                out[s].append(&same.back(), 1);
            }
            out[3].append(&odd.back(), 1);
            out[4].append(&times.back(), 1);
            if (k % 7 == 6) {  // open chunks rewritten at each commit, full ones in between
                for (h5::Appendable& a : out) {
                    a.commit();
                }
                for (std::size_t s = 0; s < 3; ++s) {
                    check_series(out[s].id(), H5T_NATIVE_INT64, same);
                }
                check_series(out[3].id(), H5T_NATIVE_INT64, odd);
                check_series(out[4].id(), H5T_NATIVE_DOUBLE, times);
            }
        }
        for (h5::Appendable& a : out) {
            a.commit(true);
        }
        for (std::size_t s = 0; s < 3; ++s) {
            check_series(out[s].id(), H5T_NATIVE_INT64, same);
        }
        check_series(out[3].id(), H5T_NATIVE_INT64, odd);
        check_series(out[4].id(), H5T_NATIVE_DOUBLE, times);
    }
    std::filesystem::remove(path);
}

TEST_CASE("string attributes: fixed length, read back exactly; a variable-length one refused") {
    const std::string path = testing::temp_path("strings");
    const std::lock_guard lock(h5::hdf5_mutex());
    {
        const Handle f(
            check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "H5Fcreate"));
        h5::attr_string(f, "one", "kWh");
        h5::attr_string(f, "empty", "");
        h5::attr_strings(f, "many", {"road_closed", "", "Zürich Nord", "x"});
        h5::attr_strings(f, "none", {});
        // as a 1.x writer wrote them: in HDF5's global heap
        const Handle t(check(H5Tcopy(H5T_C_S1), "H5Tcopy"));
        H5Tset_size(t, H5T_VARIABLE);
        const Handle space(check(H5Screate(H5S_SCALAR), "H5Screate"));
        const Handle a(check(H5Acreate2(f, "heap", t, space, H5P_DEFAULT, H5P_DEFAULT), "attr"));
        const char* v = "label";
        REQUIRE(H5Awrite(a, t, &v) >= 0);
        const hsize_t n = 1;
        const Handle space1(check(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"));
        const Handle b(
            check(H5Acreate2(f, "heap_array", t, space1, H5P_DEFAULT, H5P_DEFAULT), "attr"));
        REQUIRE(H5Awrite(b, t, &v) >= 0);
    }
    const Handle f(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen"));
    CHECK(h5::read_attr_string(f, "one") == "kWh");
    CHECK(h5::read_attr_string(f, "empty").empty());
    CHECK(h5::read_attr_strings(f, "many") ==
          std::vector<std::string>{"road_closed", "", "Zürich Nord", "x"});
    CHECK(h5::read_attr_strings(f, "none").empty());
    {
        const Handle a(check(H5Aopen(f, "many", H5P_DEFAULT), "H5Aopen"));
        const Handle t(check(H5Aget_type(a), "H5Aget_type"));
        CHECK(H5Tis_variable_str(t) == 0);
        CHECK(H5Tget_size(t) == std::string("Zürich Nord").size());
    }
    CHECK_THROWS_WITH(h5::read_attr_string(f, "heap"),
                      "attribute heap is not a fixed-length string");
    CHECK_THROWS_WITH(h5::read_attr_strings(f, "heap_array"),
                      "attribute heap_array is not a fixed-length string");
    CHECK_THROWS_WITH(h5::read_attr_string(f, "many"), doctest::Contains("expected one"));
    std::filesystem::remove(path);
}
