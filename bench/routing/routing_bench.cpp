// Random fastest-path queries per second on one core: a 100,000-node generated grid city and
// the Monaco OSM extract (skipped when ../shared/data/monaco.osm.pbf is absent). Also the CCH's
// preprocessing, customization and one-to-many / matrix times, and our Dijkstra against
// Boost.Graph's dijkstra_shortest_paths (one-to-all searches on the same graph), and ALT
// under a time-of-day speed profile.
//   routing_bench [--queries N] [--repeats R] [--landmarks K] [--nodes N] [--cch-only]
#include <algorithm>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/dijkstra_shortest_paths_no_color_map.hpp>
#include <boost/property_map/property_map.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "agents/routing/cch_metric.hpp"
#include "agents/routing/cch_router.hpp"
#include "agents/routing/cch_topology.hpp"
#include "agents/routing/dijkstra.hpp"
#include "agents/routing/landmarks.hpp"
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
    bool cch_only = false;  // skip ALT, A*, Dijkstra and Boost (quicker CCH figures)
};

using Pairs = bench::RoutePairs;

// queries per second (median of repeats) and mean settled nodes per query
void measure(const char* label, routing::Router& router, const Pairs& pairs, bool with_path,
             std::size_t repeats) {
    const bench::RoutingResult r = bench::measure_routing(router, pairs, with_path, repeats);
    std::printf("  %-28s %10.0f queries/s  (%8.0f per CPU s; %8.0f settled/query, checksum %.6g)\n",
                label, r.queries_per_second, r.cpu_queries_per_second, r.settled_per_query,
                r.checksum);
}

using Clock = std::chrono::steady_clock;

// time of day (docs/routing.md): a morning peak, main roads at half speed from 8 to 9 and
// 70 % around it, streets at 70 % from 8 to 9; departures spread over 07:30-08:30, so that
// routes meet the peak's start
void measure_time_of_day(const world::RoadNetwork& net, routing::Router& router, const Pairs& pairs,
                         std::size_t repeats) {
    routing::SpeedProfile::Classes f = routing::SpeedProfile::flat();
    for (const auto c :
         {world::RoadClass::kMotorway, world::RoadClass::kTrunk, world::RoadClass::kPrimary,
          world::RoadClass::kSecondary, world::RoadClass::kTertiary}) {
        auto& h = f[static_cast<std::size_t>(c)];
        h[7] = 0.7;
        h[8] = 0.5;
        h[9] = 0.7;
    }
    f[static_cast<std::size_t>(world::RoadClass::kResidential)][8] = 0.7;
    const routing::SpeedProfile profile(f, net);
    std::vector<double> rates;
    double settled = 0.0;
    double checksum = 0.0;
    for (std::size_t r = 0; r < std::max<std::size_t>(1, repeats); ++r) {
        std::size_t settled_sum = 0;
        const auto start = Clock::now();
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            routing::RouteView view;
            view.profile = &profile;
            view.depart_s =
                7.5 * 3600.0 + 3600.0 * static_cast<double>(i) / static_cast<double>(pairs.size());
            const routing::Route route = router.fastest(pairs[i].first, pairs[i].second, view);
            checksum += route.travel_time_s + static_cast<double>(route.edges.size());
            settled_sum += router.last_stats().settled;
        }
        rates.push_back(static_cast<double>(pairs.size()) /
                        std::chrono::duration<double>(Clock::now() - start).count());
        settled = static_cast<double>(settled_sum) / static_cast<double>(pairs.size());
    }
    std::printf("  %-28s %10.0f queries/s  (%8.0f settled/query, checksum %.6g)\n",
                "alt, time of day, with path", bench::median(rates), settled, checksum);
}

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::vector<world::NodeId> random_nodes(const world::RoadNetwork& net, std::size_t count,
                                        std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<world::NodeId> nodes(count);
    for (auto& v : nodes) {
        v = static_cast<world::NodeId>(rng() % net.node_count());
    }
    return nodes;
}

