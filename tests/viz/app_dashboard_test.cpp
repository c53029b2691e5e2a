// The dashboard end to end, on scenarios/cloud_outage.toml at mid-outage (t = 2400 s: the cloud
// link is down from 0:30 to 0:50): screenshots under Xvfb of the live map, a replay, the cloud
// and the auction side by side at 1024x640, and the kiosk layout, each checked from the PNG and
// the frame report (--layout-out): the panels beside the maps and never over them, the maps
// drawn in their own rects, the labels (policies, the disruption and its times, the chart's
// thresholds), and each tile's colour: its level's, the level its KPI calls for, and the KPI
// the trace recorded.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "io/trace/trace_reader.hpp"
#include "tests/viz/app_test_util.hpp"
#include "viz/dashboard.hpp"

using namespace swarm;
using namespace swarm::viz;
using namespace swarm::viz::test;
using Json = nlohmann::json;

namespace {

constexpr double kMidOutage = 2400.0;

Rect rect_of(const Json& v) {
    return {v[0].get<float>(), v[1].get<float>(), v[2].get<float>(), v[3].get<float>()};
}

// the traces of the shipped scenario, by the cloud and by the auction, written once
struct Outage {
    std::string scenario = kSource + "/scenarios/cloud_outage.toml";
    std::filesystem::path cloud = temp_path("outage_cloud.h5");
    std::filesystem::path auction = temp_path("outage_auction.h5");
};
const Outage& outage() {
    static const Outage o = [] {
        Outage x;
        REQUIRE(shell(kCli + " run " + x.scenario + " --force -o " + x.cloud.string() +
                      " > /dev/null 2>&1") == 0);
        REQUIRE(shell(kCli + " run " + x.scenario +
                      " --set policies.allocation=auction --force -o " + x.auction.string() +
                      " > /dev/null 2>&1") == 0);
        std::atexit([] {
            std::filesystem::remove(temp_path("outage_cloud.h5"));
            std::filesystem::remove(temp_path("outage_auction.h5"));
        });
        return x;
    }();
    return o;
}

// a tile level's colour, from this test's own table
Rgb colour_of(const std::string& level) {
    static const std::map<std::string, Rgb> kColours = {
        {"none", kTileNone}, {"ok", kTileOk}, {"warn", kTileWarn}, {"alert", kTileAlert}};
    REQUIRE(kColours.count(level) == 1);
    return kColours.at(level);
}

// the level a tile's KPI calls for (docs/viz.md, "Executive dashboard"; the scenario's
// thresholds are the defaults, 80 % and 95 %)
std::string expected_level(const Json& t) {
    const std::string label = t["label"];
    if (t["measure"].is_null()) {
        return "none";
    }
    const double m = t["measure"];
    static const std::set<std::string> kShares = {"Orders waiting", "Orders at risk",
                                                  "Service level", "On time"};
    if (kShares.count(label) == 1) {
        return m < 0.80 ? "alert" : m < 0.95 ? "warn" : "ok";
    }
    if (label == "Cost") {
        return m > 1.05 ? "warn" : "ok";
    }
    if (label == "Orders orphaned") {
        return m > 0.0 ? "warn" : "ok";
    }
    return t["level"];  // time to recover: judged on the recovery, not a figure
}

const Json& tile(const Json& r, const std::string& run, const std::string& label) {
    for (const Json& t : r["tiles"]) {
        if (t["run"] == run && t["label"] == label) {
            return t;
        }
    }
    FAIL("no tile '" << label << "' of run '" << run << "'");
    return r;
}

bool has_text(const Json& r, const std::string& s) {
    const auto& texts = r["texts"];
    return std::find(texts.begin(), texts.end(), s) != texts.end();
}

// What every frame with panels must show: the panels beside the maps (the windows ImGui drew
// do not overlap a map, and no panel, tile or strip colour is inside one), each map drawn
// inside its own rect and filling it, and every tile in the colour of its level, the level
// its figure calls for.
void check_frame(const Image& img, const Json& r) {
    REQUIRE(r["width"] == img.width);
    REQUIRE(r["height"] == img.height);
    REQUIRE(!r["maps"].empty());
    for (const Json& m : r["maps"]) {
        const Rect map = rect_of(m["rect"]);
        CAPTURE(m["caption"].get<std::string>());
        CHECK(map.w >= 150.0F);
        for (const Json& p : r["panels"]) {
            CAPTURE(p["name"].get<std::string>());
            CHECK(map.overlap(rect_of(p["rect"])) == 0.0F);
        }
        for (const Json& o : r["maps"]) {
            CHECK(map.overlap(rect_of(o["strip"])) == 0.0F);
        }
        for (const Json& t : r["tiles"]) {
            CHECK(map.overlap(rect_of(t["rect"])) == 0.0F);
        }
        // the pixels agree: no panel, tile or strip background inside the map
        CHECK(count_in(img, kPanelBackground, map) == 0);
        CHECK(count_in(img, kTileBackground, map) == 0);
        CHECK(count_in(img, kStripPanel, map) == 0);
        // the network drawn in the map's rect, filling it (a square city in a map that is
        // taller or wider than it: one side fills, with the fit's 5 % margins)
        int x0 = img.width;
        int y0 = img.height;
        int x1 = -1;
        int y1 = -1;
        for (int y = static_cast<int>(map.y); y < static_cast<int>(map.bottom()); ++y) {
            for (int x = static_cast<int>(map.x); x < static_cast<int>(map.right()); ++x) {
                if (near(img.pixel(x, y), kRoad)) {
                    x0 = std::min(x0, x);
                    y0 = std::min(y0, y);
                    x1 = std::max(x1, x);
                    y1 = std::max(y1, y);
                }
            }
        }
        REQUIRE(x1 > x0);
        const float fill =
            std::max(static_cast<float>(x1 - x0) / map.w, static_cast<float>(y1 - y0) / map.h);
        CHECK(fill > 0.8F);
        CHECK(std::abs(static_cast<float>(x0 + x1) / 2.0F - (map.x + map.w / 2.0F)) < 4.0F);
        CHECK(std::abs(static_cast<float>(y0 + y1) / 2.0F - (map.y + map.h / 2.0F)) < 4.0F);
        // the strip under the map, in the picture
        const Rect strip = rect_of(m["strip"]);
        CHECK(strip.y == map.bottom());
        CHECK(count_in(img, kStripPanel, strip) > static_cast<std::size_t>(strip.w * 20.0F));
    }
    REQUIRE(!r["tiles"].empty());
    for (const Json& t : r["tiles"]) {
        CAPTURE(t.dump());
        const std::string level = t["level"];
        CHECK(level == expected_level(t));
        const Rgb c = colour_of(level);
        CHECK(t["colour"] == Json::array({c.r, c.g, c.b}));
        // the bar down the tile's side is its level's colour, in the picture
        const Rect bar = rect_of(t["bar"]);
        const auto area = static_cast<std::size_t>(std::floor(bar.w) * std::floor(bar.h));
        CHECK(count_in(img, c, bar) >= area * 9 / 10);
        for (const char* other : {"none", "ok", "warn", "alert"}) {
            if (other != level) {
                CHECK(count_in(img, colour_of(other), bar) == 0);
            }
        }
    }
}

// The tiles of one run against its trace at t: orders waiting and at risk at the last KPI
// interval complete at t (over the open orders of the sample that completed it), and Q.
void check_tiles_match_trace(const Json& r, const std::string& run,
                             const std::filesystem::path& trace, double t) {
    const io::TraceReader reader(trace.string());
    const io::TraceSeries q = reader.observable("service_level");
    const io::TraceSeries waiting = reader.observable("unassigned");
    const io::TraceSeries late = reader.observable("at_risk");
    const io::TraceSeries overdue = reader.observable("overdue");
    const io::TraceSeries backlog = reader.observable("backlog");
    std::size_t k = 0;
    while (k + 1 < q.time.size() && q.time[k + 1] <= t) {
        ++k;
    }
    std::size_t s = 0;
    while (backlog.time[s] < q.time[k]) {
        ++s;
    }
    const double open = backlog.value[s];
    CAPTURE(run);
    const Json& w = tile(r, run, "Orders waiting");
    char value[32];
    std::snprintf(value, sizeof value, "%.0f", waiting.value[k]);
    CHECK(w["value"] == value);
    CHECK(w["measure"].get<double>() == doctest::Approx(1.0 - waiting.value[k] / open));
    const Json& a = tile(r, run, "Orders at risk");
    std::snprintf(value, sizeof value, "%.0f", late.value[k] + overdue.value[k]);
    CHECK(a["value"] == value);
    CHECK(a["measure"].get<double>() ==
          doctest::Approx(1.0 - (late.value[k] + overdue.value[k]) / open));
    CHECK(tile(r, run, "Service level")["measure"].get<double>() == doctest::Approx(q.value[k]));
}

}  // namespace

