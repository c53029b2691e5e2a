// Feeds a TraceWriter from a fleet run: at each sample time (between windows, on the engine's
// barrier thread) copies vehicle positions (FleetModel::position_at), states, loads and
// energy, the order counters summed over depots and the KPI intervals completed since the
// last frame into a frame, scans the order books for lifecycle events, and pushes the frame.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/trace/trace_writer.hpp"
#include "sim/observer.hpp"

namespace swarm::agents {
class FleetModel;
}

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

struct TraceObserverOptions {
    std::uint64_t every = 1;   // record every n-th engine sample
    bool order_events = true;  // order lifecycle rows in /events (exact times)
    bool state_events = true;  // vehicle state changes, at sample resolution
};

class TraceObserver final : public sim::Observer {
  public:
    TraceObserver(const agents::FleetModel& model, TraceWriter& writer,
                  TraceObserverOptions options = {});

    void on_sample(const sim::Engine& engine, sim::Tick t) override;

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
    void snapshot_vehicles(TraceFrame& frame, sim::Tick t);
    void snapshot_positions(TraceFrame& frame, sim::Tick t);
    void scan_orders(TraceFrame& frame);
    void scan_disruptions(TraceFrame& frame);

    const agents::FleetModel& model_;
    TraceWriter& writer_;
    TraceObserverOptions options_;
    std::uint64_t samples_ = 0;
    std::uint64_t frames_ = 0;
    double sample_s_ = 0.0;
    double push_s_ = 0.0;
    std::size_t next_interval_ = 0;
    std::vector<std::int8_t> last_state_;
    // positions of the last frame, and per vehicle the nodes they were computed from (to ==
    // none: still at from) with the leg's end points: road-network lookups only on changes
    std::vector<float> position_;
    std::vector<std::uint32_t> cached_from_;
    std::vector<std::uint32_t> cached_to_;
    std::vector<double> leg_xy_;           // per vehicle: from x, y, to x, y
    std::vector<std::uint32_t> lookups_;  // vehicles whose nodes changed this frame
    std::vector<LinkSource*> link_sources_;
    std::vector<ValueSlot> value_sources_;
    std::vector<std::span<float>> value_spans_;
    // per depot: orders seen so far, and the ones not yet terminal with the stages already
    // reported (bit 0 created, 1 assigned, 2 picked up; terminal ones leave the list)
    struct OpenOrder {
        std::uint64_t index;
        std::uint8_t reported;
    };
    std::vector<std::uint64_t> seen_;
    std::vector<std::uint64_t> stamp_;  // sum of the depot's lifecycle counters at the last scan
    std::vector<std::vector<OpenOrder>> open_;
    std::size_t disruptions_reported_ = 0;  // entries of the model's disruption log written
};

}  // namespace swarm::io
