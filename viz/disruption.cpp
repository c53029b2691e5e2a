#include "viz/disruption.hpp"

#include <algorithm>
#include <optional>

namespace swarm::viz {

DisruptionEffect effect_of(agents::DisruptionRole role, agents::DisruptionTarget target) {
    using agents::DisruptionRole;
    using agents::DisruptionTarget;
    if (role == DisruptionRole::kSet) {
        return DisruptionEffect::kOther;
    }
    const bool start = role == DisruptionRole::kStart;
    switch (target) {
        case DisruptionTarget::kRoads:
            return start ? DisruptionEffect::kRoadClosed : DisruptionEffect::kRoadReopened;
        case DisruptionTarget::kDepot:
            return start ? DisruptionEffect::kDepotDown : DisruptionEffect::kDepotUp;
        case DisruptionTarget::kCloud:
            return start ? DisruptionEffect::kCloudDown : DisruptionEffect::kCloudUp;
        case DisruptionTarget::kVehicles:
            return start ? DisruptionEffect::kVehicleBroken : DisruptionEffect::kNone;
        case DisruptionTarget::kRadio:
        case DisruptionTarget::kDemand:
            break;
    }
    return start ? DisruptionEffect::kOther : DisruptionEffect::kNone;
}

DisruptionEffect effect_of(agents::DisruptionKind k) {
    const agents::DisruptionKindInfo& i = agents::info(k);
    return effect_of(i.role, i.target);
}

DisruptionEffect effect_of(const io::TraceKindInfo& k) {
    if (k.role.empty()) {
        return DisruptionEffect::kNone;  // order and state rows
    }
    const std::optional<agents::DisruptionRole> role = agents::disruption_role(k.role);
    const std::optional<agents::DisruptionTarget> target = agents::disruption_target(k.target);
    if (role && target) {
        return effect_of(*role, *target);
    }
    return role == agents::DisruptionRole::kEnd ? DisruptionEffect::kNone
                                                : DisruptionEffect::kOther;
}

std::vector<DisruptionEffect> event_effects(std::span<const io::TraceKindInfo> kinds) {
    std::vector<DisruptionEffect> effects;
    effects.reserve(kinds.size());
    for (const io::TraceKindInfo& k : kinds) {
        effects.push_back(effect_of(k));
    }
    return effects;
}

bool starts_disruption(DisruptionEffect e) {
    return e == DisruptionEffect::kRoadClosed || e == DisruptionEffect::kDepotDown ||
           e == DisruptionEffect::kCloudDown || e == DisruptionEffect::kVehicleBroken ||
           e == DisruptionEffect::kOther;
}

void DisruptionState::reset(std::size_t edges, std::size_t depots) {
    closed.assign((edges + 63) / 64, 0);
    depot_down.assign(depots, 0);
    cloud_up = true;
    broken = 0;
}

void DisruptionState::set_closed(std::uint32_t edge, bool closed_now) {
    const std::size_t w = edge >> 6U;
    if (w >= closed.size()) {
        return;
    }
    const std::uint64_t bit = std::uint64_t{1} << (edge & 63U);
    closed[w] = closed_now ? (closed[w] | bit) : (closed[w] & ~bit);
}

bool DisruptionState::is_closed(std::uint32_t edge) const {
    const std::size_t w = edge >> 6U;
    return w < closed.size() && ((closed[w] >> (edge & 63U)) & 1U) != 0;
}

void DisruptionState::apply(DisruptionEffect e, std::uint32_t target) {
    switch (e) {
        case DisruptionEffect::kRoadClosed:
            set_closed(target, true);
            break;
        case DisruptionEffect::kRoadReopened:
            set_closed(target, false);
            break;
        case DisruptionEffect::kDepotDown:
        case DisruptionEffect::kDepotUp:
            if (target < depot_down.size()) {
                depot_down[target] = e == DisruptionEffect::kDepotDown ? 1 : 0;
            }
            break;
        case DisruptionEffect::kCloudDown:
            cloud_up = false;
            break;
        case DisruptionEffect::kCloudUp:
            cloud_up = true;
            break;
        case DisruptionEffect::kVehicleBroken:
            ++broken;
            break;
        case DisruptionEffect::kNone:
        case DisruptionEffect::kOther:
            break;
    }
}

void DisruptionState::copy_to(Snapshot& s) const {
    s.closed_edges.assign(closed.begin(), closed.end());
    s.depot_down.assign(depot_down.begin(), depot_down.end());
    s.cloud_link_up = cloud_up;
}

namespace {

DisruptionEffect effect_at(std::span<const DisruptionEffect> effects, std::int16_t kind) {
    return kind >= 0 && static_cast<std::size_t>(kind) < effects.size()
               ? effects[static_cast<std::size_t>(kind)]
               : DisruptionEffect::kNone;
}

}  // namespace

void replay_disruptions(std::span<const io::TraceEvent> events,
                        std::span<const DisruptionEffect> effects, double t,
                        DisruptionState& state) {
    for (const io::TraceEvent& e : events) {
        if (e.time > t) {
            break;
        }
        const DisruptionEffect effect = effect_at(effects, e.kind);
        if (effect == DisruptionEffect::kNone) {
            continue;
        }
        // roads by their edge, everything else by the agent column (depot or vehicle)
        const bool road =
            effect == DisruptionEffect::kRoadClosed || effect == DisruptionEffect::kRoadReopened;
        state.apply(effect, road ? e.edge : e.agent);
    }
}

std::vector<double> disruption_times(std::span<const io::TraceEvent> events,
                                     std::span<const DisruptionEffect> effects) {
    std::vector<double> t;
    for (const io::TraceEvent& e : events) {
        if (starts_disruption(effect_at(effects, e.kind))) {
            t.push_back(e.time);
        }
    }
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    return t;
}

void ActiveDisruptions::apply(double t_s, agents::DisruptionKind kind, const std::string& label,
                              const std::vector<std::uint32_t>& targets) {
    const agents::DisruptionKindInfo& info = agents::info(kind);
    if (info.role == agents::DisruptionRole::kStart) {
        entries_.push_back({{label, std::string(info.label), t_s}, kind, targets});
        return;
    }
    if (info.role != agents::DisruptionRole::kEnd) {
        return;  // a level set (a speed, a stock): not a start/end pair
    }
    const bool any = info.target == agents::DisruptionTarget::kCloud;
    const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) {
        return e.kind == info.pair && (any || e.shown.label == label || e.targets == targets);
    });
    if (it != entries_.end()) {
        entries_.erase(it);
    }
}

