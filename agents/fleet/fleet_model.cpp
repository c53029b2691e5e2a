#include "agents/fleet/fleet_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace swarm::agents {

using sim::Context;
using sim::Customer;
using sim::Payload;
using sim::Tick;

namespace {

constexpr std::uint32_t kNone = 0xFFFFFFFFu;
// bid timeouts run after every bid that arrives at the same tick
constexpr std::uint8_t kLatePriority = 1;

double distance(Point a, Point b) {
    return std::hypot(a.x - b.x, a.y - b.y);
}

Tick seconds_to_ticks(const sim::TimeScale& ts, double s) {
    return ts.from_seconds(s);
}

}  // namespace

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
    : spec_(spec), router_factory_(routers) {
    spec_.validate();
    policy_ = make_allocation_policy(spec_.allocation.policy);
    zones_ = demand_zones(spec_);
    lookahead_ = spec_.lookahead();
    bid_window_ = spec_.bid_window();
    backoff_ = seconds_to_ticks(spec_.time, spec_.allocation.retry_backoff_s);
    customer_service_ = seconds_to_ticks(spec_.time, spec_.demand.customer_service_s);
    due_ = seconds_to_ticks(spec_.time, spec_.demand.due_s);
    for (const DepotSpec& d : spec_.depots) {
        depot_node_.push_back(d.node);
        depots_.emplace_back(d.docks, d.charging_points);
        depots_.back().stock = d.initial_stock;
    }
    // vehicles idle and full at their home depot, in fleet order
    fleet_.resize(spec_.vehicle_count());
    std::uint32_t v = 0;
    for (const FleetGroup& g : spec_.fleets) {
        for (std::uint32_t i = 0; i < g.count; ++i, ++v) {
            const VehicleType& t = spec_.types[g.type];
            fleet_.type[v] = static_cast<std::uint16_t>(g.type);
            fleet_.home[v] = g.home;
            fleet_.node[v] = depot_node_[g.home];
            fleet_.leg_to[v] = fleet_.node[v];
            fleet_.dest[v] = fleet_.node[v];
            fleet_.energy_kwh[v] = t.battery_kwh;
            fleet_.min_energy_kwh[v] = t.battery_kwh;
        }
    }
    board_ = FleetBoard(spec_.net().bounds(), spec_.allocation.board_cell_m);
    board_scratch_.resize(fleet_.size());
}

sim::EngineConfig FleetModel::engine_config(std::uint64_t seed, std::size_t partitions) const {
    sim::EngineConfig c;
    c.lp_count = spec_.depot_count() + vehicle_count();
    c.lookahead = lookahead_;
    c.seed = seed;
    c.partitions = partitions;
    return c;
}

void FleetModel::attach(sim::Engine& engine) {
    routers_.clear();
    for (std::size_t p = 0; p < engine.partitions(); ++p) {
        routers_.push_back(router_factory_.make());
    }
    // the board: built now, then at barriers only
    rebuild_board(engine.now());
    const Tick interval = seconds_to_ticks(spec_.time, spec_.allocation.board_interval_s);
    engine.every(engine.now() + interval, interval,
                 [this](sim::Engine& /*engine*/, Tick t) { rebuild_board(t); });
    // each depot's first order arrival, from its demand substream
    for (std::uint32_t d = 0; d < spec_.depot_count(); ++d) {
        const double rate = spec_.depots[d].demand_per_hour;
        if (rate <= 0.0) {
            continue;
        }
        DepotState& ds = depots_[d];
        sim::RandomStream rng(engine.config().seed, d, kDemandSubstream, ds.demand_draws);
        const Tick first = seconds_to_ticks(spec_.time, rng.exponential(3600.0 / rate));
        ds.demand_draws = rng.draws();
        engine.inject(d, engine.now() + first, type_of(Msg::kDemand));
    }
}

