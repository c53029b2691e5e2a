// Visualizer frame times under the current display (xvfb-run + Mesa llvmpipe on the team's
// machines): a live city run (scenarios/city_100k.toml, 100k-node grid, fleets scaled to
// 10,000 and 100,000 vehicles) simulated to t = 600 s, then full frames (snapshot copy, colour
// values, vertex upload, map and all ImGui panels, glFinish) at 1280x800 offscreen. Also the
// observer's fill cost per sample on the simulation thread. Agents are drawn both ways: one
// draw of N points (the default) and one instanced draw of one-point instances. Target: 100,000
// agents >= 30 fps.
//   xvfb-run -a build/bench/viz/viz_bench [frames]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/bench_util.hpp"
#include "viz/app.hpp"

int main(int argc, char** argv) {
    const int frames = argc > 1 ? std::atoi(argv[1]) : 120;
    const swarm::bench::MachineReport machine;
    const std::string scenario = std::string(SWARM_SOURCE_DIR) + "/scenarios/city_100k.toml";
    for (const int agents : {10'000, 100'000}) {
        for (const bool instanced : {false, true}) {
            std::printf("%s:\n", instanced ? "one instanced draw (--agents-draw instanced)"
                                           : "one draw of N points (default)");
            std::fflush(stdout);
            swarm::viz::AppOptions o;
            o.instanced = instanced;
            o.input = scenario;
            o.live.scenario = scenario;
            o.live.sample_s = 10.0;
            o.live.overrides = {"fleets.vans.count=" + std::to_string(agents * 4 / 5),
                                "fleets.drones.count=" + std::to_string(agents / 5)};
            o.at_s = 600.0;
            o.width = 1280;
            o.height = 800;
            o.bench_frames = frames;
            const int rc = swarm::viz::run_app(o);
            if (rc != 0) {
                std::fprintf(stderr,
                             "viz_bench: swarmsim-viz exited %d (no display? run under "
                             "xvfb-run -a)\n",
                             rc);
                return rc;
            }
        }
    }
    return 0;
}
