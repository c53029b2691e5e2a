#include "io/scenario/scenario_places.hpp"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "io/printable.hpp"
#include "io/scenario/scenario_checks.hpp"

namespace swarm::io::detail {

namespace {

// "depots[0] 'north'"
std::string depot_name(const Scenario& s, std::size_t i) {
    return entry("depots", i) + (i < s.depot_ids.size() ? " '" + s.depot_ids[i] + "'" : "");
}

std::string lat_lon_text(double lat, double lon) {
    return "lat " + number_text(lat) + ", lon " + number_text(lon);
}

// the map's projection, or a failure at `at` saying why lat/lon cannot be used
GeoProjection projection_for(const Reader& r, const toml::node& at, const std::string& what,
                             const Scenario& s) {
    const NetworkSettings& ns = s.network_settings;
    if (!ns.origin) {
        const std::string map = !ns.file.empty() ? "network.file '" + ns.file + "'"
                                                 : "network.generator '" + ns.generator + "'";
        r.fail(at, what +
                       ": latitude/longitude need a map read from geographic coordinates (OSM, "
                       "GraphML with lon/lat, DIMACS with a .co file); " +
                       map + " is laid out in metres: give x/y");
    }
    try {
        return GeoProjection(*ns.origin);
    } catch (const GeoError& e) {
        r.fail(at, what + ": " + e.what());
    }
}

// ---- GeoJSON ----

// why a GeoJSON file cannot be an area; `where` is the JSON path ("features[2].geometry")
struct GeoJsonError {
    std::string where;
    std::string what;
};

using Ring = std::vector<std::array<double, 2>>;  // [lon, lat]

Ring read_ring(const nlohmann::json& j, const std::string& where) {
    if (!j.is_array()) {
        throw GeoJsonError{where,
                           "a linear ring must be an array of [longitude, latitude] positions"};
    }
    Ring ring;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const nlohmann::json& p = j[i];
        const std::string pw = where + "[" + std::to_string(i) + "]";
        if (!p.is_array() || p.size() < 2 || p.size() > 3 || !p[0].is_number() ||
            !p[1].is_number()) {
            throw GeoJsonError{pw, "a position must be [longitude, latitude] (numbers)"};
        }
        const double lon = p[0].get<double>();
        const double lat = p[1].get<double>();
        if (!(lon >= -180.0 && lon <= 180.0)) {
            throw GeoJsonError{pw, "longitude " + number_text(lon) + " is not in -180..180"};
        }
        if (!(lat >= -90.0 && lat <= 90.0)) {
            throw GeoJsonError{pw, "latitude " + number_text(lat) + " is not in -90..90"};
        }
        ring.push_back({lon, lat});
    }
    // RFC 7946 3.1.6: closed (first == last), at least four positions
    if (ring.size() < 4) {
        throw GeoJsonError{where,
                           "a linear ring needs at least 4 positions (the first repeated "
                           "at the end), got " +
                               std::to_string(ring.size())};
    }
    if (ring.front() != ring.back()) {
        throw GeoJsonError{where, "a linear ring must end where it starts (closed)"};
    }
    ring.pop_back();
    return ring;
}

void read_polygon(const nlohmann::json& j, const std::string& where, std::vector<Ring>& rings) {
    if (!j.is_array() || j.empty()) {
        throw GeoJsonError{where, "Polygon coordinates must be a non-empty array of linear rings"};
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
        rings.push_back(read_ring(j[i], where + "[" + std::to_string(i) + "]"));
    }
}

void read_geometry(const nlohmann::json& g, const std::string& where, std::vector<Ring>& rings) {
    if (!g.is_object() || !g.contains("type") || !g["type"].is_string()) {
        throw GeoJsonError{where, "a geometry must be an object with a \"type\""};
    }
    const std::string type = g["type"].get<std::string>();
    if (type != "Polygon" && type != "MultiPolygon") {
        throw GeoJsonError{
            where, "geometry type \"" + type + "\" is not an area (Polygon or MultiPolygon)"};
    }
    if (!g.contains("coordinates")) {
        throw GeoJsonError{where, "the geometry has no \"coordinates\""};
    }
    const nlohmann::json& c = g["coordinates"];
    const std::string cw = where + ".coordinates";
    if (type == "Polygon") {
        read_polygon(c, cw, rings);
        return;
    }
    if (!c.is_array() || c.empty()) {
        throw GeoJsonError{cw, "MultiPolygon coordinates must be a non-empty array of polygons"};
    }
    for (std::size_t i = 0; i < c.size(); ++i) {
        read_polygon(c[i], cw + "[" + std::to_string(i) + "]", rings);
    }
}

// every ring of every Polygon/MultiPolygon in a FeatureCollection, Feature or geometry
std::vector<Ring> read_geojson_rings(const nlohmann::json& doc) {
    std::vector<Ring> rings;
    if (!doc.is_object() || !doc.contains("type") || !doc["type"].is_string()) {
        throw GeoJsonError{"(top)", "a GeoJSON document must be an object with a \"type\""};
    }
    const std::string type = doc["type"].get<std::string>();
    const auto feature = [&](const nlohmann::json& f, const std::string& where) {
        if (!f.is_object() || !f.contains("geometry") || f["geometry"].is_null()) {
            throw GeoJsonError{where, "a Feature needs a \"geometry\""};
        }
        read_geometry(f["geometry"], where + ".geometry", rings);
    };
    if (type == "FeatureCollection") {
        if (!doc.contains("features") || !doc["features"].is_array() || doc["features"].empty()) {
            throw GeoJsonError{"features",
                               "a FeatureCollection needs a non-empty \"features\" array"};
        }
        const nlohmann::json& fs = doc["features"];
        for (std::size_t i = 0; i < fs.size(); ++i) {
            feature(fs[i], "features[" + std::to_string(i) + "]");
        }
    } else if (type == "Feature") {
        feature(doc, "(top)");
    } else {
        read_geometry(doc, "(top)", rings);
    }
    return rings;
}

}  // namespace

