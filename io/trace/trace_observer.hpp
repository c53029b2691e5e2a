// Feeds a TraceWriter from a fleet run (schema 3.3: TraceHeader::nodes). At each sample time
// (between windows, on the engine's barrier thread) it copies only what changed since the last
// frame: for each vehicle the model flags (FleetModel::take_changes: state, leg, load, energy)
// its legs row, packed as the file stores it (every vehicle's at a keyframe), the orders whose
// lifecycle moved (as /events rows), the order counters summed over depots, the KPI intervals
// completed since and the disruptions applied; the fleet's busy share, energy and distance
// are the model's tallies (fleet_tally.hpp, kept as the vehicles change: a frame reads the
// partitions, not the vehicles). On the writer thread (as the writer's FrameCompleter) it
// sorts the frame's events. The simulation pays for the news, not for the size of the fleet,
// and the positions cost only the legs that changed (the readers compute the positions from
// them). A flagged vehicle whose row is the same as its last (the model touched its plan, say)
// gets a row again: comparing would keep a copy of every row, whose reads cost more.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/kpi_observer.hpp"
#include "io/trace/trace_writer.hpp"
#include "sim/observer.hpp"

namespace swarm::io {

// Whatever knows who talked to whom (the comms and learning layers): asked at every recorded
// sample, on the engine's barrier thread (no window is running), to append the links since
// it was last asked (connectivity/links; TraceLink documents the fields). Order and
// duplicates do not matter: the writer sorts and merges.
class LinkSource {
  public:
    virtual ~LinkSource() = default;
    virtual void collect_links(sim::Tick t, std::vector<TraceLink>& out) = 0;
};

// Whatever publishes per-agent values (the learning layer: predicted risk, model loss, wear):
// each name becomes particles/agents/<name>/value, [samples][agents] float32, on the same
// time axis as the other per-agent elements. The names are fixed for the run (asked once,
// when the source is added); collect_values is called at every recorded sample, on the
// engine's barrier thread, with one span per name (in value_names() order), each sized to
// the agents and pre-filled with NaN, to fill with the values at time t.
class AgentValueSource {
  public:
    virtual ~AgentValueSource() = default;
    [[nodiscard]] virtual std::vector<std::string> value_names() const = 0;
    virtual void collect_values(sim::Tick t, std::span<const std::span<float>> out) = 0;
};

// Every sample the engine gives it is a frame: the observer's sampling grid is the frame
// grid (Engine::add_observer(trace, first, interval)), and Engine::sample_now() at the end
// of a run adds the final state.
struct TraceObserverOptions {
    // order lifecycle rows in /events (exact times). Vehicle state changes are not rows of
    // their own (schema 3.4): the legs rows carry every state at sample resolution
    bool order_events = true;
};

class TraceObserver final : public sim::Observer, private FrameCompleter {
  public:
    // before the run: follows the model's changes (FleetModel::follow_changes; one follower
    // per model) and completes the writer's frames until destroyed
    TraceObserver(agents::FleetModel& model, TraceWriter& writer,
                  TraceObserverOptions options = {});
    TraceObserver(const TraceObserver&) = delete;
    TraceObserver& operator=(const TraceObserver&) = delete;
    // waits until the writer has completed the frames already pushed
    ~TraceObserver() override;

    void on_sample(const sim::Engine& engine, sim::Tick t) override;

    // A fork (swarmsim fork): continues the trace of the run the model was resumed from, as
    // if it had followed that run from the start. Call before the first sample. What the
    // model's state already holds counts as written: every order's lifecycle rows so far,
    // the disruptions applied (their labels go into the first frame, so that later rows keep
    // their run-wide index) and the KPI intervals complete at previous_frame, the original
    // run's last frame before this observer's first. The counts, cost, indicators, veh_km and
    // energy are read from the model's state, not summed here, so they continue unchanged.
    void resume(sim::Tick previous_frame);

    // registers a source of connectivity rows (kept by reference; add before the run)
    void add_link_source(LinkSource& source) { link_sources_.push_back(&source); }

    // registers a source of per-agent values (kept by reference; add before the run). Its
    // names must be declared in the writer's TraceHeader::agent_values (the file layout is
    // fixed when the writer opens it) and not published by another source: TraceError
    // otherwise. Declared names that no source fills stay NaN.
    void add_value_source(AgentValueSource& source);

    [[nodiscard]] std::uint64_t frames() const { return frames_; }
    // wall seconds spent in on_sample (the snapshot, on the simulation's critical path),
    // and of those blocked in TraceWriter::push on a full queue
    [[nodiscard]] double sample_seconds() const { return sample_s_; }
    [[nodiscard]] double push_seconds() const { return push_s_; }

    // the header fields the model knows (agents, depots, network, intervals); the caller adds
    // scenario text, seed and threads
    [[nodiscard]] static TraceHeader header_for(const agents::FleetModel& model,
                                                double sample_interval_s);

  private:
    struct ValueSlot {
        AgentValueSource* source;
        std::vector<std::size_t> columns;  // per name of the source: index in the header's list
    };
    // simulation thread
    void count_orders(std::uint32_t depot);
    void record_vehicles(TraceFrame& frame);
    void record_orders(TraceFrame& frame);
    void record_disruptions(TraceFrame& frame);
    // writer thread
    void complete(TraceFrame& frame) override;

    agents::FleetModel& model_;
    TraceWriter& writer_;
    TraceObserverOptions options_;
    std::uint64_t frames_ = 0;
    double sample_s_ = 0.0;
    double push_s_ = 0.0;
    std::size_t next_interval_ = 0;
    agents::FleetModel::Changes changes_;
    std::size_t keyframe_frames_ = 1;  // the writer's
    // per depot and order: the lifecycle rows already written (bit 0 created, 1 assigned,
    // 2 picked up, 3 the terminal row)
    std::vector<std::vector<std::uint8_t>> reported_;
    // order counters per depot as last read, and their sums
    std::vector<agents::OrderTotals> depot_totals_;
    agents::OrderTotals totals_;
    std::size_t disruptions_reported_ = 0;     // entries of the model's disruption log written
    std::vector<std::string> resumed_labels_;  // resume(): for the first frame
    std::vector<LinkSource*> link_sources_;
    std::vector<ValueSlot> value_sources_;
    std::vector<std::span<float>> value_spans_;

    std::vector<std::uint32_t> every_;  // 0 .. vehicles - 1: a keyframe's rows
};

// The trace of a run across MPI ranks (docs/distributed.md) is written by rank 0's
// TraceObserver; every other rank adds one of these on the same grid instead. Its samples make
// every rank sync its replicas at the frame times (the engine's barrier hook), and it follows
// the model's changes as the observer does, dropping them, so that the records the ranks
// exchange carry exactly the changes since the last frame (FleetModel::follow_changes).
class TraceFollower final : public sim::Observer {
  public:
    explicit TraceFollower(agents::FleetModel& model);
    void on_sample(const sim::Engine& engine, sim::Tick t) override;

  private:
    agents::FleetModel& model_;
    agents::FleetModel::Changes changes_;
};

}  // namespace swarm::io
