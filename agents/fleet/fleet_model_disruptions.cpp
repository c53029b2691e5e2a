// FleetModel: disruptions applied at barriers (their scans of the fleet are phases:
// barrier_phase.hpp) and failure processes.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "agents/fleet/barrier_phase.hpp"
#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_model_internal.hpp"

namespace swarm::agents {

using namespace fleet_detail;
using sim::Context;
using sim::Customer;
using sim::Payload;
using sim::Tick;
// ---------------------------------------------------------------------------------------
// disruptions, applied at barriers

// the vehicles for which keep(v) holds, ascending: a phase's local scan (barrier_phase.hpp)
template <class Keep>
std::vector<std::uint32_t> FleetModel::select_vehicles(Keep&& keep) const {
    return select_indices(engine_ != nullptr ? &engine_->executor() : nullptr,
                          world_.vehicles.size(), phase_chunk_, std::forward<Keep>(keep));
}

void FleetModel::apply(const DisruptionAction& a, Tick now) {
    if (engine_ == nullptr) {
        throw FleetModelError("fleet: apply() before attach()");
    }
    sim::Engine& engine = *engine_;
    AppliedDisruption rec{now, a.kind, a.label, 0, {}, 0.0};
    sim::RandomStream rng(engine.config().seed, kApplyStream,
                          static_cast<std::uint32_t>(world_.applied), 0);
    const auto rehome = [&](std::uint32_t v, std::uint32_t home) {
        if (world_.vehicles.warm[v].home != home) {
            world_.vehicles.warm[v].home = home;
            // the board's ranks: a vehicle idle at its old home no longer waits there
            world_.vehicles.flag(v, FleetState::kBoardFollower);
            engine.inject(vehicle_lp(v), now, type_of(Msg::kRehome));
        }
    };
    switch (a.kind) {
        case DisruptionKind::kCloseRoads:
        case DisruptionKind::kReopenRoads:
        case DisruptionKind::kSlowRoads: {
            const std::size_t event = world_.roads.apply(a, now);
            if (!open_reach_) {  // for the views that close nothing (can_reach)
                open_reach_ = std::make_shared<const world::OpenReach>(spec_.net(), nullptr);
            }
            if (a.announced) {
                world_.cloud_known.set(event);  // told to connected vehicles with the news
            }
            rec.affected = static_cast<std::uint32_t>(a.edges.size());
            rec.targets = a.edges;
            rec.value = a.kind == DisruptionKind::kSlowRoads ? a.speed_factor : 0.0;
            break;
        }
        case DisruptionKind::kDepotDown: {
            if (world_.depot_up.at(a.depot) == 0) {
                break;
            }
            world_.depot_up[a.depot] = 0;
            engine.inject(depot_lp(a.depot), now, type_of(Msg::kDepotDown));
            // its vehicles move to the nearest open depot
            const std::uint32_t to = nearest_open_depot(a.depot);
            if (to != kNone) {
                for (const std::uint32_t v : select_vehicles([&](std::uint32_t u) {
                         return world_.vehicles.warm[u].home == a.depot;
                     })) {
                    rehome(v, to);
                }
            }
            rec.affected = 1;
            break;
        }
        case DisruptionKind::kDepotUp:
            if (world_.depot_up.at(a.depot) != 0) {
                break;
            }
            world_.depot_up[a.depot] = 1;
            engine.inject(depot_lp(a.depot), now, type_of(Msg::kDepotUp));
            for (const std::uint32_t v :
                 select_vehicles([&](std::uint32_t u) { return base_home_[u] == a.depot; })) {
                rehome(v, a.depot);
            }
            rec.affected = 1;
            break;
        case DisruptionKind::kDepotStock:
            world_.depots.at(a.depot).stock = a.stock;
            rec.affected = 1;
            break;
        case DisruptionKind::kDepotDocks: {
            VehicleMsg m;
            m.count = a.docks == 0 ? spec_.depots.at(a.depot).docks : a.docks;
            engine.inject(depot_lp(a.depot), now, type_of(Msg::kDocks), Payload::of(m));
            rec.affected = 1;
            break;
        }
        case DisruptionKind::kBreakVehicles:
        case DisruptionKind::kRepairVehicles: {
            const bool brk = a.kind == DisruptionKind::kBreakVehicles;
            std::vector<std::uint32_t> who = a.vehicles;
            if (who.empty()) {
                // a random share of the vehicles in the other state (partial Fisher-Yates)
                std::vector<std::uint32_t> pool = select_vehicles([&](std::uint32_t u) {
                    return (world_.vehicles.hot[u].state == VehicleState::kBroken) != brk;
                });
                const auto k = static_cast<std::size_t>(std::llround(
                    a.fraction * static_cast<double>(brk ? pool.size() : world_.vehicles.size())));
                const std::size_t take = std::min(k, pool.size());
                for (std::size_t i = 0; i < take; ++i) {
                    const std::size_t j =
                        i + static_cast<std::size_t>(rng.uniform() *
                                                     static_cast<double>(pool.size() - i));
                    std::swap(pool[i], pool[std::min(j, pool.size() - 1)]);
                }
                if (!brk && a.fraction == 0.0) {
                    who = pool;  // repair without names or share: all broken vehicles
                } else {
                    who.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(take));
                    std::sort(who.begin(), who.end());
                }
            }
            for (const std::uint32_t v : who) {
                engine.inject(vehicle_lp(v), now, type_of(brk ? Msg::kBreak : Msg::kRepair));
            }
            rec.affected = static_cast<std::uint32_t>(who.size());
            rec.targets = who;
            break;
        }
        case DisruptionKind::kRadioBlackout:
            if (!a.area) {
                throw FleetModelError("fleet: a radio blackout needs an area");
            }
            world_.active_conditions.emplace_back(a.label, world_.conditions.add_blackout(*a.area));
            break;
        case DisruptionKind::kLossSpike: {
            comms::LossSpike spike;
            spike.extra_loss = a.loss;
            spike.region = a.area;
            world_.active_conditions.emplace_back(a.label, world_.conditions.add_loss_spike(spike));
            break;
        }
        case DisruptionKind::kRadioRestore:
        case DisruptionKind::kLossEnd:
            // lifts the blackouts (or spikes) with this label; without a label, all of them
            std::erase_if(world_.active_conditions, [&](const auto& c) {
                const bool match = a.label.empty() || c.first == a.label;
                return match && world_.conditions.remove(c.second);
            });
            break;
        case DisruptionKind::kCloudDown:
            world_.conditions.set_cloud_up(false);
            break;
        case DisruptionKind::kCloudUp:
            world_.conditions.set_cloud_up(true);
            break;
        case DisruptionKind::kDemandSurge:
        case DisruptionKind::kDemandSurgeEnd: {
            const bool start = a.kind == DisruptionKind::kDemandSurge;
            for (std::uint32_t d = 0; d < depot_count(); ++d) {
                if (!a.area || a.area->contains(spec_.net().position(depot_node_[d]))) {
                    world_.demand_factor[d] = start ? world_.demand_factor[d] * a.multiplier
                                                    : world_.demand_factor[d] / a.multiplier;
                    ++rec.affected;
                }
            }
            break;
        }
    }
    if (info(a.kind).target == DisruptionTarget::kDepot) {
        rec.targets = {a.depot};
        rec.value = a.kind == DisruptionKind::kDepotDocks
                        ? static_cast<double>(a.docks == 0 ? spec_.depots[a.depot].docks : a.docks)
                        : static_cast<double>(a.stock);
    } else if (a.kind == DisruptionKind::kLossSpike) {
        rec.value = a.loss;
    } else if (a.kind == DisruptionKind::kDemandSurge ||
               a.kind == DisruptionKind::kDemandSurgeEnd) {
        rec.value = a.multiplier;
    }
    ++world_.applied;
    world_.disruption_log.push_back(std::move(rec));
}

