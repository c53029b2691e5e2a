#include "io/scenario/road_names.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "io/scenario/scenario.hpp"

namespace swarm::io {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<std::uint64_t> parse_number(std::string_view s) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

// fills ways and length from edges (ascending)
void finish(const world::RoadNetwork& net, Road& r) {
    std::set<std::pair<world::NodeId, world::NodeId>> segments;
    for (const world::EdgeId e : r.edges) {
        const world::NodeId a = net.source(e);
        const world::NodeId b = net.target(e);
        if (segments.insert({std::min(a, b), std::max(a, b)}).second) {
            r.length_m += net.length_m(e);
        }
        if (const std::uint64_t w = net.way_id(e); w != 0) {
            r.ways.push_back(w);
        }
    }
    std::sort(r.ways.begin(), r.ways.end());
    r.ways.erase(std::unique(r.ways.begin(), r.ways.end()), r.ways.end());
}

// "did you mean 'X'?" from the closest names by edit distance ignoring case (at most 2
// edits, or a third of the word), else up to three names that contain the word
std::string suggest(const world::RoadNetwork& net, std::string_view word) {
    const std::string w = lower(word);
    const std::size_t limit = std::max<std::size_t>(2, w.size() / 3);
    std::size_t best_d = std::numeric_limits<std::size_t>::max();
    std::string best;
    std::vector<std::string> containing;
    for (std::uint32_t id = 1; id < net.name_count(); ++id) {
        const std::string_view name = net.name(id);
        const std::string l = lower(name);
        const std::size_t d = edit_distance(w, l);
        if (d < best_d || (d == best_d && name < best)) {
            best_d = d;
            best = std::string(name);
        }
        if (!w.empty() && l.find(w) != std::string::npos) {
            containing.emplace_back(name);
        }
    }
    if (best_d <= limit) {
        return " (did you mean '" + best + "'?)";
    }
    if (containing.empty()) {
        return {};
    }
    std::sort(containing.begin(), containing.end());
    std::string out = " (roads containing it: ";
    for (std::size_t i = 0; i < containing.size() && i < 3; ++i) {
        out += (i > 0 ? ", '" : "'") + containing[i] + "'";
    }
    if (containing.size() > 3) {
        out += " and " + std::to_string(containing.size() - 3) + " more";
    }
    return out + ")";
}

}  // namespace

std::optional<std::uint64_t> parse_way_ref(std::string_view ref) {
    constexpr std::string_view kPrefix = "way:";
    if (ref.substr(0, kPrefix.size()) != kPrefix) {
        return std::nullopt;
    }
    return parse_number(ref.substr(kPrefix.size()));
}

Road find_road(const world::RoadNetwork& net, std::string_view ref) {
    Road r;
    if (const std::optional<std::uint64_t> way = parse_way_ref(ref)) {
        if (!net.has_way_ids()) {
            throw RoadNotFound("'" + std::string(ref) +
                               "': this network has no OSM way ids (only OSM maps and GraphML "
                               "with osmid carry them); name the road instead");
        }
        for (world::EdgeId e = 0; e < net.edge_count(); ++e) {
            if (net.way_id(e) == *way) {
                r.edges.push_back(e);
            }
        }
        if (r.edges.empty()) {
            throw RoadNotFound("no edge of OSM way " + std::to_string(*way) +
                               " in the network (not a drivable road, or dropped outside the "
                               "largest strongly connected part)");
        }
        r.name = std::string(net.name(net.name_id(r.edges.front())));
    } else if (ref.substr(0, 4) == "way:") {
        throw RoadNotFound("'" + std::string(ref) + "': a way is way:ID with a number");
    } else {
        const std::optional<std::uint32_t> id = ref.empty() ? std::nullopt : net.find_name(ref);
        if (!id) {
            throw RoadNotFound("no road named '" + std::string(ref) + "' in the network" +
                               suggest(net, ref));
        }
        for (world::EdgeId e = 0; e < net.edge_count(); ++e) {
            if (net.name_id(e) == *id) {
                r.edges.push_back(e);
            }
        }
        r.name = std::string(ref);
    }
    finish(net, r);
    return r;
}

std::vector<Road> search_roads(const world::RoadNetwork& net, std::string_view text) {
    std::optional<std::uint64_t> way = parse_way_ref(text);
    if (!way) {
        way = parse_number(text);
    }
    const std::string needle = lower(text);
    std::vector<bool> name_matches(net.name_count(), false);
    for (std::uint32_t id = 1; id < net.name_count(); ++id) {
        name_matches[id] = !way && lower(net.name(id)).find(needle) != std::string::npos;
    }
    // key: (name id, 0) for a named road, (0, way) for an unnamed way
    std::map<std::pair<std::uint32_t, std::uint64_t>, Road> found;
    for (world::EdgeId e = 0; e < net.edge_count(); ++e) {
        const std::uint32_t id = net.name_id(e);
        const bool match = way ? net.way_id(e) == *way : name_matches[id];
        if (!match) {
            continue;
        }
        Road& r = found[{id, id == 0 ? net.way_id(e) : 0}];
        r.name = std::string(net.name(id));
        r.edges.push_back(e);
    }
    std::vector<Road> out;
    for (auto& [key, r] : found) {
        finish(net, r);
        out.push_back(std::move(r));
    }
    std::sort(out.begin(), out.end(), [](const Road& a, const Road& b) {
        const std::uint64_t wa = a.ways.empty() ? 0 : a.ways.front();
        const std::uint64_t wb = b.ways.empty() ? 0 : b.ways.front();
        return std::tie(a.name, wa) < std::tie(b.name, wb);
    });
    return out;
}

}  // namespace swarm::io
