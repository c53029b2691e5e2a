#include "agents/fleet/fleet_model.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <string>

#include "agents/fleet/fleet_model_internal.hpp"
#include "agents/fleet/fleet_protocol_host.hpp"
#include "agents/fleet/kpi_observer.hpp"

namespace swarm::agents {

using sim::Context;
using sim::Customer;
using sim::Payload;
using sim::Tick;

using namespace fleet_detail;

std::vector<std::vector<NodeId>> demand_zones(const FleetSpec& spec) {
    const world::RoadNetwork& net = spec.net();
    const double r2 = spec.demand.zone_radius_m * spec.demand.zone_radius_m;
    std::vector<std::vector<NodeId>> zones(spec.depots.size());
    const auto positions = net.positions();
    for (std::size_t d = 0; d < spec.depots.size(); ++d) {
        const Point c = net.position(spec.depots[d].node);
        for (std::size_t i = 0; i < positions.size(); ++i) {
            const double dx = positions[i].x - c.x;
            const double dy = positions[i].y - c.y;
            if (dx * dx + dy * dy <= r2 && i != spec.depots[d].node) {
                zones[d].push_back(static_cast<NodeId>(i));
            }
        }
        if (zones[d].empty()) {
            zones[d].push_back(spec.depots[d].node);
        }
    }
    return zones;
}

FleetModel::FleetModel(const FleetSpec& spec, const routing::RouterFactory& routers)
    : spec_(spec), router_factory_(routers), link_(spec.comms, spec.time) {
    spec_.validate();
    protocol_ = make_protocol(spec_.allocation.policy);
    needs_ = protocol_->needs();
    host_ = std::make_unique<Host>(*this);
    lookahead_ = spec_.lookahead();
    backoff_ = seconds_to_ticks(spec_.time, spec_.allocation.retry_backoff_s);
    customer_service_ = seconds_to_ticks(spec_.time, spec_.demand.customer_service_s);
    kpi_interval_ = seconds_to_ticks(spec_.time, spec_.demand.kpi_interval_s);
    world_.fleet_time.series = KpiSeries(kpi_interval_);
    std::vector<std::vector<NodeId>> zones = demand_zones(spec_);
    // priorities matter only when some order has one
    const bool priorities = std::any_of(spec_.replay.orders.begin(), spec_.replay.orders.end(),
                                        [](const ReplayOrder& o) { return o.priority > 0; });
    for (std::uint32_t d = 0; d < spec_.depot_count(); ++d) {
        const DepotSpec& ds = spec_.depots[d];
        depot_node_.push_back(ds.node);
        world_.depots.emplace_back(d, kpi_interval_, ds.docks, ds.charging_points);
        world_.depots.back().stock = ds.initial_stock;
        if (priorities) {
            world_.depots.back().waiting.assign(kMaxPriority + 1, 0);
        }
        demand_.push_back(make_demand(spec_, d, std::move(zones[d])));
    }
    // vehicles idle and full at their home depot, in fleet order
    world_.vehicles.resize(spec_.vehicle_count());
    // the KPI groups (fleets of one fleet_kpi_id), in the order they first appear
    std::vector<std::string> group_ids;
    for (const FleetGroup& g : spec_.fleets) {
        fleet_end_.push_back((fleet_end_.empty() ? 0 : fleet_end_.back()) + g.count);
        const std::string& id = fleet_kpi_id(spec_, g);
        const auto it = std::find(group_ids.begin(), group_ids.end(), id);
        fleet_group_.push_back(static_cast<std::uint32_t>(it - group_ids.begin()));
        if (it == group_ids.end()) {
            group_ids.push_back(id);
        }
    }
    groups_ = std::max<std::size_t>(1, group_ids.size());
    // when every type is in one group only (fleets named by type, or a type per id), a
    // vehicle's type says its group
    type_group_.assign(spec_.types.size(), kNoGroup);
    for (std::size_t f = 0; f < spec_.fleets.size(); ++f) {
        std::uint32_t& g = type_group_[spec_.fleets[f].type];
        if (g != kNoGroup && g != fleet_group_[f]) {
            type_group_.clear();
            break;
        }
        g = fleet_group_[f];
    }
    std::uint32_t v = 0;
    for (const FleetGroup& g : spec_.fleets) {
        for (std::uint32_t i = 0; i < g.count; ++i, ++v) {
            const VehicleType& t = spec_.types[g.type];
            world_.vehicles.hot[v].type = static_cast<std::uint16_t>(g.type);
            world_.vehicles.warm[v].home = g.home;
            world_.vehicles.hot[v].node = depot_node_[g.home];
            world_.vehicles.hot[v].leg_to = world_.vehicles.hot[v].node;
            world_.vehicles.hot[v].dest = world_.vehicles.hot[v].node;
            world_.vehicles.hot[v].energy_kwh = t.battery_kwh;
            world_.vehicles.hot[v].min_energy_kwh = t.battery_kwh;
        }
    }
    base_home_ = column(world_.vehicles.warm, &VehicleWarm::home);
    layout_ = LpLayout(spec_.depot_count(), base_home_, needs_.dispatcher);
    world_.board = FleetBoard(spec_.net().bounds(), spec_.allocation.board_cell_m,
                              world_.vehicles.size(), spec_.depot_count(), spec_.types.size());
    world_.roads = RoadState(spec_.net().edge_count());
    world_.depot_up.assign(spec_.depot_count(), 1);
    world_.demand_factor.assign(spec_.depot_count(), 1.0);
    world_.counters.resize(world_.vehicles.size() + spec_.depot_count() + 1);
}

FleetModel::~FleetModel() = default;

sim::EngineConfig FleetModel::engine_config(std::uint64_t seed, std::size_t partitions) const {
    sim::EngineConfig c;
    c.lp_count = static_cast<std::uint32_t>(layout_.size());
    c.lookahead = lookahead_;
    c.seed = seed;
    c.partitions = partitions;
    return c;
}

void FleetModel::prepare(sim::Engine& engine) {
    engine_ = &engine;
    routers_.clear();
    for (std::size_t p = 0; p < engine.partitions(); ++p) {
        routers_.push_back(router_factory_.make());
    }
    views_.clear();
    views_.resize(engine.partitions());
    views_made_.assign(engine.partitions(), 0);
    views_free_at_ = 0;
    // the tallies: counted afresh at the first read (after a resume's load too); what the
    // events write into them until then is counted again by that recount
    tally_partitions_ = std::max<std::size_t>(1, engine.partitions());
    world_.counters.set_lanes(tally_partitions_);
    tallies_.assign(tally_partitions_ * groups_, FleetTally{});
    tallies_stale_ = true;
    protocol_->attach(*host_);
    learning_.reset();
    if (spec_.learning.active()) {
        learning_ = std::make_unique<FleetLearning>(spec_, vehicle_count(), engine.config().seed);
        learning_->keep_exchange_log(keep_exchange_log_);
    }
}

void FleetModel::attach(sim::Engine& engine) {
    prepare(engine);
    start_replicas(engine);
    // the board: built now, then at barriers only (the protocol's hook runs with each)
    rebuild_board(engine.now());
    const Tick interval = seconds_to_ticks(spec_.time, spec_.allocation.board_interval_s);
    const sim::ActionKey board{kBoardAction};
    engine.every(engine.now() + interval, interval, make_action(board), board);
    // vehicle time goes into the KPI series at every interval boundary
    world_.fleet_time.booked_at = engine.now();
    fleet_time(engine.now(), world_.fleet_time.busy_booked, world_.fleet_time.accounted_booked);
    const Tick first_boundary =
        world_.fleet_time.series.start_of(world_.fleet_time.series.interval_of(engine.now()) + 1);
    const sim::ActionKey fleet_time_key{kFleetTimeAction};
    engine.every(first_boundary, kpi_interval_, make_action(fleet_time_key), fleet_time_key);
    // each depot's first order arrival, from its demand substream
    for (std::uint32_t d = 0; d < spec_.depot_count(); ++d) {
        DepotState& ds = world_.depots[d];
        const sim::LpId lp = depot_lp(d);
        sim::RandomStream rng(engine.config().seed, lp, kDemandSubstream, ds.demand_draws);
        const Tick first = demand_[d].next_arrival(engine.now(), rng);
        ds.demand_draws = rng.draws();
        if (first != sim::kTickNever) {
            engine.inject(lp, first, type_of(Msg::kDemand));
        }
    }
    schedule_replay(engine);
    schedule_disruptions(engine);
    // operational learning: the hidden world of this seed and one round every round_s
    if (learning_) {
        world_.learn_busy.assign(world_.vehicles.size(), 0);
        world_.repair_at.assign(world_.vehicles.size(), sim::kTickNever);
        const Tick round = seconds_to_ticks(spec_.time, spec_.learning.round_s);
        const sim::ActionKey learning_key{kLearningRoundAction};
        engine.every(engine.now() + round, round, make_action(learning_key), learning_key);
    }
}

Point FleetModel::position_at(std::uint32_t v, Tick t) const {
    const world::RoadNetwork& net = spec_.net();
    const Point a = net.position(world_.vehicles.hot[v].node);
    if (world_.vehicles.hot[v].moving == 0 ||
        world_.vehicles.hot[v].leg_end <= world_.vehicles.hot[v].leg_start) {
        return a;
    }
    return leg_position(a, net.position(world_.vehicles.hot[v].leg_to),
                        world_.vehicles.hot[v].leg_start, world_.vehicles.hot[v].leg_end, t);
}

void FleetModel::follow_changes() {
    if (!order_journals_.empty()) {
        // two followers would each see part of the changes: both records would be wrong
        throw FleetModelError("fleet: the model's changes already have a follower");
    }
    // the journals side by side: a sample looks at every depot's, most of them empty
    order_journals_.assign(world_.depots.size(), {});
    for (std::size_t d = 0; d < world_.depots.size(); ++d) {
        world_.depots[d].book.set_journal(&order_journals_[d]);
    }
    if (replicated_) {
        journal_sent_.assign(world_.depots.size(), 0);
    }
}

void FleetModel::take_changes(Changes& out) {
    out.vehicles.clear();
    out.orders.clear();
    take_changed(FleetState::kTraceFollower, out.vehicles);
    // every depot's journal is looked at, most of them empty: an empty one costs its test
    // (the journals' array and count read once: the appends below could alias them)
    std::vector<std::uint32_t>* const journals = order_journals_.data();
    const auto depots = static_cast<std::uint32_t>(order_journals_.size());
    for (std::uint32_t d = 0; d < depots; ++d) {
        std::vector<std::uint32_t>& journal = journals[d];
        if (journal.empty()) {
            continue;
        }
        for (const std::uint32_t index : journal) {
            out.orders.emplace_back(d, index);
        }
        journal.clear();
    }
    std::fill(journal_sent_.begin(), journal_sent_.end(), 0);
}

comms::AgentIndex FleetModel::agent_of(sim::LpId lp) const {
    const LpLayout::Entry who = layout_.at(lp);
    switch (who.kind) {
        case LpLayout::Kind::kDepot:
            return depot_agent(who.index);
        case LpLayout::Kind::kVehicle:
            return who.index;
        default:
            return cloud_agent();
    }
}

std::uint32_t FleetModel::message_bytes(sim::EventType type) const {
    return type >= kProtocolMsgBase
               ? protocol_->message_bytes(static_cast<std::uint16_t>(type - kProtocolMsgBase))
               : payload_bytes(static_cast<Msg>(type));
}

std::string FleetModel::message_name(sim::EventType type) const {
    return type >= kProtocolMsgBase ? std::string(protocol_->name()) + "." +
                                          std::string(protocol_->message_name(
                                              static_cast<std::uint16_t>(type - kProtocolMsgBase)))
                                    : to_string(static_cast<Msg>(type));
}

void FleetModel::send(Context& ctx, sim::LpId dst, sim::EventType type, const Payload& p,
                      Point where) {
    const std::uint32_t bytes = message_bytes(type);
    const comms::AgentIndex from = agent_of(ctx.self());
    world_.counters.record_send(from, link_.wire_bytes(bytes), ctx.partition());
    const bool cloud = layout_.cloud_lp() != LpLayout::kNoCloud &&
                       (dst == layout_.cloud_lp() || ctx.self() == layout_.cloud_lp());
    if (cloud && needs_.ideal_cloud_link) {
        ctx.send(dst, lookahead_, type, p);
        return;
    }
    if (cloud) {
        // lost or not: one draw from the sender's own cloud-loss substream
        const LpLayout::Entry who = layout_.at(ctx.self());
        if (who.kind == LpLayout::Kind::kVehicle) {
            throw FleetModelError("fleet: vehicles send nothing over the cloud link");
        }
        std::uint64_t& draws = who.kind == LpLayout::Kind::kDepot
                                   ? world_.depots[who.index].cloud_draws
                                   : world_.cloud_draws;
        sim::RandomStream rng(ctx.seed(), ctx.self(), kCloudSubstream, draws);
        const bool lost = link_.lost(comms::Link::kCloud,
                                     world_.conditions.loss_at(where, comms::Link::kCloud), rng);
        draws = rng.draws();
        if (lost) {
            world_.counters.record_drop(from, ctx.partition());
            return;
        }
    }
    const Tick delay = link_.delay(cloud ? comms::Link::kCloud : comms::Link::kRadio, bytes);
    ctx.send(dst, std::max(delay, lookahead_), type, p);
}

void FleetModel::prefetch(sim::LpId lp) const {
    const LpLayout::Entry who = layout_.at(lp);
    if (who.kind == LpLayout::Kind::kVehicle) {
        const auto* hot = reinterpret_cast<const char*>(&world_.vehicles.hot[who.index]);
        __builtin_prefetch(hot);
        __builtin_prefetch(hot + 64);
        __builtin_prefetch(&world_.vehicles.warm[who.index]);
    }
}

void FleetModel::handle(Context& ctx, const sim::Event& event) {
    const sim::LpId lp = ctx.self();
    const auto m = static_cast<Msg>(event.type);
    const LpLayout::Entry who = layout_.at(lp);
    if (replicated_) {
        lp_dirty_[lp] = 1;
    }
    if (event.src != lp && event.src != sim::kExternalLp) {
        world_.counters.record_receive(agent_of(lp), link_.wire_bytes(message_bytes(event.type)),
                                       ctx.partition());
    }
    if (event.type >= kProtocolMsgBase) {
        return protocol_->handle(*host_, ctx, who,
                                 static_cast<std::uint16_t>(event.type - kProtocolMsgBase),
                                 event.payload);
    }
    if (who.kind == LpLayout::Kind::kDepot) {
        const std::uint32_t d = who.index;
        switch (m) {
            case Msg::kDemand:
                return on_demand(ctx, d);
            case Msg::kRetry:
                return on_retry(ctx, d, event.payload.as<AnswerMsg>().order);
            case Msg::kAccept:
                return on_accept(ctx, d, event.payload.as<AnswerMsg>());
            case Msg::kReject:
                return on_reject(ctx, d, event.payload.as<AnswerMsg>());
            case Msg::kDockRequest:
                return on_dock_request(ctx, d, event.payload.as<DockMsg>());
            case Msg::kDockDone:
                return on_dock_done(ctx, d, event.payload.as<Customer>());
            case Msg::kDelivered:
                return on_delivered(d, event.payload.as<DeliveredMsg>());
            case Msg::kChargeRequest:
                return on_charge_request(ctx, d, event.payload.as<ChargeMsg>());
            case Msg::kChargeDone:
                return on_charge_done(ctx, d, event.payload.as<ChargeMsg>());
            case Msg::kDepotDown:
                return on_depot_down(ctx, d);
            case Msg::kDepotUp:
                return;  // world_.depot_up already says so; nothing is waiting
            case Msg::kDocks: {
                // more docks start waiting vehicles now; fewer let the busy ones finish
                DepotState& ds = world_.depots[d];
                const auto started =
                    ds.docks.set_servers(ctx.now(), event.payload.as<VehicleMsg>().count);
                for (const Customer& c : started) {
                    begin_dock(ctx, d, static_cast<std::uint32_t>(c.id));
                }
                ds.book.counters().queue.set(ctx.now(),
                                             static_cast<std::int64_t>(ds.docks.queue_length()));
                return;
            }
            case Msg::kOrphan:
                return on_orphan(ctx, d, event.payload.as<AnswerMsg>());
            case Msg::kLost:
                return on_lost(ctx, d, event.payload.as<AnswerMsg>());
            case Msg::kForward:
                return on_forward(ctx, d, event.payload.as<OrderMsg>());
            case Msg::kReplay:
                return on_replay(ctx, d);
            case Msg::kPickUp:
                return on_pick_up(ctx, d, event.payload.as<PickUpMsg>());
            default:
                break;
        }
    } else if (who.kind == LpLayout::Kind::kVehicle) {
        const std::uint32_t v = who.index;
        switch (m) {
            case Msg::kAward:
                // (awards injected at a barrier, CBBA's, come from kExternalLp, which is also
                // the cloud's id when there is none)
                return on_award(ctx, v, event.payload.as<OrderMsg>(),
                                needs_.dispatcher && event.src == layout_.cloud_lp());
            case Msg::kArrive:
                return on_arrive(ctx, v);
            case Msg::kLoaded:
                return on_loaded(ctx, v, event.payload.as<DockMsg>());
            case Msg::kReady:
                return on_ready(ctx, v, event.payload.as<VehicleMsg>());
            case Msg::kServiceDone:
                return on_service_done(ctx, v, event.payload.as<VehicleMsg>());
            case Msg::kCharged:
                return on_charged(ctx, v);
            case Msg::kBreak:
                return on_break(ctx, v);
            case Msg::kRepair:
                return on_repair(ctx, v);
            case Msg::kRehome:
                return on_rehome(ctx, v);
            case Msg::kRevoke:
                return on_revoke(ctx, v, event.payload.as<OrderMsg>());
            case Msg::kServiceDue:
                return on_service_due(ctx, v);
            case Msg::kServiced:
                return on_serviced(ctx, v);
            case Msg::kRouteRetry:
                return on_route_retry(ctx, v, event.payload.as<VehicleMsg>());
            case Msg::kPickUpDone:
                return on_pick_up_done(ctx, v, event.payload.as<PickUpMsg>());
            default:
                break;
        }
    }
    throw FleetModelError("fleet: LP " + std::to_string(lp) + " cannot handle message " +
                          message_name(event.type));
}

// ---------------------------------------------------------------------------------------
// checks and accounting

void FleetModel::finish(const sim::Engine& /*engine*/) const {
    for (std::uint32_t d = 0; d < world_.depots.size(); ++d) {
        const ConservationReport r = world_.depots[d].book.check_conservation();
        if (!r.ok()) {
            throw FleetModelError("fleet: order conservation violated at depot " +
                                  std::to_string(d) + ": " + r.message());
        }
    }
}

FleetMemory FleetModel::memory() const {
    FleetMemory m = world_.memory();
    m.board += board_scratch_.capacity() * sizeof(FleetBoard::Entry) +
               (board_refresh_.capacity() + board_changed_.capacity() + board_spots_.capacity()) *
                   sizeof(std::uint32_t) +
               board_driving_.capacity();
    m.other += layout_.memory_bytes() + (learning_ ? learning_->memory_bytes() : 0) +
               protocol_->memory_bytes();
    // the believed road views, one per set of known road events in use and partition: a
    // closure mask, the slowed edges' times and the open roads' reach each
    for (const auto& cache : views_) {
        m.views += cache.capacity() * sizeof(cache[0]);
        for (const auto& bv : cache) {
            m.views += sizeof(BelievedView) + bv->closed.memory_bytes() +
                       bv->times.capacity() * sizeof(float) +
                       (bv->reach && bv->reach != open_reach_ ? bv->reach->memory_bytes() : 0);
        }
    }
    m.views += open_reach_ ? open_reach_->memory_bytes() : 0;
    for (const DemandProcess& p : demand_) {
        m.zones += p.zone().nodes.capacity() * sizeof(NodeId);
    }
    return m;
}

}  // namespace swarm::agents
