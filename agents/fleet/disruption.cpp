#include "agents/fleet/disruption.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string_view>

#include "sim/state_archive.hpp"

namespace swarm::agents {

namespace {

// DisruptionRole and DisruptionTarget names, in enum order (the trace records them)
constexpr std::array<const char*, 3> kRoleNames = {"start", "end", "set"};
constexpr std::array<const char*, 6> kTargetNames = {"roads", "depot", "vehicles",
                                                     "radio", "cloud", "demand"};

template <class E, std::size_t N>
std::optional<E> find_name(const std::array<const char*, N>& names, std::string_view name) {
    for (std::size_t i = 0; i < N; ++i) {
        if (name == names[i]) {
            return static_cast<E>(i);
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<DisruptionKind> disruption_kind(std::string_view name) {
    for (const DisruptionKindInfo& k : kDisruptionKinds) {
        if (k.name == name) {
            return k.kind;
        }
    }
    return std::nullopt;
}

const char* to_string(DisruptionRole r) {
    const auto i = static_cast<std::size_t>(r);
    return i < kRoleNames.size() ? kRoleNames[i] : "?";
}

const char* to_string(DisruptionTarget t) {
    const auto i = static_cast<std::size_t>(t);
    return i < kTargetNames.size() ? kTargetNames[i] : "?";
}

std::optional<DisruptionRole> disruption_role(std::string_view name) {
    return find_name<DisruptionRole>(kRoleNames, name);
}

std::optional<DisruptionTarget> disruption_target(std::string_view name) {
    return find_name<DisruptionTarget>(kTargetNames, name);
}

std::optional<DisruptionAction> inverse(const DisruptionAction& a) {
    const DisruptionKindInfo& k = info(a.kind);
    if (!k.undoable) {
        return std::nullopt;
    }
    DisruptionAction r = a;
    r.kind = k.pair;  // a start's end; a kSet kind itself, at its neutral value:
    switch (a.kind) {
        case DisruptionKind::kSlowRoads:
            r.speed_factor = 1.0;
            break;
        case DisruptionKind::kDepotDocks:
            r.docks = 0;  // back to the depot's own number
            break;
        default:
            if (k.role == DisruptionRole::kSet) {
                throw std::logic_error(std::string("inverse: no neutral value for ") +
                                       k.name.data());
            }
            break;
    }
    return r;
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

KnownRoadEvents RoadState::speed_news(const KnownRoadEvents& known, EdgeId e) const {
    KnownRoadEvents news;
    if (factor_.empty()) {
        return news;
    }
    float believed = 1.0F;
    std::size_t last = events_.size();
    for (std::size_t i = 0; i < events_.size(); ++i) {
        const RoadEvent& ev = events_[i];
        if (ev.kind != DisruptionKind::kSlowRoads ||
            !std::binary_search(ev.edges.begin(), ev.edges.end(), e)) {
            continue;
        }
        last = i;
        if (known.test(i)) {
            believed = ev.speed_factor;
        }
    }
    if (last != events_.size() && believed != factor_[e]) {
        news.set(last);
    }
    return news;
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

// a new member is state to save: add it below, then its size here
static_assert(sizeof(RoadEvent) ==
                  3 * sizeof(std::uint64_t) + sizeof(std::vector<EdgeId>) + sizeof(std::string),
              "RoadEvent changed: save and load the new member (RoadState)");
static_assert(sizeof(RoadState) == sizeof(world::EdgeMask) + sizeof(std::vector<float>) +
                                       sizeof(std::vector<RoadEvent>) + sizeof(std::size_t),
              "RoadState changed: save and load the new member");

void RoadState::save(sim::StateArchive& ar) const {
    ar.put_value("edges", std::uint64_t{closed_.size()});
    std::vector<EdgeId> closed;
    closed.reserve(closed_count_);
    for (EdgeId e = 0; e < closed_.size(); ++e) {
        if (closed_.test(e)) {
            closed.push_back(e);
        }
    }
    ar.put("closed", closed);
    ar.put("speed_factor", factor_);
    const auto s = ar.scope("events");
    ar.put_field("kind", events_, &RoadEvent::kind);
    std::vector<std::vector<EdgeId>> edges;
    std::vector<std::string> labels;
    for (const RoadEvent& ev : events_) {
        edges.push_back(ev.edges);
        labels.push_back(ev.label);
    }
    ar.put_nested("edges", edges);
    ar.put_field("speed_factor", events_, &RoadEvent::speed_factor);
    ar.put_field("at", events_, &RoadEvent::at);
    ar.put_strings("label", labels);
}

void RoadState::load(const sim::StateArchive& ar) {
    const std::size_t n = closed_.size();
    ar.expect_value("edges", std::uint64_t{n});
    std::vector<EdgeId> closed;
    ar.get("closed", closed);
    world::EdgeMask mask(n);
    for (const EdgeId e : closed) {
        if (e >= n) {
            ar.field_error("closed",
                           "names edge " + std::to_string(e) + " of " + std::to_string(n));
        }
        mask.set(e);
    }
    std::vector<float> factor;
    ar.get("speed_factor", factor);
    if (!factor.empty() && factor.size() != n) {
        ar.field_error("speed_factor", "holds " + std::to_string(factor.size()) +
                                           " elements; this run has 0 or " + std::to_string(n));
    }
    const auto s = ar.scope("events");
    std::vector<RoadEvent> events(ar.count("kind"));
    if (events.size() > kMaxRoadEvents) {
        ar.field_error("kind", "holds more than " + std::to_string(kMaxRoadEvents) + " events");
    }
    ar.get_field("kind", events, &RoadEvent::kind);
    std::vector<std::vector<EdgeId>> edges;
    ar.get_nested("edges", edges);
    std::vector<std::string> labels = ar.get_strings("label");
    if (edges.size() != events.size() || labels.size() != events.size()) {
        ar.field_error("edges",
                       "and 'label' do not list " + std::to_string(events.size()) + " events");
    }
    ar.get_field("speed_factor", events, &RoadEvent::speed_factor);
    ar.get_field("at", events, &RoadEvent::at);
    for (std::size_t i = 0; i < events.size(); ++i) {
        events[i].edges = std::move(edges[i]);
        events[i].label = std::move(labels[i]);
    }
    closed_ = std::move(mask);
    closed_count_ = closed.size();  // the edges set in the mask, as apply() counts them
    factor_ = std::move(factor);
    events_ = std::move(events);
}

}  // namespace swarm::agents
