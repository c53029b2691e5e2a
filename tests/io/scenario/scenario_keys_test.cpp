// Every key docs/scenarios.md documents does what it says: the test reads the key tables of
// the doc's "Fields" section (so a newly documented key is walked too), and for each key runs
// a tiny scenario twice, as it is and with the key changed, and requires the run to change
// (event hash or KPI hash). The doc's markers say when a key has no effect:
// - "no effect on the results" (thread count, names, trace settings, ...): the two runs
//   must be identical instead;
// - "(no effect unless `key = value` ...)" in a row, or in a line of its section: the
//   backticked assignments are set in both runs first (a key without a dot is one of the
//   walked entry's own).
// Keys that need more than that to act in a fifteen-minute run get a setup below; keys that
// cannot be changed alone are skipped with the reason, and listed.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "agents/fleet/fleet_run.hpp"
#include "io/scenario/run_options.hpp"
#include "io/scenario/scenario.hpp"
#include "sim/engine.hpp"
#include "tests/io/scenario/scenario_key_walks.hpp"

namespace {

namespace fs = std::filesystem;
using namespace swarm;
using swarm::testing::derived;
using swarm::testing::Walk;
using swarm::testing::walks;
using swarm::testing::with;

// ---- the doc ----

struct DocKey {
    std::string path;     // "run.seed", "depots.docks", "learning.wear.repair_s", "description"
    std::string section;  // "run", "depots", "" (top level)
    bool array = false;   // a key of each [[section]] entry
    std::string type;     // the type column, "" when the table has none
    std::string def;      // the default column
    std::vector<std::string> conditions;  // "key=value" from "(no effect unless ...)"
    bool no_effect = false;               // "no effect on the results"
    bool conditional = false;             // its row says "no effect unless" (how, or in words)
    bool conditions_in_row = false;       // ... with `key = value` assignments
};

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// the `...` spans of a text
std::vector<std::string> backticked(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (true) {
        const std::size_t a = text.find('`', at);
        const std::size_t b = a == std::string::npos ? a : text.find('`', a + 1);
        if (b == std::string::npos) {
            return out;
        }
        out.push_back(text.substr(a + 1, b - a - 1));
        at = b + 1;
    }
}

// the backticked `key = value` assignments of a "(no effect unless ...)" clause, as overrides
std::vector<std::string> conditions_of(const std::string& text) {
    std::vector<std::string> out;
    const std::size_t at = text.find("no effect unless");
    if (at == std::string::npos) {
        return out;
    }
    const std::size_t end = text.find(')', at);
    for (const std::string& span : backticked(text.substr(at, end - at))) {
        const std::size_t eq = span.find(" = ");
        if (eq != std::string::npos) {
            out.push_back(span.substr(0, eq) + "=" + span.substr(eq + 3));
        }
    }
    return out;
}

std::vector<DocKey> documented_keys(const fs::path& doc) {
    std::ifstream in(doc);
    REQUIRE_MESSAGE(in, "cannot read " << doc.string());
    std::vector<DocKey> keys;
    bool fields = false;
    std::string section;
    bool array = false;
    std::string generator;
    std::vector<std::string> section_conditions;
    std::string paragraph;
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("## ")) {
            fields = line == "## Fields";
            continue;
        }
        if (!fields) {
            continue;
        }
        if (line.starts_with("### ")) {
            const std::vector<std::string> names = backticked(line);
            section.clear();
            array = false;
            if (!names.empty() && names[0].starts_with("[")) {
                array = names[0].starts_with("[[");
                section = names[0].substr(array ? 2 : 1);
                section = section.substr(0, section.find(']'));
            }
            generator.clear();
            section_conditions.clear();
            paragraph.clear();
            continue;
        }
        if (!line.starts_with("|")) {
            if (line.starts_with("`generator = \"")) {
                generator = backticked(line)[0].substr(13);
                generator = generator.substr(0, generator.size() - 1);
            }
            // a paragraph's conditions, once it is complete (a blank line ends it)
            paragraph += " " + line;
            if (trim(line).empty()) {
                for (const std::string& c : conditions_of(paragraph)) {
                    section_conditions.push_back(c);
                }
                paragraph.clear();
            }
            continue;
        }
        // a table row: | key | type | default | meaning | (or | key | default | meaning |)
        std::vector<std::string> cells;
        std::stringstream row(line.substr(1));
        for (std::string cell; std::getline(row, cell, '|');) {
            cells.push_back(trim(cell));
        }
        while (!cells.empty() && cells.back().empty()) {
            cells.pop_back();
        }
        if (cells.size() < 3 || cells[0].find('`') == std::string::npos) {
            continue;  // header or separator
        }
        for (const std::string& name : backticked(cells[0])) {
            DocKey k;
            const bool full = name.find('.') != std::string::npos;
            k.path = full || section.empty() ? name : section + "." + name;
            if (std::any_of(keys.begin(), keys.end(),
                            [&](const DocKey& o) { return o.path == k.path; })) {
                continue;  // listed twice (disruption areas)
            }
            k.section = section;
            k.array = array;
            k.type = cells.size() >= 4 ? cells[1] : "";
            k.def = cells.size() >= 4 ? cells[2] : cells[1];
            k.conditions = section_conditions;
            if (!generator.empty() && generator != "grid_city") {
                k.conditions.push_back("network.generator=\"" + generator + "\"");
            }
            for (const std::string& c : conditions_of(cells.back())) {
                k.conditions.push_back(c);
                k.conditions_in_row = true;
            }
            std::string meaning = cells.back();
            std::transform(meaning.begin(), meaning.end(), meaning.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            k.no_effect = meaning.find("no effect on the results") != std::string::npos;
            k.conditional = meaning.find("no effect unless") != std::string::npos;
            keys.push_back(k);
        }
    }
    return keys;
}

