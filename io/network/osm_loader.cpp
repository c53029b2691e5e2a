// OpenStreetMap PBF/XML through libosmium: drivable highways, one-way rules, maxspeed.
// Every way node becomes a graph node and every consecutive pair an edge, so shapes survive.
#include <expat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/visitor.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "io/network/network_loader.hpp"
#include "io/network/road_tags.hpp"

namespace swarm::io {

namespace {

using world::NodeId;

struct WayNode {
    std::uint64_t id;
    double lon;
    double lat;
    bool valid;
};

struct Way {
    std::size_t first_node;  // into Collector::nodes
    std::size_t node_count;
    world::RoadClass road_class;
    double speed_mps;
    bool forward;
    bool backward;
    std::string name;
    std::uint64_t id;  // OSM way id: roads are closed by it (docs/network-formats.md)
};

bool one_of(std::string_view value, std::initializer_list<std::string_view> options) {
    return std::find(options.begin(), options.end(), value) != options.end();
}

// Collects drivable ways with their node locations.
class Collector : public osmium::handler::Handler {
  public:
    void way(const osmium::Way& way) {
        const osmium::TagList& tags = way.tags();
        auto tag = [&tags](const char* key) {
            const char* v = tags.get_value_by_key(key);
            return v != nullptr ? std::string_view(v) : std::string_view{};
        };
        const auto rule = detail::highway_rule(tag("highway"));
        if (!rule || tag("area") == "yes") {
            return;
        }
        if (tag("highway") == "service" &&
            one_of(tag("service"), {"parking_aisle", "emergency_access"})) {
            return;
        }
        // access: a motor-vehicle permission overrides a general ban
        const std::string_view motor =
            !tag("motorcar").empty() ? tag("motorcar") : tag("motor_vehicle");
        if (one_of(motor, {"no", "private", "agricultural", "forestry"})) {
            return;
        }
        if (one_of(tag("access"), {"no", "private", "agricultural", "forestry"}) &&
            !one_of(motor, {"yes", "designated", "permissive", "destination"})) {
            return;
        }

        // one-way: explicit tag first, then implied for motorways and roundabouts
        const std::string_view oneway = tag("oneway");
        bool forward = true;
        bool backward = true;
        if (oneway == "-1" || oneway == "reverse") {
            forward = false;
        } else if (detail::is_true(oneway)) {
            backward = false;
        } else if (one_of(oneway, {"reversible", "alternating"})) {
            return;  // direction changes over time: unusable for static routing
        } else if (!detail::is_false(oneway) &&
                   (tag("highway") == "motorway" ||
                    one_of(tag("junction"), {"roundabout", "circular"}))) {
            backward = false;
        }

        double speed_kmh = rule->default_speed_kmh;
        if (auto parsed = detail::parse_maxspeed_kmh(tag("maxspeed"))) {
            speed_kmh = *parsed;
        }

        Way w{nodes.size(),
              0,
              rule->road_class,
              speed_kmh / 3.6,
              forward,
              backward,
              std::string(!tag("name").empty() ? tag("name") : tag("ref")),
              static_cast<std::uint64_t>(way.positive_id())};
        for (const osmium::NodeRef& ref : way.nodes()) {
            const osmium::Location loc = ref.location();
            const bool valid = loc.valid();
            nodes.push_back({static_cast<std::uint64_t>(ref.positive_ref()),
                             valid ? loc.lon() : 0.0, valid ? loc.lat() : 0.0, valid});
        }
        w.node_count = nodes.size() - w.first_node;
        ways.push_back(std::move(w));
    }

    std::vector<WayNode> nodes;
    std::vector<Way> ways;
};

// OSM XML coordinates checked before libosmium parses them: its fixed-point conversion
// overflows on values like 1e308 (signed overflow, a node hundreds of km away). A node whose
// lat or lon is not a finite number within +-90 / +-180 is refused with its line and id.
class XmlCoordinateCheck {
  public:
    explicit XmlCoordinateCheck(const std::filesystem::path& file) : file_(file) {}

    void run() {
        std::ifstream in(file_, std::ios::binary);
        XML_Parser parser = XML_ParserCreate(nullptr);
        if (!in || parser == nullptr) {
            if (parser != nullptr) {
                XML_ParserFree(parser);
            }
            return;  // libosmium says why
        }
        parser_ = parser;
        XML_SetUserData(parser, this);
        XML_SetStartElementHandler(parser, &XmlCoordinateCheck::on_start);
        std::vector<char> buffer(1 << 16);
        bool done = false;
        while (!done && error_.empty()) {
            in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
            const auto got = static_cast<int>(in.gcount());
            done = got == 0 || !in;
            if (XML_Parse(parser, buffer.data(), got, done ? 1 : 0) == XML_STATUS_ERROR) {
                break;  // malformed XML (or stopped at a bad node): libosmium reports the former
            }
        }
        XML_ParserFree(parser);
        if (!error_.empty()) {
            throw NetworkFileError(file_, line_, error_);
        }
    }