TEST_CASE("live at mid-outage: panels beside the map, orders waiting in alert while Q is 100 %") {
    Json r;
    const Image img = screenshot(outage().scenario + " --at 2400", "live_outage.png", &r);
    check_frame(img, r);
    CHECK(r["mode"] == "full");
    CHECK(r["clock"] == "0:40");
    REQUIRE(r["maps"].size() == 1);
    CHECK(r["maps"][0]["caption"] == "Cloud - cloud_outage.toml");
    CHECK(r["maps"][0]["strip_lines"] == Json::array({"Cloud link down since 0:30"}));
    CHECK(count_in(img, kStripBackground, rect_of(r["maps"][0]["strip"])) > 500);
    // the control column on the left, the dashboard on the right
    std::set<std::string> panels;
    for (const Json& p : r["panels"]) {
        panels.insert(p["name"]);
    }
    CHECK(panels == std::set<std::string>{"swarmsim-viz", "Executive dashboard"});
    // the leading indicator leads: every open order waits for the cloud, Q has not moved
    CHECK(tile(r, "", "Orders waiting")["level"] == "alert");
    CHECK(tile(r, "", "Service level")["value"] == "100.0 %");
    CHECK(tile(r, "", "Service level")["level"] == "ok");
    // the live run is the trace's run: the same figures
    check_tiles_match_trace(r, "", outage().cloud, kMidOutage);
}

