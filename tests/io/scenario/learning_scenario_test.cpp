// Learning scenario keys added for issue 21: the divergence bound, the replay and tamper
// rates and screened clipping's screen_factor are read, defaulted and refused out of range
// with file, line and field.
#include "io/scenario/learning_scenario.hpp"

#include <doctest/doctest.h>

#include <string>

using swarm::io::parse_learning_scenario;
using swarm::io::ScenarioError;

namespace {

const char* const kBase = "schema_version = 1\n[data]\nsource = \"blobs\"\n";

// the error message for the document, or "" when it loads
std::string error_of(const std::string& text) {
    try {
        (void)parse_learning_scenario(text, "t.toml");
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("learning.divergence_bound: default, value and range") {
    CHECK(parse_learning_scenario(kBase, "t.toml").spec.divergence_bound == 100.0);
    const auto s = parse_learning_scenario(
        std::string(kBase) + "[learning]\ndivergence_bound = 5e3\n", "t.toml");
    CHECK(s.spec.divergence_bound == 5e3);
    for (const char* bad : {"0", "-1", "nan", "inf", "\"big\""}) {
        CAPTURE(bad);
        const std::string e =
            error_of(std::string(kBase) + "[learning]\ndivergence_bound = " + bad + "\n");
        CHECK(e.find("t.toml:5:") != std::string::npos);
        CHECK(e.find("learning.divergence_bound") != std::string::npos);
    }
}

TEST_CASE("identity.replay_rate and identity.tamper_rate are rates") {
    const auto s = parse_learning_scenario(
        std::string(kBase) + "[identity]\nsign = true\nreplay_rate = 0.1\ntamper_rate = 0.2\n",
        "t.toml");
    CHECK(s.spec.identity.replay_rate == 0.1);
    CHECK(s.spec.identity.tamper_rate == 0.2);
    for (const char* key : {"replay_rate", "tamper_rate"}) {
        CAPTURE(key);
        const std::string e = error_of(std::string(kBase) + "[identity]\n" + key + " = 1.5\n");
        CHECK(e.find("t.toml:5:") != std::string::npos);
        CHECK(e.find(std::string("identity.") + key) != std::string::npos);
    }
}

TEST_CASE("aggregator.screen_factor: default, value and range") {
    const auto d = parse_learning_scenario(kBase, "t.toml");
    CHECK(d.spec.aggregator.screen_factor == 2.0);
    const auto s = parse_learning_scenario(
        std::string(kBase) + "[aggregator]\nkind = \"screened_clipping\"\nscreen_factor = 3.5\n",
        "t.toml");
    CHECK(s.spec.aggregator.screen_factor == 3.5);
    CHECK(std::string(swarm::learning::to_string(s.spec.aggregator.kind)) == "screened_clipping");
    for (const char* bad : {"0.5", "0", "-2", "nan", "inf", "\"wide\""}) {
        CAPTURE(bad);
        const std::string e = error_of(std::string(kBase) +
                                       "[aggregator]\nkind = \"screened_clipping\"\n"
                                       "screen_factor = " +
                                       bad + "\n");
        CHECK(e.find("t.toml:6:") != std::string::npos);
        CHECK(e.find("aggregator.screen_factor") != std::string::npos);
    }
}