void FleetModel::rebuild_board(Tick t) {
    for (std::uint32_t v = 0; v < fleet_.size(); ++v) {
        board_scratch_[v] = {position_at(v, t), fleet_.state[v], fleet_.plan[v].size};
    }
    board_.rebuild(board_scratch_);
    board_.set_built_at(t);
}

Point FleetModel::position_at(std::uint32_t v, Tick t) const {
    const world::RoadNetwork& net = spec_.net();
    const Point a = net.position(fleet_.node[v]);
    if (fleet_.moving[v] == 0 || fleet_.leg_end[v] <= fleet_.leg_start[v]) {
        return a;
    }
    const Point b = net.position(fleet_.leg_to[v]);
    const double f = std::clamp(static_cast<double>(t - fleet_.leg_start[v]) /
                                    static_cast<double>(fleet_.leg_end[v] - fleet_.leg_start[v]),
                                0.0, 1.0);
    return {a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f};
}

void FleetModel::send(Context& ctx, sim::LpId dst, Msg m, const Payload& p) const {
    ctx.send(dst, lookahead_, type_of(m), p);
}

void FleetModel::handle(Context& ctx, const sim::Event& event) {
    const sim::LpId lp = ctx.self();
    const auto m = static_cast<Msg>(event.type);
    if (lp < spec_.depot_count()) {
        const std::uint32_t d = lp;
        switch (m) {
            case Msg::kDemand:
                return on_demand(ctx, d);
            case Msg::kBid:
                return on_bid(d, event.payload.as<AnswerMsg>());
            case Msg::kDecline:
                return on_decline(d, event.payload.as<AnswerMsg>());
            case Msg::kBidTimeout: {
                const auto a = event.payload.as<AnswerMsg>();
                return on_bid_timeout(ctx, d, a.order, a.round);
            }
            case Msg::kRetry:
                return on_retry(ctx, d, event.payload.as<AnswerMsg>().order);
            case Msg::kAccept:
                return on_accept(d, event.payload.as<AnswerMsg>());
            case Msg::kReject:
                return on_reject(ctx, d, event.payload.as<AnswerMsg>());
            case Msg::kDockRequest:
                return on_dock_request(ctx, d, event.payload.as<DockMsg>());
            case Msg::kDockDone:
                return on_dock_done(ctx, d,
                                    static_cast<std::uint32_t>(event.payload.as<Customer>().id));
            case Msg::kDelivered:
                return on_delivered(d, event.payload.as<DeliveredMsg>());
            case Msg::kChargeRequest:
                return on_charge_request(ctx, d, event.payload.as<ChargeMsg>());
            case Msg::kChargeDone:
                return on_charge_done(ctx, d, event.payload.as<ChargeMsg>());
            default:
                break;
        }
    } else {
        const std::uint32_t v = lp - spec_.depot_count();
        switch (m) {
            case Msg::kOffer:
                return on_offer(ctx, v, event.payload.as<OrderMsg>());
            case Msg::kAward:
                return on_award(ctx, v, event.payload.as<OrderMsg>());
            case Msg::kArrive:
                return on_arrive(ctx, v);
            case Msg::kLoaded:
                return on_loaded(ctx, v, event.payload.as<VehicleMsg>());
            case Msg::kReady:
                return on_ready(ctx, v);
            case Msg::kServiceDone:
                return on_service_done(ctx, v);
            case Msg::kCharged:
                return on_charged(ctx, v);
            default:
                break;
        }
    }
    throw FleetModelError("fleet: LP " + std::to_string(lp) + " cannot handle message " +
                          to_string(m));
}

// ---------------------------------------------------------------------------------------
// depots

OrderMsg FleetModel::order_msg(std::uint32_t d, std::uint32_t o) const {
    const DepotOrder& ord = depots_[d].orders[o];
    OrderMsg m;
    m.depot = d;
    m.order = o;
    m.customer = ord.customer;
    m.size = static_cast<std::uint16_t>(ord.size);
    m.round = ord.round;
    m.ready = ord.ready;
    m.due = ord.due;
    return m;
}

