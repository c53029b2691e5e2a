// Standard routing problems run as scenarios (docs/inputs.md, "Problem files"): a VROOM JSON
// problem on a map (`--set network.file=MAP`), a Solomon or VRPLIB instance on the complete
// graph of its own points. The problem becomes a scenario document plus the three [inputs]
// tables in memory, so it is checked, overridden (--set) and run like any scenario.
#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "io/printable.hpp"
#include "io/scenario/scenario_inputs.hpp"
#include "io/vrp/vrp_reader.hpp"

namespace swarm::io::detail {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Solomon/VRPLIB units: a distance unit is a kilometre and a time unit a minute (travel time
// = distance at 60 km/h, as the instances define it)
constexpr double kMetresPerUnit = 1000.0;
constexpr double kSecondsPerUnit = 60.0;
// the complete graph has n (n - 1) arcs
constexpr std::size_t kMaxCompleteNodes = 1500;

std::string num(double v) {
    return number_text(v);
}

// "text" as a CSV field (quoted when needed)
std::string field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) {
        return s;
    }
    std::string out = "\"";
    for (const char c : s) {
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return out + "\"";
}

// one CSV row of the given fields (appended: GCC 12 warns wrongly on chains of +)
std::string row(std::initializer_list<std::string> fields) {
    std::string out;
    for (const std::string& f : fields) {
        if (!out.empty() || &f != fields.begin()) {
            out.push_back(',');
        }
        out.append(f);
    }
    out.push_back('\n');
    return out;
}

struct Tables {
    std::string depots;
    std::string vehicles;
    std::string orders;
};

// the scenario document: run length, the [inputs] names of the in-memory tables, demand
// (hand-over time, start hour 0), policies and the vehicle types
std::string document(const fs::path& file, double duration_s, double due_s, double service_s,
                     double offer_radius_m, std::uint32_t capacity, double battery_kwh,
                     const std::string& network, const std::string& description) {
    const std::string base = file.filename().string();
    std::ostringstream t;
    t << "schema_version = 1\n"
      << "description = \"" << description << "\"\n"
      << "[run]\nduration_s = " << num(duration_s)
      << "\nsample_interval_s = " << num(std::max(60.0, std::ceil(duration_s / 48.0 / 60.0) * 60.0))
      << "\n"
      << network << "[inputs]\ndepots = \"" << base << "#depots\"\nvehicles = \"" << base
      << "#vehicles\"\norders = \"" << base << "#orders\"\n"
      << "[demand]\nprofile = \"flat\"\ndue_s = " << num(due_s)
      << "\ncustomer_service_s = " << num(service_s) << "\n"
      << "[policies]\noffer_radius_m = " << num(offer_radius_m) << "\nmax_plan = 4\n"
      << "[[vehicle_types]]\nid = \"van\"\ncapacity = " << capacity
      << "\nbattery_kwh = " << num(battery_kwh) << "\n";
    return t.str();
}

Scenario finish(const fs::path& file, const std::string& text, const Tables& tables,
                ProblemData& data, const ScenarioOptions& options) {
    const fs::path dir = file.parent_path();
    const std::string base = file.filename().string();
    const auto key = [&](const char* kind) {
        return (dir / (base + "#" + kind)).lexically_normal().string();
    };
    try {
        data.tables.emplace(key("depots"), parse_csv(tables.depots, key("depots")));
        data.tables.emplace(key("vehicles"), parse_csv(tables.vehicles, key("vehicles")));
        data.tables.emplace(key("orders"), parse_csv(tables.orders, key("orders")));
    } catch (const CsvError& e) {
        throw ScenarioError(e.file(), e.line(), e.column(), e.message());
    }
    toml::table root = parse_document(text, file.string());
    return build_scenario(root, file, options, &data);
}

// ---- VROOM ----

[[noreturn]] void vroom_fail(const fs::path& file, const std::string& where,
                             const std::string& what) {
    throw ScenarioError(file.string(), 0, 0, where + ": " + what);
}

// [lon, lat] as {lat, lon}
std::array<double, 2> lon_lat(const fs::path& file, const Json& j, const std::string& where) {
    if (!j.is_array() || j.size() != 2 || !j[0].is_number() || !j[1].is_number()) {
        vroom_fail(file, where, "a location must be [longitude, latitude]");
    }
    const double lon = j[0].get<double>();
    const double lat = j[1].get<double>();
    if (!(lon >= -180.0 && lon <= 180.0) || !(lat >= -90.0 && lat <= 90.0)) {
        vroom_fail(file, where,
                   "[" + num(lon) + ", " + num(lat) + "] is not a longitude, latitude");
    }
    return {lat, lon};
}

// one-dimensional amounts only (capacity, delivery)
double amount(const fs::path& file, const Json& o, const char* key, const std::string& where,
              double fallback) {
    if (!o.contains(key)) {
        return fallback;
    }
    const Json& a = o[key];
    if (!a.is_array() || a.empty() || !a[0].is_number_integer() || a[0].get<std::int64_t>() < 0) {
        vroom_fail(file, where + "." + key, "must be an array of whole numbers >= 0");
    }
    for (std::size_t i = 1; i < a.size(); ++i) {
        if (!a[i].is_number() || a[i].get<double>() != 0.0) {
            vroom_fail(file, where + "." + key,
                       "only one amount dimension is modelled (vehicle capacity in units)");
        }
    }
    return a[0].get<double>();
}

// a [start, end] pair of seconds
std::array<double, 2> window(const fs::path& file, const Json& w, const std::string& where) {
    if (!w.is_array() || w.size() != 2 || !w[0].is_number() || !w[1].is_number() ||
        w[0].get<double>() < 0.0 || w[0].get<double>() > w[1].get<double>()) {
        vroom_fail(file, where, "a time window is [start, end] in seconds, 0 <= start <= end");
    }
    return {w[0].get<double>(), w[1].get<double>()};
}

std::string id_text(const Json& o, std::size_t i) {
    if (o.contains("id") && (o["id"].is_number_integer() || o["id"].is_string())) {
        return o["id"].is_string() ? o["id"].get<std::string>() : o["id"].dump();
    }
    return std::to_string(i);
}

Scenario load_vroom(const fs::path& file, const ScenarioOptions& options) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw ScenarioError(file.string(), 0, 0, "cannot read the file", true);
    }
    Json doc;
    try {
        doc = Json::parse(in);
    } catch (const Json::exception& e) {
        std::string what = e.what();
        const std::string tag = "parse error at ";
        if (const std::size_t at = what.find(tag); at != std::string::npos) {
            what = what.substr(at + tag.size());
        }
        throw ScenarioError(file.string(), 0, 0, "not JSON: " + what);
    }
    if (!doc.is_object() || !doc.contains("vehicles") || !doc["vehicles"].is_array() ||
        doc["vehicles"].empty()) {
        vroom_fail(file, "vehicles", "a VROOM problem needs a non-empty \"vehicles\" array");
    }
    if (doc.contains("matrices") || doc.contains("matrix")) {
        vroom_fail(file, "matrices",
                   "custom matrices are not used: travel times come from the map's roads");
    }
    bool network_given = false;
    for (const std::string& o : options.overrides) {
        network_given =
            network_given || o.starts_with("network.file=") || o.starts_with("network=");
    }
    if (!network_given) {
        throw ScenarioError(file.string(), 0, 0,
                            "a VROOM problem's locations are longitude/latitude: give the map "
                            "with --set network.file=MAP (an OSM .pbf, GraphML or DIMACS with "
                            "coordinates)");
    }
    ProblemData data;
    Tables t;
    // depots: the vehicles' distinct start locations
    std::vector<std::array<double, 2>> depots;
    const Json& vs = doc["vehicles"];
    t.vehicles = "id,type,home_depot,shift_start_s,shift_end_s,capacity_units\n";
    double capacity = 0.0;
    double horizon = 0.0;
    for (std::size_t i = 0; i < vs.size(); ++i) {
        const Json& v = vs[i];
        const std::string w = "vehicles[" + std::to_string(i) + "]";
        if (!v.is_object() || !v.contains("start")) {
            vroom_fail(file, w, "a vehicle needs a \"start\" location (its home depot)");
        }
        const std::array<double, 2> at = lon_lat(file, v["start"], w + ".start");
        if (v.contains("end") && lon_lat(file, v["end"], w + ".end") != at) {
            data.warnings.push_back(printable(file.string()) + ": warning: " + w +
                                    ".end: vehicles end at their start depot, not elsewhere");
        }
        auto it = std::find(depots.begin(), depots.end(), at);
        if (it == depots.end()) {
            depots.push_back(at);
            it = depots.end() - 1;
        }
        const double cap = amount(file, v, "capacity", w, 1e6);
        if (cap < 1.0 || cap > 1'000'000.0) {
            vroom_fail(file, w + ".capacity", "must be in [1, 1000000] units");
        }
        capacity = std::max(capacity, cap);
        std::string start;
        std::string end;
        if (v.contains("time_window")) {
            const std::array<double, 2> tw = window(file, v["time_window"], w + ".time_window");
            start = num(tw[0]);
            end = num(tw[1]);
            horizon = std::max(horizon, tw[1]);
        }
        t.vehicles += row({field(id_text(v, i)), "van",
                           std::string("d").append(std::to_string(it - depots.begin())), start, end,
                           num(cap)});
    }
    t.depots = "id,lat,lon,docks,dock_service_s\n";
    for (std::size_t d = 0; d < depots.size(); ++d) {
        t.depots += row({std::string("d").append(std::to_string(d)), num(depots[d][0]),
                         num(depots[d][1]), "4", "60"});
    }
    // jobs: deliveries from the nearest depot; shipments: loaded at their pick-up location,
    // dispatched by the depot nearest it; all released at 0
    const Json empty = Json::array();
    const Json& js = doc.contains("jobs") ? doc["jobs"] : empty;
    const Json& ss = doc.contains("shipments") ? doc["shipments"] : empty;
    if (!js.is_array()) {
        vroom_fail(file, "jobs", "must be an array");
    }
    if (!ss.is_array()) {
        vroom_fail(file, "shipments", "must be an array");
    }
    if (js.empty() && ss.empty()) {
        vroom_fail(file, "jobs",
                   "a VROOM problem needs a non-empty \"jobs\" or \"shipments\" array");
    }
    t.orders =
        "id,depot,lat,lon,size_units,release_s,earliest_s,latest_s,service_s,priority,"
        "pickup_lat,pickup_lon,pickup_earliest_s,pickup_latest_s,pickup_service_s\n";
    std::set<double> services;
    const auto nearest_depot = [&](const std::array<double, 2>& at) {
        std::size_t nearest = 0;
        for (std::size_t d = 1; d < depots.size(); ++d) {
            const auto dist = [&](std::size_t k) {
                return std::hypot(
                    depots[k][0] - at[0],
                    (depots[k][1] - at[1]) * std::cos(at[0] * std::numbers::pi / 180.0));
            };
            nearest = dist(d) < dist(nearest) ? d : nearest;
        }
        return nearest;
    };
    // one stop (a job, a shipment's pickup or delivery): where, its service, its window
    struct Stop {
        std::array<double, 2> at{};
        double service = 0.0;
        std::string earliest;
        std::string latest;  // the window's end plus the service (handed over by then)
        std::string opens;   // the window's start and end as given
        std::string closes;
    };
    const auto stop = [&](const Json& j, const std::string& w, const char* what) {
        if (!j.is_object() || !j.contains("location")) {
            vroom_fail(file, w,
                       std::string("a ") + what + " needs a \"location\" ([longitude, latitude])");
        }
        if (j.contains("setup") && !(j["setup"].is_number() && j["setup"].get<double>() == 0.0)) {
            vroom_fail(file, w + ".setup", "setup times are not modelled (give them in service)");
        }
        Stop st;
        st.at = lon_lat(file, j["location"], w + ".location");
        st.service =
            j.contains("service") && j["service"].is_number() ? j["service"].get<double>() : 0.0;
        // each order keeps its own hand-over time, in whole seconds as awards carry it
        if (!(st.service >= 0.0 && st.service <= agents::kMaxServiceS &&
              st.service == std::floor(st.service))) {
            vroom_fail(file, w + ".service",
                       "must be a whole number of seconds in [0, " +
                           std::to_string(agents::kMaxServiceS) + "]");
        }
        if (j.contains("time_windows")) {
            const Json& tws = j["time_windows"];
            if (!tws.is_array() || tws.empty()) {
                vroom_fail(file, w + ".time_windows", "must be a non-empty array of [start, end]");
            }
            const std::array<double, 2> tw = window(file, tws[0], w + ".time_windows[0]");
            if (tws.size() > 1) {
                data.warnings.push_back(printable(file.string()) + ": warning: " + w +
                                        ".time_windows: only the first window is kept");
            }
            st.earliest = num(tw[0]);
            st.opens = num(tw[0]);
            st.closes = num(tw[1]);
            // VROOM's window bounds the service start; an order is on time when handed over
            st.latest = num(tw[1] + st.service);
            horizon = std::max(horizon, tw[1] + st.service);
        }
        return st;
    };
    // VROOM's priority: an integer in [0, 100], higher served first when not all can be
    const auto priority_of = [&](const Json& j, const std::string& w) {
        std::int64_t priority = 0;
        if (j.contains("priority")) {
            const Json& p = j["priority"];
            if (!p.is_number_integer() || p.get<std::int64_t>() < 0 ||
                p.get<std::int64_t>() > agents::kMaxPriority) {
                vroom_fail(file, w + ".priority", "must be a whole number in [0, 100]");
            }
            priority = p.get<std::int64_t>();
        }
        return priority;
    };
    for (std::size_t i = 0; i < js.size(); ++i) {
        const Json& j = js[i];
        const std::string w = "jobs[" + std::to_string(i) + "]";
        const Stop st = stop(j, w, "job");
        if (amount(file, j, "pickup", w, 0.0) > 0.0) {
            vroom_fail(file, w + ".pickup",
                       "a job's pick-up is not modelled (goods taken from a customer to the "
                       "depot): give an order picked up somewhere as a shipment");
        }
        double size = amount(file, j, "delivery", w, -1.0);
        if (size < 0.0) {
            size = amount(file, j, "amount", w, 1.0);
        }
        size = std::max(1.0, size);
        services.insert(st.service);
        t.orders += row({field(id_text(j, i)),
                         std::string("d").append(std::to_string(nearest_depot(st.at))),
                         num(st.at[0]), num(st.at[1]), num(size), "0", st.earliest, st.latest,
                         num(st.service), std::to_string(priority_of(j, w)), "", "", "", "", ""});
    }
    for (std::size_t i = 0; i < ss.size(); ++i) {
        const Json& sh = ss[i];
        const std::string w = "shipments[" + std::to_string(i) + "]";
        if (!sh.is_object() || !sh.contains("pickup") || !sh.contains("delivery")) {
            vroom_fail(file, w, "a shipment needs a \"pickup\" and a \"delivery\"");
        }
        const Stop from = stop(sh["pickup"], w + ".pickup", "shipment's pickup");
        const Stop to = stop(sh["delivery"], w + ".delivery", "shipment's delivery");
        const double size = std::max(1.0, amount(file, sh, "amount", w, 1.0));
        services.insert(to.service);
        // the id VROOM reports a shipment by: its pickup's
        t.orders += row({field("shipment-" + id_text(sh["pickup"], i)),
                         std::string("d").append(std::to_string(nearest_depot(from.at))),
                         num(to.at[0]), num(to.at[1]), num(size), "0", to.earliest, to.latest,
                         num(to.service), std::to_string(priority_of(sh, w)), num(from.at[0]),
                         num(from.at[1]), from.opens, from.closes, num(from.service)});
    }
    // the demand's hand-over time (drawn orders, if the scenario adds them): the longest
    const double service_s = *services.rbegin();
    const double duration = horizon > 0.0 ? horizon + 3600.0 : 8.0 * 3600.0;
    const std::string text = document(file, duration, duration, service_s, 100'000.0,
                                      static_cast<std::uint32_t>(capacity), 60.0, "",
                                      "VROOM problem " + file.filename().string());
    return finish(file, text, t, data, options);
}

