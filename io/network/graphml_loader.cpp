// GraphML through expat (which knows line numbers). Recognised <key attr.name=...> values:
// nodes x, y (metres) or lon/lat/longitude/latitude (degrees; also x/y when the graph's crs
// data mentions 4326, as OSMnx writes); edges length, speed (m/s), speed_kph, maxspeed (km/h),
// highway, name, oneway, osmid (the OSM way id; of a list, as OSMnx writes for merged ways, the
// first).
#include <expat.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "io/network/network_loader.hpp"
#include "io/network/road_tags.hpp"

namespace swarm::io {

namespace {

using world::NodeId;

struct Key {
    std::string name;  // attr.name, lowercase as written
    std::string domain;
    std::string default_value;
};

struct NodeData {
    std::string id;
    std::size_t line = 0;
    double x = std::nan("");
    double y = std::nan("");
};

struct EdgeData {
    std::string source;
    std::string target;
    std::size_t line = 0;
    bool undirected = false;
    std::unordered_map<std::string, std::string> values;  // attr.name -> text
};

class GraphmlParser {
  public:
    explicit GraphmlParser(const std::filesystem::path& file) : file_(file) {}

    void parse() {
        std::error_code ec;
        if (std::filesystem::is_directory(file_, ec)) {
            throw NetworkFileError(file_, 0, "cannot open file (it is a directory)");
        }
        std::ifstream in(file_, std::ios::binary);
        if (!in) {
            throw NetworkFileError(file_, 0,
                                   std::string("cannot open file (") + std::strerror(errno) + ")");
        }
        XML_Parser parser = XML_ParserCreate(nullptr);
        if (parser == nullptr) {
            throw NetworkFileError(file_, 0, "cannot create an XML parser");
        }
        parser_ = parser;
        XML_SetUserData(parser, this);
        XML_SetElementHandler(parser, &GraphmlParser::on_start, &GraphmlParser::on_end);
        XML_SetCharacterDataHandler(parser, &GraphmlParser::on_text);

        std::vector<char> buffer(1 << 16);
        bool done = false;
        while (!done) {
            in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
            const auto got = static_cast<int>(in.gcount());
            done = got == 0 || in.eof();
            if (in.bad()) {
                fail_now(0, "read error");
            }
            if (XML_Parse(parser, buffer.data(), got, done ? 1 : 0) == XML_STATUS_ERROR) {
                // our own handler errors stop the parser; they take precedence
                if (!error_.empty()) {
                    fail_now(error_line_, error_);
                }
                fail_now(
                    XML_GetCurrentLineNumber(parser),
                    std::string("malformed XML: ") + XML_ErrorString(XML_GetErrorCode(parser)));
            }
        }
        XML_ParserFree(parser);
        parser_ = nullptr;
        if (!seen_graph_) {
            throw NetworkFileError(file_, 0, "no <graph> element");
        }
    }

    world::RoadNetwork build(LoadReport* report) {
        // geographic positions are projected around the centre of their bounding box
        bool geographic = geographic_keys_ || crs_is_wgs84_;
        detail::Projection projection;
        if (geographic && !nodes_.empty()) {
            constexpr double kInf = std::numeric_limits<double>::infinity();
            double min_x = kInf, max_x = -kInf, min_y = kInf, max_y = -kInf;
            for (const NodeData& n : nodes_) {
                if (std::isfinite(n.x) && std::isfinite(n.y)) {
                    min_x = std::min(min_x, n.x);
                    max_x = std::max(max_x, n.x);
                    min_y = std::min(min_y, n.y);
                    max_y = std::max(max_y, n.y);
                }
            }
            if (std::isfinite(min_x)) {
                projection = detail::Projection::around((min_x + max_x) / 2, (min_y + max_y) / 2);
                if (report != nullptr) {
                    report->geographic = true;
                    report->origin_lon = projection.lon0;
                    report->origin_lat = projection.lat0;
                }
            }
        }
        world::RoadNetwork::Builder builder;
        builder.reserve(nodes_.size(), edges_.size() * 2);
        std::vector<world::Point> positions(nodes_.size());
        std::size_t without = 0;  // nodes without coordinates
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            const NodeData& n = nodes_[i];
            const bool has_xy = std::isfinite(n.x) && std::isfinite(n.y);
            without += has_xy ? 0 : 1;
            if (geographic && has_xy && (std::abs(n.x) > 180.0 || std::abs(n.y) > 90.0)) {
                throw NetworkFileError(
                    file_, n.line,
                    "<node id=\"" + n.id + "\"> has a longitude/latitude out of range");
            }
            positions[i] = has_xy ? (geographic ? projection(n.x, n.y) : world::Point{n.x, n.y})
                                  : world::Point{};
            std::uint64_t external = i;
            std::uint64_t numeric = 0;
            auto [end, ec] = std::from_chars(n.id.data(), n.id.data() + n.id.size(), numeric);
            if (ec == std::errc{} && end == n.id.data() + n.id.size()) {
                external = numeric;
            }
            builder.add_node(positions[i], external);
        }