void FleetModel::on_demand(Context& ctx, std::uint32_t d) {
    DepotState& ds = depots_[d];
    const std::vector<NodeId>& zone = zones_[d];
    sim::RandomStream rng(ctx.seed(), d, kDemandSubstream, ds.demand_draws);
    // the order: a customer in the zone, a size, a due time
    DepotOrder ord;
    ord.customer = zone[rng.below(zone.size())];
    ord.size = 1 + static_cast<std::uint32_t>(rng.below(spec_.demand.max_size));
    ord.created = ctx.now();
    ord.ready = ctx.now();
    ord.due = ctx.now() + due_;
    // the next arrival
    const Tick gap =
        seconds_to_ticks(spec_.time, rng.exponential(3600.0 / spec_.depots[d].demand_per_hour));
    ds.demand_draws = rng.draws();
    ctx.schedule_self(gap, type_of(Msg::kDemand));

    const auto o = static_cast<std::uint32_t>(ds.orders.size());
    ++ds.counters.created;
    // stock is reserved when the order is taken
    if (ds.stock < ord.size) {
        ord.status = OrderStatus::kFailed;
        ds.orders.push_back(ord);
        ++ds.counters.failed_no_stock;
        return;
    }
    ds.stock -= ord.size;
    ds.orders.push_back(ord);
    start_auction(ctx, d, o);
}

void FleetModel::start_auction(Context& ctx, std::uint32_t d, std::uint32_t o) {
    DepotState& ds = depots_[d];
    DepotOrder& ord = ds.orders[o];
    ord.status = OrderStatus::kOpen;
    ++ord.round;
    ord.best_vehicle = kNone;
    const OrderMsg msg = order_msg(d, o);
    std::array<std::uint32_t, 64> cand{};
    const std::size_t n = policy_->candidates(spec_, board_, d, msg, cand);
    AnswerMsg key;
    key.order = o;
    key.round = ord.round;
    if (n == 0) {
        // nobody near: try again later
        ++ds.counters.retries;
        ctx.schedule_self(backoff_, type_of(Msg::kRetry), Payload::of(key));
        return;
    }
    for (std::size_t i = 0; i < n; ++i) {
        send(ctx, vehicle_lp(cand[i]), Msg::kOffer, Payload::of(msg));
    }
    ds.counters.offers += n;
    ctx.schedule_self(bid_window_, type_of(Msg::kBidTimeout), Payload::of(key), kLatePriority);
}

void FleetModel::on_bid(std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = depots_[d];
    DepotOrder& ord = ds.orders[a.order];
    ++ds.counters.bids;
    if (a.round != ord.round || ord.status != OrderStatus::kOpen) {
        return;  // a late bid of an earlier round
    }
    if (ord.best_vehicle == kNone ||
        policy_->better(a.cost_s, a.vehicle, ord.best_cost, ord.best_vehicle)) {
        ord.best_cost = a.cost_s;
        ord.best_vehicle = a.vehicle;
    }
}

void FleetModel::on_decline(std::uint32_t d, const AnswerMsg& /*a*/) {
    ++depots_[d].counters.declines;
}

void FleetModel::on_bid_timeout(Context& ctx, std::uint32_t d, std::uint32_t o,
                                std::uint16_t round) {
    DepotState& ds = depots_[d];
    DepotOrder& ord = ds.orders[o];
    if (round != ord.round || ord.status != OrderStatus::kOpen) {
        return;
    }
    if (ord.best_vehicle == kNone) {
        ++ds.counters.retries;
        AnswerMsg key;
        key.order = o;
        key.round = ord.round;
        ctx.schedule_self(backoff_, type_of(Msg::kRetry), Payload::of(key));
        return;
    }
    ord.status = OrderStatus::kAwarding;
    send(ctx, vehicle_lp(ord.best_vehicle), Msg::kAward, Payload::of(order_msg(d, o)));
}

