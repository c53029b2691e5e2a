// Tests sim/models/queueing.hpp and sim/models/queueing_theory.hpp: the station's
// bookkeeping by hand, the formulas against known values, and the simulated M/M/c
// against Erlang C over independent replications run in one engine.
#include "sim/models/queueing.hpp"

#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine.hpp"
#include "sim/models/queueing_theory.hpp"

using namespace swarm::sim;
namespace qt = swarm::sim::queueing;

namespace {

constexpr double kTicksPerSecond = 1'000'000.0;

// the outcome of one run of k replications, in seconds
struct Replications {
    std::vector<double> wq;           // per-station mean wait in queue
    std::vector<double> lq;           // per-station time-average queue length
    std::vector<double> utilisation;  // per-station server utilisation
    std::vector<double> p_wait;       // per-station share of customers who waited
    std::uint64_t customers = 0;      // waits measured, all stations
    std::uint64_t events = 0;
    std::uint64_t hash = 0;
};

struct Setup {
    std::uint32_t servers = 1;
    double lambda = 0.5;  // arrivals per second; service rate mu = 1 per second
    ServiceTime::Law law = ServiceTime::Law::kExponential;
    std::uint32_t replications = 8;
    std::uint64_t customers = 100'000;  // per station
    std::uint64_t seed = 1;
};

Replications run(const Setup& setup, Executor& executor) {
    StationParams station;
    station.servers = setup.servers;
    station.service = {setup.law, kTicksPerSecond};
    SourceParams source;
    source.mean_interarrival = kTicksPerSecond / setup.lambda;
    source.customers = setup.customers;
    QueueingParams params = replicate(setup.replications, station, source);
    params.transit = 20 * static_cast<Tick>(kTicksPerSecond);
    params.warmup = 200 * static_cast<Tick>(kTicksPerSecond);
    QueueingModel model(params);

    EngineConfig config;
    config.lp_count = model.lp_count();
    config.lookahead = params.transit;
    config.seed = setup.seed;
    Engine engine(config, model, executor);
    model.seed_events(engine);
    const RunStats stats = engine.run();
    REQUIRE(stats.reason == StopReason::kNoEvents);

    Replications r;
    for (std::uint32_t i = 0; i < setup.replications; ++i) {
        const StationStats& s = model.stats(i);
        // every customer came and went; none is left behind
        CHECK(s.arrivals == setup.customers);
        CHECK(s.completed == setup.customers);
        CHECK(model.station(i).closed());
        CHECK(model.station(i).queue_length() == 0);
        r.wq.push_back(s.wait.mean / kTicksPerSecond);
        r.lq.push_back(s.mean_queue());
        r.utilisation.push_back(s.utilisation(setup.servers));
        r.p_wait.push_back(s.delayed_fraction());
        r.customers += s.wait.count;
    }
    r.events = stats.events;
    r.hash = engine.event_hash();
    return r;
}

bool bit_identical(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) {
            return false;
        }
    }
    return true;
}

// the analytic value inside the 95% interval and within `tolerance` of the mean
void check_against(const std::string& what, const std::vector<double>& replications,
                   double analytic, double tolerance) {
    const Estimate e = estimate_95(replications);
    INFO(what << ": simulated " << e.mean << " +- " << e.half_width << " (95%, n = " << e.n
              << "), analytic " << analytic);
    CHECK(e.contains(analytic));
    CHECK(std::fabs(e.mean - analytic) <= tolerance * analytic);
}

// the simulation against M/M/c, then the same run on two threads, bit for bit
void check_mmc(const Setup& setup) {
    const qt::QueueMeans m = qt::mmc(setup.lambda, 1.0, setup.servers);
    SerialExecutor serial;
    const Replications a = run(setup, serial);
    CHECK(a.customers >= setup.replications * (setup.customers - setup.customers / 100));
    check_against("Wq [s]", a.wq, m.wq, 0.05);
    check_against("Lq", a.lq, m.lq, 0.05);
    check_against("utilisation", a.utilisation, m.rho, 0.02);
    check_against("P(wait)", a.p_wait, m.p_wait, 0.05);

    TbbExecutor two(2);
    const Replications b = run(setup, two);
    CHECK(b.events == a.events);
    CHECK(b.hash == a.hash);
    CHECK(bit_identical(a.wq, b.wq));
    CHECK(bit_identical(a.lq, b.lq));
    CHECK(bit_identical(a.utilisation, b.utilisation));
    CHECK(bit_identical(a.p_wait, b.p_wait));
}

// builds a customer that arrived at `t`
Customer at(Tick t, std::uint64_t id = 0) {
    Customer c;
    c.id = id;
    c.arrived = t;
    return c;
}

}  // namespace

