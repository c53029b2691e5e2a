// Colours: one per vehicle state, a perceptual ramp (viridis) for values, and the fixed map
// colours (roads, closed roads, depots). Shared by the renderer's shaders (as uniforms) and
// the ImGui legend, and by the screenshot tests that look for these colours.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace swarm::viz {

struct Rgb {
    std::uint8_t r = 0;
    std::uint8_t g = 0;
    std::uint8_t b = 0;
    friend bool operator==(const Rgb&, const Rgb&) = default;
};

inline constexpr std::size_t kStateColours = 9;  // agents::kVehicleStateCount
// by agents::VehicleState: idle, to pick-up, loading, en route, delivering, returning,
// charging, broken, maintenance
inline constexpr std::array<Rgb, kStateColours> kStateColour = {{
    {150, 150, 160},  // idle: grey
    {60, 140, 255},   // to pick-up: blue
    {255, 200, 40},   // loading: amber
    {40, 220, 90},    // en route: green
    {0, 230, 230},    // delivering: cyan
    {190, 120, 255},  // returning: violet
    {255, 140, 0},    // charging: orange
    {255, 0, 200},    // broken: magenta
    {150, 100, 50},   // maintenance: brown (in the workshop)
}};
const char* state_name(std::size_t state);

inline constexpr Rgb kBackground{18, 20, 26};
inline constexpr Rgb kRoad{95, 100, 115};
inline constexpr Rgb kClosedRoad{235, 30, 30};
inline constexpr Rgb kDepot{255, 255, 255};
// the strip of disruptions under way: white text on it (opaque, so screenshots can find it)
inline constexpr Rgb kStripBackground{90, 20, 20};
// a downed depot: bright red, 6:1 on the background (the old dark red was 1.6:1)
inline constexpr Rgb kDownDepot{255, 80, 80};
// the strip under each map (the run's caption, disruptions under way)
inline constexpr Rgb kStripPanel{28, 30, 38};

// The panels: an opaque background no map colour uses (so that a screenshot shows whether a
// panel covers the map), and the dashboard's tiles on their own background, coloured by
// level (dashboard.hpp, TileLevel): a bar down the tile's side, the headline and the
// sparkline. Each level colour keeps >= 4.5:1 on the tile (WCAG 1.4.3, text; tested).
inline constexpr Rgb kPanelBackground{36, 40, 52};
inline constexpr Rgb kTileBackground{30, 34, 44};
inline constexpr Rgb kTileNone{160, 165, 175};  // no figure yet, or nothing to judge it by
inline constexpr Rgb kTileOk{80, 220, 120};     // green
inline constexpr Rgb kTileWarn{250, 190, 60};   // amber
inline constexpr Rgb kTileAlert{255, 105, 95};  // red

// WCAG 2.1 relative luminance (sRGB) and contrast ratio (L1 + 0.05) / (L2 + 0.05), 1 .. 21.
// Every map colour keeps >= 3:1 on kBackground (WCAG 1.4.11, graphics); tested.
double relative_luminance(Rgb c);
double contrast_ratio(Rgb a, Rgb b);

// viridis at u in [0, 1] (clamped), from a 9-point table interpolated linearly
Rgb viridis(double u);

// Agents coloured by a value: the upper part of viridis, from kRampStart on, so that the
// lowest values too keep 3:1 contrast on the dark background (viridis(0) is 1.2:1)
inline constexpr double kRampStart = 0.35;
// u in [0, 1] (clamped) on that ramp
Rgb value_colour(double u);

// what agents are coloured by: their state, or one value array with its range
enum class ColourMode : std::uint8_t { kState, kValue };

struct ValueRange {
    float min = 0.0F;
    float max = 1.0F;
};
// min and max of the finite values (0..1 when there are none; a constant widens by 1)
ValueRange value_range(std::span<const float> values);

// u = (v - min) / (max - min) clamped to [0, 1]
double normalise(float v, ValueRange r);

// float RGB in [0, 1], for shader uniforms
std::array<float, 3> to_float(Rgb c);
// RGBA bytes in memory order (r first), opaque: the GPU's per-agent colour
std::uint32_t pack(Rgb c);

// Per-agent colours: by state, or `values` on the value ramp (value_colour) over `range` (values
// shorter than the agents: by state). A 256-entry table keeps it cheap for 100k agents.
void agent_colours(std::span<const std::uint8_t> state, ColourMode mode,
                   std::span<const float> values, ValueRange range,
                   std::vector<std::uint32_t>& out);

}  // namespace swarm::viz
