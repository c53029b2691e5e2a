#pragma once
// Shared by the benchmark programs: each configuration runs in a child process so that its
// peak memory (VmHWM) is its own, and its result comes back through a pipe.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace swarm::bench {

// a field of /proc/self/status in KiB (VmHWM: peak, VmRSS: now); -1 if absent
inline long status_kib(const char* field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    const std::string key = field;
    while (std::getline(status, line)) {
        if (line.rfind(key, 0) == 0) {
            return std::stol(line.substr(key.size()));
        }
    }
    return -1;
}
inline long peak_rss_kib() {
    return status_kib("VmHWM:");
}
inline long rss_kib() {
    return status_kib("VmRSS:");
}

// "1,2,4" -> {1, 2, 4}; accepts 1e5-style numbers
template <class T>
std::vector<T> parse_list(const std::string& text) {
    std::vector<T> values;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        values.push_back(static_cast<T>(std::stod(item)));
    }
    return values;
}

// Runs fn() in a forked child and copies its trivially copyable result back; false when
// the child failed (its exception message goes to stderr).
template <class Result, class Fn>
bool run_in_child(Fn&& fn, Result& out) {
    static_assert(std::is_trivially_copyable_v<Result>, "results travel through a pipe");
    int fds[2];
    if (pipe(fds) != 0) {
        return false;
    }
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        close(fds[0]);
        try {
            const Result r = fn();
            const auto written = write(fds[1], &r, sizeof r);
            _exit(written == static_cast<ssize_t>(sizeof r) ? 0 : 1);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "benchmark run failed: %s\n", e.what());
            _exit(1);
        }
    }
    close(fds[1]);
    const auto got = read(fds[0], &out, sizeof out);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return got == static_cast<ssize_t>(sizeof out) && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace swarm::bench
