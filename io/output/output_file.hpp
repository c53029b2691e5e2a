// Output files written safely: a new output goes to a temporary file beside its target
// (PATH.<pid>.partial, created exclusively), is flushed to disk and renamed onto PATH only
// when complete. What is at PATH already is never touched unless it is a regular file and
// the caller allows replacing it (the CLI's --force); a device, directory, FIFO, socket or
// symbolic link at PATH is refused. docs/trace-format.md ("Where the file goes") has the
// rules as users see them.
#pragma once

#include <stdexcept>
#include <string>

namespace swarm::io {

// an output that cannot be written where asked; the message names the path and the cause
class OutputError : public std::runtime_error {
  public:
    OutputError(const std::string& path, const std::string& what)
        : std::runtime_error("output file '" + path + "': " + what), reason_(what) {}
    // the message without the path
    [[nodiscard]] const std::string& reason() const { return reason_; }

  private:
    std::string reason_;
};

// Throws OutputError unless `path` may receive a new output: its directory exists, and
// nothing is at `path`, or a regular file that `replace` allows to replace (the message
// then says to pass --force). Follows no symbolic link at `path` itself.
void check_output_path(const std::string& path, bool replace);

// the temporary name of an output of this process: PATH.<pid>.partial
[[nodiscard]] std::string partial_path(const std::string& path, long pid);

// strerror(err) as a string ("No space left on device")
[[nodiscard]] std::string error_text(int err);

// An output under construction: check_output_path(path, replace), then a new empty file at
// partial_path() (mode 0666 minus the umask), opened. commit() flushes it to disk and renames
// it onto `path`; keep() leaves it under its partial name (an incomplete output, for the
// user to inspect); otherwise the destructor removes it (it is our own file).
class PendingOutput {
  public:
    PendingOutput(std::string path, bool replace);
    PendingOutput(const PendingOutput&) = delete;
    PendingOutput& operator=(const PendingOutput&) = delete;
    ~PendingOutput();

    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] const std::string& temp_path() const { return temp_; }
    // the open descriptor of the temporary file (-1 after commit or keep)
    [[nodiscard]] int fd() const { return fd_; }
    // writes all of `data` at the end of the temporary file; throws OutputError
    void write(const std::string& data);
    // fsync, rename onto path() (checked again: not replacing anything but a regular file,
    // and only with `replace`), fsync of the directory; throws OutputError (the temporary
    // file is then kept and the message names it)
    void commit();
    // leaves the temporary file where it is
    void keep();

  private:
    std::string path_;
    std::string temp_;
    bool replace_ = false;
    int fd_ = -1;
    bool done_ = false;
};

// content written to `path` through a PendingOutput (the whole text at once); throws
// OutputError
void write_file_safely(const std::string& path, const std::string& content, bool replace);

// Room on an output's file system kept for finishing it when the disk fills up: an unlinked
// file in `dir` with up to `bytes` allocated now (halved until it fits; none if not even
// 64 KiB does). release() (or the destructor) gives the room back, e.g. for a trace's last
// metadata and its "incomplete" marks after ENOSPC. Unlinked, it leaves nothing behind,
// even after SIGKILL.
class SpaceReserve {
  public:
    SpaceReserve(const std::string& dir, unsigned long long bytes);
    SpaceReserve(const SpaceReserve&) = delete;
    SpaceReserve& operator=(const SpaceReserve&) = delete;
    ~SpaceReserve();
    void release();
    // what is held (0: none could be allocated, or released)
    [[nodiscard]] unsigned long long bytes() const { return bytes_; }

  private:
    int fd_ = -1;
    unsigned long long bytes_ = 0;
};

}  // namespace swarm::io
