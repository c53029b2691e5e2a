// Disruptions of a fleet run: what can break (roads, depots, vehicles, radio, cloud link,
// demand) as actions applied at barriers, the scenario's schedule of them (timed,
// probabilistic, dependent, failure processes), the ground truth of the road network those
// actions change (RoadState) and what each vehicle knows of it (KnownRoadEvents).
// Rules (docs/disruptions.md): edges are masked, never deleted; a vehicle already on an edge
// that closes drives it to its end (it is past the barrier); a vehicle learns of a closure when
// it reaches the closed edge, from a radio peer that knows it, or from the cloud while its
// cloud link is up; a reopened road is used again once the vehicle knows of the reopening.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agents/fleet/disruption_kinds.hpp"
#include "agents/world/region.hpp"
#include "agents/world/road_network.hpp"
#include "sim/time.hpp"

namespace swarm::sim {
class StateArchive;
}

namespace swarm::agents {

using world::EdgeId;
using world::Point;

// One change of the world, applied at a barrier (FleetModel::apply).
struct DisruptionAction {
    DisruptionKind kind = DisruptionKind::kCloseRoads;
    std::string label;                    // what planners call it ("bridge collapse")
    std::vector<EdgeId> edges;            // roads (ascending, unique)
    double speed_factor = 1.0;            // kSlowRoads, in (0, 1]
    std::uint32_t depot = 0;              // depot kinds
    std::uint64_t stock = 0;              // kDepotStock
    std::uint32_t docks = 0;              // kDepotDocks (0: the depot's own number)
    std::vector<std::uint32_t> vehicles;  // kBreak/kRepair: vehicle indices
    double fraction = 0.0;                // kBreakVehicles without names: share of working vehicles
    std::optional<world::Region> area;    // radio, loss, surge (none: everywhere)
    double loss = 0.0;                    // kLossSpike, in [0, 1]
    double multiplier = 1.0;              // kDemandSurge, > 0
    // road kinds: announced by the road authority (planned works, a flood warning): the cloud
    // knows it as it happens and tells the connected vehicles with the road news; else only
    // vehicles that meet it, and those they tell, learn it (docs/disruptions.md "Knowledge")
    bool announced = false;
};

// the action that undoes `a` after its duration: a start's pair (close -> reopen, down -> up,
// ...), a kSet kind at its neutral value; nullopt for kinds that are not undoable (stock, the
// end kinds themselves)
std::optional<DisruptionAction> inverse(const DisruptionAction& a);

// One entry of the scenario's disruption schedule.
struct DisruptionSpec {
    std::string id;
    DisruptionAction action;
    double at_s = 0.0;           // start (timed)
    double window_end_s = -1.0;  // > at_s: start uniform in [at_s, window_end_s)
    double probability = 1.0;    // chance that it happens at all in a run
    double duration_s = 0.0;     // > 0: the inverse action after this long
    // dependent: starts `after_delay_s` after the start (or, with after_end, the end) of the
    // disruption with this id, and only if that one happened
    std::string after;
    double after_delay_s = 0.0;
    bool after_end = false;
    // failure process (kBreakVehicles only): each vehicle of `vehicles` (all when empty)
    // breaks after an exponential time with mean mtbf_s and is repaired mttr_s later
    double mtbf_s = 0.0;
    double mttr_s = 0.0;
};

// One applied road action, kept in order: the knowledge unit agents learn and share.
struct RoadEvent {
    DisruptionKind kind = DisruptionKind::kCloseRoads;  // close, reopen or slow
    std::vector<EdgeId> edges;
    float speed_factor = 1.0F;
    sim::Tick at = 0;
    std::string label;
};

// Which road events a vehicle knows: a bitset over the run's road events (index order).
inline constexpr std::size_t kMaxRoadEvents = 128;
struct KnownRoadEvents {
    std::array<std::uint64_t, kMaxRoadEvents / 64> words{};
    [[nodiscard]] bool test(std::size_t i) const { return (words[i >> 6] >> (i & 63U)) & 1U; }
    void set(std::size_t i) { words[i >> 6] |= std::uint64_t{1} << (i & 63U); }
    // adds the other's events; true when something was new
    bool merge(const KnownRoadEvents& o);
    // inline: the road gossip asks it of every neighbour in radio range
    [[nodiscard]] bool covers(const KnownRoadEvents& o) const {
        std::uint64_t missing = 0;
        for (std::size_t i = 0; i < words.size(); ++i) {
            missing |= o.words[i] & ~words[i];
        }
        return missing == 0;
    }
    // the events known in common with o (kept in this one)
    void intersect(const KnownRoadEvents& o) {
        for (std::size_t i = 0; i < words.size(); ++i) {
            words[i] &= o.words[i];
        }
    }
    [[nodiscard]] bool none() const {
        std::uint64_t any = 0;
        for (const std::uint64_t w : words) {
            any |= w;
        }
        return any == 0;
    }
    [[nodiscard]] std::size_t count() const;
    friend bool operator==(const KnownRoadEvents&, const KnownRoadEvents&) = default;
};

// The true state of the roads: closures and speed factors, and the log of road events that
// made it. Changed only at barriers.
class RoadState {
  public:
    explicit RoadState(std::size_t edges = 0) : closed_(edges) {}
    // applies a close / reopen / slow action at t; returns the new event's index. Throws
    // std::length_error beyond kMaxRoadEvents events in one run.
    std::size_t apply(const DisruptionAction& a, sim::Tick t);

