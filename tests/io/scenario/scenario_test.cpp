// io/scenario: the malformed corpus in bad/ (each file's first line is `# expect: message`,
// the second optionally `# set: override`), overrides by id, defaults, network files.
#include "io/scenario/scenario.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "io/printable.hpp"
#include "io/scenario/run_options.hpp"
#include "tests/io/scenario/every_disruption_kind.hpp"

namespace {

namespace fs = std::filesystem;
using swarm::io::load_scenario;
using swarm::io::parse_scenario;
using swarm::io::Scenario;
using swarm::io::ScenarioError;
using swarm::io::ScenarioOptions;

// a small valid document: one depot, one type, one fleet on a 5x5 grid city
const std::string kSmall = R"(schema_version = 1
[run]
duration_s = 60.0
[network]
generator = "grid_city"
rows = 5
cols = 5
[[depots]]
id = "a"
node = 0
[[depots]]
id = "b"
x = 400.0
y = 400.0
[[vehicle_types]]
id = "van"
[[fleets]]
id = "vans"
type = "van"
count = 3
home = "a"
[[fleets]]
id = "more"
type = "van"
count = 4
home = "b"
)";

// the message parse_scenario throws, or "" when it accepts the document
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {},
                     const fs::path& name = "s.toml") {
    ScenarioOptions o;
    o.overrides = overrides;
    try {
        (void)parse_scenario(text, name, o);
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("every malformed scenario in the corpus gives its exact message") {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(SWARM_SCENARIO_BAD_DIR)) {
        if (entry.path().extension() == ".toml") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 30);
    for (const fs::path& file : files) {
        std::ifstream in(file);
        std::string expect_line;
        std::string set_line;
        std::getline(in, expect_line);
        std::getline(in, set_line);
        const std::string expect_tag = "# expect: ";
        const std::string set_tag = "# set: ";
        REQUIRE_MESSAGE(expect_line.starts_with(expect_tag), file.string());
        std::string expected = expect_line.substr(expect_tag.size());
        // positions and "error:" follow the file name; overrides name themselves
        if (!expected.starts_with("--set ")) {
            const bool positioned = !expected.empty() && expected[0] >= '0' && expected[0] <= '9';
            expected = file.string() + (positioned ? ":" : ": ") + expected;
        }
        ScenarioOptions o;
        if (set_line.starts_with(set_tag)) {
            o.overrides.push_back(set_line.substr(set_tag.size()));
        }
        std::string got = "(accepted)";
        try {
            (void)load_scenario(file, o);
        } catch (const ScenarioError& e) {
            got = e.what();
        }
        CHECK_MESSAGE(got == expected, file.filename().string());
    }
}

TEST_CASE("a small scenario builds its spec with defaults filled in") {
    const Scenario s = parse_scenario(kSmall, "small.toml");
    REQUIRE(s.network != nullptr);
    CHECK(s.spec.network == s.network.get());
    CHECK(s.network->node_count() > 0);
    CHECK(s.spec.depot_count() == 2);
    CHECK(s.spec.vehicle_count() == 7);
    CHECK(s.spec.depots[0].node == 0);
    CHECK(s.spec.depots[0].docks == 2);
    CHECK(s.spec.depots[1].demand_per_hour == doctest::Approx(60.0));
    CHECK(s.depot_ids == std::vector<std::string>{"a", "b"});
    CHECK(s.fleet_ids == std::vector<std::string>{"vans", "more"});
    CHECK(s.spec.fleets[1].home == 1);
    CHECK(s.run.duration_s == doctest::Approx(60.0));
    CHECK(s.run.seed == 1);
    CHECK(s.spec.time.ticks_per_second == 1'000'000);
    CHECK(s.spec.allocation.policy == "nearest_bid");
    // the resolved document has the defaults and reads back to the same scenario
    CHECK(s.resolved_toml.find("charging_points = 2") != std::string::npos);
    const Scenario again = parse_scenario(s.resolved_toml, "resolved.toml");
    CHECK(again.spec.vehicle_count() == 7);
    CHECK(again.resolved_toml == s.resolved_toml);
}

TEST_CASE("every disruption kind is read by its scenario name") {
    namespace agents = swarm::agents;
    const Scenario s = parse_scenario(
        kSmall + swarm::io::testing::every_disruption_kind_toml("b", 10.0, 1.0, 400.0, 400.0),
        "k.toml");
    REQUIRE(s.spec.disruptions.size() == agents::kDisruptionKindCount);
    for (std::size_t i = 0; i < agents::kDisruptionKindCount; ++i) {
        const auto kind = static_cast<agents::DisruptionKind>(i);
        const agents::DisruptionAction& a = s.spec.disruptions[i].action;
        CAPTURE(agents::to_string(kind));
        CHECK(a.kind == kind);
        CHECK(a.label == s.spec.disruptions[i].id);  // the id: kind i is entry "k<i>"
        CHECK(a.label.substr(1) == std::to_string(i));
        const agents::DisruptionKindInfo& k = agents::info(kind);
        CHECK(a.edges.empty() == (k.target != agents::DisruptionTarget::kRoads));
        CHECK(a.depot == (k.target == agents::DisruptionTarget::kDepot ? 1U : 0U));
        CHECK(a.area.has_value() == (k.area == agents::AreaUse::kRequired));
        // where the table says no area, an area is refused by name
        if (k.area == agents::AreaUse::kNo) {
            std::ostringstream bad;
            bad << kSmall << "[[disruptions]]\nid = \"x\"\nkind = \"" << k.name << "\"\n"
                << (k.target == agents::DisruptionTarget::kDepot ? "depot = \"a\"\n" : "")
                << (k.target == agents::DisruptionTarget::kVehicles ? "vehicles = [0]\n" : "")
                << "area = { x = 0.0, y = 0.0, radius_m = 10.0 }\n";
            std::ostringstream message;
            message << ".area is not used by " << k.name;
            CHECK(error_of(bad.str()).find(message.str()) != std::string::npos);
        }
    }
    CHECK(error_of(kSmall + "[[disruptions]]\nid = \"x\"\nkind = \"depot_burns\"\n")
              .find("depot_docks") != std::string::npos);
}

TEST_CASE("overrides address fleets and depots by id and parse TOML values") {
    ScenarioOptions o;
    o.overrides = {"fleets.vans.count=50",
                   "depots.b.docks=7",
                   "run.duration_s=120",
                   "demand.profile=flat",
                   "policies.allocation=\"insertion\"",
                   "output.trace=out/run.h5"};
    const Scenario s = parse_scenario(kSmall, "small.toml", o);
    CHECK(s.spec.fleets[0].count == 50);
    CHECK(s.spec.fleets[1].count == 4);
    CHECK(s.spec.depots[1].docks == 7);
    CHECK(s.spec.depots[0].docks == 2);
    CHECK(s.run.duration_s == doctest::Approx(120.0));
    CHECK(s.spec.demand.profile == swarm::agents::DemandProfile::kFlat);
    CHECK(s.spec.allocation.policy == "insertion");
    CHECK(s.output.trace == "out/run.h5");
    CHECK(s.resolved_toml.find("count = 50") != std::string::npos);
    // a network file replaces the generator and its parameters (and back)
    o.overrides = {"network.file=maps/city.gr"};
    CHECK(error_of(kSmall, o.overrides, "dir/s.toml") ==
          "--set network.file=maps/city.gr: error: network.file 'maps/city.gr' does not exist or "
          "is not a file");
    o.overrides = {"network.file=maps/city.gr", "network.generator=random_geometric",
                   "network.nodes=200", "depots.b.x=0.0"};
    CHECK(parse_scenario(kSmall, "small.toml", o).network_settings.generator == "random_geometric");
    // later overrides win
    o.overrides = {"fleets.vans.count=5", "fleets.vans.count=6"};
    CHECK(parse_scenario(kSmall, "small.toml", o).spec.fleets[0].count == 6);
}

TEST_CASE("bad overrides name the override") {
    CHECK(error_of(kSmall, {"fleets.vanz.count=50"}) ==
          "--set fleets.vanz.count=50: error: no entry of 'fleets' has id 'vanz' (did you mean "
          "'vans'?) (ids: vans, more)");
    CHECK(error_of(kSmall, {"fleets.vans=3"}) ==
          "--set fleets.vans=3: error: 'fleets.vans' needs a key after the id");
    CHECK(error_of(kSmall, {"fleets=3"}) ==
          "--set fleets=3: error: 'fleets' is an array; address its entries by id, e.g. "
          "fleets.<id>.key");
    CHECK(error_of(kSmall, {"fleets=[1]"}) ==
          "--set fleets=[1]: error: 'fleets' is an array; address its entries by id, e.g. "
          "fleets.<id>.key");
    CHECK(error_of(kSmall, {"network=3"}) ==
          "--set network=3: error: 'network' is a table; set one of its keys, or all of it as "
          "a table");
    // a table or a plain array is replaced whole by a value of its kind
    CHECK(error_of(kSmall, {"network={ generator = \"grid_city\", rows = 4, cols = 4 }",
                            "depots.a.node=3"}) == "");
    CHECK(parse_scenario(
              kSmall, "s.toml",
              {{"network.river_col=2", "network.bridge_rows=[1]", "network.bridge_rows=[0, 3]"}})
              .network->find_name("Bridge 3")
              .has_value());
    CHECK(error_of(kSmall, {"run..seed=3"}) ==
          "--set run..seed=3: error: empty key in 'run..seed'");
    CHECK(error_of(kSmall, {"fleets.vans.count=1e12"}) ==
          "--set fleets.vans.count=1e12: error: fleets[0].count must be an integer, not a float");
    CHECK(error_of(kSmall, {"fleets.vans.cout=1"}) ==
          "--set fleets.vans.cout=1: error: unknown key 'cout' in fleets[0] (did you mean "
          "'count'?)");
}

TEST_CASE("unknown keys suggest the nearest known key") {
    std::string text = kSmall;
    text.replace(text.find("duration_s"), 10, "durtion_s");
    CHECK(error_of(text) ==
          "s.toml:3:1: error: unknown key 'durtion_s' in run (did you mean 'duration_s'?)");
    // too far from anything: no suggestion
    text = kSmall + "[demand]\nxyzzy = 1\n";
    CHECK(error_of(text) == "s.toml:28:1: error: unknown key 'xyzzy' in demand");
    CHECK(swarm::io::edit_distance("count", "cuont") == 2);
    CHECK(swarm::io::edit_distance("", "abc") == 3);
    CHECK(swarm::io::edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("absurd sizes are refused before anything is built") {
    CHECK(error_of(kSmall, {"fleets.vans.count=1000000000000"}) ==
          "--set fleets.vans.count=1000000000000: error: fleets[0].count must be <= 1000000");
    CHECK(error_of(kSmall, {"network.rows=100000"}) ==
          "--set network.rows=100000: error: network.rows must be <= 4000");
    CHECK(error_of(kSmall, {"depots.a.docks=4000000000"}) ==
          "--set depots.a.docks=4000000000: error: depots[0].docks must be <= 10000");
    // a generated network is checked before it is built: 4000 x 4000 would take a minute and
    // 7 GB (issue 21)
    CHECK(error_of(kSmall, {"network.rows=4000", "network.cols=4000"}) ==
          "--set network.cols=4000: error: network.rows x network.cols = 4000 x 4000 must be <= "
          "1000000 nodes (building one takes about 1 kB a node)");
    // the document alone is checked without building a network when asked
    ScenarioOptions o;
    o.build_network = false;
    o.overrides = {"network.rows=1000", "network.cols=1000"};
    const Scenario s = parse_scenario(kSmall, "s.toml", o);
    CHECK(s.network == nullptr);
}

TEST_CASE("network files are relative to the scenario and named when missing") {
    const std::string text = [] {
        std::string t = kSmall;
        const std::string gen = "generator = \"grid_city\"\nrows = 5\ncols = 5\n";
        t.replace(t.find(gen), gen.size(), "file = \"net/ring.gr\"\n");
        t.replace(t.find("x = 400.0\ny = 400.0"), 19, "node = 2");
        return t;
    }();
    CHECK(error_of(text, {}, "some/dir/s.toml") ==
          "some/dir/s.toml:5:8: error: network.file 'some/dir/net/ring.gr' does not exist or is "
          "not a file");
    // a three-node ring in DIMACS format, next to the scenario
    const fs::path dir =
        fs::temp_directory_path() / ("swarm_scenario_test_" + std::to_string(getpid()));
    fs::create_directories(dir / "net");
    std::ofstream(dir / "net" / "ring.gr") << "p sp 3 6\na 1 2 100\na 2 3 100\na 3 1 100\n"
                                              "a 2 1 100\na 3 2 100\na 1 3 100\n";
    std::ofstream(dir / "s.toml") << text;
    const Scenario s = load_scenario(dir / "s.toml");
    CHECK(s.network->node_count() == 3);
    CHECK(s.spec.depots[1].node == 2);
    CHECK(s.network_settings.file == (dir / "net" / "ring.gr").lexically_normal().string());
    // a file that is not a network: the loader's message, with the path
    std::ofstream(dir / "net" / "ring.gr") << "this is not DIMACS\n";
    std::string message;
    try {
        (void)load_scenario(dir / "s.toml");
    } catch (const ScenarioError& e) {
        message = e.what();
    }
    CHECK(message.find("network.file '" + (dir / "net" / "ring.gr").string() + "'") !=
          std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("the shipped scenarios are valid") {
    ScenarioOptions o;
    o.build_network = false;  // the 100k-node city is checked by the CLI test
    for (const char* name : {"default.toml", "city_100k.toml", "monaco.toml",
                             "monaco_port_closure.toml", "monaco_inputs.toml"}) {
        CAPTURE(name);
        CHECK_NOTHROW((void)load_scenario(fs::path(SWARM_SCENARIOS_DIR) / name, o));
    }
    const Scenario s = load_scenario(fs::path(SWARM_SCENARIOS_DIR) / "default.toml");
    CHECK(s.network->node_count() == 3600);
    CHECK(s.spec.depot_count() == 4);
    CHECK(s.spec.vehicle_count() == 300);
    CHECK(s.run.duration_s == doctest::Approx(3600.0));
    // the busy morning hour of the day profile
    CHECK(s.spec.demand.profile == swarm::agents::DemandProfile::kDay);
    CHECK(s.spec.demand.start_hour == 8.0);
}

TEST_CASE("demand start hour is read and range checked") {
    const Scenario s = parse_scenario(kSmall, "small.toml", {{"demand.start_hour=15.5"}});
    CHECK(s.spec.demand.start_hour == 15.5);
    CHECK(s.resolved_toml.find("start_hour = 15.5") != std::string::npos);
    CHECK(error_of(kSmall, {"demand.start_hour=25"}, "small.toml") ==
          "--set demand.start_hour=25: error: demand.start_hour must be <= 24");
}

TEST_CASE("ScenarioError keeps its parts") {
    const ScenarioError e("a.toml", 3, 7, "bad");
    CHECK(std::string(e.what()) == "a.toml:3:7: error: bad");
    CHECK(e.file() == "a.toml");
    CHECK(e.line() == 3);
    CHECK(e.column() == 7);
    CHECK(e.message() == "bad");
    CHECK(std::string(ScenarioError("b.toml", 0, 0, "worse").what()) == "b.toml: error: worse");
}

TEST_CASE("every shipped scenario's resolved document parses again to the same run") {
    // traces store the resolved document; replay and re-runs parse it again
    namespace fs = std::filesystem;
    std::size_t checked = 0;
    for (const auto& entry : fs::directory_iterator(SWARM_SCENARIOS_DIR)) {
        const fs::path file = entry.path();
        if (file.extension() != ".toml" || file.stem().string().starts_with("monaco")) {
            continue;  // monaco needs the shared map
        }
        CAPTURE(file.string());
        const swarm::io::Scenario first = swarm::io::load_scenario(file);
        const swarm::io::Scenario again = swarm::io::parse_scenario(first.resolved_toml, file);
        CHECK(again.resolved_toml == first.resolved_toml);
        CHECK(again.spec.vehicle_count() == first.spec.vehicle_count());
        REQUIRE(again.spec.disruptions.size() == first.spec.disruptions.size());
        for (std::size_t i = 0; i < first.spec.disruptions.size(); ++i) {
            CHECK(again.spec.disruptions[i].action.edges == first.spec.disruptions[i].action.edges);
            CHECK(again.spec.disruptions[i].mtbf_s == first.spec.disruptions[i].mtbf_s);
        }
        ++checked;
    }
    CHECK(checked >= 9);
}

TEST_CASE("settings that cannot act are warned about, with their position") {
    CHECK(parse_scenario(kSmall, "s.toml").warnings.empty());
    const auto warnings = [](const std::string& text, const std::vector<std::string>& sets = {}) {
        ScenarioOptions o;
        o.overrides = sets;
        return parse_scenario(text, "s.toml", o).warnings;
    };
    auto w = warnings(kSmall, {"learning.mode=gossip"});
    REQUIRE(w.size() == 1);
    CHECK(w[0] ==
          "--set learning.mode=gossip: warning: learning.mode = \"gossip\" has no effect: neither "
          "learning.congestion.enabled nor learning.wear.enabled is on, so there is nothing to "
          "learn");
    w = warnings(kSmall, {"learning.wear.enabled=true", "learning.round_s=120"});
    REQUIRE(w.size() == 1);
    CHECK(w[0].find("--set learning.round_s=120: warning: learning.round_s = 120 s: no learning "
                    "round before the end of the run (run.duration_s = 60 s)") == 0);
    // a cloud timeout that only awards joining a solve under way beat
    w = warnings(kSmall, {"policies.allocation=cloud", "cloud.timeout_s=1"});
    REQUIRE(w.size() == 1);
    CHECK(w[0].find("--set cloud.timeout_s=1: warning: cloud.timeout_s = 1: a request, the solve "
                    "of one order, the award and the accept take 1.1708 s") == 0);
    w = warnings(kSmall +
                 "[[disruptions]]\nid = \"late\"\nkind = \"depot_down\"\ndepot = \"a\"\n"
                 "at_s = 60.0\n");
    REQUIRE(w.size() == 1);
    CHECK(w[0] ==
          "s.toml:31:8: warning: disruptions[0] starts at 60 s, not before the end of the "
          "run (run.duration_s = 60 s): it never happens");
    w = warnings(kSmall, {"demand.max_size=12"});
    REQUIRE(w.size() == 1);
    CHECK(w[0] ==
          "--set demand.max_size=12: warning: demand.max_size = 12: no vehicle of any "
          "fleet carries more than 10 units, so larger orders can never be delivered "
          "(they fail as no_vehicle)");
    // a network without coordinates: the loader's word and what it means for the scenario
    const std::string flat = std::string(SWARM_SCENARIO_BAD_DIR) + "/flat.gr";
    w = warnings("schema_version = 1\n[network]\nfile = \"" + flat +
                 "\"\n[[depots]]\nid = \"a\"\nnode = 0\n[[vehicle_types]]\nid = \"van\"\n"
                 "[[fleets]]\nid = \"vans\"\ntype = \"van\"\ncount = 3\nhome = \"a\"\n");
    REQUIRE(w.size() == 2);
    CHECK(w[0].find(": warning: network.file '" + flat +
                    "': no coordinates (no 'flat.co' next to it): every node is at (0, 0)") !=
          std::string::npos);
    CHECK(w[1].find(": warning: every node of the network is at (0, 0) (it has no coordinates, "
                    "e.g. a DIMACS .gr without its .co): every straight-line distance is 0, so "
                    "demand.zone_radius_m") != std::string::npos);
}

TEST_CASE("the shipped scenarios give no warning") {
    for (const auto& entry : fs::directory_iterator(SWARM_SCENARIOS_DIR)) {
        const fs::path file = entry.path();
        if (file.extension() != ".toml" || file.stem().string().starts_with("monaco") ||
            file.stem() == "city_100k") {
            continue;  // monaco needs the shared map, city_100k is large
        }
        CAPTURE(file.string());
        CHECK(load_scenario(file).warnings.empty());
    }
}

TEST_CASE("a scenario file is read only when it is a regular file of at most 4 MiB") {
    // what the error says and whether it is an I/O error (exit 4) rather than invalid (3)
    const auto refusal = [](const fs::path& file) -> std::pair<std::string, bool> {
        try {
            (void)load_scenario(file);
        } catch (const ScenarioError& e) {
            return {e.what(), e.io()};
        }
        return {"(accepted)", false};
    };
    const fs::path dir = fs::temp_directory_path() / ("swarm_read_" + std::to_string(getpid()));
    fs::create_directories(dir);
    // a device or FIFO would never end (`validate /dev/zero` grew to 6 GB, issue 21)
    CHECK(refusal("/dev/zero") ==
          std::pair<std::string, bool>{"/dev/zero: error: cannot read the scenario file (a "
                                       "character device)",
                                       true});
    const fs::path fifo = dir / "fifo.toml";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(refusal(fifo) ==
          std::pair<std::string, bool>{
              fifo.string() + ": error: cannot read the scenario file (a FIFO)", true});
    CHECK(refusal(dir) ==
          std::pair<std::string, bool>{
              dir.string() + ": error: cannot read the scenario file (a directory)", true});
    CHECK(refusal(dir / "none.toml") ==
          std::pair<std::string, bool>{(dir / "none.toml").string() +
                                           ": error: cannot read the scenario file (no such file)",
                                       true});
    // one byte over the limit: refused before it is parsed, as invalid input
    const fs::path big = dir / "big.toml";
    std::ofstream(big) << std::string(swarm::io::kMaxScenarioBytes + 1, '#');
    CHECK(refusal(big) ==
          std::pair<std::string, bool>{
              big.string() + ": error: the scenario file is larger than 4 MiB: is it a scenario?",
              false});
    std::error_code ec;
    fs::remove_all(dir, ec);
}

TEST_CASE("file content quoted in an error is printed escaped") {
    CHECK(swarm::io::printable("a\x1b[31mb\tc") == "a\\x1b[31mb\\x09c");
    CHECK(swarm::io::printable("Rue de l'\xc3\x89glise") == "Rue de l'\xc3\x89glise");
    CHECK(swarm::io::printable("\xc2\x9b"
                               "2J \xff") == "\\xc2\\x9b2J \\xff");
    // a scenario's string value with an escape sequence, quoted back in a message
    const std::string e = error_of(kSmall, {"policies.allocation=\"near\\u001b[2Jest\""});
    CHECK(e.find("not 'near\\x1b[2Jest'") != std::string::npos);
    CHECK(e.find('\x1b') == std::string::npos);
}

TEST_CASE("more road events than a run keeps are refused at the disruption that exceeds") {
    // 64 slow_roads with an end each make 128 events, the most a run keeps; one more is
    // refused by validate (run failed with 'road state: more than 128 road disruptions')
    std::ostringstream text;
    text << kSmall;
    for (int i = 0; i < 65; ++i) {
        text << "[[disruptions]]\nid = \"s" << i << "\"\nkind = \"slow_roads\"\nedges = [" << i % 20
             << "]\nspeed_factor = 0.5\nat_s = " << i << ".0\nduration_s = 5.0\n";
    }
    const std::string e = error_of(text.str());
    CHECK(e.find(": error: disruptions[64]: more than 128 road events in one run") !=
          std::string::npos);
    CHECK(e.starts_with("s.toml:"));
    // ends that never come (duration_s = 0) are not counted
    std::ostringstream fewer;
    fewer << kSmall;
    for (int i = 0; i < 100; ++i) {
        fewer << "[[disruptions]]\nid = \"s" << i << "\"\nkind = \"slow_roads\"\nedges = ["
              << i % 20 << "]\nspeed_factor = 0.5\nat_s = " << i << ".0\n";
    }
    CHECK(error_of(fewer.str()).empty());
}

// the fleet's model exchange (docs/fleet-learning.md): a key that would do nothing is
// refused naming itself and why; the ones that act are read into the spec
TEST_CASE("the fleet's exchange keys are read, and inert combinations refused") {
    const std::vector<std::string> on = {"learning.wear.enabled=true", "learning.mode=fedavg"};
    const auto with = [&](std::vector<std::string> more) {
        std::vector<std::string> all = on;
        all.insert(all.end(), more.begin(), more.end());
        return all;
    };
    ScenarioOptions o;
    o.overrides = with({"learning.attack.kind=alie", "learning.attack.fraction=0.2",
                        "learning.aggregator.kind=geometric_median", "learning.identity.sign=true",
                        "learning.identity.tamper_rate=0.1", "learning.compression=q8"});
    const Scenario s = parse_scenario(kSmall, "s.toml", o);
    namespace learning = swarm::learning;
    const learning::ExchangeSpec& x = s.spec.learning.exchange;
    CHECK(x.attack.kind == learning::AttackKind::kAlie);
    CHECK(x.attack.fraction == 0.2);
    CHECK(std::string(learning::to_string(x.aggregator.kind)) == "geometric_median");
    CHECK(x.sign);
    CHECK(x.tamper_rate == 0.1);
    CHECK(x.compression.kind == learning::CompressionKind::kQ8);
    // the attack needs attackers, attackers need an attack
    CHECK(error_of(kSmall, with({"learning.attack.kind=sign_flip"})) ==
          "--set learning.attack.kind=sign_flip: error: learning.attack.kind = \"sign_flip\" needs "
          "learning.attack.fraction > 0 (the share of Byzantine vehicles)");
    CHECK(error_of(kSmall, with({"learning.attack.fraction=0.2"})) ==
          "--set learning.attack.fraction=0.2: error: learning.attack.fraction has no effect "
          "without learning.attack.kind (sign_flip, gaussian, alie or ipm)");
    // parameters of another attack, aggregator or compression
    CHECK(error_of(kSmall, with({"learning.attack.kind=ipm", "learning.attack.fraction=0.2",
                                 "learning.attack.scale=3"})) ==
          "--set learning.attack.scale=3: error: learning.attack.scale has no effect unless "
          "learning.attack.kind = \"sign_flip\"");
    CHECK(error_of(kSmall, with({"learning.aggregator.trim=0.3"})) ==
          "--set learning.aggregator.trim=0.3: error: learning.aggregator.trim has no effect "
          "unless learning.aggregator.kind = \"trimmed_mean\"");
    CHECK(error_of(kSmall, with({"learning.aggregator.screen_factor=3"})) ==
          "--set learning.aggregator.screen_factor=3: error: learning.aggregator.screen_factor has "
          "no effect unless learning.aggregator.kind = \"screened_clipping\"");
    CHECK(error_of(kSmall, with({"learning.aggregator.kind=screened_clipping",
                                 "learning.aggregator.screen_factor=0.5"}))
              .find("learning.aggregator.screen_factor must be >= 1") != std::string::npos);
    o.overrides =
        with({"learning.aggregator.kind=screened_clipping", "learning.aggregator.screen_factor=3",
              "learning.aggregator.clip_quantile=0.5"});
    const Scenario screened = parse_scenario(kSmall, "s.toml", o);
    CHECK(screened.spec.learning.exchange.aggregator.screen_factor == 3.0);
    CHECK(screened.spec.learning.exchange.aggregator.clip_quantile == 0.5);
    CHECK(error_of(kSmall, with({"learning.topk_fraction=0.5"})) ==
          "--set learning.topk_fraction=0.5: error: learning.topk_fraction has no effect unless "
          "learning.compression = \"topk\"");
    // gossip averages pairs: no robust aggregator
    CHECK(error_of(kSmall, with({"learning.mode=gossip", "learning.aggregator.kind=median"}))
              .find("learning.aggregator.kind = \"median\" needs learning.mode = \"fedavg\"") !=
          std::string::npos);
    // nothing is exchanged without gossip or fedavg, or without anything to learn
    CHECK(error_of(kSmall, with({"learning.mode=local", "learning.identity.sign=true"})) ==
          "--set learning.identity.sign=true: error: learning.identity.sign has no effect with "
          "learning.mode = \"local\": the vehicles exchange no models (use gossip or fedavg)");
    CHECK(error_of(kSmall, {"learning.mode=fedavg", "learning.identity.tamper_rate=0.1"}) ==
          "--set learning.identity.tamper_rate=0.1: error: learning.identity.tamper_rate has no "
          "effect without [learning.congestion] or [learning.wear] enabled");
    CHECK(error_of(kSmall, with({"learning.aggregator.kind=mode"}))
              .find("learning.aggregator.kind must be one of") != std::string::npos);
}

TEST_CASE("network.router picks the routers' kind, and a bad value names file, line and field") {
    ScenarioOptions o;
    CHECK(swarm::io::fleet_run_options(parse_scenario(kSmall, "s.toml", o)).routing.kind ==
          swarm::routing::RouterKind::kAStar);
    o.overrides = {"network.router=\"cch\""};
    const Scenario cch = parse_scenario(kSmall, "s.toml", o);
    CHECK(cch.network_settings.router == "cch");
    CHECK(swarm::io::fleet_run_options(cch).routing.kind == swarm::routing::RouterKind::kCch);
    o.overrides = {"network.router=\"dijkstra\""};
    CHECK(swarm::io::fleet_run_options(parse_scenario(kSmall, "s.toml", o)).routing.kind ==
          swarm::routing::RouterKind::kDijkstra);
    std::string text = kSmall;
    text.replace(text.find("rows = 5"), 8, "router = \"ch\"");
    CHECK(error_of(text).rfind(
              "s.toml:6:10: error: network.router must be one of alt, cch, dijkstra, not 'ch'",
              0) == 0);
}
