#include "agents/fleet/protocol.hpp"

#include <doctest/doctest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "agents/fleet/fleet_run.hpp"
#include "sim/executor.hpp"
#include "tests/agents/fleet/fleet_test_util.hpp"

using namespace swarm;
using namespace swarm::agents;
using agents::testing::run_for;
using agents::testing::run_options;
using agents::testing::SmallCity;

TEST_CASE("protocols: the registry makes each by name and alias, and lists them when unknown") {
    std::set<std::string> seen;
    for (const ProtocolInfo& p : protocols()) {
        CHECK(seen.insert(std::string(p.name)).second);
        CHECK(make_protocol(p.name)->name() == p.name);
        for (const std::string_view alias : p.aliases) {
            CHECK(seen.insert(std::string(alias)).second);
            CHECK(make_protocol(alias)->name() == p.name);
        }
    }
    CHECK(protocol_names().size() == seen.size());
    CHECK(make_protocol("nearest_bid")->name() == "auction");
    try {
        (void)make_protocol("auktion");
        FAIL("an unknown protocol was made");
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        CHECK(what.find("'auktion'") != std::string::npos);
        for (const std::string& name : protocol_names()) {
            CHECK(what.find(name) != std::string::npos);
        }
    }
}

TEST_CASE(
    "protocols: every registered protocol delivers, the same on one and two threads, ahead or in "
    "lockstep") {
    for (const ProtocolInfo& p : protocols()) {
        CAPTURE(p.name);
        SmallCity city;
        city.spec.allocation.policy = std::string(p.name);
        sim::SerialExecutor serial;
        FleetRun one(city.spec, run_options(city.spec, *city.routers, serial, 2));
        const auto a = run_for(one, 0.5);
        sim::TbbExecutor two_threads(2);
        FleetRun two(city.spec, run_options(city.spec, *city.routers, two_threads, 2));
        const auto b = run_for(two, 0.5);
        CHECK(a.kpi.created > 50);
        // most orders placed in the first 20 minutes are delivered by the end
        CHECK(a.kpi.delivered * 2 > a.kpi.created);
        CHECK(one.model().protocol().name() == p.name);
        CHECK(a.event_hash == b.event_hash);
        CHECK(a.kpi_hash == b.kpi_hash);
        CHECK(one.model().comms_totals().messages_sent > 0);
        // in lockstep windows instead of running ahead (sim::EngineConfig): the same events
        FleetRunOptions lockstep_options = run_options(city.spec, *city.routers, two_threads, 2);
        lockstep_options.run_ahead_lookaheads = 0;
        FleetRun lockstep(city.spec, lockstep_options);
        const auto c = run_for(lockstep, 0.5);
        CHECK(a.event_hash == c.event_hash);
        CHECK(a.kpi_hash == c.kpi_hash);
    }
}

TEST_CASE("protocols: a dispatcher protocol gets its own LP, reached over the cloud link") {
    SmallCity city;
    city.spec.allocation.policy = "cloud";
    FleetModel cloud(city.spec, *city.routers);
    city.spec.allocation.policy = "auction";
    FleetModel auction(city.spec, *city.routers);
    CHECK(cloud.layout().size() == auction.layout().size() + 1);
    CHECK(cloud.layout().cloud_lp() == cloud.layout().size() - 1);
    CHECK(auction.layout().cloud_lp() == LpLayout::kNoCloud);
    CHECK(cloud.agent_count() == auction.agent_count() + 1);
}

TEST_CASE("protocols: spec problems name the keys behind them") {
    SmallCity city;
    city.spec.allocation.policy = "cbba";
    city.spec.allocation.board_interval_s = 600.0;
    const auto cbba = make_protocol("cbba")->check(SpecCheck{city.spec, 600.0});
    REQUIRE(cbba.size() == 1);
    CHECK(cbba[0].keys.front() == "policies.board_interval_s");
    CHECK(make_protocol("cbba")->check(SpecCheck{city.spec, 601.0}).empty());
    city.spec.comms.radio_loss = 1.0;
    const auto auction = make_protocol("auction")->check(SpecCheck{city.spec});
    REQUIRE(auction.size() == 1);
    CHECK(auction[0].keys.front() == "comms.radio_loss");
    city.spec.allocation.policy = "auction";
    CHECK_THROWS_AS(city.spec.validate(), std::invalid_argument);
}