        for (const EdgeData& e : edges_) {
            const auto from = node_index_.find(e.source);
            const auto to = node_index_.find(e.target);
            if (from == node_index_.end()) {
                throw NetworkFileError(file_, e.line,
                                       "<edge> source \"" + e.source + "\" is not a known node");
            }
            if (to == node_index_.end()) {
                throw NetworkFileError(file_, e.line,
                                       "<edge> target \"" + e.target + "\" is not a known node");
            }
            const NodeData& a = nodes_[from->second];
            const NodeData& b = nodes_[to->second];

            // road class from highway (first recognised word of lists like "['a', 'b']")
            world::RoadClass road_class = world::RoadClass::kOther;
            double default_kmh = 50.0;
            if (const std::string* highway = value(e, "highway")) {
                std::string word;
                for (char c : *highway + " ") {
                    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_') {
                        word += c;
                    } else if (!word.empty()) {
                        if (auto rule = detail::highway_rule(word)) {
                            road_class = rule->road_class;
                            default_kmh = rule->default_speed_kmh;
                            break;
                        }
                        word.clear();
                    }
                }
            }

            double length = 0.0;
            if (const std::string* text = value(e, "length")) {
                length = number(*text, e.line, "length");
            } else if (std::isfinite(a.x) && std::isfinite(b.x) && std::isfinite(a.y) &&
                       std::isfinite(b.y)) {
                length = geographic ? detail::haversine_m(a.x, a.y, b.x, b.y)
                                    : std::hypot(a.x - b.x, a.y - b.y);
            } else {
                throw NetworkFileError(file_, e.line,
                                       "<edge> has no length and its nodes no coordinates");
            }
            if (!(length > 0.0) || !std::isfinite(length)) {
                throw NetworkFileError(file_, e.line,
                                       "<edge> length must be positive, got " + fmt(length));
            }

            double speed = default_kmh / 3.6;
            if (const std::string* text = value(e, "speed")) {
                speed = number(*text, e.line, "speed");
            } else if (const std::string* kph = value(e, "speed_kph")) {
                speed = number(*kph, e.line, "speed_kph") / 3.6;
            } else if (const std::string* maxspeed = value(e, "maxspeed")) {
                if (auto kmh = detail::parse_maxspeed_kmh(*maxspeed)) {
                    speed = *kmh / 3.6;
                }
            }
            if (!(speed > 0.0) || !std::isfinite(speed)) {
                throw NetworkFileError(file_, e.line,
                                       "<edge> speed must be positive, got " + fmt(speed));
            }

            const std::string* name_text = value(e, "name");
            const std::string_view name = name_text != nullptr ? *name_text : std::string_view{};
            const std::string* oneway = value(e, "oneway");
            std::uint64_t way = 0;
            if (const std::string* osmid = value(e, "osmid")) {
                // "123" or "[123, 456]": the first number; anything else is no way id
                const std::size_t at = osmid->find_first_of("0123456789");
                if (at != std::string::npos) {
                    std::from_chars(osmid->data() + at, osmid->data() + osmid->size(), way);
                }
            }
            builder.add_edge(from->second, to->second, length, speed, road_class, name, way);
            // undirected graphs carry both directions unless the edge says oneway
            if (e.undirected && !(oneway != nullptr && detail::is_true(*oneway))) {
                builder.add_edge(to->second, from->second, length, speed, road_class, name, way);
            }
        }
        world::RoadNetwork net = detail::finish(std::move(builder), file_, "graphml", report);
        if (report != nullptr && without > 0) {
            report->nodes_without_coordinates = without;
            report->warnings.push_back(
                std::to_string(without) + " of " + std::to_string(nodes_.size()) +
                " nodes have no coordinates (x/y or lon/lat) and are placed at (0, 0): "
                "straight-line distances to and between them mean nothing");
        }
        return net;
    }

