#include "agents/comms/conditions.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace swarm::comms {

namespace {

bool applies(LinkSet set, Link link) {
    return set == LinkSet::kBoth ||
           (link == Link::kRadio ? set == LinkSet::kRadio : set == LinkSet::kCloud);
}

}  // namespace

ConditionId CommsConditions::add_blackout(world::Region region) {
    const ConditionId id = next_id_++;
    blackouts_.push_back({id, std::move(region)});
    ++version_;
    return id;
}

ConditionId CommsConditions::add_loss_spike(LossSpike spike) {
    if (!(spike.extra_loss >= 0.0 && spike.extra_loss <= 1.0)) {
        throw std::invalid_argument("comms loss spike: extra_loss must be in [0, 1], got " +
                                    std::to_string(spike.extra_loss));
    }
    const ConditionId id = next_id_++;
    spikes_.push_back({id, std::move(spike)});
    ++version_;
    return id;
}

bool CommsConditions::remove(ConditionId id) {
    const auto erase = [id](auto& list) {
        const auto it =
            std::find_if(list.begin(), list.end(), [id](const auto& c) { return c.id == id; });
        if (it == list.end()) {
            return false;
        }
        list.erase(it);  // keeps the order of the others
        return true;
    };
    const bool found = erase(blackouts_) || erase(spikes_);
    if (found) {
        ++version_;
    }
    return found;
}

void CommsConditions::set_cloud_up(bool up) {
    if (up != cloud_up_) {
        cloud_up_ = up;
        ++version_;
    }
}

bool CommsConditions::radio_ok(world::Point p) const {
    return std::none_of(blackouts_.begin(), blackouts_.end(),
                        [p](const Blackout& b) { return b.region.contains(p); });
}

double CommsConditions::loss_at(world::Point p, Link link) const {
    double pass = 1.0;
    for (const Spike& s : spikes_) {
        if (applies(s.spike.links, link) && (!s.spike.region || s.spike.region->contains(p))) {
            pass *= 1.0 - s.spike.extra_loss;
        }
    }
    return 1.0 - pass;
}

double CommsConditions::radio_loss_between(world::Point a, world::Point b) const {
    double pass = 1.0;
    for (const Spike& s : spikes_) {
        if (applies(s.spike.links, Link::kRadio) &&
            (!s.spike.region || s.spike.region->contains(a) || s.spike.region->contains(b))) {
            pass *= 1.0 - s.spike.extra_loss;
        }
    }
    return 1.0 - pass;
}

}  // namespace swarm::comms
