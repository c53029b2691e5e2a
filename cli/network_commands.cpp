// `swarmsim network info FILE`, `swarmsim network route FILE FROM TO` and `swarmsim network
// roads FILE --find TEXT`: check a road network file before simulating on it, and find the
// names and OSM way ids that `run --close`, scenarios and the visualizer take. Results on stdout
// (one JSON object with --json), errors on stderr with the exit codes of cli/commands.hpp.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agents/routing/router.hpp"
#include "agents/world/road_network.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/validators.hpp"
#include "io/network/network_loader.hpp"
#include "io/scenario/road_names.hpp"

namespace swarm::cli {

namespace {

struct InfoOptions {
    std::string file;
    bool json = false;
};

struct RoadsOptions {
    std::string file;
    std::string find;
    bool json = false;
};

struct RouteOptions {
    std::string file;
    std::uint64_t from = 0;
    std::uint64_t to = 0;
    bool json = false;
};

// 754.2 -> "12 min 34 s"
std::string duration(double seconds) {
    if (!std::isfinite(seconds)) {
        return "n/a";
    }
    const auto total = static_cast<std::uint64_t>(std::llround(seconds));
    std::ostringstream out;
    if (total >= 3600) {
        out << total / 3600 << " h " << (total % 3600) / 60 << " min";
    } else if (total >= 60) {
        out << total / 60 << " min " << total % 60 << " s";
    } else {
        out << total << " s";
    }
    return out.str();
}

// Loads the file or returns an exit code: missing or unreadable file -> kExitIo, malformed
// file -> kExitInvalidInput. The message always names the file.
int load(const std::string& file, world::RoadNetwork& network, io::LoadReport& report) {
    const std::filesystem::path path(file);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        std::cerr << "swarmsim: error: cannot open '" << file << "': no such file\n";
        return kExitIo;
    }
    if (!std::filesystem::is_directory(path, ec) && !std::ifstream(path, std::ios::binary)) {
        std::cerr << "swarmsim: error: cannot read '" << file << "'\n";
        return kExitIo;
    }
    try {
        network = io::load_network(path, &report);
    } catch (const io::NetworkFileError& e) {
        std::cerr << e.what() << "\n";
        return kExitInvalidInput;
    } catch (const std::bad_alloc&) {
        std::cerr << "swarmsim: error: out of memory loading '" << file << "'\n";
        return kExitRuntime;
    } catch (const std::exception& e) {
        std::cerr << file << ": error: " << e.what() << "\n";
        return kExitInvalidInput;
    }
    for (const std::string& w : report.warnings) {
        std::cerr << file << ": warning: " << w << "\n";
    }
    return kExitOk;
}

int run_info(const InfoOptions& opt) {
    world::RoadNetwork net;
    io::LoadReport report;
    if (const int code = load(opt.file, net, report); code != kExitOk) {
        return code;
    }

    // edges and length per road class
    std::array<std::size_t, world::kRoadClassCount> class_edges{};
    std::array<double, world::kRoadClassCount> class_length{};
    for (world::EdgeId e = 0; e < net.edge_count(); ++e) {
        const auto c = static_cast<std::size_t>(net.road_class(e));
        ++class_edges[c];
        class_length[c] += net.length_m(e);
    }
    const world::BoundingBox box = net.bounds();
    const bool has_box = net.node_count() > 0;
    const double width = has_box ? box.max.x - box.min.x : 0.0;
    const double height = has_box ? box.max.y - box.min.y : 0.0;

    std::ostringstream out;
    if (opt.json) {
        out << "{\"file\": " << quoted(opt.file) << ", \"format\": " << quoted(report.format)
            << ",\n \"nodes\": {\"read\": " << report.nodes_read
            << ", \"kept\": " << report.nodes_kept << ", \"dropped\": " << report.nodes_dropped
            << "},\n \"edges\": {\"read\": " << report.edges_read
            << ", \"kept\": " << report.edges_kept << ", \"dropped\": " << report.edges_dropped
            << "},\n \"bounding_box_m\": ";
        if (has_box) {
            out << "{\"min_x\": " << number(box.min.x) << ", \"min_y\": " << number(box.min.y)
                << ", \"max_x\": " << number(box.max.x) << ", \"max_y\": " << number(box.max.y)
                << ", \"width\": " << number(width) << ", \"height\": " << number(height) << "}";
        } else {
            out << "null";
        }
        out << ",\n \"total_length_km\": " << number(net.total_length_m() / 1000.0)
            << ",\n \"max_speed_kmh\": " << number(net.max_speed_mps() * 3.6)
            << ",\n \"road_classes\": {";
        bool first = true;
        for (std::size_t c = 0; c < world::kRoadClassCount; ++c) {
            if (class_edges[c] == 0) {
                continue;
            }
            out << (first ? "" : ", ") << "\n  "
                << quoted(world::to_string(static_cast<world::RoadClass>(c)))
                << ": {\"edges\": " << class_edges[c]
                << ", \"length_km\": " << number(class_length[c] / 1000.0) << "}";
            first = false;
        }
        out << "}}\n";
    } else {
        out << "file:          " << opt.file << " (" << report.format << ")\n"
            << "nodes:         " << report.nodes_kept << " kept of " << report.nodes_read
            << " read (" << report.nodes_dropped
            << " outside the largest strongly connected part)\n"
            << "edges:         " << report.edges_kept << " kept of " << report.edges_read
            << " read (" << report.edges_dropped << " dropped)\n";
        if (has_box) {
            out << "bounding box:  x " << fixed(box.min.x, 1) << " .. " << fixed(box.max.x, 1)
                << " m, y " << fixed(box.min.y, 1) << " .. " << fixed(box.max.y, 1) << " m ("
                << fixed(width / 1000.0, 2) << " km x " << fixed(height / 1000.0, 2) << " km)\n";
        } else {
            out << "bounding box:  n/a (no nodes)\n";
        }
        out << "total length:  " << fixed(net.total_length_m() / 1000.0, 3) << " km\n"
            << "max speed:     " << fixed(net.max_speed_mps() * 3.6, 1) << " km/h\n"
            << "road classes:\n";
        for (std::size_t c = 0; c < world::kRoadClassCount; ++c) {
            if (class_edges[c] == 0) {
                continue;
            }
            out << "  " << std::left << std::setw(13)
                << world::to_string(static_cast<world::RoadClass>(c)) << std::right << std::setw(9)
                << class_edges[c] << " edges " << std::setw(12)
                << fixed(class_length[c] / 1000.0, 3) << " km\n";
        }
    }
    std::cout << out.str() << std::flush;
    return kExitOk;
}

int run_route(const RouteOptions& opt) {
    world::RoadNetwork net;
    io::LoadReport report;
    if (const int code = load(opt.file, net, report); code != kExitOk) {
        return code;
    }
    // ids as in the file; a node may also be missing because the SCC step dropped it
    const auto from = net.find_external(opt.from);
    const auto to = net.find_external(opt.to);
    for (const auto& [id, node] : {std::pair{opt.from, from}, std::pair{opt.to, to}}) {
        if (!node) {
            std::cerr << "swarmsim: error: node " << id << " is not in the network of '" << opt.file
                      << "' (unknown id, or dropped outside the largest strongly "
                      << "connected part)\n";
            return kExitInvalidInput;
        }
    }

    routing::RouterOptions options;
    options.landmark_count = 0;  // one query: preprocessing would not pay off
    const auto router = routing::make_router(net, options);
    const routing::Route route = router->fastest(*from, *to);

    if (opt.json) {
        std::cout << "{\"file\": " << quoted(opt.file) << ", \"from\": " << opt.from
                  << ", \"to\": " << opt.to << ", \"found\": " << (route.found ? "true" : "false");
        if (route.found) {
            std::cout << ", \"distance_m\": " << number(route.length_m)
                      << ", \"travel_time_s\": " << number(route.travel_time_s)
                      << ", \"edges\": " << route.edges.size();
        }
        std::cout << "}\n" << std::flush;
    }
    if (!route.found) {
        std::cerr << "swarmsim: error: no route from node " << opt.from << " to node " << opt.to
                  << " in '" << opt.file << "'\n";
        return kExitRuntime;
    }
    if (!opt.json) {
        std::cout << "from:          node " << opt.from << "\n"
                  << "to:            node " << opt.to << "\n"
                  << "distance:      " << fixed(route.length_m, 1) << " m\n"
                  << "travel time:   " << fixed(route.travel_time_s, 1) << " s ("
                  << duration(route.travel_time_s) << ")\n"
                  << "edges on path: " << route.edges.size() << "\n"
                  << std::flush;
    }
    return kExitOk;
}

// "4097656, 23485731 and 3 more": the first few way ids
std::string way_list(const std::vector<std::uint64_t>& ways) {
    constexpr std::size_t kShown = 4;
    std::string out;
    for (std::size_t i = 0; i < ways.size() && i < kShown; ++i) {
        out += (i > 0 ? ", " : "") + std::to_string(ways[i]);
    }
    if (ways.size() > kShown) {
        out += " and " + std::to_string(ways.size() - kShown) + " more";
    }
    return out.empty() ? "-" : out;
}

int run_roads(const RoadsOptions& opt) {
    world::RoadNetwork net;
    io::LoadReport report;
    if (const int code = load(opt.file, net, report); code != kExitOk) {
        return code;
    }
    const std::vector<io::Road> roads = io::search_roads(net, opt.find);
    if (opt.json) {
        std::ostringstream out;
        out << "{\"file\": " << quoted(opt.file) << ", \"find\": " << quoted(opt.find)
            << ", \"way_ids\": " << (net.has_way_ids() ? "true" : "false") << ", \"roads\": [";
        for (std::size_t i = 0; i < roads.size(); ++i) {
            const io::Road& r = roads[i];
            out << (i > 0 ? "," : "") << "\n {\"name\": " << quoted(r.name) << ", \"ways\": [";
            for (std::size_t k = 0; k < r.ways.size(); ++k) {
                out << (k > 0 ? ", " : "") << r.ways[k];
            }
            out << "], \"edges\": " << r.edges.size() << ", \"length_m\": " << number(r.length_m)
                << "}";
        }
        out << "]}\n";
        std::cout << out.str() << std::flush;
    }
    if (roads.empty()) {
        // why, in the resolver's words (with its suggestion for a name)
        std::string why = "the network has no named roads";
        if (!opt.find.empty()) {
            const bool digits = opt.find.find_first_not_of("0123456789") == std::string::npos;
            try {
                (void)io::find_road(net, digits ? "way:" + opt.find : opt.find);
            } catch (const io::RoadNotFound& e) {
                why = e.what();
            }
        }
        std::cerr << "swarmsim network roads: " << opt.file << ": " << why << "\n";
        return kExitRuntime;
    }
    if (!opt.json) {
        std::size_t width = 4;
        for (const io::Road& r : roads) {
            width = std::max(width, std::min<std::size_t>(48, r.name.size()));
        }
        std::ostringstream out;
        out << roads.size() << (roads.size() == 1 ? " road" : " roads")
            << (opt.find.empty() ? "" : " matching '" + opt.find + "'") << " in " << opt.file
            << "\n"
            << std::left << std::setw(static_cast<int>(width)) << "name" << std::right
            << std::setw(7) << "edges" << std::setw(11) << "length km"
            << "  OSM way ids\n";
        for (const io::Road& r : roads) {
            out << std::left << std::setw(static_cast<int>(width))
                << (r.name.empty() ? "(unnamed)" : r.name) << std::right << std::setw(7)
                << r.edges.size() << std::setw(11) << fixed(r.length_m / 1000.0, 3) << "  "
                << way_list(r.ways) << "\n";
        }
        if (!net.has_way_ids()) {
            out << "(this map carries no OSM way ids: close roads by name)\n";
        }
        std::cout << out.str() << std::flush;
    }
    return kExitOk;
}

}  // namespace

