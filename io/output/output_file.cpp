#include "io/output/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>

namespace swarm::io {

namespace {

// what a non-regular file is, for people
const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) {
        return "a directory";
    }
    if (S_ISCHR(mode)) {
        return "a character device";
    }
    if (S_ISBLK(mode)) {
        return "a block device";
    }
    if (S_ISFIFO(mode)) {
        return "a FIFO (named pipe)";
    }
    if (S_ISSOCK(mode)) {
        return "a socket";
    }
    if (S_ISLNK(mode)) {
        return "a symbolic link";
    }
    return S_ISREG(mode) ? "a regular file" : "not a regular file";
}

std::string parent_of(const std::string& path) {
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

// flushes the directory entry of a rename (best effort: not every file system can)
void sync_directory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

std::string error_text(int err) {
    return std::strerror(err);
}

void check_output_path(const std::string& path, bool replace) {
    if (path.empty()) {
        throw OutputError(path, "an empty path");
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            struct stat target {};
            const std::string to = ::stat(path.c_str(), &target) == 0
                                       ? std::string(" to ") + kind_of(target.st_mode)
                                       : std::string(" (dangling)");
            throw OutputError(path, "is a symbolic link" + to +
                                        ": refusing to replace it or write through it (give "
                                        "the path of a regular file)");
        }
        if (!S_ISREG(st.st_mode)) {
            throw OutputError(path, std::string("is ") + kind_of(st.st_mode) +
                                        ", not a regular file: refusing to write there");
        }
        if (!replace) {
            throw OutputError(path, "exists: not overwritten (pass --force to replace it)");
        }
    } else if (errno != ENOENT) {
        throw OutputError(path, "cannot check the path: " + error_text(errno));
    }
    const std::string dir = parent_of(path);
    struct stat ds {};
    if (::stat(dir.c_str(), &ds) != 0) {
        throw OutputError(path, "cannot use its directory '" + dir + "': " + error_text(errno));
    }
    if (!S_ISDIR(ds.st_mode)) {
        throw OutputError(path, "'" + dir + "' is not a directory");
    }
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
        throw OutputError(path, "cannot create files in '" + dir + "': " + error_text(errno));
    }
}

std::string partial_path(const std::string& path, long pid) {
    return path + "." + std::to_string(pid) + ".partial";
}

PendingOutput::PendingOutput(std::string path, bool replace)
    : path_(std::move(path)), replace_(replace) {
    check_output_path(path_, replace_);
    const long pid = static_cast<long>(::getpid());
    for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
        // a stale file of an earlier process with our pid is never reused (O_EXCL)
        temp_ = attempt == 0 ? partial_path(path_, pid)
                             : path_ + "." + std::to_string(pid) + "-" + std::to_string(attempt) +
                                   ".partial";
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd_ < 0 && errno != EEXIST) {
            throw OutputError(
                path_, "cannot create the temporary file '" + temp_ + "': " + error_text(errno));
        }
    }
    if (fd_ < 0) {
        throw OutputError(path_, "cannot create a temporary file beside it (100 taken)");
    }
}

PendingOutput::~PendingOutput() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
    if (!done_) {
        // our own temporary file (created exclusively above), never anything else
        ::unlink(temp_.c_str());
    }
}

void PendingOutput::write(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::write(fd_, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw OutputError(path_, "cannot write '" + temp_ + "': " + error_text(errno));
        }
        off += static_cast<std::size_t>(n);
    }
}

void PendingOutput::keep() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    done_ = true;
}

void PendingOutput::commit() {
    const auto fail = [&](const std::string& what) {
        keep();
        throw OutputError(path_, what + " (the output is left in '" + temp_ + "')");
    };
    if (::fsync(fd_) != 0) {
        fail("cannot flush to disk: " + error_text(errno));
    }
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) {
        fail("cannot write: " + error_text(errno));
    }
    if (replace_) {
        struct stat st {};
        if (::lstat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
            fail(std::string("is now ") + kind_of(st.st_mode) +
                 ", not a regular file: not replaced");
        }
        if (::rename(temp_.c_str(), path_.c_str()) != 0) {
            fail("cannot rename the finished file onto it: " + error_text(errno));
        }
    } else if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, path_.c_str(), RENAME_NOREPLACE) !=
               0) {
        if (errno == EEXIST) {
            fail(
                "appeared while the output was written: not overwritten (pass --force to "
                "replace it)");
        }
        if (errno != EINVAL && errno != ENOSYS) {
            fail("cannot rename the finished file onto it: " + error_text(errno));
        }
        // a file system without RENAME_NOREPLACE: a hard link fails on an existing name too
        if (::link(temp_.c_str(), path_.c_str()) == 0) {
            ::unlink(temp_.c_str());
        } else if (errno == EEXIST) {
            fail(
                "appeared while the output was written: not overwritten (pass --force to "
                "replace it)");
        } else {
            struct stat st {};
            if (::lstat(path_.c_str(), &st) == 0) {
                fail(
                    "appeared while the output was written: not overwritten (pass --force to "
                    "replace it)");
            }
            if (::rename(temp_.c_str(), path_.c_str()) != 0) {
                fail("cannot rename the finished file onto it: " + error_text(errno));
            }
        }
    }
    done_ = true;
    sync_directory(parent_of(path_));
}

void write_file_safely(const std::string& path, const std::string& content, bool replace) {
    PendingOutput out(path, replace);
    out.write(content);
    out.commit();
}

SpaceReserve::SpaceReserve(const std::string& dir, unsigned long long bytes) {
    // unlinked from the start where the file system can (O_TMPFILE), else made and unlinked
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        std::string name = (std::filesystem::path(dir) / ".swarmsim-reserve-XXXXXX").string();
        fd_ = ::mkostemp(name.data(), O_CLOEXEC);
        if (fd_ >= 0) {
            ::unlink(name.c_str());
        }
    }
    if (fd_ < 0) {
        return;
    }
    constexpr unsigned long long kLeast = 64ULL << 10U;
    for (unsigned long long b = bytes; b >= kLeast; b /= 2) {
        if (::posix_fallocate(fd_, 0, static_cast<off_t>(b)) == 0) {
            bytes_ = b;
            return;
        }
    }
    release();
}

SpaceReserve::~SpaceReserve() {
    release();
}

void SpaceReserve::release() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    bytes_ = 0;
}

}  // namespace swarm::io
