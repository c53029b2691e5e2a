// Gossip at scale: 100,000 agents with 1,000-parameter float32 models doing push-pull
// averaging every 10 s for one simulated hour (360 rounds). Prints wall time, the bytes
// the comms model moved, and the weight-averaging throughput (bytes the averaging reads
// and writes per second of the whole run) next to a STREAM-like copy bandwidth measured
// in the same program on an array as large as the model bank. Target: >= 50% of it.
// Each configuration runs in a child process (its own peak memory).
//
//   learning_bench [--agents 100000] [--params 1000] [--period 10] [--hours 1]
//                  [--threads 1,2] [--overlay complete|regular]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "agents/learning/learning_sim.hpp"
#include "bench/bench_util.hpp"
#include "sim/executor.hpp"

namespace {

using namespace swarm;

struct Options {
    std::uint32_t agents = 100'000;
    std::uint32_t params = 1000;
    double period_s = 10.0;
    double hours = 1.0;
    std::vector<std::size_t> threads{1, 2};
    learning::OverlayKind overlay = learning::OverlayKind::kComplete;
};

struct Result {
    double wall_s = 0;
    std::uint32_t rounds = 0;
    std::uint64_t exchanges = 0;
    std::uint64_t wire_bytes = 0;
    std::uint64_t averaged_bytes = 0;  // read + written by the averaging
    double consensus_before = 0;
    double consensus_after = 0;
    std::uint64_t hash = 0;
    long peak_kib = 0;
};

// STREAM "copy" (a[i] = b[i]) over `bytes`-sized arrays, best of 5: bytes read + written / s
double stream_copy_gbs(std::size_t bytes, std::size_t threads) {
    const std::size_t n = bytes / sizeof(float);
    std::vector<float> a(n, 1.0F);
    std::vector<float> b(n, 2.0F);
    auto ex = sim::make_executor(threads);
    const std::size_t chunks = std::max<std::size_t>(1, threads) * 16;
    double best = 0.0;
    for (int rep = 0; rep < 5; ++rep) {
        const auto t0 = std::chrono::steady_clock::now();
        auto body = [&](std::size_t c) {
            const std::size_t from = n * c / chunks;
            const std::size_t to = n * (c + 1) / chunks;
            std::memcpy(a.data() + from, b.data() + from, (to - from) * sizeof(float));
        };
        ex->for_each(chunks, body);
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, 2.0 * double(n * sizeof(float)) / s / 1e9);
        std::swap(a, b);
    }
    return best;
}

Result run(const Options& o, std::size_t threads) {
    learning::LearningSpec spec;
    spec.agents = o.agents;
    spec.values = o.params;
    spec.seed = 42;
    spec.protocol = learning::ProtocolKind::kPushPull;
    spec.overlay = o.overlay;
    spec.degree = 8;
    spec.period_s = o.period_s;
    spec.rounds = static_cast<std::uint32_t>(o.hours * 3600.0 / o.period_s);
    spec.eval_every = spec.rounds;
    spec.comms.radio_loss = 0.0;
    auto ex = sim::make_executor(threads);
    learning::LearningSim sim(spec, nullptr, nullptr, *ex);
    // distinct starting weights per agent
    for (std::uint32_t i = 0; i < o.agents; ++i) {
        sim::RandomStream rng(spec.seed, i, 7);
        for (auto& v : sim.models().row(i)) {
            v = static_cast<float>(rng.uniform());
        }
    }
    Result r;
    r.consensus_before = learning::consensus_distance(sim.models());
    const auto t0 = std::chrono::steady_clock::now();
    sim.run();
    r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto t = sim.totals();
    r.rounds = sim.round();
    r.wire_bytes = t.bytes_sent;
    // no loss is configured: every exchange is a push and a pull, and reads two rows and
    // writes two
    if (t.lost != 0 || t.messages_sent % 2 != 0) {
        throw std::runtime_error("unexpected message loss in the benchmark");
    }
    r.exchanges = t.messages_sent / 2;
    r.averaged_bytes = r.exchanges * 4 * std::uint64_t{o.params} * sizeof(float);
    r.consensus_after = sim.series().back().consensus_distance;
    r.hash = sim.state_hash();
    r.peak_kib = bench::peak_rss_kib();
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::printf(
                "usage: learning_bench [--agents 100000] [--params 1000] [--period 10]\n"
                "                      [--hours 1] [--threads 1,2] [--overlay complete|regular]\n");
            return 0;
        }
        if (i + 1 >= argc) {
            std::cerr << "learning_bench: " << arg << " needs a value\n";
            return 2;
        }
        const std::string value = argv[++i];
        try {
            if (arg == "--agents") {
                o.agents = static_cast<std::uint32_t>(std::stod(value));
            } else if (arg == "--params") {
                o.params = static_cast<std::uint32_t>(std::stod(value));
            } else if (arg == "--period") {
                o.period_s = std::stod(value);
            } else if (arg == "--hours") {
                o.hours = std::stod(value);
            } else if (arg == "--threads") {
                o.threads = bench::parse_list<std::size_t>(value);
            } else if (arg == "--overlay") {
                o.overlay = learning::overlay_kind_from_string(value);
            } else {
                std::cerr << "learning_bench: unknown option " << arg << "\n";
                return 2;
            }
        } catch (const std::exception& e) {
            std::cerr << "learning_bench: bad value for " << arg << ": " << e.what() << "\n";
            return 2;
        }
    }
    const swarm::bench::MachineReport machine;
    std::printf(
        "learning_bench: %u agents x %u float32 parameters (%.0f MB bank), push-pull "
        "every %.0f s for %.2f h, overlay %s\n",
        o.agents, o.params, double(o.agents) * o.params * 4 / 1e6, o.period_s, o.hours,
        learning::to_string(o.overlay));
    std::printf("%7s %9s %8s %12s %10s %12s %12s %8s %9s %18s\n", "threads", "wall_s", "rounds",
                "exchanges", "wire_GB", "avg_GB/s", "copy_GB/s", "ratio", "peak_MB", "state_hash");
    for (const std::size_t th : o.threads) {
        Result r;
        if (!bench::run_in_child([&] { return run(o, th); }, r)) {
            std::fprintf(stderr, "learning_bench: run with %zu threads failed\n", th);
            return 1;
        }
        const double copy = stream_copy_gbs(std::size_t{o.agents} * o.params * 4, th);
        const double avg = double(r.averaged_bytes) / r.wall_s / 1e9;
        std::printf("%7zu %9.2f %8u %12llu %10.2f %12.2f %12.2f %7.0f%% %9.0f %18llx\n", th,
                    r.wall_s, r.rounds, static_cast<unsigned long long>(r.exchanges),
                    double(r.wire_bytes) / 1e9, avg, copy, 100.0 * avg / copy,
                    double(r.peak_kib) / 1024.0, static_cast<unsigned long long>(r.hash));
        std::printf("        consensus distance %.4g -> %.4g\n", r.consensus_before,
                    r.consensus_after);
    }
    return 0;
}