void FleetModel::on_retry(Context& ctx, std::uint32_t d, std::uint32_t o) {
    DepotState& ds = depots_[d];
    DepotOrder& ord = ds.orders[o];
    if (ord.status != OrderStatus::kOpen) {
        return;
    }
    // past due and still nobody: give up, and put the stock back
    if (ctx.now() > ord.due) {
        ord.status = OrderStatus::kFailed;
        ds.stock += ord.size;
        ++ds.counters.failed_no_vehicle;
        return;
    }
    start_auction(ctx, d, o);
}

void FleetModel::on_accept(std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = depots_[d];
    DepotOrder& ord = ds.orders[a.order];
    if (ord.status != OrderStatus::kAwarding) {
        throw FleetModelError("fleet: accept of order " + std::to_string(a.order) +
                              " that is not being awarded");
    }
    ord.status = OrderStatus::kAssigned;
    ord.vehicle = a.vehicle;
    ++ds.counters.assigned;
}

void FleetModel::on_reject(Context& ctx, std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = depots_[d];
    DepotOrder& ord = ds.orders[a.order];
    if (ord.status != OrderStatus::kAwarding) {
        throw FleetModelError("fleet: reject of order " + std::to_string(a.order) +
                              " that is not being awarded");
    }
    ++ds.counters.rejects;
    ord.status = OrderStatus::kOpen;
    on_retry(ctx, d, a.order);
}

void FleetModel::on_dock_request(Context& ctx, std::uint32_t d, const DockMsg& m) {
    DepotState& ds = depots_[d];
    Customer c;
    c.id = ds.dock_jobs.put(m);
    c.created = ctx.now();
    c.arrived = ctx.now();
    if (ds.docks.arrive(ctx.now(), c)) {
        begin_dock(ctx, d, static_cast<std::uint32_t>(c.id));
    }
}

void FleetModel::begin_dock(Context& ctx, std::uint32_t d, std::uint32_t job) {
    const ServiceLaw& law = spec_.depots[d].dock_service;
    const double s =
        law.kind == ServiceLaw::Kind::kExponential ? ctx.rng().exponential(law.mean_s) : law.mean_s;
    Customer c;
    c.id = job;
    c.arrived = ctx.now();  // overwritten below by the station's record
    ctx.schedule_self(seconds_to_ticks(spec_.time, s), type_of(Msg::kDockDone), Payload::of(c));
}

void FleetModel::on_dock_done(Context& ctx, std::uint32_t d, std::uint32_t job) {
    DepotState& ds = depots_[d];
    Customer done;
    done.id = job;
    done.arrived = ctx.now();  // sojourn statistics are not used for docks
    if (const auto next = ds.docks.complete(ctx.now(), done)) {
        begin_dock(ctx, d, static_cast<std::uint32_t>(next->id));
    }
    const DockMsg m = ds.dock_jobs.take(job);
    for (std::uint32_t i = 0; i < m.count; ++i) {
        DepotOrder& ord = ds.orders[m.orders[i]];
        if (ord.status != OrderStatus::kAssigned || ord.vehicle != m.vehicle) {
            throw FleetModelError("fleet: vehicle " + std::to_string(m.vehicle) + " loads order " +
                                  std::to_string(m.orders[i]) + " it was not assigned");
        }
        ord.status = OrderStatus::kPickedUp;
        ++ds.counters.picked_up;
    }
    VehicleMsg out;
    out.vehicle = m.vehicle;
    out.count = m.count;
    send(ctx, vehicle_lp(m.vehicle), Msg::kLoaded, Payload::of(out));
}

void FleetModel::on_delivered(std::uint32_t d, const DeliveredMsg& m) {
    DepotState& ds = depots_[d];
    DepotOrder& ord = ds.orders[m.order];
    if (ord.status != OrderStatus::kPickedUp) {
        throw FleetModelError("fleet: order " + std::to_string(m.order) +
                              " delivered without being picked up");
    }
    ord.status = OrderStatus::kDelivered;
    if (m.at <= ord.due) {
        ++ds.counters.delivered_on_time;
    } else {
        ++ds.counters.delivered_late;
    }
    ds.counters.delivery_delay_s += spec_.time.to_seconds(m.at - ord.created);
}

