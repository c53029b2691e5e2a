// PHOLD benchmark (ROSS definition, --mean=2 --lookahead=1): events/s, peak memory and the
// event-trace hash for each (LPs, threads). Each configuration runs in a child process so
// that peak memory (VmHWM) is its own.
//
//   phold_bench [--lps 1000,100000,1000000] [--threads 1,2] [--events 10000000]
//               [--partitions N] [--repeat R]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/suite/measure.hpp"

namespace {
using Result = swarm::bench::PholdResult;
Result run_one(std::uint32_t lps, std::size_t threads, std::uint64_t events,
               std::size_t partitions) {
    return swarm::bench::measure_phold(lps, threads, events, partitions);
}
}  // namespace

int main(int argc, char** argv) {
    std::vector<std::uint64_t> lp_counts = {1'000, 100'000, 1'000'000};
    std::vector<std::uint64_t> thread_counts = {1, 2};
    std::uint64_t events = 10'000'000;
    std::size_t partitions = 0;
    int repeat = 3;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "phold_bench: " << arg << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        try {
            if (arg == "--lps") {
                lp_counts = swarm::bench::parse_list<std::uint64_t>(value());
            } else if (arg == "--threads") {
                thread_counts = swarm::bench::parse_list<std::uint64_t>(value());
            } else if (arg == "--events") {
                events = static_cast<std::uint64_t>(std::stod(value()));
            } else if (arg == "--partitions") {
                partitions = static_cast<std::size_t>(std::stoul(value()));
            } else if (arg == "--repeat") {
                repeat = std::stoi(value());
            } else {
                std::cerr << "phold_bench: unknown option " << arg << "\n";
                return 2;
            }
        } catch (const std::exception&) {
            std::cerr << "phold_bench: bad value for " << arg << "\n";
            return 2;
        }
    }

    const swarm::bench::MachineReport machine;
    std::printf("PHOLD (ROSS: mean=2, lookahead=1, remote=0.25), %llu events, median of %d\n",
                static_cast<unsigned long long>(events), repeat);
    std::printf("%10s %8s %14s %10s %12s %14s %20s\n", "LPs", "threads", "Mev/s (med)", "windows",
                "peak MiB", "kernel B/LP", "event hash");
    bool hashes_agree = true;
    for (const std::uint64_t lps : lp_counts) {
        std::uint64_t first_hash = 0;
        for (const std::uint64_t threads : thread_counts) {
            std::vector<double> rates;
            Result r;
            for (int k = 0; k < repeat; ++k) {
                const auto job = [&] {
                    return run_one(static_cast<std::uint32_t>(lps), threads, events, partitions);
                };
                if (!swarm::bench::run_in_child(job, r)) {
                    std::cerr << "phold_bench: run failed\n";
                    return 1;
                }
                rates.push_back(r.events_per_second);
            }
            if (threads == thread_counts.front()) {
                first_hash = r.hash;
            } else if (r.hash != first_hash) {
                hashes_agree = false;
            }
            std::printf("%10llu %8llu %14.2f %10llu %12.1f %14.1f   %016llx\n",
                        static_cast<unsigned long long>(lps),
                        static_cast<unsigned long long>(threads), swarm::bench::median(rates) / 1e6,
                        static_cast<unsigned long long>(r.windows),
                        static_cast<double>(r.peak_kib) / 1024.0,
                        static_cast<double>(r.kernel_bytes) / static_cast<double>(lps),
                        static_cast<unsigned long long>(r.hash));
            std::fflush(stdout);
        }
    }
    std::printf("hashes identical across thread counts: %s\n", hashes_agree ? "yes" : "NO");
    return hashes_agree ? 0 : 1;
}
