#pragma once
// Shared by the benchmark programs: each configuration runs in a child process so that its
// peak memory (VmHWM) is its own, and its result comes back through a pipe.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/cpu_usage.hpp"

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

// user + system CPU seconds of this process (all threads), plus its reaped children when
// asked (benchmarks that run each configuration in a child)
inline double cpu_seconds(bool with_children = false) {
    double total = 0.0;
    for (const int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
        if (who == RUSAGE_CHILDREN && !with_children) {
            continue;
        }
        rusage ru{};
        getrusage(who, &ru);
        total += static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                 1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    }
    return total;
}

// CPU seconds of the calling thread (a figure other processes on the machine do not inflate)
using sim::thread_cpu_seconds;

// "0.52 1.10 1.31" (1, 5 and 15 min), or "unknown"
inline std::string load_average() {
    double l[3] = {};
    if (getloadavg(l, 3) != 3) {
        return "unknown";
    }
    char text[64];
    std::snprintf(text, sizeof text, "%.2f %.2f %.2f", l[0], l[1], l[2]);
    return text;
}

// What every benchmark prints so that a figure from a busy machine is recognisable: the load
// average before it starts, and at the end the whole program's wall time, CPU time (its own
// and its children's), CPU/wall and the load average again. Construct first thing in main.
class MachineReport {
  public:
    MachineReport() : wall0_(std::chrono::steady_clock::now()), cpu0_(cpu_seconds(true)) {
        std::printf("machine: %ld cores online, load average %s (1, 5, 15 min) at start\n",
                    sysconf(_SC_NPROCESSORS_ONLN), load_average().c_str());
    }
    MachineReport(const MachineReport&) = delete;
    MachineReport& operator=(const MachineReport&) = delete;
    ~MachineReport() {
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_).count();
        const double cpu = cpu_seconds(true) - cpu0_;
        std::printf("total: wall %.2f s, CPU %.2f s, CPU/wall %.2f, load average %s at end\n", wall,
                    cpu, wall > 0.0 ? cpu / wall : 0.0, load_average().c_str());
    }

  private:
    std::chrono::steady_clock::time_point wall0_;
    double cpu0_;
};

// the median of the values, the mean of the two middle ones for an even count (0 for none):
// the one every benchmark quotes
inline double median(std::vector<double> values) {
    if (values.empty()) {
        return 0.0;
    }
    const std::size_t mid = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid),
                     values.end());
    const double upper = values[mid];
    if (values.size() % 2 == 1) {
        return upper;
    }
    const double lower =
        *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
    return 0.5 * (lower + upper);
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

// A forked child computing a trivially copyable result (start_child, then finish_child): several
// may run at once, as --per-cpu's runs side by side do.
struct Child {
    pid_t pid = -1;
    int result_fd = -1;
};

// Starts fn() in a forked child; pid -1 when the fork or the pipe failed. The child's
// exception message goes to stderr.
template <class Result, class Fn>
Child start_child(Fn&& fn) {
    static_assert(std::is_trivially_copyable_v<Result>, "results travel through a pipe");
    int fds[2];
    if (pipe(fds) != 0) {
        return {};
    }
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return {};
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
    return {pid, fds[0]};
}

// Waits for a child of start_child and copies its result; false when it failed
template <class Result>
bool finish_child(Child& child, Result& out) {
    if (child.pid < 0) {
        return false;
    }
    const auto got = read(child.result_fd, &out, sizeof out);
    close(child.result_fd);
    int status = 0;
    waitpid(child.pid, &status, 0);
    child = {};
    return got == static_cast<ssize_t>(sizeof out) && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Runs fn() in a forked child and copies its trivially copyable result back; false when
// the child failed (its exception message goes to stderr).
template <class Result, class Fn>
bool run_in_child(Fn&& fn, Result& out) {
    Child child = start_child<Result>(std::forward<Fn>(fn));
    return finish_child(child, out);
}

}  // namespace swarm::bench