TEST_CASE("replay at mid-outage: the strip, the chart's labels and the tiles of the trace") {
    Json r;
    const Image img = screenshot(outage().cloud.string() + " --at 2400", "replay_outage.png", &r);
    check_frame(img, r);
    CHECK(r["maps"][0]["caption"].get<std::string>().rfind("Cloud - ", 0) == 0);
    CHECK(r["maps"][0]["strip_lines"] ==
          Json::array({"Cloud link down 0:30-0:50 (cloud link back)"}));
    check_tiles_match_trace(r, "", outage().cloud, kMidOutage);
    // the chart: its thresholds named, clock-time ticks; the slider on the same clock
    CHECK(has_text(r, "- failure threshold 80 %"));
    CHECK(has_text(r, "- recovered 95 %"));
    CHECK(has_text(r, "0:30"));
    CHECK(has_text(r, "100 %"));
    CHECK(has_text(r, "Q(t) over time since start (h:mm)"));
    CHECK(has_text(r, "0:40  (t = 2400 s)"));
}

TEST_CASE("side by side at mid-outage at 1024x640: the cloud waits, the auction delivers") {
    Json r;
    const Image img = screenshot(outage().cloud.string() + " --compare " +
                                     outage().auction.string() + " --at 2400 --size 1024x640",
                                 "compare_outage.png", &r);
    check_frame(img, r);
    REQUIRE(r["maps"].size() == 2);
    CHECK(r["maps"][0]["caption"].get<std::string>().rfind("Cloud - ", 0) == 0);
    CHECK(r["maps"][1]["caption"].get<std::string>().rfind("Swarm (auction) - ", 0) == 0);
    for (const Json& m : r["maps"]) {
        CHECK(m["strip_lines"] == Json::array({"Cloud link down 0:30-0:50 (cloud link back)"}));
        CHECK(count_in(img, kStripBackground, rect_of(m["strip"])) > 500);
    }
    CHECK(has_text(r, "A: Cloud"));
    CHECK(has_text(r, "B: Swarm (auction)"));
    CHECK(r["tiles"].size() == 2 * kTiles);
    check_tiles_match_trace(r, "A", outage().cloud, kMidOutage);
    check_tiles_match_trace(r, "B", outage().auction, kMidOutage);
    CHECK(tile(r, "A", "Orders waiting")["level"] == "alert");
    CHECK(tile(r, "B", "Orders waiting")["level"] == "ok");
    // every tile in the window, none cut off at the bottom
    for (const Json& t : r["tiles"]) {
        CHECK(rect_of(t["rect"]).bottom() <= 640.0F);
    }
}

