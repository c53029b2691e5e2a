// A* equals Dijkstra on the Monaco OSM extract from ../shared/data (never copied into the
// repository). Absent: exit 77, which ctest reports as skipped.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "agents/routing/dijkstra.hpp"
#include "agents/routing/router.hpp"
#include "io/network/network_loader.hpp"
#include "tests/agents/routing/route_compare.hpp"

using namespace swarm;
using namespace swarm::routing;

namespace {

const std::filesystem::path kMonaco = SWARM_MONACO_PBF;

const world::RoadNetwork& monaco() {
    if (!std::filesystem::exists(kMonaco)) {
        std::fprintf(stderr, "skipped: %s not found\n", kMonaco.string().c_str());
        std::fflush(stderr);
        std::exit(77);
    }
    static const world::RoadNetwork net = io::load_network(kMonaco);
    return net;
}

}  // namespace

TEST_CASE("monaco: astar equals dijkstra on random pairs") {
    const world::RoadNetwork& net = monaco();
    DijkstraRouter reference(net);
    const auto pairs = test::random_pairs(net, 400 / test::kScale, 2024);
    for (const std::size_t landmarks : {std::size_t{0}, std::size_t{16}}) {
        RouterOptions options;
        options.landmark_count = landmarks;
        auto router = make_router(net, options);
        CAPTURE(router->name());
        const auto result = test::compare(*router, reference, pairs, {});
        CHECK(result.found == pairs.size());  // the loader keeps one strong component
    }
}

TEST_CASE("monaco: with 10% of the roads closed") {
    const world::RoadNetwork& net = monaco();
    DijkstraRouter reference(net);
    std::mt19937_64 rng(77);
    std::bernoulli_distribution closed(0.1);
    world::EdgeMask mask(net.edge_count());
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        if (closed(rng)) {
            mask.set(e);
        }
    }
    auto router = make_router(net);
    const auto result = test::compare(
        *router, reference, test::random_pairs(net, 200 / test::kScale, 78), RouteView{&mask});
    CHECK(result.unreachable > 0);
    CHECK(result.found > 0);
}
