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
    std::vector<std::uint32_t> tag;  // pile tags (PointGrid::kNoPile: alone)
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

double dist2(Point a, Point b) {
    return (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
}

// the k nearest by (distance, id), brute force
std::vector<std::uint32_t> nearest_by_id_brute(const Brute& b, Point q, double r, std::size_t k) {
    std::vector<std::uint32_t> in = within_brute(b, q, r);
    in.erase(std::remove_if(in.begin(), in.end(), [](std::uint32_t id) { return id % 3 == 0; }),
             in.end());
    std::stable_sort(in.begin(), in.end(), [&](std::uint32_t a, std::uint32_t c) {
        return dist2(b.p[a], q) < dist2(b.p[c], q);
    });
    in.resize(std::min(in.size(), k));
    return in;
}

// nearest_fair's order, brute force from its definition: rank = tag % 5 (a pile's), the
// usable ones those with tag % 4 != 0 (alone: id % 3 != 0); a point alone or in a pile of
// at most kHashedPile keys shuffle_key(id, salt) >> 16; a larger pile of m (same spot and
// tag, ids increasing) is turned so that member (top + j) % m keys ((j << 48) + phase) / m,
// top and phase drawn from its first id
std::vector<std::uint32_t> nearest_fair_brute(const Brute& b, Point q, double r, std::size_t k,
                                              std::uint64_t salt) {
    struct Cand {
        double d2;
        std::uint64_t key;
        std::uint32_t id;
    };
    std::vector<Cand> all;
    std::vector<std::uint32_t> in = within_brute(b, q, r);
    for (const std::uint32_t id : in) {
        const std::uint32_t tag = b.tag[id];
        if (tag == PointGrid::kNoPile) {
            if (id % 3 != 0) {
                all.push_back({dist2(b.p[id], q), PointGrid::shuffle_key(id, salt) >> 16, id});
            }
            continue;
        }
        if (tag % 4 == 0) {
            continue;
        }
        std::vector<std::uint32_t> pile;  // increasing, as `in` is
        for (const std::uint32_t o : in) {
            if (b.tag[o] == tag && b.p[o].x == b.p[id].x && b.p[o].y == b.p[id].y) {
                pile.push_back(o);
            }
        }
        const std::uint64_t m = pile.size();
        const std::uint64_t phase = PointGrid::shuffle_key(pile[0], salt) >> 16;
        const std::uint64_t top = PointGrid::shuffle_key(pile[0], ~salt) % m;
        const auto pos =
            static_cast<std::uint64_t>(std::find(pile.begin(), pile.end(), id) - pile.begin());
        const std::uint64_t j = (pos + m - top) % m;
        const std::uint64_t key = m <= PointGrid::kHashedPile
                                      ? PointGrid::shuffle_key(id, salt) >> 16
                                      : ((j << 48) + phase) / m;
        all.push_back({dist2(b.p[id], q), (std::uint64_t{tag % 5} << 48) | key, id});
    }
    std::sort(all.begin(), all.end(), [](const Cand& a, const Cand& c) {
        if (a.d2 != c.d2) {
            return a.d2 < c.d2;
        }
        return a.key != c.key ? a.key < c.key : a.id < c.id;
    });
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < all.size() && i < k; ++i) {
        out.push_back(all[i].id);
    }
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
    bool piles = false;         // points placed with pile tags (0..5, or alone)
};

