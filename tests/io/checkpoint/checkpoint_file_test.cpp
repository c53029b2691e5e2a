// Checkpoint files (issue 18): an archive with every element kind comes back equal; damaged,
// forged and foreign files are refused with a CheckpointError naming the file (and the data
// set); a write that fails leaves nothing under the final name.
#include "io/checkpoint/checkpoint_file.hpp"

#include <doctest/doctest.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "io/output/output_file.hpp"
#include "io/trace/trace_writer.hpp"

namespace swarm::io {

namespace {

namespace fs = std::filesystem;
using sim::CheckpointError;
using sim::ElementKind;
using sim::StateArchive;

// this process's own directory (ctest runs each test case in a process of its own)
fs::path dir_path() {
    return fs::temp_directory_path() / ("swarm_ckfile_" + std::to_string(getpid()));
}

fs::path temp_dir() {
    fs::create_directories(dir_path());
    return dir_path();
}

// removes the directory when the test left it empty
void clean_up() {
    std::error_code ec;
    fs::remove(dir_path(), ec);
}

fs::path temp_path(const std::string& name) {
    const fs::path p = temp_dir() / name;
    fs::remove(p);
    return p;
}

struct Pose {
    std::int32_t node;
    std::uint16_t slot;
    std::uint8_t flags;
    std::uint8_t spare;
};

// an archive with every element kind, nested groups, empty arrays, strings and nested vectors
StateArchive sample_archive() {
    StateArchive ar;
    {
        const auto s = ar.scope("kernel");
        ar.put("lp_draws", std::vector<std::uint64_t>{1, 2, 0xDEADBEEFCAFEULL});
        ar.put("lp_seq", std::vector<std::uint32_t>{7, 8});
        ar.put_value("now", std::int64_t{-123456789});
    }
    {
        const auto f = ar.scope("fleet");
        const auto v = ar.scope("vehicles");
        ar.put("i8", std::vector<std::int8_t>{-1, 2, -128});
        ar.put("u8", std::vector<std::uint8_t>{255, 0});
        ar.put("i16", std::vector<std::int16_t>{-30000, 5});
        ar.put("u16", std::vector<std::uint16_t>{65535});
        ar.put("i32", std::vector<std::int32_t>{-7});
        ar.put("f32", std::vector<float>{1.5F, -0.25F});
        ar.put("f64", std::vector<double>{3.141592653589793, -1e300});
        ar.put("flags", std::vector<bool>{true, false, true});
        ar.put("pose", std::vector<Pose>{{3, 4, 5, 0}, {-1, 65535, 255, 0}});
        ar.put("empty_u64", std::vector<std::uint64_t>{});
        ar.put("empty_pose", std::vector<Pose>{});
        const auto deep = ar.scope("a");
        const auto deeper = ar.scope("b");
        ar.put_nested("plans", std::vector<std::vector<std::uint32_t>>{{1, 2}, {}, {3}});
        ar.put_strings("names", {"depot one", "", "ä"});
    }
    ar.put_string("scenario", "city.toml");
    return ar;
}

void check_equal(const StateArchive& a, const StateArchive& b) {
    REQUIRE(a.arrays().size() == b.arrays().size());
    auto it = b.arrays().begin();
    for (const auto& entry : a.arrays()) {
        const std::string& name = entry.first;
        const sim::StateArray& x = entry.second;
        CAPTURE(name);
        CHECK(it->first == name);
        CHECK(it->second.kind == x.kind);
        CHECK(it->second.element_bytes == x.element_bytes);
        CHECK(it->second.count == x.count);
        CHECK(it->second.bytes == x.bytes);
        ++it;
    }
    CHECK(a.checksum() == b.checksum());
}

std::vector<char> bytes_of(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::vector<char>& bytes) {
    std::ofstream(p, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// the message read_checkpoint throws ("" when it reads the file)
std::string refusal(const fs::path& p) {
    try {
        (void)read_checkpoint(p);
    } catch (const CheckpointError& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("another error: ") + e.what();
    }
    return "";
}

// opens a checkpoint for writing with the HDF5 C API (to forge one)
struct Raw {
    explicit Raw(const fs::path& p) {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        file = H5Fopen(p.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        REQUIRE(file >= 0);
    }
    ~Raw() { H5Fclose(file); }
    Raw(const Raw&) = delete;
    Raw& operator=(const Raw&) = delete;
    void set_i64(const char* name, std::int64_t v) const {
        H5Adelete(file, name);
        const hid_t space = H5Screate(H5S_SCALAR);
        const hid_t a = H5Acreate2(file, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(a, H5T_NATIVE_INT64, &v);
        H5Aclose(a);
        H5Sclose(space);
    }
    hid_t file = -1;
};

}  // namespace

TEST_CASE("a checkpoint holds every array of its archive, typed, and reads back equal") {
    const fs::path p = temp_path("round.h5");
    const StateArchive ar = sample_archive();
    write_checkpoint(p, ar);
    const StateArchive back = read_checkpoint(p);
    check_equal(ar, back);
    CHECK(back.get_value<std::int64_t>("kernel/now") == -123456789);
    CHECK(back.get_string("scenario") == "city.toml");
    std::vector<Pose> poses;
    back.get("fleet/vehicles/pose", poses, 2);
    CHECK(poses[1].node == -1);
    CHECK(poses[1].slot == 65535);
    std::vector<std::vector<std::uint32_t>> plans;
    back.get_nested("fleet/vehicles/a/b/plans", plans);
    CHECK(plans == std::vector<std::vector<std::uint32_t>>{{1, 2}, {}, {3}});
    CHECK(back.get_strings("fleet/vehicles/a/b/names") ==
          std::vector<std::string>{"depot one", "", "ä"});
    std::vector<std::uint64_t> none;
    back.get("fleet/vehicles/empty_u64", none);
    CHECK(none.empty());

    // what h5py sees: typed data sets in groups, records as uint8 rows, the root's attributes
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t f = H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const auto type_is = [&](const char* name, hid_t want) {
        const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
        const hid_t t = H5Dget_type(d);
        const bool same = H5Tequal(t, want) > 0;
        H5Tclose(t);
        H5Dclose(d);
        return same;
    };
    CHECK(type_is("kernel/lp_draws", H5T_STD_U64LE));
    CHECK(type_is("fleet/vehicles/i8", H5T_STD_I8LE));
    CHECK(type_is("fleet/vehicles/f32", H5T_IEEE_F32LE));
    CHECK(type_is("fleet/vehicles/pose", H5T_STD_U8LE));
    const hid_t d = H5Dopen2(f, "fleet/vehicles/pose", H5P_DEFAULT);
    const hid_t space = H5Dget_space(d);
    std::array<hsize_t, 2> dims{};
    CHECK(H5Sget_simple_extent_ndims(space) == 2);
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    CHECK(dims[0] == 2);
    CHECK(dims[1] == sizeof(Pose));
    CHECK(H5Aexists(d, "record_bytes") > 0);
    H5Sclose(space);
    H5Dclose(d);
    for (const char* name : {"format", "format_version", "swarmsim_version", "checksum"}) {
        CHECK(H5Aexists(f, name) > 0);
    }
    std::uint64_t sum = 0;
    const hid_t a = H5Aopen(f, "checksum", H5P_DEFAULT);
    H5Aread(a, H5T_NATIVE_UINT64, &sum);
    H5Aclose(a);
    CHECK(sum == ar.checksum());
    H5Fclose(f);

    // the same state gives the same file, byte for byte
    const fs::path again = temp_path("round_again.h5");
    write_checkpoint(again, ar);
    CHECK(bytes_of(p) == bytes_of(again));
    fs::remove(p);
    fs::remove(again);
    clean_up();
}

TEST_CASE("an empty archive is a checkpoint too") {
    const fs::path p = temp_path("empty.h5");
    write_checkpoint(p, StateArchive{});
    const StateArchive back = read_checkpoint(p);
    CHECK(back.arrays().empty());
    CHECK(back.checksum() == StateArchive{}.checksum());
    fs::remove(p);
    clean_up();
}

TEST_CASE("an archive a file cannot hold is refused before anything is written") {
    const fs::path p = temp_path("clash.h5");
    StateArchive clash;
    clash.put_value("fleet", std::uint32_t{1});
    clash.put_value("fleet/node", std::uint32_t{2});
    CHECK_THROWS_WITH_AS(write_checkpoint(p, clash),
                         doctest::Contains("checkpoint field 'fleet/node' cannot be written: "
                                           "'fleet' is an array too"),
                         CheckpointError);
    StateArchive hole;
    hole.put_value("fleet//node", std::uint32_t{2});
    CHECK_THROWS_WITH_AS(write_checkpoint(p, hole), doctest::Contains("'fleet//node'"),
                         CheckpointError);
    StateArchive odd;
    odd.insert("x", {ElementKind::kU32, 8, 1, std::vector<unsigned char>(8)});
    CHECK_THROWS_WITH_AS(write_checkpoint(p, odd), doctest::Contains("uint32 elements of 8 bytes"),
                         CheckpointError);
    CHECK_FALSE(fs::exists(p));
    CHECK(fs::is_empty(temp_dir()));
    clean_up();
}

TEST_CASE("a checkpoint is written only where nothing is, unless replacing is allowed") {
    const fs::path p = temp_path("taken.h5");
    std::ofstream(p) << "mine";
    CHECK_THROWS_WITH_AS(write_checkpoint(p, sample_archive()), doctest::Contains("exists"),
                         OutputError);
    CHECK(bytes_of(p) == std::vector<char>{'m', 'i', 'n', 'e'});
    write_checkpoint(p, sample_archive(), true);
    check_equal(read_checkpoint(p), sample_archive());
    fs::remove(p);
    // a directory at the path, or no directory for it: refused, nothing left behind
    const fs::path dir = temp_dir() / "a_dir.h5";
    fs::create_directories(dir);
    CHECK_THROWS_AS(write_checkpoint(dir, sample_archive(), true), OutputError);
    CHECK(fs::is_empty(dir));
    fs::remove(dir);
    CHECK_THROWS_WITH_AS(write_checkpoint(temp_dir() / "gone" / "c.h5", sample_archive()),
                         doctest::Contains("gone"), OutputError);
    CHECK_FALSE(fs::exists(temp_dir() / "gone"));
    CHECK(fs::is_empty(temp_dir()));
    clean_up();
}

TEST_CASE("a write that fails half-way leaves nothing under the final name, nor a partial file") {
    // the file system refuses more than 64 KiB (as a full disk would) in a child process, while
    // the checkpoint is 1 MiB: HDF5's writes fail part-way
    const fs::path p = temp_path("full.h5");
    StateArchive big = sample_archive();
    big.put("big", std::vector<std::uint64_t>(std::size_t{1} << 17U, 42));
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{64 * 1024, 64 * 1024};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        int code = 10;
        try {
            write_checkpoint(p, big);
            code = 11;  // written after all
        } catch (const OutputError& e) {
            code = std::string(e.what()).find("cannot write the checkpoint") != std::string::npos
                       ? 0
                       : 12;
        } catch (...) {
            code = 13;
        }
        ::_exit(code);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK_FALSE(fs::exists(p));
    CHECK(fs::is_empty(temp_dir()));  // no PATH.<pid>.partial either
    clean_up();
}

TEST_CASE("files that are not checkpoints are refused with a message naming them") {
    const fs::path missing = temp_dir() / "missing.h5";
    CHECK(refusal(missing) ==
          "checkpoint file '" + missing.string() + "': cannot open it: No such file or directory");
    CHECK(refusal(temp_dir()) ==
          "checkpoint file '" + temp_dir().string() + "': not a regular file");
    const fs::path text = temp_path("text.h5");
    std::ofstream(text) << "format = swarmsim-checkpoint\n";
    CHECK(refusal(text) == "checkpoint file '" + text.string() + "': not an HDF5 file");
    fs::remove(text);

    // a trace is named as one
    const fs::path trace = temp_path("trace.h5");
    {
        TraceHeader h;
        h.agents = 2;
        TraceWriter w(trace.string(), h);
        w.close();
    }
    CHECK(refusal(trace) ==
          "checkpoint file '" + trace.string() + "': a swarmsim trace, not a checkpoint");
    fs::remove(trace);

    // another HDF5 file
    const fs::path other = temp_path("other.h5");
    H5Fclose(H5Fcreate(other.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(refusal(other) == "checkpoint file '" + other.string() +
                                "': not a swarmsim checkpoint (no 'format' attribute at its root)");
    fs::remove(other);
    clean_up();
}

TEST_CASE("a truncated checkpoint is refused") {
    const fs::path p = temp_path("cut.h5");
    write_checkpoint(p, sample_archive());
    std::vector<char> bytes = bytes_of(p);
    for (const std::size_t keep : {bytes.size() / 2, bytes.size() - 1, std::size_t{512}}) {
        CAPTURE(keep);
        write_bytes(
            p, std::vector<char>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(keep)));
        const std::string why = refusal(p);
        CHECK(why.rfind("checkpoint file '" + p.string() + "': ", 0) == 0);
        CHECK(why.find("truncated") != std::string::npos);
    }
    fs::remove(p);
    clean_up();
}

TEST_CASE("a flipped byte in a data set is a checksum mismatch") {
    const fs::path p = temp_path("flip.h5");
    StateArchive ar;
    const std::vector<std::uint64_t> marker = {0x0123456789ABCDEFULL, 0x1122334455667788ULL};
    ar.put("fleet/marker", marker);
    write_checkpoint(p, ar);
    std::vector<char> bytes = bytes_of(p);
    const char* m = reinterpret_cast<const char*>(marker.data());
    const auto at = std::search(bytes.begin(), bytes.end(), m, m + 16);
    REQUIRE(at != bytes.end());
    *(at + 3) = static_cast<char>(*(at + 3) ^ 0x10);
    write_bytes(p, bytes);
    const std::string why = refusal(p);
    CHECK(why.rfind("checkpoint file '" + p.string() + "': checksum mismatch: its root says 0x",
                    0) == 0);
    CHECK(why.find("(the file was changed or damaged)") != std::string::npos);
    fs::remove(p);
    clean_up();
}

TEST_CASE("a checkpoint of another format version is refused, naming both versions") {
    const fs::path p = temp_path("v2.h5");
    write_checkpoint(p, sample_archive());
    Raw(p).set_i64("format_version", 2);
    CHECK(refusal(p).find("': checkpoint format version 2 (written by swarmsim ") !=
          std::string::npos);
    CHECK(refusal(p).find(") reads version 1") != std::string::npos);
    fs::remove(p);
    clean_up();
}

TEST_CASE("forged data sets are refused, naming the data set") {
    const fs::path p = temp_path("forged.h5");
    const auto forged = [&](const auto& forge) {
        write_checkpoint(p, sample_archive(), true);
        {
            const Raw raw(p);
            forge(raw.file);
        }
        return refusal(p);
    };
    const auto dataset = [](hid_t f, const char* name, hid_t type, std::vector<hsize_t> dims) {
        const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
        const hid_t d = H5Dcreate2(f, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Sclose(space);
        return d;
    };
    // a type no archive has
    CHECK(forged([&](hid_t f) { H5Dclose(dataset(f, "kernel/half", H5T_C_S1, {4})); }) ==
          "checkpoint file '" + p.string() +
              "': data set 'kernel/half': its elements are of a type a checkpoint does not use "
              "(string, 1 bytes)");
    // a size the file does not hold (never written: HDF5 allocates nothing)
    CHECK(forged([&](hid_t f) {
              H5Dclose(dataset(f, "kernel/huge", H5T_STD_U64LE, {hsize_t{1} << 40U}));
          })
              .find("data set 'kernel/huge': 1099511627776 elements of 8 bytes: more than the "
                    "file's") != std::string::npos);
    CHECK(forged([&](hid_t f) {
              H5Dclose(dataset(f, "kernel/unwritten", H5T_STD_U64LE, {4}));
          }).find("data set 'kernel/unwritten': 32 bytes, stored as 0") != std::string::npos);
    // a record whose row is not its declared size, and a two-dimensional array without it
    CHECK(forged([&](hid_t f) {
              const hid_t d = H5Dopen2(f, "fleet/vehicles/pose", H5P_DEFAULT);
              H5Adelete(d, "record_bytes");
              const hid_t space = H5Screate(H5S_SCALAR);
              const std::uint64_t v = 3;
              const hid_t a =
                  H5Acreate2(d, "record_bytes", H5T_STD_U64LE, space, H5P_DEFAULT, H5P_DEFAULT);
              H5Awrite(a, H5T_NATIVE_UINT64, &v);
              H5Aclose(a);
              H5Sclose(space);
              H5Dclose(d);
          }) == "checkpoint file '" + p.string() +
                    "': data set 'fleet/vehicles/pose': records of 3 bytes in rows of 8");
    CHECK(forged([&](hid_t f) {
              const hid_t d = H5Dopen2(f, "fleet/vehicles/pose", H5P_DEFAULT);
              H5Adelete(d, "record_bytes");
              H5Dclose(d);
          }).find("two-dimensional array without the 'record_bytes' attribute") !=
          std::string::npos);
    // links elsewhere, and a data set taken away (the checksum covers the names)
    CHECK(forged([&](hid_t f) {
              H5Lcreate_soft("/kernel/lp_draws", f, "kernel/alias", H5P_DEFAULT, H5P_DEFAULT);
          }) == "checkpoint file '" + p.string() +
                    "': 'kernel/alias' is a soft or external link: a checkpoint holds only "
                    "groups and data sets");
    CHECK(forged([&](hid_t f) {
              H5Ldelete(f, "kernel/lp_seq", H5P_DEFAULT);
          }).find("checksum mismatch") != std::string::npos);
    // the root's attributes; a variable-length string (HDF5's global heap) is not read
    CHECK(forged([&](hid_t f) {
              H5Adelete(f, "format");
              const hid_t t = H5Tcopy(H5T_C_S1);
              H5Tset_size(t, H5T_VARIABLE);
              const hid_t space = H5Screate(H5S_SCALAR);
              const hid_t a = H5Acreate2(f, "format", t, space, H5P_DEFAULT, H5P_DEFAULT);
              const char* v = "swarmsim-checkpoint";
              H5Awrite(a, t, &v);
              H5Aclose(a);
              H5Sclose(space);
              H5Tclose(t);
          }) == "checkpoint file '" + p.string() +
                    "': its root's attributes: attribute format is not a fixed-length string "
                    "(damaged?)");
    CHECK(forged([&](hid_t f) { H5Adelete(f, "checksum"); }) ==
          "checkpoint file '" + p.string() + "': no 'checksum' attribute at its root");
    CHECK(forged([&](hid_t f) {
              H5Adelete(f, "format");
              const hid_t g = H5Gcreate2(f, "h5md", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
              H5Gclose(g);
          }).find("a swarmsim trace, not a checkpoint") != std::string::npos);
    fs::remove(p);
    clean_up();
}

TEST_CASE("an untrusted checkpoint is read in the check's child process first") {
    // stand-ins for swarmsim-trace-check (the real one: tests/viz/trace_check_test.cpp)
    const auto script = [](const std::string& name, const std::string& body) {
        const fs::path s = temp_dir() / name;
        std::ofstream(s) << "#!/bin/sh\n" << body << "\n";
        fs::permissions(s, fs::perms::owner_all);
        return s.string();
    };
    const auto with = [](const std::string& program) {
        ChildCheckOptions o;
        o.program = program;
        o.allow_partial = true;  // not for checkpoints: not passed on
        return o;
    };
    const auto thrown = [](const fs::path& file, const ChildCheckOptions& o) -> std::string {
        try {
            check_checkpoint_in_child(file, o);
        } catch (const CheckpointError& e) {
            return e.what();
        }
        return "";
    };
    const fs::path args = temp_dir() / "args.txt";
    const std::string ok = script("ok.sh", "echo \"$@\" > " + args.string() + "\nexit 0");
    CHECK(thrown("/runs/c.h5", with(ok)).empty());
    std::string line;
    std::getline(std::ifstream(args), line);
    CHECK(line == "--seconds 60 --memory-mb 4096 --checkpoint -- /runs/c.h5");
    const std::string refuse =
        script("refuse.sh",
               "echo \"swarmsim-trace-check: checkpoint file '$7': not an HDF5 file\" >&2\nexit 3");
    CHECK(thrown("/runs/c.h5", with(refuse)) == "checkpoint file '/runs/c.h5': not an HDF5 file");
    const std::string crash = script("crash.sh", "kill -SEGV $$");
    CHECK(thrown("/runs/c.h5", with(crash)) ==
          "checkpoint file '/runs/c.h5': damaged checkpoint: reading it crashed the HDF5 library "
          "(signal 11: Segmentation fault)");
    ChildCheckOptions hang = with(script("hang.sh", "exec sleep 30"));
    hang.seconds = 0.5;
    CHECK(thrown("/runs/c.h5", hang) ==
          "checkpoint file '/runs/c.h5': damaged checkpoint: reading it did not finish in 0.5 s");
    for (const char* s : {"ok.sh", "refuse.sh", "crash.sh", "hang.sh", "args.txt"}) {
        fs::remove(temp_dir() / s);
    }
    clean_up();
}

}  // namespace swarm::io
