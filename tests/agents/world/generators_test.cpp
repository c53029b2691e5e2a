#include "agents/world/generators.hpp"

#include <doctest/doctest.h>

#include <boost/graph/strong_components.hpp>
#include <cstdint>
#include <stdexcept>
#include <vector>

using namespace swarm::world;

namespace {

bool boost_strongly_connected(const RoadNetwork& net) {
    std::vector<std::size_t> comp(net.node_count());
    return boost::strong_components(
               net.graph(), boost::make_iterator_property_map(
                                comp.begin(), boost::get(boost::vertex_index, net.graph()))) <= 1;
}

// order-sensitive hash of everything observable
std::uint64_t fingerprint(const RoadNetwork& net) {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](std::uint64_t v) { h = (h ^ v) * 1099511628211ull; };
    for (NodeId v = 0; v < net.node_count(); ++v) {
        mix(net.external_id(v));
        // through int64: negative coordinates (a double to unsigned cast would be undefined)
        mix(static_cast<std::uint64_t>(static_cast<std::int64_t>(net.position(v).x * 1000.0)));
        mix(static_cast<std::uint64_t>(static_cast<std::int64_t>(net.position(v).y * 1000.0)));
    }
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        mix(net.source(e));
        mix(net.target(e));
        mix(static_cast<std::uint64_t>(net.length_m(e) * 1000.0));
        mix(static_cast<std::uint64_t>(net.road_class(e)));
    }
    return h;
}

bool has_one_way(const RoadNetwork& net) {
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        if (net.find_edge(net.target(e), net.source(e)) == kNoEdge) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_CASE("grid city: small, strongly connected, arterials and one-ways") {
    GridCityParams params;
    params.rows = 10;
    params.cols = 10;
    params.one_way_fraction = 0.2;
    params.removed_fraction = 0.05;
    SccReport report;
    const RoadNetwork net = make_grid_city(params, &report);
    CHECK(net.node_count() == report.nodes_kept);
    CHECK(net.node_count() + report.nodes_dropped == 100);
    CHECK(net.node_count() >= 90);
    CHECK(boost_strongly_connected(net));
    CHECK(has_one_way(net));

    bool arterial = false;
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        if (net.road_class(e) == RoadClass::kPrimary) {
            arterial = true;
            CHECK(net.speed_mps(e) == params.arterial_speed_mps);
        } else {
            CHECK(net.road_class(e) == RoadClass::kResidential);
            CHECK(net.speed_mps(e) == params.street_speed_mps);
        }
        // jitter <= 0.1 spacing on each axis bounds every segment
        CHECK(net.length_m(e) > 0.7 * params.spacing_m);
        CHECK(net.length_m(e) < 1.3 * params.spacing_m);
    }
    CHECK(arterial);
    CHECK(net.find_name("Street 0").has_value());
    CHECK(net.find_name("Avenue 9").has_value());
    CHECK(net.max_speed_mps() == params.arterial_speed_mps);
}

TEST_CASE("grid city without randomness is the full lattice") {
    GridCityParams params;
    params.rows = 4;
    params.cols = 5;
    params.jitter = 0.0;
    params.one_way_fraction = 0.0;
    params.removed_fraction = 0.0;
    const RoadNetwork net = make_grid_city(params);
    CHECK(net.node_count() == 20);
    // 2 * (rows * (cols - 1) + cols * (rows - 1))
    CHECK(net.edge_count() == 2 * (4 * 4 + 5 * 3));
    CHECK(net.total_length_m() == doctest::Approx(100.0 * 62));
    CHECK(net.bounds().max.x == doctest::Approx(400.0));
    CHECK(net.bounds().max.y == doctest::Approx(300.0));
}

TEST_CASE("grid city is deterministic per seed") {
    GridCityParams params;
    params.rows = 30;
    params.cols = 40;
    params.one_way_fraction = 0.1;
    params.removed_fraction = 0.05;
    const auto a = fingerprint(make_grid_city(params));
    const auto b = fingerprint(make_grid_city(params));
    params.seed = 2;
    const auto c = fingerprint(make_grid_city(params));
    CHECK(a == b);
    CHECK(a != c);
}

TEST_CASE("grid city sizes from 100 to 100,000 nodes stay strongly connected") {
    for (std::size_t side : {10u, 100u, 317u}) {
        CAPTURE(side);
        GridCityParams params;
        params.rows = side;
        params.cols = side;
        params.seed = side;
        SccReport report;
        const RoadNetwork net = make_grid_city(params, &report);
        CHECK(net.node_count() + report.nodes_dropped == side * side);
        CHECK(static_cast<double>(net.node_count()) > 0.9 * static_cast<double>(side * side));
        CHECK(boost_strongly_connected(net));
    }
}

TEST_CASE("grid city rejects bad parameters") {
    GridCityParams params;
    params.jitter = 0.6;
    CHECK_THROWS_AS(make_grid_city(params), std::invalid_argument);
    params = {};
    params.rows = 0;
    CHECK_THROWS_AS(make_grid_city(params), std::invalid_argument);
    params = {};
    params.one_way_fraction = 1.5;
    CHECK_THROWS_AS(make_grid_city(params), std::invalid_argument);
}

TEST_CASE("random geometric: degree, connectivity, determinism") {
    for (std::size_t n : {100u, 10000u, 100000u}) {
        CAPTURE(n);
        RandomGeometricParams params;
        params.nodes = n;
        params.seed = 7;
        SccReport report;
        const RoadNetwork net = make_random_geometric(params, &report);
        CHECK(net.node_count() + report.nodes_dropped == n);
        // small squares lose more to the boundary
        const double kept_share = n < 1000 ? 0.5 : 0.9;
        CHECK(static_cast<double>(net.node_count()) > kept_share * static_cast<double>(n));
        CHECK(boost_strongly_connected(net));
        const double mean_degree =
            static_cast<double>(net.edge_count()) / static_cast<double>(net.node_count());
        CHECK(mean_degree > 3.5);
        CHECK(mean_degree < 6.5);
        CHECK_FALSE(has_one_way(net));
    }
    RandomGeometricParams params;
    params.nodes = 2000;
    const auto a = fingerprint(make_random_geometric(params));
    const auto b = fingerprint(make_random_geometric(params));
    params.seed = 99;
    const auto c = fingerprint(make_random_geometric(params));
    CHECK(a == b);
    CHECK(a != c);
}

TEST_CASE("random geometric rejects bad parameters") {
    RandomGeometricParams params;
    params.nodes = 0;
    CHECK_THROWS_AS(make_random_geometric(params), std::invalid_argument);
    params = {};
    params.mean_degree = -1.0;
    CHECK_THROWS_AS(make_random_geometric(params), std::invalid_argument);
}
