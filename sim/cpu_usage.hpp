// CPU time, page faults and context switches of the process or of the calling thread, for
// the benchmarks and the trace writer's own accounting (measurement only: nothing simulated
// depends on it).
#pragma once

#include <cstdint>

namespace swarm::sim {

// getrusage's times, faults and context switches, of the process or of one thread
struct CpuUsage {
    double user_s = 0;
    double sys_s = 0;
    std::uint64_t minor_faults = 0;  // page faults without I/O (first touch of a page, ...)
    std::uint64_t major_faults = 0;
    std::uint64_t voluntary_switches = 0;    // waited (a lock, a condition, I/O)
    std::uint64_t involuntary_switches = 0;  // preempted
    [[nodiscard]] double cpu_s() const { return user_s + sys_s; }
};

// RUSAGE_SELF (the process) or RUSAGE_THREAD (the calling thread); all zero if it fails
[[nodiscard]] CpuUsage cpu_usage(int who);
[[nodiscard]] CpuUsage operator-(const CpuUsage& a, const CpuUsage& b);

// the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), in seconds
[[nodiscard]] double thread_cpu_seconds();

}  // namespace swarm::sim
