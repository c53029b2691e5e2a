#include "io/network/network_loader.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "io/printable.hpp"

namespace swarm::io {

namespace {

std::string format_what(const std::filesystem::path& file, std::size_t line,
                        const std::string& message) {
    std::string out = file.string();
    if (line > 0) {
        out += ':' + std::to_string(line);
    }
    return out + ": error: " + message;
}

std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

NetworkFileError::NetworkFileError(std::filesystem::path file, std::size_t line,
                                   const std::string& message)
    : std::runtime_error(format_what(printable(file.string()), line, printable(message))),
      file_(std::move(file)),
      line_(line),
      message_(printable(message)) {}

world::RoadNetwork load_network(const std::filesystem::path& file, LoadReport* report) {
    return load_network(file, LoadOptions{}, report);
}

world::RoadNetwork load_network(const std::filesystem::path& file, const LoadOptions& options,
                                LoadReport* report) {
    const std::string name = lowercase(file.filename().string());
    // .osm.xml before .xml: the longer, more specific suffix wins
    if (ends_with(name, ".osm.pbf") || ends_with(name, ".pbf") || ends_with(name, ".osm") ||
        ends_with(name, ".osm.xml")) {
        return load_osm(file, report);
    }
    if (ends_with(name, ".gr")) {
        std::filesystem::path co = file;
        co.replace_extension(".co");
        std::error_code ec;
        std::optional<std::filesystem::path> co_file;
        if (std::filesystem::is_regular_file(co, ec)) {
            co_file = co;
        }
        return load_dimacs(file, co_file, options.dimacs, report);
    }
    if (ends_with(name, ".graphml") || ends_with(name, ".xml")) {
        return load_graphml(file, report);
    }
    throw NetworkFileError(file, 0,
                           "unknown network file extension (expected .osm.pbf, .pbf, .osm, "
                           ".osm.xml, .gr, .graphml or .xml)");
}

}  // namespace swarm::io
