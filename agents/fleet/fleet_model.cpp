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

// the order id of order o of depot d
OrderId order_id(std::uint32_t d, std::uint32_t o) {
    return {d, o};
}

// logistics demand from the fleet's demand spec: integer sizes in [1, max_size], ready at
// creation, due due_s later, a fixed hand-over time
DemandProcess make_demand(const FleetSpec& spec, std::uint32_t d, std::vector<NodeId> zone) {
    const DemandSpec& ds = spec.demand;
    CustomerZone z;
    z.depot = d;
    z.nodes = std::move(zone);
    z.orders_per_hour = spec.depots[d].demand_per_hour;
    const Tick day = spec.time.from_seconds(86400.0);
    RateProfile profile = ds.profile == DemandProfile::kDay
                              ? RateProfile::day(spec.time, ds.start_hour)
                              : RateProfile::flat(day);
    DemandParams p;
    p.size = {1.0, static_cast<double>(ds.max_size)};
    p.integer_size = true;
    p.ready_offset_s = {0.0, 0.0};
    p.window_s = {ds.due_s, ds.due_s};
    p.service_s = {ds.customer_service_s, ds.customer_service_s};
    return {std::move(z), std::move(profile), p, spec.time};
}

// the KPI bucket of a vehicle state (docs/logistics.md): busy serving orders, idle when
// available without an order (returning home included), charging, down
Tick& time_bucket(FleetCounters& c, VehicleState s) {
    switch (s) {
        case VehicleState::kIdle:
        case VehicleState::kReturning:
            return c.idle;
        case VehicleState::kCharging:
            return c.charging;
        case VehicleState::kBroken:
            return c.down;
        default:
            return c.busy;
    }
}

