#include "viz/frame_report.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/output/output_file.hpp"
#include "tests/viz/viz_test_util.hpp"

using namespace swarm;
using namespace swarm::viz;

TEST_CASE("the frame report lists rects, tiles with their level and colour, and texts") {
    FrameReport r;
    r.width = 1024;
    r.height = 640;
    r.mode = "full";
    r.time_s = 2400.0;
    r.clock = "0:40";
    r.maps.push_back({"Cloud - cloud.h5",
                      {280, 0, 414, 572},
                      {280, 572, 414, 68},
                      {"Cloud link down since 0:30"}});
    r.panels.push_back({"Executive dashboard", {694, 0, 330, 640}});
    KpiTile t;
    t.label = "Orders waiting";
    t.value = "113";
    t.level = TileLevel::kAlert;
    t.measure = 0.0;
    r.tiles.push_back({"", t, {700, 30, 150, 80}, {700, 30, 5, 80}, {255, 105, 95}});
    KpiTile none;
    none.label = "Cost";  // measure NaN: null
    r.tiles.push_back({"B", none, {}, {}, {160, 165, 175}});
    r.texts = {"failure threshold 80 %"};
    const auto path = test::temp_path("report.json");
    std::filesystem::remove(path);
    write_frame_report(path.string(), r, false);
    const nlohmann::json j = nlohmann::json::parse(std::ifstream(path));
    CHECK(j["width"] == 1024);
    CHECK(j["mode"] == "full");
    CHECK(j["clock"] == "0:40");
    CHECK(j["maps"][0]["rect"] == nlohmann::json::array({280, 0, 414, 572}));
    CHECK(j["maps"][0]["strip_lines"][0] == "Cloud link down since 0:30");
    CHECK(j["panels"][0]["name"] == "Executive dashboard");
    CHECK(j["tiles"][0]["level"] == "alert");
    CHECK(j["tiles"][0]["colour"] == nlohmann::json::array({255, 105, 95}));
    CHECK(j["tiles"][0]["measure"] == 0.0);
    CHECK(j["tiles"][1]["measure"].is_null());
    CHECK(j["tiles"][1]["run"] == "B");
    CHECK(j["texts"][0] == "failure threshold 80 %");
    // an existing file is replaced only when asked (--force)
    CHECK_THROWS_AS(write_frame_report(path.string(), r, false), io::OutputError);
    write_frame_report(path.string(), r, true);
    std::filesystem::remove(path);
}