std::vector<ActiveDisruption> ActiveDisruptions::active() const {
    std::vector<ActiveDisruption> out;
    out.reserve(entries_.size());
    for (const Entry& e : entries_) {
        out.push_back(e.shown);
    }
    return out;
}

const char* to_string(VizCommand::Kind k) {
    switch (k) {
        case VizCommand::Kind::kCloseRoad:
            return "close road";
        case VizCommand::Kind::kReopenRoad:
            return "reopen road";
        case VizCommand::Kind::kDepotDown:
            return "depot down";
        case VizCommand::Kind::kDepotUp:
            return "depot up";
        case VizCommand::Kind::kCutCloudLink:
            return "cut cloud link";
        case VizCommand::Kind::kRestoreCloudLink:
            return "restore cloud link";
        case VizCommand::Kind::kBreakFleetShare:
            return "break fleet share";
    }
    return "unknown";
}

void CommandQueue::push(const VizCommand& c) {
    const std::lock_guard lock(mutex_);
    queue_.push_back(c);
    ++pushed_;
}

std::size_t CommandQueue::drain(std::vector<VizCommand>& out) {
    out.clear();
    const std::lock_guard lock(mutex_);
    out.swap(queue_);
    return out.size();
}

std::size_t CommandQueue::pushed() const {
    const std::lock_guard lock(mutex_);
    return pushed_;
}

}  // namespace swarm::viz
