// `swarmsim network info FILE` and `swarmsim network route FILE FROM TO`: check a road network
// file before simulating on it. Results on stdout (one JSON object with --json), errors on
// stderr with the exit codes of cli/commands.hpp.
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

#include "agents/routing/router.hpp"
#include "agents/world/road_network.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/validators.hpp"
#include "io/network/network_loader.hpp"

namespace swarm::cli {

namespace {

struct InfoOptions {
    std::string file;
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
}

}  // namespace swarm::cli