void FleetModel::schedule_disruptions(sim::Engine& engine) {
    const std::vector<DisruptionSpec>& list = spec_.disruptions;
    std::vector<Tick> start(list.size(), sim::kTickNever);
    std::vector<Tick> end(list.size(), sim::kTickNever);
    const Tick t0 = engine.now();
    for (std::size_t i = 0; i < list.size(); ++i) {
        const DisruptionSpec& d = list[i];
        sim::RandomStream rng(engine.config().seed, kScheduleStream, static_cast<std::uint32_t>(i),
                              0);
        const double u_happens = rng.uniform();
        const double u_start = rng.uniform();
        if (d.probability < 1.0 && u_happens >= d.probability) {
            continue;
        }
        Tick t = t0 + seconds_to_ticks(spec_.time, d.at_s);
        if (d.window_end_s > d.at_s) {
            t += seconds_to_ticks(spec_.time, (d.window_end_s - d.at_s) * u_start);
        }
        if (!d.after.empty()) {
            std::size_t j = 0;
            while (list[j].id != d.after) {
                ++j;
            }
            const Tick base = d.after_end ? end[j] : start[j];
            if (base == sim::kTickNever) {
                continue;  // what it depends on did not happen
            }
            t = base + seconds_to_ticks(spec_.time, d.after_delay_s);
        }
        start[i] = t;
        end[i] = t + seconds_to_ticks(spec_.time, d.duration_s);
        if (d.mtbf_s > 0.0) {
            if (d.action.vehicles.empty()) {
                for (std::uint32_t v = 0; v < world_.vehicles.size(); ++v) {
                    schedule_failures(engine, i, v, t, 0);
                }
            } else {
                for (const std::uint32_t v : d.action.vehicles) {
                    schedule_failures(engine, i, v, t, 0);
                }
            }
            continue;
        }
        at(engine, t, {kDisruptionAction, static_cast<std::uint32_t>(i)});
        if (d.duration_s > 0.0 && inverse(d.action)) {
            at(engine, end[i], {kDisruptionEndAction, static_cast<std::uint32_t>(i)});
        }
    }
}

