#include "agents/fleet/disruption.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace swarm::agents {

const char* to_string(DisruptionKind k) {
    switch (k) {
        case DisruptionKind::kCloseRoads:
            return "close_roads";
        case DisruptionKind::kReopenRoads:
            return "reopen_roads";
        case DisruptionKind::kSlowRoads:
            return "slow_roads";
        case DisruptionKind::kDepotDown:
            return "depot_down";
        case DisruptionKind::kDepotUp:
            return "depot_up";
        case DisruptionKind::kDepotStock:
            return "depot_stock";
        case DisruptionKind::kBreakVehicles:
            return "break_vehicles";
        case DisruptionKind::kRepairVehicles:
            return "repair_vehicles";
        case DisruptionKind::kRadioBlackout:
            return "radio_blackout";
        case DisruptionKind::kRadioRestore:
            return "radio_restore";
        case DisruptionKind::kLossSpike:
            return "loss_spike";
        case DisruptionKind::kLossEnd:
            return "loss_end";
        case DisruptionKind::kCloudDown:
            return "cloud_down";
        case DisruptionKind::kCloudUp:
            return "cloud_up";
        case DisruptionKind::kDemandSurge:
            return "demand_surge";
        case DisruptionKind::kDemandSurgeEnd:
            return "demand_surge_end";
        case DisruptionKind::kDepotDocks:
            return "depot_docks";
    }
    return "?";
}

std::optional<DisruptionAction> inverse(const DisruptionAction& a) {
    DisruptionAction r = a;
    switch (a.kind) {
        case DisruptionKind::kCloseRoads:
            r.kind = DisruptionKind::kReopenRoads;
            return r;
        case DisruptionKind::kSlowRoads:
            r.speed_factor = 1.0;
            return r;
        case DisruptionKind::kDepotDown:
            r.kind = DisruptionKind::kDepotUp;
            return r;
        case DisruptionKind::kBreakVehicles:
            r.kind = DisruptionKind::kRepairVehicles;
            return r;
        case DisruptionKind::kRadioBlackout:
            r.kind = DisruptionKind::kRadioRestore;
            return r;
        case DisruptionKind::kLossSpike:
            r.kind = DisruptionKind::kLossEnd;
            return r;
        case DisruptionKind::kCloudDown:
            r.kind = DisruptionKind::kCloudUp;
            return r;
        case DisruptionKind::kDemandSurge:
            r.kind = DisruptionKind::kDemandSurgeEnd;
            return r;
        case DisruptionKind::kDepotDocks:
            r.docks = 0;  // back to the depot's own number
            return r;
        default:
            return std::nullopt;
    }
}

bool KnownRoadEvents::merge(const KnownRoadEvents& o) {
    bool changed = false;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::uint64_t w = words[i] | o.words[i];
        changed = changed || w != words[i];
        words[i] = w;
    }
    return changed;
}

bool KnownRoadEvents::covers(const KnownRoadEvents& o) const {
    for (std::size_t i = 0; i < words.size(); ++i) {
        if ((o.words[i] & ~words[i]) != 0) {
            return false;
        }
    }
    return true;
}

std::size_t KnownRoadEvents::count() const {
    std::size_t n = 0;
    for (const std::uint64_t w : words) {
        n += static_cast<std::size_t>(std::popcount(w));
    }
    return n;
}

std::size_t RoadState::apply(const DisruptionAction& a, sim::Tick t) {
    if (a.kind != DisruptionKind::kCloseRoads && a.kind != DisruptionKind::kReopenRoads &&
        a.kind != DisruptionKind::kSlowRoads) {
        throw std::invalid_argument(std::string("road state: not a road action: ") +
                                    to_string(a.kind));
    }
    if (events_.size() >= kMaxRoadEvents) {
        throw std::length_error("road state: more than " + std::to_string(kMaxRoadEvents) +
                                " road disruptions in one run");
    }
    for (const EdgeId e : a.edges) {
        if (e >= closed_.size()) {
            throw std::out_of_range("road state: edge " + std::to_string(e) + " out of range");
        }
        if (a.kind == DisruptionKind::kSlowRoads) {
            if (factor_.empty()) {
                factor_.assign(closed_.size(), 1.0F);
            }
            factor_[e] = static_cast<float>(a.speed_factor);
            continue;
        }
        const bool close = a.kind == DisruptionKind::kCloseRoads;
        if (closed_.test(e) != close) {
            closed_count_ = close ? closed_count_ + 1 : closed_count_ - 1;
            closed_.set(e, close);
        }
    }
    events_.push_back({a.kind, a.edges, static_cast<float>(a.speed_factor), t, a.label});
    return events_.size() - 1;
}

KnownRoadEvents RoadState::explain(EdgeId e, bool open) const {
    // replays the close and reopen events touching e: a reopening undoes every closure
    // before it, a closure undoes the reopening before it
    KnownRoadEvents k;
    for (std::size_t i = 0; i < events_.size(); ++i) {
        const RoadEvent& ev = events_[i];
        if (ev.kind == DisruptionKind::kSlowRoads ||
            !std::binary_search(ev.edges.begin(), ev.edges.end(), e)) {
            continue;
        }
        const bool reopens = ev.kind == DisruptionKind::kReopenRoads;
        if (reopens || open) {
            k = {};
        }
        if (reopens == open) {
            k.set(i);
        }
    }
    return k;
}

KnownRoadEvents RoadState::all() const {
    KnownRoadEvents k;
    for (std::size_t i = 0; i < events_.size(); ++i) {
        k.set(i);
    }
    return k;
}

void RoadState::believed(const KnownRoadEvents& known, world::EdgeMask& closed,
                         std::vector<float>& factor) const {
    closed = world::EdgeMask(closed_.size());
    factor.clear();
    for (std::size_t i = 0; i < events_.size(); ++i) {
        if (!known.test(i)) {
            continue;
        }
        const RoadEvent& ev = events_[i];
        for (const EdgeId e : ev.edges) {
            if (ev.kind == DisruptionKind::kSlowRoads) {
                if (factor.empty()) {
                    factor.assign(closed_.size(), 1.0F);
                }
                factor[e] = ev.speed_factor;
            } else {
                closed.set(e, ev.kind == DisruptionKind::kCloseRoads);
            }
        }
    }
}

}  // namespace swarm::agents
