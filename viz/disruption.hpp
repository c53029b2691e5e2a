// Disruptions as the visualizer sees them: which /events kinds of a trace are disruptions and
// what they do to the map (a road closed or reopened, a depot down or up, the cloud link cut
// or restored, vehicles broken), the disruption state at a time, and the commands the live
// map sends to the simulation (CommandQueue, drained by a barrier action on the sim thread).
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "io/trace/trace_format.hpp"
#include "viz/snapshot.hpp"

namespace swarm::viz {

enum class DisruptionEffect : std::uint8_t {
    kNone,  // not a disruption (order lifecycle, state changes)
    kRoadClosed,
    kRoadReopened,
    kDepotDown,
    kDepotUp,
    kCloudDown,
    kCloudUp,
    kVehicleBroken,
    kOther,  // a disruption without a map effect (e.g. a demand surge)
};

// classifies an /events kind by its name (the enum names of the trace format), so that
// kinds added to the format later are recognised without a code change here
DisruptionEffect classify_event_kind(std::string_view name);
// the name of kind `kind` in this build's trace format ("" when unknown)
std::string_view event_kind_name(std::int16_t kind);
DisruptionEffect effect_of(std::int16_t kind);
// whether an effect starts a disruption (recoveries such as a reopened road do not)
bool starts_disruption(DisruptionEffect e);

// the map's disruption state: closed edges, depots down, the cloud link
struct DisruptionState {
    std::vector<std::uint64_t> closed;  // bit mask over edges
    std::vector<std::uint8_t> depot_down;
    bool cloud_up = true;
    std::uint64_t broken = 0;  // vehicles broken by disruptions so far

    void reset(std::size_t edges, std::size_t depots);
    void set_closed(std::uint32_t edge, bool closed_now);
    [[nodiscard]] bool is_closed(std::uint32_t edge) const;
    // applies one effect with its target (edge, depot or vehicle id)
    void apply(DisruptionEffect e, std::uint32_t target);
    void copy_to(Snapshot& s) const;
};

// the state after every event with time <= t (events in time order)
void replay_disruptions(std::span<const io::TraceEvent> events, double t, DisruptionState& state);
// times of the events that start a disruption
std::vector<double> disruption_times(std::span<const io::TraceEvent> events);

// what the live map asks of the simulation
struct VizCommand {
    enum class Kind : std::uint8_t {
        kCloseRoad,
        kReopenRoad,
        kDepotDown,
        kDepotUp,
        kCutCloudLink,
        kRestoreCloudLink,
        kBreakFleetShare,  // `share` of the working vehicles, drawn at random
    };
    Kind kind = Kind::kCloseRoad;
    std::uint32_t target = 0;  // edge or depot
    double share = 0.1;
};
const char* to_string(VizCommand::Kind k);

// Many producers (the UI), one consumer (a barrier action on the simulation thread). The lock
// is held only to move a small vector, so neither side waits noticeably.
class CommandQueue {
  public:
    void push(const VizCommand& c);
    // moves every queued command into `out` (cleared first); returns how many
    std::size_t drain(std::vector<VizCommand>& out);
    [[nodiscard]] std::size_t pushed() const;

  private:
    mutable std::mutex mutex_;
    std::vector<VizCommand> queue_;
    std::size_t pushed_ = 0;
};

}  // namespace swarm::viz