void FleetModel::schedule_failures(sim::Engine& engine, std::size_t spec_index, std::uint32_t v,
                                   Tick from, std::uint64_t draw) {
    const DisruptionSpec& d = spec_.disruptions[spec_index];
    sim::RandomStream rng(engine.config().seed,
                          kFailureStream + static_cast<std::uint32_t>(spec_index), v, draw);
    const Tick fail = from + seconds_to_ticks(spec_.time, rng.exponential(d.mtbf_s));
    at(engine, fail, {kFailureAction, static_cast<std::uint32_t>(spec_index), v, rng.draws()});
}

sim::Engine::BarrierAction FleetModel::make_action(const sim::ActionKey& key) {
    const std::uint32_t i = key.a;
    switch (key.kind) {
        case kBoardAction:
            return [this](sim::Engine& /*e*/, Tick t) { rebuild_board(t); };
        case kFleetTimeAction:
            return [this](sim::Engine& /*e*/, Tick t) { record_fleet_time(t); };
        case kLearningRoundAction:
            if (!learning_) {
                return {};
            }
            return [this](sim::Engine& e, Tick t) { learning_round(e, t); };
        case kDisruptionAction:
            if (i >= spec_.disruptions.size()) {
                return {};
            }
            return [this, i](sim::Engine& /*e*/, Tick now) {
                apply(spec_.disruptions[i].action, now);
            };
        case kDisruptionEndAction: {
            if (i >= spec_.disruptions.size()) {
                return {};
            }
            const std::optional<DisruptionAction> undo = inverse(spec_.disruptions[i].action);
            if (!undo) {
                return {};
            }
            return [this, undo = *undo](sim::Engine& /*e*/, Tick now) { apply(undo, now); };
        }
        case kFailureAction:
        case kFailureRepairAction: {
            if (i >= spec_.disruptions.size() || key.b >= vehicle_count()) {
                return {};
            }
            const auto v = static_cast<std::uint32_t>(key.b);
            const std::uint64_t next_draw = key.c;
            const bool repair = key.kind == kFailureRepairAction;
            return [this, i, v, next_draw, repair](sim::Engine& e, Tick now) {
                DisruptionAction a;
                a.kind = repair ? DisruptionKind::kRepairVehicles : DisruptionKind::kBreakVehicles;
                a.label = spec_.disruptions[i].action.label;
                a.vehicles = {v};
                apply(a, now);
                if (repair) {
                    schedule_failures(e, i, v, now, next_draw);
                } else {
                    at(e, now + seconds_to_ticks(spec_.time, spec_.disruptions[i].mttr_s),
                       {kFailureRepairAction, i, v, next_draw});
                }
            };
        }
        case kLearningRepairAction: {
            if (!learning_ || key.b >= vehicle_count()) {
                return {};
            }
            const auto v = static_cast<std::uint32_t>(key.b);
            return [this, v](sim::Engine& e, Tick now) {
                if (world_.repair_at[v] == now) {
                    world_.repair_at[v] = sim::kTickNever;
                    e.inject(vehicle_lp(v), now, type_of(Msg::kRepair));
                }
            };
        }
        default:
            return {};
    }
}

}  // namespace swarm::agents
