// Checkpoint cost on the fleet benchmark city (bench/fleet/bench_city.hpp): a run to --at
// simulated seconds, then per size the checkpoint's arrays and bytes, and the median over
// --repeat of: saving the run into memory (FleetRun::save), writing the HDF5 file, reading it
// back, and resuming a fresh run from it (FleetRun::resume, which loads every state struct).
//
//   checkpoint_bench [--vehicles 10000,100000] [--at 600] [--threads 2] [--repeat 3]
//                    [--out /tmp/swarm_checkpoint_bench.h5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "agents/fleet/fleet_run.hpp"
#include "bench/bench_util.hpp"
#include "bench/fleet/bench_city.hpp"
#include "io/checkpoint/checkpoint_file.hpp"

namespace {

using namespace swarm;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::uint32_t> sizes = {10'000, 100'000};
    double at_s = 600.0;
    std::size_t threads = 2;
    std::size_t repeat = 3;
    std::string out = "/tmp/swarm_checkpoint_bench.h5";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::printf(
                "usage: checkpoint_bench [--vehicles 10000,100000] [--at 600] [--threads 2] "
                "[--repeat 3] [--out FILE]\n");
            return 0;
        }
        if (i + 1 >= argc) {
            std::cerr << "checkpoint_bench: " << arg << " needs a value\n";
            return 2;
        }
        const std::string value = argv[++i];
        try {
            if (arg == "--vehicles") {
                sizes = bench::parse_list<std::uint32_t>(value);
            } else if (arg == "--at") {
                at_s = std::stod(value);
            } else if (arg == "--threads") {
                threads = std::stoul(value);
            } else if (arg == "--repeat") {
                repeat = std::max<std::size_t>(1, std::stoul(value));
            } else if (arg == "--out") {
                out = value;
            } else {
                std::cerr << "checkpoint_bench: unknown option " << arg << "\n";
                return 2;
            }
        } catch (const std::exception&) {
            std::cerr << "checkpoint_bench: bad value for " << arg << "\n";
            return 2;
        }
    }
    const bench::MachineReport machine;
    std::printf("checkpoint_bench: bench city, run to %.0f s with %zu threads, median of %zu\n",
                at_s, threads, repeat);
    std::printf("%10s %8s %10s %9s %9s %9s %9s %9s\n", "vehicles", "arrays", "MB", "save_s",
                "write_s", "read_s", "resume_s", "run_s");
    for (const std::uint32_t n : sizes) {
        bench::BenchCityParams cp;
        cp.vehicles = n;
        cp.depots = 100;
        cp.nodes = 100'000;
        const bench::BenchCity city = bench::make_bench_city(cp);
        agents::FleetRunOptions ro;
        ro.seed = 1;
        ro.threads = threads;
        ro.routers = city.routers.get();
        ro.sample_interval = city.spec.time.from_seconds(300.0);
        const auto run0 = Clock::now();
        agents::FleetRun run(city.spec, ro);
        sim::RunLimits limits;
        limits.until = city.spec.time.from_seconds(at_s);
        run.run(limits);
        const double run_s = seconds_since(run0);
        std::vector<double> save_s;
        std::vector<double> write_s;
        std::vector<double> read_s;
        std::vector<double> resume_s;
        std::size_t arrays = 0;
        std::uintmax_t bytes = 0;
        for (std::size_t r = 0; r < repeat; ++r) {
            auto t0 = Clock::now();
            sim::StateArchive ar;
            run.save(ar);
            save_s.push_back(seconds_since(t0));
            arrays = ar.arrays().size();
            t0 = Clock::now();
            io::write_checkpoint(out, ar, true);
            write_s.push_back(seconds_since(t0));
            bytes = std::filesystem::file_size(out);
            t0 = Clock::now();
            const sim::StateArchive back = io::read_checkpoint(out);
            read_s.push_back(seconds_since(t0));
            agents::FleetRun resumed(city.spec, ro);
            t0 = Clock::now();
            resumed.resume(back);
            resume_s.push_back(seconds_since(t0));
        }
        std::printf("%10u %8zu %10.1f %9.3f %9.3f %9.3f %9.3f %9.1f\n", n, arrays,
                    static_cast<double>(bytes) / 1e6, bench::median(save_s), bench::median(write_s),
                    bench::median(read_s), bench::median(resume_s), run_s);
        std::fflush(stdout);
    }
    std::filesystem::remove(out);
    return 0;
}
