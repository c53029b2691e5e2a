// Random fastest-path queries per second on one core: a 100,000-node generated grid city and
// the Monaco OSM extract (skipped when ../shared/data/monaco.osm.pbf is absent).
//   routing_bench [--queries N] [--repeats R] [--landmarks K] [--nodes N]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "agents/routing/router.hpp"
#include "agents/world/generators.hpp"
#include "bench/bench_util.hpp"
#include "bench/suite/measure.hpp"
#include "io/network/network_loader.hpp"

using namespace swarm;

namespace {

struct Options {
    std::size_t queries = 2000;
    std::size_t repeats = 5;
    std::size_t landmarks = 16;
    std::size_t nodes = 100000;
};

using Pairs = bench::RoutePairs;

// queries per second (median of repeats) and mean settled nodes per query
void measure(const char* label, routing::Router& router, const Pairs& pairs, bool with_path,
             std::size_t repeats) {
    const bench::RoutingResult r = bench::measure_routing(router, pairs, with_path, repeats);
    std::printf("  %-28s %10.0f queries/s  (%8.0f settled/query, checksum %.6g)\n", label,
                r.queries_per_second, r.settled_per_query, r.checksum);
}

void run_all(const world::RoadNetwork& net, const Options& opt) {
    std::printf("  %zu nodes, %zu edges, %.1f MB\n", net.node_count(), net.edge_count(),
                static_cast<double>(net.memory_bytes()) / 1e6);
    const Pairs pairs = bench::random_pairs(net, opt.queries, 42);
    const Pairs few(
        pairs.begin(),
        pairs.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(
                            pairs.size(), std::max<std::size_t>(opt.queries / 10, 20))));

    routing::RouterOptions alt;
    alt.landmark_count = opt.landmarks;
    const auto t0 = std::chrono::steady_clock::now();
    const routing::RouterFactory alt_factory(net, alt);
    const double prep =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("  ALT preprocessing (%zu landmarks): %.2f s\n", opt.landmarks, prep);
    auto alt_router = alt_factory.make();
    measure("alt, with path", *alt_router, pairs, true, opt.repeats);
    measure("alt, time only", *alt_router, pairs, false, opt.repeats);

    routing::RouterOptions line;
    line.landmark_count = 0;
    auto astar = routing::make_router(net, line);
    measure("astar (line), with path", *astar, few, true, opt.repeats);

    routing::RouterOptions plain;
    plain.kind = routing::RouterKind::kDijkstra;
    auto dijkstra = routing::make_router(net, plain);
    measure("dijkstra, with path", *dijkstra, few, true, opt.repeats);
}

std::size_t parse_count(const char* flag, const char* value) {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(value, &end, 10);
    if (end == value || *end != '\0' || n == 0) {
        std::fprintf(stderr, "routing_bench: %s needs a positive integer\n", flag);
        std::exit(2);
    }
    return static_cast<std::size_t>(n);
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 < argc && arg == "--queries") {
            opt.queries = parse_count("--queries", argv[++i]);
        } else if (i + 1 < argc && arg == "--repeats") {
            opt.repeats = parse_count("--repeats", argv[++i]);
        } else if (i + 1 < argc && arg == "--landmarks") {
            opt.landmarks = parse_count("--landmarks", argv[++i]);
        } else if (i + 1 < argc && arg == "--nodes") {
            opt.nodes = parse_count("--nodes", argv[++i]);
        } else {
            std::fprintf(stderr,
                         "usage: routing_bench [--queries N] [--repeats R] [--landmarks K] "
                         "[--nodes N]\n");
            return 2;
        }
    }
    const swarm::bench::MachineReport machine;
    std::printf("routing_bench: %zu random queries, median of %zu repeats, one thread\n",
                opt.queries, opt.repeats);
    std::printf("(A* line and Dijkstra run a tenth of the queries)\n");

    world::GridCityParams city;
    city.rows = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(opt.nodes))));
    city.cols = city.rows;
    city.seed = 7;
    const world::RoadNetwork grid = world::make_grid_city(city);
    std::printf("\ngrid city %zux%zu:\n", city.rows, city.cols);
    run_all(grid, opt);

    const std::filesystem::path monaco = SWARM_MONACO_PBF;
    if (!std::filesystem::exists(monaco)) {
        std::printf("\nmonaco: skipped, %s not found\n", monaco.string().c_str());
        return 0;
    }
    const world::RoadNetwork net = io::load_network(monaco);
    std::printf("\nmonaco:\n");
    run_all(net, opt);
    return 0;
}
