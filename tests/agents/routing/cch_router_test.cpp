// Property tests of the customizable contraction hierarchy: the contracted graph is chordal
// with the right elimination tree, and every answer (times, paths, one-to-many, matrices)
// equals plain Dijkstra's on generated networks, random multigraphs with self-loops and
// several components, and under closures, overrides and class factors.
#include "agents/routing/cch_router.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

#include "agents/routing/cch_metric.hpp"
#include "agents/routing/cch_topology.hpp"
#include "agents/routing/dijkstra.hpp"
#include "agents/routing/landmarks.hpp"
#include "agents/world/generators.hpp"
#include "tests/agents/routing/route_compare.hpp"

using namespace swarm;
using namespace swarm::routing;
using routing::test::close;
using routing::test::geometric;
using routing::test::grid_city;
using routing::test::kScale;
using routing::test::random_mask;
using routing::test::random_pairs;

namespace {

// A raw multigraph, not reduced to a strong component: parallel edges, self-loops, isolated
// nodes and several components, random speeds (so parallel edges differ in time)
world::RoadNetwork multigraph(std::size_t nodes, std::size_t edges, std::size_t components,
                              std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> coord(0.0, 1000.0);
    std::uniform_real_distribution<double> speed(5.0, 30.0);
    world::RoadNetwork::Builder b;
    for (std::size_t v = 0; v < nodes; ++v) {
        b.add_node({coord(rng), coord(rng)}, v);
    }
    for (std::size_t i = 0; i < edges; ++i) {
        // both ends in the same component (node % components)
        const auto from = static_cast<NodeId>(rng() % nodes);
        auto to = static_cast<NodeId>(rng() % nodes);
        to = static_cast<NodeId>(to - to % components + from % components);
        if (to >= nodes) {
            to = from;  // a self-loop
        }
        b.add_edge(from, to, 10.0 + coord(rng), speed(rng), world::RoadClass::kResidential);
        if (rng() % 8 == 0) {
            b.add_edge(from, to, 10.0 + coord(rng), speed(rng), world::RoadClass::kResidential);
        }
    }
    return std::move(b).build();
}

RouterFactory cch_factory(const world::RoadNetwork& net, std::size_t landmarks = 4) {
    RouterOptions options;
    options.kind = RouterKind::kCch;
    options.landmark_count = landmarks;
    return RouterFactory(net, options);
}

// the CCH under `metric` against Dijkstra under `view` (the view the metric was made for)
test::CompareResult compare_metric(CchRouter& router, const CchMetric& metric,
                                   DijkstraRouter& reference,
                                   const std::vector<std::pair<NodeId, NodeId>>& pairs,
                                   const RouteView& view) {
    return test::compare(router, reference, pairs, view, metric);
}

}  // namespace

TEST_CASE("cch topology: chordal supergraph, elimination tree, edge slots") {
    for (const auto& net : {grid_city(3), geometric(3), multigraph(300, 700, 3, 5)}) {
        const CchTopology top(net, 1);
        const std::size_t n = top.node_count();
        REQUIRE(n == net.node_count());
        std::vector<char> seen(n, 0);
        for (std::uint32_t r = 0; r < n; ++r) {
            CHECK(top.rank(top.node_at(r)) == r);
            seen[top.node_at(r)] = 1;
        }
        CHECK(std::count(seen.begin(), seen.end(), 1) == static_cast<std::ptrdiff_t>(n));
        std::size_t triangles = 0;
        for (std::uint32_t z = 0; z < n; ++z) {
            const std::uint32_t begin = top.first_up(z);
            const std::uint32_t end = top.first_up(z + 1);
            CHECK(top.parent(z) == (begin == end ? CchTopology::kNone : top.head(begin)));
            for (std::uint32_t i = begin; i < end; ++i) {
                CHECK(top.tail(i) == z);
                CHECK(top.head(i) > z);
                if (i + 1 < end) {
                    CHECK(top.head(i) < top.head(i + 1));
                }
                // chordal: two upward neighbours of z are joined; and each is an ancestor
                for (std::uint32_t j = i + 1; j < end; ++j) {
                    CHECK(top.find_arc(top.head(i), top.head(j)) != CchTopology::kNone);
                    ++triangles;
                }
                std::uint32_t x = z;
                while (x != CchTopology::kNone && x != top.head(i)) {
                    x = top.parent(x);
                }
                CHECK(x == top.head(i));
            }
        }
        CHECK(triangles == top.triangle_count());
        for (EdgeId e = 0; e < net.edge_count(); ++e) {
            const std::uint32_t a = top.rank(net.source(e));
            const std::uint32_t b = top.rank(net.target(e));
            const std::uint32_t slot = top.edge_slot(e);
            if (a == b) {
                CHECK(slot == CchTopology::kNone);
                continue;
            }
            REQUIRE(slot != CchTopology::kNone);
            CHECK(top.tail(slot / 2) == std::min(a, b));
            CHECK(top.head(slot / 2) == std::max(a, b));
            CHECK((slot & 1u) == (a < b ? 0u : 1u));
        }
        // the order is a function of the network and the seed
        const CchTopology again(net, 1);
        for (std::uint32_t r = 0; r < n; ++r) {
            CHECK(again.node_at(r) == top.node_at(r));
        }
    }
}