// points on a lattice of 10 m (many exact ties), some outside the box, moved and removed
void exercise(double extent, std::size_t n, std::size_t expected, bool want_dense,
              Layout layout = {}) {
    const BoundingBox box{{0.0, 0.0}, {extent, extent}};
    PointGrid g(box, layout.cell_m, expected);
    CHECK(g.dense() == want_dense);
    swarm::sim::RandomStream rng(7, 1, 0, 0);
    Brute b{std::vector<Point>(n), std::vector<std::uint8_t>(n, 0),
            std::vector<std::uint32_t>(n, PointGrid::kNoPile)};
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
                if (layout.piles) {
                    const auto t = static_cast<std::uint32_t>(rng.uniform() * 7.0);
                    b.tag[i] = t == 6 ? PointGrid::kNoPile : t;
                }
                g.place(i, b.p[i], b.tag[i]);
            } else if (layout.piles && u < 0.35) {
                // stays where it is, maybe in another pile: the parallel path when it can
                const auto t = static_cast<std::uint32_t>(rng.uniform() * 7.0);
                b.tag[i] = t == 6 ? PointGrid::kNoPile : t;
                if (b.on[i] == 0 || !g.move_in_cell(i, b.p[i], b.tag[i])) {
                    b.on[i] = 1;
                    g.place(i, b.p[i], b.tag[i]);
                }
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
            const auto written = [&](std::size_t m) {
                return std::vector<std::uint32_t>(out.begin(),
                                                  out.begin() + static_cast<std::ptrdiff_t>(m));
            };
            const std::size_t by_id = g.nearest(
                at, r, [](std::uint32_t id) { return id % 3 != 0; },
                std::span<std::uint32_t>(out).first(k));
            REQUIRE(written(by_id) == nearest_by_id_brute(b, at, r, k));
            const std::size_t fair = g.nearest_fair(
                at, r,
                [&](std::uint32_t id) {
                    return b.tag[id] == PointGrid::kNoPile ? id % 3 != 0 : b.tag[id] % 4 != 0;
                },
                std::span<std::uint32_t>(out).first(k),
                [&](std::uint32_t id) {
                    return b.tag[id] == PointGrid::kNoPile ? 0 : b.tag[id] % 5;
                },
                salt);
            REQUIRE(written(fair) == nearest_fair_brute(b, at, r, k, salt));
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
    SUBCASE("piles: points at one spot with one tag share a slot") {
        exercise(2000.0, 600, 600, true, {50.0, 300.0, 5, true});
        exercise(20000.0, 3000, 3000, false, {100.0, 5000.0, 40, true});
        // piles of about 150, either side of kHashedPile
        exercise(20000.0, 3000, 3000, true, {500.0, 3000.0, 2, true});
    }
}

TEST_CASE("point grid: a large pile's fair order puts each member first as often") {
    // 300 points at one spot, one pile (turned, above kHashedPile): over many salts each is
    // first about as often. With a second pile of 900 beside it (same rank), the k = 4 go
    // to the piles in proportion to their sizes: each pile's keys are a turned lattice of
    // step 1/m, so the first 1/300 of the circle holds one of the small pile's and three of
    // the large one's
    static_assert(PointGrid::kHashedPile < 300);
    PointGrid g({{0.0, 0.0}, {100.0, 100.0}}, 10.0, 1200);
    g.reset(1200);
    for (std::uint32_t i = 0; i < 300; ++i) {
        g.place(i, {50.0, 50.0}, 1);
    }
    std::vector<int> first(1200, 0);
    std::array<std::uint32_t, 4> out{};
    const auto all = [](std::uint32_t) { return true; };
    const auto rank = [](std::uint32_t) { return 0; };
    for (std::uint64_t salt = 0; salt < 30000; ++salt) {
        REQUIRE(g.nearest_fair({50.0, 50.0}, 5.0, all, out, rank, salt) == 4);
        ++first[out[0]];
        // four distinct members
        std::array<std::uint32_t, 4> sorted = out;
        std::sort(sorted.begin(), sorted.end());
        CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    }
    for (std::uint32_t i = 0; i < 300; ++i) {
        CHECK(first[i] > 50);
        CHECK(first[i] < 150);
    }
    for (std::uint32_t i = 300; i < 1200; ++i) {
        g.place(i, {50.0, 50.0}, 2);
    }
    int large = 0;
    for (std::uint64_t salt = 0; salt < 10000; ++salt) {
        REQUIRE(g.nearest_fair({50.0, 50.0}, 5.0, all, out, rank, salt) == 4);
        for (const std::uint32_t id : out) {
            large += id >= 300 ? 1 : 0;
        }
    }
    CHECK(large == 30000);
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
