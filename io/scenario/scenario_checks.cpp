#include "io/scenario/scenario_checks.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "agents/fleet/protocol.hpp"

namespace swarm::io::detail {

namespace {

// the first of `keys` ("section.key") the document gave (the one to change), else the
// first of them
std::pair<const toml::node*, std::string> blame(toml::table& root,
                                                const std::vector<std::string>& keys) {
    const auto find = [&root](const std::string& key) -> std::pair<toml::table*, std::string> {
        const std::size_t dot = key.find('.');
        toml::node* section = root.get(key.substr(0, dot));
        return {section != nullptr ? section->as_table() : nullptr, key.substr(dot + 1)};
    };
    for (const std::string& key : keys) {
        const auto [table, name] = find(key);
        const toml::node* n = table != nullptr ? table->get(name) : nullptr;
        if (Reader::given(n)) {
            return {n, key};
        }
    }
    const auto [table, name] = find(keys.front());
    const toml::node* n = table != nullptr ? table->get(name) : nullptr;
    return {n != nullptr ? n : (table != nullptr ? table : &root), keys.front()};
}

std::string value_text(const toml::node& n) {
    if (n.is_number()) {
        return number_text(n.value<double>().value_or(0.0));
    }
    if (const toml::value<std::string>* v = n.as_string()) {
        std::string out = "\"";
        out += v->get();
        out += '"';
        return out;
    }
    return "?";
}

toml::table& section(toml::table& root, const char* key) {
    return *root.get(key)->as_table();
}

// an array of tables of the document, empty when it has none (yet)
const toml::array& tables(toml::table& root, const char* key) {
    static const toml::array kNone;
    const toml::node* n = root.get(key);
    return n != nullptr && n->is_array() ? *n->as_array() : kNone;
}

}  // namespace

void check_fleet_not_inert(const Reader& r, toml::table& root, Scenario& s) {
    // the protocol's own checks (agents/fleet/protocols/), each pointed at the first of the
    // keys behind it that the document gave
    std::vector<agents::SpecProblem> problems;
    try {
        problems = agents::make_protocol(s.spec.allocation.policy)
                       ->check(agents::SpecCheck{s.spec, s.run.duration_s});
    } catch (const std::invalid_argument& e) {
        throw ScenarioError(r.file(), 0, 0, e.what());
    }
    for (const agents::SpecProblem& p : problems) {
        const std::pair<const toml::node*, std::string> at = blame(root, p.keys);
        const std::string text = at.second + " = " + value_text(*at.first) + ": " + p.message;
        if (!p.warning) {
            r.fail(*at.first, text);
        }
        s.warnings.push_back(r.warning(*at.first, text));
    }
}

void check_coordinates(const Reader& r, toml::table& root, const world::RoadNetwork& net,
                       Scenario& s) {
    const world::BoundingBox b = net.bounds();
    if (net.node_count() < 2 || b.max.x > b.min.x || b.max.y > b.min.y) {
        return;
    }
    const std::string what = "every node of the network is at (" + number_text(b.min.x) + ", " +
                             number_text(b.min.y) +
                             ") (it has no coordinates, e.g. a DIMACS .gr without its .co)";
    // refused: what cannot work without coordinates
    const toml::array& depots = tables(root, "depots");
    for (std::size_t i = 0; i < depots.size(); ++i) {
        const toml::table& t = *depots[i].as_table();
        if (const toml::node* x = t.get("x"); x != nullptr) {
            r.fail(*x, entry("depots", i) + ".x/y: " + what +
                           ", so the node nearest to a point means nothing; give " +
                           entry("depots", i) + ".node");
        }
    }
    const toml::array& types = tables(root, "vehicle_types");
    for (std::size_t i = 0; i < types.size() && i < s.spec.types.size(); ++i) {
        if (s.spec.types[i].kind != agents::VehicleKind::kDrone) {
            continue;
        }
        for (const agents::FleetGroup& g : s.spec.fleets) {
            if (g.type == i) {
                const toml::table& t = *types[i].as_table();
                r.fail(*t.get("kind"), entry("vehicle_types", i) + " is a drone in a fleet, but " +
                                           what +
                                           ": drones fly straight between node coordinates "
                                           "(every flight would take 0 s and 0 kWh)");
            }
        }
    }
    const toml::array& disruptions = tables(root, "disruptions");
    for (std::size_t i = 0; i < disruptions.size(); ++i) {
        const toml::table& t = *disruptions[i].as_table();
        if (const toml::node* a = t.get("area"); a != nullptr) {
            const std::string kind = t["kind"].value_or(std::string("close_roads"));
            const bool roads = kind.ends_with("_roads");
            r.fail(*a, entry("disruptions", i) + ".area: " + what +
                           ": an area holds every road and agent or none" +
                           (roads ? "; give edges or a road" : ""));
        }
    }
    // warned: the run works, but distances mean nothing
    toml::table& nt = section(root, "network");
    const toml::node* at = nt.get("file");
    s.warnings.push_back(r.warning(
        at != nullptr ? *at : static_cast<const toml::node&>(nt),
        what + ": every straight-line distance is 0, so demand.zone_radius_m (every node is a "
               "customer of every depot), comms.radio_range_m and policies.offer_radius_m "
               "(everybody is in range), the straight-line costs of bids and of the cloud (all "
               "equal: the lowest vehicle index wins) and learning congestion areas mean nothing"));
}

void warn_dead_settings(const Reader& r, toml::table& root, Scenario& s) {
    const agents::FleetLearningSpec& l = s.spec.learning;
    toml::table& learning = section(root, "learning");
    if (l.mode != agents::LearningMode::kOff && !l.active()) {
        const toml::node* mode = learning.get("mode");
        s.warnings.push_back(
            r.warning(*mode, "learning.mode = \"" + std::string(agents::to_string(l.mode)) +
                                 "\" has no effect: neither learning.congestion.enabled nor "
                                 "learning.wear.enabled is on, so there is nothing to learn"));
    }
    if (l.active() && l.round_s >= s.run.duration_s) {
        const auto at = blame(root, {"learning.round_s", "run.duration_s"});
        s.warnings.push_back(r.warning(
            *at.first, "learning.round_s = " + number_text(l.round_s) +
                           " s: no learning round before the end of the run (run.duration_s = " +
                           number_text(s.run.duration_s) +
                           " s): nothing is sensed, learnt or exchanged, nothing wears out"));
    }
    // orders larger than every vehicle in a fleet can carry are never delivered
    std::uint32_t largest = 0;
    for (const agents::FleetGroup& g : s.spec.fleets) {
        largest = std::max(largest, s.spec.types[g.type].capacity);
    }
    if (largest > 0 && s.spec.demand.max_size > largest) {
        toml::table& demand = section(root, "demand");
        s.warnings.push_back(r.warning(
            *demand.get("max_size"),
            "demand.max_size = " + std::to_string(s.spec.demand.max_size) +
                ": no vehicle of any fleet carries more than " + std::to_string(largest) +
                " units, so larger orders can never be delivered (they fail as no_vehicle)"));
    }
    const toml::array& disruptions = tables(root, "disruptions");
    for (std::size_t i = 0; i < disruptions.size() && i < s.spec.disruptions.size(); ++i) {
        const agents::DisruptionSpec& d = s.spec.disruptions[i];
        if (d.after.empty() && d.at_s >= s.run.duration_s) {
            const toml::table& t = *disruptions[i].as_table();
            s.warnings.push_back(r.warning(
                *t.get("at_s"), entry("disruptions", i) + " starts at " + number_text(d.at_s) +
                                    " s, not before the end of the run (run.duration_s = " +
                                    number_text(s.run.duration_s) + " s): it never happens"));
        }
    }
}

}  // namespace swarm::io::detail
