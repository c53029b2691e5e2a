// network.speed_profile: hour ranges and arrays, `all` under the classes, a profile file the
// scenario names (relative to it, errors naming it, kept whole in the resolved document), and
// every refusal with its message.
#include "io/scenario/scenario_speed_profile.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/scenario/scenario.hpp"

namespace {

namespace fs = std::filesystem;
using swarm::io::parse_scenario;
using swarm::io::Scenario;
using swarm::io::ScenarioError;
using swarm::io::ScenarioOptions;
using swarm::world::RoadClass;

// a 5x5 grid city (primary arterials, residential streets), one depot and three vans
const std::string kDoc = R"(schema_version = 1
[run]
duration_s = 60.0
[network]
generator = "grid_city"
rows = 5
cols = 5
[[depots]]
id = "a"
node = 0
[[vehicle_types]]
id = "van"
[[fleets]]
id = "vans"
type = "van"
count = 3
home = "a"
)";

Scenario load(const std::string& text, const std::vector<std::string>& sets = {},
              const fs::path& name = "s.toml") {
    ScenarioOptions o;
    o.overrides = sets;
    return parse_scenario(text, name, o);
}

std::string error_of(const std::string& text, const std::vector<std::string>& sets = {},
                     const fs::path& name = "s.toml") {
    try {
        (void)load(text, sets, name);
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "(accepted)";
}

// a scratch directory removed at the end
struct TempDir {
    fs::path path = fs::temp_directory_path() / ("swarm_profile_" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
    }
};

}  // namespace

TEST_CASE("speed profile: hour ranges and arrays, every class from `all` up") {
    const Scenario s = load(kDoc +
                            "[network.speed_profile]\n"
                            "all = { 7-10 = 0.6, 17 = 0.8 }\n"
                            "primary = { 8-9 = 0.4 }\n"
                            "service = [1, 1, 1, 1, 1, 1, 1, 1, 0.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
                            "1, 1, 1, 1, 1, 1.2]\n");
    const swarm::routing::SpeedProfile& p = s.spec.speed_profile;
    REQUIRE_FALSE(p.empty());
    CHECK(p.factor(RoadClass::kResidential, 6) == 1.0);
    CHECK(p.factor(RoadClass::kResidential, 7) == 0.6);
    CHECK(p.factor(RoadClass::kResidential, 9) == 0.6);
    CHECK(p.factor(RoadClass::kResidential, 10) == 1.0);
    CHECK(p.factor(RoadClass::kResidential, 17) == 0.8);
    // a class keeps `all` where it says nothing
    CHECK(p.factor(RoadClass::kPrimary, 7) == 0.6);
    CHECK(p.factor(RoadClass::kPrimary, 8) == 0.4);
    CHECK(p.factor(RoadClass::kPrimary, 17) == 0.8);
    // an array replaces all 24 hours
    CHECK(p.factor(RoadClass::kService, 7) == 1.0);
    CHECK(p.factor(RoadClass::kService, 8) == 0.5);
    CHECK(p.max_factor() == 1.2);
    // the grid has primary and residential roads only: their mean at 8 h is between
    CHECK(p.mean_factor(8) > 0.4);
    CHECK(p.mean_factor(8) < 0.6);
    CHECK(p.mean_factor(12) == 1.0);
}

TEST_CASE("speed profile: none, or all at 1, is no profile (the static run)") {
    CHECK(load(kDoc).spec.speed_profile.empty());
    CHECK(load(kDoc).resolved_toml.find("speed_profile") == std::string::npos);
    CHECK(load(kDoc, {"network.speed_profile={all={0-24=1.0}}"}).spec.speed_profile.empty());
    CHECK(load(kDoc, {"network.speed_profile={description=\"flat\"}"}).spec.speed_profile.empty());
    CHECK_FALSE(load(kDoc, {"network.speed_profile.trunk=[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
                            "1,1,1,1,0.9]"})
                    .spec.speed_profile.empty());
}

