// Shared by the viz tests: a small scenario (a 12x12 grid city, 2 depots, 40 vans, 40 min of
// orders due in 10 min) as TOML text, and a trace of it written as `swarmsim run -o` does.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_run.hpp"
#include "io/scenario/run_options.hpp"
#include "io/scenario/scenario.hpp"
#include "io/trace/fleet_learning_source.hpp"
#include "io/trace/trace_observer.hpp"
#include "io/trace/trace_writer.hpp"

namespace swarm::viz::test {

inline const char* kSmallScenario = R"(schema_version = 1
[run]
seed = 3
duration_s = 2400.0
threads = 1
sample_interval_s = 60.0
[output]
sample_interval_s = 60.0
events = true
[network]
generator = "grid_city"
rows = 12
cols = 12
spacing_m = 100.0
arterial_every = 4
seed = 1
[demand]
profile = "flat"
per_depot_per_hour = 240.0
zone_radius_m = 800.0
max_size = 2
due_s = 600.0
[[depots]]
id = "west"
x = 300.0
y = 600.0
[[depots]]
id = "east"
x = 900.0
y = 600.0
[[vehicle_types]]
id = "van"
kind = "ground"
capacity = 6
[[fleets]]
id = "vans"
type = "van"
count = 40
home = "*"
)";

inline std::filesystem::path temp_path(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           ("swarm_viz_" + std::to_string(::getpid()) + "_" + name);
}

// the small scenario with `extra` (e.g. [[disruptions]] entries) appended
inline std::filesystem::path write_small_scenario(const std::string& extra = {}) {
    const std::filesystem::path p = temp_path("small.toml");
    std::FILE* f = std::fopen(p.c_str(), "w");
    std::fputs(kSmallScenario, f);
    std::fputs(extra.c_str(), f);
    std::fclose(f);
    return p;
}

// runs the small scenario (with `extra` appended) to its end with a trace, as `swarmsim run -o`
// does (with the fleet's learning values and model transfers when the overrides turn learning
// on)
inline void write_small_trace(const std::filesystem::path& path,
                              const std::vector<std::string>& overrides = {},
                              const std::string& extra = {}, bool dense_rows = false) {
    const std::filesystem::path toml = write_small_scenario(extra);
    io::ScenarioOptions so;
    so.overrides = overrides;
    const io::Scenario s = io::load_scenario(toml, so);
    agents::FleetRunOptions ro = io::fleet_run_options(s);
    ro.threads = 1;
    ro.sample_first = s.spec.time.from_seconds(s.run.sample_interval_s);
    ro.sample_interval = ro.sample_first;
    ro.kpi_samples = false;
    agents::FleetRun run(s.spec, ro);
    agents::FleetModel& model = run.model();
    io::TraceHeader h = io::TraceObserver::header_for(model, s.run.sample_interval_s);
    h.scenario_text = s.resolved_toml;
    h.seed = s.run.seed;
    h.agent_values = io::FleetLearningSource::names(s.spec);
    io::TraceOptions to;
    to.replace = true;           // tests write a clean trace again where they damaged one
    to.dense_rows = dense_rows;  // schema 3.0: dense states, loads and energies
    io::TraceWriter writer(path.string(), h, to);
    io::TraceObserver observer(model, writer);
    io::FleetLearningSource learned(model);
    if (!h.agent_values.empty()) {
        observer.add_value_source(learned);
        observer.add_link_source(learned);
    }
    run.add_observer(observer);
    sim::RunLimits limits;
    limits.until = s.spec.time.from_seconds(s.run.duration_s);
    run.run(limits);
    writer.close();
}

}  // namespace swarm::viz::test
