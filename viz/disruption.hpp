// Disruptions as the visualizer sees them: what each disruption kind does to the map (a road
// closed or reopened, a depot down or up, the cloud link cut or restored, vehicles broken),
// read from the kinds table (agents::kDisruptionKinds live, the trace's recorded table on
// replay), the disruption state at a time, and the commands the live map sends to the
// simulation (CommandQueue, drained by a barrier action on the sim thread).
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "agents/fleet/disruption_kinds.hpp"
#include "io/trace/trace_format.hpp"
#include "viz/snapshot.hpp"
#include "viz/timeline.hpp"

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

// what a disruption does to the map, from its role and target: a start closes, takes down,
// cuts or breaks what it targets (kOther when the map shows no such thing), an end restores
// it (kNone when nothing was shown), a kSet kind is kOther
DisruptionEffect effect_of(agents::DisruptionRole role, agents::DisruptionTarget target);
DisruptionEffect effect_of(agents::DisruptionKind k);
// a kind of a trace (io::TraceReader::event_kinds) by its recorded role and target: kNone for
// order and state rows; a disruption with a role or target unknown to this build is kOther
// (kNone when it ends something)
DisruptionEffect effect_of(const io::TraceKindInfo& k);
// the effects of a trace's kinds, index = code
std::vector<DisruptionEffect> event_effects(std::span<const io::TraceKindInfo> kinds);
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

// the state after every event with time <= t (events in time order; effects by code, from
// event_effects; codes beyond it are no disruption)
void replay_disruptions(std::span<const io::TraceEvent> events,
                        std::span<const DisruptionEffect> effects, double t,
                        DisruptionState& state);
// times of the events that start a disruption
std::vector<double> disruption_times(std::span<const io::TraceEvent> events,
                                     std::span<const DisruptionEffect> effects);

// The disruptions under way, from the model's log of applied disruptions in time order: a
// start (role kStart) stays until an end of its pair kind with the same label or the same
// targets (a scheduled disruption's inverse keeps its label; the mouse's "depot up 1" ends
// its "depot down 1" by the depot), or, for the cloud link, any end of its pair.
class ActiveDisruptions {
  public:
    void apply(double t_s, agents::DisruptionKind kind, const std::string& label,
               const std::vector<std::uint32_t>& targets);
    [[nodiscard]] std::vector<ActiveDisruption> active() const;
    // every disruption started so far, oldest first, the ended ones with their end
    [[nodiscard]] std::vector<ActiveDisruption> all() const;

  private:
    struct Entry {
        ActiveDisruption shown;
        agents::DisruptionKind kind;
        std::vector<std::uint32_t> targets;
    };
    std::vector<Entry> entries_;
    std::vector<ActiveDisruption> ended_;
};

// A trace's disruptions with start and end, by the same ActiveDisruptions as live: the rows of
// one applied disruption share their `order` (its index in `labels`, the scenario's labels,
// TraceReader::disruption_labels); a row's kind is found in this build's table by the
// recorded scenario name (`kinds`, index = code); kinds this build does not know are left out.
// Events in time order.
std::vector<ActiveDisruption> trace_disruptions(std::span<const io::TraceEvent> events,
                                                std::span<const io::TraceKindInfo> kinds,
                                                std::span<const std::string> labels);
// those of `all` under way at t (started at or before t, ended after t or not at all)
std::vector<ActiveDisruption> active_at(std::span<const ActiveDisruption> all, double t);
// the strip's line: "Cloud outage - cloud link down 10:40-11:00 (cloud link back)", or
// "... since 10:40" while the end is unknown; times by the scenario's clock; a label that only
// repeats the kind's label ("Cloud link down") stands alone
std::string strip_text(const ActiveDisruption& d, const SimClock& clock);

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
    // a road by name or way (io::find_road): all its edges; empty: the street of `target`
    std::vector<std::uint32_t> edges{};
    std::string label{};  // what the user called it ("Boulevard Albert 1er"), for the log
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
