// TraceObserver's per-agent value sources: values land in particles/agents/<name>/value at
// the right frames, TraceReader (and so the visualizer's replay) lists them, and bad names
// are refused with a TraceError.
#include "io/trace/trace_observer.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "io/trace/trace_reader.hpp"
#include "tests/io/trace/trace_test_util.hpp"

namespace {

using namespace swarm;
using swarm::io::testing::TracedRun;

using swarm::io::testing::temp_path;

// risk = 100 * agent + minute of the sample, wear = -agent: exact in float32
class FakeValues final : public io::AgentValueSource {
  public:
    explicit FakeValues(std::vector<std::string> names) : names_(std::move(names)) {}
    [[nodiscard]] std::vector<std::string> value_names() const override { return names_; }
    void collect_values(sim::Tick t, std::span<const std::span<float>> out) override {
        ++calls;
        REQUIRE(out.size() == names_.size());
        const auto minute = static_cast<float>(t / (60 * sim::Tick{1'000'000}));
        for (std::size_t v = 0; v < out[0].size(); ++v) {
            out[0][v] = 100.0F * static_cast<float>(v) + minute;
            if (out.size() > 1) {
                out[1][v] = -static_cast<float>(v);
            }
        }
    }
    std::size_t calls = 0;

  private:
    std::vector<std::string> names_;
};

}  // namespace

TEST_CASE("per-agent value sources are written at every frame and listed by the reader") {
    const std::string path = temp_path("values");
    TracedRun t;
    FakeValues source({"predicted_risk", "wear"});
    t.values = &source;
    (void)t.write(path, 0.5);
    const io::TraceReader reader(path);
    REQUIRE(reader.samples() == 29);  // 1 ... 29 minutes
    CHECK(source.calls == reader.samples());
    CHECK(reader.agent_values() == std::vector<std::string>{"predicted_risk", "wear"});
    const std::size_t n = reader.agents();
    REQUIRE(n > 1);
    for (const std::size_t k : {std::size_t{0}, std::size_t{13}, std::size_t{28}}) {
        const std::vector<float> risk = reader.agent_value("predicted_risk", k);
        const std::vector<float> wear = reader.agent_value("wear", k);
        REQUIRE(risk.size() == n);
        REQUIRE(wear.size() == n);
        for (std::size_t v = 0; v < n; ++v) {
            CHECK(risk[v] == 100.0F * static_cast<float>(v) + static_cast<float>(k + 1));
            CHECK(wear[v] == -static_cast<float>(v));
        }
    }
    std::filesystem::remove(path);
}

TEST_CASE("declared per-agent values without a source stay NaN") {
    const std::string path = temp_path("values_nan");
    TracedRun t;
    io::TraceHeader h = t.header();
    h.agent_values = {"model_loss"};
    {
        io::TraceWriter writer(path, h);
        io::TraceObserver trace(t.run->model(), writer);
        t.run->add_observer(trace);
        (void)agents::testing::run_for(*t.run, 0.1);
        writer.close();
    }
    const io::TraceReader reader(path);
    REQUIRE(reader.samples() > 0);
    for (const float x : reader.agent_value("model_loss", 0)) {
        CHECK(std::isnan(x));
    }
    std::filesystem::remove(path);
}

TEST_CASE("bad per-agent value names are trace errors naming the value") {
    const std::string path = temp_path("values_bad");
    TracedRun t;
    const auto refused = [&](std::vector<std::string> names, const char* what) {
        io::TraceHeader h = t.header();
        h.agent_values = std::move(names);
        try {
            io::TraceWriter writer(path, h);
            FAIL("accepted");
        } catch (const io::TraceError& e) {
            CHECK(std::string(e.what()).find(what) != std::string::npos);
        }
    };
    refused({"energy"}, "'energy': clashes with a standard element");
    refused({"box"}, "'box': clashes");
    refused({"a/b"}, "'a/b': not a valid name");
    refused({""}, "'': not a valid name");
    refused({".hidden"}, "not a valid name");
    refused({"risk", "risk"}, "'risk': declared twice");

    // the observer: a source's names must be declared, and published by one source only
    io::TraceHeader h = t.header();
    h.agent_values = {"risk"};
    io::TraceWriter writer(path, h);
    io::TraceObserver trace(t.run->model(), writer);
    FakeValues undeclared({"wear"});
    CHECK_THROWS_WITH_AS(trace.add_value_source(undeclared),
                         doctest::Contains("'wear' is not declared"), io::TraceError);
    FakeValues twice({"risk", "risk"});
    CHECK_THROWS_WITH_AS(trace.add_value_source(twice), doctest::Contains("named twice"),
                         io::TraceError);
    FakeValues first({"risk"});
    FakeValues second({"risk"});
    trace.add_value_source(first);
    CHECK_THROWS_WITH_AS(trace.add_value_source(second),
                         doctest::Contains("published by two sources"), io::TraceError);
    writer.close();
    std::filesystem::remove(path);
}
