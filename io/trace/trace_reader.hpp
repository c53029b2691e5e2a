// Reads a swarmsim HDF5 trace (docs/trace-format.md): sizes, frames (positions and states at
// sample k), observable series, events and parameters. Used by the visualizer's replay and
// the tests. Every problem (missing file, not HDF5, not a swarmsim trace, a newer major
// schema, a partial file when not allowed) is a TraceError naming the file and the problem.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/trace/trace_format.hpp"

namespace swarm::io {

struct TraceFrameData {
    std::int64_t step = 0;
    double time = 0.0;
    std::vector<double> position;  // agents x 2
    std::vector<std::int8_t> state;
    std::vector<float> load;
    std::vector<float> energy;
};

struct TraceSeries {
    std::vector<std::int64_t> step;
    std::vector<double> time;
    std::vector<double> value;  // integer observables converted
};

class TraceReader {
  public:
    // allow_partial: accept a file its writer never closed (complete != 1), e.g. after a
    // crash; its samples are those flushed before the end
    explicit TraceReader(const std::string& path, bool allow_partial = false);
    ~TraceReader();
    TraceReader(const TraceReader&) = delete;
    TraceReader& operator=(const TraceReader&) = delete;

    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] bool complete() const { return complete_; }
    [[nodiscard]] std::size_t agents() const { return agents_; }
    // frames every element holds (the minimum, for a partial file)
    [[nodiscard]] std::size_t samples() const { return samples_; }
    [[nodiscard]] std::array<int, 2> schema_version() const { return schema_; }

    [[nodiscard]] TraceFrameData frame(std::size_t k) const;
    [[nodiscard]] std::vector<std::string> observables() const;
    // per-agent value arrays beyond position, state, load and energy
    // (particles/agents/<name>/value, [T][N], any numeric type), e.g. a model's predictions
    [[nodiscard]] std::vector<std::string> agent_values() const;
    // row k of one of them, as float
    [[nodiscard]] std::vector<float> agent_value(const std::string& name, std::size_t k) const;
    [[nodiscard]] TraceSeries observable(const std::string& name) const;
    // the /events rows; `kind` is the file's code, which event_kinds() explains
    [[nodiscard]] std::vector<TraceEvent> events() const;
    // the file's kinds by code: its recorded table (schema 1.6), or for older files the
    // kinds of this build with the same names (others keep only their name)
    [[nodiscard]] std::vector<TraceKindInfo> event_kinds() const;
    // connectivity/links rows of sample k (sorted by from, to); empty for traces before
    // schema 1.1 and for samples without traffic
    [[nodiscard]] std::vector<TraceLink> links(std::size_t k) const;
    // every links row, and per sample how many rows it added (same length as samples())
    [[nodiscard]] std::vector<TraceLink> all_links() const;
    [[nodiscard]] std::vector<std::int64_t> links_per_sample() const;

    [[nodiscard]] std::string scenario_text() const;
    [[nodiscard]] std::uint64_t seed() const;
    [[nodiscard]] std::uint64_t threads() const;
    [[nodiscard]] std::string parameter_string(const std::string& name) const;
    [[nodiscard]] double parameter_number(const std::string& name) const;

  private:
    struct Impl;
    std::string path_;
    std::unique_ptr<Impl> impl_;
    bool complete_ = false;
    std::size_t agents_ = 0;
    std::size_t samples_ = 0;
    std::array<int, 2> schema_{};
};

}  // namespace swarm::io
