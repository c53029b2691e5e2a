#include "agents/comms/radio_grid.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "sim/random.hpp"

using namespace swarm;
using comms::AgentIndex;
using comms::CommsConditions;
using comms::RadioGrid;
using world::Point;
using world::Region;

namespace {

std::vector<AgentIndex> brute_neighbours(std::span<const Point> pos, double range, AgentIndex i,
                                         const std::vector<bool>& on) {
    std::vector<AgentIndex> out;
    if (!on[i]) {
        return out;
    }
    for (AgentIndex j = 0; j < pos.size(); ++j) {
        const double dx = pos[j].x - pos[i].x;
        const double dy = pos[j].y - pos[i].y;
        if (j != i && on[j] && (dx * dx) + (dy * dy) <= range * range) {
            out.push_back(j);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("neighbours match brute force on random layouts") {
    int dense = 0;
    int sparse = 0;
    for (std::uint64_t seed = 1; seed <= 16; ++seed) {
        sim::RandomStream rng(seed, 0);
        const std::size_t n = 200 + rng.below(600);
        const double side = rng.uniform(200.0, 5000.0);
        const double range = rng.uniform(20.0, 400.0);
        std::vector<Point> pos(n);
        for (Point& p : pos) {
            // half uniform, half in tight clusters, some on a shared coordinate
            if (rng.bernoulli(0.5)) {
                p = {rng.uniform(-side, side), rng.uniform(-side, side)};
            } else {
                p = {std::round(rng.uniform(0.0, 4.0)) * range,
                     std::round(rng.uniform(0.0, 2.0)) * range};
            }
        }
        std::vector<std::uint8_t> online(n);
        std::vector<bool> on(n);
        for (std::size_t i = 0; i < n; ++i) {
            online[i] = rng.bernoulli(0.9) ? 1 : 0;
            on[i] = online[i] != 0;
        }
        RadioGrid grid(range);
        grid.rebuild(pos, CommsConditions{}, online);
        CHECK(grid.size() == n);
        (grid.dense() ? dense : sparse) += 1;
        std::vector<AgentIndex> got;
        std::size_t pairs = 0;
        for (AgentIndex i = 0; i < n; ++i) {
            grid.neighbours(i, got);
            const auto expected = brute_neighbours(pos, range, i, on);
            CHECK(got == expected);
            CHECK(grid.on_air(i) == on[i]);
            pairs += got.size();
        }
        CHECK(pairs > 0);
        const comms::AgentGraph g = grid.graph();
        CHECK(g.edge_count() * 2 == pairs);
    }
    // both index layouts were exercised
    CHECK(dense > 0);
    CHECK(sparse > 0);
}

TEST_CASE("agents at exactly the range hear each other") {
    // distances of exactly 100 m along many offsets, including cell boundaries
    std::vector<Point> pos;
    for (int k = 0; k < 50; ++k) {
        const double x = (37.1 * k) - 400.0;
        pos.push_back({x, 0.3 * k});
        pos.push_back({x + 100.0, 0.3 * k});
    }
    RadioGrid grid(100.0);
    grid.rebuild(pos, CommsConditions{});
    std::vector<bool> on(pos.size(), true);
    std::vector<AgentIndex> got;
    for (AgentIndex i = 0; i < pos.size(); ++i) {
        grid.neighbours(i, got);
        CHECK(got == brute_neighbours(pos, 100.0, i, on));
    }
}

TEST_CASE("blacked-out agents neither hear nor are heard") {
    const std::vector<Point> pos = {{0, 0}, {50, 0}, {100, 0}, {150, 0}};
    CommsConditions cond;
    RadioGrid grid(60.0);
    grid.rebuild(pos, cond);
    std::vector<AgentIndex> got;
    grid.neighbours(1, got);
    CHECK(got == std::vector<AgentIndex>{0, 2});
    CHECK(comms::connected_components(grid.graph()).count == 1);
    CHECK(comms::diameter(grid.graph()) == 3);

    cond.add_blackout(Region::circle({100, 0}, 10));
    grid.rebuild(pos, cond);
    CHECK(grid.conditions_version() == cond.version());
    CHECK_FALSE(grid.on_air(2));
    CHECK(grid.on_air_count() == 3);
    grid.neighbours(1, got);
    CHECK(got == std::vector<AgentIndex>{0});
    grid.neighbours(2, got);
    CHECK(got.empty());
    grid.neighbours(3, got);
    CHECK(got.empty());
    // {0, 1}, {2}, {3}
    const auto c = comms::connected_components(grid.graph());
    CHECK(c.count == 3);
    CHECK(c.sizes == std::vector<std::uint32_t>{2, 1, 1});
}

TEST_CASE("bad input to the grid is refused") {
    CHECK_THROWS_AS(RadioGrid(0.0), std::invalid_argument);
    CHECK_THROWS_AS(RadioGrid(-5.0), std::invalid_argument);
    RadioGrid grid(10.0);
    const std::vector<Point> pos = {{0, 0}, {1, 1}};
    const std::vector<std::uint8_t> online = {1};
    CHECK_THROWS_AS(grid.rebuild(pos, CommsConditions{}, online), std::invalid_argument);
    const std::vector<Point> bad = {{0, 0}, {std::nan(""), 1}};
    CHECK_THROWS_AS(grid.rebuild(bad, CommsConditions{}), std::invalid_argument);
    // an empty fleet is fine
    grid.rebuild({}, CommsConditions{});
    CHECK(grid.size() == 0);
    CHECK(grid.graph().size() == 0);
}

TEST_CASE("far-apart clusters on a huge map stay cheap and correct") {
    // 1e7 m apart: only occupied cells are stored
    std::vector<Point> pos;
    for (int c = 0; c < 3; ++c) {
        for (int k = 0; k < 5; ++k) {
            pos.push_back({1e7 * c + (10.0 * k), -1e7 * c});
        }
    }
    RadioGrid grid(25.0);
    grid.rebuild(pos, CommsConditions{});
    CHECK_FALSE(grid.dense());
    const auto g = grid.graph();
    const auto c = comms::connected_components(g);
    CHECK(c.count == 3);
    CHECK(comms::diameter(g) == 2);  // 10 m steps, 25 m range: 0-2-4
}
