#include "agents/fleet/fleet_board.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/executor.hpp"
#include "sim/random.hpp"

using namespace swarm::agents;
using swarm::world::Point;

namespace {
FleetBoard::Entry idle_at(swarm::world::Point p) {
    FleetBoard::Entry e;
    e.position = p;
    return e;
}
}  // namespace

TEST_CASE("fleet board: nearest usable vehicles within the radius with ties to the lower index") {
    FleetBoard board(swarm::world::BoundingBox{{0, 0}, {1000, 1000}}, 100.0, 10);
    std::vector<FleetBoard::Entry> entries;
    // a 10 x 10 lattice of vehicles, every 100 m, plus two at the same spot
    for (int y = 0; y < 10; ++y) {
        for (int x = 0; x < 10; ++x) {
            entries.push_back(idle_at({x * 100.0 + 50.0, y * 100.0 + 50.0}));
        }
    }
    entries.push_back(idle_at({450.0, 450.0}));
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

TEST_CASE("fleet board: an update moves only the rows given, and answers as a rebuild would") {
    const swarm::world::BoundingBox box{{0.0, 0.0}, {1000.0, 1000.0}};
    std::vector<FleetBoard::Entry> rows(6);
    for (std::uint32_t v = 0; v < rows.size(); ++v) {
        rows[v].position = {100.0 * v, 100.0 * v};
    }
    FleetBoard updated(box, 150.0, rows.size());
    updated.rebuild(rows);
    // vehicle 5 drives to the origin, 0 leaves it; 2 stays in its cell but moves a little
    const std::vector<std::uint32_t> moved = {0, 2, 5};
    std::vector<FleetBoard::Entry> news = {rows[0], rows[2], rows[5]};
    news[0].position = {900.0, 900.0};
    news[1].position = {210.0, 190.0};
    news[2].position = {1.0, 1.0};
    updated.update(moved, news);
    for (std::size_t i = 0; i < moved.size(); ++i) {
        rows[moved[i]] = news[i];
    }
    FleetBoard rebuilt(box, 150.0, rows.size());
    rebuilt.rebuild(rows);
    const auto any = [](std::uint32_t, const FleetBoard::Entry&) { return true; };
    for (const Point p : {Point{0.0, 0.0}, Point{200.0, 200.0}, Point{950.0, 950.0}}) {
        std::array<std::uint32_t, 6> a{};
        std::array<std::uint32_t, 6> b{};
        const std::size_t na = updated.nearest(p, 2000.0, any, a);
        const std::size_t nb = rebuilt.nearest(p, 2000.0, any, b);
        CHECK(na == 6);
        CHECK(na == nb);
        CHECK(a == b);
    }
    std::array<std::uint32_t, 1> one{};
    CHECK(updated.nearest({0.0, 0.0}, 50.0, any, one) == 1);
    CHECK(one[0] == 5);
    CHECK(updated.entry(2).position.x == 210.0);
}

TEST_CASE("fleet board: a large update in parallel answers as a rebuild would") {
    // enough rows for the update to run its in-cell moves on the executor's threads
    const swarm::world::BoundingBox box{{0.0, 0.0}, {20000.0, 20000.0}};
    const std::uint32_t n = 40000;
    swarm::sim::RandomStream rng(3, 0, 0, 0);
    std::vector<FleetBoard::Entry> rows(n);
    for (FleetBoard::Entry& e : rows) {
        e.position = {rng.uniform() * 20000.0, rng.uniform() * 20000.0};
    }
    swarm::sim::TeamExecutor two(2);
    FleetBoard updated(box, 500.0, n);
    updated.rebuild(rows);
    // three in four rows move: most a few metres (staying in their cell), some anywhere
    std::vector<std::uint32_t> moved;
    std::vector<FleetBoard::Entry> news;
    for (std::uint32_t v = 0; v < n; ++v) {
        if (v % 4 == 3) {
            continue;
        }
        FleetBoard::Entry e = rows[v];
        if (v % 10 == 0) {
            e.position = {rng.uniform() * 20000.0, rng.uniform() * 20000.0};
        } else {
            e.position.x = std::clamp(e.position.x + (rng.uniform() - 0.5) * 40.0, 0.0, 20000.0);
        }
        e.plan_size = static_cast<std::uint8_t>(v % 3);
        moved.push_back(v);
        news.push_back(e);
        rows[v] = e;
    }
    updated.update(moved, news, &two);
    FleetBoard rebuilt(box, 500.0, n);
    rebuilt.rebuild(rows);
    for (std::uint32_t v = 0; v < n; ++v) {
        REQUIRE(updated.entry(v).position.x == rows[v].position.x);
        REQUIRE(updated.entry(v).plan_size == rows[v].plan_size);
    }
    const auto any = [](std::uint32_t, const FleetBoard::Entry&) { return true; };
    for (int q = 0; q < 200; ++q) {
        const Point p{rng.uniform() * 20000.0, rng.uniform() * 20000.0};
        std::array<std::uint32_t, 8> a{};
        std::array<std::uint32_t, 8> b{};
        const std::size_t na = updated.nearest(p, 1500.0, any, a);
        const std::size_t nb = rebuilt.nearest(p, 1500.0, any, b);
        REQUIRE(na == nb);
        REQUIRE(a == b);
    }
}

TEST_CASE("fleet board: taxi ranks keep the order vehicles joined in, through updates") {
    // 4 x 4 spots every 250 m; vehicles come and go between the spots and the road
    const swarm::world::BoundingBox box{{0.0, 0.0}, {1000.0, 1000.0}};
    const std::uint32_t spots = 16;
    const std::uint32_t n = 300;
    auto spot_at = [](std::uint32_t s) { return Point{250.0 * (s % 4), 250.0 * (s / 4)}; };
    swarm::sim::RandomStream rng(5, 0, 0, 0);
    std::vector<FleetBoard::Entry> rows(n);
    std::vector<std::uint32_t> where(n, FleetBoard::kNoSpot);
    std::vector<swarm::sim::Tick> since(n, 0);
    auto draw = [&](std::uint32_t v) {
        FleetBoard::Entry e;
        e.type = static_cast<std::uint16_t>(v % 3);
        if (rng.uniform() < 0.6) {
            const auto s = static_cast<std::uint32_t>(rng.below(spots));
            e.position = spot_at(s);
            return std::pair{e, s};
        }
        e.position = {rng.uniform() * 1000.0, rng.uniform() * 1000.0};
        e.state = VehicleState::kEnRoute;
        e.plan_size = static_cast<std::uint8_t>(rng.below(3));
        return std::pair{e, FleetBoard::kNoSpot};
    };
    for (std::uint32_t v = 0; v < n; ++v) {
        std::tie(rows[v], where[v]) = draw(v);
    }
    FleetBoard board(box, 100.0, n, spots, 3);  // a lane per type
    board.rebuild(rows, where, 0);
    swarm::sim::TeamExecutor two(2);
    for (swarm::sim::Tick t = 1; t <= 20; ++t) {
        std::vector<std::uint32_t> moved;
        std::vector<FleetBoard::Entry> news;
        std::vector<std::uint32_t> at;
        for (std::uint32_t v = 0; v < n; ++v) {
            if (rng.uniform() < 0.2) {
                auto [e, s] = draw(v);
                moved.push_back(v);
                news.push_back(e);
                at.push_back(s);
                if (s != where[v] || s == FleetBoard::kNoSpot) {
                    since[v] = t;  // a new arrival (or not waiting at all)
                }
                rows[v] = e;
                where[v] = s;
            }
        }
        board.update(moved, news, t % 2 == 0 ? &two : nullptr, at, t);
        // every rank: by (since, index)
        for (std::uint32_t s = 0; s < spots; ++s) {
            std::vector<std::uint32_t> want;
            for (std::uint32_t v = 0; v < n; ++v) {
                if (where[v] == s) {
                    want.push_back(v);
                }
            }
            std::stable_sort(want.begin(), want.end(),
                             [&](std::uint32_t a, std::uint32_t b) { return since[a] < since[b]; });
            REQUIRE(board.rank(s) == want);
        }
        // offers agree with a brute force over (distance, more orders, rank, index)
        for (int q = 0; q < 20; ++q) {
            const Point p{rng.uniform() * 1000.0, rng.uniform() * 1000.0};
            const auto type = static_cast<std::uint16_t>(q % 3);
            auto usable = [type](std::uint32_t, const FleetBoard::Entry& e) {
                return e.type != type;
            };
            std::array<std::uint32_t, 5> got{};
            const std::size_t k = board.nearest_ranked(p, 400.0, usable, got);
            std::vector<std::tuple<double, int, swarm::sim::Tick, std::uint32_t>> ref;
            for (std::uint32_t v = 0; v < n; ++v) {
                const double d2 =
                    std::pow(rows[v].position.x - p.x, 2) + std::pow(rows[v].position.y - p.y, 2);
                if (d2 <= 400.0 * 400.0 && rows[v].type != type) {
                    ref.emplace_back(d2, -rows[v].plan_size,
                                     where[v] == FleetBoard::kNoSpot ? 0 : since[v], v);
                }
            }
            std::sort(ref.begin(), ref.end());
            REQUIRE(k == std::min<std::size_t>(got.size(), ref.size()));
            for (std::size_t i = 0; i < k; ++i) {
                CHECK(got[i] == std::get<3>(ref[i]));
            }
            // the plain query reads the ranks too
            std::array<std::uint32_t, 5> plain{};
            const std::size_t m = board.nearest(p, 400.0, usable, plain);
            REQUIRE(m == k);
            // one type: only its lane is read
            auto of_type = [type](std::uint32_t, const FleetBoard::Entry& e) {
                return e.type == type;
            };
            std::array<std::uint32_t, 3> typed{};
            const std::size_t kt = board.nearest_ranked(p, 400.0, of_type, typed, type);
            std::vector<std::tuple<double, int, swarm::sim::Tick, std::uint32_t>> ref_t;
            for (std::uint32_t v = 0; v < n; ++v) {
                const double d2 =
                    std::pow(rows[v].position.x - p.x, 2) + std::pow(rows[v].position.y - p.y, 2);
                if (d2 <= 400.0 * 400.0 && rows[v].type == type) {
                    ref_t.emplace_back(d2, -rows[v].plan_size,
                                       where[v] == FleetBoard::kNoSpot ? 0 : since[v], v);
                }
            }
            std::sort(ref_t.begin(), ref_t.end());
            REQUIRE(kt == std::min<std::size_t>(typed.size(), ref_t.size()));
            for (std::size_t i = 0; i < kt; ++i) {
                CHECK(typed[i] == std::get<3>(ref_t[i]));
            }
        }
    }
}
