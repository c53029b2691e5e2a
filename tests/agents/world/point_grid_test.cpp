#include "agents/world/point_grid.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include "sim/random.hpp"

using namespace swarm::world;

namespace {

struct Brute {
    std::vector<Point> p;
    std::vector<std::uint8_t> on;
};

std::vector<std::uint32_t> within_brute(const Brute& b, Point q, double r) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i < b.p.size(); ++i) {
        const double dx = b.p[i].x - q.x;
        const double dy = b.p[i].y - q.y;
        if (b.on[i] != 0 && dx * dx + dy * dy <= r * r) {
            out.push_back(i);
        }
    }
    return out;
}

std::vector<std::uint32_t> within_grid(const PointGrid& g, Point q, double r) {
    std::vector<std::uint32_t> out;
    g.for_each_within(q, r, [&](std::uint32_t id, Point) { out.push_back(id); });
    std::sort(out.begin(), out.end());
    return out;
}

// the k nearest by (distance, key, id), brute force
std::vector<std::uint32_t> nearest_brute(const Brute& b, Point q, double r, std::size_t k,
                                         std::uint64_t salt) {
    std::vector<std::uint32_t> in = within_brute(b, q, r);
    in.erase(std::remove_if(in.begin(), in.end(), [](std::uint32_t id) { return id % 3 == 0; }),
             in.end());
    auto key = [&](std::uint32_t id) { return (id * 2654435761u + salt) % 7; };
    std::sort(in.begin(), in.end(), [&](std::uint32_t a, std::uint32_t c) {
        const double da = (b.p[a].x - q.x) * (b.p[a].x - q.x) + (b.p[a].y - q.y) * (b.p[a].y - q.y);
        const double dc = (b.p[c].x - q.x) * (b.p[c].x - q.x) + (b.p[c].y - q.y) * (b.p[c].y - q.y);
        if (da != dc) {
            return da < dc;
        }
        return key(a) != key(c) ? key(a) < key(c) : a < c;
    });
    in.resize(std::min(in.size(), k));
    return in;
}

struct Layout {
    double cell_m = 50.0;
    double max_radius = 300.0;  // queries reach 5 m .. 5 m + this
    std::size_t spots = 0;      // > 0: 70 % of draws land on one of these (vehicles at depots)
};

// points on a lattice of 10 m (many exact ties), some outside the box, moved and removed
void exercise(double extent, std::size_t n, std::size_t expected, bool want_dense,
              Layout layout = {}) {
    const BoundingBox box{{0.0, 0.0}, {extent, extent}};
    PointGrid g(box, layout.cell_m, expected);
    CHECK(g.dense() == want_dense);
    swarm::sim::RandomStream rng(7, 1, 0, 0);
    Brute b{std::vector<Point>(n), std::vector<std::uint8_t>(n, 0)};
    g.reset(n);
    std::vector<Point> spots;
    auto lattice = [&] {
        // 10 % of points up to 20 % beyond the box (clamped into the border cells)
        const double lo = -0.2 * extent;
        const double span = 1.4 * extent;
        return Point{std::round((lo + rng.uniform() * span) / 10.0) * 10.0,
                     std::round((lo + rng.uniform() * span) / 10.0) * 10.0};
    };
    for (std::size_t i = 0; i < layout.spots; ++i) {
        spots.push_back(lattice());
    }
    auto draw = [&] {
        if (!spots.empty() && rng.uniform() < 0.7) {
            return spots[static_cast<std::size_t>(rng.uniform() *
                                                  static_cast<double>(spots.size()))];
        }
        return lattice();
    };
    for (std::uint32_t round = 0; round < 6; ++round) {
        for (std::uint32_t i = 0; i < n; ++i) {
            const double u = rng.uniform();
            if (round == 0 || u < 0.3) {
                b.p[i] = draw();
                b.on[i] = 1;
                g.place(i, b.p[i]);
            } else if (u < 0.4) {
                b.on[i] = 0;
                g.remove(i);
            }
            CHECK(g.placed(i) == (b.on[i] != 0));
        }
        for (std::size_t q = 0; q < 40; ++q) {
            const Point at = draw();
            const double r = 5.0 + rng.uniform() * layout.max_radius;
            REQUIRE(within_grid(g, at, r) == within_brute(b, at, r));
            std::array<std::uint32_t, 12> out{};
            const std::uint64_t salt = rng.next_u64();
            const std::size_t k = 1 + (q % 12);
            const std::size_t got = g.nearest(
                at, r, [](std::uint32_t id) { return id % 3 != 0; },
                std::span<std::uint32_t>(out).first(k),
                [&](std::uint32_t id) { return (id * 2654435761u + salt) % 7; });
            const std::vector<std::uint32_t> want = nearest_brute(b, at, r, k, salt);
            REQUIRE(std::vector<std::uint32_t>(
                        out.begin(), out.begin() + static_cast<std::ptrdiff_t>(got)) == want);
        }
    }
}

}  // namespace

TEST_CASE("point grid: range and nearest queries agree with brute force, dense and sparse") {
    SUBCASE("dense") {
        exercise(2000.0, 600, 600, true);
    }
    SUBCASE("sparse: a big box and few points") {
        exercise(200000.0, 300, 300, false);
    }
    SUBCASE("clustered: most points at a few spots, radii of many cells") {
        // the depots' case: nearest() stops after the rings around p, which must not lose
        // a nearer or tied point further out
        exercise(20000.0, 3000, 3000, true, {500.0, 3000.0, 6});
        exercise(20000.0, 3000, 3000, false, {100.0, 5000.0, 40});
    }
}

TEST_CASE("point grid: a point placed twice at one spot, removed twice, and bad boxes") {
    PointGrid g({{0.0, 0.0}, {100.0, 100.0}}, 10.0, 4);
    g.reset(4);
    g.place(2, {5.0, 5.0});
    g.place(2, {5.0, 5.0});
    g.place(2, {55.0, 5.0});
    std::vector<std::uint32_t> seen;
    g.for_each_within({50.0, 5.0}, 10.0, [&](std::uint32_t id, Point) { seen.push_back(id); });
    CHECK(seen == std::vector<std::uint32_t>{2});
    g.remove(2);
    g.remove(2);
    CHECK_FALSE(g.placed(2));
    seen.clear();
    g.for_each_within({50.0, 5.0}, 1000.0, [&](std::uint32_t id, Point) { seen.push_back(id); });
    CHECK(seen.empty());
    CHECK_THROWS_AS(PointGrid({{0.0, 0.0}, {1.0, 1.0}}, 0.0, 1), std::invalid_argument);
    CHECK_THROWS_AS(PointGrid({{1.0, 0.0}, {0.0, 1.0}}, 1.0, 1), std::invalid_argument);
}