void FleetModel::on_charge_request(Context& ctx, std::uint32_t d, const ChargeMsg& m) {
    DepotState& ds = depots_[d];
    Customer c;
    c.id = ds.charge_jobs.put(m);
    c.created = ctx.now();
    c.arrived = ctx.now();
    if (ds.chargers.arrive(ctx.now(), c)) {
        begin_charge(ctx, d, c);
    }
}

void FleetModel::begin_charge(Context& ctx, std::uint32_t d, const Customer& c) {
    // charging is deterministic: the energy missing over the charger's power
    ChargeMsg job = depots_[d].charge_jobs.take(static_cast<std::uint32_t>(c.id));
    const double hours = job.kwh / spec_.depots[d].charge_power_kw;
    ctx.schedule_self(seconds_to_ticks(spec_.time, hours * 3600.0), type_of(Msg::kChargeDone),
                      Payload::of(job));
}

void FleetModel::on_charge_done(Context& ctx, std::uint32_t d, const ChargeMsg& m) {
    DepotState& ds = depots_[d];
    Customer done;
    done.arrived = ctx.now();
    if (const auto next = ds.chargers.complete(ctx.now(), done)) {
        begin_charge(ctx, d, *next);
    }
    VehicleMsg out;
    out.vehicle = m.vehicle;
    send(ctx, vehicle_lp(m.vehicle), Msg::kCharged, Payload::of(out));
}

// ---------------------------------------------------------------------------------------
// vehicles

void FleetModel::set_state(std::uint32_t v, VehicleState s, Tick now) {
    const VehicleState from = fleet_.state[v];
    if (!transition_allowed(from, s)) {
        throw FleetModelError(std::string("fleet: vehicle ") + std::to_string(v) +
                              " cannot go from " + to_string(from) + " to " + to_string(s));
    }
    // busy time: every state but idle, charging and broken
    if (from != VehicleState::kIdle && from != VehicleState::kCharging &&
        from != VehicleState::kBroken) {
        fleet_.busy_ticks[v] += now - fleet_.state_since[v];
    }
    fleet_.state[v] = s;
    fleet_.state_since[v] = now;
}

VehicleView FleetModel::view(std::uint32_t v, Tick now) const {
    VehicleView me;
    me.vehicle = v;
    me.type = &type_of_vehicle(v);
    me.state = fleet_.state[v];
    const bool moving = fleet_.moving[v] != 0;
    me.position = moving ? fleet_.leg_to[v] : fleet_.node[v];
    me.position_time = moving ? fleet_.leg_end[v] : now;
    me.home_node = depot_node_[fleet_.home[v]];
    me.energy_kwh = fleet_.energy_kwh[v];
    me.plan = &fleet_.plan[v];
    return me;
}

void FleetModel::on_offer(Context& ctx, std::uint32_t v, const OrderMsg& m) {
    const std::optional<double> cost = policy_->bid(spec_, view(v, ctx.now()), m, ctx.now());
    AnswerMsg a;
    a.order = m.order;
    a.vehicle = v;
    a.round = m.round;
    a.cost_s = cost.value_or(0.0);
    send(ctx, m.depot, cost ? Msg::kBid : Msg::kDecline, Payload::of(a));
}

void FleetModel::on_award(Context& ctx, std::uint32_t v, const OrderMsg& m) {
    AnswerMsg a;
    a.order = m.order;
    a.vehicle = v;
    a.round = m.round;
    // still feasible? (other depots may have awarded orders since the bid)
    if (!feasible(spec_, view(v, ctx.now()), m, ctx.now())) {
        send(ctx, m.depot, Msg::kReject, Payload::of(a));
        return;
    }
    Plan& plan = fleet_.plan[v];
    PlanEntry& e = plan.entries[plan.size++];
    e.depot = m.depot;
    e.order = m.order;
    e.customer = m.customer;
    e.size = m.size;
    e.ready = m.ready;
    e.due = m.due;
    send(ctx, m.depot, Msg::kAccept, Payload::of(a));
    const VehicleState s = fleet_.state[v];
    if (s == VehicleState::kIdle || s == VehicleState::kReturning) {
        next_activity(ctx, v);
    }
}

