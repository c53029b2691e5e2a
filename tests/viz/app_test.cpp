// swarmsim-viz end to end: headless screenshots of live and replayed runs, checked for what
// the picture must show (roads drawn, the closure colour where a road was closed and only
// then, agent state colours), not byte by byte. Needs a display: the current DISPLAY or
// xvfb-run (Mesa llvmpipe); with neither the test exits 77 (ctest SKIP). The dashboard's
// screenshots: app_dashboard_test.cpp.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/viz/app_test_util.hpp"

using namespace swarm;
using namespace swarm::viz;
using namespace swarm::viz::test;

TEST_CASE("live screenshot shows roads agents and a closed road in the closure colour") {
    const std::string scenario = test::write_small_scenario().string();
    const std::string common = scenario + " --no-ui --at 600 --size 480x360 --set run.threads=1";
    const Image plain = screenshot(common, "plain.png");
    CHECK(plain.width == 480);
    CHECK(plain.height == 360);
    CHECK(count(plain, kRoad) > 2000);         // the road network is drawn
    CHECK(count(plain, kBackground) > 20000);  // ... over the background
    CHECK(count(plain, kClosedRoad) == 0);     // nothing closed, nothing red
    CHECK(states_seen(plain) >= 2);            // agents in more than one state
    CHECK(count(plain, kDepot) > 150);         // both depots (a 12 px disc is ~110 px)

    // the same run with two streets closed at time 0
    const Image closed = screenshot(common + " --close 10 --close 200", "closed.png");
    CHECK(count(closed, kClosedRoad) > 40);
    CHECK(count(closed, kRoad) > 2000);
}

TEST_CASE("scripted interventions show in the screenshot, the same picture every time") {
    const std::string scenario = test::write_small_scenario().string();
    const std::string common = scenario + " --no-ui --at 600 --size 480x360 --set run.threads=1";
    const Image plain = screenshot(common, "unscripted.png");
    CHECK(count(plain, kDownDepot) == 0);
    CHECK(count(plain, kClosedRoad) == 0);
    // what the mouse does, from the command line: a depot down, a road closed by name, a
    // share of the fleet broken; a step after --at has not happened yet
    const std::string steps =
        " --do 300:depot_down:west --do '400:close:Street 3' --do 450:break:50% --do 900:cloud_cut";
    const Image a = screenshot(common + steps, "scripted_a.png");
    const Image b = screenshot(common + steps, "scripted_b.png");
    CHECK(count(a, kDownDepot) > 50);       // the west depot's disc, in the down colour
    CHECK(count(a, kClosedRoad) > 100);     // a whole street, not one edge
    CHECK(count(a, kStateColour[7]) > 10);  // broken vans (magenta)
    CHECK(count(plain, kStateColour[7]) == 0);
    CHECK(a.data == b.data);  // reproducible to the pixel
    // a step that names nothing, or is misspelt: exit 2 before any window, the value named
    CHECK(shell(kViz + " " + scenario + " --do 900:cloud_cutt 2> /dev/null") == 2);
    CHECK(shell(kViz + " " + scenario + " --do '60:close:Street 33' --screenshot " +
                test::temp_path("never.png").string() + " 2> /dev/null") == 2);
    CHECK_FALSE(std::filesystem::exists(test::temp_path("never.png")));
}

TEST_CASE("replay and comparison screenshots of traces written by swarmsim run") {
    const std::string scenario = test::write_small_scenario().string();
    const auto a = test::temp_path("a.h5");
    const auto b = test::temp_path("b.h5");
    REQUIRE(shell(kCli + " run " + scenario + " -o " + a.string() + " > /dev/null 2>&1") == 0);
    REQUIRE(shell(kCli + " run " + scenario + " --seed 9 -o " + b.string() + " > /dev/null 2>&1") ==
            0);
    const Image one = screenshot(a.string() + " --no-ui --at 900 --size 400x300", "replay.png");
    CHECK(count(one, kRoad) > 1500);
    CHECK(states_seen(one) >= 2);
    CHECK(count(one, kClosedRoad) == 0);
    // side by side: each half holds a map with agents
    const Image two =
        screenshot(a.string() + " --compare " + b.string() + " --no-ui --at 900 --size 800x300",
                   "compare.png");
    CHECK(count(two, kRoad, 0, 400) > 800);
    CHECK(count(two, kRoad, 400, 800) > 800);
    CHECK(states_seen(two, 0, 400) >= 2);
    CHECK(states_seen(two, 400, 800) >= 2);
    std::filesystem::remove(a);
    std::filesystem::remove(b);
}

