// What one frame showed and where, for the screenshot tests and anyone who checks a picture
// by program: the layout's rects, the windows ImGui drew (as drawn, not as planned), each
// tile's rect, figures, level and colour, and the texts of the strips and charts.
// `swarmsim-viz --screenshot out.png --layout-out out.json` writes it beside the PNG.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "viz/dashboard.hpp"
#include "viz/layout.hpp"

namespace swarm::viz {

struct FrameReport {
    int width = 0;
    int height = 0;
    std::string mode;  // to_string(LayoutMode)
    double time_s = 0.0;
    std::string clock;  // time_s on the scenario's clock

    struct Map {
        std::string caption;  // the run by its policy and file
        Rect rect;
        Rect strip;
        std::vector<std::string> strip_lines;  // the disruptions under way, as shown
    };
    std::vector<Map> maps;

    struct Panel {
        std::string name;
        Rect rect;
    };
    std::vector<Panel> panels;  // every ImGui window drawn this frame

    struct Tile {
        std::string run;                       // "A" or "B" side by side; "" with one run
        KpiTile tile;                          // the sparkline is left out of the file
        Rect rect;                             // the whole tile
        Rect bar;                              // the level's bar down its side
        std::array<std::uint8_t, 3> colour{};  // level_colour(tile.level) as drawn, RGB
    };
    std::vector<Tile> tiles;

    std::vector<std::string> texts;  // further labels drawn: chart, slider, headings

    void clear();
};

// as JSON (rects as [x, y, w, h]), replacing an existing file only with `replace` (--force);
// throws io::OutputError when the file cannot be written
void write_frame_report(const std::string& path, const FrameReport& r, bool replace);

}  // namespace swarm::viz
