#include "viz/layout.hpp"

#include <doctest/doctest.h>

using namespace swarm::viz;

namespace {

bool inside(const Rect& r, float w, float h) {
    return r.x >= 0.0F && r.y >= 0.0F && r.right() <= w && r.bottom() <= h;
}

}  // namespace

TEST_CASE("rects overlap by the area they share, not when side by side") {
    const Rect a{0, 0, 10, 10};
    CHECK(a.overlap({5, 5, 10, 10}) == 25.0F);
    CHECK(a.overlap({10, 0, 10, 10}) == 0.0F);  // touching edges
    CHECK(a.overlap({20, 20, 1, 1}) == 0.0F);
    CHECK(a.contains(0, 0));
    CHECK_FALSE(a.contains(10, 5));
}

TEST_CASE("panels are docked beside the maps at every window size from 1024x640") {
    for (const LayoutMode mode : {LayoutMode::kFull, LayoutMode::kKiosk}) {
        for (const std::size_t maps : {std::size_t{1}, std::size_t{2}}) {
            for (float w = kMinWindowWidth; w <= 3840.0F; w += 97.0F) {
                for (float h = kMinWindowHeight; h <= 2160.0F; h += 151.0F) {
                    CAPTURE(w);
                    CAPTURE(h);
                    CAPTURE(maps);
                    const Layout l = compute_layout(w, h, mode, maps);
                    REQUIRE(l.maps.size() == maps);
                    REQUIRE(l.strips.size() == maps);
                    CHECK(l.controls.empty() == (mode == LayoutMode::kKiosk));
                    CHECK_FALSE(l.dashboard.empty());
                    for (std::size_t i = 0; i < maps; ++i) {
                        const Rect& m = l.maps[i];
                        CHECK(m.w >= 150.0F);  // a usable map even side by side at 1024
                        CHECK(m.h >= 500.0F);
                        CHECK(inside(m, w, h));
                        CHECK(inside(l.strips[i], w, h));
                        CHECK(m.overlap(l.controls) == 0.0F);
                        CHECK(m.overlap(l.dashboard) == 0.0F);
                        CHECK(m.overlap(l.strips[i]) == 0.0F);
                        CHECK(l.strips[i].y == m.bottom());  // the strip right under it
                        CHECK(l.strips[i].w == m.w);
                        if (i > 0) {
                            CHECK(m.overlap(l.maps[i - 1]) == 0.0F);
                            CHECK(m.x == l.maps[i - 1].right());
                        }
                    }
                    CHECK(inside(l.dashboard, w, h));
                    CHECK(l.dashboard.overlap(l.controls) == 0.0F);
                    // the columns and the maps share the width, nothing is left over
                    CHECK(l.dashboard.right() == doctest::Approx(w));
                    CHECK(l.map_area().x == l.controls.right());
                    CHECK(l.dashboard.x - l.map_area().right() < static_cast<float>(maps));
                }
            }
        }
    }
}

TEST_CASE("the kiosk's tiles get a wide column; the map alone fills the window") {
    const Layout full = compute_layout(1280, 800, LayoutMode::kFull, 1);
    const Layout kiosk = compute_layout(1280, 800, LayoutMode::kKiosk, 1);
    CHECK(kiosk.dashboard.w > full.dashboard.w);
    CHECK(kiosk.maps[0].x == 0.0F);
    const Layout map = compute_layout(1280, 800, LayoutMode::kMapOnly, 2);
    CHECK(map.controls.empty());
    CHECK(map.dashboard.empty());
    CHECK(map.maps[0].x == 0.0F);
    CHECK(map.maps[0].h == 800.0F);
    CHECK(map.maps[1].right() == 1280.0F);
    CHECK(map.strips[0].empty());
    // below the minimum the columns keep their widths and the map what is left
    const Layout tiny = compute_layout(500, 300, LayoutMode::kFull, 1);
    CHECK(tiny.maps[0].w >= 1.0F);
    CHECK(tiny.maps[0].overlap(tiny.controls) == 0.0F);
    CHECK(layout_mode(true, false) == LayoutMode::kMapOnly);
    CHECK(layout_mode(false, true) == LayoutMode::kKiosk);
    CHECK(to_string(LayoutMode::kKiosk) == "kiosk");
}
