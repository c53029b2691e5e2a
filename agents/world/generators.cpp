#include "agents/world/generators.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace swarm::world {

namespace {

// std::uniform_real_distribution differs between libraries; this does not.
double uniform01(std::mt19937_64& rng) {
    return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

double distance(Point a, Point b) {
    return std::hypot(a.x - b.x, a.y - b.y);
}

void require(bool ok, const char* message) {
    if (!ok) {
        throw std::invalid_argument(message);
    }
}

}  // namespace

RoadNetwork make_grid_city(const GridCityParams& p, SccReport* report) {
    require(p.rows >= 1 && p.cols >= 1, "make_grid_city: rows and cols must be >= 1");
    require(p.rows * p.cols < kNoNode, "make_grid_city: too many nodes");
    require(p.spacing_m > 0.0 && std::isfinite(p.spacing_m), "make_grid_city: spacing_m <= 0");
    require(p.jitter >= 0.0 && p.jitter <= 0.45, "make_grid_city: jitter must be in [0, 0.45]");
    require(p.street_speed_mps > 0.0 && p.arterial_speed_mps > 0.0,
            "make_grid_city: speeds must be > 0");
    require(p.river_col < p.cols, "make_grid_city: river_col must be < cols");
    for (const std::size_t r : p.bridge_rows) {
        require(r < p.rows, "make_grid_city: bridge rows must be < rows");
    }
    require(p.one_way_fraction >= 0.0 && p.one_way_fraction <= 1.0 && p.removed_fraction >= 0.0 &&
                p.removed_fraction <= 1.0,
            "make_grid_city: fractions must be in [0, 1]");

    std::mt19937_64 rng(p.seed);
    RoadNetwork::Builder builder;
    builder.reserve(p.rows * p.cols, 4 * p.rows * p.cols);

    // nodes row-major, each jittered by up to +-jitter * spacing on both axes
    std::vector<Point> positions(p.rows * p.cols);
    for (std::size_t i = 0; i < positions.size(); ++i) {
        const double jx = (2.0 * uniform01(rng) - 1.0) * p.jitter * p.spacing_m;
        const double jy = (2.0 * uniform01(rng) - 1.0) * p.jitter * p.spacing_m;
        positions[i] = {static_cast<double>(i % p.cols) * p.spacing_m + jx,
                        static_cast<double>(i / p.cols) * p.spacing_m + jy};
        builder.add_node(positions[i], i);
    }

    auto is_arterial = [&](std::size_t line) {
        return p.arterial_every > 0 && line % p.arterial_every == 0;
    };
    std::vector<std::string> row_names(p.rows);
    std::vector<std::string> col_names(p.cols);
    for (std::size_t r = 0; r < p.rows; ++r) {
        row_names[r] = "Street " + std::to_string(r);
    }
    for (std::size_t c = 0; c < p.cols; ++c) {
        col_names[c] = "Avenue " + std::to_string(c);
    }

    // one segment: arterials both ways; streets maybe removed or one-way (three draws each,
    // always consumed so that one setting does not shift the others' randomness)
    auto node = [&](std::size_t r, std::size_t c) { return static_cast<NodeId>(r * p.cols + c); };
    auto segment = [&](NodeId a, NodeId b, Point pa, Point pb, bool arterial,
                       const std::string& name) {
        const double u_remove = uniform01(rng);
        const double u_oneway = uniform01(rng);
        const double u_dir = uniform01(rng);
        const double length = distance(pa, pb);
        if (arterial) {
            builder.add_edge(a, b, length, p.arterial_speed_mps, RoadClass::kPrimary, name);
            builder.add_edge(b, a, length, p.arterial_speed_mps, RoadClass::kPrimary, name);
            return;
        }
        if (u_remove < p.removed_fraction) {
            return;
        }
        const bool one_way = u_oneway < p.one_way_fraction;
        if (!one_way || u_dir < 0.5) {
            builder.add_edge(a, b, length, p.street_speed_mps, RoadClass::kResidential, name);
        }
        if (!one_way || u_dir >= 0.5) {
            builder.add_edge(b, a, length, p.street_speed_mps, RoadClass::kResidential, name);
        }
    };

    auto continue_vertical = [&](std::size_t r, std::size_t c) {
        if (r + 1 < p.rows) {
            const NodeId a = node(r, c);
            const NodeId b = node(r + 1, c);
            segment(a, b, positions[a], positions[b], is_arterial(c), col_names[c]);
        }
    };
    for (std::size_t r = 0; r < p.rows; ++r) {
        for (std::size_t c = 0; c < p.cols; ++c) {
            const NodeId a = node(r, c);
            if (c + 1 < p.cols) {
                const NodeId b = node(r, c + 1);
                if (p.river_col > 0 && c + 1 == p.river_col) {
                    // across the river: a bridge, or nothing (the draws are taken either way)
                    const bool bridge = std::find(p.bridge_rows.begin(), p.bridge_rows.end(), r) !=
                                        p.bridge_rows.end();
                    if (bridge) {
                        segment(a, b, positions[a], positions[b], true,
                                "Bridge " + std::to_string(r));
                    } else {
                        uniform01(rng);
                        uniform01(rng);
                        uniform01(rng);
                    }
                    continue_vertical(r, c);
                    continue;
                }
                segment(a, b, positions[a], positions[b], is_arterial(r), row_names[r]);
            }
            continue_vertical(r, c);
        }
    }
    return keep_largest_scc(std::move(builder).build(), report);
}

RoadNetwork make_random_geometric(const RandomGeometricParams& p, SccReport* report) {
    require(p.nodes >= 1 && p.nodes < kNoNode, "make_random_geometric: nodes out of range");
    require(p.mean_spacing_m > 0.0 && std::isfinite(p.mean_spacing_m),
            "make_random_geometric: mean_spacing_m must be > 0");
    require(p.mean_degree > 0.0 && std::isfinite(p.mean_degree),
            "make_random_geometric: mean_degree must be > 0");
    require(p.speed_mps > 0.0, "make_random_geometric: speed_mps must be > 0");

    std::mt19937_64 rng(p.seed);
    const double side = std::sqrt(static_cast<double>(p.nodes)) * p.mean_spacing_m;
    // expected degree = density * pi r^2, density = 1 / spacing^2
    const double radius = p.mean_spacing_m * std::sqrt(p.mean_degree / std::numbers::pi);

    RoadNetwork::Builder builder;
    builder.reserve(p.nodes,
                    static_cast<std::size_t>(static_cast<double>(p.nodes) * (p.mean_degree + 1.0)));
    std::vector<Point> positions(p.nodes);
    for (std::size_t i = 0; i < p.nodes; ++i) {
        positions[i] = {uniform01(rng) * side, uniform01(rng) * side};
        builder.add_node(positions[i], i);
    }

    // uniform grid of cells no smaller than the radius: neighbours lie in the 3x3 block
    const auto cells = static_cast<std::size_t>(std::max(1.0, std::floor(side / radius)));
    const double cell_size = side / static_cast<double>(cells);
    auto cell_of = [&](double v) {
        return std::min(cells - 1, static_cast<std::size_t>(std::max(0.0, v / cell_size)));
    };
    std::vector<std::uint32_t> cell_start(cells * cells + 1, 0);
    for (const Point& q : positions) {
        ++cell_start[cell_of(q.y) * cells + cell_of(q.x) + 1];
    }
    for (std::size_t i = 0; i + 1 < cell_start.size(); ++i) {
        cell_start[i + 1] += cell_start[i];
    }
    std::vector<NodeId> cell_nodes(p.nodes);
    {
        std::vector<std::uint32_t> next(cell_start.begin(), cell_start.end() - 1);
        for (std::size_t i = 0; i < p.nodes; ++i) {
            const std::size_t cell = cell_of(positions[i].y) * cells + cell_of(positions[i].x);
            cell_nodes[next[cell]++] = static_cast<NodeId>(i);
        }
    }

    // each pair once (i < j), in node order so the result does not depend on the grid
    for (std::size_t i = 0; i < p.nodes; ++i) {
        const std::size_t cx = cell_of(positions[i].x);
        const std::size_t cy = cell_of(positions[i].y);
        for (std::size_t y = (cy == 0 ? 0 : cy - 1); y <= std::min(cells - 1, cy + 1); ++y) {
            for (std::size_t x = (cx == 0 ? 0 : cx - 1); x <= std::min(cells - 1, cx + 1); ++x) {
                const std::size_t cell = y * cells + x;
                for (std::uint32_t k = cell_start[cell]; k < cell_start[cell + 1]; ++k) {
                    const NodeId j = cell_nodes[k];
                    if (j <= i) {
                        continue;
                    }
                    const double d = distance(positions[i], positions[j]);
                    if (d <= radius) {
                        // coincident points still need a positive length
                        const double length = std::max(d, 1e-3);
                        const auto a = static_cast<NodeId>(i);
                        builder.add_edge(a, j, length, p.speed_mps, p.road_class);
                        builder.add_edge(j, a, length, p.speed_mps, p.road_class);
                    }
                }
            }
        }
    }
    return keep_largest_scc(std::move(builder).build(), report);
}

}  // namespace swarm::world