TEST_CASE("queueing theory: Erlang B and C against known values") {
    CHECK(qt::erlang_b(1, 1.0) == doctest::Approx(0.5));
    CHECK(qt::erlang_b(2, 1.0) == doctest::Approx(0.2));
    CHECK(qt::erlang_c(1, 0.5) == doctest::Approx(0.5));  // M/M/1: P(wait) = rho
    CHECK(qt::erlang_c(2, 1.0) == doctest::Approx(1.0 / 3.0));
    CHECK(qt::erlang_c(3, 1.5) == doctest::Approx(0.236842).epsilon(1e-5));
    CHECK(qt::erlang_c(3, 3.0) == 1.0);  // saturated
    // large c does not overflow
    CHECK(qt::erlang_c(500, 450.0) > 0.0);
    CHECK(qt::erlang_c(500, 450.0) < 1.0);
    CHECK_THROWS_AS((void)qt::erlang_c(0, 1.0), std::invalid_argument);
}

TEST_CASE("queueing theory: M/M/1, M/M/c, M/G/1 means") {
    // M/M/1 at rho 0.5, mu = 1: Wq = rho / (mu - lambda) = 1, Lq = 0.5, W = 2, L = 1
    const qt::QueueMeans m1 = qt::mm1(0.5, 1.0);
    CHECK(m1.rho == doctest::Approx(0.5));
    CHECK(m1.wq == doctest::Approx(1.0));
    CHECK(m1.lq == doctest::Approx(0.5));
    CHECK(m1.w == doctest::Approx(2.0));
    CHECK(m1.l == doctest::Approx(1.0));
    // M/M/2 at a = 1: Wq = C / (c mu - lambda) = (1/3) / 1
    const qt::QueueMeans m2 = qt::mmc(1.0, 1.0, 2);
    CHECK(m2.wq == doctest::Approx(1.0 / 3.0));
    CHECK(m2.lq == doctest::Approx(1.0 / 3.0));
    // Pollaczek-Khinchine: exponential service gives M/M/1, deterministic half the wait
    CHECK(qt::mg1(0.5, 1.0, 1.0).wq == doctest::Approx(m1.wq));
    CHECK(qt::mg1(0.5, 1.0, 0.0).wq == doctest::Approx(0.5));
    CHECK(qt::mgc_approx(1.0, 1.0, 2, 1.0).wq == doctest::Approx(m2.wq));
    // unstable queues wait forever
    CHECK(std::isinf(qt::mmc(3.0, 1.0, 3).wq));
    CHECK(std::isinf(qt::mg1(2.0, 1.0, 0.0).lq));
}

TEST_CASE("queueing: FifoStation serves FIFO on c servers and integrates its queue") {
    FifoStation st(2);
    // t=0: two arrivals take both servers, a third queues at t=1, a fourth at t=2
    CHECK(st.arrive(0, at(0, 0)));
    CHECK(st.arrive(0, at(0, 1)));
    CHECK_FALSE(st.arrive(1, at(1, 2)));
    CHECK_FALSE(st.arrive(2, at(2, 3)));
    CHECK(st.busy() == 2);
    CHECK(st.queue_length() == 2);
    // t=4: customer 0 leaves, customer 2 (first in line) takes the server after waiting 3
    auto next = st.complete(4, at(0, 0));
    REQUIRE(next.has_value());
    CHECK(next->id == 2);
    // t=5: customer 1 leaves, customer 3 waited 3
    next = st.complete(5, at(0, 1));
    REQUIRE(next.has_value());
    CHECK(next->id == 3);
    // t=7, 8: the rest leave, the servers fall idle
    CHECK_FALSE(st.complete(7, at(1, 2)).has_value());
    CHECK_FALSE(st.complete(8, at(2, 3)).has_value());
    CHECK(st.busy() == 0);
    st.close(10);

    const StationStats& s = st.stats();
    CHECK(s.arrivals == 4);
    CHECK(s.started == 4);
    CHECK(s.completed == 4);
    CHECK(s.max_queue == 2);
    CHECK(s.wait.count == 4);
    CHECK(s.delayed == 2);
    CHECK(s.delayed_fraction() == doctest::Approx(0.5));
    CHECK(s.wait.mean == doctest::Approx(1.5));  // (0 + 0 + 3 + 3) / 4
    CHECK(s.wait.max == doctest::Approx(3.0));
    CHECK(s.sojourn.mean == doctest::Approx((4.0 + 5.0 + 6.0 + 6.0) / 4.0));
    // queue: 1 on [1,2), 2 on [2,4), 1 on [4,5) -> area 6 over [0,10]
    CHECK(s.queue_area == doctest::Approx(6.0));
    CHECK(s.mean_queue() == doctest::Approx(0.6));
    // busy: 2 on [0,7), 1 on [7,8) -> 15 server-ticks over 10 ticks, 2 servers
    CHECK(s.busy_area == doctest::Approx(15.0));
    CHECK(s.utilisation(2) == doctest::Approx(0.75));
}

