// vrp_bench: planning quality of the central solver and of the swarm protocols' rules
// (auction, CBBA) on static VRPTW instances: Solomon R101 (when ../shared/data holds it),
// generated Solomon-like R/C/RC instances of 25, 50 and 100 customers, and tiny ones with
// brute-force optima. Prints a Markdown table: distance, vehicles, feasibility, wall time
// and the gap to the reference (best known for R101, the optimum for the tiny ones, the
// best central result over --seeds seeds for the generated ones), and (bench_util's
// MachineReport) the load average at start, then wall, CPU, CPU/wall and load at the end.
// The central solver runs for distance and with vehicles first (--min-vehicles), the
// auction with K = 4 and with every vehicle a candidate (K=all). docs/vrp.md holds a run.
// usage: vrp_bench [--r101 PATH] [--seeds N] [--iterations N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agents/planning/vrp_generate.hpp"
#include "agents/planning/vrp_solver.hpp"
#include "agents/planning/vrp_swarm.hpp"
#include "bench/bench_util.hpp"
#include "io/vrp/vrp_reader.hpp"

using namespace swarm;
using namespace swarm::planning;

namespace {

struct Row {
    std::string policy;
    Evaluation ev;
    double wall = 0.0;
    std::uint64_t work = 0;
};

struct Case {
    VrpInstance instance;
    std::string reference_kind;  // "BKS", "optimum", "best of N seeds"
    std::optional<double> reference;
};

template <class Fn>
Row timed(const std::string& policy, const VrpInstance& in, Fn fn) {
    Row row;
    row.policy = policy;
    const auto t0 = std::chrono::steady_clock::now();
    const VrpSolution sol = fn(row.work);
    row.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    row.ev = evaluate(in, sol);
    return row;
}

}  // namespace

int main(int argc, char** argv) {
    std::filesystem::path r101 = SWARM_SOLOMON_R101;
    std::uint64_t seeds = 3;
    std::uint64_t iterations = SolverOptions{}.iterations;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--r101") {
            r101 = argv[i + 1];
        } else if (flag == "--seeds") {
            seeds = std::strtoull(argv[i + 1], nullptr, 10);
        } else if (flag == "--iterations") {
            iterations = std::strtoull(argv[i + 1], nullptr, 10);
        } else {
            std::fprintf(stderr, "usage: vrp_bench [--r101 PATH] [--seeds N] [--iterations N]\n");
            return 2;
        }
    }
    if (seeds == 0) {
        seeds = 1;
    }
    const bench::MachineReport machine;  // load average now; wall, CPU, CPU/wall at the end

    std::vector<Case> cases;
    if (std::filesystem::exists(r101)) {
        cases.push_back({io::read_vrp(r101), "BKS (20 veh.; 19 veh.: 1645.79)", 1642.88});
    } else {
        std::printf("R101 skipped: %s not found\n\n", r101.string().c_str());
    }
    for (const std::size_t n : std::vector<std::size_t>{25, 50, 100}) {
        for (const Layout layout : {Layout::kRandom, Layout::kClustered, Layout::kMixed}) {
            GenerateOptions g;
            g.layout = layout;
            g.customers = n;
            g.seed = 1;
            cases.push_back({generate_instance(g),
                             "best central of " + std::to_string(seeds) + " seeds", std::nullopt});
        }
    }
    for (const Layout layout : {Layout::kRandom, Layout::kClustered, Layout::kMixed}) {
        GenerateOptions g;
        g.layout = layout;
        g.customers = 8;
        g.seed = 2;
        g.capacity = 70.0;
        g.max_half_window = 40.0;
        Case c{generate_instance(g), "optimum (enumerated)", std::nullopt};
        if (const auto opt = brute_force_optimum(c.instance)) {
            c.reference = opt->distance;
        }
        cases.push_back(std::move(c));
    }

    std::printf(
        "| instance | n | reference | policy | distance | vehicles | feasible | wall s "
        "| gap %% | work |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (Case& c : cases) {
        const VrpInstance& in = c.instance;
        std::vector<Row> rows;
        double best_central = 0.0;
        for (std::uint64_t s = 1; s <= seeds; ++s) {
            SolverOptions o;
            o.seed = s;
            o.iterations = iterations;
            Row row = timed("central", in, [&](std::uint64_t& work) {
                SolverStats st;
                VrpSolution sol = solve_central(in, o, &st);
                work = st.work;
                return sol;
            });
            if (row.ev.feasible() && (best_central == 0.0 || row.ev.distance < best_central)) {
                best_central = row.ev.distance;
            }
            if (s == 1) {
                rows.push_back(std::move(row));
            }
        }
        rows.push_back(timed("central veh. first", in, [&](std::uint64_t& work) {
            SolverOptions o;
            o.iterations = iterations;
            o.minimize_vehicles = true;
            SolverStats st;
            VrpSolution sol = solve_central(in, o, &st);
            work = st.work;
            return sol;
        }));
        if (!c.reference && best_central > 0.0) {
            c.reference = best_central;
        }
        rows.push_back(timed("auction", in, [&](std::uint64_t& work) {
            SwarmStats st;
            VrpSolution sol = solve_auction(in, {}, &st);
            work = st.work;
            return sol;
        }));
        rows.push_back(timed("auction K=all", in, [&](std::uint64_t& work) {
            AuctionOptions all;
            all.candidates = in.vehicles;
            SwarmStats st;
            VrpSolution sol = solve_auction(in, all, &st);
            work = st.work;
            return sol;
        }));
        rows.push_back(timed("cbba", in, [&](std::uint64_t& work) {
            SwarmStats st;
            VrpSolution sol = solve_cbba(in, {}, &st);
            work = st.work;
            return sol;
        }));
        for (const Row& r : rows) {
            char gap[32] = "n/a";
            if (c.reference && r.ev.feasible()) {
                std::snprintf(gap, sizeof gap, "%+.2f",
                              100.0 * (r.ev.distance / *c.reference - 1.0));
            }
            std::printf("| %s | %zu | %s %.2f | %s | %.2f | %u | %s | %.3f | %s | %llu |\n",
                        in.name.c_str(), in.customers(), c.reference_kind.c_str(),
                        c.reference.value_or(0.0), r.policy.c_str(), r.ev.distance, r.ev.vehicles,
                        r.ev.feasible() ? "yes" : "NO", r.wall, gap,
                        static_cast<unsigned long long>(r.work));
        }
        std::fflush(stdout);
    }
    std::printf(
        "\ncentral: seed 1 of %llu, %llu ruin-and-recreate iterations; gap: distance over the "
        "reference (feasible results only); work: insertion places and moves evaluated\n",
        static_cast<unsigned long long>(seeds), static_cast<unsigned long long>(iterations));
    return 0;
}
