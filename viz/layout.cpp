#include "viz/layout.hpp"

#include <algorithm>
#include <cmath>

namespace swarm::viz {

float Rect::overlap(const Rect& o) const {
    const float w_ = std::min(right(), o.right()) - std::max(x, o.x);
    const float h_ = std::min(bottom(), o.bottom()) - std::max(y, o.y);
    return w_ > 0.0F && h_ > 0.0F ? w_ * h_ : 0.0F;
}

LayoutMode layout_mode(bool no_ui, bool kiosk) {
    if (no_ui) {
        return LayoutMode::kMapOnly;
    }
    return kiosk ? LayoutMode::kKiosk : LayoutMode::kFull;
}

std::string_view to_string(LayoutMode m) {
    switch (m) {
        case LayoutMode::kFull:
            return "full";
        case LayoutMode::kKiosk:
            return "kiosk";
        case LayoutMode::kMapOnly:
            return "map";
    }
    return "full";
}

Rect Layout::map_area() const {
    if (maps.empty()) {
        return {};
    }
    return {maps.front().x, maps.front().y, maps.back().right() - maps.front().x, maps.front().h};
}

Layout compute_layout(float width, float height, LayoutMode mode, std::size_t maps) {
    Layout l;
    l.mode = mode;
    maps = std::max<std::size_t>(1, maps);
    // the columns grow with the window between their minimum and maximum widths (whole
    // pixels, so that nothing straddles a pixel edge)
    auto column = [&](float share, float lo, float hi) {
        return std::round(std::clamp(share * width, lo, hi));
    };
    float left = 0.0F;
    float right = 0.0F;
    if (mode == LayoutMode::kFull) {
        left = column(0.24F, 280.0F, 340.0F);
        right = column(0.30F, 330.0F, 440.0F);
    } else if (mode == LayoutMode::kKiosk) {
        right = column(0.40F, 420.0F, 720.0F);
    }
    // below the minimum window the map keeps at least a pixel; the columns their widths
    const float map_w = std::max(1.0F, width - left - right);
    const float strip = mode == LayoutMode::kMapOnly ? 0.0F : kStripHeight;
    const float map_h = std::max(1.0F, height - strip);
    if (left > 0.0F) {
        l.controls = {0.0F, 0.0F, left, height};
    }
    if (right > 0.0F) {
        l.dashboard = {left + map_w, 0.0F, right, height};
    }
    const float each = std::floor(map_w / static_cast<float>(maps));
    for (std::size_t i = 0; i < maps; ++i) {
        const float x = left + static_cast<float>(i) * each;
        l.maps.push_back({x, 0.0F, each, map_h});
        l.strips.push_back({x, map_h, strip > 0.0F ? each : 0.0F, strip});
    }
    return l;
}

}  // namespace swarm::viz