// ---- Solomon / VRPLIB ----

Scenario load_vrp(const fs::path& file, const ScenarioOptions& options) {
    planning::VrpInstance inst;
    try {
        inst = read_vrp(file);
    } catch (const VrpFileError& e) {
        throw ScenarioError(e.file(), static_cast<std::uint32_t>(e.line()), 0, e.what(), e.io());
    }
    if (const std::string bad = planning::validate(inst); !bad.empty()) {
        throw ScenarioError(file.string(), 0, 0, bad);
    }
    if (inst.nodes.size() > kMaxCompleteNodes) {
        throw ScenarioError(file.string(), 0, 0,
                            std::to_string(inst.nodes.size()) +
                                " nodes: the complete graph a problem without a map runs on "
                                "takes at most " +
                                std::to_string(kMaxCompleteNodes));
    }
    ProblemData data;
    // the complete graph of the instance's points, both ways, at one distance unit a minute
    world::RoadNetwork::Builder b;
    const std::size_t n = inst.nodes.size();
    b.reserve(n, n * (n - 1));
    for (std::size_t i = 0; i < n; ++i) {
        b.add_node({inst.nodes[i].x * kMetresPerUnit, inst.nodes[i].y * kMetresPerUnit},
                   static_cast<std::uint64_t>(inst.nodes[i].number));
    }
    const double speed = inst.speed * kMetresPerUnit / kSecondsPerUnit;
    double extent = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < n; ++k) {
            if (i == k) {
                continue;
            }
            // coincident points still need an arc of positive length
            const double d = std::max(inst.distance(i, k) * kMetresPerUnit, 0.001);
            extent = std::max(extent, d);
            b.add_edge(static_cast<world::NodeId>(i), static_cast<world::NodeId>(k), d, speed,
                       world::RoadClass::kPrimary);
        }
    }
    try {
        data.network = std::make_unique<world::RoadNetwork>(std::move(b).build());
    } catch (const std::exception& e) {
        throw ScenarioError(file.string(), 0, 0, e.what());
    }
    const planning::VrpNode& depot = inst.nodes[0];
    Tables t;
    t.depots =
        std::string("id,x_m,y_m,docks,dock_service_s\n")
            .append(row({"depot", num(depot.x * kMetresPerUnit), num(depot.y * kMetresPerUnit),
                         std::to_string(inst.vehicles), "0"}));
    const double open = depot.ready * kSecondsPerUnit;
    const double close = std::isfinite(depot.due) ? depot.due * kSecondsPerUnit : 24.0 * 3600.0;
    t.vehicles = "id,type,home_depot,shift_start_s,shift_end_s\n";
    for (std::uint32_t v = 0; v < inst.vehicles; ++v) {
        t.vehicles += row({std::string("v").append(std::to_string(v + 1)), "van", "depot",
                           num(open), num(close)});
    }
    t.orders = "id,depot,x_m,y_m,size_units,release_s,earliest_s,latest_s,service_s\n";
    std::set<double> services;
    for (std::size_t i = 1; i < n; ++i) {
        services.insert(inst.nodes[i].service);
    }
    // the demand's hand-over time: the longest; each customer keeps its own, in whole
    // seconds as awards carry it (the longest exactly)
    const double service = services.empty() ? 0.0 : *services.rbegin();
    for (std::size_t i = 1; i < n; ++i) {
        const planning::VrpNode& c = inst.nodes[i];
        const double due = std::isfinite(c.due) ? (c.due + c.service) * kSecondsPerUnit : close;
        const double own = c.service * kSecondsPerUnit;
        if (own > agents::kMaxServiceS) {
            throw ScenarioError(file.string(), 0, 0,
                                "customer " + std::to_string(c.number) + ": a service time of " +
                                    num(own) + " s; at most " +
                                    std::to_string(agents::kMaxServiceS) + " s can be carried");
        }
        t.orders += row({std::to_string(c.number), "depot", num(c.x * kMetresPerUnit),
                         num(c.y * kMetresPerUnit), num(std::max(1.0, std::round(c.demand))),
                         num(open), num(c.ready * kSecondsPerUnit), num(due),
                         num(c.service == service ? own : std::round(own))});
    }
    const double capacity = std::isfinite(inst.capacity) ? inst.capacity : 1e6;
    std::ostringstream what;
    what << "VRP instance " << inst.name << " (" << n - 1
         << " customers): 1 unit = 1 km, 1 time unit = 1 min";
    std::string description = what.str();
    // a TOML basic string: the instance's name may hold anything
    std::erase_if(description, [](char c) { return c == '"' || c == '\\' || c < 0x20; });
    const std::string text = document(
        file, close, close, service * kSecondsPerUnit, 2.0 * extent + 1.0,
        static_cast<std::uint32_t>(std::clamp(capacity, 1.0, 1e6)), 10'000.0, "", description);
    return finish(file, text, t, data, options);
}

}  // namespace

std::optional<Scenario> load_problem(const fs::path& file, const ScenarioOptions& options) {
    const std::string ext = file.extension().string();
    if (ext == ".json") {
        return load_vroom(file, options);
    }
    if (ext == ".txt" || ext == ".vrp" || ext == ".vrptw" || ext == ".TXT" || ext == ".VRP") {
        return load_vrp(file, options);
    }
    return std::nullopt;
}

}  // namespace swarm::io::detail