    ~GraphmlParser() {
        if (parser_ != nullptr) {
            XML_ParserFree(parser_);
        }
    }
    GraphmlParser(const GraphmlParser&) = delete;
    GraphmlParser& operator=(const GraphmlParser&) = delete;

  private:
    static std::string fmt(double v) {
        std::ostringstream out;
        out << v;
        return out.str();
    }

    const std::string* value(const EdgeData& e, const std::string& name) const {
        auto it = e.values.find(name);
        return it == e.values.end() ? nullptr : &it->second;
    }

    double number(const std::string& text, std::size_t line, const std::string& what) const {
        double v = 0.0;
        const char* first = text.data();
        const char* last = text.data() + text.size();
        while (first < last && std::isspace(static_cast<unsigned char>(*first)) != 0) {
            ++first;
        }
        while (last > first && std::isspace(static_cast<unsigned char>(last[-1])) != 0) {
            --last;
        }
        auto [end, ec] = std::from_chars(first, last, v);
        if (ec != std::errc{} || end != last || first == last) {
            throw NetworkFileError(file_, line,
                                   "invalid number '" + text + "' for key '" + what + "'");
        }
        return v;
    }

    [[noreturn]] void fail_now(std::size_t line, const std::string& message) {
        throw NetworkFileError(file_, line, message);
    }

    // handlers must not throw through expat's C frames: record and stop instead
    void fail(const std::string& message) {
        if (error_.empty()) {
            error_ = message;
            error_line_ = XML_GetCurrentLineNumber(parser_);
        }
        XML_StopParser(parser_, XML_FALSE);
    }

    static const char* attribute(const XML_Char** attrs, std::string_view name) {
        for (std::size_t i = 0; attrs[i] != nullptr; i += 2) {
            if (name == attrs[i]) {
                return attrs[i + 1];
            }
        }
        return nullptr;
    }

    static void on_start(void* self, const XML_Char* name, const XML_Char** attrs) {
        static_cast<GraphmlParser*>(self)->start(name, attrs);
    }
    static void on_end(void* self, const XML_Char* name) {
        static_cast<GraphmlParser*>(self)->end(name);
    }
    static void on_text(void* self, const XML_Char* text, int length) {
        auto* parser = static_cast<GraphmlParser*>(self);
        if (parser->in_data_ || parser->in_default_) {
            parser->text_.append(text, static_cast<std::size_t>(length));
        }
    }

    void start(std::string_view element, const XML_Char** attrs) {
        if (!error_.empty()) {
            return;
        }
        if (element == "key") {
            const char* id = attribute(attrs, "id");
            const char* attr_name = attribute(attrs, "attr.name");
            const char* domain = attribute(attrs, "for");
            if (id == nullptr) {
                return fail("<key> without an id attribute");
            }
            Key key{attr_name != nullptr ? attr_name : id, domain != nullptr ? domain : "all", {}};
            if (key.name == "lon" || key.name == "lat" || key.name == "longitude" ||
                key.name == "latitude") {
                geographic_keys_ = true;
            }
            current_key_ = id;
            keys_[id] = std::move(key);
        } else if (element == "default") {
            in_default_ = true;
            text_.clear();
        } else if (element == "graph") {
            if (seen_graph_) {
                return;  // nested graphs are not road networks; ignore their structure
            }
            seen_graph_ = true;
            const char* edgedefault = attribute(attrs, "edgedefault");
            if (edgedefault == nullptr || std::string_view(edgedefault) == "directed") {
                directed_ = true;
            } else if (std::string_view(edgedefault) == "undirected") {
                directed_ = false;
            } else {
                return fail("<graph> edgedefault must be \"directed\" or \"undirected\", got \"" +
                            std::string(edgedefault) + "\"");
            }
            in_graph_ = true;
        } else if (element == "node" && in_graph_) {
            const char* id = attribute(attrs, "id");
            if (id == nullptr) {
                return fail("<node> without an id attribute");
            }
            const auto line = XML_GetCurrentLineNumber(parser_);
            auto [it, inserted] = node_index_.try_emplace(id, static_cast<NodeId>(nodes_.size()));
            if (!inserted) {
                return fail("duplicate <node id=\"" + std::string(id) + "\"> (first at line " +
                            std::to_string(nodes_[it->second].line) + ")");
            }
            if (nodes_.size() + 1 >= world::kNoNode) {
                return fail("too many nodes");
            }
            nodes_.push_back({id, line, std::nan(""), std::nan("")});
            current_ = Current::kNode;
            apply_defaults("node");
        } else if (element == "edge" && in_graph_) {
            const char* source = attribute(attrs, "source");
            const char* target = attribute(attrs, "target");
            if (source == nullptr || target == nullptr) {
                return fail("<edge> without a source or target attribute");
            }
            EdgeData edge;
            edge.source = source;
            edge.target = target;
            edge.line = XML_GetCurrentLineNumber(parser_);
            edge.undirected = !directed_;
            if (const char* directed = attribute(attrs, "directed")) {
                edge.undirected = std::string_view(directed) == "false";
            }
            edges_.push_back(std::move(edge));
            current_ = Current::kEdge;
            apply_defaults("edge");
        } else if (element == "data") {
            const char* key = attribute(attrs, "key");
            if (key == nullptr) {
                return fail("<data> without a key attribute");
            }
            data_key_ = key;
            in_data_ = true;
            text_.clear();
        }
    }

