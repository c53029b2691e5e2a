// swarmsim-viz: live map of a scenario, replay of a trace, comparison of two traces, and
// headless screenshots. docs/viz.md describes the modes and controls.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "io/output/output_file.hpp"
#include "io/scenario/scenario.hpp"
#include "io/trace/trace_reader.hpp"
#include "viz/app.hpp"
#include "viz/layout.hpp"
#include "viz/script.hpp"

int main(int argc, char** argv) {
    using swarm::viz::AppOptions;
    AppOptions o;
    CLI::App app("swarmsim-viz: live map, replay and executive dashboard (docs/viz.md)");
    app.add_option("input", o.input, "Scenario (.toml, live mode) or trace (.h5, replay)")
        ->required();
    app.add_option("--compare", o.compare, "A second trace shown side by side (replay)");
    app.add_option("--set", o.live.overrides, "Override a scenario field: key.path=value");
    std::size_t threads = 0;
    auto* jopt = app.add_option("-j,--threads", threads, "Worker threads (0: all cores)")
                     ->check(CLI::Range(std::size_t{0}, std::size_t{1024}));
    app.add_option("--sample", o.live.sample_s, "Live snapshot interval, simulated seconds")
        ->check(CLI::PositiveNumber);
    app.add_option("--speed", o.speed, "Simulated seconds per wall second (0: as fast as possible)")
        ->check(CLI::NonNegativeNumber);
    app.add_flag("--paused", o.paused, "Start paused");
    app.add_option("--agent-size", o.agent_px, "Agent diameter in pixels")
        ->check(CLI::Range(1.0F, 32.0F));
    std::string draw = "points";
    app.add_option("--agents-draw", draw,
                   "instanced (one instanced draw) or points (one draw of N points)")
        ->check(CLI::IsMember({"instanced", "points"}));
    app.add_flag("--radio-links", o.radio_links, "Draw radio links (live mode)");
    app.add_flag("!--no-gossip", o.gossip, "Do not draw gossip exchanges");
    auto* no_ui = app.add_flag("--no-ui", o.no_ui, "Draw the map alone, without panels");
    app.add_flag("--kiosk", o.kiosk,
                 "Executive layout: the map and big KPI tiles, no control panel")
        ->excludes(no_ui);
    app.add_option("--colour-by", o.colour_by, "state, load, energy or an extra value name");
    std::vector<std::string> close;
    app.add_option("--close", close,
                   "Live: close a road at time 0: a name, way:ID or an edge id (that street both "
                   "ways, as a click)");
    std::vector<std::string> steps;
    app.add_option("--do", steps,
                   "Live: at simulated time T, what the mouse does: T:ACTION[:ARG], e.g. "
                   "600:depot_down:west, 900:cloud_cut, 1200:break:0.2, "
                   "1500:close:Boulevard Albert 1er (repeatable; docs/viz.md)");
    double fork_at = 0.0;
    auto* fork_opt = app.add_option("--fork-at", fork_at,
                                    "Live: fork the run at simulated time T into a branch shown "
                                    "beside it, as the \"Fork here\" button does (docs/viz.md)")
                         ->check(CLI::PositiveNumber);
    app.add_option("--fork-set", o.live.fork_overrides,
                   "With --fork-at: what the branch changes, key.path=value (repeatable; what "
                   "`swarmsim fork --set` may change)")
        ->needs(fork_opt);
    app.add_option("--screenshot", o.screenshot, "Render one frame to this PNG and exit");
    app.add_flag("--force", o.force,
                 "Replace an existing screenshot file (never a device or link)");
    app.add_option("--layout-out", o.layout_out,
                   "With --screenshot: write where the frame put its maps, panels and tiles "
                   "(JSON)");
    app.add_option("--at", o.at_s, "Screenshot time, simulated seconds")
        ->check(CLI::NonNegativeNumber);
    std::string size;
    app.add_option("--size", size,
                   "Screenshot or window size WxH (default 1280x800; at least 1024x640 with "
                   "panels)");
    app.add_option("--bench-frames", o.bench_frames,
                   "Render this many offscreen frames and print frame times")
        ->check(CLI::Range(1, 100000));
    app.add_option("--quit-after", o.quit_after_s, "Close the window after this many wall seconds")
        ->check(CLI::NonNegativeNumber);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (!size.empty()) {
        // WxH, each 64..8192 pixels (no std::regex: GCC 12 warns inside it under sanitizers)
        int w = 0;
        int h = 0;
        char tail = '\0';
        if (std::sscanf(size.c_str(), "%5dx%5d%c", &w, &h, &tail) != 2 || w < 64 || h < 64 ||
            w > 8192 || h > 8192) {
            std::cerr << "swarmsim-viz: error: --size must be WxH with 64..8192 pixels each, got '"
                      << size << "'\n";
            return 2;
        }
        o.width = w;
        o.height = h;
    }
    // the panels are docked beside the map down to this size; smaller only for the map alone
    if (!o.no_ui &&
        (o.width < swarm::viz::kMinWindowWidth || o.height < swarm::viz::kMinWindowHeight)) {
        std::cerr << "swarmsim-viz: error: --size " << o.width << "x" << o.height
                  << " is smaller than the panels need (" << swarm::viz::kMinWindowWidth << "x"
                  << swarm::viz::kMinWindowHeight << "); use --no-ui for the map alone\n";
        return 2;
    }
    if (!o.layout_out.empty() && o.screenshot.empty()) {
        std::cerr << "swarmsim-viz: error: --layout-out goes with --screenshot\n";
        return 2;
    }
    o.instanced = draw == "instanced";
    // scripted steps: their syntax now, what they name once the scenario is loaded
    try {
        for (const std::string& c : close) {
            o.live.script.push_back(swarm::viz::close_step(c));
        }
        for (const std::string& d : steps) {
            o.live.script.push_back(swarm::viz::parse_step(d));
        }
    } catch (const swarm::viz::ScriptError& e) {
        std::cerr << "swarmsim-viz: error: " << e.what() << "\n";
        return 2;
    }
    if (*jopt) {
        o.live.threads = threads;
    }
    if (*fork_opt) {
        o.live.fork_at_s = fork_at;
    }
    o.live.scenario = o.input;
    if (!o.screenshot.empty()) {
        // before anything is rendered: a device, directory, link, or an existing file
        // without --force
        try {
            swarm::io::check_output_path(o.screenshot, o.force);
            if (!o.layout_out.empty()) {
                swarm::io::check_output_path(o.layout_out, o.force);
            }
        } catch (const swarm::io::OutputError& e) {
            std::cerr << "swarmsim-viz: error: " << e.what() << "\n";
            return 4;
        }
    }
    try {
        return swarm::viz::run_app(o);
    } catch (const swarm::io::ScenarioError& e) {
        std::cerr << e.what() << "\n";
        return 3;
    } catch (const swarm::io::TraceFormatError& e) {
        // a damaged or foreign trace: invalid input
        std::cerr << "swarmsim-viz: " << e.what() << "\n";
        return 3;
    } catch (const swarm::io::TraceError& e) {
        // a trace that cannot be opened
        std::cerr << "swarmsim-viz: " << e.what() << "\n";
        return 4;
    } catch (const swarm::io::OutputError& e) {
        std::cerr << "swarmsim-viz: error: " << e.what() << "\n";
        return 4;
    } catch (const swarm::viz::ForkError& e) {
        // a --fork-set that may not change mid-run, or a --fork-at outside the run
        std::cerr << "swarmsim-viz: error: " << e.what() << "\n";
        return 3;
    } catch (const swarm::viz::ScriptError& e) {
        // a --do or --close naming nothing in the scenario
        std::cerr << "swarmsim-viz: error: " << e.what() << "\n";
        return 2;
    } catch (const swarm::viz::UsageError& e) {
        std::cerr << "swarmsim-viz: error: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "swarmsim-viz: error: " << e.what() << "\n";
        return 1;
    }
}