TEST_CASE("queueing: FifoStation warm-up and close bound the statistics") {
    FifoStation st(1, 10);
    CHECK(st.arrive(5, at(5, 0)));        // before the warm-up: not measured
    CHECK_FALSE(st.arrive(6, at(6, 1)));  // queued during the warm-up
    auto next = st.complete(12, at(5, 0));
    REQUIRE(next.has_value());  // customer 1 arrived before the warm-up: wait not counted
    CHECK(st.arrive(20, at(20, 2)) == false);
    st.close(30);
    // changes after close do not count
    next = st.complete(40, at(6, 1));
    REQUIRE(next.has_value());
    CHECK_FALSE(st.complete(41, at(20, 2)).has_value());

    const StationStats& s = st.stats();
    CHECK(s.wait.count == 1);  // customer 2 only, waited 20
    CHECK(s.wait.mean == doctest::Approx(20.0));
    CHECK(s.observed_from == 10);
    CHECK(s.observed_to == 30);
    // queue: 1 on [10,12), 0 on [12,20), 1 on [20,30) -> 12 over 20 ticks
    CHECK(s.mean_queue() == doctest::Approx(0.6));
    CHECK(s.utilisation(1) == doctest::Approx(1.0));
}

TEST_CASE("queueing: FifoStation grows its waiting line and keeps the order") {
    FifoStation st(1);
    CHECK(st.arrive(0, at(0, 0)));
    for (std::uint64_t i = 1; i <= 1000; ++i) {
        CHECK_FALSE(st.arrive(static_cast<Tick>(i), at(static_cast<Tick>(i), i)));
    }
    CHECK(st.stats().max_queue == 1000);
    Customer done = at(0, 0);
    for (std::uint64_t i = 1; i <= 1000; ++i) {
        const auto next = st.complete(static_cast<Tick>(1000 + i), done);
        REQUIRE(next.has_value());
        REQUIRE(next->id == i);
        done = *next;
    }
    CHECK_FALSE(st.complete(3000, done).has_value());
}

TEST_CASE("queueing: the model lays out LPs and rejects bad parameters") {
    QueueingParams params;
    params.stations.resize(2);
    params.sources = {{1, 1e6, 10}, {0, 1e6, 10}, {1, 1e6, 10}};
    const QueueingModel model(params);
    CHECK(model.lp_count() == 5);
    // station 0 after its source 1, station 1 after its sources 0 and 2
    CHECK(model.source_lp(1) == 0);
    CHECK(model.station_lp(0) == 1);
    CHECK(model.source_lp(0) == 2);
    CHECK(model.source_lp(2) == 3);
    CHECK(model.station_lp(1) == 4);
    CHECK(model.arrival_rate(1) == doctest::Approx(2e-6));

    QueueingParams bad = params;
    bad.sources[0].station = 7;
    CHECK_THROWS_AS(QueueingModel{bad}, std::invalid_argument);
    bad = params;
    bad.stations[0].servers = 0;
    CHECK_THROWS_AS(QueueingModel{bad}, std::invalid_argument);
    bad = params;
    bad.transit = 0;
    CHECK_THROWS_AS(QueueingModel{bad}, std::invalid_argument);

    // a transit shorter than the lookahead is the kernel's to refuse
    QueueingModel short_transit(params);
    SerialExecutor serial;
    EngineConfig config;
    config.lp_count = short_transit.lp_count();
    config.lookahead = 2 * params.transit;
    Engine engine(config, short_transit, serial);
    short_transit.seed_events(engine);
    CHECK_THROWS_AS(engine.run(), SchedulingError);
}

TEST_CASE("queueing: two sources merge into one station with all customers served") {
    QueueingParams params;
    params.stations.push_back({2, {ServiceTime::Law::kExponential, 1e6}});
    params.sources = {{0, 2e6, 2000}, {0, 4e6, 1000}};
    params.transit = 5'000'000;
    QueueingModel model(params);
    SerialExecutor serial;
    EngineConfig config;
    config.lp_count = model.lp_count();
    config.lookahead = params.transit;
    config.seed = 3;
    Engine engine(config, model, serial);
    model.seed_events(engine);
    const RunStats stats = engine.run();
    const StationStats& s = model.stats(0);
    CHECK(s.arrivals == 3000);
    CHECK(s.completed == 3000);
    // 3000 emissions + 3000 arrivals + 3000 departures
    CHECK(stats.events == 9000);
    CHECK(model.station(0).closed());
    // utilisation lambda / (c mu) = 0.75 / 2, loosely (a short run)
    CHECK(s.utilisation(2) == doctest::Approx(0.375).epsilon(0.05));
}