TEST_CASE("replay's strip of disruptions shows under the map during a cloud outage, not before") {
    const std::string scenario =
        test::write_small_scenario(
            "[[disruptions]]\nid = \"outage\"\nkind = \"cloud_down\"\n"
            "label = \"Cloud outage\"\nat_s = 600.0\nduration_s = 1200.0\n")
            .string();
    const auto a = test::temp_path("outage.h5");
    REQUIRE(shell(kCli + " run " + scenario + " -o " + a.string() + " > /dev/null 2>&1") == 0);
    // the strip under the map (its rect from the frame report) holds the outage's box
    // during the outage, not before or after
    nlohmann::json r0;
    nlohmann::json r1;
    nlohmann::json r2;
    const Image before = screenshot(a.string() + " --at 300 --size 1024x640", "strip0.png", &r0);
    const Image during = screenshot(a.string() + " --at 1200 --size 1024x640", "strip1.png", &r1);
    const Image after = screenshot(a.string() + " --at 2000 --size 1024x640", "strip2.png", &r2);
    const auto strip = [](const nlohmann::json& r) {
        const auto v = r["maps"][0]["strip"];
        return Rect{v[0], v[1], v[2], v[3]};
    };
    CHECK(count_in(before, kStripBackground, strip(r0)) == 0);
    CHECK(count_in(during, kStripBackground, strip(r1)) > 1000);
    CHECK(count_in(after, kStripBackground, strip(r2)) == 0);
    CHECK(r0["maps"][0]["strip_lines"][0] == "No disruption under way");
    CHECK(r1["maps"][0]["strip_lines"][0] ==
          "Cloud outage - cloud link down 0:10-0:30 (cloud link back)");
    // nowhere else: the strip is not over the map
    CHECK(count(during, kStripBackground) == count_in(during, kStripBackground, strip(r1)));
    std::filesystem::remove(a);
}

TEST_CASE("replay colours agents by what they learned") {
    const std::string scenario = test::write_small_scenario().string();
    const auto a = test::temp_path("learned.h5");
    REQUIRE(shell(kCli + " run " + scenario + " -o " + a.string() +
                  " --set learning.mode=gossip --set learning.wear.enabled=true"
                  " --set learning.congestion.enabled=true > /dev/null 2>&1") == 0);
    const Image img =
        screenshot(a.string() + " --no-ui --at 600 --colour-by wear --size 400x300", "wear.png");
    // wear differs from vehicle to vehicle: both ends of the ramp (its lowest and highest
    // tenth: the extreme vehicle itself may sit under another at a depot) are drawn, no
    // state colour
    CHECK(count(img, kRoad) > 1500);
    std::size_t low = 0;
    std::size_t high = 0;
    for (int i = 0; i <= 10; ++i) {
        low += count(img, value_colour(0.01 * i));
        high += count(img, value_colour(1.0 - 0.01 * i));
    }
    CHECK(low > 0);
    CHECK(high > 0);
    CHECK(states_seen(img) == 0);
    // a value the trace does not have is a usage error
    CHECK(shell("ASAN_OPTIONS=detect_leaks=0 " + display_prefix() + kViz + " " + a.string() +
                " --no-ui --at 600 --colour-by bogus --screenshot " +
                test::temp_path("bogus.png").string() + " 2> /dev/null") == 2);
    std::filesystem::remove(a);
}

