// Feeds a TraceWriter from a fleet run: at each sample time (between windows, on the engine's
// barrier thread) copies vehicle positions (FleetModel::position_at), states, loads and
// energy, the order counters summed over depots and the KPI intervals completed since the
// last frame into a frame, scans the order books for lifecycle events, and pushes the frame.
#pragma once

#include <cstdint>
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

    [[nodiscard]] std::uint64_t frames() const { return frames_; }

    // the header fields the model knows (agents, depots, network, intervals); the caller adds
    // scenario text, seed and threads
    [[nodiscard]] static TraceHeader header_for(const agents::FleetModel& model,
                                                double sample_interval_s);

  private:
    void scan_orders(TraceFrame& frame);
    void scan_disruptions(TraceFrame& frame);

    const agents::FleetModel& model_;
    TraceWriter& writer_;
    TraceObserverOptions options_;
    std::uint64_t samples_ = 0;
    std::uint64_t frames_ = 0;
    std::size_t next_interval_ = 0;
    std::vector<std::int8_t> last_state_;
    std::vector<LinkSource*> link_sources_;
    // per depot: orders below `first_open_` are terminal and reported; per order the stages
    // already reported (bit 0 created, 1 assigned, 2 picked up, 3 terminal)
    std::vector<std::uint64_t> first_open_;
    std::vector<std::vector<std::uint8_t>> reported_;
    std::size_t disruptions_reported_ = 0;  // entries of the model's disruption log written
};

}  // namespace swarm::io
