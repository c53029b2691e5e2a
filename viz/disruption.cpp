#include "viz/disruption.hpp"

#include <algorithm>
#include <cctype>
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
        entries_.push_back({{label, std::string(info.label), t_s, -1.0, {}}, kind, targets});
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
        ActiveDisruption done = it->shown;
        done.until_s = t_s;
        done.ended_by = std::string(info.label);
        ended_.push_back(std::move(done));
        entries_.erase(it);
    }
}

std::vector<ActiveDisruption> ActiveDisruptions::all() const {
    std::vector<ActiveDisruption> out = ended_;
    for (const Entry& e : entries_) {
        out.push_back(e.shown);
    }
    std::stable_sort(
        out.begin(), out.end(),
        [](const ActiveDisruption& a, const ActiveDisruption& b) { return a.since_s < b.since_s; });
    return out;
}

std::vector<ActiveDisruption> trace_disruptions(std::span<const io::TraceEvent> events,
                                                std::span<const io::TraceKindInfo> kinds,
                                                std::span<const std::string> labels) {
    ActiveDisruptions a;
    // one applied disruption: its rows (one per edge, depot or vehicle) share kind and order
    std::optional<agents::DisruptionKind> kind;
    std::uint64_t order = 0;
    double t_s = 0.0;
    std::vector<std::uint32_t> targets;
    const auto flush = [&] {
        if (kind) {
            const std::string label = order < labels.size() ? labels[order] : std::string();
            a.apply(t_s, *kind, label, targets);
        }
        kind.reset();
        targets.clear();
    };
    for (const io::TraceEvent& e : events) {
        if (e.kind < 0 || static_cast<std::size_t>(e.kind) >= kinds.size()) {
            continue;
        }
        const io::TraceKindInfo& k = kinds[static_cast<std::size_t>(e.kind)];
        if (k.disruption.empty()) {
            continue;  // an order or state row
        }
        const std::optional<agents::DisruptionKind> dk = agents::disruption_kind(k.disruption);
        if (!dk) {
            continue;  // a kind of a newer build
        }
        if (!kind || *kind != *dk || order != e.order) {
            flush();
            kind = dk;
            order = e.order;
            t_s = e.time;
        }
        const std::uint32_t target = e.edge != io::kTraceNoId ? e.edge : e.agent;
        if (target != io::kTraceNoId) {
            targets.push_back(target);
        }
    }
    flush();
    return a.all();
}

std::vector<ActiveDisruption> active_at(std::span<const ActiveDisruption> all, double t) {
    std::vector<ActiveDisruption> out;
    for (const ActiveDisruption& d : all) {
        if (d.since_s <= t && (d.until_s < 0.0 || t < d.until_s)) {
            out.push_back(d);
        }
    }
    return out;
}

std::vector<ActiveDisruption> ActiveDisruptions::active() const {
    std::vector<ActiveDisruption> out;
    out.reserve(entries_.size());
    for (const Entry& e : entries_) {
        out.push_back(e.shown);
    }
    return out;
}

std::string strip_text(const ActiveDisruption& d, const SimClock& clock) {
    // the label alone when it only repeats the kind ("Cloud link down" - "cloud link down")
    const bool same =
        d.label.size() == d.what.size() &&
        std::equal(d.label.begin(), d.label.end(), d.what.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
        });
    std::string s = d.label;
    if (!same) {
        s += s.empty() ? "" : " - ";
        s += d.what;
    }
    if (d.until_s < 0.0) {
        s += " since ";
        s += clock(d.since_s);
        return s;
    }
    s += ' ';
    s += clock(d.since_s);
    s += '-';
    s += clock(d.until_s);
    if (!d.ended_by.empty()) {
        s += " (";
        s += d.ended_by;
        s += ')';
    }
    return s;
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
