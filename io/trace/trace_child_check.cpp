#include "io/trace/trace_child_check.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "io/trace/trace_reader.hpp"

extern char** environ;  // NOLINT: POSIX

namespace swarm::io {

namespace {

// what the child says is kept up to this size (its message is one line)
constexpr std::size_t kMaxMessage = 16384;

std::string number_text(double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') {
        s.pop_back();
    }
    return s;
}

// the child's last non-empty line, without the program's prefix and the file's (the readers
// start their messages with "trace file 'PATH': " or "checkpoint file 'PATH': ")
std::string last_line(const std::string& text, const std::string& path, const char* noun) {
    std::string line;
    std::size_t end = text.size();
    while (end > 0 && line.empty()) {
        const std::size_t start = text.rfind('\n', end - 1);
        const std::size_t from = start == std::string::npos ? 0 : start + 1;
        line = text.substr(from, end - from);
        end = start == std::string::npos ? 0 : start;
    }
    for (const std::string& prefix :
         {std::string(kTraceCheckName) + ": ", std::string(noun) + " file '" + path + "': "}) {
        if (line.rfind(prefix, 0) == 0) {
            line.erase(0, prefix.size());
        }
    }
    return line;
}

class Spawned {
  public:
    Spawned() = default;
    Spawned(const Spawned&) = delete;
    Spawned& operator=(const Spawned&) = delete;
    ~Spawned() {
        if (read_fd_ >= 0) {
            close(read_fd_);
        }
        if (pid_ > 0) {
            // only when an exception left it running
            kill(pid_, SIGKILL);
            while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
    }
    pid_t pid_ = -1;
    int read_fd_ = -1;
};

}  // namespace

std::string trace_check_program() {
    std::filesystem::path p;
    if (const char* env = std::getenv(kTraceCheckEnv); env != nullptr && *env != '\0') {
        p = env;
    } else {
        std::error_code ec;
        const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
        if (ec) {
            throw std::runtime_error(std::string("cannot find the trace check ") + kTraceCheckName +
                                     ": /proc/self/exe: " + ec.message());
        }
        p = self.parent_path() / kTraceCheckName;
    }
    if (access(p.c_str(), X_OK) != 0) {
        throw std::runtime_error("the trace check program " + p.string() +
                                 " is missing or not executable (it is built and installed "
                                 "next to swarmsim-viz; " +
                                 kTraceCheckEnv + " names another)");
    }
    return p.string();
}

ChildVerdict check_in_child(const std::string& path, const ChildCheckOptions& options) {
    const std::string program = options.program.empty() ? trace_check_program() : options.program;
    const double seconds = std::max(options.seconds, 0.001);
    std::vector<std::string> args = {program, "--seconds", number_text(std::ceil(seconds)),
                                     "--memory-mb", std::to_string(options.memory_bytes >> 20U)};
    const bool checkpoint = options.file == CheckedFile::kCheckpoint;
    if (checkpoint) {
        args.emplace_back("--checkpoint");
    } else if (options.allow_partial) {
        args.emplace_back("--partial");
    }
    args.emplace_back("--");
    args.push_back(path);
    std::vector<char*> argv;
    for (std::string& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    // its stderr to a pipe (the message), stdin and stdout from and to /dev/null; signals the
    // parent ignores or blocks back to their defaults
    int fds[2] = {-1, -1};
    if (pipe2(fds, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("cannot run the file check: pipe: ") +
                                 std::strerror(errno));
    }
    Spawned child;
    child.read_fd_ = fds[0];
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (const int s :
         {SIGPIPE, SIGINT, SIGTERM, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGXCPU, SIGCHLD}) {
        sigaddset(&defaults, s);
    }
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(fds[1]);
    if (rc != 0) {
        throw std::runtime_error("cannot run the trace check " + program + ": " +
                                 std::strerror(rc));
    }
    child.pid_ = pid;

    // its message until it ends or the time is up
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    std::string message;
    bool eof = false;
    bool timed_out = false;
    int status = 0;
    char buf[4096];
    const auto drain = [&](int wait_ms) {
        pollfd p{child.read_fd_, POLLIN, 0};
        const int n = poll(&p, 1, wait_ms);
        if (n > 0) {
            const ssize_t got = read(child.read_fd_, buf, sizeof buf);
            if (got > 0) {
                const auto size = static_cast<std::size_t>(got);
                message.append(buf,
                               std::min(size, kMaxMessage - std::min(kMaxMessage, message.size())));
                return true;
            }
            if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                eof = true;
            }
        }
        return false;
    };
    for (;;) {
        if (!eof) {
            drain(20);
        } else {
            poll(nullptr, 0, 20);
        }
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            child.pid_ = -1;
            while (!eof && drain(0)) {
            }
            break;
        }
        if (done < 0 && errno != EINTR) {
            child.pid_ = -1;
            throw std::runtime_error(std::string("trace check: waitpid: ") + std::strerror(errno));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            child.pid_ = -1;
            timed_out = true;
            break;
        }
    }

    const std::string limit = number_text(seconds) + " s";
    if (timed_out || (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)) {
        return {ChildVerdict::Outcome::kDamaged, "reading it did not finish in " + limit};
    }
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = strsignal(sig);
        return {ChildVerdict::Outcome::kDamaged, "reading it crashed the HDF5 library (signal " +
                                                     std::to_string(sig) +
                                                     (name ? std::string(": ") + name : "") + ")"};
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code == 0) {
        return {};
    }
    const std::string said = last_line(message, path, checkpoint ? "checkpoint" : "trace");
    if (code == 3 && !said.empty()) {
        return {ChildVerdict::Outcome::kRefused, said};
    }
    if (code == 4 && !said.empty()) {
        return {ChildVerdict::Outcome::kUnreadable, said};
    }
    return {ChildVerdict::Outcome::kDamaged, "checking it in a child process failed (exit status " +
                                                 std::to_string(code) +
                                                 (said.empty() ? "" : ": " + said) + ")"};
}

void check_trace_in_child(const std::string& path, const ChildCheckOptions& options) {
    ChildCheckOptions o = options;
    o.file = CheckedFile::kTrace;
    const ChildVerdict v = check_in_child(path, o);
    switch (v.outcome) {
        case ChildVerdict::Outcome::kAccepted:
            return;
        case ChildVerdict::Outcome::kRefused:
            throw TraceFormatError(path, v.message);
        case ChildVerdict::Outcome::kUnreadable:
            throw TraceError(path, v.message);
        case ChildVerdict::Outcome::kDamaged:
            break;
    }
    throw TraceFormatError(path, "damaged trace: " + v.message);
}

}  // namespace swarm::io