void read_depot_position(const Reader& r, toml::table& t, const std::string& w,
                         agents::DepotSpec& d) {
    const bool has_node = t.contains("node");
    const bool has_xy = t.contains("x") || t.contains("y");
    const bool has_ll = t.contains("lat") || t.contains("lon");
    // the conflicting key named: lat/lon next to another kind, else node next to x/y
    if (has_ll && (has_node || has_xy)) {
        const char* key = t.contains("lat") ? "lat" : "lon";
        r.fail(*t.get(key), w + "." + key + ": give one of node, x/y or lat/lon, not several");
    }
    if (has_node && has_xy) {
        r.fail(*t.get("node"), w + ".node: give one of node, x/y or lat/lon, not several");
    }
    if (!has_node && !has_xy && !has_ll) {
        r.fail(t, w + ": missing key 'node' (or 'x' and 'y', or 'lat' and 'lon')");
    }
    if (has_node) {
        d.node = static_cast<world::NodeId>(r.required_integer(t, w, "node", 0, 0xFFFFFFFELL));
    } else if (has_xy) {
        r.required_real(t, w, "x", -1e8, 1e8);
        r.required_real(t, w, "y", -1e8, 1e8);
    } else {
        r.required_real(t, w, "lat", -90.0, 90.0);
        r.required_real(t, w, "lon", -180.0, 180.0);
    }
}

