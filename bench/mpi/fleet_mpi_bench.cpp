// The fleet of bench/fleet (the generated grid city) across MPI ranks (docs/distributed.md):
// run under `mpirun -np R`, rank 0 prints one row: wall time (slowest rank), CPU time summed
// over ranks, events/s, peak RSS per rank (largest and smallest), the share of the slowest
// rank's wall in the window exchange (headers and payloads, waiting included) and in the
// state all-gathers and sums, kernel messages that crossed ranks and their MiB, state
// records and their MiB, the load average at the start and the event and KPI hashes, which
// equal the single-process ones for every R. At R = 1 the run is the plain one-process run
// (no MPI exchange). bench/mpi/scaling.sh --fleet runs it for several R.
//
//   mpirun -np R fleet_mpi_bench [--vehicles 10000] [--depots 100] [--nodes 100000]
//                                [--hours 1] [--demand 400] [--threads 1] [--no-header]
#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "bench/bench_util.hpp"
#include "bench/suite/measure.hpp"
#include "sim/mpi/mpi_exchange.hpp"
#include "sim/mpi/session.hpp"

namespace {

using namespace swarm;

struct Options {
    bench::FleetBenchParams params;
    bool header = true;
};

bool parse(int argc, char** argv, Options& o) {
    bench::BenchCityParams& city = o.params.city;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--no-header") {
            o.header = false;
            continue;
        }
        if (i + 1 >= argc) {
            std::cerr << "fleet_mpi_bench: " << arg << " needs a value\n";
            return false;
        }
        const std::string v = argv[++i];
        try {
            if (arg == "--vehicles") {
                city.vehicles = static_cast<std::uint32_t>(std::stod(v));
            } else if (arg == "--depots") {
                city.depots = static_cast<std::uint32_t>(std::stod(v));
            } else if (arg == "--nodes") {
                city.nodes = static_cast<std::size_t>(std::stod(v));
            } else if (arg == "--hours") {
                o.params.hours = std::stod(v);
            } else if (arg == "--demand") {
                city.demand_per_depot_hour = std::stod(v);
            } else if (arg == "--threads") {
                o.params.threads = std::stoul(v);
            } else {
                std::cerr << "fleet_mpi_bench: unknown option " << arg << "\n";
                return false;
            }
        } catch (const std::exception&) {
            std::cerr << "fleet_mpi_bench: bad value for " << arg << "\n";
            return false;
        }
    }
    return true;
}