void add_network_commands(CLI::App& app, int& exit_code) {
    CLI::App* network = app.add_subcommand("network", "Inspect a road network file");
    network->require_subcommand(1);

    auto info_opt = std::make_shared<InfoOptions>();
    CLI::App* info = network->add_subcommand(
        "info", "Nodes, edges, strongly connected part kept, bounding box, total length");
    info->add_option("file", info_opt->file, "Network file (.osm.pbf, .osm, .gr, .graphml)")
        ->required();
    info->add_flag("--json", info_opt->json, "One JSON object on stdout");
    info->callback([info_opt, &exit_code] { exit_code = run_info(*info_opt); });

    auto route_opt = std::make_shared<RouteOptions>();
    CLI::App* route = network->add_subcommand(
        "route", "Fastest route between two nodes: distance, travel time, edges on the path");
    route->add_option("file", route_opt->file, "Network file")->required();
    route->add_option("from", route_opt->from, "Start node id as in the file")
        ->required()
        ->check(non_negative_integer(18446744073709551615ULL));
    route->add_option("to", route_opt->to, "End node id as in the file")
        ->required()
        ->check(non_negative_integer(18446744073709551615ULL));
    route->add_flag("--json", route_opt->json, "One JSON object on stdout");
    route->callback([route_opt, &exit_code] { exit_code = run_route(*route_opt); });

    auto roads_opt = std::make_shared<RoadsOptions>();
    CLI::App* roads = network->add_subcommand(
        "roads", "Roads by name or OSM way id: edges, length and way ids (for run --close)");
    roads->add_option("file", roads_opt->file, "Network file")->required();
    roads->add_option("--find", roads_opt->find,
                      "Names containing this text (any case), or a way id (way:ID or a number); "
                      "default: every named road");
    roads->add_flag("--json", roads_opt->json, "One JSON object on stdout");
    roads->callback([roads_opt, &exit_code] { exit_code = run_roads(*roads_opt); });
}

}  // namespace swarm::cli