void place_depots(const Reader& r, toml::table& root, const world::RoadNetwork& net, Scenario& s) {
    toml::array& a = *root.get("depots")->as_array();
    const double max_snap = s.network_settings.max_snap_m;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const toml::table& t = *a[i].as_table();
        agents::DepotSpec& d = s.spec.depots[i];
        if (const toml::node* n = t.get("node"); n != nullptr) {
            if (d.node >= net.node_count()) {
                r.fail(*n, entry("depots", i) + ".node " + std::to_string(d.node) +
                               " is not a node of the network (" +
                               std::to_string(net.node_count()) + " nodes)");
            }
            continue;
        }
        SnappedPoint p;
        p.what = depot_name(s, i);
        const toml::node* at = t.get("x");
        std::string given;
        if (at != nullptr) {
            p.point = {t.get("x")->value<double>().value_or(0.0),
                       t.get("y")->value<double>().value_or(0.0)};
            given = "x " + number_text(p.point.x) + ", y " + number_text(p.point.y);
        } else {
            at = t.get("lat");
            p.geographic = true;
            p.lat = t.get("lat")->value<double>().value_or(0.0);
            p.lon = t.get("lon")->value<double>().value_or(0.0);
            given = lat_lon_text(p.lat, p.lon);
            const GeoProjection proj = projection_for(r, *at, entry("depots", i) + ".lat/lon", s);
            try {
                p.point = proj.to_local(p.lat, p.lon);
            } catch (const GeoError& e) {
                r.fail(*at, entry("depots", i) + ": " + e.what());
            }
        }
        p.node = agents::nearest_node(net, p.point);
        const world::Point q = net.position(p.node);
        p.distance_m = std::hypot(q.x - p.point.x, q.y - p.point.y);
        // x/y are in the network's own frame: their nearest node whatever the distance
        if (p.geographic && p.distance_m > max_snap) {
            r.fail(*at, p.what + " at " + given + " is " + number_text(std::round(p.distance_m)) +
                            " m from the nearest road node " + std::to_string(p.node) +
                            " (more than network.max_snap_m = " + number_text(max_snap) +
                            " m): is it on this map?");
        }
        d.node = p.node;
        s.snapped.push_back(std::move(p));
    }
}

