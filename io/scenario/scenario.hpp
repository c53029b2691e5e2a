// Scenario files: one TOML document (schema_version = 1) describing a fleet run: the run
// settings, the road network (a file or a generator), depots, vehicle types, fleets, demand
// and the allocation policy. load_scenario parses it, applies `--set key.path=value`
// overrides, checks every field (unknown keys, types, ranges, references by id) and builds
// the network and the FleetSpec. Field reference: docs/scenarios.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "agents/fleet/fleet_spec.hpp"
#include "agents/world/road_network.hpp"
#include "io/network/geo.hpp"

namespace swarm::io {

// A problem in a scenario file or an override. what(): "file:line:col: error: message";
// "file: error: message" without a position (line 0). For overrides `file` is
// "--set key.path=value". Control characters and bytes that are not UTF-8 in the message
// (quoted file content) are printed escaped (\x1b). io(): the file itself could not be read
// (missing, a directory, a device or FIFO): exit 4 rather than 3 in the commands.
class ScenarioError : public std::runtime_error {
  public:
    ScenarioError(std::string file, std::uint32_t line, std::uint32_t column, std::string message,
                  bool io = false);

    [[nodiscard]] const std::string& file() const { return file_; }
    [[nodiscard]] std::uint32_t line() const { return line_; }
    [[nodiscard]] std::uint32_t column() const { return column_; }
    [[nodiscard]] const std::string& message() const { return message_; }
    [[nodiscard]] bool io() const { return io_; }

  private:
    std::string file_;
    std::uint32_t line_;
    std::uint32_t column_;
    std::string message_;
    bool io_;
};

// Sane maxima, checked before anything is allocated (docs/scenarios.md lists them).
inline constexpr std::int64_t kMaxVehiclesPerFleet = 1'000'000;
inline constexpr std::int64_t kMaxVehicles = 4'000'000;
inline constexpr std::int64_t kMaxDepots = 100'000;
// generated networks: the largest builds in a few seconds and ~1 GB (validate builds it too)
inline constexpr std::int64_t kMaxGridSide = 4'000;            // rows, cols
inline constexpr std::int64_t kMaxGeneratedNodes = 1'000'000;  // rows x cols, nodes
// a scenario file is read whole: larger files are refused before they are read
inline constexpr std::uintmax_t kMaxScenarioBytes = 4u << 20;
inline constexpr double kMaxDurationS = 366.0 * 86400.0;
inline constexpr std::int64_t kMaxThreads = 1024;

struct RunSettings {
    std::uint64_t seed = 1;
    double duration_s = 3600.0;
    std::uint32_t threads = 0;         // 0: all cores
    std::int64_t tick_us = 1;          // microseconds per tick (ticks per second = 1e6 / tick_us)
    double sample_interval_s = 900.0;  // KPI observer samples and KPI series grid
    double lookahead_s = 0.020;
};

struct OutputSettings {
    std::string trace;  // HDF5 trace path; empty: none
    double sample_interval_s = 60.0;
    bool positions = true;
    bool events = false;
    bool kpis = true;
};

struct NetworkSettings {
    std::string file;             // resolved path when the network comes from a file
    std::string generator;        // "grid_city" or "random_geometric" otherwise
    std::uint32_t landmarks = 8;  // ALT landmarks of the router
    // a point (depot) farther than this from every node of the network is refused
    double max_snap_m = 500.0;
    std::string router = "alt";  // "alt", "cch" or "dijkstra" (routing::RouterKind)
    // the map was read from longitude/latitude (io/network/geo.hpp): scenario positions may
    // be lat/lon, projected around `origin`
    std::optional<GeoOrigin> origin;
    // network.speed_profile's factors (the spec's SpeedProfile is made from them once the
    // network is built); none when absent or all 1
    std::optional<routing::SpeedProfile::Classes> speed_profile;
};

// A position of the scenario put on the network's nearest node (docs/scenarios.md,
// "Positions")
struct SnappedPoint {
    std::string what;         // "depots[0] 'north'"
    bool geographic = false;  // given as lat/lon (else x/y in metres)
    double lat = 0.0;
    double lon = 0.0;
    world::Point point;  // in the network's metres
    world::NodeId node = world::kNoNode;
    double distance_m = 0.0;  // from the point to the node
};

struct Scenario {
    std::string source;  // the scenario file as given
    RunSettings run;
    OutputSettings output;
    NetworkSettings network_settings;
    // ids in declaration order (depot d, type t, fleet f of the spec)
    std::vector<std::string> depot_ids;
    std::vector<std::string> type_ids;
    std::vector<std::string> fleet_ids;
    // the network the spec points to (stable address: moving the Scenario keeps it valid)
    std::unique_ptr<world::RoadNetwork> network;
    // depots given by position, as they were put on the network (declaration order)
    std::vector<SnappedPoint> snapped;
    agents::FleetSpec spec;
    // the document after overrides and defaults, as TOML text (stored in traces)
    std::string resolved_toml;
    // settings that run but mean less than they say ("file:line:col: warning: ..."): a
    // network without coordinates, a setting that cannot act before the run ends. The
    // commands print them on stderr.
    std::vector<std::string> warnings;
    // from [inputs] tables (docs/inputs.md): each replayed order's id in its file (by
    // FleetSpec::replay index) and each vehicle's id (by vehicle index; empty for vehicles
    // of [[fleets]])
    std::vector<std::string> order_refs;
    std::vector<std::string> vehicle_names;
};

// A road closed or slowed from the command line (`swarmsim run --close/--slow`, docs/cli.md):
// it becomes one more [[disruptions]] entry of the document (so the trace's resolved scenario
// holds it), checked like the file's own; errors name the flag as written.
struct RoadFlag {
    std::string flag;           // "--close Boulevard Albert 1er@600", for messages
    std::string road;           // a name, "way:ID", or an edge id (digits)
    double at_s = 0.0;          // when
    double duration_s = 0.0;    // > 0: undone after this long
    double speed_factor = 0.0;  // 0: close; else slow_roads at this factor in (0, 1]
};

// "ROAD[@T[+D]]" (slow: "ROAD=FACTOR[@T[+D]]") as `option` ("--close", "--slow") was given
// it; std::invalid_argument saying what is wrong otherwise. A road name holding '@' or '='
// is kept whole when what follows is not a number.
RoadFlag parse_road_flag(std::string_view option, std::string_view value);

struct ScenarioOptions {
    std::vector<std::string> overrides;  // "key.path=value", applied in order
    std::vector<RoadFlag> road_flags{};  // after the overrides, appended to [[disruptions]]
    bool build_network = true;           // false: check the document only (no network, no depots)
};

// Reads, overrides, checks and builds. Throws ScenarioError for every problem in the
// document, an override or the network file (io::NetworkFileError messages are wrapped).
Scenario load_scenario(const std::filesystem::path& file, const ScenarioOptions& options = {});
// the same from text; `name` stands for the file in messages and relative network paths
Scenario parse_scenario(std::string_view text, const std::filesystem::path& name,
                        const ScenarioOptions& options = {});

// Levenshtein distance (for did-you-mean suggestions)
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace swarm::io
