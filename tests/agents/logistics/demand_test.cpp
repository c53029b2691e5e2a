#include "agents/logistics/demand.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <set>
#include <vector>

using namespace swarm::agents;
using swarm::sim::kTickNever;
using swarm::sim::RandomStream;

namespace {

constexpr Tick kSecond = 1'000'000;
constexpr Tick kHour = 3600 * kSecond;

CustomerZone zone(double per_hour) {
    return CustomerZone{0, {10, 11, 12, 13}, per_hour};
}

// arrivals in [0, end)
std::vector<Tick> arrivals(const DemandProcess& p, RandomStream& rng, Tick end) {
    std::vector<Tick> out;
    for (Tick t = p.next_arrival(0, rng); t < end; t = p.next_arrival(t, rng)) {
        out.push_back(t);
    }
    return out;
}

}  // namespace

TEST_CASE("a profile's bins are equal slices of its period repeated") {
    const RateProfile p{{1.0, 2.0, 3.0}, 10};  // edges 0, 3, 6
    CHECK(p.factor_at(0) == 1.0);
    CHECK(p.factor_at(2) == 1.0);
    CHECK(p.factor_at(3) == 2.0);
    CHECK(p.factor_at(5) == 2.0);
    CHECK(p.factor_at(6) == 3.0);
    CHECK(p.factor_at(9) == 3.0);
    CHECK(p.factor_at(10) == 1.0);
    CHECK(p.factor_at(-1) == 3.0);
    CHECK(p.factor_at(-10) == 1.0);
    CHECK(p.max_factor() == 3.0);
    CHECK(p.integral(0, 10) == doctest::Approx(1 * 3 + 2 * 3 + 3 * 4));
    CHECK(p.integral(2, 7) == doctest::Approx(1 * 1 + 2 * 3 + 3 * 1));
    CHECK(p.integral(-10, 20) == doctest::Approx(3 * 21.0));
    CHECK(p.integral(5, 5) == 0.0);
}

TEST_CASE("the day profile has mean 1 and morning and afternoon peaks") {
    const RateProfile day = RateProfile::day();
    REQUIRE(day.factors.size() == 24);
    CHECK(day.period == 24 * kHour);
    CHECK(day.integral(0, day.period) == doctest::Approx(static_cast<double>(day.period)));
    const auto at = [&](int h) { return day.factor_at(h * kHour + kHour / 2); };
    CHECK(at(9) > 1.5 * at(12));   // morning peak above the lunch dip
    CHECK(at(16) > 1.5 * at(12));  // afternoon peak above it too
    CHECK(at(12) > 1.5 * at(20));  // and the evening quieter still
    CHECK(at(3) < 0.2);            // quiet night
}

TEST_CASE("a start hour shifts the day profile so that time 0 is that hour") {
    const RateProfile midnight = RateProfile::day();
    const RateProfile eight = RateProfile::day({}, 8.0);
    CHECK(eight.offset == 8 * kHour);
    for (int h = 0; h < 30; ++h) {
        const Tick t = h * kHour + kHour / 3;
        CAPTURE(h);
        CHECK(eight.factor_at(t) == midnight.factor_at(t + 8 * kHour));
        CHECK(eight.integral(t, t + kHour) ==
              doctest::Approx(midnight.integral(t + 8 * kHour, t + 9 * kHour)));
    }
    // the first simulated hour is the 8-9 h peak; a whole day still integrates to its length
    CHECK(eight.integral(0, kHour) > 1.5 * static_cast<double>(kHour));
    CHECK(eight.integral(0, eight.period) == doctest::Approx(static_cast<double>(eight.period)));
    // half hours and 24 h (midnight again)
    CHECK(RateProfile::day({}, 8.5).factor_at(kHour / 2) == midnight.factor_at(9 * kHour));
    CHECK(RateProfile::day({}, 24.0).offset == 0);
}