std::optional<world::Region> read_area(const Reader& r, toml::table& t, const std::string& w,
                                       const world::RoadNetwork* net, const Scenario& s) {
    toml::table& a = r.table(t, w, "area");
    const std::string aw = w + ".area";
    r.check_keys(a, aw,
                 {"x", "y", "lat", "lon", "radius_m", "polygon", "polygon_lon_lat", "geojson"});
    int shapes = 0;
    for (const char* k : {"x", "lat", "polygon", "polygon_lon_lat", "geojson"}) {
        shapes += a.contains(k) ? 1 : 0;
    }
    if (shapes > 1) {
        r.fail(a, aw + ": give one of x/y, lat/lon, polygon, polygon_lon_lat or geojson");
    }
    // a shape in lat/lon: checked here, projected when the network is there
    std::vector<std::vector<std::array<double, 2>>> geo_rings;  // [lon, lat]
    const toml::node* geo_at = nullptr;
    if (const toml::node* pn = a.get("polygon"); pn != nullptr) {
        const toml::array* arr = pn->as_array();
        if (arr == nullptr || arr->size() < 3) {
            r.fail(*pn, aw + ".polygon must be an array of at least 3 [x, y] points");
        }
        std::vector<world::Point> pts;
        for (const toml::node& v : *arr) {
            const toml::array* xy = v.as_array();
            if (xy == nullptr || xy->size() != 2 || !(*xy)[0].is_number() ||
                !(*xy)[1].is_number()) {
                r.fail(v, aw + ".polygon points must be [x, y] pairs of numbers");
            }
            pts.push_back(
                {(*xy)[0].value<double>().value_or(0.0), (*xy)[1].value<double>().value_or(0.0)});
        }
        try {
            return world::Region::polygon(std::move(pts));
        } catch (const std::invalid_argument& e) {
            r.fail(*pn, aw + ".polygon: " + e.what());
        }
    }
    if (const toml::node* pn = a.get("polygon_lon_lat"); pn != nullptr) {
        const toml::array* arr = pn->as_array();
        if (arr == nullptr || arr->size() < 3) {
            r.fail(*pn, aw + ".polygon_lon_lat must be an array of at least 3 [lon, lat] points");
        }
        geo_rings.emplace_back();
        for (const toml::node& v : *arr) {
            const toml::array* ll = v.as_array();
            if (ll == nullptr || ll->size() != 2 || !(*ll)[0].is_number() ||
                !(*ll)[1].is_number()) {
                r.fail(v, aw + ".polygon_lon_lat points must be [lon, lat] pairs of numbers");
            }
            const double lon = (*ll)[0].value<double>().value_or(0.0);
            const double lat = (*ll)[1].value<double>().value_or(0.0);
            if (!(lon >= -180.0 && lon <= 180.0) || !(lat >= -90.0 && lat <= 90.0)) {
                r.fail(v, aw + ".polygon_lon_lat: [" + number_text(lon) + ", " + number_text(lat) +
                              "] is not a [longitude, latitude] point (-180..180, -90..90)");
            }
            geo_rings.back().push_back({lon, lat});
        }
        geo_at = pn;
    } else if (const toml::node* gn = a.get("geojson"); gn != nullptr) {
        const std::string given = r.string_node(*gn, aw + ".geojson");
        if (given.empty()) {
            r.fail(*gn, aw + ".geojson must not be empty");
        }
        // relative to the scenario's directory; from --set, relative to the working directory
        std::filesystem::path p(given);
        const bool from_override = gn->source().path && gn->source().path->starts_with("--set");
        if (p.is_relative() && !from_override) {
            p = std::filesystem::path(s.source).parent_path() / p;
        }
        const std::string shown = p.lexically_normal().string();
        std::ifstream in(p, std::ios::binary);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(p, ec) || !in) {
            r.fail(*gn, aw + ".geojson '" + shown + "' does not exist or cannot be read");
        }
        try {
            const nlohmann::json doc = nlohmann::json::parse(in);
            for (Ring& ring : read_geojson_rings(doc)) {
                geo_rings.push_back(std::move(ring));
            }
        } catch (const nlohmann::json::parse_error& e) {
            // "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
            std::string what = e.what();
            if (const auto k = what.find("] "); k != std::string::npos) {
                what = what.substr(k + 2);
            }
            r.fail(*gn, aw + ".geojson '" + shown + "': not JSON: " + what);
        } catch (const GeoJsonError& e) {
            r.fail(*gn, aw + ".geojson '" + shown + "': " + e.where + ": " + e.what);
        }
        geo_at = gn;
    }
    if (geo_at != nullptr) {
        if (net == nullptr) {
            return std::nullopt;
        }
        const GeoProjection proj = projection_for(r, *geo_at, aw, s);
        std::vector<std::vector<world::Point>> rings;
        try {
            for (const auto& ring : geo_rings) {
                rings.emplace_back();
                for (const auto& [lon, lat] : ring) {
                    rings.back().push_back(proj.to_local(lat, lon));
                }
            }
            return world::Region::rings(std::move(rings));
        } catch (const std::exception& e) {
            r.fail(*geo_at, aw + ": " + e.what());
        }
    }
    if (a.contains("lat") || a.contains("lon")) {
        const double lat = r.required_real(a, aw, "lat", -90.0, 90.0);
        const double lon = r.required_real(a, aw, "lon", -180.0, 180.0);
        const double radius = r.required_real(a, aw, "radius_m", 0.0, 1e7, true);
        if (net == nullptr) {
            return std::nullopt;
        }
        const GeoProjection proj = projection_for(r, *a.get("lat"), aw, s);
        try {
            return world::Region::circle(proj.to_local(lat, lon), radius);
        } catch (const std::exception& e) {
            r.fail(*a.get("lat"), aw + ": " + e.what());
        }
    }
    const double x = r.required_real(a, aw, "x", -1e8, 1e8);
    const double y = r.required_real(a, aw, "y", -1e8, 1e8);
    const double radius = r.required_real(a, aw, "radius_m", 0.0, 1e7, true);
    return world::Region::circle({x, y}, radius);
}

}  // namespace swarm::io::detail
