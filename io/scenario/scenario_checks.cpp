#include "io/scenario/scenario_checks.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
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

namespace {

// the longest delay the model may form from a key: 1e15 ticks (31 years at 1 us a tick)
// leaves a factor of 9,000 below the 64-bit clock for the sums and multipliers it meets
constexpr double kMaxSpanTicks = 1e15;
constexpr double kLargestMessageBits = 8e9;  // 1 GB

std::string span_limit(const Scenario& s) {
    return number_text(kMaxSpanTicks / static_cast<double>(s.spec.time.ticks_per_second)) +
           " s at run.tick_us = " + std::to_string(s.run.tick_us);
}

bool too_long(const Scenario& s, double seconds) {
    return !(seconds * static_cast<double>(s.spec.time.ticks_per_second) <= kMaxSpanTicks);
}

}  // namespace

void check_time_spans(const Reader& r, toml::table& root, const world::RoadNetwork* net,
                      Scenario& s) {
    const agents::FleetSpec& spec = s.spec;
    const auto refuse = [&](const toml::node& at, const std::string& name, double value,
                            const std::string& what, double seconds) {
        const std::string took = std::isfinite(seconds) ? number_text(seconds) + " s" : "forever";
        r.fail(at, name + " = " + number_text(value) + ": " + what + " would take " + took +
                       ", longer than the simulator's clock holds (" + span_limit(s) + ")");
    };
    if (net == nullptr) {
        toml::table& comms = section(root, "comms");
        for (const char* key : {"radio_bandwidth_bps", "cloud_bandwidth_bps"}) {
            const double bps = *comms.get(key)->value<double>();
            if (too_long(s, kLargestMessageBits / bps)) {
                refuse(*comms.get(key), std::string("comms.") + key, bps,
                       "sending a message of 1 GB", kLargestMessageBits / bps);
            }
        }
        double battery = 0.0;
        for (const agents::VehicleType& t : spec.types) {
            battery = std::max(battery, t.battery_kwh);
        }
        const toml::array& depots = tables(root, "depots");
        for (std::size_t i = 0; i < depots.size() && i < spec.depots.size(); ++i) {
            const double kw = spec.depots[i].charge_power_kw;
            if (too_long(s, battery / kw * 3600.0)) {
                refuse(*depots[i].as_table()->get("charge_power_kw"),
                       entry("depots", i) + ".charge_power_kw", kw,
                       "charging the largest battery (" + number_text(battery) + " kWh)",
                       battery / kw * 3600.0);
            }
        }
        return;
    }
    // the vehicle board (agents/fleet/fleet_board.hpp) holds a counter per cell over the
    // network's bounding box: a tiny cell would allocate without bound
    {
        const world::BoundingBox box = net->bounds();
        const double cell = spec.allocation.board_cell_m;
        const double nx = std::ceil(std::max(box.max.x - box.min.x, 1.0) / cell) + 1.0;
        const double ny = std::ceil(std::max(box.max.y - box.min.y, 1.0) / cell) + 1.0;
        constexpr double kMaxBoardCells = 16'777'216.0;
        if (!(nx * ny <= kMaxBoardCells)) {
            const toml::node& at = *section(root, "policies").get("board_cell_m");
            r.fail(at, "policies.board_cell_m = " + number_text(cell) +
                           ": the vehicle board would have more than 16777216 cells over the "
                           "network (" +
                           number_text(nx - 1.0) + " x " + number_text(ny - 1.0) + " cells of " +
                           number_text(cell) + " m): give a larger cell");
        }
    }
    // ground: one edge at a time, at the type's speed factor and a slow_roads factor
    double slowest_edge = 0.0;
    for (const double t : net->travel_times_s()) {
        slowest_edge = std::max(slowest_edge, t);
    }
    toml::table& nt = section(root, "network");
    if (too_long(s, slowest_edge)) {
        // the file, or the generator's slowest speed
        const auto speed = [&](const char* k) { return nt.get(k)->value<double>().value_or(0.0); };
        const char* key = nt.contains("file")        ? "file"
                          : nt.contains("speed_mps") ? "speed_mps"
                          : speed("street_speed_mps") <= speed("arterial_speed_mps")
                              ? "street_speed_mps"
                              : "arterial_speed_mps";
        const toml::node* n = nt.get(key);
        r.fail(n != nullptr ? *n : static_cast<const toml::node&>(nt),
               "network." + std::string(key) + ": the slowest road of the network takes " +
                   number_text(slowest_edge) +
                   " s to drive, longer than the simulator's clock holds (" + span_limit(s) + ")");
    }
    const toml::array& types = tables(root, "vehicle_types");
    const world::BoundingBox b = net->bounds();
    const double diagonal = std::hypot(b.max.x - b.min.x, b.max.y - b.min.y);
    double slowest_factor = 1.0;
    for (std::size_t i = 0; i < types.size() && i < spec.types.size(); ++i) {
        const agents::VehicleType& t = spec.types[i];
        const toml::table& tt = *types[i].as_table();
        if (t.kind == agents::VehicleKind::kDrone) {
            if (too_long(s, diagonal / t.cruise_mps)) {
                refuse(*tt.get("cruise_mps"), entry("vehicle_types", i) + ".cruise_mps",
                       t.cruise_mps, "a flight across the network", diagonal / t.cruise_mps);
            }
            continue;
        }
        // the allocation's estimate: straight line x detour at the fastest road speed
        const double estimate =
            diagonal * spec.allocation.detour_factor / (net->max_speed_mps() * t.speed_factor);
        const double edge = slowest_edge / t.speed_factor;
        if (too_long(s, std::max(edge, estimate))) {
            refuse(*tt.get("speed_factor"), entry("vehicle_types", i) + ".speed_factor",
                   t.speed_factor, "driving the slowest road or across the network",
                   std::max(edge, estimate));
        }
        slowest_factor = std::min(slowest_factor, t.speed_factor);
    }
    const toml::array& disruptions = tables(root, "disruptions");
    for (std::size_t i = 0; i < disruptions.size() && i < spec.disruptions.size(); ++i) {
        const agents::DisruptionAction& a = spec.disruptions[i].action;
        if (a.kind != agents::DisruptionKind::kSlowRoads) {
            continue;
        }
        // the model keeps slow_roads factors as floats
        const double factor = static_cast<double>(static_cast<float>(a.speed_factor));
        const double edge = slowest_edge / slowest_factor / factor;
        if (factor <= 0.0 || too_long(s, edge)) {
            refuse(*disruptions[i].as_table()->get("speed_factor"),
                   entry("disruptions", i) + ".speed_factor", a.speed_factor,
                   "driving the slowest road at the slowest vehicle type's speed_factor",
                   factor > 0.0 ? edge : std::numeric_limits<double>::infinity());
        }
    }
}

// a network reduced to one node (its largest strongly connected part) has no road to drive:
// every speed estimate on it would divide by zero
void refuse_single_node(const Reader& r, toml::table& root, const world::RoadNetwork& net) {
    if (net.node_count() >= 2 && net.edge_count() > 0) {
        return;
    }
    toml::table& t = *root.get("network")->as_table();
    const char* key = t.contains("file") ? "file" : "generator";
    const std::string value = t.get(key)->value<std::string>().value_or("");
    r.fail(*t.get(key), "network." + std::string(key) + " '" + value + "': the network keeps " +
                            std::to_string(net.node_count()) + " node(s) and " +
                            std::to_string(net.edge_count()) +
                            " road(s) (its largest strongly connected part): a fleet needs at "
                            "least 2 nodes joined by roads");
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
