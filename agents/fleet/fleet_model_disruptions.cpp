// FleetModel: disruptions applied at barriers, failure processes and the spread of road
// knowledge.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

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

void FleetModel::apply(const DisruptionAction& a, Tick now) {
    if (engine_ == nullptr) {
        throw FleetModelError("fleet: apply() before attach()");
    }
    sim::Engine& engine = *engine_;
    AppliedDisruption rec{now, a.kind, a.label, 0, {}, 0.0};
    sim::RandomStream rng(engine.config().seed, kApplyStream, static_cast<std::uint32_t>(applied_),
                          0);
    const auto rehome = [&](std::uint32_t v, std::uint32_t home) {
        if (fleet_.home[v] != home) {
            fleet_.home[v] = home;
            engine.inject(vehicle_lp(v), now, type_of(Msg::kRehome));
        }
    };
    switch (a.kind) {
        case DisruptionKind::kCloseRoads:
        case DisruptionKind::kReopenRoads:
        case DisruptionKind::kSlowRoads:
            roads_.apply(a, now);
            rec.affected = static_cast<std::uint32_t>(a.edges.size());
            rec.targets = a.edges;
            rec.value = a.kind == DisruptionKind::kSlowRoads ? a.speed_factor : 0.0;
            break;
        case DisruptionKind::kDepotDown: {
            if (depot_up_.at(a.depot) == 0) {
                break;
            }
            depot_up_[a.depot] = 0;
            engine.inject(depot_lp(a.depot), now, type_of(Msg::kDepotDown));
            // its vehicles move to the nearest open depot
            const std::uint32_t to = nearest_open_depot(a.depot);
            for (std::uint32_t v = 0; v < fleet_.size() && to != kNone; ++v) {
                if (fleet_.home[v] == a.depot) {
                    rehome(v, to);
                }
            }
            rec.affected = 1;
            break;
        }
        case DisruptionKind::kDepotUp:
            if (depot_up_.at(a.depot) != 0) {
                break;
            }
            depot_up_[a.depot] = 1;
            engine.inject(depot_lp(a.depot), now, type_of(Msg::kDepotUp));
            for (std::uint32_t v = 0; v < fleet_.size(); ++v) {
                if (base_home_[v] == a.depot) {
                    rehome(v, a.depot);
                }
            }
            rec.affected = 1;
            break;
        case DisruptionKind::kDepotStock:
            depots_.at(a.depot).stock = a.stock;
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
                std::vector<std::uint32_t> pool;
                for (std::uint32_t v = 0; v < fleet_.size(); ++v) {
                    if ((fleet_.state[v] == VehicleState::kBroken) != brk) {
                        pool.push_back(v);
                    }
                }
                const auto k = static_cast<std::size_t>(std::llround(
                    a.fraction * static_cast<double>(brk ? pool.size() : fleet_.size())));
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
            active_conditions_.emplace_back(a.label, conditions_.add_blackout(*a.area));
            break;
        case DisruptionKind::kLossSpike: {
            comms::LossSpike spike;
            spike.extra_loss = a.loss;
            spike.region = a.area;
            active_conditions_.emplace_back(a.label, conditions_.add_loss_spike(spike));
            break;
        }
        case DisruptionKind::kRadioRestore:
        case DisruptionKind::kLossEnd:
            // lifts the blackouts (or spikes) with this label; without a label, all of them
            std::erase_if(active_conditions_, [&](const auto& c) {
                const bool match = a.label.empty() || c.first == a.label;
                return match && conditions_.remove(c.second);
            });
            break;
        case DisruptionKind::kCloudDown:
            conditions_.set_cloud_up(false);
            break;
        case DisruptionKind::kCloudUp:
            conditions_.set_cloud_up(true);
            break;
        case DisruptionKind::kDemandSurge:
        case DisruptionKind::kDemandSurgeEnd: {
            const bool start = a.kind == DisruptionKind::kDemandSurge;
            for (std::uint32_t d = 0; d < depot_count(); ++d) {
                if (!a.area || a.area->contains(spec_.net().position(depot_node_[d]))) {
                    demand_factor_[d] =
                        start ? demand_factor_[d] * a.multiplier : demand_factor_[d] / a.multiplier;
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
    ++applied_;
    disruption_log_.push_back(std::move(rec));
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
                for (std::uint32_t v = 0; v < fleet_.size(); ++v) {
                    schedule_failures(engine, i, v, t, 0);
                }
            } else {
                for (const std::uint32_t v : d.action.vehicles) {
                    schedule_failures(engine, i, v, t, 0);
                }
            }
            continue;
        }
        engine.at(t, [this, i](sim::Engine& /*e*/, Tick now) {
            apply(spec_.disruptions[i].action, now);
        });
        if (d.duration_s > 0.0) {
            if (const std::optional<DisruptionAction> undo = inverse(d.action)) {
                engine.at(end[i],
                          [this, undo = *undo](sim::Engine& /*e*/, Tick now) { apply(undo, now); });
            }
        }
    }
}

void FleetModel::schedule_failures(sim::Engine& engine, std::size_t spec_index, std::uint32_t v,
                                   Tick from, std::uint64_t draw) {
    const DisruptionSpec& d = spec_.disruptions[spec_index];
    sim::RandomStream rng(engine.config().seed,
                          kFailureStream + static_cast<std::uint32_t>(spec_index), v, draw);
    const Tick fail = from + seconds_to_ticks(spec_.time, rng.exponential(d.mtbf_s));
    const Tick repaired = fail + seconds_to_ticks(spec_.time, d.mttr_s);
    const std::uint64_t next_draw = rng.draws();
    engine.at(fail, [this, spec_index, v, repaired, next_draw](sim::Engine& e, Tick now) {
        DisruptionAction a;
        a.kind = DisruptionKind::kBreakVehicles;
        a.label = spec_.disruptions[spec_index].action.label;
        a.vehicles = {v};
        apply(a, now);
        e.at(repaired, [this, spec_index, v, next_draw](sim::Engine& e2, Tick now2) {
            DisruptionAction r;
            r.kind = DisruptionKind::kRepairVehicles;
            r.label = spec_.disruptions[spec_index].action.label;
            r.vehicles = {v};
            apply(r, now2);
            schedule_failures(e2, spec_index, v, now2, next_draw);
        });
    });
}

void FleetModel::share_knowledge(Tick /*t*/) {
    if (roads_.events().empty()) {
        return;
    }
    ++gossip_rounds_;
    // road news: 16 bytes per event known
    const auto news = [this](const KnownRoadEvents& k) {
        return link_.wire_bytes(16U * k.count());
    };
    const comms::AgentIndex cloud = cloud_agent();
    // the cloud hears what connected vehicles know and tells every connected vehicle; each
    // message may be lost on the cloud link (one draw per vehicle and direction, always)
    if (conditions_.cloud_up()) {
        sim::RandomStream rng(engine_->config().seed, kCloudNewsStream,
                              static_cast<std::uint32_t>(gossip_rounds_), 0);
        const auto lost = [&](std::uint32_t v) {
            return link_.lost(comms::Link::kCloud,
                              conditions_.loss_at(board_.entry(v).position, comms::Link::kCloud),
                              rng);
        };
        for (std::uint32_t v = 0; v < fleet_.size(); ++v) {
            const bool dropped = lost(v);
            if (radio_blocked(board_.entry(v).position) || cloud_known_.covers(fleet_.known[v])) {
                continue;
            }
            counters_.record_send(v, news(fleet_.known[v]));
            if (dropped) {
                counters_.record_drop(v);
                continue;
            }
            cloud_known_.merge(fleet_.known[v]);
            counters_.record_receive(cloud, news(fleet_.known[v]));
        }
        for (std::uint32_t v = 0; v < fleet_.size(); ++v) {
            const bool dropped = lost(v);
            if (radio_blocked(board_.entry(v).position) || fleet_.known[v].covers(cloud_known_)) {
                continue;
            }
            counters_.record_send(cloud, news(cloud_known_));
            if (dropped) {
                counters_.record_drop(cloud);
                continue;
            }
            fleet_.known[v].merge(cloud_known_);
            fleet_.replan[v] = 1;
            counters_.record_receive(v, news(cloud_known_));
        }
    }
    // peers: each vehicle pushes what it knows to its nearest radio neighbours that lack it
    // (one hop per round, from a snapshot, so the order of vehicles does not matter)
    const std::vector<KnownRoadEvents> before = fleet_.known;
    sim::RandomStream rng(engine_->config().seed, kGossipStream,
                          static_cast<std::uint32_t>(gossip_rounds_), 0);
    std::array<std::uint32_t, 64> near{};
    const std::size_t fanout = spec_.gossip_fanout;
    for (std::uint32_t v = 0; v < fleet_.size(); ++v) {
        if (before[v].count() == 0) {
            continue;
        }
        const Point p = board_.entry(v).position;
        if (radio_blocked(p)) {
            continue;
        }
        auto lacks = [&](std::uint32_t u, const FleetBoard::Entry& e) {
            return u != v && !before[u].covers(before[v]) && !radio_blocked(e.position);
        };
        const std::size_t n = board_.nearest(p, spec_.comms.radio_range_m, lacks,
                                             std::span<std::uint32_t>(near).first(fanout));
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t u = near[i];
            const Point q = board_.entry(u).position;
            counters_.record_send(v, news(before[v]));
            if (link_.lost(comms::Link::kRadio, conditions_.radio_loss_between(p, q), rng)) {
                counters_.record_drop(v);
                continue;
            }
            counters_.record_receive(u, news(before[v]));
            if (fleet_.known[u].merge(before[v])) {
                fleet_.replan[u] = 1;
            }
        }
    }
}

}  // namespace swarm::agents