TEST_CASE("bad input gives a clear message and the CLI exit codes") {
    // these fail before any window opens: no display needed
    CHECK(shell(kViz + " /nonexistent/run.h5 --screenshot /tmp/x.png 2> /dev/null") == 4);
    CHECK(shell(kViz + " /nonexistent/s.toml 2> /dev/null") == 3);
    const std::string scenario = test::write_small_scenario().string();
    CHECK(shell(kViz + " " + scenario + " --set run.seed=abc 2> /dev/null") == 3);
    CHECK(shell(kViz + " " + scenario + " --size 10x10 2> /dev/null") == 2);
    // a road that is not in the network: a bad flag value
    CHECK(shell(kViz + " " + scenario + " --close 99999999 2> /dev/null") == 2);
    CHECK(shell(kViz + " --bogus 2> /dev/null") == 2);
    // a screenshot is never written to a device or over an existing file without --force
    CHECK(shell(kViz + " " + scenario + " --screenshot /dev/null 2> /dev/null") == 4);
    const auto kept = test::temp_path("kept.png");
    std::ofstream(kept) << "precious";
    CHECK(shell(kViz + " " + scenario + " --screenshot " + kept.string() + " 2> /dev/null") == 4);
    CHECK(std::filesystem::file_size(kept) == 8);
    std::filesystem::remove(kept);
}

TEST_CASE("a damaged trace is invalid input: exit 3 with the reason, no hang") {
    // fails while the trace is opened, before any window: no display needed
    const std::string scenario = test::write_small_scenario().string();
    const auto clean = test::temp_path("clean.h5");
    const auto bad = test::temp_path("flipped.h5");
    REQUIRE(shell(kCli + " run " + scenario + " -o " + clean.string() + " > /dev/null 2>&1") == 0);
    std::vector<char> bytes(std::filesystem::file_size(clean));
    {
        std::FILE* in = std::fopen(clean.c_str(), "rb");
        REQUIRE(in != nullptr);
        REQUIRE(std::fread(bytes.data(), 1, bytes.size(), in) == bytes.size());
        std::fclose(in);
    }
    REQUIRE(bytes.size() > 10000);
    const auto write = [&](const std::vector<char>& b) {
        std::ofstream(bad, std::ios::binary)
            .write(b.data(), static_cast<std::streamsize>(b.size()));
    };
    // 300 flipped bits (issue 21: the visualizer retried the bad checksums for hours)
    std::vector<char> flipped = bytes;
    std::mt19937 rng(300);
    for (int i = 0; i < 300; ++i) {
        flipped[rng() % flipped.size()] ^= static_cast<char>(1U << (rng() % 8));
    }
    write(flipped);
    const std::string run = "timeout 20 " + kViz + " " + bad.string() + " --screenshot " +
                            test::temp_path("bad.png").string() + " 2> " +
                            test::temp_path("err.txt").string();
    CHECK(shell(run) == 3);
    std::string err;
    {
        std::ifstream in(test::temp_path("err.txt"));
        std::getline(in, err);
    }
    CHECK(err.find("swarmsim-viz: trace file '" + bad.string() + "': ") == 0);
    // truncated
    write(std::vector<char>(bytes.begin(),
                            bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2)));
    CHECK(shell(run) == 3);
    std::filesystem::remove(clean);
    std::filesystem::remove(bad);
}