TEST_CASE("cch equals dijkstra on random pairs of generated networks") {
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
        for (const auto& net : {grid_city(seed), geometric(seed)}) {
            DijkstraRouter reference(net);
            const RouterFactory factory = cch_factory(net);
            auto router = factory.make();
            CHECK(router->name() == "cch");
            const auto pairs = random_pairs(net, 500 / kScale, seed * 37);
            const auto result = test::compare(*router, reference, pairs, {});
            CHECK(result.found == pairs.size());
            CHECK(router->last_stats().settled > 0);
        }
    }
}

TEST_CASE("cch on multigraphs: parallel edges, self-loops, components, unreachable pairs") {
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
        const world::RoadNetwork net =
            multigraph(120 + 40 * seed, 150 + 60 * seed, 1 + seed % 3, seed);
        DijkstraRouter reference(net);
        // with landmarks the walks are pruned by their bounds (infinite and NaN terms across
        // components included); without, they relax every node they reach
        const RouterFactory factory = cch_factory(net, seed % 2 == 0 ? 0 : 6);
        auto router = factory.make_cch();
        router->set_prune_min_depth(0);  // small networks: prune every walk
        // every pair, so from == to and every unreachable kind are covered
        std::vector<std::pair<NodeId, NodeId>> pairs;
        for (NodeId a = 0; a < net.node_count(); a += 3) {
            for (NodeId b = 0; b < net.node_count(); b += 2) {
                pairs.emplace_back(a, b);
            }
        }
        const auto result = test::compare(*router, reference, pairs, {});
        CHECK(result.found > 0);
        CHECK(result.unreachable > 0);
        // closures through an explicit metric
        const world::EdgeMask mask = random_mask(net.edge_count(), 0.2, seed + 100);
        const RouteView view{&mask};
        for (const auto mode : {CchMetric::Mode::kPerfect, CchMetric::Mode::kBasic}) {
            const CchMetric metric(factory.cch_topology(), view, mode);
            compare_metric(*router, metric, reference, pairs, view);
        }
    }
}

