// Where everything goes in the window, independent of ImGui: the panels are docked beside the
// maps, never over them. Full layout: the control column on the left, the dashboard column
// on the right, the maps between them, each with its strip (caption and disruptions under
// way) under it. Kiosk (--kiosk): the maps and a wide column of big tiles. Map only (--no-ui):
// the maps fill the window. The maps' projection fits into their own rect.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace swarm::viz {

// window pixels (ImGui's logical units), y down
struct Rect {
    float x = 0.0F;
    float y = 0.0F;
    float w = 0.0F;
    float h = 0.0F;
    [[nodiscard]] float right() const { return x + w; }
    [[nodiscard]] float bottom() const { return y + h; }
    [[nodiscard]] bool empty() const { return w <= 0.0F || h <= 0.0F; }
    [[nodiscard]] bool contains(float px, float py) const {
        return px >= x && px < right() && py >= y && py < bottom();
    }
    // the area two rects share (0: side by side or apart)
    [[nodiscard]] float overlap(const Rect& o) const;
};

enum class LayoutMode : unsigned char { kFull, kKiosk, kMapOnly };
LayoutMode layout_mode(bool no_ui, bool kiosk);
std::string_view to_string(LayoutMode m);

// The smallest window the panels are laid out for. Smaller: --size is refused (exit 2) and
// the window cannot be resized below it; should a window manager still make it smaller, the
// columns keep their widths, the map gets what is left and the panels scroll.
inline constexpr int kMinWindowWidth = 1024;
inline constexpr int kMinWindowHeight = 640;
// the strip under each map: the run's caption and up to kStripLines disruptions under way
inline constexpr std::size_t kStripLines = 2;
inline constexpr float kStripLineHeight = 20.0F;
inline constexpr float kStripHeight = kStripLineHeight * (1 + kStripLines) + 8.0F;

struct Layout {
    LayoutMode mode = LayoutMode::kFull;
    Rect controls;                        // empty in kiosk and map-only
    Rect dashboard;                       // the dashboard, or the kiosk's tiles; empty in map-only
    std::vector<Rect> maps;               // one per run, side by side
    std::vector<Rect> strips;             // under each map (empty rects in map-only)
    [[nodiscard]] Rect map_area() const;  // all maps together
};

// the layout of a width x height window showing `maps` runs (1 or 2)
Layout compute_layout(float width, float height, LayoutMode mode, std::size_t maps);

}  // namespace swarm::viz