void FleetModel::next_activity(Context& ctx, std::uint32_t v) {
    const Plan& plan = fleet_.plan[v];
    // loaded orders first, in plan order
    if (plan.loaded > 0) {
        return drive_to(ctx, v, plan.entries[0].customer, VehicleState::kEnRoute);
    }
    if (plan.size > 0) {
        return drive_to(ctx, v, depot_node_[plan.entries[0].depot], VehicleState::kToPickup);
    }
    return drive_to(ctx, v, depot_node_[fleet_.home[v]], VehicleState::kReturning);
}

void FleetModel::drive_to(Context& ctx, std::uint32_t v, NodeId target, VehicleState s) {
    fleet_.dest[v] = target;
    if (fleet_.moving[v] != 0) {
        // finish the current edge or leg first; on_arrive goes on towards the new target
        if (fleet_.state[v] != s) {
            set_state(v, s, ctx.now());
        }
        return;
    }
    if (fleet_.node[v] == target) {
        // already there: Returning to the home node means being home
        if (s == VehicleState::kReturning) {
            return arrived_home(ctx, v);
        }
        set_state(v, s, ctx.now());
        return arrived(ctx, v);
    }
    set_state(v, s, ctx.now());
    start_leg(ctx, v);
}

void FleetModel::start_leg(Context& ctx, std::uint32_t v) {
    const world::RoadNetwork& net = spec_.net();
    const VehicleType& type = type_of_vehicle(v);
    const NodeId from = fleet_.node[v];
    const NodeId target = fleet_.dest[v];
    double seconds = 0.0;
    if (type.kind == VehicleKind::kDrone) {
        // drones fly one straight leg
        fleet_.leg_to[v] = target;
        seconds = distance(net.position(from), net.position(target)) / type.cruise_mps;
    } else {
        // ground: (re)plan when the target changed, then drive the next edge
        std::vector<EdgeId>& route = fleet_.route[v];
        if (fleet_.route_dest[v] != target || fleet_.route_pos[v] >= route.size() ||
            net.source(route[fleet_.route_pos[v]]) != from) {
            routing::Route r = routers_[ctx.partition()]->fastest(from, target);
            if (!r.found || r.edges.empty()) {
                throw FleetModelError("fleet: no route from node " + std::to_string(from) + " to " +
                                      std::to_string(target));
            }
            route.swap(r.edges);
            fleet_.route_pos[v] = 0;
            fleet_.route_dest[v] = target;
        }
        const EdgeId e = route[fleet_.route_pos[v]++];
        fleet_.leg_to[v] = net.target(e);
        seconds = net.travel_time_s(e) / type.speed_factor;
    }
    const Tick dt = seconds_to_ticks(spec_.time, seconds);
    fleet_.leg_start[v] = ctx.now();
    fleet_.leg_end[v] = ctx.now() + dt;
    fleet_.moving[v] = 1;
    ctx.schedule_self(dt, type_of(Msg::kArrive));
}

