// libFuzzer target for the TOML scenario readers (io/scenario): the fleet scenario and the
// learning scenario parsers read every input; each may refuse it only with
// io::ScenarioError. A document that passes the checks is built too (network, depots,
// fleets) when its network is a small generated one, so that the builder sees what the
// checks let through; networks from files and large generators are checked only (the
// network loaders have their own targets; large networks take time, not bugs, to build).
#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.hpp"
#include "io/scenario/learning_scenario.hpp"
#include "io/scenario/scenario.hpp"

namespace {

constexpr std::int64_t kMaxBuiltNodes = 3600;  // scenarios/default.toml's 60 x 60 city
constexpr std::int64_t kMaxBuiltVehicles = 1000;

// true when the checked document's network is generated and small, and its fleets are small
bool small_enough_to_build(const std::string& resolved_toml) {
    toml::table doc;
    try {
        doc = toml::parse(resolved_toml);
    } catch (const toml::parse_error&) {
        return false;
    }
    const toml::node_view net = doc["network"];
    const std::string generator = net["generator"].value_or(std::string());
    std::int64_t nodes = 0;
    if (generator == "grid_city") {
        nodes = net["rows"].value_or(std::int64_t{10}) * net["cols"].value_or(std::int64_t{10});
    } else if (generator == "random_geometric") {
        nodes = net["nodes"].value_or(std::int64_t{1000});
    } else {
        return false;
    }
    if (nodes <= 0 || nodes > kMaxBuiltNodes) {
        return false;
    }
    std::int64_t vehicles = 0;
    if (const toml::array* fleets = doc["fleets"].as_array()) {
        for (const toml::node& f : *fleets) {
            const toml::table* fleet = f.as_table();
            const std::int64_t count =
                fleet == nullptr ? 0 : (*fleet)["count"].value_or(std::int64_t{0});
            if (count < 0 || count > kMaxBuiltVehicles) {
                return false;
            }
            vehicles += count;
        }
    }
    return vehicles <= kMaxBuiltVehicles;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace swarm;
    const std::string_view text = fuzz::as_text(data, size);
    // relative network paths resolve next to the scenario: inside the private directory
    const std::filesystem::path name = fuzz::temp_dir().path() / "input.toml";
    try {
        io::ScenarioOptions check_only;
        check_only.build_network = false;
        const io::Scenario checked = io::parse_scenario(text, name, check_only);
        if (small_enough_to_build(checked.resolved_toml)) {
            (void)io::parse_scenario(text, name);
        }
    } catch (const io::ScenarioError&) {
        // refused with file:line:col: fine
    } catch (const std::exception& e) {
        fuzz::unexpected("parse_scenario", e);
    }
    try {
        (void)io::parse_learning_scenario(text, name);
    } catch (const io::ScenarioError&) {
    } catch (const std::exception& e) {
        fuzz::unexpected("parse_learning_scenario", e);
    }
    return 0;
}
