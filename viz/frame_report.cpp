#include "viz/frame_report.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "io/output/output_file.hpp"

namespace swarm::viz {

namespace {

using Json = nlohmann::ordered_json;

Json rect(const Rect& r) {
    return Json::array({r.x, r.y, r.w, r.h});
}

// NaN and infinities are null in JSON
Json number(double v) {
    return std::isfinite(v) ? Json(v) : Json(nullptr);
}

}  // namespace

void FrameReport::clear() {
    maps.clear();
    panels.clear();
    tiles.clear();
    texts.clear();
}

void write_frame_report(const std::string& path, const FrameReport& r, bool replace) {
    Json j;
    j["width"] = r.width;
    j["height"] = r.height;
    j["mode"] = r.mode;
    j["time_s"] = number(r.time_s);
    j["clock"] = r.clock;
    Json maps = Json::array();
    for (const FrameReport::Map& m : r.maps) {
        maps.push_back({{"caption", m.caption},
                        {"rect", rect(m.rect)},
                        {"strip", rect(m.strip)},
                        {"strip_lines", m.strip_lines}});
    }
    j["maps"] = std::move(maps);
    Json panels = Json::array();
    for (const FrameReport::Panel& p : r.panels) {
        panels.push_back({{"name", p.name}, {"rect", rect(p.rect)}});
    }
    j["panels"] = std::move(panels);
    Json tiles = Json::array();
    for (const FrameReport::Tile& t : r.tiles) {
        tiles.push_back({{"run", t.run},
                         {"label", t.tile.label},
                         {"value", t.tile.value},
                         {"detail", t.tile.detail},
                         {"note", t.tile.note},
                         {"level", std::string(to_string(t.tile.level))},
                         {"measure", number(t.tile.measure)},
                         {"rule", t.tile.rule},
                         {"colour", t.colour},
                         {"rect", rect(t.rect)},
                         {"bar", rect(t.bar)}});
    }
    j["tiles"] = std::move(tiles);
    j["texts"] = r.texts;
    io::write_file_safely(path, j.dump(2) + "\n", replace);
}

}  // namespace swarm::viz