TEST_CASE("cch metric: closures, overrides and class factors equal dijkstra under the view") {
    const world::RoadNetwork net = grid_city(4);
    DijkstraRouter reference(net);
    const RouterFactory factory = cch_factory(net);
    auto router = factory.make_cch();
    router->set_prune_min_depth(0);  // small networks: prune every walk
    const auto pairs = random_pairs(net, 300 / kScale, 91);

    const world::EdgeMask mask = random_mask(net.edge_count(), 0.1, 92);
    std::mt19937_64 rng(93);
    std::uniform_real_distribution<float> factor(0.3f, 3.0f);
    std::vector<float> times(net.edge_count());
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        times[e] = static_cast<float>(net.travel_time_s(e)) * factor(rng);
    }
    times[7] = 0.0f;  // zero-time edges are allowed
    std::vector<std::uint16_t> classes(net.edge_count());
    for (auto& c : classes) {
        c = static_cast<std::uint16_t>(rng() % 5);
    }
    const std::vector<float> class_factor{1.0f, 0.5f, 2.0f, 4.0f, 1.25f};

    std::vector<RouteView> views;
    views.emplace_back(&mask);
    views.push_back(make_view(net, nullptr, times));
    views.push_back(make_view(net, &mask, times));
    RouteView classed{&mask};
    classed.edge_class = classes;
    classed.class_factor = class_factor;
    views.push_back(classed);
    for (std::size_t i = 0; i < views.size(); ++i) {
        CAPTURE(i);
        const CchMetric metric(factory.cch_topology(), views[i], CchMetric::Mode::kPerfect);
        const auto result = compare_metric(*router, metric, reference, pairs, views[i]);
        CHECK(result.found > 0);
        const CchMetric basic(factory.cch_topology(), views[i]);
        CHECK(basic.mode() == CchMetric::Mode::kBasic);
        compare_metric(*router, basic, reference, pairs, views[i]);
        // perfect customization keeps fewer arcs for the queries
        CHECK(metric.query_arc_count() < basic.query_arc_count());
        // without a metric the router falls back to A*, still exact under the view
        test::compare(*router, reference, pairs, views[i]);
    }
}

TEST_CASE("cch perfect pruning is exact on ties and zero-time edges") {
    // a uniform grid: every block the same length and speed, so most pairs have many equally
    // fast routes and most arcs are matched by some triangle (the pruning's hardest case)
    world::GridCityParams p;
    p.rows = 30;
    p.cols = 30;
    p.jitter = 0.0;
    p.arterial_every = 0;
    p.one_way_fraction = 0.0;
    p.removed_fraction = 0.0;
    const world::RoadNetwork net = world::make_grid_city(p);
    DijkstraRouter reference(net);
    // unpruned walks, and walks pruned by landmark bounds (ties at the limit must be kept)
    for (const std::size_t landmarks : {std::size_t{0}, std::size_t{8}}) {
        CAPTURE(landmarks);
        const RouterFactory factory = cch_factory(net, landmarks);
        auto router = factory.make_cch();
        router->set_prune_min_depth(0);  // small networks: prune every walk
        std::vector<std::pair<NodeId, NodeId>> pairs = random_pairs(net, 400 / kScale, 17);
        pairs.emplace_back(0, static_cast<NodeId>(net.node_count() - 1));  // corner to corner
        const CchMetric basic(factory.cch_topology());
        const auto free = factory.cch_free_flow();
        REQUIRE(free->mode() == CchMetric::Mode::kPerfect);
        // on ties the pruning drops far more than lower-span matches would
        CHECK(2 * free->query_arc_count() < basic.query_arc_count());
        CHECK(test::compare(*router, reference, pairs, {}).found == pairs.size());

        // zero-time edges: matched legs of zero must never both be dropped (a zero-time cycle of
        // triangles would otherwise lose every arc of it); some zero, all zero, and a mix
        std::mt19937_64 rng(18);
        for (const double zero_share : {0.3, 1.0}) {
            CAPTURE(zero_share);
            std::vector<float> times(net.edge_count());
            for (EdgeId e = 0; e < net.edge_count(); ++e) {
                const bool zero = static_cast<double>(rng() % 1000) < 1000.0 * zero_share;
                times[e] = zero ? 0.0f : static_cast<float>(net.travel_time_s(e));
            }
            const RouteView view = make_view(net, nullptr, times);
            const CchMetric perfect(factory.cch_topology(), view, CchMetric::Mode::kPerfect);
            CHECK(compare_metric(*router, perfect, reference, pairs, view).found == pairs.size());
            const CchMetric plain(factory.cch_topology(), view);
            compare_metric(*router, plain, reference, pairs, view);
        }
    }
}

