// DIMACS 9th implementation challenge: .gr arcs ("p sp N M", "a u v w") and .co coordinates
// ("p aux sp co N", "v id x y").
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "io/network/network_loader.hpp"
#include "io/network/road_tags.hpp"

namespace swarm::io {

namespace {

using world::NodeId;

// Reads a text file line by line, counting lines and splitting on whitespace.
class LineReader {
  public:
    explicit LineReader(const std::filesystem::path& file) : file_(file) {
        std::error_code ec;
        if (std::filesystem::is_directory(file, ec)) {
            fail(0, "cannot open file (it is a directory)");
        }
        in_.open(file, std::ios::binary);
        if (!in_) {
            fail(0, std::string("cannot open file (") + std::strerror(errno) + ")");
        }
    }

    bool next() {
        if (!std::getline(in_, text_)) {
            if (in_.bad()) {
                fail(line_, "read error");
            }
            return false;
        }
        ++line_;
        if (!text_.empty() && text_.back() == '\r') {
            text_.pop_back();
        }
        tokens_.clear();
        std::string_view rest = text_;
        while (true) {
            const auto start = rest.find_first_not_of(" \t");
            if (start == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(start);
            const auto end = std::min(rest.find_first_of(" \t"), rest.size());
            tokens_.push_back(rest.substr(0, end));
            rest.remove_prefix(end);
        }
        return true;
    }

    const std::vector<std::string_view>& tokens() const { return tokens_; }
    std::size_t line() const { return line_; }

    [[noreturn]] void fail(std::size_t line, const std::string& message) const {
        throw NetworkFileError(file_, line, message);
    }
    [[noreturn]] void fail(const std::string& message) const { fail(line_, message); }

    template <typename T>
    T number(std::string_view token, const char* what) const {
        T value{};
        auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
        if (ec != std::errc{} || end != token.data() + token.size()) {
            fail("invalid " + std::string(what) + " '" + std::string(token) +
                 "' (expected an integer)");
        }
        return value;
    }

  private:
    std::filesystem::path file_;
    std::ifstream in_;
    std::string text_;
    std::vector<std::string_view> tokens_;
    std::size_t line_ = 0;
};

struct Arc {
    std::uint64_t from;
    std::uint64_t to;
    std::int64_t weight;
};

struct Coordinates {
    std::int64_t x = 0;
    std::int64_t y = 0;
    bool set = false;
};

}  // namespace

world::RoadNetwork load_dimacs(const std::filesystem::path& gr,
                               const std::optional<std::filesystem::path>& co,
                               const DimacsOptions& options, LoadReport* report) {
    LineReader reader(gr);
    std::uint64_t declared_nodes = 0;
    std::uint64_t declared_arcs = 0;
    std::size_t problem_line = 0;
    std::vector<Arc> arcs;

    // arcs: everything checked at its own line, so errors point at the culprit
    while (reader.next()) {
        const auto& t = reader.tokens();
        if (t.empty() || t[0] == "c") {
            continue;
        }
        if (t[0] == "p") {
            if (problem_line != 0) {
                reader.fail("duplicate problem line (first at line " +
                            std::to_string(problem_line) + ")");
            }
            if (t.size() != 4 || t[1] != "sp") {
                reader.fail("malformed problem line (expected 'p sp <nodes> <arcs>')");
            }
            declared_nodes = reader.number<std::uint64_t>(t[2], "node count");
            declared_arcs = reader.number<std::uint64_t>(t[3], "arc count");
            if (declared_nodes >= world::kNoNode) {
                reader.fail("too many nodes (" + std::to_string(declared_nodes) + ")");
            }
            if (declared_arcs >= world::kNoEdge) {
                reader.fail("too many arcs (" + std::to_string(declared_arcs) + ")");
            }
            problem_line = reader.line();
            // a lying header must not make us allocate gigabytes up front
            arcs.reserve(std::min<std::uint64_t>(declared_arcs, 1u << 20));
            continue;
        }
        if (t[0] == "a") {
            if (problem_line == 0) {
                reader.fail("arc before the problem line 'p sp <nodes> <arcs>'");
            }
            if (t.size() != 4) {
                reader.fail("malformed arc line (expected 'a <from> <to> <weight>')");
            }
            Arc arc{reader.number<std::uint64_t>(t[1], "node id"),
                    reader.number<std::uint64_t>(t[2], "node id"),
                    reader.number<std::int64_t>(t[3], "arc weight")};
            for (std::uint64_t id : {arc.from, arc.to}) {
                if (id < 1 || id > declared_nodes) {
                    reader.fail("node id " + std::to_string(id) + " out of range 1.." +
                                std::to_string(declared_nodes));
                }
            }
            if (arc.weight < 0) {
                reader.fail("negative arc weight " + std::to_string(arc.weight));
            }
            if (arc.weight == 0) {
                reader.fail("zero arc weight (lengths must be positive)");
            }
            if (arcs.size() >= declared_arcs) {
                reader.fail("more arcs than the " + std::to_string(declared_arcs) +
                            " declared by the problem line");
            }
            arcs.push_back(arc);
            continue;
        }
        reader.fail("unknown line type '" + std::string(t[0]) + "' (expected 'c', 'p' or 'a')");
    }
    if (problem_line == 0) {
        reader.fail(0, "missing problem line 'p sp <nodes> <arcs>'");
    }
    if (arcs.size() != declared_arcs) {
        reader.fail(reader.line(), "expected " + std::to_string(declared_arcs) +
                                       " arcs (problem line " + std::to_string(problem_line) +
                                       "), found " + std::to_string(arcs.size()));
    }

    // only nodes that carry arcs become graph nodes; isolated ones count as dropped
    std::vector<std::uint64_t> ids;
    ids.reserve(2 * arcs.size());
    for (const Arc& a : arcs) {
        ids.push_back(a.from);
        ids.push_back(a.to);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    auto index_of = [&ids](std::uint64_t id) {
        return static_cast<NodeId>(std::lower_bound(ids.begin(), ids.end(), id) - ids.begin());
    };

    std::vector<world::Point> positions(ids.size());
    if (co.has_value()) {
        LineReader coords(*co);
        std::vector<Coordinates> values(ids.size());
        std::size_t co_problem = 0;
        while (coords.next()) {
            const auto& t = coords.tokens();
            if (t.empty() || t[0] == "c") {
                continue;
            }
            if (t[0] == "p") {
                if (co_problem != 0) {
                    coords.fail("duplicate problem line (first at line " +
                                std::to_string(co_problem) + ")");
                }
                if (t.size() != 5 || t[1] != "aux" || t[2] != "sp" || t[3] != "co") {
                    coords.fail("malformed problem line (expected 'p aux sp co <nodes>')");
                }
                const auto n = coords.number<std::uint64_t>(t[4], "node count");
                if (n != declared_nodes) {
                    coords.fail("coordinate file declares " + std::to_string(n) +
                                " nodes but the graph has " + std::to_string(declared_nodes));
                }
                co_problem = coords.line();
                continue;
            }
            if (t[0] == "v") {
                if (co_problem == 0) {
                    coords.fail("coordinate before the problem line 'p aux sp co <nodes>'");
                }
                if (t.size() != 4) {
                    coords.fail("malformed coordinate line (expected 'v <id> <x> <y>')");
                }
                const auto id = coords.number<std::uint64_t>(t[1], "node id");
                const auto x = coords.number<std::int64_t>(t[2], "coordinate");
                const auto y = coords.number<std::int64_t>(t[3], "coordinate");
                if (id < 1 || id > declared_nodes) {
                    coords.fail("node id " + std::to_string(id) + " out of range 1.." +
                                std::to_string(declared_nodes));
                }
                if (options.coordinates_are_microdegrees &&
                    (x < -180000000 || x > 180000000 || y < -90000000 || y > 90000000)) {
                    coords.fail("coordinate out of range for longitude/latitude x 1e6");
                }
                auto it = std::lower_bound(ids.begin(), ids.end(), id);
                if (it == ids.end() || *it != id) {
                    continue;  // isolated node: no graph node to place
                }
                Coordinates& c = values[static_cast<std::size_t>(it - ids.begin())];
                if (c.set) {
                    coords.fail("duplicate coordinates for node " + std::to_string(id));
                }
                c = {x, y, true};
                continue;
            }
            coords.fail("unknown line type '" + std::string(t[0]) + "' (expected 'c', 'p' or 'v')");
        }
        if (co_problem == 0) {
            coords.fail(0, "missing problem line 'p aux sp co <nodes>'");
        }
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (!values[i].set) {
                coords.fail(0, "missing coordinates for node " + std::to_string(ids[i]));
            }
        }

        // project microdegrees around the centre of their bounding box
        if (options.coordinates_are_microdegrees && !ids.empty()) {
            auto [min_x, max_x] = std::minmax_element(values.begin(), values.end(),
                                                      [](auto& a, auto& b) { return a.x < b.x; });
            auto [min_y, max_y] = std::minmax_element(values.begin(), values.end(),
                                                      [](auto& a, auto& b) { return a.y < b.y; });
            const auto projection =
                detail::Projection::around(static_cast<double>(min_x->x + max_x->x) * 0.5e-6,
                                           static_cast<double>(min_y->y + max_y->y) * 0.5e-6);
            if (report != nullptr) {
                report->geographic = true;
                report->origin_lon = projection.lon0;
                report->origin_lat = projection.lat0;
            }
            for (std::size_t i = 0; i < ids.size(); ++i) {
                positions[i] = projection(static_cast<double>(values[i].x) * 1e-6,
                                          static_cast<double>(values[i].y) * 1e-6);
            }
        } else {
            for (std::size_t i = 0; i < ids.size(); ++i) {
                positions[i] = {static_cast<double>(values[i].x), static_cast<double>(values[i].y)};
            }
        }
    }

    world::RoadNetwork::Builder builder;
    builder.reserve(ids.size(), arcs.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        builder.add_node(positions[i], ids[i]);
    }
    const double speed = options.default_speed_mps;
    for (const Arc& a : arcs) {
        const double w = static_cast<double>(a.weight);
        const double length = options.weight_is_time ? w * options.time_unit_s * speed : w;
        builder.add_edge(index_of(a.from), index_of(a.to), length, speed, world::RoadClass::kOther);
    }
    arcs = {};
    world::RoadNetwork net = detail::finish(std::move(builder), gr, "dimacs", report);
    if (report != nullptr) {
        // declared but arc-less nodes were read and dropped too
        const std::size_t isolated = static_cast<std::size_t>(declared_nodes) - ids.size();
        report->nodes_read += isolated;
        report->nodes_dropped += isolated;
        if (!co.has_value()) {
            std::filesystem::path expected = gr;
            expected.replace_extension(".co");
            report->nodes_without_coordinates = ids.size();
            report->warnings.push_back(
                "no coordinates (no '" + expected.filename().string() +
                "' next to it): every node is at (0, 0), so every straight-line distance is 0; "
                "drones, demand zones, radio and offer ranges, areas and depots placed by x/y "
                "mean nothing on it");
        }
    }
    return net;
}

}  // namespace swarm::io