TEST_CASE("a trace that crashes libhdf5 is contained: exit 3 naming the file, no crash") {
    // fails while the trace is checked, before any window: no display needed. MALLOC_PERTURB_
    // makes libhdf5's free of an uninitialised pointer on this file crash every time.
    const std::string known = kSource + "/fuzz/known/trace/hdf5-dense-link-table-free-crash";
    const auto err_path = test::temp_path("crash_err.txt");
    const std::string run = "MALLOC_PERTURB_=165 timeout 120 " + kViz + " " + known +
                            " --screenshot " + test::temp_path("crash.png").string() + " 2> " +
                            err_path.string();
    CHECK(shell(run) == 3);
    std::string err;
    {
        std::ifstream in(err_path);
        std::getline(in, err);
    }
    CHECK(err.find("swarmsim-viz: trace file '" + known +
                   "': damaged trace: reading it crashed the HDF5 library (signal ") == 0);
    // as the second trace of a comparison too
    const std::string scenario = test::write_small_scenario().string();
    const auto clean = test::temp_path("clean_for_crash.h5");
    REQUIRE(shell(kCli + " run " + scenario + " -o " + clean.string() + " > /dev/null 2>&1") == 0);
    CHECK(shell("MALLOC_PERTURB_=165 timeout 120 " + kViz + " " + clean.string() + " --compare " +
                known + " --screenshot " + test::temp_path("crash.png").string() +
                " 2> /dev/null") == 3);
    // without its check program the visualizer refuses to open traces, saying where it looked
    CHECK(shell("SWARMSIM_TRACE_CHECK=/nonexistent/check " + kViz + " " + clean.string() +
                " --screenshot " + test::temp_path("crash.png").string() + " 2> " +
                err_path.string()) == 1);
    {
        std::ifstream in(err_path);
        std::getline(in, err);
    }
    CHECK(err.find("/nonexistent/check") != std::string::npos);
    std::filesystem::remove(clean);
    std::filesystem::remove(err_path);
}

TEST_CASE("fork here from the command line: the branch beside the trunk, from the fork time") {
    const std::string scenario = test::write_small_scenario().string();
    const std::string common = scenario + " --at 1200 --size 1280x800 --set run.threads=1";
    // under another policy: two maps, B named by its policy and fork time, the chart marked
    nlohmann::json report;
    const Image img = screenshot(common + " --fork-at 600 --fork-set policies.allocation=cloud",
                                 "fork.png", &report);
    const nlohmann::json& maps = report.at("maps");
    REQUIRE(maps.size() == 2);
    CHECK(maps[0].at("caption").get<std::string>().rfind("Swarm (auction)", 0) == 0);
    CHECK(maps[1].at("caption").get<std::string>().rfind("Cloud, fork at 0:10", 0) == 0);
    std::vector<std::string> texts = report.at("texts").get<std::vector<std::string>>();
    CHECK(std::find(texts.begin(), texts.end(), "B: Cloud, fork at 0:10") != texts.end());
    CHECK(std::find(texts.begin(), texts.end(), "fork") != texts.end());  // on the Q(t) chart
    for (const nlohmann::json& m : maps) {
        const auto r = m.at("rect").get<std::vector<float>>();
        const Rect rect{r[0], r[1], r[2], r[3]};
        CHECK(count_in(img, kRoad, rect) > 800);
    }

    // without changes the branch is the trunk: the two maps are the same picture
    nlohmann::json same_report;
    const Image same = screenshot(common + " --fork-at 600", "fork_same.png", &same_report);
    const auto a = same_report.at("maps")[0].at("rect").get<std::vector<float>>();
    const auto b = same_report.at("maps")[1].at("rect").get<std::vector<float>>();
    REQUIRE(a[2] == b[2]);
    std::size_t differ = 0;
    for (int y = static_cast<int>(a[1]) + 1; y + 1 < static_cast<int>(a[1] + a[3]); ++y) {
        for (int x = 1; x + 1 < static_cast<int>(a[2]); ++x) {
            const std::uint8_t* p = same.pixel(static_cast<int>(a[0]) + x, y);
            const std::uint8_t* q = same.pixel(static_cast<int>(b[0]) + x, y);
            differ += (p[0] != q[0] || p[1] != q[1] || p[2] != q[2]) ? 1U : 0U;
        }
    }
    CHECK(differ == 0);

    // what may not change mid-run, a flag without its partner, a fork of a trace
    CHECK(shell(kViz + " " + common + " --fork-at 600 --fork-set demand.due_s=900 2> /dev/null") ==
          3);
    CHECK(shell(kViz + " " + scenario + " --fork-set policies.allocation=cloud 2> /dev/null") == 2);
    CHECK(shell(kViz + " " + scenario + " --fork-at 9999 2> /dev/null") == 3);
    CHECK(shell(kViz + " /tmp/some.h5 --fork-at 600 2> /dev/null") == 2);
}
