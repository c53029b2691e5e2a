// libFuzzer targets for the road network loaders (io/network): one executable per format,
// chosen at compile time by SWARM_FUZZ_FORMAT (0 DIMACS, 1 GraphML, 2 OSM XML). A loader may
// refuse an input only with io::NetworkFileError.
//
// DIMACS inputs are a .gr file optionally followed by a line "--co--" and its .co file,
// so that the fuzzer mutates both and their agreement.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.hpp"
#include "io/network/network_loader.hpp"

#ifndef SWARM_FUZZ_FORMAT
#error "SWARM_FUZZ_FORMAT must be 0 (DIMACS), 1 (GraphML) or 2 (OSM XML)"
#endif

namespace {

#if SWARM_FUZZ_FORMAT == 0
constexpr std::string_view kCoSeparator = "\n--co--\n";
#endif

void load(std::string_view input) {
    using namespace swarm;
    const fuzz::TempDir& dir = fuzz::temp_dir();
    io::LoadReport report;
#if SWARM_FUZZ_FORMAT == 0
    const std::size_t cut = input.find(kCoSeparator);
    const auto gr = dir.write("input.gr", input.substr(0, cut));
    std::optional<std::filesystem::path> co;
    if (cut != std::string_view::npos) {
        co = dir.write("input.co", input.substr(cut + kCoSeparator.size()));
    }
    // both unit interpretations: microdegree coordinates and plain metres, lengths and times
    io::DimacsOptions options;
    options.weight_is_time = !input.empty() && (input.size() % 2) == 1;
    options.coordinates_are_microdegrees = !input.empty() && (input.size() % 3) != 0;
    (void)io::load_dimacs(gr, co, options, &report);
#elif SWARM_FUZZ_FORMAT == 1
    (void)io::load_graphml(dir.write("input.graphml", input), &report);
#else
    (void)io::load_osm(dir.write("input.osm", input), &report);
#endif
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        load(swarm::fuzz::as_text(data, size));
    } catch (const swarm::io::NetworkFileError&) {
        // refused with file, line and message: fine
    } catch (const std::exception& e) {
        swarm::fuzz::unexpected("the network loader", e);
    }
    return 0;
}