TEST_CASE("cch bounds: landmark rows reordered by rank, pruned walks agree with unpruned ones") {
    const world::RoadNetwork net = grid_city(6);
    const RouterFactory factory = cch_factory(net, 6);
    const CchTopology& top = *factory.cch_topology();
    const Landmarks lm = Landmarks::build(net, 6, 3);
    const Landmarks ranked = lm.reordered(top.order());
    REQUIRE(ranked.count() == lm.count());
    CHECK(ranked.slack_s() == lm.slack_s());
    for (std::uint32_t r = 0; r < top.node_count(); r += 7) {
        for (std::size_t i = 0; i < lm.count(); ++i) {
            CHECK(ranked.to_landmark(r, i) == lm.to_landmark(top.node_at(r), i));
            CHECK(ranked.from_landmark(r, i) == lm.from_landmark(top.node_at(r), i));
        }
    }
    // the same times and path lengths with and without pruning bounds, under a metric whose
    // times are up to 3x faster than free flow (the bounds scaled by its ratio)
    std::vector<float> times(net.edge_count());
    std::mt19937_64 rng(61);
    std::uniform_real_distribution<float> factor(0.34f, 2.0f);
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        times[e] = static_cast<float>(net.travel_time_s(e)) * factor(rng);
    }
    const RouteView view = make_view(net, nullptr, times);
    const CchMetric metric(factory.cch_topology(), view, CchMetric::Mode::kPerfect);
    CHECK(metric.bound_ratio() < 0.35);
    CchRouter bounded(factory.cch_free_flow(), std::make_shared<const Landmarks>(lm));
    bounded.set_prune_min_depth(0);
    CchRouter plain(factory.cch_free_flow());
    for (const auto& [a, b] : random_pairs(net, 200 / kScale, 62)) {
        const Route x = bounded.fastest(a, b, metric);
        const Route y = plain.fastest(a, b, metric);
        CHECK(x.travel_time_s == doctest::Approx(y.travel_time_s).epsilon(1e-12));
        CHECK(check_route(net, a, b, x.edges, view).valid == x.found);
        CHECK(bounded.travel_time(a, b) == doctest::Approx(plain.travel_time(a, b)).epsilon(1e-12));
    }
}

TEST_CASE("cch re-customization: one metric object follows a changing view") {
    const world::RoadNetwork net = geometric(5);
    DijkstraRouter reference(net);
    const RouterFactory factory = cch_factory(net);
    auto router = factory.make_cch();
    router->set_prune_min_depth(0);  // small networks: prune every walk
    const auto pairs = random_pairs(net, 200 / kScale, 55);
    CchMetric metric(factory.cch_topology(), {}, CchMetric::Mode::kPerfect);
    CchMetric basic(factory.cch_topology());
    world::EdgeMask mask(net.edge_count());
    // close the first edges of the free-flow routes one by one, customizing in place
    for (std::size_t round = 0; round < 4; ++round) {
        const Route r = router->fastest(pairs[round].first, pairs[round].second, metric);
        REQUIRE(r.found);
        REQUIRE_FALSE(r.edges.empty());
        mask.set(r.edges[r.edges.size() / 2]);
        metric.customize(RouteView{&mask});
        basic.customize(RouteView{&mask});
        compare_metric(*router, basic, reference, pairs, RouteView{&mask});
        const Route detour = router->fastest(pairs[round].first, pairs[round].second, metric);
        CHECK(std::find(detour.edges.begin(), detour.edges.end(), r.edges[r.edges.size() / 2]) ==
              detour.edges.end());
        compare_metric(*router, metric, reference, pairs, RouteView{&mask});
    }
    // back to no closures: the same weights as a fresh free-flow metric
    mask.clear();
    metric.customize({});
    const auto fresh = factory.cch_free_flow()->weights();
    REQUIRE(metric.weights().size() == fresh.size());
    CHECK(std::equal(fresh.begin(), fresh.end(), metric.weights().begin()));
}

