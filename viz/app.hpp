// The swarmsim-viz application: a GLFW window with the maps (MapRenderer) and ImGui panels
// docked beside them (controls and inspector, executive dashboard; or the kiosk's big
// tiles), in live mode (a LiveSession) or replay mode (one ReplaySource, or two side by side
// with --compare), and the headless screenshot mode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "viz/live.hpp"

namespace swarm::viz {

struct AppOptions {
    std::string input;       // scenario (.toml): live; anything else: a trace to replay
    std::string compare;     // a second trace, shown beside the first
    LiveOptions live;        // live.script: --close and --do steps
    std::string screenshot;  // write one frame at `at_s` to this PNG and exit
    bool force = false;      // the screenshot may replace an existing file
    double at_s = 0.0;
    int width = 1280;
    int height = 800;
    std::string colour_by = "state";  // state, load, energy or an extra value name
    double speed = 60.0;              // simulated s per wall s; 0: as fast as possible
    bool paused = false;
    bool no_ui = false;
    // the executive layout: the maps and big tiles, no control column (docs/viz.md)
    bool kiosk = false;
    // with --screenshot: where the frame's report goes (FrameReport, JSON)
    std::string layout_out;
    float agent_px = 4.0F;  // agent diameter in pixels
    // all agents in one draw either way: one glDrawArrays(GL_POINTS) of N points (default;
    // about twice as fast under llvmpipe) or one instanced draw of N one-point instances
    bool instanced = false;
    bool radio_links = false;   // draw radio links (nearest peers in range)
    bool gossip = true;         // draw the gossip exchanges of road news
    int bench_frames = 0;       // > 0: render this many offscreen frames, print frame times
    double quit_after_s = 0.0;  // > 0: close the window after this much wall time (tests)
};

// exit codes as the CLI's: 0 ok, 1 runtime failure, 3 invalid input, 4 I/O, 77 no display
inline constexpr int kExitNoDisplay = 77;
// a command-line choice that turns out wrong once the data is there (e.g. --colour-by a
// value the run does not have): exit code 2, like a bad flag
class UsageError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

int run_app(const AppOptions& options);

}  // namespace swarm::viz