  private:
    static void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char** attributes) {
        auto* self = static_cast<XmlCoordinateCheck*>(data);
        if (std::strcmp(name, "node") != 0 || !self->error_.empty()) {
            return;
        }
        std::string id = "?";
        for (const XML_Char** a = attributes; a[0] != nullptr; a += 2) {
            if (std::strcmp(a[0], "id") == 0) {
                id = a[1];
            }
        }
        for (const XML_Char** a = attributes; a[0] != nullptr; a += 2) {
            const bool lat = std::strcmp(a[0], "lat") == 0;
            if (!lat && std::strcmp(a[0], "lon") != 0) {
                continue;
            }
            const double limit = lat ? 90.0 : 180.0;
            char* end = nullptr;
            const double v = std::strtod(a[1], &end);
            if (end == a[1] || *end != '\0' || !std::isfinite(v) || std::fabs(v) > limit) {
                self->error_ = "<node id=\"" + id + "\">: " + a[0] + "=\"" + a[1] + "\" is not a " +
                               (lat ? "latitude" : "longitude") + " (a number from " +
                               (lat ? "-90 to 90" : "-180 to 180") + ")";
                self->line_ = XML_GetCurrentLineNumber(self->parser_);
                XML_StopParser(self->parser_, XML_FALSE);
                return;
            }
        }
    }

    std::filesystem::path file_;
    XML_Parser parser_ = nullptr;
    std::string error_;
    std::size_t line_ = 0;
};

}  // namespace

world::RoadNetwork load_osm(const std::filesystem::path& file, LoadReport* report) {
    {
        // our own check, for a clear message naming the path
        std::error_code ec;
        if (std::filesystem::is_directory(file, ec)) {
            throw NetworkFileError(file, 0, "cannot open file (it is a directory)");
        }
        std::ifstream probe(file, std::ios::binary);
        if (!probe) {
            throw NetworkFileError(file, 0,
                                   std::string("cannot open file (") + std::strerror(errno) + ")");
        }
    }
    const std::string name = file.filename().string();
    const bool pbf = name.size() >= 4 && name.compare(name.size() - 4, 4, ".pbf") == 0;

    if (!pbf) {
        XmlCoordinateCheck(file).run();
    }
    Collector collector;
    try {
        using Index =
            osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;
        Index index;
        osmium::handler::NodeLocationsForWays<Index> locations{index};
        locations.ignore_errors();  // ways leaving the extract: those segments are skipped
        osmium::io::Reader reader{osmium::io::File{file.string(), pbf ? "pbf" : "xml"},
                                  osmium::osm_entity_bits::node | osmium::osm_entity_bits::way};
        osmium::apply(reader, locations, collector);
        reader.close();
    } catch (const osmium::xml_error& e) {
        throw NetworkFileError(file, static_cast<std::size_t>(e.line),
                               "malformed OSM XML: " + e.error_string);
    } catch (const std::exception& e) {
        throw NetworkFileError(file, 0, std::string("cannot read OSM data: ") + e.what());
    }
    if (collector.ways.empty()) {
        throw NetworkFileError(file, 0, "no drivable roads found");
    }

    // project around the centre of the used nodes' bounding box
    constexpr double kInf = std::numeric_limits<double>::infinity();
    double min_lon = kInf, max_lon = -kInf, min_lat = kInf, max_lat = -kInf;
    for (const WayNode& n : collector.nodes) {
        if (n.valid) {
            min_lon = std::min(min_lon, n.lon);
            max_lon = std::max(max_lon, n.lon);
            min_lat = std::min(min_lat, n.lat);
            max_lat = std::max(max_lat, n.lat);
        }
    }
    if (!std::isfinite(min_lon)) {
        throw NetworkFileError(file, 0, "drivable ways found but none of their nodes");
    }
    const auto projection =
        detail::Projection::around((min_lon + max_lon) / 2, (min_lat + max_lat) / 2);
    if (report != nullptr) {
        report->geographic = true;
        report->origin_lon = projection.lon0;
        report->origin_lat = projection.lat0;
    }

    world::RoadNetwork::Builder builder;
    std::unordered_map<std::uint64_t, NodeId> node_of;
    auto node = [&](const WayNode& n) {
        auto [it, inserted] = node_of.try_emplace(n.id, 0);
        if (inserted) {
            it->second = builder.add_node(projection(n.lon, n.lat), n.id);
        }
        return it->second;
    };
    // duplicated points in OSM still need a positive length
    constexpr double kMinLengthM = 0.01;
    for (const Way& w : collector.ways) {
        for (std::size_t i = w.first_node; i + 1 < w.first_node + w.node_count; ++i) {
            const WayNode& a = collector.nodes[i];
            const WayNode& b = collector.nodes[i + 1];
            if (!a.valid || !b.valid || a.id == b.id) {
                continue;
            }
            const double length =
                std::max(kMinLengthM, detail::haversine_m(a.lon, a.lat, b.lon, b.lat));
            const NodeId from = node(a);
            const NodeId to = node(b);
            if (w.forward) {
                builder.add_edge(from, to, length, w.speed_mps, w.road_class, w.name, w.id);
            }
            if (w.backward) {
                builder.add_edge(to, from, length, w.speed_mps, w.road_class, w.name, w.id);
            }
        }
    }
    collector = {};
    return detail::finish(std::move(builder), file, pbf ? "osm-pbf" : "osm-xml", report);
}

}  // namespace swarm::io
