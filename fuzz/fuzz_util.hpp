// Shared by the libFuzzer targets: a private temporary directory for readers that take a
// path, and the oracle. A reader may refuse any input, but only with its documented error
// type; any other exception, a crash, a sanitizer report, a leak or a hang is a finding.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace swarm::fuzz {

// One directory per process (fork and parallel modes run several), removed at exit.
class TempDir {
  public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "swarm_fuzz_XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            std::perror("swarm fuzz: mkdtemp");
            std::abort();
        }
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // writes `bytes` to name inside the directory and returns its path
    std::filesystem::path write(const std::string& name, std::string_view bytes) const {
        const auto file = path_ / name;
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            std::fprintf(stderr, "swarm fuzz: cannot write %s\n", file.c_str());
            std::abort();
        }
        return file;
    }
    void remove(const std::string& name) const {
        std::error_code ec;
        std::filesystem::remove(path_ / name, ec);
    }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

inline const TempDir& temp_dir() {
    static const TempDir dir;
    return dir;
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// An exception of a type the reader does not document: report it as a crash.
[[noreturn]] inline void unexpected(const char* reader, const std::exception& e) {
    std::fprintf(stderr, "swarm fuzz: %s threw an undocumented exception: %s\n", reader, e.what());
    std::abort();
}

}  // namespace swarm::fuzz