TEST_CASE("cch meetings found before the walks join: ancestors, parents, re-customized") {
    // relax() records a meeting as soon as a label improves where the other side has one (and
    // prunes by it before the walks join): exact when one end is an ancestor of the other in
    // the elimination tree, when both share a parent, and after re-customization with closures
    // and slowdowns (perfect and basic metrics)
    const world::RoadNetwork net = grid_city(9);
    DijkstraRouter reference(net);
    const RouterFactory factory = cch_factory(net, 6);
    const CchTopology& top = *factory.cch_topology();
    auto router = factory.make_cch();
    router->set_prune_min_depth(0);  // small networks: prune every walk
    std::vector<std::pair<NodeId, NodeId>> pairs = random_pairs(net, 200 / kScale, 71);
    std::mt19937_64 rng(72);
    for (std::size_t i = 0; i < 60 / kScale + 4; ++i) {
        const auto r = static_cast<std::uint32_t>(rng() % top.node_count());
        std::uint32_t up = r;  // an ancestor some levels up (the root when the path is short)
        for (std::size_t k = rng() % 40; k > 0 && top.parent(up) != CchTopology::kNone; --k) {
            up = top.parent(up);
        }
        pairs.emplace_back(top.node_at(r), top.node_at(up));
        pairs.emplace_back(top.node_at(up), top.node_at(r));
        if (const std::uint32_t p = top.parent(r); p != CchTopology::kNone) {
            pairs.emplace_back(top.node_at(r), top.node_at(p));
        }
    }
    CchMetric perfect(factory.cch_topology(), {}, CchMetric::Mode::kPerfect);
    CchMetric basic(factory.cch_topology());
    world::EdgeMask mask(net.edge_count());
    std::vector<float> times(net.edge_count());
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        times[e] = static_cast<float>(net.travel_time_s(e));
    }
    std::vector<NodeId> targets;
    for (std::size_t i = 0; i < 20; ++i) {
        targets.push_back(pairs[i].second);
    }
    std::vector<double> row(targets.size());
    for (std::size_t round = 0; round < 3; ++round) {
        CAPTURE(round);
        // close a used edge and slow a stretch of roads down, then customize both in place
        const Route r = router->fastest(pairs[round].first, pairs[round].second, perfect);
        REQUIRE(r.found);
        if (!r.edges.empty()) {
            mask.set(r.edges[r.edges.size() / 2]);
        }
        for (EdgeId e = static_cast<EdgeId>(round * 97); e < net.edge_count(); e += 13) {
            times[e] *= 1.7f;
        }
        const RouteView view = make_view(net, &mask, times);
        perfect.customize(view);
        basic.customize(view);
        for (const CchMetric* metric : {&perfect, &basic}) {
            CHECK(compare_metric(*router, *metric, reference, pairs, view).found > 0);
            for (std::size_t i = 0; i < 10; ++i) {
                const NodeId from = pairs[pairs.size() - 1 - i].first;
                CAPTURE(from);
                router->travel_times(from, targets, row, *metric);
                for (std::size_t j = 0; j < targets.size(); ++j) {
                    CHECK(close(row[j], reference.travel_time(from, targets[j], view)));
                }
            }
        }
    }
}

