// Seeded synthetic road networks. Randomness: std::mt19937_64 seeded with params.seed, consumed
// in a fixed order and turned into doubles by hand (53 high bits), so the same params and seed
// give an identical network on every platform and standard library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "agents/world/road_network.hpp"
#include "agents/world/strongly_connected.hpp"

namespace swarm::world {

struct GridCityParams {
    std::size_t rows = 10;
    std::size_t cols = 10;
    double spacing_m = 100.0;
    double jitter = 0.1;                // fraction of spacing, in [0, 0.45]
    std::size_t arterial_every = 5;     // every k-th row and column is an arterial (0: none)
    double street_speed_mps = 13.89;    // 50 km/h, class kResidential
    double arterial_speed_mps = 19.44;  // 70 km/h, class kPrimary
    double one_way_fraction = 0.05;     // share of residential segments made one-way
    double removed_fraction = 0.02;     // share of residential segments removed (closed blocks)
    // a river running north-south just west of column river_col (0: no river), crossed only
    // by bridges at the rows listed (two-way arterials named "Bridge <row>")
    std::size_t river_col = 0;
    std::vector<std::size_t> bridge_rows;
    std::uint64_t seed = 1;
};

// A jittered grid: streets named "Street <row>" (east-west) and "Avenue <col>" (north-south),
// optionally split by a river with a few bridges.
// Arterials are never one-way or removed; the largest strongly connected component is kept.
RoadNetwork make_grid_city(const GridCityParams& params, SccReport* report = nullptr);

struct RandomGeometricParams {
    std::size_t nodes = 1000;
    double mean_spacing_m = 100.0;  // square side = sqrt(nodes) * mean_spacing_m
    double mean_degree = 6.0;       // sets the connection radius (giant component above ~4.5)
    double speed_mps = 13.89;
    RoadClass road_class = RoadClass::kUnclassified;
    std::uint64_t seed = 1;
};

// Nodes uniform in a square, joined both ways when closer than the radius for the requested
// mean degree (found with a uniform grid); the largest strongly connected component is kept.
RoadNetwork make_random_geometric(const RandomGeometricParams& params, SccReport* report = nullptr);

}  // namespace swarm::world