// what one rank measured, beyond bench::FleetResult
struct RankFigures {
    double exchange_s = 0;    // window exchanges
    double collective_s = 0;  // state all-gathers and sums
    std::uint64_t crossed = 0;
    std::uint64_t messages = 0;
    std::uint64_t event_bytes = 0;
    std::uint64_t records = 0;
    std::uint64_t state_bytes = 0;
    std::uint64_t syncs = 0;
    std::uint64_t collectives = 0;
};

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse(argc, argv, o)) {
        return 2;
    }
    const sim::mpi::Session session;
    const std::string load_start = bench::load_average();
    const int ranks = session.size();
    bench::FleetBenchParams& p = o.params;
    // as `swarmsim run` does: `threads` partitions per rank
    p.partitions = p.threads * static_cast<std::size_t>(ranks);
    // lockstep windows on any rank count, so that `windows` and collectives per window count
    // the barriers (running ahead, a fleet run counts segments: the same results)
    p.run_ahead_lookaheads = 0;
    if (ranks > 1) {
        p.exchange = [] { return std::make_unique<sim::mpi::MpiExchange>(MPI_COMM_WORLD); };
    }
    p.before_run = [] { MPI_Barrier(MPI_COMM_WORLD); };
    RankFigures f;
    p.after_run = [&f](agents::FleetRun& run) {
        const sim::Engine& engine = run.engine();
        f.messages = engine.messages_sent();
        const agents::FleetModel::ReplicaStats& rs = run.model().replica_stats();
        f.records = rs.vehicle_records + rs.depot_records + rs.dispatcher_records;
        f.syncs = rs.syncs;
        if (const auto* mpi = dynamic_cast<const sim::mpi::MpiExchange*>(&engine.exchange())) {
            const sim::mpi::Traffic& t = mpi->traffic();
            f.exchange_s = t.exchange_seconds;
            f.collective_s = t.gather_seconds + t.reduce_seconds;
            f.crossed = t.events_sent;
            f.event_bytes = t.bytes_sent;
            f.state_bytes = t.gathered_bytes;
            f.collectives = t.collectives;
        }
    };
    const bench::FleetResult r = bench::measure_fleet(p);

    // sums over ranks, then maxima and minima
    const bool root = session.rank() == 0;
    double sums[1] = {r.cpu_s};
    std::uint64_t counts[6] = {f.crossed, f.messages,    f.event_bytes,
                               f.records, f.state_bytes, f.collectives};
    double maxima[5] = {r.wall_s, r.setup_s, f.exchange_s, f.collective_s,
                        static_cast<double>(r.peak_kib)};
    double min_peak = static_cast<double>(r.peak_kib);
    MPI_Reduce(root ? MPI_IN_PLACE : sums, sums, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(root ? MPI_IN_PLACE : counts, counts, 6, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(root ? MPI_IN_PLACE : maxima, maxima, 5, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(root ? MPI_IN_PLACE : &min_peak, &min_peak, 1, MPI_DOUBLE, MPI_MIN, 0,
               MPI_COMM_WORLD);
    if (!root) {
        return 0;
    }
    const bench::BenchCityParams& city = p.city;
    if (o.header) {
        std::printf(
            "fleet: %u vehicles, %u depots, %zu-node grid city, %.2f h, %.0f orders/depot/h; "
            "wall, setup, exchange and collective shares of the slowest rank, CPU summed over "
            "ranks\n",
            city.vehicles, city.depots, city.nodes, p.hours, city.demand_per_depot_hour);
        std::printf(
            "%5s %4s %5s %10s %8s %7s %8s %8s %8s %7s %13s %6s %6s %10s %6s %8s %6s %10s %9s "
            "%6s %15s %18s %18s\n",
            "ranks", "thr", "parts", "events", "windows", "setup s", "wall s", "CPU s", "CPU/wall",
            "Mev/s", "peak MiB/rank", "exch%", "coll%", "x-rank msg", "share", "MiB", "syncs",
            "records", "state MiB", "coll/w", "load (start)", "KPI hash", "event hash");
    }
    const double wall = maxima[0];
    const auto mib = [](std::uint64_t b) { return static_cast<double>(b) / 1048576.0; };
    char peaks[32];
    std::snprintf(peaks, sizeof peaks, "%.0f-%.0f", min_peak / 1024.0, maxima[4] / 1024.0);
    // collectives per window on one rank (the window exchange's plus the state syncs')
    const double per_window = r.windows == 0
                                  ? 0.0
                                  : static_cast<double>(counts[5]) / static_cast<double>(ranks) /
                                        static_cast<double>(r.windows);
    const double share =
        counts[1] == 0 ? 0.0
                       : 100.0 * static_cast<double>(counts[0]) / static_cast<double>(counts[1]);
    std::printf(
        "%5d %4zu %5zu %10llu %8llu %7.1f %8.2f %8.2f %8.2f %7.3f %13s %5.1f%% %5.1f%% %10llu "
        "%5.1f%% %8.1f %6llu %10llu %9.1f %6.2f %15s   %016llx   %016llx\n",
        ranks, p.threads, p.partitions, static_cast<unsigned long long>(r.events),
        static_cast<unsigned long long>(r.windows), maxima[1], wall, sums[0], sums[0] / wall,
        static_cast<double>(r.events) / wall / 1e6, peaks, 100.0 * maxima[2] / wall,
        100.0 * maxima[3] / wall, static_cast<unsigned long long>(counts[0]), share, mib(counts[2]),
        static_cast<unsigned long long>(f.syncs), static_cast<unsigned long long>(counts[3]),
        mib(counts[4]), per_window, load_start.c_str(), static_cast<unsigned long long>(r.kpi_hash),
        static_cast<unsigned long long>(r.event_hash));
    return 0;
}
