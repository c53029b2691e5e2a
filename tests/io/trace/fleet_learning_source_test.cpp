// io/trace/fleet_learning_source: what the vehicles learn goes into the trace as per-agent
// values (read back exactly) and model transfers as connectivity links.
#include "io/trace/fleet_learning_source.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "io/trace/trace_reader.hpp"
#include "io/trace/trace_writer.hpp"
#include "tests/agents/fleet/fleet_test_util.hpp"
#include "tests/io/trace/trace_test_util.hpp"

using namespace swarm;

namespace {

// what the model's learning layer held at each sample, beside the trace
class LearningRecorder final : public sim::Observer {
  public:
    explicit LearningRecorder(const agents::FleetModel& model) : model_(model) {}
    void on_sample(const sim::Engine& /*engine*/, sim::Tick /*t*/) override {
        const agents::FleetLearning& l = *model_.learning();
        values.clear();
        for (std::size_t i = 0; i < agents::FleetLearning::kValues; ++i) {
            values.emplace_back(l.value(i).begin(), l.value(i).end());
        }
        delivered = l.totals().model_messages - l.totals().model_drops;
    }
    std::vector<std::vector<float>> values;  // at the latest sample
    std::uint64_t delivered = 0;

  private:
    const agents::FleetModel& model_;
};

}  // namespace

TEST_CASE("fleet learning values and model transfers are written to the trace") {
    agents::testing::SmallCity city;
    city.spec.demand.kpi_interval_s = 60.0;
    agents::FleetLearningSpec& l = city.spec.learning;
    l.mode = agents::LearningMode::kGossip;
    l.wear = true;
    l.congestion = true;
    l.round_s = 30.0;
    l.eval_every = 1;
    l.degradation.wear_per_hour = 0.1;
    const auto executor = sim::make_executor(2);
    agents::FleetRun run(city.spec,
                         agents::testing::run_options(city.spec, *city.routers, *executor));
    io::FleetLearningSource source(run.model());
    REQUIRE(source.value_names().size() == agents::FleetLearning::kValues);

    // per process: two test runs at once (two build trees) must not meet in one file
    const std::string path = io::testing::temp_path("fleet_learning_trace");
    io::TraceHeader h = io::TraceObserver::header_for(run.model(), 60.0);
    h.agent_values = io::FleetLearningSource::names(city.spec);
    io::TraceWriter writer(path, h);
    io::TraceObserver trace(run.model(), writer);
    trace.add_value_source(source);
    trace.add_link_source(source);
    run.engine().add_observer(trace);
    LearningRecorder recorder(run.model());
    run.engine().add_observer(recorder);
    agents::testing::run_for(run, 0.5);
    writer.close();

    const io::TraceReader reader(path);
    std::vector<std::string> names = reader.agent_values();
    std::sort(names.begin(), names.end());
    std::vector<std::string> expected(agents::FleetLearning::kValueNames.begin(),
                                      agents::FleetLearning::kValueNames.end());
    std::sort(expected.begin(), expected.end());
    CHECK(names == expected);
    // the last frame holds the model's values at the last sample, exactly
    const std::size_t last = reader.samples() - 1;
    REQUIRE(recorder.values.size() == agents::FleetLearning::kValues);
    for (std::size_t i = 0; i < agents::FleetLearning::kValues; ++i) {
        const std::vector<float> got =
            reader.agent_value(agents::FleetLearning::kValueNames[i], last);
        CHECK_MESSAGE(got == recorder.values[i], agents::FleetLearning::kValueNames[i]);
    }
    // wear and the model scores are real numbers
    CHECK(*std::max_element(recorder.values[0].begin(), recorder.values[0].end()) > 0.1F);
    CHECK(*std::min_element(recorder.values[2].begin(), recorder.values[2].end()) > 0.0F);
    // every model transfer that arrived is a link row, with its bytes
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
    for (const io::TraceLink& link : reader.all_links()) {
        CHECK(link.from != link.to);
        CHECK(link.from < run.model().vehicle_count());
        messages += link.messages;
        bytes += link.bytes;
    }
    CHECK(messages > 0);
    CHECK(messages == recorder.delivered);  // up to the last sample
    // the cost KPI on the KPI grid (schema 1.4): grows with the kilometres driven
    const io::TraceSeries cost = reader.observable("cost");
    REQUIRE(cost.value.size() >= 2);
    CHECK(cost.value.front() >= 0.0);
    CHECK(cost.value.back() > cost.value.front());
    CHECK(bytes > 0);
    std::filesystem::remove(path);
}
