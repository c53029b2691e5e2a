// A* and the CCH equal Dijkstra on the Monaco OSM extract from ../shared/data (never copied into
// the repository), with and without a time-of-day profile. Absent: exit 77, which ctest reports
// as skipped.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "agents/routing/cch_metric.hpp"
#include "agents/routing/cch_router.hpp"
#include "agents/routing/dijkstra.hpp"
#include "agents/routing/router.hpp"
#include "io/network/network_loader.hpp"
#include "tests/agents/routing/route_compare.hpp"
#include "tests/agents/routing/td_reference.hpp"

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

TEST_CASE("monaco: cch equals dijkstra, free flow and under closures and slowdowns") {
    const world::RoadNetwork& net = monaco();
    DijkstraRouter reference(net);
    RouterOptions options;
    options.kind = RouterKind::kCch;
    const RouterFactory factory(net, options);
    auto router = factory.make_cch();
    const auto pairs = test::random_pairs(net, 400 / test::kScale, 2025);
    const auto open = test::compare(*router, reference, pairs, {});
    CHECK(open.found == pairs.size());

    // a vehicle's knowledge: 0.5% of the roads closed (most Monaco routes run through long
    // chains of one-way nodes, so 5% disconnects nearly every pair), the rest 0.5x to 3x
    // free flow
    std::mt19937_64 rng(79);
    std::bernoulli_distribution closed(0.005);
    std::uniform_real_distribution<float> slow(0.5f, 3.0f);
    world::EdgeMask mask(net.edge_count());
    std::vector<float> times(net.edge_count());
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        if (closed(rng)) {
            mask.set(e);
        }
        times[e] = static_cast<float>(net.travel_time_s(e)) * slow(rng);
    }
    const RouteView view = make_view(net, &mask, times);
    const CchMetric metric(factory.cch_topology(), view);
    std::size_t found = 0;
    for (const auto& [a, b] : pairs) {
        const NodeId from = a;
        const NodeId to = b;
        CAPTURE(from);
        CAPTURE(to);
        const Route expected = reference.fastest(from, to, view);
        const Route got = router->fastest(from, to, metric);
        REQUIRE(got.found == expected.found);
        if (!got.found) {
            continue;
        }
        ++found;
        CHECK(test::close(got.travel_time_s, expected.travel_time_s));
        const RouteCheck path = check_route(net, from, to, got.edges, view);
        CHECK(path.valid);
        CHECK(test::close(path.travel_time_s, got.travel_time_s));
    }
    MESSAGE(found, " of ", pairs.size(), " pairs reachable under the closures");
    CHECK(found > pairs.size() / 4);
    // the matrix under the same metric
    std::vector<NodeId> sources;
    std::vector<NodeId> targets;
    for (std::size_t i = 0; i < 20; ++i) {
        sources.push_back(pairs[i].first);
        targets.push_back(pairs[i].second);
    }
    std::vector<double> matrix(sources.size() * targets.size());
    router->travel_time_matrix(sources, targets, matrix, metric);
    for (std::size_t i = 0; i < sources.size(); ++i) {
        for (std::size_t j = 0; j < targets.size(); ++j) {
            CHECK(test::close(matrix[i * targets.size() + j],
                              reference.travel_time(sources[i], targets[j], view)));
        }
    }
}

TEST_CASE("monaco: time of day, every router equals a plain time-dependent Dijkstra") {
    const world::RoadNetwork& net = monaco();
    // a morning peak on the main roads, random factors elsewhere
    SpeedProfile::Classes f = test::random_factors(81, 0.4, 1.2);
    for (const auto c :
         {world::RoadClass::kPrimary, world::RoadClass::kSecondary, world::RoadClass::kTertiary}) {
        f[static_cast<std::size_t>(c)][8] = 0.3;
    }
    const SpeedProfile profile(f, net);
    DijkstraRouter reference(net);
    std::vector<std::unique_ptr<Router>> routers;
    for (const RouterKind kind : {RouterKind::kAStar, RouterKind::kCch}) {
        RouterOptions o;
        o.kind = kind;
        routers.push_back(make_router(net, o));
    }
    const auto pairs = test::random_pairs(net, 100 / test::kScale, 82);
    std::mt19937_64 rng(83);
    std::size_t crossed = 0;
    for (const auto& [a, b] : pairs) {
        const NodeId from = a;
        const NodeId to = b;
        RouteView view;
        view.profile = &profile;
        view.depart_s = 8 * SpeedProfile::kHourS - static_cast<double>(rng() % 600);
        CAPTURE(from);
        CAPTURE(to);
        CAPTURE(view.depart_s);
        const std::vector<double> expected = test::td_reference(net, from, view);
        test::compare(*routers[0], reference, {{from, to}}, view);
        for (auto& r : routers) {
            CHECK(test::close(r->travel_time(from, to, view), expected[to]));
        }
        crossed += view.depart_s + expected[to] > 8 * SpeedProfile::kHourS ? 1U : 0U;
    }
    MESSAGE(crossed, " of ", pairs.size(), " routes cross 8:00");
    CHECK(crossed > pairs.size() / 10);
}