TEST_CASE("cch one-to-many and matrix equal dijkstra, bounded by max_time_s") {
    for (const auto& net : {geometric(7), multigraph(200, 420, 2, 8)}) {
        DijkstraRouter reference(net);
        const RouterFactory factory = cch_factory(net);
        auto router = factory.make_cch();
        router->set_prune_min_depth(0);  // small networks: prune every walk
        const world::EdgeMask mask = random_mask(net.edge_count(), 0.1, 9);
        const RouteView closed{&mask};
        const CchMetric metric(factory.cch_topology(), closed);
        std::mt19937_64 rng(14);
        std::vector<NodeId> sources(12);
        for (auto& s : sources) {
            s = static_cast<NodeId>(rng() % net.node_count());
        }
        std::vector<NodeId> targets(25);
        for (auto& t : targets) {
            t = static_cast<NodeId>(rng() % net.node_count());
        }
        targets.push_back(targets[0]);  // duplicates are fine
        targets.push_back(sources[0]);  // and a source among the targets
        std::vector<double> free(sources.size() * targets.size());
        std::vector<double> masked(free.size());
        std::vector<double> via_view(free.size());
        router->travel_time_matrix(sources, targets, free);
        router->travel_time_matrix(sources, targets, masked, metric);
        router->travel_time_matrix(sources, targets, via_view, closed);  // the A* fallback
        for (std::size_t i = 0; i < sources.size(); ++i) {
            for (std::size_t j = 0; j < targets.size(); ++j) {
                CAPTURE(i);
                CAPTURE(j);
                const std::size_t k = i * targets.size() + j;
                CHECK(close(free[k], reference.travel_time(sources[i], targets[j])));
                const double expected = reference.travel_time(sources[i], targets[j], closed);
                CHECK(close(masked[k], expected));
                CHECK(close(via_view[k], expected));
            }
        }
        CHECK(free[targets.size() - 1] == 0.0);
        // one-to-many with a limit: beyond it counts as unreachable
        for (std::size_t i = 0; i < sources.size(); ++i) {
            const double limit = 60.0;
            std::vector<double> row(targets.size());
            router->travel_times(sources[i], targets, row, {}, limit);
            std::vector<double> row_metric(targets.size());
            router->travel_times(sources[i], targets, row_metric, metric, limit);
            for (std::size_t j = 0; j < targets.size(); ++j) {
                const double f = free[i * targets.size() + j];
                const double m = masked[i * targets.size() + j];
                CHECK(row[j] == (f <= limit ? f : kUnreachable));
                CHECK(row_metric[j] == (m <= limit ? m : kUnreachable));
            }
        }
        // the default Router::travel_time_matrix (Dijkstra) agrees as well
        std::vector<double> plain(free.size());
        reference.travel_time_matrix(sources, targets, plain);
        for (std::size_t k = 0; k < free.size(); ++k) {
            CHECK(close(plain[k], free[k]));
        }
    }
}

TEST_CASE("cch misuse is reported") {
    const world::RoadNetwork net = grid_city(8);
    const RouterFactory factory = cch_factory(net);
    auto router = factory.make_cch();
    router->set_prune_min_depth(0);  // small networks: prune every walk
    const RouterFactory other = cch_factory(net);
    const CchMetric foreign(other.cch_topology());
    CHECK_THROWS_AS(router->fastest(0, 1, foreign), std::invalid_argument);
    world::EdgeMask wrong(3);
    CHECK_THROWS_AS(CchMetric(factory.cch_topology(), RouteView{&wrong}), std::invalid_argument);
    CHECK_THROWS_AS(router->fastest(0, static_cast<NodeId>(net.node_count())), std::out_of_range);
    std::vector<double> out(2);
    const std::vector<NodeId> targets{0, 1, 2};
    CHECK_THROWS_AS(router->travel_times(0, targets, out), std::invalid_argument);
    CHECK_THROWS_AS(router->travel_time_matrix(targets, targets, out), std::invalid_argument);
    RouterOptions alt;
    CHECK_THROWS_AS(RouterFactory(net, alt).make_cch(), std::logic_error);
    CHECK(RouterFactory(net, alt).cch_topology() == nullptr);
}

TEST_CASE("cch on tiny networks: empty, one node, no edges, a self-loop only") {
    for (std::size_t nodes : {std::size_t{1}, std::size_t{2}, std::size_t{5}}) {
        world::RoadNetwork::Builder b;
        for (std::size_t v = 0; v < nodes; ++v) {
            b.add_node({static_cast<double>(v), 0.0}, v);
        }
        b.add_edge(0, 0, 10.0, 10.0, world::RoadClass::kResidential);
        const world::RoadNetwork net = std::move(b).build();
        const RouterFactory factory = cch_factory(net, 0);
        auto router = factory.make();
        CHECK(router->fastest(0, 0).found);
        CHECK(router->fastest(0, 0).edges.empty());
        if (nodes > 1) {
            CHECK_FALSE(router->fastest(0, 1).found);
            CHECK(router->travel_time(1, 0) == kUnreachable);
        }
    }
    const world::RoadNetwork empty = world::RoadNetwork::Builder{}.build();
    const RouterFactory factory = cch_factory(empty, 0);
    CHECK(factory.cch_topology()->node_count() == 0);
}
