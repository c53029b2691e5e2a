// Output files: what check_output_path refuses, and a PendingOutput that only ever puts a
// finished file at its path (renamed from PATH.<pid>.partial), never replacing anything but
// a regular file, and that one only when asked.
#include "io/output/output_file.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using swarm::io::OutputError;
using swarm::io::PendingOutput;

namespace fs = std::filesystem;

// a fresh directory per test case
struct TempDir {
    fs::path dir;
    explicit TempDir(const char* name)
        : dir(fs::temp_directory_path() /
              (std::string("swarm_output_") + name + "_" + std::to_string(getpid()))) {
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    [[nodiscard]] std::string at(const char* name) const { return (dir / name).string(); }
};

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("check_output_path refuses what is not a new or allowed regular file") {
    using swarm::io::check_output_path;
    const TempDir t("check");
    CHECK_NOTHROW(check_output_path(t.at("new.csv"), false));
    CHECK_THROWS_WITH_AS(check_output_path("/dev/null", true),
                         doctest::Contains("'/dev/null': is a character device"), OutputError);
    CHECK_THROWS_WITH_AS(check_output_path(t.dir.string(), true),
                         doctest::Contains("is a directory"), OutputError);
    const std::string fifo = t.at("fifo");
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS(check_output_path(fifo, true), doctest::Contains("is a FIFO"),
                         OutputError);
    const std::string file = t.at("old.csv");
    std::ofstream(file) << "old\n";
    CHECK_THROWS_WITH_AS(check_output_path(file, false),
                         doctest::Contains("exists: not overwritten (pass --force"), OutputError);
    CHECK_NOTHROW(check_output_path(file, true));
    const std::string link = t.at("link.csv");
    fs::create_symlink(file, link);
    CHECK_THROWS_WITH_AS(check_output_path(link, true), doctest::Contains("symbolic link"),
                         OutputError);
    fs::create_symlink(t.at("nowhere"), t.at("dangling"));
    CHECK_THROWS_WITH_AS(check_output_path(t.at("dangling"), true),
                         doctest::Contains("symbolic link (dangling)"), OutputError);
    CHECK_THROWS_WITH_AS(check_output_path(t.at("no-such-dir/x.csv"), true),
                         doctest::Contains("cannot use its directory"), OutputError);
    CHECK_THROWS_WITH_AS(check_output_path(file + "/x.csv", true),
                         doctest::Contains("Not a directory"), OutputError);
    CHECK_THROWS_AS(check_output_path("", true), OutputError);
}

TEST_CASE("a pending output appears at its path only when committed") {
    const TempDir t("pending");
    const std::string path = t.at("out.csv");
    {
        PendingOutput out(path, false);
        CHECK(out.temp_path() == swarm::io::partial_path(path, getpid()));
        out.write("a,b\n");
        CHECK_FALSE(fs::exists(path));
        CHECK(read(out.temp_path()) == "a,b\n");
        out.commit();
        CHECK_FALSE(fs::exists(out.temp_path()));
    }
    CHECK(read(path) == "a,b\n");
    // the usual permissions (the umask's), not the 0600 of a temporary file
    const mode_t mask = umask(0);
    umask(mask);
    CHECK((fs::status(path).permissions() & fs::perms::all) ==
          static_cast<fs::perms>(0666 & ~mask));
    // not committed (an error on the way): the temporary file goes, the old file stays
    {
        PendingOutput out(path, true);
        out.write("half");
    }
    CHECK_FALSE(fs::exists(swarm::io::partial_path(path, getpid())));
    CHECK(read(path) == "a,b\n");
    // kept: the temporary file stays under its partial name
    std::string kept;
    {
        PendingOutput out(path, true);
        out.write("partial");
        out.keep();
        kept = out.temp_path();
    }
    CHECK(read(kept) == "partial");
    CHECK(read(path) == "a,b\n");
    // a stale partial file of an earlier process with our pid is not reused
    {
        PendingOutput out(path, true);
        CHECK(out.temp_path() != kept);
        out.write("new\n");
        out.commit();
    }
    CHECK(read(kept) == "partial");
    CHECK(read(path) == "new\n");
}

TEST_CASE("a pending output never replaces what appeared at its path meanwhile") {
    const TempDir t("race");
    const std::string path = t.at("out.csv");
    PendingOutput out(path, false);
    out.write("mine\n");
    std::ofstream(path) << "theirs\n";
    CHECK_THROWS_WITH_AS(out.commit(), doctest::Contains("appeared while"), OutputError);
    CHECK(read(path) == "theirs\n");
    CHECK(read(out.temp_path()) == "mine\n");  // kept, and the message names it
    // with replace, a regular file is replaced; a directory never is
    const std::string dir_path = t.at("dir");
    PendingOutput over(dir_path, true);
    fs::create_directory(dir_path);
    CHECK_THROWS_WITH_AS(over.commit(), doctest::Contains("is now a directory"), OutputError);
    CHECK(fs::is_directory(dir_path));
}

TEST_CASE("write_file_safely: a new file, an existing one only with replace") {
    const TempDir t("safely");
    const std::string path = t.at("summary.csv");
    swarm::io::write_file_safely(path, "1\n", false);
    CHECK(read(path) == "1\n");
    CHECK_THROWS_WITH_AS(swarm::io::write_file_safely(path, "2\n", false),
                         doctest::Contains("pass --force"), OutputError);
    CHECK(read(path) == "1\n");
    swarm::io::write_file_safely(path, "2\n", true);
    CHECK(read(path) == "2\n");
    CHECK_THROWS_AS(swarm::io::write_file_safely("/dev/null", "x", true), OutputError);
}

TEST_CASE("a space reserve holds room on the file system, leaves no file and gives it back") {
    const TempDir d("reserve");
    {
        // allocated (posix_fallocate succeeded for all of it) by an unlinked file
        swarm::io::SpaceReserve r(d.dir.string(), 8ULL << 20U);
        CHECK(r.bytes() == 8ULL << 20U);
        CHECK(fs::is_empty(d.dir));  // nothing to clean up, even after SIGKILL
        r.release();
        CHECK(r.bytes() == 0);
    }
    // a directory that does not exist: no room held, no error
    const swarm::io::SpaceReserve none((d.dir / "missing").string(), 1ULL << 20U);
    CHECK(none.bytes() == 0);
}
