#include "sim/cpu_usage.hpp"

#include <doctest/doctest.h>
#include <sys/resource.h>

#include <cstdint>

namespace {

// work the optimizer cannot drop
std::uint64_t busy_work_for_cpu_usage(std::uint64_t n) {
    volatile std::uint64_t x = 1;
    for (std::uint64_t i = 0; i < n; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    }
    return x;
}

}  // namespace

TEST_CASE("the calling thread's CPU usage grows with its work, and differences subtract") {
    using swarm::sim::cpu_usage;
    const swarm::sim::CpuUsage before = cpu_usage(RUSAGE_THREAD);
    const double cpu0 = swarm::sim::thread_cpu_seconds();
    std::uint64_t sink = 0;
    while (swarm::sim::thread_cpu_seconds() - cpu0 < 0.05) {
        sink += busy_work_for_cpu_usage(100'000);
    }
    CHECK(sink != 0);
    const swarm::sim::CpuUsage after = cpu_usage(RUSAGE_THREAD);
    const swarm::sim::CpuUsage d = after - before;
    // getrusage counts in ticks: 0.05 s of thread CPU shows as at least a few ms
    CHECK(d.cpu_s() > 0.01);
    CHECK(d.cpu_s() == doctest::Approx(d.user_s + d.sys_s));
    CHECK(after.minor_faults >= before.minor_faults);
    // the process has used at least what this thread has
    CHECK(cpu_usage(RUSAGE_SELF).cpu_s() >= after.cpu_s() - 0.02);
}