TEST_CASE("queueing: M/M/1 at rho 0.5 matches Wq and Lq") {
    Setup setup;
    setup.servers = 1;
    setup.lambda = 0.5;
    setup.seed = 11;
    check_mmc(setup);
}

TEST_CASE("queueing: M/M/3 at rho 0.5 matches Erlang C") {
    Setup setup;
    setup.servers = 3;
    setup.lambda = 1.5;
    setup.seed = 12;
    check_mmc(setup);
}

TEST_CASE("queueing: M/M/5 at rho 0.5 matches Erlang C") {
    Setup setup;
    setup.servers = 5;
    setup.lambda = 2.5;
    setup.seed = 15;
    check_mmc(setup);
}

TEST_CASE("queueing: M/D/1 at rho 0.5 matches Pollaczek-Khinchine") {
    Setup setup;
    setup.servers = 1;
    setup.lambda = 0.5;
    setup.law = ServiceTime::Law::kDeterministic;
    setup.customers = 50'000;
    setup.seed = 14;
    SerialExecutor serial;
    const Replications r = run(setup, serial);
    const qt::QueueMeans m = qt::mg1(setup.lambda, 1.0, 0.0);
    check_against("Wq [s]", r.wq, m.wq, 0.05);
    check_against("Lq", r.lq, m.lq, 0.05);
}

TEST_CASE("fifo station: servers taken away and given back mid-run") {
    FifoStation s(2);
    const auto cust = [](std::uint64_t id, Tick t) {
        Customer c;
        c.id = id;
        c.created = t;
        c.arrived = t;
        return c;
    };
    CHECK(s.arrive(0, cust(1, 0)));
    CHECK(s.arrive(0, cust(2, 0)));
    CHECK_FALSE(s.arrive(0, cust(3, 0)));
    CHECK_FALSE(s.arrive(0, cust(4, 0)));
    // down to one server: both in service finish, the first freed one stays idle
    CHECK(s.set_servers(10, 1).empty());
    CHECK(s.busy() == 2);
    CHECK_FALSE(s.complete(20, cust(1, 0)).has_value());
    CHECK(s.busy() == 1);
    const auto next = s.complete(30, cust(2, 0));
    REQUIRE(next.has_value());
    CHECK(next->id == 3);
    CHECK(s.busy() == 1);
    // back to three: the waiting customer starts at once
    const auto started = s.set_servers(40, 3);
    REQUIRE(started.size() == 1);
    CHECK(started[0].id == 4);
    CHECK(s.busy() == 2);
    CHECK(s.queue_length() == 0);
    CHECK_THROWS_AS(s.set_servers(50, 0), std::invalid_argument);
}

TEST_CASE("queueing: a FifoStation saved mid-queue and loaded goes on as the original") {
    // a wrapped waiting line (pops before pushes) on fewer servers than it was built with
    FifoStation st(3, 2);
    for (std::uint64_t i = 0; i < 80; ++i) {
        st.arrive(static_cast<Tick>(i), at(static_cast<Tick>(i), i));
    }
    for (std::uint64_t i = 0; i < 20; ++i) {
        st.complete(static_cast<Tick>(100 + i), at(static_cast<Tick>(i), i));
    }
    st.set_servers(130, 2);
    StateArchive a;
    {
        const auto s = a.scope("docks");
        st.save(a);
    }
    FifoStation copy(1);
    {
        const auto s = a.scope("docks");
        copy.load(a);
    }
    StateArchive b;
    {
        const auto s = b.scope("docks");
        copy.save(b);
    }
    CHECK(a.checksum() == b.checksum());
    CHECK(b.arrays().at("docks/queue/id").count == st.queue_length());
    // both serve the rest the same way
    for (std::uint64_t i = 20; i < 80; ++i) {
        const auto x = st.complete(static_cast<Tick>(200 + i), at(static_cast<Tick>(i), i));
        const auto y = copy.complete(static_cast<Tick>(200 + i), at(static_cast<Tick>(i), i));
        REQUIRE(x.has_value() == y.has_value());
        if (x) {
            CHECK(x->id == y->id);
        }
    }
    CHECK(st.stats().wait.mean == copy.stats().wait.mean);
    CHECK(st.stats().queue_area == copy.stats().queue_area);
    CHECK(st.stats().observed_to == copy.stats().observed_to);

    a.put_value("zero/servers", std::uint32_t{0});
    const auto s = a.scope("zero");
    CHECK_THROWS_AS(copy.load(a), CheckpointError);
}
