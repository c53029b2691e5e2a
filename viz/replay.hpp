// Replay mode: a trace file (io::TraceReader) as a source of snapshots. The map comes from
// the scenario stored in the trace (rebuilt with io::parse_scenario), the KPI history from its
// observables, disruptions from its /events rows; positions are interpolated between the two
// frames around the requested time, and the last two frames read are kept.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/scenario/scenario.hpp"
#include "io/trace/trace_reader.hpp"
#include "viz/dashboard.hpp"
#include "viz/disruption.hpp"
#include "viz/geometry.hpp"
#include "viz/snapshot.hpp"
#include "viz/timeline.hpp"

namespace swarm::viz {

class ReplaySource {
  public:
    // io::TraceError for an unreadable trace; a scenario that cannot be rebuilt (e.g. a
    // network file that moved) leaves the map without roads and says why in map_note()
    explicit ReplaySource(const std::string& path);

    [[nodiscard]] const io::TraceReader& reader() const { return reader_; }
    [[nodiscard]] const RoadGeometry& roads() const { return roads_; }
    [[nodiscard]] bool has_map() const { return has_map_; }
    [[nodiscard]] const std::string& map_note() const { return map_note_; }
    [[nodiscard]] const world::RoadNetwork* network() const {
        return scenario_ ? scenario_->network.get() : nullptr;
    }
    [[nodiscard]] const KpiHistory& kpis() const { return kpis_; }
    // the allocation policy the trace was recorded with ("" when its scenario cannot be read)
    [[nodiscard]] const std::string& policy() const { return policy_; }
    [[nodiscard]] const std::vector<io::TraceEvent>& events() const { return events_; }
    // the trace's /events kinds by code, and their effect on the map
    [[nodiscard]] const std::vector<io::TraceKindInfo>& event_kinds() const { return event_kinds_; }
    [[nodiscard]] const std::vector<DisruptionEffect>& effects() const { return effects_; }
    // the name of a code of this trace ("" when it has none)
    [[nodiscard]] std::string_view event_kind_name(std::int16_t kind) const;
    [[nodiscard]] const std::vector<double>& sample_times() const { return times_; }
    // every disruption of the trace with its scenario label, start and end (the strip)
    [[nodiscard]] const std::vector<ActiveDisruption>& disruptions() const { return strip_; }
    // the hour of day at simulated time 0 (demand.start_hour) when the trace's scenario reads
    [[nodiscard]] std::optional<double> start_hour() const { return start_hour_; }
    // a timeline over the samples with the disruptions as jump targets
    [[nodiscard]] Timeline make_timeline() const { return {times_, kpis_.disruptions}; }

    // the snapshot at time t: interpolated positions, the state of the frame at or before t
    void fill(double t, Snapshot& out);

  private:
    const io::TraceFrameData& frame(std::size_t k);

    io::TraceReader reader_;
    std::unique_ptr<io::Scenario> scenario_;
    RoadGeometry roads_;
    bool has_map_ = false;
    std::string map_note_;
    std::string policy_;
    KpiHistory kpis_;
    std::vector<io::TraceEvent> events_;
    std::vector<io::TraceKindInfo> event_kinds_;
    std::vector<DisruptionEffect> effects_;
    std::vector<ActiveDisruption> strip_;
    std::optional<double> start_hour_;
    std::vector<double> times_;
    std::vector<std::string> extra_names_;  // per-agent value arrays beyond the standard four
    // connectivity rows between vehicles of one sample (gossip lines), cached by sample
    std::vector<AgentLink> links_;
    std::size_t links_k_ = static_cast<std::size_t>(-1);
    // the two most recently read frames
    std::array<std::size_t, 2> cached_k_{static_cast<std::size_t>(-1),
                                         static_cast<std::size_t>(-1)};
    std::array<io::TraceFrameData, 2> cached_;
    std::size_t next_slot_ = 0;
    DisruptionState disruptions_;
    Timeline clock_;  // frame brackets
};

}  // namespace swarm::viz