// median seconds of fn() over the repeats, wall clock; cpu (if given): the median thread CPU
// seconds
template <class Fn>
double median_seconds(std::size_t repeats, Fn&& fn, double* cpu = nullptr) {
    std::vector<double> s;
    std::vector<double> c;
    for (std::size_t r = 0; r < std::max<std::size_t>(1, repeats); ++r) {
        const auto t0 = Clock::now();
        const double cpu0 = bench::thread_cpu_seconds();
        fn(r);
        c.push_back(bench::thread_cpu_seconds() - cpu0);
        s.push_back(since(t0));
    }
    if (cpu != nullptr) {
        *cpu = bench::median(c);
    }
    return bench::median(s);
}

void run_cch(const world::RoadNetwork& net, const Options& opt, const Pairs& pairs) {
    // order and contraction: the metric-independent part, once per network
    std::vector<double> order_s;
    std::vector<double> contract_s;
    for (std::size_t r = 0; r < std::min<std::size_t>(opt.repeats, 3); ++r) {
        const routing::CchTopology t(net, 1);
        order_s.push_back(t.order_seconds());
        contract_s.push_back(t.contraction_seconds());
    }
    const auto top = std::make_shared<const routing::CchTopology>(net, 1);
    std::printf("  CCH order (METIS_NodeND):   %8.3f s   (median of %zu)\n", bench::median(order_s),
                order_s.size());
    std::printf(
        "  CCH contraction:            %8.3f s   %zu arcs, %zu triangles, tree height "
        "%zu, %.1f MB\n",
        bench::median(contract_s), top->arc_count(), top->triangle_count(), top->tree_height(),
        static_cast<double>(top->memory_bytes()) / 1e6);
    using Mode = routing::CchMetric::Mode;
    const auto free =
        std::make_shared<const routing::CchMetric>(top, routing::RouteView{}, Mode::kPerfect);
    // the landmarks a kCch factory builds too: their bounds prune the CCH's tree walks
    const auto t_lm = Clock::now();
    const auto landmarks = std::make_shared<const routing::Landmarks>(
        routing::Landmarks::build(net, opt.landmarks, 1));
    std::printf("  CCH landmarks (%zu):         %8.3f s\n", opt.landmarks, since(t_lm));
    routing::CchRouter router(free, landmarks);
    for (const Mode mode : {Mode::kPerfect, Mode::kBasic}) {
        const char* name = mode == Mode::kPerfect ? "perfect" : "basic";
        std::vector<double> custom_s;
        std::size_t bytes = 0;
        std::size_t kept = 0;
        std::vector<double> custom_cpu_s;
        for (std::size_t r = 0; r < opt.repeats; ++r) {
            const double cpu0 = bench::thread_cpu_seconds();
            const routing::CchMetric m(top, {}, mode);
            custom_cpu_s.push_back(bench::thread_cpu_seconds() - cpu0);
            custom_s.push_back(m.customization_seconds());
            bytes = m.memory_bytes();
            kept = m.query_arc_count();
        }
        std::printf(
            "  CCH customization, %-7s   %8.3f s   (%.3f CPU s; free flow; %zu directed arcs for "
            "queries, %.1f MB)\n",
            name, bench::median(custom_s), bench::median(custom_cpu_s), kept,
            static_cast<double>(bytes) / 1e6);
        // a new closure on a used road, then the whole metric again (what a barrier would do)
        routing::CchMetric metric(top, {}, mode);
        world::EdgeMask mask(net.edge_count());
        std::vector<double> cpu_s;
        const double recustomize = median_seconds(opt.repeats, [&](std::size_t r) {
            const routing::Route route = router.fastest(pairs[r].first, pairs[r].second);
            if (!route.edges.empty()) {
                mask.set(route.edges[route.edges.size() / 2]);
            }
            const double cpu0 = bench::thread_cpu_seconds();
            metric.customize(routing::RouteView{&mask});
            cpu_s.push_back(bench::thread_cpu_seconds() - cpu0);
        });
        std::printf(
            "  CCH re-customization, %-7s%7.3f s   (%.3f CPU s; after one more closure, %zu "
            "closed)\n",
            name, recustomize, bench::median(cpu_s), mask.count());
        // point-to-point under that metric (explicit CchMetric queries)
        std::vector<double> rates;
        std::vector<double> cpu_rates;
        double checksum = 0.0;
        for (std::size_t r = 0; r < opt.repeats; ++r) {
            const auto t0 = Clock::now();
            const double cpu0 = bench::thread_cpu_seconds();
            for (const auto& [a, b] : pairs) {
                const routing::Route route = router.fastest(a, b, metric);
                checksum += route.travel_time_s + static_cast<double>(route.edges.size());
            }
            rates.push_back(static_cast<double>(pairs.size()) / since(t0));
            cpu_rates.push_back(static_cast<double>(pairs.size()) /
                                (bench::thread_cpu_seconds() - cpu0));
        }
        std::printf(
            "  %-28s %10.0f queries/s  (%8.0f per CPU s; with path, under the closures, "
            "checksum %.6g)\n",
            mode == Mode::kPerfect ? "cch perfect metric" : "cch basic metric",
            bench::median(rates), bench::median(cpu_rates), checksum);
    }
    measure("cch free flow, with path", router, pairs, true, opt.repeats);
    measure("cch free flow, time only", router, pairs, false, opt.repeats);

    // one-to-many: a vehicle to 100 candidates; many-to-many: the planner's matrix
    const auto sources = random_nodes(net, 200, 5);
    const auto targets = random_nodes(net, 100, 6);
    std::vector<double> row(targets.size());
    double checksum = 0.0;
    // with landmarks: one whole forward walk, then a pruned backward walk per target; without
    // (the bucket scheme matrices use): every target's whole backward walk into buckets
    routing::CchRouter no_bounds(free);
    for (routing::CchRouter* r : {&router, &no_bounds}) {
        double cpu = 0.0;
        const double wall = median_seconds(
            opt.repeats,
            [&](std::size_t) {
                for (const world::NodeId s : sources) {
                    r->travel_times(s, targets, row);
                    checksum += row[0];
                }
            },
            &cpu);
        std::printf("  %-28s %10.0f queries/s  (%8.0f per CPU s; 1 source to %zu targets%s)\n",
                    "cch, one-to-many", static_cast<double>(sources.size()) / wall,
                    static_cast<double>(sources.size()) / cpu, targets.size(),
                    r == &router ? "" : ", buckets, no landmarks");
    }
    routing::RouterOptions alt;
    alt.landmark_count = opt.landmarks;
    auto alt_router = routing::make_router(net, alt);
    const auto few_sources = std::span(sources).first(20);
    double alt_cpu = 0.0;
    const double alt_one_to_many = median_seconds(
        opt.repeats,
        [&](std::size_t) {
            for (const world::NodeId s : few_sources) {
                alt_router->travel_times(s, targets, row);
                checksum += row[0];
            }
        },
        &alt_cpu);
    std::printf("  %-28s %10.0f queries/s  (%8.0f per CPU s; its Dijkstra-order one-to-many)\n",
                "alt, one-to-many", static_cast<double>(few_sources.size()) / alt_one_to_many,
                static_cast<double>(few_sources.size()) / alt_cpu);
    const auto square = random_nodes(net, 200, 7);
    std::vector<double> matrix(square.size() * square.size());
    double m_cpu = 0.0;
    const double m_s = median_seconds(
        opt.repeats,
        [&](std::size_t) {
            router.travel_time_matrix(square, square, matrix);
            checksum += matrix[1];
        },
        &m_cpu);
    std::printf("  %-28s %10.1f ms         (%.1f CPU ms; %zu x %zu, checksum %.6g)\n",
                "cch, matrix", 1e3 * m_s, 1e3 * m_cpu, square.size(), square.size(), checksum);
}

