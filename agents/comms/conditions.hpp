// Communication conditions that disruptions change during a run: radio blackouts, loss
// spikes and the cloud link's state. Mutable, but changed only at barriers (between
// windows), so every LP reads the same conditions throughout a window.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "agents/comms/comms_spec.hpp"
#include "agents/world/region.hpp"

namespace swarm::sim {
class StateArchive;
}

namespace swarm::comms {

// Handle of one active blackout or loss spike, to lift it later. Never reused in a run.
using ConditionId = std::uint32_t;

enum class LinkSet : std::uint8_t { kRadio, kCloud, kBoth };

struct LossSpike {
    double extra_loss = 0.0;              // probability in [0, 1]
    std::optional<world::Region> region;  // none: everywhere
    LinkSet links = LinkSet::kRadio;
};

class CommsConditions {
  public:
    // An agent inside the region can neither send nor receive by radio.
    ConditionId add_blackout(world::Region region);
    // Throws std::invalid_argument unless extra_loss is in [0, 1].
    ConditionId add_loss_spike(LossSpike spike);
    // Lifts a blackout or spike; false if the id is not active (already lifted).
    bool remove(ConditionId id);
    void set_cloud_up(bool up);

    // not inside any active blackout
    [[nodiscard]] bool radio_ok(world::Point p) const;
    // Extra loss at p on `link` from the spikes active there, combined as independent
    // losses: 1 - prod(1 - p_i), in the order the spikes were added.
    [[nodiscard]] double loss_at(world::Point p, Link link = Link::kRadio) const;
    // Extra loss of one radio message from a to b: each radio spike counts once if it is
    // global or its region holds either end.
    [[nodiscard]] double radio_loss_between(world::Point a, world::Point b) const;
    [[nodiscard]] bool cloud_up() const { return cloud_up_; }

    [[nodiscard]] bool any_blackout() const { return !blackouts_.empty(); }
    [[nodiscard]] std::size_t blackout_count() const { return blackouts_.size(); }
    [[nodiscard]] std::size_t spike_count() const { return spikes_.size(); }
    // incremented by every change, so that derived data (a RadioGrid) knows it is stale
    [[nodiscard]] std::uint64_t version() const { return version_; }

    // checkpoints: the active blackouts and spikes (regions field-wise), the next id, the
    // cloud link and the version, under the archive's current scope; load() replaces them
    void save(sim::StateArchive& ar) const;
    void load(const sim::StateArchive& ar);

  private:
    struct Blackout {
        ConditionId id;
        world::Region region;
    };
    struct Spike {
        ConditionId id;
        LossSpike spike;
    };

    std::vector<Blackout> blackouts_;  // in the order added
    std::vector<Spike> spikes_;        // in the order added
    ConditionId next_id_ = 1;
    bool cloud_up_ = true;
    std::uint64_t version_ = 0;
};

}  // namespace swarm::comms