TEST_CASE("kiosk: the maps and big tiles only, live and side by side") {
    Json r;
    const Image img =
        screenshot(outage().scenario + " --kiosk --at 2400 --size 1024x640", "kiosk_live.png", &r);
    check_frame(img, r);
    CHECK(r["mode"] == "kiosk");
    REQUIRE(r["panels"].size() == 1);  // no control column
    CHECK(r["panels"][0]["name"] == "Executive view");
    CHECK(r["tiles"].size() == kTiles);
    CHECK(has_text(r, "Cloud"));
    CHECK(has_text(r, "0:40"));
    for (const Json& t : r["tiles"]) {
        CHECK(rect_of(t["rect"]).h >= 100.0F);  // big
        CHECK(rect_of(t["rect"]).bottom() <= 640.0F);
    }
    CHECK(r["maps"][0]["strip_lines"] == Json::array({"Cloud link down since 0:30"}));

    const Image two = screenshot(
        outage().cloud.string() + " --compare " + outage().auction.string() + " --kiosk --at 2400",
        "kiosk_compare.png", &r);
    check_frame(two, r);
    REQUIRE(r["panels"].size() == 1);
    CHECK(r["tiles"].size() == 2 * kTiles);
    CHECK(has_text(r, "A: Cloud"));
    CHECK(has_text(r, "B: Swarm (auction)"));
    check_tiles_match_trace(r, "A", outage().cloud, kMidOutage);
    check_tiles_match_trace(r, "B", outage().auction, kMidOutage);
}

TEST_CASE("below 1024x640 the panels are refused; the map alone is not") {
    // refused before any window opens: no display needed
    const std::string s = outage().scenario;
    const std::string png = " --screenshot " + temp_path("small.png").string();
    CHECK(shell(kViz + " " + s + " --size 1000x640" + png + " 2> /dev/null") == 2);
    CHECK(shell(kViz + " " + s + " --size 1024x600 --kiosk" + png + " 2> /dev/null") == 2);
    CHECK(shell(kViz + " " + s + " --kiosk --no-ui" + png + " 2> /dev/null") == 2);
    CHECK(shell(kViz + " " + s + " --layout-out " + temp_path("l.json").string() +
                " 2> /dev/null") == 2);
    CHECK_FALSE(std::filesystem::exists(temp_path("small.png")));
    const Image map = screenshot(s + " --no-ui --size 400x300 --at 60", "small_map.png");
    CHECK(map.width == 400);
    CHECK(count(map, kRoad) > 1000);
}