void FleetModel::on_arrive(Context& ctx, std::uint32_t v) {
    const world::RoadNetwork& net = spec_.net();
    const VehicleType& type = type_of_vehicle(v);
    // energy and distance of the edge or leg just finished
    double metres = 0.0;
    EdgeId edge = world::kNoEdge;
    if (type.kind == VehicleKind::kDrone) {
        metres = distance(net.position(fleet_.node[v]), net.position(fleet_.leg_to[v]));
    } else {
        edge = fleet_.route[v][fleet_.route_pos[v] - 1];
        metres = net.length_m(edge);
    }
    if (!leg_log_.empty()) {
        leg_log_[v].push_back(
            {fleet_.node[v], fleet_.leg_to[v], edge, fleet_.leg_start[v], ctx.now(), metres});
    }
    const double kwh = metres / 1000.0 * type.kwh_per_km;
    fleet_.metres[v] += metres;
    fleet_.kwh_used[v] += kwh;
    fleet_.energy_kwh[v] -= kwh;
    fleet_.min_energy_kwh[v] = std::min(fleet_.min_energy_kwh[v], fleet_.energy_kwh[v]);
    if (fleet_.energy_kwh[v] < 0.0) {
        ++fleet_.energy_violations[v];
    }
    fleet_.node[v] = fleet_.leg_to[v];
    fleet_.leg_start[v] = ctx.now();
    fleet_.leg_end[v] = ctx.now();
    fleet_.moving[v] = 0;
    if (fleet_.node[v] != fleet_.dest[v]) {
        return start_leg(ctx, v);
    }
    if (fleet_.state[v] == VehicleState::kReturning) {
        return arrived_home(ctx, v);
    }
    arrived(ctx, v);
}

void FleetModel::arrived_home(Context& ctx, std::uint32_t v) {
    const VehicleType& type = type_of_vehicle(v);
    // charge when low, else wait for offers
    if (fleet_.energy_kwh[v] < spec_.allocation.charge_threshold * type.battery_kwh) {
        set_state(v, VehicleState::kCharging, ctx.now());
        ChargeMsg m;
        m.vehicle = v;
        m.kwh = type.battery_kwh - fleet_.energy_kwh[v];
        send(ctx, fleet_.home[v], Msg::kChargeRequest, Payload::of(m));
        return;
    }
    set_state(v, VehicleState::kIdle, ctx.now());
}

void FleetModel::arrived(Context& ctx, std::uint32_t v) {
    Plan& plan = fleet_.plan[v];
    switch (fleet_.state[v]) {
        case VehicleState::kToPickup: {
            // ask for a dock: the orders of this depot at the head of the plan that fit
            const std::uint32_t d = plan.entries[0].depot;
            DockMsg m;
            m.vehicle = v;
            std::uint32_t units = fleet_.load[v];
            const std::uint32_t capacity = type_of_vehicle(v).capacity;
            for (std::uint32_t i = 0; i < plan.size; ++i) {
                const PlanEntry& e = plan.entries[i];
                if (e.depot != d || units + e.size > capacity) {
                    break;
                }
                units += e.size;
                m.orders[m.count++] = e.order;
            }
            set_state(v, VehicleState::kLoading, ctx.now());
            send(ctx, d, Msg::kDockRequest, Payload::of(m));
            return;
        }
        case VehicleState::kEnRoute: {
            // hand over now, or wait until the customer is ready
            set_state(v, VehicleState::kDelivering, ctx.now());
            const Tick ready = plan.entries[0].ready;
            if (ctx.now() < ready) {
                ctx.schedule_self(ready - ctx.now(), type_of(Msg::kReady));
            } else {
                ctx.schedule_self(customer_service_, type_of(Msg::kServiceDone));
            }
            return;
        }
        default:
            throw FleetModelError(std::string("fleet: vehicle ") + std::to_string(v) +
                                  " arrived in state " + to_string(fleet_.state[v]));
    }
}

void FleetModel::on_loaded(Context& ctx, std::uint32_t v, const VehicleMsg& m) {
    if (fleet_.state[v] != VehicleState::kLoading) {
        throw FleetModelError("fleet: vehicle " + std::to_string(v) + " loaded while " +
                              to_string(fleet_.state[v]));
    }
    Plan& plan = fleet_.plan[v];
    for (std::uint32_t i = 0; i < m.count; ++i) {
        fleet_.load[v] += plan.entries[plan.loaded + i].size;
    }
    plan.loaded = static_cast<std::uint8_t>(plan.loaded + m.count);
    fleet_.max_load[v] = std::max(fleet_.max_load[v], fleet_.load[v]);
    next_activity(ctx, v);
}