    [[nodiscard]] bool closed(EdgeId e) const { return closed_.test(e); }
    [[nodiscard]] const world::EdgeMask& closed_mask() const { return closed_; }
    [[nodiscard]] float speed_factor(EdgeId e) const { return factor_.empty() ? 1.0F : factor_[e]; }
    [[nodiscard]] const std::vector<RoadEvent>& events() const { return events_; }
    // every event so far: what the roads as they are answer to
    [[nodiscard]] KnownRoadEvents all_events() const {
        KnownRoadEvents all;
        for (std::size_t i = 0; i < events_.size(); ++i) {
            all.set(i);
        }
        return all;
    }
    [[nodiscard]] std::size_t closed_count() const { return closed_count_; }
    // the events that explain why e is closed now (close events touching e not undone since)
    [[nodiscard]] KnownRoadEvents why_closed(EdgeId e) const { return explain(e, false); }
    // the event that explains why e is open again (the last reopening touching e, when no
    // closure came after it); empty for an edge that is closed or was never closed
    [[nodiscard]] KnownRoadEvents why_open(EdgeId e) const { return explain(e, true); }
    // whether any slow_roads event has come (before the first, every factor is 1)
    [[nodiscard]] bool has_slowdowns() const { return !factor_.empty(); }
    // what driving e, or seeing its traffic, teaches a vehicle that knows `known`: the slow
    // event that set e's speed now, when the known events put another speed there; empty
    // when they agree
    [[nodiscard]] KnownRoadEvents speed_news(const KnownRoadEvents& known, EdgeId e) const;
    // every event so far
    [[nodiscard]] KnownRoadEvents all() const;

    // what a vehicle believes: the known events replayed in order over an open network
    void believed(const KnownRoadEvents& known, world::EdgeMask& closed,
                  std::vector<float>& factor) const;

    // checkpoints: the closed edges (ascending ids), the speed factors and the events under
    // the archive's current scope; load() refuses another number of edges
    // (sim::CheckpointError)
    void save(sim::StateArchive& ar) const;
    void load(const sim::StateArchive& ar);

  private:
    [[nodiscard]] KnownRoadEvents explain(EdgeId e, bool open) const;

    world::EdgeMask closed_;
    std::vector<float> factor_;  // empty until the first slow-down
    std::vector<RoadEvent> events_;
    std::size_t closed_count_ = 0;
};

}  // namespace swarm::agents