// ---- the tiny scenarios ----

// 10 x 10 grid city (100 m), two depots, six small-battery vans and two drones, 15 minutes
const std::string kBase = R"(schema_version = 1
[run]
seed = 3
duration_s = 900.0
threads = 1
sample_interval_s = 300.0
[network]
generator = "grid_city"
[demand]
profile = "flat"
per_depot_per_hour = 60.0
due_s = 1200.0
[[depots]]
id = "a"
node = 0
[[depots]]
id = "b"
x = 900.0
y = 900.0
[[vehicle_types]]
id = "van"
battery_kwh = 1.0
[[vehicle_types]]
id = "drone"
kind = "drone"
capacity = 1
kwh_per_km = 0.02
battery_kwh = 0.3
[[vehicle_types]]
id = "spare"
[[fleets]]
id = "vans"
type = "van"
count = 6
home = "*"
[[fleets]]
id = "drones"
type = "drone"
count = 2
home = "a"
)";

// the same with one disruption of (nearly) every kind, for the [[disruptions]] keys
const std::string kDisrupted = kBase + R"([[disruptions]]
id = "close"
kind = "close_roads"
area = { x = 450.0, y = 450.0, radius_m = 250.0 }
at_s = 200.0
duration_s = 300.0
[[disruptions]]
id = "slow"
kind = "slow_roads"
road = "Avenue 3"
speed_factor = 0.3
at_s = 100.0
[[disruptions]]
id = "cut"
kind = "close_roads"
edges = [10, 11, 12, 13]
at_s = 150.0
duration_s = 400.0
[[disruptions]]
id = "shut"
kind = "close_roads"
roads = ["Street 4", "Avenue 5"]
at_s = 120.0
duration_s = 300.0
[[disruptions]]
id = "stock"
kind = "depot_stock"
depot = "b"
stock = 5
at_s = 300.0
[[disruptions]]
id = "docks"
kind = "depot_docks"
depot = "a"
docks = 1
after = "close"
after_delay_s = 60.0
[[disruptions]]
id = "break"
kind = "break_vehicles"
vehicles = [1]
at_s = 250.0
duration_s = 200.0
[[disruptions]]
id = "attrition"
kind = "break_vehicles"
fraction = 0.3
at_s = 400.0
duration_s = 200.0
[[disruptions]]
id = "fail"
kind = "break_vehicles"
vehicles = [2, 3]
mtbf_s = 300.0
mttr_s = 300.0
[[disruptions]]
id = "jam"
kind = "radio_blackout"
area = { x = 900.0, y = 900.0, radius_m = 150.0 }
at_s = 300.0
[[disruptions]]
id = "unjam"
kind = "radio_restore"
label = "jam"
at_s = 500.0
[[disruptions]]
id = "spike"
kind = "loss_spike"
loss = 0.5
at_s = 100.0
duration_s = 400.0
[[disruptions]]
id = "surge"
kind = "demand_surge"
multiplier = 3.0
at_s = 200.0
duration_s = 300.0
)";

