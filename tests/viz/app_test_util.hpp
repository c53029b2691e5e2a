// Shared by the screenshot tests of swarmsim-viz (app_test.cpp, app_dashboard_test.cpp): run
// the program with a display (the current DISPLAY or xvfb-run; neither: exit 77, ctest SKIP),
// read its PNG and frame report, count pixels of a colour.
#pragma once

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/viz/viz_test_util.hpp"
#include "viz/colormap.hpp"
#include "viz/layout.hpp"
#include "viz/png.hpp"

namespace swarm::viz::test {

inline const std::string kViz = SWARM_VIZ_BIN;
inline const std::string kCli = SWARM_CLI_BIN;
inline const std::string kSource = SWARM_SOURCE_DIR;

inline int shell(const std::string& cmd) {
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// how to reach a display: directly, through xvfb-run, or not at all (skip)
inline const std::string& display_prefix() {
    static const std::string prefix = [] {
        if (std::getenv("DISPLAY") != nullptr) {
            return std::string();
        }
        if (shell("command -v xvfb-run > /dev/null 2>&1") == 0) {
            return std::string("xvfb-run -a -s '-screen 0 1024x768x24' ");
        }
        std::fprintf(stderr, "skipped: no DISPLAY and no xvfb-run (apt-get install xvfb xauth)\n");
        std::fflush(stderr);
        std::exit(77);
    }();
    return prefix;
}

// runs swarmsim-viz with a display; a 77 from it (no OpenGL 3.3) skips the test. With
// `report`, the frame report (--layout-out) is read into it.
inline Image screenshot(const std::string& args, const std::string& name,
                        nlohmann::json* report = nullptr) {
    const auto out = temp_path(name);
    const auto json = temp_path(name + ".json");
    // under the sanitizer build Mesa's driver keeps allocations to the end: no leak report
    std::string cmd = "ASAN_OPTIONS=detect_leaks=0 " + display_prefix() + kViz + " " + args +
                      " --screenshot " + out.string();
    if (report != nullptr) {
        cmd += " --layout-out " + json.string();
    }
    cmd += " > /dev/null";
    const int rc = shell(cmd);
    if (rc == 77) {
        std::fprintf(stderr, "skipped: swarmsim-viz found no usable display\n");
        std::exit(77);
    }
    REQUIRE_MESSAGE(rc == 0, cmd);
    Image img = read_png(out.string());
    std::filesystem::remove(out);
    if (report != nullptr) {
        *report = nlohmann::json::parse(std::ifstream(json));
        std::filesystem::remove(json);
    }
    return img;
}

inline bool near(const std::uint8_t* p, Rgb c, int tol = 6) {
    return std::abs(p[0] - c.r) <= tol && std::abs(p[1] - c.g) <= tol &&
           std::abs(p[2] - c.b) <= tol;
}

// pixels of colour c in the rect (whole pixels inside it)
inline std::size_t count_in(const Image& img, Rgb c, const Rect& r) {
    const int x0 = std::max(0, static_cast<int>(std::ceil(r.x)));
    const int y0 = std::max(0, static_cast<int>(std::ceil(r.y)));
    const int x1 = std::min(img.width, static_cast<int>(std::floor(r.right())));
    const int y1 = std::min(img.height, static_cast<int>(std::floor(r.bottom())));
    std::size_t n = 0;
    for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) {
            n += near(img.pixel(x, y), c) ? 1U : 0U;
        }
    }
    return n;
}

// pixels of colour c in columns [x0, x1)
inline std::size_t count(const Image& img, Rgb c, int x0 = 0, int x1 = -1) {
    if (x1 < 0) {
        x1 = img.width;
    }
    return count_in(img, c,
                    {static_cast<float>(x0), 0.0F, static_cast<float>(x1 - x0),
                     static_cast<float>(img.height)});
}

// how many vehicle states have at least one pixel of their colour
inline std::size_t states_seen(const Image& img, int x0 = 0, int x1 = -1) {
    std::size_t seen = 0;
    for (const Rgb c : kStateColour) {
        seen += count(img, c, x0, x1) > 0 ? 1U : 0U;
    }
    return seen;
}

}  // namespace swarm::viz::test
