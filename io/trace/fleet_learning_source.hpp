// What the fleet's vehicles learn, into the trace (docs/fleet-learning.md): the per-agent
// values of FleetLearning (wear, predicted risk, model scores, distance to the mean model,
// model bytes) as particles/agents/<name>/value, and every model transfer that arrived
// (gossip pushes and pulls, cloud uploads and downloads) as connectivity/ links.
#pragma once

#include <string>
#include <vector>

#include "agents/fleet/fleet_model.hpp"
#include "io/trace/trace_observer.hpp"

namespace swarm::io {

class FleetLearningSource final : public AgentValueSource, public LinkSource {
  public:
    // turns on the model's exchange log (kept until collected here)
    explicit FleetLearningSource(agents::FleetModel& model);

    // the names it publishes, for TraceHeader::agent_values (empty without learning)
    [[nodiscard]] static std::vector<std::string> names(const agents::FleetSpec& spec);

    [[nodiscard]] std::vector<std::string> value_names() const override;
    void collect_values(sim::Tick t, std::span<const std::span<float>> out) override;
    void collect_links(sim::Tick t, std::vector<TraceLink>& out) override;

  private:
    agents::FleetModel& model_;
    std::vector<agents::FleetLearning::Exchange> exchanges_;
};

}  // namespace swarm::io