// one-to-all searches from the same sources: ours against Boost.Graph's (with and without
// its color map), same CSR graph, same weights; the distances must agree exactly
void run_dijkstra_vs_boost(const world::RoadNetwork& net, const Options& opt) {
    const auto sources = random_nodes(net, 10, 8);
    routing::DijkstraRouter ours(net);
    const world::Graph& g = net.graph();
    const auto weights = boost::make_iterator_property_map(net.travel_times_s().data(),
                                                           boost::get(boost::edge_index, g));
    std::vector<double> dist(net.node_count());
    std::vector<world::NodeId> pred(net.node_count());
    const auto index = boost::get(boost::vertex_index, g);
    const auto dist_map = boost::make_iterator_property_map(dist.begin(), index);
    const auto pred_map = boost::make_iterator_property_map(pred.begin(), index);
    std::vector<world::NodeId> all(net.node_count());
    for (world::NodeId v = 0; v < all.size(); ++v) {
        all[v] = v;
    }
    std::vector<double> mine(all.size());
    std::size_t differ = 0;
    const auto compare = [&] {
        for (std::size_t v = 0; v < all.size(); ++v) {
            const double b =
                dist[v] == std::numeric_limits<double>::max() ? routing::kUnreachable : dist[v];
            differ += b != mine[v] ? 1U : 0U;
        }
    };
    // interleaved per repeat and timed in thread CPU seconds, so that a busy machine (other
    // processes taking the core) skews the three alike and not whoever ran during a spike
    std::vector<double> ours_s;
    std::vector<double> boost_s;
    std::vector<double> boost_nc_s;
    for (std::size_t r = 0; r < std::max<std::size_t>(1, opt.repeats); ++r) {
        double t0 = bench::thread_cpu_seconds();
        for (const world::NodeId s : sources) {
            ours.travel_times(s, {}, {});
        }
        ours_s.push_back(bench::thread_cpu_seconds() - t0);
        t0 = bench::thread_cpu_seconds();
        for (const world::NodeId s : sources) {
            boost::dijkstra_shortest_paths(
                g, s, boost::weight_map(weights).distance_map(dist_map).predecessor_map(pred_map));
        }
        boost_s.push_back(bench::thread_cpu_seconds() - t0);
        t0 = bench::thread_cpu_seconds();
        for (const world::NodeId s : sources) {
            boost::dijkstra_shortest_paths_no_color_map(
                g, s, boost::weight_map(weights).distance_map(dist_map).predecessor_map(pred_map));
        }
        boost_nc_s.push_back(bench::thread_cpu_seconds() - t0);
    }
    const double t_ours = bench::median(ours_s);
    const double t_boost = bench::median(boost_s);
    const double t_boost_nc = bench::median(boost_nc_s);
    for (const world::NodeId s : sources) {
        ours.travel_times(s, all, mine);
        boost::dijkstra_shortest_paths(
            g, s, boost::weight_map(weights).distance_map(dist_map).predecessor_map(pred_map));
        compare();
    }
    const double n = static_cast<double>(sources.size());
    std::printf("  one-to-all Dijkstra, %zu sources (CPU ms per search, median of %zu):\n",
                sources.size(), opt.repeats);
    std::printf("    ours (DijkstraRouter)            %8.2f ms\n", 1e3 * t_ours / n);
    std::printf("    boost dijkstra_shortest_paths    %8.2f ms  (ours %.2fx its speed)\n",
                1e3 * t_boost / n, t_boost / t_ours);
    std::printf("    boost ..._no_color_map           %8.2f ms  (ours %.2fx its speed)\n",
                1e3 * t_boost_nc / n, t_boost_nc / t_ours);
    std::printf("    distances differing from boost's: %zu\n", differ);
}

void run_all(const world::RoadNetwork& net, const Options& opt) {
    std::printf("  %zu nodes, %zu edges, %.1f MB\n", net.node_count(), net.edge_count(),
                static_cast<double>(net.memory_bytes()) / 1e6);
    const Pairs pairs = bench::random_pairs(net, opt.queries, 42);
    if (opt.cch_only) {
        run_cch(net, opt, pairs);
        return;
    }
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
    measure_time_of_day(net, *alt_router, pairs, opt.repeats);

    routing::RouterOptions line;
    line.landmark_count = 0;
    auto astar = routing::make_router(net, line);
    measure("astar (line), with path", *astar, few, true, opt.repeats);

    routing::RouterOptions plain;
    plain.kind = routing::RouterKind::kDijkstra;
    auto dijkstra = routing::make_router(net, plain);
    measure("dijkstra, with path", *dijkstra, few, true, opt.repeats);

    run_cch(net, opt, pairs);
    run_dijkstra_vs_boost(net, opt);
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
        } else if (arg == "--cch-only") {
            opt.cch_only = true;
        } else {
            std::fprintf(stderr,
                         "usage: routing_bench [--queries N] [--repeats R] [--landmarks K] "
                         "[--nodes N] [--cch-only]\n");
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