TEST_CASE("speed profile: a file the scenario names, kept whole in the resolved document") {
    const TempDir dir;
    dir.write("peak.toml", "description = \"peak\"\nall = { 8-9 = 0.5 }\n");
    const fs::path scenario = dir.path / "s.toml";
    // in the scenario: relative to the scenario's directory
    const std::string with_key =
        "schema_version = 1\n[run]\nduration_s = 60.0\n[network]\ngenerator = \"grid_city\"\n"
        "rows = 5\ncols = 5\nspeed_profile = \"peak.toml\"\n[[depots]]\nid = \"a\"\nnode = 0\n"
        "[[vehicle_types]]\nid = \"van\"\n[[fleets]]\nid = \"vans\"\ntype = \"van\"\n"
        "count = 3\nhome = \"a\"\n";
    const Scenario f = load(with_key, {}, scenario);
    REQUIRE_FALSE(f.spec.speed_profile.empty());
    CHECK(f.spec.speed_profile.factor(RoadClass::kPrimary, 8) == 0.5);
    // the resolved document holds the table, and reads back to the same profile anywhere
    CHECK(f.resolved_toml.find("peak.toml") == std::string::npos);
    const Scenario again = parse_scenario(f.resolved_toml, "elsewhere/r.toml");
    CHECK(again.spec.speed_profile == f.spec.speed_profile);
    // from --set: relative to the working directory (an absolute path here)
    const Scenario set = load(kDoc, {"network.speed_profile=" + (dir.path / "peak.toml").string()});
    CHECK(set.spec.speed_profile == f.spec.speed_profile);
    // errors in the file name the file, line and column
    dir.write("bad.toml", "all = { 8-9 = 0.5 }\nprimary = { 8-9 = 3.0 }\n");
    CHECK(error_of(kDoc, {"network.speed_profile=" + (dir.path / "bad.toml").string()}) ==
          (dir.path / "bad.toml").string() +
              ":2:19: error: network.speed_profile.primary.8-9 must be <= 2");
    dir.write("typo.toml", "all = { 8-9 = 0.5 }\nresidental = [1]\n");
    CHECK(error_of(kDoc, {"network.speed_profile=" + (dir.path / "typo.toml").string()})
              .find("typo.toml:2:1: error: unknown key 'residental' in network.speed_profile "
                    "(did you mean 'residential'?)") != std::string::npos);
    dir.write("syntax.toml", "all = { 8-9 = }\n");
    CHECK(error_of(kDoc, {"network.speed_profile=" + (dir.path / "syntax.toml").string()})
              .find("syntax.toml:1:") != std::string::npos);
    CHECK(error_of(kDoc, {"network.speed_profile=missing.toml"}) ==
          "--set network.speed_profile=missing.toml: error: network.speed_profile "
          "'missing.toml' does not exist or is not a file");
    CHECK(error_of(kDoc, {"network.speed_profile=\"\""}) ==
          "--set network.speed_profile=\"\": error: network.speed_profile must not be empty (a "
          "table, or the TOML file holding one)");
}

TEST_CASE("speed profile: refusals name the key and say what is allowed") {
    const auto err = [](const std::string& set) {
        return error_of(kDoc, {"network.speed_profile=" + set});
    };
    const std::string at = "--set network.speed_profile=";
    CHECK(err("{primry=[1]}") == at + "{primry=[1]}: error: unknown key 'primry' in "
                                      "network.speed_profile (did you mean 'primary'?)");
    CHECK(err("{primary=[1,2]}") == at + "{primary=[1,2]}: error: network.speed_profile.primary "
                                         "has 2 values; give 24 (hours 0 to 23) or hour ranges, "
                                         "e.g. { 7-10 = 0.6, 16-19 = 0.7 }");
    CHECK(err("{all={7-10=0.5,9-11=0.7}}") ==
          at + "{all={7-10=0.5,9-11=0.7}}: error: network.speed_profile.all: hour 9 is in both "
               "'7-10' and '9-11'");
    for (const std::string bad : {"7to10", "10-7", "0-25", "24", "x", "-3", "7-"}) {
        CAPTURE(bad);
        CHECK(err("{all={" + bad + "=0.5}}").find("is not an hour range") != std::string::npos);
    }
    CHECK(err("{all={7-10=0.01}}") ==
          at + "{all={7-10=0.01}}: error: network.speed_profile.all.7-10 must be >= 0.05");
    CHECK(err("{all={7-10=\"slow\"}}") ==
          at + "{all={7-10=\"slow\"}}: error: network.speed_profile.all.7-10 must be a number, "
               "not a string");
    CHECK(err("{all=0.5}") == at + "{all=0.5}: error: network.speed_profile.all must be an array "
                                   "of 24 factors or a table of hour ranges, not a float");
    CHECK(err("3") == at + "3: error: network.speed_profile must be a table (road class = "
                           "factors by hour) or the name of a TOML file holding one, not an "
                           "integer");
    // the file's own line and column
    CHECK(error_of(kDoc + "[network.speed_profile]\nall = { 7-10 = 9.0 }\n") ==
          "s.toml:19:16: error: network.speed_profile.all.7-10 must be <= 2");
}

TEST_CASE("speed profile: changing the network's file keeps it") {
    // --set network.file drops the generator's keys, never the profile
    const TempDir dir;
    dir.write("t.gr", "p sp 3 4\na 1 2 100\na 2 1 100\na 2 3 100\na 3 2 100\n");
    dir.write("t.co", "p aux sp co 3\nv 1 0 0\nv 2 100 0\nv 3 200 0\n");
    const Scenario s = load(kDoc + "[network.speed_profile]\nall = { 8-9 = 0.5 }\n",
                            {"network.file=" + (dir.path / "t.gr").string()});
    REQUIRE_FALSE(s.spec.speed_profile.empty());
    CHECK(s.spec.speed_profile.factor(RoadClass::kOther, 8) == 0.5);
}
