#include "viz/disruption.hpp"

#include <algorithm>
#include <string>

namespace swarm::viz {

namespace {

bool has(std::string_view s, std::string_view part) {
    return s.find(part) != std::string_view::npos;
}

bool any_of(std::string_view s, std::initializer_list<std::string_view> parts) {
    return std::any_of(parts.begin(), parts.end(), [s](std::string_view p) { return has(s, p); });
}

}  // namespace

DisruptionEffect classify_event_kind(std::string_view raw) {
    std::string lower(raw);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    const std::string_view n = lower;
    const bool recovery = any_of(n, {"reopen", "restor", "recover", "_up", "repair", "_end"});
    if (any_of(n, {"road", "edge", "bridge", "closure"})) {
        if (recovery || has(n, "open")) {
            return DisruptionEffect::kRoadReopened;
        }
        if (any_of(n, {"clos", "block", "cut", "down"})) {
            return DisruptionEffect::kRoadClosed;
        }
    }
    if (has(n, "depot") && !has(n, "order")) {
        if (recovery) {
            return DisruptionEffect::kDepotUp;
        }
        if (any_of(n, {"down", "fail", "clos", "fire", "burn", "lost", "out"})) {
            return DisruptionEffect::kDepotDown;
        }
    }
    if (any_of(n, {"cloud", "uplink", "backhaul"})) {
        return recovery ? DisruptionEffect::kCloudUp : DisruptionEffect::kCloudDown;
    }
    if (recovery) {
        return DisruptionEffect::kNone;  // the end of something: no new disruption
    }
    if (any_of(n, {"breakdown", "broken", "break", "vehicle_fail", "agent_fail"})) {
        return DisruptionEffect::kVehicleBroken;
    }
    if (any_of(n, {"disrupt", "surge", "outage", "blackout", "spike", "slow", "stock"})) {
        return DisruptionEffect::kOther;
    }
    return DisruptionEffect::kNone;
}

std::string_view event_kind_name(std::int16_t kind) {
    if (kind < 0 || static_cast<std::size_t>(kind) >= io::kTraceEventKindNames.size()) {
        return {};
    }
    return io::kTraceEventKindNames[static_cast<std::size_t>(kind)];
}

DisruptionEffect effect_of(std::int16_t kind) {
    return classify_event_kind(event_kind_name(kind));
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

void replay_disruptions(std::span<const io::TraceEvent> events, double t, DisruptionState& state) {
    for (const io::TraceEvent& e : events) {
        if (e.time > t) {
            break;
        }
        const DisruptionEffect effect = effect_of(e.kind);
        if (effect == DisruptionEffect::kNone) {
            continue;
        }
        // roads by their edge, everything else by the agent column (depot or vehicle)
        const bool road =
            effect == DisruptionEffect::kRoadClosed || effect == DisruptionEffect::kRoadReopened;
        state.apply(effect, road ? e.edge : e.agent);
    }
}

std::vector<double> disruption_times(std::span<const io::TraceEvent> events) {
    std::vector<double> t;
    for (const io::TraceEvent& e : events) {
        if (starts_disruption(effect_of(e.kind))) {
            t.push_back(e.time);
        }
    }
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    return t;
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
