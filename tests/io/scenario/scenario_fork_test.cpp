// What a fork may change of the scenario it continues.
#include "io/scenario/scenario_fork.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "io/scenario/scenario.hpp"

using swarm::io::fork_problems;

namespace {

std::string resolved(const std::vector<std::string>& overrides) {
    swarm::io::ScenarioOptions o;
    o.overrides = overrides;
    o.build_network = false;
    return swarm::io::load_scenario(std::string(SWARM_SCENARIOS_DIR) + "/bridge_collapse.toml", o)
        .resolved_toml;
}

}  // namespace

TEST_CASE("a fork may change the policy, comms, cloud, outputs and the run's length") {
    const std::string before = resolved({});
    CHECK(fork_problems(before, before, 1800.0).empty());
    CHECK(fork_problems(
              before,
              resolved({"policies.allocation=cloud", "comms.cloud_loss=0.2", "cloud.solve_base_s=5",
                        "run.duration_s=9000", "policies.retry_backoff_s=10"}),
              1800.0)
              .empty());
}

TEST_CASE("a fork may not change what made the saved state, and says why") {
    const std::string before = resolved({});
    const auto p = fork_problems(before, resolved({"demand.due_s=900", "run.seed=2"}), 1800.0);
    REQUIRE(p.size() == 2);
    CHECK(p[0].starts_with("demand.due_s cannot change mid-run"));
    CHECK(p[1].starts_with("run.seed cannot change mid-run"));
    const auto board = fork_problems(before, resolved({"policies.board_interval_s=10"}), 1800.0);
    REQUIRE(board.size() == 1);
    CHECK(board[0].find("grid the run started with") != std::string::npos);
}

TEST_CASE("a fork may add disruptions from its time on, and not touch the old ones") {
    swarm::io::ScenarioOptions o;
    o.build_network = false;
    const std::string before = resolved({});
    o.road_flags.push_back(swarm::io::parse_road_flag("--close", "Bridge 10@2400"));
    const std::string later =
        swarm::io::load_scenario(std::string(SWARM_SCENARIOS_DIR) + "/bridge_collapse.toml", o)
            .resolved_toml;
    for (const std::string& p : fork_problems(before, later, 1800.0)) {
        FAIL_CHECK(p);
    }
    const auto early = fork_problems(before, later, 3000.0);
    REQUIRE(early.size() == 1);
    CHECK(early[0].find("at or after the fork's time (3000 s)") != std::string::npos);
    const auto moved = fork_problems(before, resolved({"disruptions.collapse.at_s=100"}), 1800.0);
    REQUIRE(moved.size() == 1);
    CHECK(moved[0].starts_with("disruptions[0].at_s cannot change mid-run"));
}

TEST_CASE("a fork may change how models travel, not whether the fleet learns") {
    const auto learning = [](std::vector<std::string> extra) {
        swarm::io::ScenarioOptions o;
        o.overrides = std::move(extra);
        o.build_network = false;
        return swarm::io::load_scenario(
                   std::string(SWARM_SCENARIOS_DIR) + "/predictive_maintenance.toml", o)
            .resolved_toml;
    };
    const std::string gossip = learning({"learning.mode=gossip"});
    CHECK(fork_problems(gossip,
                        learning({"learning.mode=fedavg", "learning.aggregator.kind=median",
                                  "learning.identity.sign=true", "learning.risk_threshold=0.2"}),
                        1800.0)
              .empty());
    CHECK(fork_problems(gossip, learning({"learning.mode=local"}), 1800.0).empty());
    const auto off = fork_problems(gossip, learning({"learning.mode=off"}), 1800.0);
    REQUIRE(off.size() == 1);
    CHECK(off[0].starts_with("learning.mode cannot change mid-run from 'gossip' to 'off'"));
    const auto on = fork_problems(learning({"learning.mode=off"}), gossip, 1800.0);
    REQUIRE(on.size() == 1);
    CHECK(on[0].find("'off' to 'gossip'") != std::string::npos);
    const auto memory =
        fork_problems(gossip, learning({"learning.mode=gossip", "learning.memory=64"}), 1800.0);
    REQUIRE(memory.size() == 1);
    CHECK(memory[0].starts_with("learning.memory cannot change mid-run"));
    const auto round = fork_problems(gossip, learning({"learning.round_s=120"}), 1800.0);
    REQUIRE(round.size() == 1);
    CHECK(round[0].find("grid the run started with") != std::string::npos);
}
