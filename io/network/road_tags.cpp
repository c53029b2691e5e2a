#include "io/network/road_tags.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <utility>

#include "agents/world/strongly_connected.hpp"

namespace swarm::io::detail {

namespace {

struct HighwayEntry {
    std::string_view highway;
    HighwayRule rule;
};

using world::RoadClass;

constexpr std::array<HighwayEntry, 15> kHighways{{
    {"motorway", {RoadClass::kMotorway, 100.0}},
    {"motorway_link", {RoadClass::kMotorway, 60.0}},
    {"trunk", {RoadClass::kTrunk, 80.0}},
    {"trunk_link", {RoadClass::kTrunk, 50.0}},
    {"primary", {RoadClass::kPrimary, 60.0}},
    {"primary_link", {RoadClass::kPrimary, 40.0}},
    {"secondary", {RoadClass::kSecondary, 50.0}},
    {"secondary_link", {RoadClass::kSecondary, 40.0}},
    {"tertiary", {RoadClass::kTertiary, 40.0}},
    {"tertiary_link", {RoadClass::kTertiary, 30.0}},
    {"unclassified", {RoadClass::kUnclassified, 30.0}},
    {"residential", {RoadClass::kResidential, 30.0}},
    {"living_street", {RoadClass::kResidential, 10.0}},
    {"service", {RoadClass::kService, 20.0}},
    {"road", {RoadClass::kOther, 30.0}},
}};

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
        s.remove_suffix(1);
    }
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<HighwayRule> highway_rule(std::string_view highway) {
    highway = trim(highway);
    for (const HighwayEntry& entry : kHighways) {
        if (entry.highway == highway) {
            return entry.rule;
        }
    }
    return std::nullopt;
}

std::optional<double> parse_maxspeed_kmh(std::string_view value) {
    value = trim(value);
    // "50;30": several values for lanes or conditions; the first is the general one
    if (auto semi = value.find(';'); semi != std::string_view::npos) {
        value = trim(value.substr(0, semi));
    }
    double number = 0.0;
    const char* first = value.data();
    const char* last = value.data() + value.size();
    auto [end, ec] = std::from_chars(first, last, number);
    if (ec != std::errc{} || end == first || !std::isfinite(number) || number <= 0.0) {
        return std::nullopt;
    }
    const std::string_view unit = trim(std::string_view(end, static_cast<std::size_t>(last - end)));
    if (unit.empty() || iequals(unit, "km/h") || iequals(unit, "kmh") || iequals(unit, "kph")) {
        return number;
    }
    if (iequals(unit, "mph")) {
        return number * 1.609344;
    }
    if (iequals(unit, "knots")) {
        return number * 1.852;
    }
    return std::nullopt;
}

bool is_true(std::string_view value) {
    value = trim(value);
    return iequals(value, "yes") || iequals(value, "true") || value == "1";
}

bool is_false(std::string_view value) {
    value = trim(value);
    return iequals(value, "no") || iequals(value, "false") || value == "0";
}

double haversine_m(double lon1, double lat1, double lon2, double lat2) {
    constexpr double kRad = std::numbers::pi / 180.0;
    const double dlat = (lat2 - lat1) * kRad;
    const double dlon = (lon2 - lon1) * kRad;
    const double a =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2.0 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(a)));
}

Projection Projection::around(double lon0, double lat0) {
    return {lon0, lat0, std::cos(lat0 * std::numbers::pi / 180.0)};
}

world::Point Projection::operator()(double lon, double lat) const {
    constexpr double kRad = std::numbers::pi / 180.0;
    return {kEarthRadiusM * (lon - lon0) * kRad * cos_lat0, kEarthRadiusM * (lat - lat0) * kRad};
}

world::RoadNetwork finish(world::RoadNetwork::Builder&& builder, const std::filesystem::path& file,
                          const std::string& format, LoadReport* report) {
    world::RoadNetwork full;
    try {
        full = std::move(builder).build();
    } catch (const std::exception& e) {
        throw NetworkFileError(file, 0, e.what());
    }
    if (full.node_count() == 0) {
        throw NetworkFileError(file, 0, "the network is empty (no nodes)");
    }
    const std::size_t nodes_read = full.node_count();
    const std::size_t edges_read = full.edge_count();
    world::SccReport scc;
    world::RoadNetwork kept = world::keep_largest_scc(std::move(full), &scc);
    if (report != nullptr) {
        report->nodes_read = nodes_read;
        report->edges_read = edges_read;
        report->nodes_kept = scc.nodes_kept;
        report->edges_kept = scc.edges_kept;
        report->nodes_dropped = scc.nodes_dropped;
        report->edges_dropped = scc.edges_dropped;
        report->format = format;
    }
    return kept;
}

}  // namespace swarm::io::detail
