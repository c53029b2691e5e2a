// Roads as people name them: an OSM name ("Boulevard Albert 1er") or an OSM way id
// ("way:123456"), resolved to the network's edges. One resolver for the scenario's `road` and
// `roads` keys, `swarmsim run --close/--slow`, `swarmsim network roads` and the visualizer's
// --close and --do, so that a name means the same edges everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "agents/world/road_network.hpp"

namespace swarm::io {

struct Road {
    std::string name;                  // "" for an unnamed way
    std::vector<std::uint64_t> ways;   // OSM way ids, ascending (empty on maps without them)
    std::vector<world::EdgeId> edges;  // ascending: both directions of every segment
    double length_m = 0.0;             // each segment once, whatever its directions
};

// A name or way that is not in the network; what() says why and suggests the closest names.
class RoadNotFound : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

// "way:123456" -> 123456; nullopt for anything else
std::optional<std::uint64_t> parse_way_ref(std::string_view ref);

// The road `ref` names: "way:ID" for the edges of an OSM way, otherwise the edges whose name
// is exactly `ref`. Throws RoadNotFound: "no road named 'Albert' in the network (did you
// mean 'Rue Albert'?)", or for a way that is absent why it may be (not drivable, dropped
// outside the largest strongly connected part, a map without way ids).
Road find_road(const world::RoadNetwork& net, std::string_view ref);

// Roads matching `text`: names containing it, ignoring case ("" matches every named road),
// or the way "way:ID" / a bare number names. One Road per name (an unnamed way: one per way),
// sorted by name then first way.
std::vector<Road> search_roads(const world::RoadNetwork& net, std::string_view text);

}  // namespace swarm::io