    void end(std::string_view element) {
        if (!error_.empty()) {
            return;
        }
        if (element == "default") {
            in_default_ = false;
            if (auto it = keys_.find(current_key_); it != keys_.end()) {
                it->second.default_value = text_;
            }
        } else if (element == "data") {
            in_data_ = false;
            store(data_key_, text_);
        } else if (element == "node" || element == "edge") {
            current_ = Current::kNone;
        } else if (element == "graph") {
            in_graph_ = false;
        }
    }

    void apply_defaults(const std::string& domain) {
        for (const auto& [id, key] : keys_) {
            if (!key.default_value.empty() && (key.domain == domain || key.domain == "all")) {
                store(id, key.default_value);
            }
        }
    }

    void store(const std::string& key_id, const std::string& text) {
        auto it = keys_.find(key_id);
        if (it == keys_.end()) {
            return fail("<data> refers to undeclared key \"" + key_id + "\"");
        }
        const std::string& name = it->second.name;
        if (current_ == Current::kNode) {
            NodeData& node = nodes_.back();
            double* slot = nullptr;
            if (name == "x" || name == "lon" || name == "longitude") {
                slot = &node.x;
            } else if (name == "y" || name == "lat" || name == "latitude") {
                slot = &node.y;
            }
            if (slot != nullptr) {
                double v = 0.0;
                auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
                if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v)) {
                    return fail("invalid number '" + text + "' for key '" + name + "'");
                }
                *slot = v;
            }
        } else if (current_ == Current::kEdge) {
            edges_.back().values[name] = text;
        } else if (in_graph_ && name == "crs") {
            crs_is_wgs84_ = text.find("4326") != std::string::npos ||
                            text.find("WGS84") != std::string::npos ||
                            text.find("WGS 84") != std::string::npos;
        }
    }

    enum class Current { kNone, kNode, kEdge };

    std::filesystem::path file_;
    XML_Parser parser_ = nullptr;
    std::string error_;
    std::size_t error_line_ = 0;
    std::unordered_map<std::string, Key> keys_;
    std::string current_key_;
    std::vector<NodeData> nodes_;
    std::unordered_map<std::string, NodeId> node_index_;
    std::vector<EdgeData> edges_;
    Current current_ = Current::kNone;
    std::string data_key_;
    std::string text_;
    bool in_data_ = false;
    bool in_default_ = false;
    bool in_graph_ = false;
    bool seen_graph_ = false;
    bool directed_ = true;
    bool geographic_keys_ = false;
    bool crs_is_wgs84_ = false;
};

}  // namespace

world::RoadNetwork load_graphml(const std::filesystem::path& file, LoadReport* report) {
    GraphmlParser parser(file);
    parser.parse();
    return parser.build(report);
}

}  // namespace swarm::io
