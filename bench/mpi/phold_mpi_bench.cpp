// PHOLD across MPI ranks (docs/distributed.md): run under `mpirun -np R`, rank 0 prints one
// row: wall and CPU time (CPU summed over ranks), events/s, what crossed ranks (messages,
// their share of all messages between LPs, bytes), the time in the exchange and in the
// collectives (the slowest rank's), peak memory per rank and the event hash, which equals
// the single-process one for every R and T.
//
//   mpirun -np R phold_mpi_bench [--lps 100000] [--events 2e6] [--threads 1] [--no-header]
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "bench/bench_util.hpp"
#include "sim/engine.hpp"
#include "sim/executor.hpp"
#include "sim/models/phold.hpp"
#include "sim/mpi/mpi_exchange.hpp"
#include "sim/mpi/session.hpp"

namespace {

using namespace swarm::sim;

struct Options {
    std::uint32_t lps = 100'000;
    std::uint64_t events = 2'000'000;
    std::size_t threads = 1;
    bool header = true;
};

bool parse(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--no-header") {
            o.header = false;
            continue;
        }
        if (i + 1 >= argc) {
            std::cerr << "phold_mpi_bench: " << arg << " needs a value\n";
            return false;
        }
        const std::string v = argv[++i];
        try {
            if (arg == "--lps") {
                o.lps = static_cast<std::uint32_t>(std::stod(v));
            } else if (arg == "--events") {
                o.events = static_cast<std::uint64_t>(std::stod(v));
            } else if (arg == "--threads") {
                o.threads = std::stoul(v);
            } else {
                std::cerr << "phold_mpi_bench: unknown option " << arg << "\n";
                return false;
            }
        } catch (const std::exception&) {
            std::cerr << "phold_mpi_bench: bad value for " << arg << "\n";
            return false;
        }
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse(argc, argv, o)) {
        return 2;
    }
    const mpi::Session session;
    const std::string load_start = swarm::bench::load_average();
    PholdParams params;  // ROSS: mean 2, lookahead 1, 25% remote
    PholdModel model(o.lps, params);
    auto executor = make_executor(o.threads);
    EngineConfig config;
    config.lp_count = o.lps;
    config.lookahead = params.lookahead;
    config.seed = 42;
    Engine engine(config, model, *executor, std::make_unique<mpi::MpiExchange>());
    model.seed_events(engine);
    RunLimits limits;
    limits.max_events = o.events;
    MPI_Barrier(MPI_COMM_WORLD);
    const double cpu0 = swarm::bench::cpu_seconds();
    const auto wall0 = std::chrono::steady_clock::now();
    const RunStats stats = engine.run(limits);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    const double cpu = swarm::bench::cpu_seconds() - cpu0;
    const std::uint64_t hash = engine.event_hash();  // a collective: after the timing

    const auto& traffic = dynamic_cast<const mpi::MpiExchange&>(engine.exchange()).traffic();
    // sums over ranks, then maxima
    double sums[2] = {cpu, static_cast<double>(traffic.bytes_sent)};
    std::uint64_t counts[2] = {traffic.events_sent, engine.messages_sent()};
    double maxima[4] = {wall, traffic.exchange_seconds, traffic.reduce_seconds,
                        static_cast<double>(swarm::bench::peak_rss_kib())};
    const bool root = session.rank() == 0;
    MPI_Reduce(root ? MPI_IN_PLACE : sums, sums, 2, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(root ? MPI_IN_PLACE : counts, counts, 2, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(root ? MPI_IN_PLACE : maxima, maxima, 4, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (!root) {
        return 0;
    }
    if (o.header) {
        std::printf(
            "PHOLD (ROSS: mean=2, lookahead=1, remote=0.25), %u LPs; CPU summed over "
            "ranks; exchange, collective times and memory of the slowest rank\n",
            o.lps);
        std::printf("%5s %7s %5s %10s %8s %8s %8s %9s %11s %7s %9s %8s %8s %9s %14s %18s\n",
                    "ranks", "threads", "parts", "events", "wall s", "CPU s", "CPU/wall", "Mev/s",
                    "x-rank msg", "share", "MiB sent", "exch s", "coll s", "peak MiB",
                    "load (start)", "event hash");
    }
    const double mev = static_cast<double>(stats.events) / maxima[0] / 1e6;
    std::printf(
        "%5d %7zu %5zu %10llu %8.2f %8.2f %8.2f %9.3f %11llu %6.1f%% %9.1f %8.2f %8.2f %9.1f "
        "%14s   %016llx\n",
        session.size(), o.threads, engine.partitions(),
        static_cast<unsigned long long>(stats.events), maxima[0], sums[0], sums[0] / maxima[0], mev,
        static_cast<unsigned long long>(counts[0]),
        counts[1] == 0 ? 0.0
                       : 100.0 * static_cast<double>(counts[0]) / static_cast<double>(counts[1]),
        sums[1] / (1024.0 * 1024.0), maxima[1], maxima[2], maxima[3] / 1024.0, load_start.c_str(),
        static_cast<unsigned long long>(hash));
    return 0;
}