void FleetModel::on_ready(Context& ctx, std::uint32_t /*v*/) {
    ctx.schedule_self(customer_service_, type_of(Msg::kServiceDone));
}

void FleetModel::on_service_done(Context& ctx, std::uint32_t v) {
    Plan& plan = fleet_.plan[v];
    if (fleet_.state[v] != VehicleState::kDelivering || plan.loaded == 0) {
        throw FleetModelError("fleet: vehicle " + std::to_string(v) +
                              " finished a delivery it was not making");
    }
    // hand over the head of the plan and drop it
    const PlanEntry e = plan.entries[0];
    std::copy(plan.entries.begin() + 1, plan.entries.begin() + plan.size, plan.entries.begin());
    --plan.size;
    --plan.loaded;
    fleet_.load[v] -= e.size;
    ++fleet_.delivered[v];
    DeliveredMsg m;
    m.order = e.order;
    m.vehicle = v;
    m.at = ctx.now();
    send(ctx, e.depot, Msg::kDelivered, Payload::of(m));
    next_activity(ctx, v);
}

void FleetModel::on_charged(Context& ctx, std::uint32_t v) {
    if (fleet_.state[v] != VehicleState::kCharging) {
        throw FleetModelError("fleet: vehicle " + std::to_string(v) + " charged while " +
                              to_string(fleet_.state[v]));
    }
    fleet_.energy_kwh[v] = type_of_vehicle(v).battery_kwh;
    set_state(v, VehicleState::kIdle, ctx.now());
}

// ---------------------------------------------------------------------------------------
// checks and accounting

void FleetModel::finish(const sim::Engine& /*engine*/) const {
    for (std::uint32_t d = 0; d < depots_.size(); ++d) {
        const DepotState& ds = depots_[d];
        std::array<std::uint64_t, kOrderStatusCount> by{};
        for (const DepotOrder& o : ds.orders) {
            ++by[static_cast<std::size_t>(o.status)];
        }
        const FleetDepotCounters& c = ds.counters;
        const auto at = [](OrderStatus s) { return static_cast<std::size_t>(s); };
        const std::uint64_t open = by[at(OrderStatus::kOpen)] + by[at(OrderStatus::kAwarding)] +
                                   by[at(OrderStatus::kAssigned)] + by[at(OrderStatus::kPickedUp)];
        const std::uint64_t delivered = c.delivered_on_time + c.delivered_late;
        const std::uint64_t failed = c.failed_no_vehicle + c.failed_no_stock;
        const bool ok = c.created == ds.orders.size() && c.created == delivered + failed + open &&
                        by[at(OrderStatus::kDelivered)] == delivered &&
                        by[at(OrderStatus::kFailed)] == failed &&
                        c.picked_up == delivered + by[at(OrderStatus::kPickedUp)] &&
                        c.assigned == c.picked_up + by[at(OrderStatus::kAssigned)];
        if (!ok) {
            throw FleetModelError("fleet: order conservation violated at depot " +
                                  std::to_string(d) + ": created " + std::to_string(c.created) +
                                  ", delivered " + std::to_string(delivered) + ", failed " +
                                  std::to_string(failed) + ", open " + std::to_string(open) +
                                  " (book holds " + std::to_string(ds.orders.size()) + ")");
        }
    }
}

std::size_t FleetModel::memory_bytes() const {
    std::size_t b = fleet_.memory_bytes() + board_.memory_bytes() +
                    board_scratch_.capacity() * sizeof(FleetBoard::Entry) +
                    depots_.capacity() * sizeof(DepotState);
    for (const DepotState& d : depots_) {
        b += d.orders.capacity() * sizeof(DepotOrder) + d.dock_jobs.memory_bytes() +
             d.charge_jobs.memory_bytes();
    }
    for (const auto& z : zones_) {
        b += z.capacity() * sizeof(NodeId);
    }
    return b;
}

}  // namespace swarm::agents
