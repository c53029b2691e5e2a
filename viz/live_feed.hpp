// The live view's kernel observer: at every engine sample it copies the fleet's positions,
// states, loads and energy, the learned values, the KPIs and the disruptions into the back
// of a SnapshotBuffer and publishes it (viz/live.hpp). It runs on the simulation thread;
// the UI thread only sets what it wants to see (the watched agent, links) through atomics.
#pragma once

#include <atomic>
#include <cstdint>

#include "sim/observer.hpp"
#include "viz/disruption.hpp"
#include "viz/geometry.hpp"
#include "viz/snapshot.hpp"

namespace swarm::agents {
class FleetModel;
}  // namespace swarm::agents

namespace swarm::viz {

class LiveFeed final : public sim::Observer {
  public:
    LiveFeed(const agents::FleetModel& model, const RoadGeometry& roads, SnapshotBuffer& buffer);

    void on_sample(const sim::Engine& engine, sim::Tick t) override;

    // a fork's feed: what `trunk` has seen so far (its KPI history, the disruptions, what the
    // UI watches) is this run's history up to the fork at `at_s`, so that its charts start
    // from the common history and diverge there. On the simulation thread, before the first
    // sample.
    void continue_from(const LiveFeed& trunk, double at_s);

    std::atomic<std::uint32_t> watched{0xFFFFFFFFu};
    std::atomic<bool> want_radio{false};
    std::atomic<bool> want_gossip{false};
    std::atomic<std::uint64_t> samples{0};
    std::atomic<std::uint64_t> nanos{0};

  private:
    void fill(sim::Tick t);
    void fill_detail(sim::Tick t, AgentDetail& d) const;
    void read_disruptions();
    void fill_links(Snapshot& s);

    static constexpr std::size_t kRadioPeers = 3;
    const agents::FleetModel& model_;
    const RoadGeometry& roads_;
    SnapshotBuffer& buffer_;
    KpiHistory history_;
    DisruptionState disruptions_;
    ActiveDisruptions active_;
    std::size_t road_events_ = 0;
    std::size_t logged_ = 0;
};

}  // namespace swarm::viz
