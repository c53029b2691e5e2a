// `swarmsim vrp INSTANCE`: a static VRPTW/CVRP instance (Solomon or VRPLIB) solved by the
// central planner or by the swarm protocols' decision rules (docs/vrp.md).
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "agents/planning/vrp.hpp"
#include "agents/planning/vrp_solver.hpp"
#include "agents/planning/vrp_swarm.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "io/vrp/vrp_reader.hpp"

namespace swarm::cli {

namespace {

struct VrpOptions {
    std::string instance;
    std::string policy = "central";
    bool json = false;
    std::uint64_t seed = 1;
    std::uint64_t iterations = planning::SolverOptions{}.iterations;
    double time_limit_s = 0.0;
    bool min_vehicles = false;
    std::uint32_t candidates = 4;
    std::string announce = "ready";
};

int run_vrp(const VrpOptions& o) {
    planning::VrpInstance in;
    io::VrpFormat format = io::VrpFormat::kSolomon;
    try {
        in = io::read_vrp(o.instance, &format);
    } catch (const io::VrpFileError& e) {
        std::cerr << "swarmsim vrp: " << e.what() << "\n";
        return e.io() ? kExitIo : kExitInvalidInput;
    }
    planning::VrpSolution sol;
    std::uint64_t work = 0;
    std::string detail;
    const auto t0 = std::chrono::steady_clock::now();
    if (o.policy == "central") {
        planning::SolverOptions so;
        so.seed = o.seed;
        so.iterations = o.iterations;
        so.time_limit_s = o.time_limit_s;
        so.minimize_vehicles = o.min_vehicles;
        planning::SolverStats st;
        sol = planning::solve_central(in, so, &st);
        work = st.work;
        detail = std::to_string(st.iterations) + " ruin-and-recreate iterations, seed " +
                 std::to_string(o.seed) +
                 (o.min_vehicles ? ", vehicles first, then distance" : ", distance");
    } else if (o.policy == "auction") {
        planning::AuctionOptions ao;
        ao.candidates = o.candidates;
        ao.announce = o.announce == "file" ? planning::AuctionOptions::Announce::kFile
                                           : planning::AuctionOptions::Announce::kReadyTime;
        planning::SwarmStats st;
        sol = planning::solve_auction(in, ao, &st);
        work = st.work;
        detail = "K = " + std::to_string(o.candidates) + ", orders announced by " +
                 (o.announce == "file" ? "file order" : "ready time") + ", " +
                 std::to_string(st.offers) + " offers";
    } else {
        planning::SwarmStats st;
        sol = planning::solve_cbba(in, {}, &st);
        work = st.work;
        detail = std::to_string(st.rounds) + " consensus rounds on the complete graph, " +
                 grouped(st.messages) + " messages, " +
                 (st.converged ? "converged" : "NOT converged");
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const planning::Evaluation ev = planning::evaluate(in, sol);
    const char* fmt = format == io::VrpFormat::kVrplib ? "vrplib" : "solomon";
    if (o.json) {
        std::cout << "{\"instance\": " << quoted(in.name) << ", \"file\": " << quoted(o.instance)
                  << ", \"format\": " << quoted(fmt) << ", \"customers\": " << in.customers()
                  << ", \"policy\": " << quoted(o.policy) << ", \"seed\": " << o.seed
                  << ",\n \"distance\": " << number(ev.distance)
                  << ", \"vehicles\": " << ev.vehicles
                  << ", \"feasible\": " << (ev.feasible() ? "true" : "false")
                  << ", \"served\": " << ev.served << ", \"wall_seconds\": " << number(wall)
                  << ", \"work\": " << work << ",\n \"violations\": [";
        for (std::size_t i = 0; i < ev.violations.size(); ++i) {
            const planning::Violation& v = ev.violations[i];
            std::cout << (i == 0 ? "" : ", ") << "{\"kind\": " << quoted(to_string(v.kind))
                      << ", \"route\": " << (v.route + 1) << ", \"customer\": "
                      << (v.node > 0 && v.node < in.nodes.size()
                              ? std::to_string(in.nodes[v.node].number)
                              : std::string("null"))
                      << ", \"amount\": " << number(v.amount) << "}";
        }
        std::cout << "],\n \"routes\": [";
        bool first = true;
        for (const planning::Route& r : sol.routes) {
            if (r.empty()) {
                continue;
            }
            std::cout << (first ? "\n  [" : ",\n  [");
            first = false;
            for (std::size_t k = 0; k < r.size(); ++k) {
                std::cout << (k == 0 ? "" : ", ")
                          << (r[k] < in.nodes.size() ? in.nodes[r[k]].number : -1);
            }
            std::cout << "]";
        }
        std::cout << "]}\n";
        return kExitOk;
    }
    std::cout << "instance " << in.name << " (" << fmt << ", " << in.customers() << " customers, "
              << in.vehicles << " vehicles of capacity " << in.capacity << ")\n"
              << "policy   " << o.policy << ": " << detail << "\n"
              << "distance " << fixed(ev.distance, 2) << "\n"
              << "vehicles " << ev.vehicles << "\n"
              << "feasible " << (ev.feasible() ? "yes" : "NO") << "\n";
    for (const planning::Violation& v : ev.violations) {
        std::cout << "  violation: " << to_string(v.kind);
        if (v.node > 0 && v.node < in.nodes.size()) {
            std::cout << ", customer " << in.nodes[v.node].number;
        }
        if (v.kind != planning::Violation::Kind::kUnserved &&
            v.kind != planning::Violation::Kind::kTooManyRoutes) {
            std::cout << ", route #" << (v.route + 1);
        }
        if (v.amount > 0.0) {
            std::cout << ", by " << fixed(v.amount, 4);
        }
        std::cout << "\n";
    }
    std::cout << "wall     " << fixed(wall, 3) << " s (work " << grouped(work)
              << " places and moves evaluated)\n"
              << planning::format_routes(in, sol);
    return kExitOk;
}

}  // namespace

void add_vrp_command(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<VrpOptions>();
    CLI::App* vrp = app.add_subcommand(
        "vrp",
        "Solve a static VRPTW/CVRP instance (Solomon or VRPLIB file) centrally or by "
        "the swarm protocols' rules");
    vrp->add_option("instance", o->instance, "Instance file (Solomon .txt or VRPLIB .vrp)")
        ->required();
    vrp->add_option("--policy", o->policy, "central (solver), auction or cbba")
        ->check(CLI::IsMember({"central", "auction", "cbba"}));
    vrp->add_flag("--json", o->json, "Print the result as JSON on stdout");
    vrp->add_option("--seed", o->seed, "Seed of the central solver (default 1)");
    vrp->add_option("--iterations", o->iterations,
                    "Ruin-and-recreate iterations of the central solver")
        ->check(CLI::NonNegativeNumber);
    vrp->add_option("--time-limit", o->time_limit_s,
                    "Also stop the central solver after this many seconds (result then depends "
                    "on the machine)")
        ->check(CLI::NonNegativeNumber);
    vrp->add_flag("--min-vehicles", o->min_vehicles,
                  "Central: fewest vehicles first, then distance (default: distance only)");
    vrp->add_option("--candidates", o->candidates, "auction: vehicles offered each order (K)")
        ->check(CLI::Range(1U, 1000000U));
    vrp->add_option("--announce", o->announce, "auction: order of announcement, ready or file")
        ->check(CLI::IsMember({"ready", "file"}));
    vrp->callback([o, &exit_code] { exit_code = run_vrp(*o); });
}

}  // namespace swarm::cli