// whether order o of depot d is being auctioned and waits for bids (not awarded, assigned or
// closed)
bool open_for_bids(const DepotState& ds, std::uint32_t d, std::uint32_t o) {
    return ds.book.order(order_id(d, o)).state == OrderState::kCreated && !ds.auctions[o].awarding;
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
    lookahead_ = spec_.lookahead();
    bid_window_ = spec_.bid_window();
    backoff_ = seconds_to_ticks(spec_.time, spec_.allocation.retry_backoff_s);
    customer_service_ = seconds_to_ticks(spec_.time, spec_.demand.customer_service_s);
    kpi_interval_ = seconds_to_ticks(spec_.time, spec_.demand.kpi_interval_s);
    fleet_series_ = KpiSeries(kpi_interval_);
    std::vector<std::vector<NodeId>> zones = demand_zones(spec_);
    for (std::uint32_t d = 0; d < spec_.depot_count(); ++d) {
        const DepotSpec& ds = spec_.depots[d];
        depot_node_.push_back(ds.node);
        depots_.emplace_back(d, kpi_interval_, ds.docks, ds.charging_points);
        depots_.back().stock = ds.initial_stock;
        demand_.push_back(make_demand(spec_, d, std::move(zones[d])));
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
    layout_ = LpLayout(spec_.depot_count(), fleet_.home);
    board_ = FleetBoard(spec_.net().bounds(), spec_.allocation.board_cell_m);
    board_scratch_.resize(fleet_.size());
}

sim::EngineConfig FleetModel::engine_config(std::uint64_t seed, std::size_t partitions) const {
    sim::EngineConfig c;
    c.lp_count = static_cast<std::uint32_t>(layout_.size());
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
    // vehicle time goes into the KPI series at every interval boundary
    fleet_booked_at_ = engine.now();
    fleet_time(engine.now(), fleet_busy_booked_, fleet_accounted_booked_);
    const Tick first_boundary = fleet_series_.start_of(fleet_series_.interval_of(engine.now()) + 1);
    engine.every(first_boundary, kpi_interval_,
                 [this](sim::Engine& /*engine*/, Tick t) { record_fleet_time(t); });
    // each depot's first order arrival, from its demand substream
    for (std::uint32_t d = 0; d < spec_.depot_count(); ++d) {
        DepotState& ds = depots_[d];
        const sim::LpId lp = depot_lp(d);
        sim::RandomStream rng(engine.config().seed, lp, kDemandSubstream, ds.demand_draws);
        const Tick first = demand_[d].next_arrival(engine.now(), rng);
        ds.demand_draws = rng.draws();
        if (first != sim::kTickNever) {
            engine.inject(lp, first, type_of(Msg::kDemand));
        }
    }
}

FleetCounters FleetModel::vehicle_counters(std::uint32_t v, Tick t) const {
    FleetCounters c = fleet_.counters[v];
    time_bucket(c, fleet_.state[v]) += t - fleet_.state_since[v];
    return c;
}

void FleetModel::fleet_time(Tick t, Tick& busy, Tick& accounted) const {
    busy = 0;
    accounted = 0;
    for (std::uint32_t v = 0; v < fleet_.size(); ++v) {
        const FleetCounters c = vehicle_counters(v, t);
        busy += c.busy;
        accounted += c.accounted();
    }
}

void FleetModel::record_fleet_time(Tick t) {
    Tick busy = 0;
    Tick accounted = 0;
    fleet_time(t, busy, accounted);
    fleet_series_.add_fleet_time(fleet_series_.interval_of(fleet_booked_at_),
                                 busy - fleet_busy_booked_, accounted - fleet_accounted_booked_);
    fleet_booked_at_ = t;
    fleet_busy_booked_ = busy;
    fleet_accounted_booked_ = accounted;
}

KpiSeries FleetModel::fleet_series(Tick t) const {
    KpiSeries s = fleet_series_;
    if (t > fleet_booked_at_) {
        Tick busy = 0;
        Tick accounted = 0;
        fleet_time(t, busy, accounted);
        s.add_fleet_time(s.interval_of(fleet_booked_at_), busy - fleet_busy_booked_,
                         accounted - fleet_accounted_booked_);
    }
    return s;
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
    if (t >= fleet_.leg_end[v]) {
        return b;  // exactly the end node, not a + (b - a) * 1
    }
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
    const LpLayout::Entry who = layout_.at(lp);
    if (who.kind == LpLayout::Kind::kDepot) {
        const std::uint32_t d = who.index;
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
            default:
                break;
        }
    } else {
        const std::uint32_t v = who.index;
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
    const DepotState& ds = depots_[d];
    const Order& ord = ds.book.order(order_id(d, o));
    OrderMsg m;
    m.depot = d;
    m.order = o;
    m.customer = ord.customer_node;
    m.size = static_cast<std::uint16_t>(ord.size);
    m.round = ds.auctions[o].round;
    m.ready = ord.ready;
    m.due = ord.due;
    return m;
}

void FleetModel::on_demand(Context& ctx, std::uint32_t d) {
    DepotState& ds = depots_[d];
    const DemandProcess& demand = demand_[d];
    sim::RandomStream rng(ctx.seed(), ctx.self(), kDemandSubstream, ds.demand_draws);
    // the order, then the next arrival
    const Order drawn = demand.make_order(ctx.now(), rng);
    const Tick next = demand.next_arrival(ctx.now(), rng);
    ds.demand_draws = rng.draws();
    if (next != sim::kTickNever) {
        ctx.schedule_self(next - ctx.now(), type_of(Msg::kDemand));
    }

    const OrderId id = ds.book.create(drawn);
    ds.auctions.emplace_back();
    // stock is reserved when the order is taken
    const auto units = static_cast<std::uint64_t>(drawn.size);
    if (ds.stock < units) {
        ds.book.fail(id, FailReason::kNoStock, ctx.now());
        return;
    }
    ds.stock -= units;
    start_auction(ctx, d, id.index);
}

void FleetModel::start_auction(Context& ctx, std::uint32_t d, std::uint32_t o) {
    DepotState& ds = depots_[d];
    Auction& auction = ds.auctions[o];
    auction.awarding = false;
    ++auction.round;
    auction.best_vehicle = kNone;
    const OrderMsg msg = order_msg(d, o);
    std::array<std::uint32_t, 64> cand{};
    const std::size_t n = policy_->candidates(spec_, board_, d, msg, cand);
    AnswerMsg key;
    key.order = o;
    key.round = auction.round;
    if (n == 0) {
        // nobody near: try again later
        ++ds.auction.retries;
        ctx.schedule_self(backoff_, type_of(Msg::kRetry), Payload::of(key));
        return;
    }
    for (std::size_t i = 0; i < n; ++i) {
        send(ctx, vehicle_lp(cand[i]), Msg::kOffer, Payload::of(msg));
    }
    ds.auction.offers += n;
    ctx.schedule_self(bid_window_, type_of(Msg::kBidTimeout), Payload::of(key), kLatePriority);
}

void FleetModel::on_bid(std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = depots_[d];
    Auction& auction = ds.auctions[a.order];
    ++ds.auction.bids;
    if (a.round != auction.round || !open_for_bids(ds, d, a.order)) {
        return;  // a late bid of an earlier round
    }
    if (auction.best_vehicle == kNone ||
        policy_->better(a.cost_s, a.vehicle, auction.best_cost, auction.best_vehicle)) {
        auction.best_cost = a.cost_s;
        auction.best_vehicle = a.vehicle;
    }
}

void FleetModel::on_decline(std::uint32_t d, const AnswerMsg& /*a*/) {
    ++depots_[d].auction.declines;
}

void FleetModel::on_bid_timeout(Context& ctx, std::uint32_t d, std::uint32_t o,
                                std::uint16_t round) {
    DepotState& ds = depots_[d];
    Auction& auction = ds.auctions[o];
    if (round != auction.round || !open_for_bids(ds, d, o)) {
        return;
    }
    if (auction.best_vehicle == kNone) {
        ++ds.auction.retries;
        AnswerMsg key;
        key.order = o;
        key.round = auction.round;
        ctx.schedule_self(backoff_, type_of(Msg::kRetry), Payload::of(key));
        return;
    }
    auction.awarding = true;
    send(ctx, vehicle_lp(auction.best_vehicle), Msg::kAward, Payload::of(order_msg(d, o)));
}

void FleetModel::on_retry(Context& ctx, std::uint32_t d, std::uint32_t o) {
    DepotState& ds = depots_[d];
    if (!open_for_bids(ds, d, o)) {
        return;
    }
    // past due and still nobody: give up, and put the stock back
    const Order& ord = ds.book.order(order_id(d, o));
    if (ctx.now() > ord.due) {
        ds.stock += static_cast<std::uint64_t>(ord.size);
        ds.book.fail(order_id(d, o), FailReason::kNoVehicle, ctx.now());
        return;
    }
    start_auction(ctx, d, o);
}

void FleetModel::on_accept(Context& ctx, std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = depots_[d];
    Auction& auction = ds.auctions.at(a.order);
    if (!auction.awarding) {
        throw FleetModelError("fleet: accept of order " + std::to_string(a.order) +
                              " that is not being awarded");
    }
    auction.awarding = false;
    ds.book.assign(order_id(d, a.order), a.vehicle, ctx.now());
}

void FleetModel::on_reject(Context& ctx, std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = depots_[d];
    Auction& auction = ds.auctions.at(a.order);
    if (!auction.awarding) {
        throw FleetModelError("fleet: reject of order " + std::to_string(a.order) +
                              " that is not being awarded");
    }
    // rejected before it was ever assigned: still kCreated in the book, offer it again
    ++ds.auction.rejects;
    auction.awarding = false;
    on_retry(ctx, d, a.order);
}

void FleetModel::on_dock_request(Context& ctx, std::uint32_t d, const DockMsg& m) {
    DepotState& ds = depots_[d];
    Customer c;
    c.id = ds.dock_jobs.put(m);
    c.created = ctx.now();
    c.arrived = ctx.now();
    const bool start = ds.docks.arrive(ctx.now(), c);
    ds.book.counters().queue.set(ctx.now(), static_cast<std::int64_t>(ds.docks.queue_length()));
    if (start) {
        begin_dock(ctx, d, static_cast<std::uint32_t>(c.id));
    }
}

void FleetModel::begin_dock(Context& ctx, std::uint32_t d, std::uint32_t job) {
    const ServiceLaw& law = spec_.depots[d].dock_service;
    const double s =
        law.kind == ServiceLaw::Kind::kExponential ? ctx.rng().exponential(law.mean_s) : law.mean_s;
    Customer c;
    c.id = job;
    c.arrived = ctx.now();  // the start of service: dock busy time is counted from here
    ctx.schedule_self(seconds_to_ticks(spec_.time, s), type_of(Msg::kDockDone), Payload::of(c));
}

void FleetModel::on_dock_done(Context& ctx, std::uint32_t d, const Customer& job) {
    DepotState& ds = depots_[d];
    DepotCounters& counters = ds.book.counters();
    counters.dock_busy += ctx.now() - job.arrived;
    Customer done;
    done.id = job.id;
    done.arrived = ctx.now();  // sojourn statistics are not used for docks
    const std::optional<Customer> next = ds.docks.complete(ctx.now(), done);
    counters.queue.set(ctx.now(), static_cast<std::int64_t>(ds.docks.queue_length()));
    if (next) {
        begin_dock(ctx, d, static_cast<std::uint32_t>(next->id));
    }
    const DockMsg m = ds.dock_jobs.take(static_cast<std::uint32_t>(job.id));
    for (std::uint32_t i = 0; i < m.count; ++i) {
        const OrderId id = order_id(d, m.orders[i]);
        const Order& ord = ds.book.order(id);
        if (ord.state != OrderState::kAssigned || ord.vehicle != m.vehicle) {
            throw FleetModelError("fleet: vehicle " + std::to_string(m.vehicle) + " loads order " +
                                  to_string(id) + " it was not assigned");
        }
        ds.book.pick_up(id, ctx.now());
    }
    VehicleMsg out;
    out.vehicle = m.vehicle;
    out.count = m.count;
    send(ctx, vehicle_lp(m.vehicle), Msg::kLoaded, Payload::of(out));
}

void FleetModel::on_delivered(std::uint32_t d, const DeliveredMsg& m) {
    // the hand-over time the vehicle reports, not the receipt time
    DepotState& ds = depots_[d];
    const OrderId id = order_id(d, m.order);
    if (ds.book.order(id).vehicle != m.vehicle) {
        throw FleetModelError("fleet: vehicle " + std::to_string(m.vehicle) + " delivered order " +
                              to_string(id) + " it was not assigned");
    }
    ds.book.deliver(id, m.at);
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
    // the time spent in the state being left, into its KPI bucket
    time_bucket(fleet_.counters[v], from) += now - fleet_.state_since[v];
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
    send(ctx, depot_lp(m.depot), cost ? Msg::kBid : Msg::kDecline, Payload::of(a));
}

void FleetModel::on_award(Context& ctx, std::uint32_t v, const OrderMsg& m) {
    AnswerMsg a;
    a.order = m.order;
    a.vehicle = v;
    a.round = m.round;
    // still feasible? (other depots may have awarded orders since the bid)
    if (!feasible(spec_, view(v, ctx.now()), m, ctx.now())) {
        send(ctx, depot_lp(m.depot), Msg::kReject, Payload::of(a));
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
    send(ctx, depot_lp(m.depot), Msg::kAccept, Payload::of(a));
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
    fleet_.counters[v].add_distance_m(metres);
    fleet_.counters[v].add_energy_kwh(kwh);
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
        send(ctx, depot_lp(fleet_.home[v]), Msg::kChargeRequest, Payload::of(m));
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
            send(ctx, depot_lp(d), Msg::kDockRequest, Payload::of(m));
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
    ++fleet_.counters[v].deliveries;
    DeliveredMsg m;
    m.order = e.order;
    m.vehicle = v;
    m.at = ctx.now();
    send(ctx, depot_lp(e.depot), Msg::kDelivered, Payload::of(m));
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
        const ConservationReport r = depots_[d].book.check_conservation();
        if (!r.ok()) {
            throw FleetModelError("fleet: order conservation violated at depot " +
                                  std::to_string(d) + ": " + r.message());
        }
    }
}

std::size_t FleetModel::memory_bytes() const {
    std::size_t b = fleet_.memory_bytes() + board_.memory_bytes() +
                    board_scratch_.capacity() * sizeof(FleetBoard::Entry) +
                    depots_.capacity() * sizeof(DepotState) + layout_.memory_bytes();
    for (const DepotState& d : depots_) {
        // the book's orders and series columns (8 per interval), approximately
        b += d.book.size() * sizeof(Order) + d.book.series().size() * 8 * sizeof(std::uint64_t) +
             d.book.counters().late_samples.capacity() * sizeof(Tick) +
             d.auctions.capacity() * sizeof(Auction) + d.dock_jobs.memory_bytes() +
             d.charge_jobs.memory_bytes();
    }
    for (const DemandProcess& p : demand_) {
        b += p.zone().nodes.capacity() * sizeof(NodeId);
    }
    return b;
}

}  // namespace swarm::agents