// one depot closed for five minutes: the service level falls and recovers (resilience)
const std::string kRecovering = kBase + R"([[disruptions]]
id = "down"
kind = "depot_down"
depot = "a"
at_s = 300.0
duration_s = 300.0
)";

// ---- how each key is walked: scenario_key_walks.cpp ----

// the entry a [[section]] key is changed on unless the walk names one
std::string usual_entry(const std::string& section) {
    if (section == "depots") {
        return "a";
    }
    if (section == "vehicle_types") {
        return "van";
    }
    if (section == "fleets") {
        return "vans";
    }
    return "close";  // disruptions
}

// a changed value from the doc's type and default: booleans flip, numbers double (0: 1)
std::string derived_value(const DocKey& k) {
    std::string d;
    for (const char c : k.def) {
        if (c != '`' && c != ',') {
            d += c;
        }
    }
    if (d == "true" || d == "false") {
        return d == "true" ? "false" : "true";
    }
    char* end = nullptr;
    const double v = std::strtod(d.c_str(), &end);
    if (d.empty() || end == d.c_str() || *end != '\0') {
        return "";
    }
    const bool integer =
        k.type == "integer" || (k.type.empty() && d.find_first_of(".e") == std::string::npos);
    if (integer) {
        return std::to_string(v == 0.0 ? 1 : static_cast<long long>(v) * 2);
    }
    std::ostringstream out;
    out << (v == 0.0 ? 0.5 : v * 2.0);
    std::string s = out.str();
    return s.find_first_of(".e") == std::string::npos ? s + ".0" : s;
}

// a 4 x 4 DIMACS grid with coordinates (microdegrees), 100 m weights
fs::path write_dimacs(const fs::path& dir) {
    fs::create_directories(dir);
    std::ostringstream gr;
    std::ostringstream co;
    int arcs = 0;
    const auto id = [](int r, int c) { return r * 4 + c + 1; };
    std::ostringstream body;
    for (int r = 0; r < 4; ++r) {
        for (int c = 0; c < 4; ++c) {
            co << "v " << id(r, c) << " " << 7420000 + 1200 * c << " " << 43730000 + 900 * r
               << "\n";
            if (c < 3) {
                body << "a " << id(r, c) << " " << id(r, c + 1) << " 100\na " << id(r, c + 1) << " "
                     << id(r, c) << " 100\n";
                arcs += 2;
            }
            if (r < 3) {
                body << "a " << id(r, c) << " " << id(r + 1, c) << " 100\na " << id(r + 1, c) << " "
                     << id(r, c) << " 100\n";
                arcs += 2;
            }
        }
    }
    std::ofstream(dir / "keys.gr") << "p sp 16 " << arcs << "\n" << body.str();
    std::ofstream(dir / "keys.co") << "p aux sp co 16\n" << co.str();
    return dir / "keys.gr";
}

// ---- runs ----

struct Outcome {
    std::uint64_t events = 0;  // event hash
    std::uint64_t kpis = 0;    // KPI hash
    std::string error;         // the scenario was refused
    bool operator==(const Outcome& o) const { return events == o.events && kpis == o.kpis; }
};

// the run of a scenario, stopped at until_s at the latest
Outcome run(const io::Scenario& s, double until_s);

Outcome run(const std::string& text, const std::vector<std::string>& overrides,
            double until_s = 1e300) {
    io::ScenarioOptions so;
    so.overrides = overrides;
    io::Scenario s;
    try {
        s = io::parse_scenario(text, "keys.toml", so);
    } catch (const io::ScenarioError& e) {
        return {0, 0, std::string("refused: ") + e.what()};
    }
    try {
        return run(s, until_s);
    } catch (const std::exception& e) {  // a model error: named with the key, the walk goes on
        return {0, 0, std::string("the run failed: ") + e.what()};
    }
}

