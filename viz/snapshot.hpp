// What the visualizer draws at one instant, GPU-ready: agent positions as interleaved float
// x,y relative to the map origin (float keeps city-sized maps to millimetres and halves the
// upload), per-agent state and values, the road closures and depot status, and the headline
// counters. Live mode fills one at each engine sample; replay builds one from trace frames.
// SnapshotBuffer hands snapshots from the simulation thread to the renderer without either
// ever waiting for the other (a triple buffer).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "agents/fleet/fleet_spec.hpp"

namespace swarm::viz {

// the cumulative counters and ratios a dashboard shows at one instant
struct KpiPoint {
    double time_s = 0.0;
    double created = 0.0;
    double delivered = 0.0;
    double delivered_on_time = 0.0;
    double failed = 0.0;
    double backlog = 0.0;
    double orphaned = 0.0;
    double busy_fraction = 0.0;
    double energy_kwh = 0.0;
    double distance_km = 0.0;
};

// one complete KPI interval [end_s - interval_s, end_s)
struct IntervalKpi {
    double end_s = 0.0;
    double service_level = 1.0;  // Q(k)
    double due = 0.0;
    double deliveries = 0.0;
    double utilisation = 0.0;
    // the cost KPI so far (currency; docs/disruptions.md) when the interval completed; NaN
    // when the run does not report it (traces before schema 1.4)
    double cost = std::numeric_limits<double>::quiet_NaN();
    // the leading indicators at the sample that completed the interval
    // (agents::open_order_kpis; traces since schema 1.5): open orders, those no vehicle has
    // accepted, the oldest one's wait (NaN: none), those not yet due but estimated to be
    // handed over late, and those past due
    double open = 0.0;
    double unassigned = 0.0;
    double oldest_unassigned_age_s = std::numeric_limits<double>::quiet_NaN();
    double at_risk = 0.0;
    double overdue = 0.0;
};

struct KpiHistory {
    double interval_s = 0.0;    // KPI grid
    double agents = 0.0;        // vehicles (for vehicle-hours)
    bool has_orphaned = false;  // whether KpiPoint::orphaned is recorded
    bool has_leading = false;   // whether the intervals carry the leading indicators
    std::vector<KpiPoint> samples;
    std::vector<IntervalKpi> intervals;
    std::vector<double> disruptions;  // times (s) of disruptions, ascending
    // a live fork's branch: when it left its trunk (s), whose history it holds before then;
    // NaN when the run is not a fork
    double forked_at_s = std::numeric_limits<double>::quiet_NaN();
    // the scenario's thresholds on Q (its defaults when the scenario cannot be read), as the
    // run summary's time to recover uses them: the tiles and the chart's lines
    agents::ResilienceParams resilience;

    void clear();
    // samples with time <= t (binary search)
    [[nodiscard]] std::size_t samples_until(double t) const;
    // intervals that ended at or before t
    [[nodiscard]] std::size_t intervals_until(double t) const;
};

// one per-agent value array beyond load and energy (e.g. predicted risk, model accuracy)
struct ValueArray {
    std::string name;
    std::vector<float> values;  // by agent
};

// a pair of agents that exchanged something (radio link, gossip) at the snapshot time
struct AgentLink {
    std::uint32_t a = 0;
    std::uint32_t b = 0;
};

// details of one watched agent, copied at the sample (the model is not read from the UI thread)
struct AgentDetail {
    std::uint32_t agent = 0xFFFFFFFFu;  // none
    std::uint32_t home = 0;
    std::uint32_t dest_node = 0;
    std::uint32_t route_edges_left = 0;
    struct PlanItem {
        std::uint32_t depot = 0;
        std::uint32_t order = 0;
        std::uint32_t customer = 0;
        std::uint32_t size = 0;
        double due_s = 0.0;
        bool loaded = false;
    };
    std::vector<PlanItem> plan;
    std::vector<float> route_xy;  // the remaining route as a polyline (metres from the origin)
};

// a disruption under way at the snapshot's time, for the strip over the map (live and replay)
struct ActiveDisruption {
    std::string label;  // the scenario's label, or the command's ("viz: depot down 1")
    std::string what;   // the kind's label ("roads closed", "cloud link down")
    double since_s = 0.0;
    double until_s = -1.0;   // when its end came (replay knows the future); < 0: not ended
    std::string ended_by{};  // the end's kind label ("roads reopened", "cloud link back")
};

struct Snapshot {
    double time_s = 0.0;
    std::uint64_t sequence = 0;  // increases with every published snapshot
    std::vector<float> xy;       // agents x 2, metres from the map origin
    std::vector<std::uint8_t> state;
    std::vector<float> load;
    std::vector<float> energy;
    std::vector<ValueArray> extra;
    std::vector<std::uint64_t> closed_edges;  // bit mask over edge ids (EdgeMask words)
    std::vector<std::uint8_t> depot_down;     // by depot, 1 when taken down
    bool cloud_link_up = true;
    std::vector<AgentLink> radio_links;
    std::vector<AgentLink> gossip;
    AgentDetail detail;  // the watched agent (live mode)
    KpiPoint kpi;
    KpiHistory kpis;                       // everything up to this snapshot (dashboard)
    std::vector<ActiveDisruption> active;  // started and not yet ended, oldest first

    [[nodiscard]] std::size_t agents() const { return state.size(); }
    void resize(std::size_t agents);
    [[nodiscard]] bool edge_closed(std::size_t edge) const {
        const std::size_t w = edge >> 6U;
        return w < closed_edges.size() && ((closed_edges[w] >> (edge & 63U)) & 1U) != 0;
    }
    [[nodiscard]] std::size_t closed_count() const;
};

// Triple buffer: the producer fills its back slot and publishes it by swapping it with the
// middle slot; the consumer takes the middle slot when it is newer than its front slot.
// Neither side blocks; a snapshot the renderer never saw is simply overwritten.
class SnapshotBuffer {
  public:
    SnapshotBuffer() = default;
    SnapshotBuffer(const SnapshotBuffer&) = delete;
    SnapshotBuffer& operator=(const SnapshotBuffer&) = delete;

    // producer side (one thread): fill back(), then publish()
    Snapshot& back() { return slots_[back_]; }
    void publish();

    // consumer side (one thread): true when a newer snapshot replaced front()
    bool acquire();
    [[nodiscard]] const Snapshot& front() const { return slots_[front_]; }
    [[nodiscard]] std::uint64_t published() const {
        return published_.load(std::memory_order_acquire);
    }

  private:
    static constexpr unsigned kFresh = 4U;  // flag bit beside the middle slot's index
    std::array<Snapshot, 3> slots_;
    unsigned back_ = 0;
    unsigned front_ = 1;
    std::atomic<unsigned> middle_{2};
    std::atomic<std::uint64_t> published_{0};
};

}  // namespace swarm::viz
