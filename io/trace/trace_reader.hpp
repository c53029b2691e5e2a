// Reads a swarmsim HDF5 trace (docs/trace-format.md): sizes, frames (positions and states at
// sample k), observable series, events and parameters. Used by the visualizer's replay and
// the tests. A file that cannot be opened is a TraceError (an I/O problem); anything wrong
// with its contents (not HDF5, not a swarmsim trace, a newer major schema, a partial file
// when not allowed, a data set whose rank, type or size disagrees with the header, a chunk
// that does not decompress) is a TraceFormatError, naming the file, the data set and what
// was expected and found. Every data set's shape and type are checked before it is read and
// its extent against the bytes the file holds for it, so that no buffer is sized from a
// number the file cannot back: a hostile file is refused, never a crash or a hang.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/trace/trace_format.hpp"

namespace swarm::io {

// malformed or foreign contents: invalid input (exit code 3 in the front ends), where a plain
// TraceError (a file that cannot be opened or read) is an I/O problem (exit code 4)
class TraceFormatError : public TraceError {
  public:
    using TraceError::TraceError;
};

// a trace held in memory (a fuzzer's input); the reader keeps its own copy
struct TraceImage {
    const void* data = nullptr;
    std::size_t size = 0;
};

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
    // the same from a file image in memory; `name` stands for the path in messages
    TraceReader(const TraceImage& image, const std::string& name, bool allow_partial = false);
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
    // the time of every sample (particles/agents/position/time, samples() rows), in one read
    [[nodiscard]] std::vector<double> sample_times() const;
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
    // the scenario's label of each disruption the run applied (entry i: the rows with order =
    // i; schema 1.8), empty for older files, runs without disruptions or beyond 65536 of them
    [[nodiscard]] std::vector<std::string> disruption_labels() const;
    // connectivity/links rows of sample k (sorted by from, to); empty for traces before
    // schema 1.1 and for samples without traffic
    [[nodiscard]] std::vector<TraceLink> links(std::size_t k) const;
    // every links row, and per sample how many rows it added (same length as samples())
    [[nodiscard]] std::vector<TraceLink> all_links() const;
    [[nodiscard]] std::vector<std::int64_t> links_per_sample() const;

    [[nodiscard]] std::string scenario_text() const;
    [[nodiscard]] std::uint64_t seed() const;
    [[nodiscard]] std::uint64_t threads() const;
    // the MPI ranks the run was spread over (schema 2.1; 1 when the attribute is absent)
    [[nodiscard]] std::uint64_t ranks() const;
    [[nodiscard]] std::string parameter_string(const std::string& name) const;
    [[nodiscard]] double parameter_number(const std::string& name) const;

    // reads every data set once (all frames, per-agent values, observables, events and their
    // kinds, links, the scenario): the first problem is thrown. For checks and fuzzing.
    void read_all() const;
    // what the visualizer's replay reads of a trace it opens, with a bounded number of frames
    // (the first, middle and last, their links and extra values; every observable, the
    // events and their kinds, the disruption labels, the links, the scenario and parameters):
    // what swarmsim-trace-check runs in a child process and the fuzz target reads. A part the
    // reader refuses (TraceError) is skipped: whoever reads it later meets the same refusal.
    void read_replay_parts() const;

  private:
    struct Impl;
    void open(bool allow_partial);
    void check_layout();
    std::string path_;
    std::unique_ptr<Impl> impl_;
    bool complete_ = false;
    std::size_t agents_ = 0;
    std::size_t samples_ = 0;
    std::array<int, 2> schema_{};
};

}  // namespace swarm::io
