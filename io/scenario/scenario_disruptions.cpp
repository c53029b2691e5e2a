#include "io/scenario/scenario_disruptions.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <optional>
#include <sstream>
#include <utility>

#include "agents/fleet/messages.hpp"
#include "agents/fleet/protocol.hpp"
#include "agents/world/generators.hpp"
#include "agents/world/region.hpp"
#include "io/network/network_loader.hpp"
#include "io/printable.hpp"
#include "io/scenario/road_names.hpp"
#include "io/scenario/scenario_checks.hpp"
#include "io/scenario/scenario_places.hpp"
#include "io/scenario/toml_reader.hpp"

namespace swarm::io::detail {

namespace {

// disruption kinds by their scenario names (agents::kDisruptionKinds)
std::vector<std::string> disruption_kind_names() {
    std::vector<std::string> names;
    for (const agents::DisruptionKindInfo& k : agents::kDisruptionKinds) {
        names.emplace_back(k.name);
    }
    return names;
}

std::optional<double> parse_seconds(std::string_view s) {
    if (s.empty()) {
        return std::nullopt;
    }
    const std::string text(s);
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

}  // namespace

// [[disruptions]]: checked without the network; edges, roads and areas resolved on it
void read_disruptions(const Reader& r, toml::table& root, const world::RoadNetwork* net,
                      Scenario& s) {
    toml::array& a = r.tables(root, "disruptions", 0, 10'000);
    std::vector<std::string> ids;
    const std::vector<std::string> kinds = disruption_kind_names();
    std::string vehicle_kinds;  // "break_vehicles and repair_vehicles"
    std::size_t road_events = 0;
    for (const agents::DisruptionKindInfo& k : agents::kDisruptionKinds) {
        if (k.target == agents::DisruptionTarget::kVehicles) {
            vehicle_kinds.append(vehicle_kinds.empty() ? "" : " and ").append(k.name);
        }
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        toml::table& t = *a[i].as_table();
        const std::string w = entry("disruptions", i);
        r.check_keys(t, w, {"id",          "kind",       "label", "at_s",          "window_end_s",
                            "probability", "duration_s", "after", "after_delay_s", "after_end",
                            "edges",       "road",       "roads", "area",          "speed_factor",
                            "depot",       "stock",      "docks", "vehicles",      "fraction",
                            "mtbf_s",      "mttr_s",     "loss",  "multiplier",    "announced"});
        agents::DisruptionSpec d;
        // presence before defaults are filled in (the resolved document gets every key)
        // (a resolved document, as stored in traces, holds them as 0: not a process)
        const auto positive = [&t](const char* key) {
            const toml::node* n = t.get(key);
            return n != nullptr && n->value<double>().value_or(1.0) != 0.0;
        };
        const bool has_process = positive("mtbf_s") || positive("mttr_s");
        d.id = r.id(t, w, ids);
        const std::string kind = r.choice(t, w, "kind", "close_roads", kinds);
        const agents::DisruptionKind k = *agents::disruption_kind(kind);  // one of `kinds`
        const agents::DisruptionKindInfo& info = agents::info(k);
        agents::DisruptionAction& act = d.action;
        act.kind = k;
        act.label = r.string(t, w, "label", d.id);
        d.at_s = r.real(t, w, "at_s", 0.0, 0.0, kMaxDurationS);
        d.window_end_s = r.real(t, w, "window_end_s", -1.0, -1.0, kMaxDurationS);
        if (d.window_end_s >= 0.0 && d.window_end_s <= d.at_s) {
            r.fail(*t.get("window_end_s"), w + ".window_end_s must be > at_s");
        }
        d.probability = r.real(t, w, "probability", 1.0, 0.0, 1.0);
        d.duration_s = r.real(t, w, "duration_s", 0.0, 0.0, kMaxDurationS);
        d.after = r.string(t, w, "after", "");
        if (!d.after.empty()) {
            std::vector<std::string> earlier(ids.begin(), ids.end() - 1);
            r.reference(*t.get("after"), w + ".after", d.after, earlier, "earlier disruption");
        }
        d.after_delay_s = r.real(t, w, "after_delay_s", 0.0, 0.0, kMaxDurationS);
        d.after_end = r.boolean(t, w, "after_end", false);
        act.speed_factor = r.real(t, w, "speed_factor", 1.0, 0.0, 1.0, true);
        act.fraction = r.real(t, w, "fraction", 0.0, 0.0, 1.0);
        d.mtbf_s = r.real(t, w, "mtbf_s", 0.0, 0.0, 1e9);
        d.mttr_s = r.real(t, w, "mttr_s", 0.0, 0.0, 1e9);
        // a failure process at 0 ticks would fail and repair forever at one instant
        for (const auto& [key, value] : {std::pair{"mtbf_s", d.mtbf_s}, {"mttr_s", d.mttr_s}}) {
            if (value > 0.0) {
                at_least_one_tick(r, t, w, key, value, s.run);
            }
        }
        act.loss = r.real(t, w, "loss", 0.0, 0.0, 1.0);
        act.multiplier = r.real(t, w, "multiplier", 1.0, 0.0, 1000.0, true);
        using K = agents::DisruptionKind;
        using T = agents::DisruptionTarget;
        const bool roads = info.target == T::kRoads;
        const bool depot = info.target == T::kDepot;
        const bool vehicles = info.target == T::kVehicles;
        if (depot) {
            const std::string id = r.required_string(t, w, "depot");
            act.depot = r.reference(*t.get("depot"), w + ".depot", id, s.depot_ids, "depot");
            act.stock =
                static_cast<std::uint64_t>(r.integer(t, w, "stock", 0, 0, 1'000'000'000'000LL));
            act.docks = static_cast<std::uint32_t>(r.integer(t, w, "docks", 0, 0, 10'000));
        } else if (t.contains("depot")) {
            r.fail(*t.get("depot"), w + ".depot is only for depot disruptions, not " + kind);
        }
        if (vehicles) {
            if (const toml::node* vn = t.get("vehicles"); vn != nullptr) {
                const toml::array* arr = vn->as_array();
                if (arr == nullptr) {
                    r.fail(*vn, w + ".vehicles must be an array of vehicle indices");
                }
                const auto fleet_size = static_cast<std::int64_t>(s.spec.vehicle_count());
                for (const toml::node& v : *arr) {
                    act.vehicles.push_back(static_cast<std::uint32_t>(
                        r.integer_node(v, w + ".vehicles[]", 0, fleet_size - 1)));
                }
                std::sort(act.vehicles.begin(), act.vehicles.end());
                act.vehicles.erase(std::unique(act.vehicles.begin(), act.vehicles.end()),
                                   act.vehicles.end());
            }
            if (k == K::kBreakVehicles && act.vehicles.empty() && act.fraction == 0.0 &&
                d.mtbf_s == 0.0) {
                r.fail(t, w + ": break_vehicles needs vehicles, fraction or mtbf_s");
            }
            if (d.mtbf_s > 0.0 && d.mttr_s <= 0.0) {
                r.fail(t, w + ": a failure process (mtbf_s) needs mttr_s > 0");
            }
        } else if (t.contains("vehicles") || has_process) {
            r.fail(t.contains("vehicles") ? *t.get("vehicles") : static_cast<const toml::node&>(t),
                   w + ": vehicles and mtbf_s are only for " + vehicle_kinds);
        }
        if (t.contains("area")) {
            if (info.area == agents::AreaUse::kNo) {
                r.fail(*t.get("area"), w + ".area is not used by " + kind);
            }
            act.area = read_area(r, t, w, net, s);
        } else if (info.area == agents::AreaUse::kRequired) {
            r.fail(t, w + ": " + kind + " needs an area");
        }
        if (roads) {
            const int given =
                static_cast<int>(t.contains("edges")) + static_cast<int>(t.contains("road")) +
                static_cast<int>(t.contains("roads")) + static_cast<int>(t.contains("area"));
            if (given != 1) {
                r.fail(t, w + ": " + kind + " needs exactly one of edges, road, roads or area");
            }
            act.announced = r.boolean(t, w, "announced", false);
        } else {
            if (t.contains("announced")) {
                r.fail(*t.get("announced"),
                       w + ".announced is only for road disruptions, not " + kind);
            }
            for (const char* key : {"edges", "road", "roads"}) {
                if (t.contains(key)) {
                    r.fail(*t.get(key), w + ": edges, road and roads are only for road "
                                            "disruptions");
                }
            }
        }
        // road names and ways are checked for their type without a network too
        std::vector<std::pair<const toml::node*, std::string>> road_refs;
        if (roads) {
            if (const toml::node* rn = t.get("road"); rn != nullptr) {
                road_refs.emplace_back(rn, r.string_node(*rn, w + ".road"));
            } else if (const toml::node* rs = t.get("roads"); rs != nullptr) {
                const toml::array* arr = rs->as_array();
                if (arr == nullptr || arr->empty()) {
                    r.fail(*rs, w + ".roads must be a non-empty array of road names or "
                                    "\"way:ID\" strings");
                }
                for (const toml::node& n : *arr) {
                    road_refs.emplace_back(&n, r.string_node(n, w + ".roads[]"));
                }
            }
        }
        if (net != nullptr && roads) {
            if (const toml::node* en = t.get("edges"); en != nullptr) {
                const toml::array* arr = en->as_array();
                if (arr == nullptr || arr->empty()) {
                    r.fail(*en, w + ".edges must be a non-empty array of edge ids");
                }
                for (const toml::node& e : *arr) {
                    const std::int64_t id = r.integer_node(e, w + ".edges[]", 0, 0xFFFFFFFELL);
                    if (static_cast<std::size_t>(id) >= net->edge_count()) {
                        r.fail(e, w + ".edges: edge " + std::to_string(id) +
                                      " is not an edge of the network (" +
                                      std::to_string(net->edge_count()) + " edges)");
                    }
                    act.edges.push_back(static_cast<world::EdgeId>(id));
                }
            } else if (!road_refs.empty()) {
                // a name or "way:ID" (io/scenario/road_names.hpp), with a suggestion if unknown
                for (const auto& [node, ref] : road_refs) {
                    try {
                        const Road road = find_road(*net, ref);
                        act.edges.insert(act.edges.end(), road.edges.begin(), road.edges.end());
                    } catch (const RoadNotFound& e) {
                        // a command-line flag names itself (the error's file)
                        r.fail(*node,
                               Reader::from_flag(t.source())
                                   ? std::string(e.what())
                                   : w + (t.contains("road") ? ".road: " : ".roads: ") + e.what());
                    }
                }
            } else {
                act.edges = world::edges_in(*net, *act.area);  // read_area: set with a network
                if (act.edges.empty()) {
                    r.fail(*t.get("area"), w + ".area holds no road of the network");
                }
            }
            std::sort(act.edges.begin(), act.edges.end());
            act.edges.erase(std::unique(act.edges.begin(), act.edges.end()), act.edges.end());
        }
        // the road state of a run keeps at most kMaxRoadEvents events: each road disruption
        // is one, and its end (the inverse action) another
        if (roads) {
            road_events += 1;
            if (d.duration_s > 0.0 && info.undoable) {
                road_events += 1;
            }
            if (road_events > agents::kMaxRoadEvents) {
                r.fail(t, w + ": more than " + std::to_string(agents::kMaxRoadEvents) +
                              " road events in one run (each close_roads, reopen_roads or "
                              "slow_roads disruption is one, its end after duration_s another)");
            }
        }
        s.spec.disruptions.push_back(std::move(d));
    }
}

// each flag as a TOML table parsed with the flag as its source: the reader checks it like
// the file's entries and names the flag in its errors
void add_road_flags(toml::table& root, const std::vector<RoadFlag>& flags) {
    if (flags.empty()) {
        return;
    }
    if (!root.contains("disruptions")) {
        root.insert("disruptions", toml::array{});
    }
    toml::array* list = root.get("disruptions")->as_array();
    if (list == nullptr || !(list->empty() || list->is_array_of_tables())) {
        return;  // read_disruptions says what is wrong with the file's own value
    }
    std::size_t n = 0;
    for (const RoadFlag& f : flags) {
        const bool slow = f.speed_factor > 0.0;
        toml::table t;
        t.insert("id", std::string(slow ? "cli-slow-" : "cli-close-") + std::to_string(++n));
        t.insert("kind", slow ? "slow_roads" : "close_roads");
        t.insert("label", f.road + (slow ? " slowed" : " closed") + " (command line)");
        t.insert("at_s", f.at_s);
        if (f.duration_s > 0.0) {
            t.insert("duration_s", f.duration_s);
        }
        if (slow) {
            t.insert("speed_factor", f.speed_factor);
        }
        const bool digits =
            !f.road.empty() && std::all_of(f.road.begin(), f.road.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c)) != 0;
            });
        if (digits && f.road.size() <= 10) {
            t.insert("edges", toml::array{static_cast<std::int64_t>(std::stoll(f.road))});
        } else {
            t.insert("road", f.road);
        }
        std::ostringstream text;
        text << t;
        list->push_back(toml::parse(text.str(), f.flag));
    }
}

}  // namespace swarm::io::detail

namespace swarm::io {

RoadFlag parse_road_flag(std::string_view option, std::string_view value) {
    RoadFlag f;
    f.flag = std::string(option) + " " + std::string(value);
    std::string_view road = value;
    // "@T" or "@T+D" at the end, when it is numbers
    if (const std::size_t at = road.rfind('@'); at != std::string_view::npos) {
        const std::string_view when = road.substr(at + 1);
        const std::size_t plus = when.find('+');
        const std::optional<double> t = detail::parse_seconds(when.substr(0, plus));
        const std::optional<double> d = plus == std::string_view::npos
                                            ? std::optional<double>(0.0)
                                            : detail::parse_seconds(when.substr(plus + 1));
        if (t && d) {
            if (*t < 0.0 || *t > kMaxDurationS) {
                throw std::invalid_argument("the time after '@' must be 0 to " +
                                            std::to_string(static_cast<long>(kMaxDurationS)) +
                                            " s");
            }
            if (*d < 0.0 || *d > kMaxDurationS || (plus != std::string_view::npos && *d == 0.0)) {
                throw std::invalid_argument("the duration after '+' must be > 0 s");
            }
            f.at_s = *t;
            f.duration_s = *d;
            road = road.substr(0, at);
        }
    }
    if (option == "--slow") {
        const std::size_t eq = road.rfind('=');
        const std::optional<double> factor = eq == std::string_view::npos
                                                 ? std::nullopt
                                                 : detail::parse_seconds(road.substr(eq + 1));
        if (!factor) {
            throw std::invalid_argument(
                "expected ROAD=FACTOR[@T[+D]], e.g. 'Avenue de Grande "
                "Bretagne=0.5@600'");
        }
        if (!(*factor > 0.0 && *factor <= 1.0)) {
            throw std::invalid_argument("the speed factor must be in (0, 1], not " +
                                        std::string(road.substr(eq + 1)));
        }
        f.speed_factor = *factor;
        road = road.substr(0, eq);
    }
    if (road.empty()) {
        throw std::invalid_argument("no road given (a name, way:ID or an edge id)");
    }
    f.road = std::string(road);
    return f;
}

}  // namespace swarm::io
