// PHOLD benchmark (ROSS definition, --mean=2 --lookahead=1): events/s, peak memory and the
// event-trace hash for each (LPs, threads). Each configuration runs in a child process so
// that peak memory (VmHWM) is its own.
//
//   phold_bench [--lps 1000,100000,1000000] [--threads 1,2] [--events 10000000]
//               [--partitions N] [--repeat R]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/models/phold.hpp"

namespace {

using swarm::sim::Engine;
using swarm::sim::EngineConfig;
using swarm::sim::PholdModel;
using swarm::sim::PholdParams;
using swarm::sim::RunLimits;

std::vector<std::uint64_t> parse_list(const std::string& text) {
    std::vector<std::uint64_t> values;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        values.push_back(static_cast<std::uint64_t>(std::stod(item)));
    }
    return values;
}

long peak_rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::stol(line.substr(6));
        }
    }
    return -1;
}

struct Result {
    double events_per_second = 0;
    std::uint64_t events = 0;
    std::uint64_t windows = 0;
    std::uint64_t hash = 0;
    long peak_kib = 0;
    std::size_t kernel_bytes = 0;
};

Result run_one(std::uint32_t lps, std::size_t threads, std::uint64_t events,
               std::size_t partitions) {
    PholdParams params;
    PholdModel model(lps, params);
    auto executor = swarm::sim::make_executor(threads);
    EngineConfig config;
    config.lp_count = lps;
    config.lookahead = params.lookahead;
    config.seed = 42;
    config.partitions = partitions;
    Engine engine(config, model, *executor);
    model.seed_events(engine);
    RunLimits limits;
    limits.max_events = events;
    const auto stats = engine.run(limits);
    Result r;
    r.events = stats.events;
    r.windows = stats.windows;
    r.events_per_second = static_cast<double>(stats.events) / stats.wall_seconds;
    r.hash = engine.event_hash();
    r.peak_kib = peak_rss_kib();
    r.kernel_bytes = engine.memory().total();
    return r;
}

// runs one configuration in a child and reads its result through a pipe
bool run_in_child(std::uint32_t lps, std::size_t threads, std::uint64_t events,
                  std::size_t partitions, Result& out) {
    int fds[2];
    if (pipe(fds) != 0) {
        return false;
    }
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        const Result r = run_one(lps, threads, events, partitions);
        const auto written = write(fds[1], &r, sizeof r);
        _exit(written == static_cast<ssize_t>(sizeof r) ? 0 : 1);
    }
    close(fds[1]);
    const auto got = read(fds[0], &out, sizeof out);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return got == static_cast<ssize_t>(sizeof out) && WIFEXITED(status) && WEXITSTATUS(status) == 0;
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
                lp_counts = parse_list(value());
            } else if (arg == "--threads") {
                thread_counts = parse_list(value());
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
                if (!run_in_child(static_cast<std::uint32_t>(lps), threads, events, partitions,
                                  r)) {
                    std::cerr << "phold_bench: run failed\n";
                    return 1;
                }
                rates.push_back(r.events_per_second);
            }
            std::sort(rates.begin(), rates.end());
            if (threads == thread_counts.front()) {
                first_hash = r.hash;
            } else if (r.hash != first_hash) {
                hashes_agree = false;
            }
            std::printf("%10llu %8llu %14.2f %10llu %12.1f %14.1f   %016llx\n",
                        static_cast<unsigned long long>(lps),
                        static_cast<unsigned long long>(threads), rates[rates.size() / 2] / 1e6,
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
