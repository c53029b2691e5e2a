// A short traced run of the small fleet city (tests/agents/fleet/fleet_test_util.hpp) for the
// trace tests and the trace_test_writer tool.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "io/trace/trace_observer.hpp"
#include "io/trace/trace_writer.hpp"
#include "tests/agents/fleet/fleet_test_util.hpp"

namespace swarm::io::testing {

// a file name in the temp directory, per process (tests run in parallel)
inline std::string temp_path(const char* name) {
    return (std::filesystem::temp_directory_path() /
            (std::string("swarm_") + name + "_" + std::to_string(getpid()) + ".h5"))
        .string();
}

// records what the trace observer saw, sample by sample, for the round-trip comparison
class RecordingObserver final : public sim::Observer {
  public:
    explicit RecordingObserver(const agents::FleetModel& model) : model_(model) {}
    void on_sample(const sim::Engine& /*engine*/, sim::Tick t) override {
        std::vector<double> pos;
        std::vector<std::int8_t> st;
        std::vector<float> ld;
        std::vector<float> en;
        std::vector<double> kwh;
        const agents::FleetState& fleet = model_.vehicles();
        for (std::uint32_t v = 0; v < model_.vehicle_count(); ++v) {
            const agents::Point p = model_.position_at(v, t);
            // the trace stores float32 metres, loads and kWh
            pos.push_back(static_cast<double>(static_cast<float>(p.x)));
            pos.push_back(static_cast<double>(static_cast<float>(p.y)));
            st.push_back(static_cast<std::int8_t>(fleet.hot[v].state));
            ld.push_back(static_cast<float>(fleet.warm[v].load));
            en.push_back(static_cast<float>(fleet.hot[v].energy_kwh));
            kwh.push_back(fleet.hot[v].energy_kwh);
        }
        ticks.push_back(t);
        positions.push_back(std::move(pos));
        states.push_back(std::move(st));
        loads.push_back(std::move(ld));
        energies.push_back(std::move(en));
        energies_kwh.push_back(std::move(kwh));
    }
    std::vector<sim::Tick> ticks;
    std::vector<std::vector<double>> positions;
    std::vector<std::vector<std::int8_t>> states;
    std::vector<std::vector<float>> loads;
    std::vector<std::vector<float>> energies;
    std::vector<std::vector<double>> energies_kwh;  // as the fleet holds them

  private:
    const agents::FleetModel& model_;
};

// the engine samples on the KPI grid (FleetRun sets it): one minute here
inline constexpr double kSampleSeconds = 60.0;

struct TracedRun {
    agents::testing::SmallCity city;
    std::unique_ptr<sim::Executor> executor = sim::make_executor(2);
    std::unique_ptr<agents::FleetRun> run;
    std::unique_ptr<RecordingObserver> recorder;
    LinkSource* links = nullptr;             // fed to the trace observer when set
    AgentValueSource* values = nullptr;      // likewise; its names go into the header
    double sample_seconds = kSampleSeconds;  // the header's (the engine samples on the KPI grid)

    // tweak: changes to the small city's spec before the model is made (e.g. disruptions)
    explicit TracedRun(const std::function<void(agents::FleetSpec&)>& tweak = {}) {
        city.spec.demand.kpi_interval_s = kSampleSeconds;
        if (tweak) {
            tweak(city.spec);
        }
        run = std::make_unique<agents::FleetRun>(
            city.spec, agents::testing::run_options(city.spec, *city.routers, *executor));
        recorder = std::make_unique<RecordingObserver>(run->model());
    }

    [[nodiscard]] TraceHeader header() const {
        TraceHeader h = TraceObserver::header_for(run->model(), sample_seconds);
        h.scenario_text = "# test scenario\nname = \"small-city\"\n";
        h.scenario_name = "small-city";
        h.seed = 11;
        h.threads = 2;
        if (values != nullptr) {
            h.agent_values = values->value_names();
        }
        return h;
    }

    // writes `hours` of the run to `path` and closes the trace
    agents::testing::RunResult write(const std::string& path, double hours,
                                     TraceOptions options = {}) {
        TraceWriter writer(path, header(), options);
        TraceObserver trace(run->model(), writer);
        if (links != nullptr) {
            trace.add_link_source(*links);
        }
        if (values != nullptr) {
            trace.add_value_source(*values);
        }
        run->add_observer(trace);
        run->add_observer(*recorder);
        agents::testing::RunResult r = agents::testing::run_for(*run, hours);
        writer.close();
        return r;
    }
};

}  // namespace swarm::io::testing
