// VRP instance files: Solomon's VRPTW text format (name, VEHICLE NUMBER/CAPACITY, then one
// CUSTOMER row per node, the depot first) and VRPLIB (CVRP and VRPTW: specification lines
// "KEY : value", then NODE_COORD_SECTION, DEMAND_SECTION, DEPOT_SECTION and optionally
// TIME_WINDOW_SECTION and SERVICE_TIME_SECTION; EUC_2D only, distances not rounded).
// Customer numbers: Solomon's CUST NO.; VRPLIB's node id - 1 (so the depot at node 1 is 0
// and customers are numbered 1..n as in VRPLIB .sol files). docs/vrp.md has the details.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "agents/planning/vrp.hpp"

namespace swarm::io {

// what(): "path:line: error: FIELD: message" ("path: error: ..." when line is 0 or there is
// no field). File content quoted in it is escaped (io/printable.hpp).
class VrpFileError : public std::runtime_error {
  public:
    VrpFileError(std::string file, std::size_t line, std::string field, const std::string& message,
                 bool io = false);
    [[nodiscard]] const std::string& file() const { return file_; }
    [[nodiscard]] std::size_t line() const { return line_; }
    [[nodiscard]] const std::string& field() const { return field_; }
    // the file could not be read (as opposed to: it was read and is invalid)
    [[nodiscard]] bool io() const { return io_; }

  private:
    std::string file_;
    std::size_t line_;
    std::string field_;
    bool io_;
};

enum class VrpFormat : std::uint8_t { kSolomon, kVrplib };

// limits so that a hostile file cannot take unbounded memory or time to read
inline constexpr std::uintmax_t kMaxVrpFileBytes = std::uintmax_t{64} << 20;
inline constexpr std::size_t kMaxVrpNodes = 20000;

// VRPLIB when the first non-blank line is a "KEY : value" line or a known key, else Solomon
[[nodiscard]] VrpFormat detect_vrp_format(std::string_view text);

// read and parse; throws VrpFileError (io() for a missing or unreadable file)
[[nodiscard]] planning::VrpInstance read_vrp(const std::filesystem::path& file,
                                             VrpFormat* format = nullptr);
// `source` names the text in error messages
[[nodiscard]] planning::VrpInstance parse_solomon(std::string_view text, const std::string& source);
[[nodiscard]] planning::VrpInstance parse_vrplib(std::string_view text, const std::string& source);

namespace vrp_detail {
// the text's lines without their line ends; throws beyond kMaxVrpNodes * 8 lines
struct Lines {
    std::vector<std::string_view> lines;
};
Lines split_lines(std::string_view text, const std::string& source);
std::vector<std::string_view> tokens(std::string_view line);
// a finite number, else VrpFileError naming the field
double number(std::string_view token, const std::string& source, std::size_t line,
              const std::string& field);
// a whole number in [lo, hi]
std::int64_t integer(std::string_view token, const std::string& source, std::size_t line,
                     const std::string& field, std::int64_t lo, std::int64_t hi);
}  // namespace vrp_detail

}  // namespace swarm::io
