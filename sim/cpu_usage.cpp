#include "sim/cpu_usage.hpp"

#include <sys/resource.h>

#include <ctime>

namespace swarm::sim {

CpuUsage cpu_usage(int who) {
    rusage ru{};
    CpuUsage u;
    if (getrusage(who, &ru) != 0) {
        return u;
    }
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
    };
    u.user_s = seconds(ru.ru_utime);
    u.sys_s = seconds(ru.ru_stime);
    u.minor_faults = static_cast<std::uint64_t>(ru.ru_minflt);
    u.major_faults = static_cast<std::uint64_t>(ru.ru_majflt);
    u.voluntary_switches = static_cast<std::uint64_t>(ru.ru_nvcsw);
    u.involuntary_switches = static_cast<std::uint64_t>(ru.ru_nivcsw);
    return u;
}

CpuUsage operator-(const CpuUsage& a, const CpuUsage& b) {
    CpuUsage d;
    d.user_s = a.user_s - b.user_s;
    d.sys_s = a.sys_s - b.sys_s;
    d.minor_faults = a.minor_faults - b.minor_faults;
    d.major_faults = a.major_faults - b.major_faults;
    d.voluntary_switches = a.voluntary_switches - b.voluntary_switches;
    d.involuntary_switches = a.involuntary_switches - b.involuntary_switches;
    return d;
}

double thread_cpu_seconds() {
    timespec cpu{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    return static_cast<double>(cpu.tv_sec) + 1e-9 * static_cast<double>(cpu.tv_nsec);
}

}  // namespace swarm::sim