Outcome run(const io::Scenario& s, double until_s) {
    agents::FleetRunOptions o = io::fleet_run_options(s);
    o.sample_first = s.spec.time.from_seconds(s.run.sample_interval_s);
    o.sample_interval = o.sample_first;
    agents::FleetRun fleet(s.spec, o);
    sim::RunLimits limits;
    limits.until = s.spec.time.from_seconds(std::min(s.run.duration_s, until_s));
    fleet.run(limits);
    const std::uint64_t kpis = fleet.finish(limits.until).hash;
    return {fleet.engine().event_hash(), kpis, ""};
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) {
        out += (out.empty() ? "" : " ") + s;
    }
    return out;
}

}  // namespace

TEST_CASE("every documented scenario key changes the run, or the doc says when it does not") {
    const std::vector<DocKey> keys = documented_keys(fs::path(SWARM_DOCS_DIR) / "scenarios.md");
    // the parser found the tables (a few keys of different kinds of tables)
    REQUIRE(keys.size() > 120);
    for (const char* k : {"run.seed", "network.rows", "network.nodes", "depots.docks",
                          "cost.per_km", "learning.wear.repair_s", "disruptions.multiplier"}) {
        CHECK_MESSAGE(
            std::any_of(keys.begin(), keys.end(), [&](const DocKey& d) { return d.path == k; }), k);
    }
    // every walk is for a documented key
    for (const auto& entry : walks()) {
        const std::string& path = entry.first;  // captured below: no structured binding (clang 14)
        CHECK_MESSAGE(
            std::any_of(keys.begin(), keys.end(), [&](const DocKey& d) { return d.path == path; }),
            "the key walk has an entry for '" << path << "', which docs/scenarios.md lacks");
    }

    const fs::path dir = fs::temp_directory_path() / ("swarm_keys_" + std::to_string(getpid()));
    std::map<std::string, Outcome> bases;  // by text and setup
    std::vector<std::string> skipped;
    std::size_t walked = 0;
    std::size_t still = 0;
    for (const DocKey& k : keys) {
        const auto found = walks().find(k.path);
        const Walk walk = found != walks().end() ? found->second : derived();
        if (!walk.skip.empty()) {
            skipped.push_back(k.path + " (" + walk.skip + ")");
            continue;
        }
        const int variant = k.section == "disruptions" ? 1 : walk.base;
        const std::string& text = variant == 1 ? kDisrupted : (variant == 2 ? kRecovering : kBase);
        std::string target = k.path;
        const std::string entry = walk.entry.empty() ? usual_entry(k.section) : walk.entry;
        if (k.array) {
            target = k.section + "." + entry + k.path.substr(k.section.size());
        }
        // the doc's conditions (an entry's own keys on the walked entry), then the walk's
        std::vector<std::string> setup;
        for (const std::string& c : k.conditions) {
            setup.push_back(k.array && c.find('.') > c.find('=') ? k.section + "." + entry + "." + c
                                                                 : c);
        }
        setup = with(setup, walk.setup);
        // a condition the doc states in words only must be set up by the walk
        if (k.conditional && !k.conditions_in_row && walk.setup.empty() && walk.base == 0 &&
            walk.entry.empty() && k.section != "disruptions") {
            FAIL_CHECK("docs/scenarios.md says when '"
                       << k.path << "' has no effect, but neither as `key = value` nor does the "
                       << "key walk set the condition up: add a setup to walks()");
            continue;
        }
        std::string value = walk.value.empty() ? derived_value(k) : walk.value;
        if (value == "@dimacs") {
            value = write_dimacs(dir).string();
        }
        CAPTURE(k.path);
        CAPTURE(joined(setup));
        CAPTURE(value);
        if (value.empty()) {
            FAIL_CHECK("docs/scenarios.md documents '" << k.path
                                                       << "' but the key walk cannot derive a "
                                                          "changed value: add one to walks()");
            continue;
        }
        const std::string base_key = std::to_string(variant) + "|" + joined(setup);
        if (bases.find(base_key) == bases.end()) {
            bases[base_key] = run(text, setup);
        }
        const Outcome& before = bases[base_key];
        const Outcome after = run(text, with(setup, {target + "=" + value}));
        if (!before.error.empty() || !after.error.empty()) {
            FAIL_CHECK((before.error.empty() ? after.error : before.error));
            continue;
        }
        ++walked;
        if (k.no_effect) {
            ++still;
            CHECK_MESSAGE(before == after,
                          "the doc says '" << k.path << "' has no effect on the results");
        } else {
            CHECK_MESSAGE(
                !(before == after),
                "'" << k.path << "' changed nothing: fix it, or document when it has no effect");
        }
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    MESSAGE(walked << " keys walked (" << still << " with no effect on the results, as "
                   << "documented), " << skipped.size() << " skipped: " << joined(skipped));
}

namespace {

const std::vector<std::string> kSizeKeys = {"network.rows",
                                            "network.cols",
                                            "network.nodes",
                                            "fleets.count",
                                            "demand.per_depot_per_hour",
                                            "depots.demand_per_hour"};

}  // namespace

// Issue 21: a value `validate` accepts must not make `run` fail. Every documented number and
// integer is set to its extremes in turn: 1e-300 and the largest allowed for numbers, the
// smallest and largest allowed for integers (both taken from the range messages). Each is refused
// with a message naming the key, or the tiny scenario runs (no "time in seconds does not fit in
// 64-bit ticks", no zero barrier).
TEST_CASE("every documented number at the ends of its range is refused naming it, or runs") {
    const std::vector<DocKey> keys = documented_keys(fs::path(SWARM_DOCS_DIR) / "scenarios.md");
    std::size_t tried = 0;
    std::size_t refused = 0;
    for (const DocKey& k : keys) {
        if (k.type != "number" && k.type != "integer") {
            continue;
        }
        const auto found = walks().find(k.path);
        const Walk walk = found != walks().end() ? found->second : derived();
        const int variant = k.section == "disruptions" ? 1 : walk.base;
        const std::string& text = variant == 1 ? kDisrupted : (variant == 2 ? kRecovering : kBase);
        const std::string entry = walk.entry.empty() ? usual_entry(k.section) : walk.entry;
        const std::string target =
            k.array ? k.section + "." + entry + k.path.substr(k.section.size()) : k.path;
        std::vector<std::string> setup;
        for (const std::string& c : k.conditions) {
            setup.push_back(k.array && c.find('.') > c.find('=') ? k.section + "." + entry + "." + c
                                                                 : c);
        }
        setup = with(setup, walk.setup);
        // how the loader names the key: "vehicle_types[0].speed_factor", "run.duration_s"
        const std::string leaf = k.path.substr(k.path.rfind('.') + 1);
        const auto names_key = [&](const std::string& message) {
            return message.find(k.array ? "]." + leaf : k.path) != std::string::npos ||
                   message.find("--set " + target + "=") != std::string::npos;
        };
        // the allowed ends, from the messages for huge values (numbers: 1e-300 as the low end)
        const bool integer = k.type == "integer";
        std::vector<std::string> values;
        if (!integer) {
            values.push_back("1e-300");
        }
        // (sizes and rates only scale the work at their upper end: a network of 10^6 nodes or
        // 10^6 vehicles is not a unit test; their limits are tested in scenario_test.cpp)
        const bool size = std::find(kSizeKeys.begin(), kSizeKeys.end(), k.path) != kSizeKeys.end();
        for (const char* probe : {"-9223372036854775807", "9223372036854775807", "1e300"}) {
            const Outcome o = run(text, with(setup, {target + "=" + probe}), 0.0);
            for (const char* bound : {"must be >= ", "must be <= "}) {
                const std::size_t at = o.error.find(bound);
                const bool upper = bound[8] == '<';
                if (at != std::string::npos && (integer || probe[0] == '1') && !(upper && size)) {
                    values.push_back(o.error.substr(at + 11));
                }
            }
        }
        for (const std::string& value : values) {
            CAPTURE(k.path);
            CAPTURE(value);
            // two simulated minutes: what fails at setup or the first events fails there
            const Outcome o = run(text, with(setup, {target + "=" + value}), 120.0);
            ++tried;
            if (o.error.starts_with("refused: ")) {
                ++refused;
                CHECK_MESSAGE(names_key(o.error), o.error);
            } else {
                CHECK_MESSAGE(o.error.empty(), o.error);
            }
        }
    }
    CHECK(tried > 100);
    MESSAGE(tried << " extreme values tried, " << refused << " refused");
}