TEST_CASE("arrival counts match the integrated rate within a 99.9% Poisson bound") {
    const DemandProcess p(zone(120.0), RateProfile::flat(kHour), DemandParams{});
    RandomStream rng(1234, 0, 1);
    const Tick end = 200 * kHour;
    const auto n = static_cast<double>(arrivals(p, rng, end).size());
    const double mean = p.expected_arrivals(0, end);
    CHECK(mean == doctest::Approx(24'000.0));
    // two-sided 99.9%: |N - mean| <= 3.29 sd
    CHECK(std::fabs(n - mean) <= 3.29 * std::sqrt(mean));
}

TEST_CASE("thinning follows the rate profile: peaks get more and zero bins none") {
    const RateProfile day = RateProfile::day();
    const DemandProcess p(zone(60.0), day, DemandParams{});
    RandomStream rng(99, 3, 1);
    const int days = 30;
    std::array<double, 24> per_hour{};
    for (const Tick t : arrivals(p, rng, days * 24 * kHour)) {
        per_hour[static_cast<std::size_t>((t % (24 * kHour)) / kHour)] += 1.0;
    }
    for (int h = 0; h < 24; ++h) {
        const Tick from = h * kHour;
        const double mean = days * p.expected_arrivals(from, from + kHour);
        INFO("hour " << h << ": " << per_hour[static_cast<std::size_t>(h)] << " vs " << mean);
        // 24 bins at 99.9% each (Bonferroni): |N - mean| <= 4 sd
        CHECK(std::fabs(per_hour[static_cast<std::size_t>(h)] - mean) <= 4.0 * std::sqrt(mean));
    }
    CHECK(per_hour[9] > 3 * per_hour[3]);
    CHECK(per_hour[16] > 3 * per_hour[22]);

    // a profile that is closed half of each period: no arrival falls in the closed half
    const DemandProcess half(zone(100.0), RateProfile{{0.0, 1.0}, 2 * kHour}, DemandParams{});
    RandomStream rng2(99, 4, 1);
    const std::vector<Tick> got = arrivals(half, rng2, 100 * kHour);
    CHECK(got.size() > 4000);
    for (const Tick t : got) {
        REQUIRE(t % (2 * kHour) >= kHour);
    }
}

TEST_CASE("demand is a pure function of the stream it is given") {
    const DemandProcess p(zone(30.0), RateProfile::day(), DemandParams{});
    RandomStream a(7, 12, 1);
    RandomStream b(7, 12, 1);
    RandomStream other(7, 12, 2);
    const std::vector<Tick> xa = arrivals(p, a, 48 * kHour);
    CHECK(xa == arrivals(p, b, 48 * kHour));
    CHECK(xa != arrivals(p, other, 48 * kHour));
    CHECK(a.draws() == b.draws());

    // arrivals are strictly increasing
    for (std::size_t i = 1; i < xa.size(); ++i) {
        REQUIRE(xa[i] > xa[i - 1]);
    }
    // resuming from a saved draw count continues the same sequence
    RandomStream c(7, 12, 1);
    const Tick first = p.next_arrival(0, c);
    RandomStream resumed(7, 12, 1, c.draws());
    CHECK(p.next_arrival(first, resumed) == xa[1]);
}

TEST_CASE("zero demand never arrives") {
    RandomStream rng(1, 1, 1);
    const DemandProcess none(CustomerZone{0, {}, 0.0}, RateProfile::day(), DemandParams{});
    CHECK(none.next_arrival(0, rng) == kTickNever);
    const DemandProcess closed(zone(50.0), RateProfile{{0.0, 0.0}, kHour}, DemandParams{});
    CHECK(closed.next_arrival(123, rng) == kTickNever);
    CHECK(rng.draws() == 0);
}

TEST_CASE("orders draw node and size and window and service time from their laws") {
    DemandParams params;
    params.size = {1.0, 3.0};
    params.integer_size = true;
    params.ready_offset_s = {0.0, 600.0};
    params.window_s = {1800.0, 3600.0};
    params.service_s = {60.0, 60.0};
    CustomerZone z = zone(10.0);
    z.depot = 4;
    const DemandProcess p(z, RateProfile::flat(kHour), params);
    RandomStream rng(5, 4, 1);
    std::set<std::uint32_t> nodes;
    std::set<double> sizes;
    for (int i = 0; i < 2000; ++i) {
        const Tick now = i * kSecond;
        const std::uint64_t before = rng.draws();
        const Order o = p.make_order(now, rng);
        REQUIRE(rng.draws() - before == 5);
        nodes.insert(o.customer_node);
        sizes.insert(o.size);
        CHECK(o.depot == 4);
        CHECK(o.created == now);
        REQUIRE(o.ready >= now);
        REQUIRE(o.ready <= now + 600 * kSecond);
        REQUIRE(o.due - o.ready >= 1800 * kSecond);
        REQUIRE(o.due - o.ready <= 3600 * kSecond);
        REQUIRE(o.service_time == 60 * kSecond);
    }
    CHECK(nodes == std::set<std::uint32_t>{10, 11, 12, 13});
    CHECK(sizes == std::set<double>{1.0, 2.0, 3.0});

    params.integer_size = false;
    params.size = {0.5, 0.75};
    const DemandProcess cont(z, RateProfile::flat(kHour), params);
    const Order o = cont.make_order(0, rng);
    CHECK(o.size >= 0.5);
    CHECK(o.size <= 0.75);
}

TEST_CASE("invalid demand parameters are refused") {
    const auto make = [](CustomerZone z, RateProfile r, DemandParams d) {
        return DemandProcess(std::move(z), std::move(r), d);
    };
    CHECK_THROWS_AS(make(zone(-1.0), RateProfile::flat(kHour), {}), std::invalid_argument);
    CHECK_THROWS_AS(make(zone(1.0), RateProfile{{}, kHour}, {}), std::invalid_argument);
    CHECK_THROWS_AS(make(zone(1.0), RateProfile{{1.0}, 0}, {}), std::invalid_argument);
    CHECK_THROWS_AS(make(zone(1.0), RateProfile{{-1.0}, kHour}, {}), std::invalid_argument);
    CHECK_THROWS_AS(make(CustomerZone{0, {}, 1.0}, RateProfile::flat(kHour), {}),
                    std::invalid_argument);
    DemandParams bad;
    bad.window_s = {10.0, 5.0};
    CHECK_THROWS_AS(make(zone(1.0), RateProfile::flat(kHour), bad), std::invalid_argument);
    DemandParams no_integer;
    no_integer.size = {1.2, 1.8};
    CHECK_THROWS_AS(make(zone(1.0), RateProfile::flat(kHour), no_integer), std::invalid_argument);
}
