// What the hostile trace tests share (trace_reader_hostile_test.cpp, trace_legs_hostile_test.cpp):
// a small valid trace to damage, and the HDF5 C API edits and the refusal they look for.
#pragma once

#include <doctest/doctest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "io/trace/trace_reader.hpp"
#include "io/trace/trace_writer.hpp"

// AddressSanitizer on: gcc says so by __SANITIZE_ADDRESS__, clang by __has_feature
#if defined(__SANITIZE_ADDRESS__)
#define SWARM_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SWARM_TEST_ASAN 1
#endif
#endif
#if defined(SWARM_TEST_ASAN)
#include <sanitizer/lsan_interface.h>
#endif

namespace swarm_hostile {

using swarm::io::TraceError;
using swarm::io::TraceFormatError;
using swarm::io::TraceReader;

inline constexpr std::uint32_t kAgents = 4;
inline constexpr std::size_t kFrames = 40;  // two chunk rows of 32 samples

inline std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("swarm_hostile_" + name + "_" + std::to_string(getpid()) + ".h5"))
        .string();
}

// a small valid trace: kAgents agents moving, kFrames samples, a few events and links;
// `dense_rows`: in schema 3.0 (dense states, loads and energies), `coordinate_rows`: 3.1 (legs
// rows with coordinates), else 3.2 (legs rows that name their points)
inline void write_trace(const std::string& path, bool dense_rows = false,
                        bool coordinate_rows = false) {
    swarm::io::TraceHeader h;
    h.agents = kAgents;
    h.scenario_text = "name = \"hostile\"\n";
    swarm::io::TraceOptions o;
    o.replace = true;  // the tests write a clean trace again over the one they damaged
    o.dense_rows = dense_rows;
    o.coordinate_rows = coordinate_rows;
    swarm::io::TraceWriter w(path, h, o);
    for (std::size_t k = 0; k < kFrames; ++k) {
        auto f = w.acquire();
        f->step = static_cast<std::int64_t>(k) * 1000;
        f->time = static_cast<double>(k);
        for (std::uint32_t a = 0; a < kAgents; ++a) {
            f->position[2 * a] = static_cast<float>(k * 10 + a);
            f->position[2 * a + 1] = static_cast<float>(a * 100);
            f->state[a] = static_cast<std::int8_t>((k + a) % 9);
            f->load[a] = static_cast<float>(a);
            f->energy[a] = static_cast<float>(100 - k);
        }
        f->scalars.created = static_cast<std::int64_t>(k);
        f->events.push_back({static_cast<double>(k), 0, 0, swarm::io::kTraceNoId, k, 0.0});
        f->links.push_back({0, 1, 1, 64});
        w.push(std::move(f));
    }
    w.close();
}

// HDF5 1.10.8 itself leaks a few object headers and cache entries on the error paths of
// damaged metadata: not the reader's, so LeakSanitizer ignores what is allocated meanwhile
// (with HDF5's free lists off, so that those are new allocations, not recycled ones)
class IgnoreHdf5Leaks {
  public:
    IgnoreHdf5Leaks() {
#if defined(SWARM_TEST_ASAN)
        H5set_free_list_limits(0, 0, 0, 0, 0, 0);
        H5garbage_collect();
        __lsan_disable();
#endif
    }
    ~IgnoreHdf5Leaks() {
#if defined(SWARM_TEST_ASAN)
        __lsan_enable();
#endif
    }
    IgnoreHdf5Leaks(const IgnoreHdf5Leaks&) = delete;
    IgnoreHdf5Leaks& operator=(const IgnoreHdf5Leaks&) = delete;
};

// opens `path` read-write with the HDF5 C API for `edit`, then closes it
template <class F>
inline void edit(const std::string& path, F&& f) {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(file >= 0);
    f(file);
    REQUIRE(H5Fclose(file) >= 0);
}

// replaces data set `name` by a contiguous one of `dims` and `type` (zeros)
inline void replace(hid_t file, const std::string& name, const std::vector<hsize_t>& dims,
                    hid_t type) {
    REQUIRE(H5Ldelete(file, name.c_str(), H5P_DEFAULT) >= 0);
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t d =
        H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(d >= 0);
    std::size_t n = H5Tget_size(type);
    for (const hsize_t x : dims) {
        n *= x;
    }
    const std::vector<unsigned char> zeros(n, 0);
    REQUIRE(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data()) >= 0);
    H5Dclose(d);
    H5Sclose(space);
}

// sets a scalar attribute of `obj` (replacing one of that name) to *v of HDF5 type `type`
inline void set_scalar_attr(hid_t obj, const char* name, hid_t type, const void* v) {
    if (H5Aexists(obj, name) > 0) {
        H5Adelete(obj, name);
    }
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(a >= 0);
    H5Awrite(a, type, v);
    H5Aclose(a);
    H5Sclose(space);
}

inline void set_u64_attr(hid_t obj, const char* name, std::uint64_t v) {
    set_scalar_attr(obj, name, H5T_NATIVE_UINT64, &v);
}

inline void set_i64_attr(hid_t obj, const char* name, std::int64_t v) {
    set_scalar_attr(obj, name, H5T_NATIVE_INT64, &v);
}

inline std::vector<char> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::vector<char>& b) {
    std::ofstream(path, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size()));
}

// the message of the TraceFormatError that opening and reading everything gives ("" if none)
inline std::string refusal(const std::string& path) {
    try {
        const TraceReader r(path, /*allow_partial=*/true);
        r.read_all();
    } catch (const TraceFormatError& e) {
        return e.what();
    }
    return "";
}

}  // namespace swarm_hostile
