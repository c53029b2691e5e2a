#include "io/scenario/scenario_disruptions.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <utility>

#include "agents/fleet/messages.hpp"
#include "agents/fleet/protocol.hpp"
#include "agents/world/generators.hpp"
#include "agents/world/region.hpp"
#include "io/network/network_loader.hpp"
#include "io/printable.hpp"
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
        r.check_keys(t, w,
                     {"id",          "kind",       "label",     "at_s",          "window_end_s",
                      "probability", "duration_s", "after",     "after_delay_s", "after_end",
                      "edges",       "road",       "area",      "speed_factor",  "depot",
                      "stock",       "docks",      "vehicles",  "fraction",      "mtbf_s",
                      "mttr_s",      "loss",       "multiplier"});
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
            const int given = static_cast<int>(t.contains("edges")) +
                              static_cast<int>(t.contains("road")) +
                              static_cast<int>(t.contains("area"));
            if (given != 1) {
                r.fail(t, w + ": " + kind + " needs exactly one of edges, road or area");
            }
        } else if (t.contains("edges") || t.contains("road")) {
            r.fail(*t.get(t.contains("edges") ? "edges" : "road"),
                   w + ": edges and road are only for road disruptions");
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
            } else if (const toml::node* rn = t.get("road"); rn != nullptr) {
                const std::string name = r.string_node(*rn, w + ".road");
                const std::optional<std::uint32_t> nid = net->find_name(name);
                if (!nid) {
                    r.fail(*rn, w + ".road: no road named '" + name + "' in the network");
                }
                for (world::EdgeId e = 0; e < net->edge_count(); ++e) {
                    if (net->name_id(e) == *nid) {
                        act.edges.push_back(e);
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
}  // namespace swarm::io::detail
