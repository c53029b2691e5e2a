// FleetModel::save / resume: the model's part of a checkpoint (docs/checkpoints.md).
#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_model_internal.hpp"
#include "agents/fleet/fleet_run.hpp"
#include "agents/fleet/fleet_world_state.hpp"

namespace swarm::agents {

using namespace fleet_detail;

void FleetModel::save(sim::StateArchive& ar) const {
    {
        const auto s = ar.scope("world");
        save_world(world_, ar);
    }
    {
        const auto s = ar.scope("protocol");
        ar.put_string("name", protocol_->name());
        protocol_->save(ar);
    }
    ar.put_value("learning_on", std::uint8_t{learning_ ? std::uint8_t{1} : std::uint8_t{0}});
    if (learning_) {
        const auto s = ar.scope("learning");
        learning_->save(ar);
    }
}

void FleetModel::resume(sim::Engine& engine, const sim::StateArchive& ar) {
    prepare(engine);
    {
        const auto s = ar.scope("world");
        load_world(world_, ar);
    }
    {
        const auto s = ar.scope("protocol");
        const std::string name = ar.get_string("name");
        if (name != protocol_->name()) {
            throw sim::CheckpointError("the checkpoint's allocation protocol is '" + name +
                                       "' and this run's is '" +
                                       std::string(protocol_->name()) + "'");
        }
        protocol_->load(ar);
    }
    if ((ar.get_value<std::uint8_t>("learning_on") != 0) != (learning_ != nullptr)) {
        throw sim::CheckpointError(learning_ ? "this run learns and the checkpoint's did not"
                                             : "the checkpoint's run learns and this run does not");
    }
    if (learning_) {
        const auto s = ar.scope("learning");
        learning_->load(ar);
    }
    const auto s = ar.scope("kernel");
    engine.restore(ar, [this](const sim::ActionKey& k) { return make_action(k); });
}

void FleetRun::save(sim::StateArchive& ar) const {
    {
        const auto s = ar.scope("kernel");
        engine_->save(ar);
    }
    model_->save(ar);
    const auto s = ar.scope("kpi");
    kpi_->save(ar);
}

void FleetRun::resume(const sim::StateArchive& ar) {
    if (started_) {
        throw sim::CheckpointError("a run that has started cannot resume a checkpoint");
    }
    model_->resume(*engine_, ar);
    {
        const auto s = ar.scope("kpi");
        kpi_->load(ar);
    }
    started_ = true;
}

}  // namespace swarm::agents
