#include "agents/fleet/fleet_board.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

using namespace swarm::agents;

TEST_CASE("fleet board: nearest usable vehicles within the radius with ties to the lower index") {
    FleetBoard board(swarm::world::BoundingBox{{0, 0}, {1000, 1000}}, 100.0);
    std::vector<FleetBoard::Entry> entries;
    // a 10 x 10 lattice of vehicles, every 100 m, plus two at the same spot
    for (int y = 0; y < 10; ++y) {
        for (int x = 0; x < 10; ++x) {
            entries.push_back({{x * 100.0 + 50.0, y * 100.0 + 50.0}, VehicleState::kIdle, 0});
        }
    }
    entries.push_back({{450.0, 450.0}, VehicleState::kIdle, 0});
    entries[44].state = VehicleState::kBroken;
    board.rebuild(entries);
    auto all = [](std::uint32_t, const FleetBoard::Entry& e) {
        return e.state != VehicleState::kBroken;
    };
    std::array<std::uint32_t, 5> out{};
    const std::size_t n = board.nearest({450.0, 450.0}, 150.0, all, out);
    REQUIRE(n == 5);
    CHECK(out[0] == 100);  // at the spot (44 there is broken)
    // then the four at 100 m, in index order
    CHECK(out[1] == 34);
    CHECK(out[2] == 43);
    CHECK(out[3] == 45);
    CHECK(out[4] == 54);

    // brute force agrees for random queries
    for (int q = 0; q < 50; ++q) {
        const swarm::world::Point p{(q * 37) % 1000 * 1.0, (q * 91) % 1000 * 1.0};
        std::array<std::uint32_t, 4> got{};
        const std::size_t k = board.nearest(p, 250.0, all, got);
        std::vector<std::pair<double, std::uint32_t>> ref;
        for (std::uint32_t v = 0; v < entries.size(); ++v) {
            const double d2 =
                std::pow(entries[v].position.x - p.x, 2) + std::pow(entries[v].position.y - p.y, 2);
            if (d2 <= 250.0 * 250.0 && entries[v].state != VehicleState::kBroken) {
                ref.emplace_back(d2, v);
            }
        }
        std::sort(ref.begin(), ref.end());
        REQUIRE(k == std::min<std::size_t>(4, ref.size()));
        for (std::size_t i = 0; i < k; ++i) {
            CHECK(got[i] == ref[i].second);
        }
    }
}
