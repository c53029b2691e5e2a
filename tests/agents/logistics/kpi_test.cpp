#include "agents/logistics/kpi.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <tuple>
#include <vector>

#include "agents/logistics/order_book.hpp"
#include "sim/random.hpp"

using namespace swarm::agents;
using swarm::sim::kTickNever;

namespace {

constexpr Tick kSecond = 1'000'000;
constexpr Tick kMinute = 60 * kSecond;
constexpr Tick kHour = 60 * kMinute;

Order spec(Tick created, Tick due, double size = 1.0) {
    Order o;
    o.size = size;
    o.created = created;
    o.ready = created;
    o.due = due;
    return o;
}

void deliver(OrderBook& book, OrderId id, Tick at, double quantity = -1.0) {
    book.assign(id, 1, book.order(id).created);
    book.pick_up(id, book.order(id).created);
    if (quantity < 0.0) {
        book.deliver(id, at);
    } else {
        book.deliver(id, at, quantity);
    }
}

// The hand-made day of docs/logistics.md: 7 orders, 3 complete hourly intervals.
struct HandMade {
    OrderBook book{0, kHour};
    FleetCounters fleet;

    HandMade() {
        const OrderId a = book.create(spec(0, 30 * kMinute));
        const OrderId b = book.create(spec(0, 40 * kMinute));
        const OrderId c = book.create(spec(10 * kMinute, 50 * kMinute, 2.0));
        const OrderId d = book.create(spec(20 * kMinute, 70 * kMinute));
        const OrderId e = book.create(spec(30 * kMinute, 100 * kMinute));
        deliver(book, a, 20 * kMinute);
        book.fail(d, FailReason::kNoVehicle, 30 * kMinute);
        book.assign(e, 3, 35 * kMinute);
        book.unassign(e, 40 * kMinute);
        deliver(book, c, 45 * kMinute, 1.0);  // on time, not in full
        deliver(book, b, 50 * kMinute);       // 10 min late
        book.assign(e, 4, 55 * kMinute);      // reassigned after 15 min
        book.pick_up(e, 60 * kMinute);
        const OrderId f = book.create(spec(100 * kMinute, 150 * kMinute));  // stays open
        const OrderId g = book.create(spec(110 * kMinute, 200 * kMinute));
        book.deliver(e, 130 * kMinute);   // 30 min late
        deliver(book, g, 150 * kMinute);  // on time, due after the end
        (void)f;

        DepotCounters& dc = book.counters();
        dc.queue.set(0, 0);
        dc.queue.set(10 * kMinute, 2);
        dc.queue.set(40 * kMinute, 1);
        dc.queue.set(60 * kMinute, 0);
        dc.queue.advance(3 * kHour);
        dc.dock_busy = 45 * kMinute;

        FleetCounters v0;
        v0.add_distance_m(12'500.0);
        v0.add_energy_kwh(2.5);
        v0.busy = kHour;
        v0.idle = 2 * kHour;
        FleetCounters v1;
        v1.add_distance_m(7'500.0);
        v1.add_energy_kwh(1.5);
        v1.busy = 30 * kMinute;
        v1.idle = 90 * kMinute;
        v1.down = kHour;
        fleet += v0;
        fleet += v1;
    }
};

}  // namespace

TEST_CASE("a time integral accumulates level x time and the maximum") {
    TimeIntegral q;
    q.set(0, 1);
    q.add(10, 2);  // level 3 from 10
    q.set(30, 0);
    q.advance(50);
    CHECK(q.area == 1 * 10 + 3 * 20);
    CHECK(q.max == 3);
    CHECK(q.since == 50);
    CHECK_THROWS_AS(q.set(40, 1), std::logic_error);
}

TEST_CASE("lateness histogram bins are half-open intervals of minutes closed above") {
    CHECK(LatenessHistogram::bin(0.0) == 0);
    CHECK(LatenessHistogram::bin(-5.0) == 0);
    CHECK(LatenessHistogram::bin(0.001) == 1);
    CHECK(LatenessHistogram::bin(60.0) == 1);
    CHECK(LatenessHistogram::bin(61.0) == 2);
    CHECK(LatenessHistogram::bin(600.0) == 4);
    CHECK(LatenessHistogram::bin(7200.0) == 8);
    CHECK(LatenessHistogram::bin(7201.0) == 9);
    LatenessHistogram a;
    a.add(0.0, 3);
    a.add(100.0);
    LatenessHistogram b;
    b.add(100.0);
    b.add(1e6);
    a += b;
    CHECK(a.counts[0] == 3);
    CHECK(a.counts[2] == 2);
    CHECK(a.counts[9] == 1);
    CHECK(a.total() == 6);
}

TEST_CASE("nearest-rank lateness percentiles count on-time deliveries as zeros") {
    const std::vector<Tick> late = {10, 20, 30, 40};
    CHECK(lateness_percentile(6, late, 50.0) == 0);   // rank 5 of 10
    CHECK(lateness_percentile(6, late, 60.0) == 0);   // rank 6
    CHECK(lateness_percentile(6, late, 61.0) == 10);  // rank 7
    CHECK(lateness_percentile(6, late, 90.0) == 30);  // rank 9
    CHECK(lateness_percentile(6, late, 99.0) == 40);
    CHECK(lateness_percentile(6, late, 100.0) == 40);
    CHECK(lateness_percentile(0, late, 0.0) == 10);
    CHECK(lateness_percentile(0, {}, 50.0) == 0);
}

TEST_CASE("Q(t) counts each outcome in the interval it became known") {
    OrderBook book(0, kHour);
    // four orders due in hour 0, one due in hour 2, none in hour 1
    const OrderId on_time = book.create(spec(0, 30 * kMinute));
    const OrderId late = book.create(spec(0, 40 * kMinute));
    const OrderId short_one = book.create(spec(0, 50 * kMinute, 2.0));
    book.create(spec(0, 55 * kMinute));  // still open
    const OrderId next = book.create(spec(0, 150 * kMinute));
    deliver(book, on_time, 10 * kMinute);
    deliver(book, late, 70 * kMinute);
    deliver(book, short_one, 20 * kMinute, 1.0);
    deliver(book, next, 20 * kMinute);  // early: served when it is handed over
    const KpiSeries& s = book.series();
    CHECK(s.due(0) == 4);
    CHECK(s.on_time_in_full(0) == 1);
    CHECK(s.delivered_by_due(0) == 3);
    // hour 0: served on_time and next, lost short_one (short, before due), lapsed late and
    // the open one at their due times
    CHECK(s.service_counts(0) == ServiceCounts{2, 1, 2});
    CHECK(s.service_level(0) == 0.4);
    // the late delivery in hour 1 is not counted again
    CHECK(s.due(1) == 0);
    CHECK(s.service_counts(1) == ServiceCounts{});
    CHECK(s.service_level(1) == 1.0);  // nothing became known: nobody let down
    CHECK(s.settled_by_due(2) == 1);
    CHECK(s.service_counts(2) == ServiceCounts{});
    CHECK(s.service_level(7) == 1.0);  // beyond the data
    CHECK(s.service_levels(3) == std::vector<double>{0.4, 1.0, 1.0});
    CHECK(s.delivered(0) == 3);
    CHECK(s.delivered(1) == 1);
    CHECK(s.backlog_at(0) == 0);
    CHECK(s.backlog_at(1) == 2);
    CHECK(s.backlog_at(2) == 1);
    CHECK(s.interval_of(kHour - 1) == 0);
    CHECK(s.interval_of(kHour) == 1);
    CHECK(s.complete_before(kHour - 1) == 0);
    CHECK(s.complete_before(3 * kHour) == 3);
    CHECK(s.start_of(2) == 2 * kHour);
}

TEST_CASE("the summary of a hand-made day has exact values") {
    HandMade h;
    REQUIRE(h.book.check_conservation().ok());
    const KpiSeries& series = h.book.series();
    CHECK(series.backlog_at(1) == 1);
    CHECK(series.backlog_at(2) == 3);
    CHECK(series.backlog_at(3) == 1);
    // hour 0: a served; c (short) and d (failed) lost when declared, b lapsed at its due
    // time; hour 1: e lapsed; hour 2: g served, f lapsed
    CHECK(series.service_counts(0) == ServiceCounts{1, 2, 1});
    CHECK(series.service_counts(1) == ServiceCounts{0, 0, 1});
    CHECK(series.service_counts(2) == ServiceCounts{1, 0, 1});
    CHECK(series.service_levels(3) == std::vector<double>{0.25, 0.0, 0.5});

    const KpiSummary s =
        summarize(h.book.counters(), h.fleet, series, SummaryScope{0, 3 * kHour, 1, {}});
    CHECK(s.created == 7);
    CHECK(s.delivered == 5);
    CHECK(s.delivered_on_time == 3);
    CHECK(s.delivered_late == 2);
    CHECK(s.delivered_short == 1);
    CHECK(s.failed == 1);
    CHECK(s.failed_by_reason[static_cast<std::size_t>(FailReason::kNoVehicle)] == 1);
    CHECK(s.backlog == 1);
    CHECK(s.intervals == 3);
    CHECK(s.interval_s == 3600.0);
    CHECK(s.due == 6);
    CHECK(s.due_on_time_in_full == 1);
    CHECK(s.due_delivered == 4);
    CHECK(s.on_time_in_full_pct == 100.0 / 6.0);
    CHECK(s.fill_rate == 4.0 / 6.0);
    CHECK(s.outcomes == ServiceCounts{2, 2, 3});
    CHECK(s.service_level == 2.0 / 7.0);
    CHECK(s.service_level_min == 0.0);
    CHECK(s.lateness_p50_s == 0.0);
    CHECK(s.lateness_p90_s == 1800.0);
    CHECK(s.lateness_p99_s == 1800.0);
    CHECK(s.lateness_max_s == 1800.0);
    CHECK(s.lateness_histogram.counts[0] == 3);
    CHECK(s.lateness_histogram.counts[4] == 1);  // 10 min
    CHECK(s.lateness_histogram.counts[6] == 1);  // 30 min
    CHECK(s.orphaned == 1);
    CHECK(s.reassigned == 1);
    CHECK(s.time_to_reassign_mean_s == 900.0);
    CHECK(s.time_to_reassign_max_s == 900.0);
    CHECK(s.veh_km == 20.0);
    CHECK(s.energy_kwh == 4.0);
    CHECK(s.utilisation == 0.25);
    CHECK(s.queue_mean == doctest::Approx(4800.0 / 10800.0));
    CHECK(s.queue_max == 2);
    CHECK(s.dock_busy_h == 0.75);

    std::ostringstream json;
    s.to_json(json);
    const std::string text = json.str();
    CHECK(text.front() == '{');
    CHECK(text.find("\"created\": 7,") != std::string::npos);
    CHECK(text.find("\"on_time_in_full_pct\": 16.666666666666668,") != std::string::npos);
    CHECK(text.find("\"failed_by_reason\": {\"no_vehicle\": 1, \"no_stock\": 0,") !=
          std::string::npos);
    CHECK(text.find("\"counts\": [3, 0, 0, 0, 1, 0, 1, 0, 0, 0]") != std::string::npos);
    CHECK(text.find("\"dock_busy_h\": 0.75\n}") != std::string::npos);
    CHECK(text.find("nan") == std::string::npos);

    std::ostringstream human;
    s.print(human);
    CHECK(human.str().find("OTIF 16.7 % of 6 due, fill rate 0.667") != std::string::npos);
    CHECK(human.str().find("utilisation 25.0 %") != std::string::npos);
}

TEST_CASE("undefined ratios are NaN in the summary and null in JSON") {
    const KpiSummary s = summarize(DepotCounters{}, FleetCounters{}, KpiSeries{kHour},
                                   SummaryScope{0, 30 * kMinute, 1, {}});
    CHECK(s.intervals == 0);
    CHECK(std::isnan(s.on_time_in_full_pct));
    CHECK(std::isnan(s.lateness_p50_s));
    CHECK(std::isnan(s.utilisation));
    // nothing was due or known: no service level, not 1
    CHECK(std::isnan(s.service_level));
    CHECK(std::isnan(s.service_level_min));
    std::ostringstream json;
    s.to_json(json);
    CHECK(json.str().find("\"on_time_in_full_pct\": null,") != std::string::npos);
    CHECK(json.str().find("\"service_level_min\": null,") != std::string::npos);
    // learning and resilience figures that do not apply are null, not 0
    CHECK(json.str().find("\"risk_model_accuracy\": null,") != std::string::npos);
    CHECK(json.str().find("\"learning_rounds\": null,") != std::string::npos);
    std::ostringstream human;
    s.print(human);
    CHECK(human.str().find("OTIF - % of 0 due") != std::string::npos);
    CHECK(human.str().find("worst Q -") != std::string::npos);
}

TEST_CASE("counter merging gives the same totals in any order") {
    swarm::sim::RandomStream rng(42, 0, 9);
    std::vector<FleetCounters> vehicles(64);
    std::vector<DepotCounters> depots(8);
    std::vector<KpiSeries> series;
    for (FleetCounters& v : vehicles) {
        for (int leg = 0; leg < 20; ++leg) {
            v.add_distance_m(rng.uniform(0.0, 2000.0));
            v.add_energy_kwh(rng.uniform(0.0, 0.4));
        }
        v.busy = static_cast<Tick>(rng.below(kHour));
        v.idle = static_cast<Tick>(rng.below(kHour));
        v.deliveries = static_cast<std::uint32_t>(rng.below(30));
    }
    for (std::size_t d = 0; d < depots.size(); ++d) {
        OrderBook book(static_cast<std::uint32_t>(d), 15 * kMinute);
        for (int i = 0; i < 50; ++i) {
            const Tick t = static_cast<Tick>(rng.below(4 * kHour));
            const OrderId id = book.create(spec(t, t + static_cast<Tick>(rng.below(kHour))));
            if (rng.bernoulli(0.8)) {
                deliver(book, id, t + static_cast<Tick>(rng.below(2 * kHour)));
            } else {
                book.fail(id, FailReason::kExpired, t + kHour);
            }
        }
        book.counters().queue.set(static_cast<Tick>(rng.below(kHour)), 3);
        book.counters().queue.advance(5 * kHour);
        depots[d] = book.counters();
        series.push_back(book.series());
    }

    const auto sum_all = [&](const std::vector<std::size_t>& order) {
        FleetCounters f;
        DepotCounters dc;
        KpiSeries ks;
        for (const std::size_t i : order) {
            f += vehicles[i % vehicles.size()];
        }
        for (const std::size_t i : order) {
            if (i < depots.size()) {
                dc += depots[i];
                ks += series[i];
            }
        }
        return std::tuple(f, dc, ks);
    };
    std::vector<std::size_t> order(vehicles.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    const auto [f1, d1, s1] = sum_all(order);
    std::reverse(order.begin(), order.end());
    const auto [f2, d2, s2] = sum_all(order);
    for (std::size_t i = order.size() - 1; i > 0; --i) {
        std::swap(order[i], order[rng.below(i + 1)]);
    }
    const auto [f3, d3, s3] = sum_all(order);

    CHECK(f1 == f2);
    CHECK(f1 == f3);
    CHECK(s1 == s2);
    CHECK(s1 == s3);
    for (const DepotCounters* d : {&d2, &d3}) {
        CHECK(d->created == d1.created);
        CHECK(d->delivered_on_time == d1.delivered_on_time);
        CHECK(d->failed_by_reason == d1.failed_by_reason);
        CHECK(d->queue.area == d1.queue.area);
        CHECK(d->queue.max == d1.queue.max);
        // samples come in merge order; the summary sorts them, so its numbers agree
        const KpiSummary a = summarize(d1, f1, s1, SummaryScope{0, 5 * kHour, 8, {}});
        const KpiSummary b = summarize(*d, f1, s1, SummaryScope{0, 5 * kHour, 8, {}});
        CHECK(a.lateness_p90_s == b.lateness_p90_s);
        CHECK(a.lateness_histogram == b.lateness_histogram);
    }
    CHECK(d1.created == 400);

    // series on different grids do not add; an empty series adopts the other's grid
    KpiSeries other(kHour);
    CHECK_THROWS_AS(other += series[0], std::invalid_argument);
    KpiSeries empty;
    empty += series[0];
    CHECK(empty == series[0]);
}

TEST_CASE("time to recover runs from the disruption's onset to the first recovered interval") {
    const std::vector<double> q = {1.0, 1.0, 0.9, 0.4, 0.3, 0.6, 0.85, 0.95, 1.0};
    const Recovery r = time_to_recover(q, 10, 0.5, 0.9, 20);
    CHECK(r.failed);
    CHECK(r.recovered);
    CHECK(r.fail_interval == 3);
    CHECK(r.recover_interval == 7);
    CHECK(r.failed_at == 30);
    CHECK(r.recovered_at == 70);
    CHECK(r.time_to_impact == 10);
    CHECK(r.time_to_recover == 50);

    // with an origin, and a disruption inside an interval: searching starts in that interval
    const Recovery shifted = time_to_recover(q, 10, 0.5, 0.9, 135, 100);
    CHECK(shifted.failed_at == 130);
    CHECK(shifted.time_to_impact == 0);
    CHECK(shifted.time_to_recover == 35);

    // a dip before the disruption does not count
    const Recovery later = time_to_recover(q, 10, 0.5, 0.9, 50);
    CHECK_FALSE(later.failed);
    CHECK(later.time_to_recover == 0);

    // never recovering
    const std::vector<double> down = {1.0, 0.2, 0.3, 0.5};
    const Recovery never = time_to_recover(down, 10, 0.5, 0.9, 0);
    CHECK(never.failed);
    CHECK_FALSE(never.recovered);
    CHECK(never.time_to_recover == kTickNever);

    CHECK_THROWS_AS((void)time_to_recover(q, 10, 0.9, 0.5, 0), std::invalid_argument);
    CHECK_THROWS_AS((void)time_to_recover(q, 0, 0.5, 0.9, 0), std::invalid_argument);
}

TEST_CASE("resilience loss is the area between the baseline and Q(t)") {
    const std::vector<double> q = {1.0, 0.5, 0.0, 0.5, 1.0};
    // 1-second intervals, baseline 100%: the triangle 0.5 + 1 + 0.5
    const ResilienceLoss r = resilience_loss(q, 1.0, kSecond);
    CHECK(r.loss_s == 2.0);
    CHECK(r.gain_s == 0.0);
    // 10-minute intervals: seconds of complete outage
    CHECK(resilience_loss(q, 1.0, 10 * kMinute).loss_s == 1200.0);

    // against a baseline run, where Q may also beat the baseline
    const std::vector<double> base = {0.75, 0.75, 0.75, 0.75, 0.75, 0.75};
    const ResilienceLoss b = resilience_loss(q, base, kSecond);
    CHECK(b.loss_s == 0.25 + 0.75 + 0.25);
    CHECK(b.gain_s == 0.25 + 0.25);
    CHECK(b.net_s() == 0.75);
    CHECK_THROWS_AS((void)resilience_loss(q, 1.0, 0), std::invalid_argument);
}
