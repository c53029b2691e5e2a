// FleetModel: predictive maintenance and the learning round, a barrier phase
// (barrier_phase.hpp): wear samples are taken per vehicle in parallel, then the learning
// senses, trains (in parallel, FleetLearning::train), exchanges models through the registered
// exchange of the mode (agents/fleet/exchanges/) and decides who goes to the workshop.
#include <cstdint>
#include <vector>

#include "agents/fleet/barrier_phase.hpp"
#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_model_internal.hpp"
#include "agents/fleet/model_exchanges.hpp"

namespace swarm::agents {

using namespace fleet_detail;
using sim::Context;
using sim::Tick;

void FleetModel::on_service_due(Context& ctx, std::uint32_t v) {
    if (world_.vehicles.warm[v].service_due == 0) {
        return;  // serviced or repaired since the flag was raised
    }
    // idle: go home now (or start there); busy vehicles finish their plan first and are
    // sent to the workshop by arrived_home; charging ones after the charge
    if (world_.vehicles.hot[v].state == VehicleState::kIdle && world_.vehicles.plan[v].size == 0 &&
        world_.vehicles.hot[v].moving == 0) {
        drive_to(ctx, v, depot_node_[world_.vehicles.warm[v].home], VehicleState::kReturning);
    }
}

void FleetModel::begin_service(Context& ctx, std::uint32_t v) {
    world_.vehicles.warm[v].service_due = 0;
    set_state(ctx, v, VehicleState::kMaintenance);
    ctx.schedule_self(seconds_to_ticks(spec_.time, spec_.learning.service_s),
                      type_of(Msg::kServiced));
}

void FleetModel::on_serviced(Context& ctx, std::uint32_t v) {
    if (world_.vehicles.hot[v].state != VehicleState::kMaintenance) {
        return;  // broke down in the workshop (a disruption): the repair decides
    }
    learning_->serviced(v);
    ++world_.vehicles.hot[v].counters.services;
    ++tally(ctx, v).closed.services;
    arrived_home(ctx, v);  // charge if low, else wait for offers
}

void FleetModel::learning_round(sim::Engine& engine, Tick t) {
    const std::uint32_t n = vehicle_count();
    const Tick round = seconds_to_ticks(spec_.time, spec_.learning.round_s);
    // local: each vehicle's wear sample (records by vehicle); apply: the learning's sense
    std::vector<float> utilisation(n, 0.0F);
    std::vector<std::uint8_t> running(n, 0);
    for_each_phase_range(
        &engine.executor(), n, phase_chunk_,
        [&](std::size_t /*range*/, std::size_t first, std::size_t last) {
            for (auto v = static_cast<std::uint32_t>(first); v < last; ++v) {
                // wear grows with the share of the round spent serving orders
                const Tick busy = vehicle_counters(v, t).busy;
                utilisation[v] = static_cast<float>(
                    static_cast<double>(busy - world_.learn_busy[v]) / static_cast<double>(round));
                world_.learn_busy[v] = busy;
                const VehicleState s = world_.vehicles.hot[v].state;
                running[v] = s != VehicleState::kBroken && s != VehicleState::kMaintenance ? 1 : 0;
            }
        });
    std::vector<std::uint32_t> broke;
    learning_->sense(t, utilisation, running, broke);
    const Tick repair = seconds_to_ticks(spec_.time, spec_.learning.repair_s);
    for (const std::uint32_t v : broke) {
        // worn out on the road: down until the repair (the component is then new)
        world_.vehicles.warm[v].service_due = 0;
        engine.inject(vehicle_lp(v), t, type_of(Msg::kBreak));
        world_.repair_at[v] = t + repair;
        at(engine, t + repair, {kLearningRepairAction, 0, v});
    }
    // scoring is the expensive part of a round: every eval_every rounds (and the first)
    const bool score = (learning_->totals().rounds - 1) % spec_.learning.eval_every == 0;
    if (!spec_.learning.learns()) {
        if (score) {
            learning_->evaluate(engine.executor());  // the untrained models: the baseline
        }
        return;
    }
    learning_->train(engine.executor());
    exchange_models();
    if (spec_.learning.predictive_maintenance) {
        std::vector<std::uint8_t> eligible(n, 0);
        for_each_phase_range(
            &engine.executor(), n, phase_chunk_,
            [&](std::size_t /*range*/, std::size_t first, std::size_t last) {
                for (auto v = static_cast<std::uint32_t>(first); v < last; ++v) {
                    eligible[v] = running[v] != 0 && world_.vehicles.warm[v].service_due == 0 &&
                                          world_.repair_at[v] == sim::kTickNever
                                      ? 1
                                      : 0;
                }
            });
        std::vector<std::uint32_t> due;
        learning_->decide(eligible, due);
        for (const std::uint32_t v : due) {
            world_.vehicles.warm[v].service_due = 1;
            engine.inject(vehicle_lp(v), t, type_of(Msg::kServiceDue));
        }
    }
    if (score) {
        learning_->evaluate(engine.executor());
    }
}

void FleetModel::exchange_models() {
    // the registered exchange of the mode (agents/fleet/exchanges/)
    const ModelExchangeInfo& how = model_exchange(spec_.learning.mode);
    if (how.exchange == nullptr) {
        return;
    }
    learning_->begin_exchange();  // Byzantine vehicles craft their updates
    ModelExchangeRound round{
        spec_,
        world_.board,
        world_.conditions,
        link_,
        world_.counters,
        *learning_,
        cloud_agent(),
        engine_->config().seed,
        static_cast<std::uint32_t>(learning_->totals().rounds),
        static_cast<std::uint32_t>(link_.wire_bytes(learning_->transfer_bytes()))};
    how.exchange(round);
}

}  // namespace swarm::agents
