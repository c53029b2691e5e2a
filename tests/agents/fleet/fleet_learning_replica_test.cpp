// FleetLearning across ranks (agents/fleet/fleet_learning_replica.cpp): two copies, each
// running the LP work of its own vehicles (edges driven, planned services) and applying the
// other's records before every barrier, hold the same learning as one copy that ran it all,
// round after round; without the records they drift apart.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "agents/fleet/fleet_learning.hpp"
#include "fleet_test_util.hpp"
#include "sim/state_archive.hpp"

using namespace swarm;
using namespace swarm::agents;
using agents::testing::learning_spec;
using agents::testing::SmallCity;
using sim::StateArchive;

namespace {

// what vehicle v's LP does in window k: drive a few edges (now and then more than its ring
// holds), plan its routes, and now and then finish a planned service
void lp_work(FleetLearning& l, const FleetSpec& spec, std::uint32_t v, std::uint32_t k) {
    const sim::Tick round = spec.time.from_seconds(spec.learning.round_s);
    sim::RandomStream rng(77, v, k);
    const std::uint64_t edges = (v + k) % 7 == 0 ? 3 * spec.learning.memory : rng.below(4);
    for (std::uint64_t e = 0; e < edges; ++e) {
        const auto edge = static_cast<EdgeId>(rng.below(spec.net().edge_count()));
        l.drive_edge(v, edge, round * (k - 1) + static_cast<sim::Tick>(e), rng);
    }
    (void)l.predicted_factors(v, round * k);
    if ((3 * v + k) % 23 == 0) {
        l.serviced(v);
    }
}

// a learning round at the barrier ending window k, as FleetModel runs it, with gossip
// between fixed pairs
void barrier(FleetLearning& l, const FleetSpec& spec, std::uint32_t k, sim::Executor& executor) {
    const std::uint32_t n = spec.vehicle_count();
    const sim::Tick t = spec.time.from_seconds(spec.learning.round_s) * k;
    std::vector<float> use(n);
    std::vector<std::uint8_t> running(n);
    for (std::uint32_t v = 0; v < n; ++v) {
        sim::RandomStream rng(88, v, k);
        use[v] = static_cast<float>(rng.uniform(0.5, 1.0));
        running[v] = rng.bernoulli(0.9) ? 1 : 0;
    }
    std::vector<std::uint32_t> broke;
    l.sense(t, use, running, broke);
    l.train(executor);
    l.begin_exchange();
    for (std::uint32_t v = 0; v < n; ++v) {
        const std::uint32_t u = (v + 1 + k % (n - 1)) % n;
        l.count_transfer(v, u, 100, true);
        if (l.push_pull(v, u, (v + k) % 3 != 0).replied) {
            l.count_transfer(u, v, 100, true);
        }
    }
    std::vector<std::uint8_t> eligible(n, 1);
    std::vector<std::uint32_t> due;
    l.decide(eligible, due);
    if (k % 3 == 0) {
        l.evaluate(executor);
    }
}

// the first field where two learnings differ ("" when none), but the predicted factors:
// scratch that each vehicle's owner redoes before every use
std::string first_difference(const FleetLearning& a, const FleetLearning& b) {
    StateArchive x;
    StateArchive y;
    a.save(x);
    b.save(y);
    for (const auto& [name, arr] : x.arrays()) {
        if (name != "predicted_factors" &&
            (!y.arrays().contains(name) || y.arrays().at(name).bytes != arr.bytes)) {
            return name;
        }
    }
    return {};
}

}  // namespace

TEST_CASE("fleet learning across ranks: copies kept by records equal one that ran it all") {
    SmallCity city;
    FleetSpec spec = learning_spec(city, LearningMode::kGossip);
    // a small ring (some windows overrun it), short rounds and labels: services come early
    spec.learning.memory = 24;
    spec.learning.round_s = 600.0;
    spec.learning.horizon_s = 3600.0;
    spec.learning.risk_threshold = 0.05;
    const std::uint32_t n = spec.vehicle_count();
    sim::SerialExecutor serial;
    FleetLearning whole(spec, n, 5);  // one process: every LP's work
    FleetLearning rank0(spec, n, 5);  // even vehicles' LPs
    FleetLearning rank1(spec, n, 5);  // odd ones
    FleetLearning alone(spec, n, 5);  // even vehicles' LPs, without the others' records
    FleetLearning::VehicleRecord rec;
    std::uint64_t travel_sent = 0;
    std::uint64_t services_sent = 0;
    for (std::uint32_t k = 1; k <= 36; ++k) {
        for (std::uint32_t v = 0; v < n; ++v) {
            lp_work(whole, spec, v, k);
            lp_work(v % 2 == 0 ? rank0 : rank1, spec, v, k);
            if (v % 2 == 0) {
                lp_work(alone, spec, v, k);
            }
        }
        for (std::uint32_t v = 0; v < n; ++v) {
            FleetLearning& owner = v % 2 == 0 ? rank0 : rank1;
            owner.take_record(v, rec);
            (v % 2 == 0 ? rank1 : rank0).apply_record(v, rec);
            travel_sent += rec.travel.size();
            services_sent += rec.serviced;
            CHECK(rec.travel.size() <= spec.learning.memory);
        }
        for (FleetLearning* l : {&whole, &rank0, &rank1, &alone}) {
            barrier(*l, spec, k, serial);
        }
        CAPTURE(k);
        REQUIRE(first_difference(whole, rank0) == "");
        REQUIRE(first_difference(whole, rank1) == "");
    }
    // the records carried something, and the run without them drifted apart
    CHECK(travel_sent > 0);
    CHECK(services_sent > 0);
    CHECK(whole.totals().wear_breakdowns > 0);
    CHECK(whole.totals().services_planned > 0);
    CHECK(!first_difference(whole, alone).empty());
    // a record of nothing new changes nothing
    rank0.take_record(0, rec);
    CHECK(rec.travel.empty());
    CHECK(rec.serviced == 0);
    rank1.apply_record(0, rec);
    CHECK(first_difference(rank0, rank1).empty());
}

TEST_CASE("fleet learning across ranks: a record that does not fit is refused") {
    SmallCity city;
    const FleetSpec spec = learning_spec(city, LearningMode::kGossip);
    FleetLearning l(spec, spec.vehicle_count(), 5);
    FleetLearning::VehicleRecord rec;
    rec.travel.resize(3);
    rec.travel_count = 2;  // fewer observations ever than it carries
    CHECK_THROWS_WITH_AS(l.apply_record(0, rec), doctest::Contains("does not fit vehicle 0"),
                         std::invalid_argument);
    rec.travel_count = 3;
    CHECK_THROWS_AS(l.apply_record(spec.vehicle_count(), rec), std::invalid_argument);
}
