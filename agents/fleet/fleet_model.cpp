#include "agents/fleet/fleet_model.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <string>

#include "agents/coordination/cbba.hpp"
#include "agents/coordination/score.hpp"

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
        case VehicleState::kMaintenance:
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
    : spec_(spec), router_factory_(routers), link_(spec.comms, spec.time) {
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
    layout_ = LpLayout(spec_.depot_count(), fleet_.home, policy_->centralized());
    board_ = FleetBoard(spec_.net().bounds(), spec_.allocation.board_cell_m);
    board_scratch_.resize(fleet_.size());
    roads_ = RoadState(spec_.net().edge_count());
    depot_up_.assign(spec_.depot_count(), 1);
    base_home_ = fleet_.home;
    demand_factor_.assign(spec_.depot_count(), 1.0);
    counters_.resize(fleet_.size() + spec_.depot_count() + 1);
    cloud_extra_.assign(fleet_.size(), 0);
    if (policy_->centralized()) {
        cloud_board_ = FleetBoard(spec_.net().bounds(), spec_.allocation.board_cell_m);
    }
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
    engine_ = &engine;
    routers_.clear();
    for (std::size_t p = 0; p < engine.partitions(); ++p) {
        routers_.push_back(router_factory_.make());
    }
    views_.clear();
    views_.resize(engine.partitions());
    // the board: built now, then at barriers only
    rebuild_board(engine.now());
    const Tick interval = seconds_to_ticks(spec_.time, spec_.allocation.board_interval_s);
    engine.every(engine.now() + interval, interval,
                 [this](sim::Engine& /*engine*/, Tick t) { rebuild_board(t); });
    if (policy_->consensus()) {
        // right after each board rebuild (timers at one time run in the order registered)
        engine.every(engine.now() + interval, interval,
                     [this](sim::Engine& /*engine*/, Tick t) { run_consensus(t); });
    }
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
    schedule_disruptions(engine);
    // operational learning: the hidden world of this seed and one round every round_s
    learning_.reset();
    if (spec_.learning.active()) {
        learning_ = std::make_unique<FleetLearning>(spec_, vehicle_count(), engine.config().seed);
        learning_->keep_exchange_log(keep_exchange_log_);
        learn_busy_.assign(fleet_.size(), 0);
        repair_at_.assign(fleet_.size(), sim::kTickNever);
        const Tick round = seconds_to_ticks(spec_.time, spec_.learning.round_s);
        engine.every(engine.now() + round, round,
                     [this](sim::Engine& e, Tick t) { learning_round(e, t); });
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
    const bool telemetry = policy_->centralized() || policy_->consensus();
    for (std::uint32_t v = 0; v < fleet_.size(); ++v) {
        FleetBoard::Entry& e = board_scratch_[v];
        e = {position_at(v, t), fleet_.state[v], fleet_.plan[v].size, fleet_.type[v]};
        if (telemetry) {
            const PlanEstimate est = estimate_plan(spec_, view(v, t), nullptr, t);
            e.free_at = est.finish;
            e.free_node = fleet_.plan[v].size > 0 ? est.end : view(v, t).position;
        }
    }
    board_.rebuild(board_scratch_);
    board_.set_built_at(t);
    ++board_builds_;
    if (policy_->centralized()) {
        update_cloud_telemetry(t);
    }
    share_knowledge(t);
}

void FleetModel::update_cloud_telemetry(Tick t) {
    if (cloud_seen_.empty()) {
        // the cloud starts out knowing the fleet as the spec places it
        cloud_seen_ = board_scratch_;
    } else {
        // each vehicle reports over the cloud link; a lost report leaves the cloud with the
        // vehicle's previous one (one draw per vehicle whatever happens)
        sim::RandomStream rng(engine_->config().seed, kTelemetryStream,
                              static_cast<std::uint32_t>(board_builds_), 0);
        const std::uint64_t bytes = link_.wire_bytes(kTelemetryBytes);
        const comms::AgentIndex cloud = cloud_agent();
        for (std::uint32_t v = 0; v < fleet_.size(); ++v) {
            const FleetBoard::Entry& e = board_scratch_[v];
            const bool lost = link_.lost(comms::Link::kCloud,
                                         conditions_.loss_at(e.position, comms::Link::kCloud), rng);
            if (!conditions_.cloud_up() || radio_blocked(e.position)) {
                continue;  // no link: nothing is sent
            }
            counters_.record_send(v, bytes);
            if (lost) {
                counters_.record_drop(v);
                continue;
            }
            counters_.record_receive(cloud, bytes);
            cloud_seen_[v] = e;
            cloud_extra_[v] = 0;  // fresh telemetry reflects the awards it got so far
        }
    }
    cloud_board_.rebuild(cloud_seen_);
    cloud_board_.set_built_at(t);
}

Point FleetModel::position_at(std::uint32_t v, Tick t) const {
    const world::RoadNetwork& net = spec_.net();
    const Point a = net.position(fleet_.node[v]);
    if (fleet_.moving[v] == 0 || fleet_.leg_end[v] <= fleet_.leg_start[v]) {
        return a;
    }
    return leg_position(a, net.position(fleet_.leg_to[v]), fleet_.leg_start[v], fleet_.leg_end[v],
                        t);
}

void FleetModel::follow_changes() {
    if (!order_journals_.empty()) {
        // two followers would each see part of the changes: both records would be wrong
        throw FleetModelError("fleet: the model's changes already have a follower");
    }
    // the journals side by side: a sample looks at every depot's, most of them empty
    order_journals_.assign(depots_.size(), {});
    for (std::size_t d = 0; d < depots_.size(); ++d) {
        depots_[d].book.set_journal(&order_journals_[d]);
    }
}

static_assert(std::endian::native == std::endian::little, "take_changes reads flags by words");

void FleetModel::take_changes(Changes& out) {
    out.vehicles.clear();
    out.orders.clear();
    // eight flags at a time: most vehicles did not change since the last sample
    std::uint8_t* changed = fleet_.changed.data();
    const std::size_t n = fleet_.changed.size();
    std::size_t v = 0;
    for (; v + 8 <= n; v += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, changed + v, sizeof word);
        if (word == 0) {
            continue;
        }
        // the set flags of the word, lowest first (little-endian: byte i is bits 8i..8i+7)
        while (word != 0) {
            const auto i = static_cast<std::size_t>(std::countr_zero(word)) / 8;
            out.vehicles.push_back(static_cast<std::uint32_t>(v + i));
            word &= ~(std::uint64_t{0xFF} << (8 * i));
        }
        std::memset(changed + v, 0, sizeof word);
    }
    for (; v < n; ++v) {
        if (changed[v] != 0) {
            out.vehicles.push_back(static_cast<std::uint32_t>(v));
            changed[v] = 0;
        }
    }
    for (std::uint32_t d = 0; d < order_journals_.size(); ++d) {
        std::vector<std::uint32_t>& journal = order_journals_[d];
        for (const std::uint32_t index : journal) {
            out.orders.emplace_back(d, index);
        }
        journal.clear();
    }
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

void FleetModel::send(Context& ctx, sim::LpId dst, Msg m, const Payload& p, Point where) {
    const std::uint32_t bytes = payload_bytes(m);
    const comms::AgentIndex from = agent_of(ctx.self());
    counters_.record_send(from, link_.wire_bytes(bytes));
    const bool cloud = layout_.cloud_lp() != LpLayout::kNoCloud &&
                       (dst == layout_.cloud_lp() || ctx.self() == layout_.cloud_lp());
    if (cloud) {
        // lost or not: one draw from the sender's own cloud-loss substream
        const LpLayout::Entry who = layout_.at(ctx.self());
        if (who.kind == LpLayout::Kind::kVehicle) {
            throw FleetModelError("fleet: vehicles send nothing over the cloud link");
        }
        std::uint64_t& draws =
            who.kind == LpLayout::Kind::kDepot ? depots_[who.index].cloud_draws : cloud_draws_;
        sim::RandomStream rng(ctx.seed(), ctx.self(), kCloudSubstream, draws);
        const bool lost =
            link_.lost(comms::Link::kCloud, conditions_.loss_at(where, comms::Link::kCloud), rng);
        draws = rng.draws();
        if (lost) {
            counters_.record_drop(from);
            return;
        }
    }
    const Tick delay = link_.delay(cloud ? comms::Link::kCloud : comms::Link::kRadio, bytes);
    ctx.send(dst, std::max(delay, lookahead_), type_of(m), p);
}

void FleetModel::handle(Context& ctx, const sim::Event& event) {
    const sim::LpId lp = ctx.self();
    const auto m = static_cast<Msg>(event.type);
    const LpLayout::Entry who = layout_.at(lp);
    if (event.src != lp && event.src != sim::kExternalLp) {
        counters_.record_receive(agent_of(lp), link_.wire_bytes(payload_bytes(m)));
    }
    if (who.kind == LpLayout::Kind::kCloud) {
        if (m == Msg::kCloudRequest) {
            return on_cloud_request(ctx, event.payload.as<OrderMsg>());
        }
        if (m == Msg::kCloudSolve) {
            return on_cloud_solve(ctx);
        }
    } else if (who.kind == LpLayout::Kind::kDepot) {
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
            case Msg::kDepotDown:
                return on_depot_down(ctx, d);
            case Msg::kDepotUp:
                return;  // depot_up_ already says so; nothing is waiting
            case Msg::kDocks: {
                // more docks start waiting vehicles now; fewer let the busy ones finish
                DepotState& ds = depots_[d];
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
            case Msg::kCloudTimeout:
                return on_cloud_timeout(ctx, d, event.payload.as<AnswerMsg>());
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
    // the order, then the next arrival (a surge shortens the gaps by its multiplier)
    const Order drawn = demand.make_order(ctx.now(), rng);
    Tick next = demand.next_arrival(ctx.now(), rng);
    ds.demand_draws = rng.draws();
    if (next != sim::kTickNever) {
        if (demand_factor_[d] != 1.0) {
            next = ctx.now() +
                   std::max<Tick>(1, static_cast<Tick>(static_cast<double>(next - ctx.now()) /
                                                       demand_factor_[d]));
        }
        ctx.schedule_self(next - ctx.now(), type_of(Msg::kDemand));
    }
    if (!depot_up(d)) {
        // a closed depot's customers are served from the nearest open depot: the order goes
        // into that depot's book only, so it is counted once
        const std::uint32_t to = nearest_open_depot(d);
        if (to == kNone) {
            const OrderId id = ds.book.create(drawn);
            ds.auctions.emplace_back();
            ds.book.fail(id, FailReason::kDepotClosed, ctx.now());
            return;
        }
        ++ds.forwarded_out;
        OrderMsg m;
        m.depot = d;
        m.customer = drawn.customer_node;
        m.size = static_cast<std::uint16_t>(drawn.size);
        m.ready = drawn.ready;
        m.due = drawn.due;
        send(ctx, depot_lp(to), Msg::kForward, Payload::of(m));
        return;
    }
    take_order(ctx, d, drawn);
}

void FleetModel::take_order(Context& ctx, std::uint32_t d, const Order& drawn) {
    DepotState& ds = depots_[d];
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

void FleetModel::on_forward(Context& ctx, std::uint32_t d, const OrderMsg& m) {
    Order o;
    o.customer_node = m.customer;
    o.size = m.size;
    o.created = ctx.now();
    o.ready = std::max(m.ready, ctx.now());
    o.due = std::max(m.due, ctx.now());
    o.service_time = customer_service_;
    ++depots_[d].forwarded_in;
    if (!depot_up(d)) {
        // closed too in the meantime: not forwarded twice
        const OrderId id = depots_[d].book.create(o);
        depots_[d].auctions.emplace_back();
        depots_[d].book.fail(id, FailReason::kDepotClosed, ctx.now());
        return;
    }
    take_order(ctx, d, o);
}

std::uint32_t FleetModel::nearest_open_depot(std::uint32_t d) const {
    const world::RoadNetwork& net = spec_.net();
    const Point p = net.position(depot_node_[d]);
    std::uint32_t best = kNone;
    double best_d = 0.0;
    for (std::uint32_t i = 0; i < depot_node_.size(); ++i) {
        if (i == d || depot_up_[i] == 0) {
            continue;
        }
        const double di = distance(p, net.position(depot_node_[i]));
        if (best == kNone || di < best_d) {
            best = i;
            best_d = di;
        }
    }
    return best;
}

void FleetModel::start_auction(Context& ctx, std::uint32_t d, std::uint32_t o) {
    DepotState& ds = depots_[d];
    Auction& auction = ds.auctions[o];
    auction.awarding = false;
    ++auction.round;
    auction.best_vehicle = kNone;
    const OrderMsg msg = order_msg(d, o);
    AnswerMsg key;
    key.order = o;
    key.round = auction.round;
    const Point here = spec_.net().position(depot_node_[d]);
    if (policy_->consensus()) {
        // the vehicles around the depot settle it in the next consensus round
        auction.awarding = true;
        ds.consensus_queue.push_back(o);
        return;
    }
    if (policy_->centralized()) {
        // the cloud decides; without a link the depot can only wait and ask again
        if (!conditions_.cloud_up() || radio_blocked(here)) {
            ++ds.auction.retries;
            ctx.schedule_self(backoff_, type_of(Msg::kRetry), Payload::of(key));
            return;
        }
        auction.awarding = true;
        send(ctx, layout_.cloud_lp(), Msg::kCloudRequest, Payload::of(msg), here);
        ctx.schedule_self(seconds_to_ticks(spec_.time, spec_.cloud.timeout_s),
                          type_of(Msg::kCloudTimeout), Payload::of(key), kLatePriority);
        return;
    }
    std::array<std::uint32_t, 64> cand{};
    const std::size_t n =
        radio_blocked(here) ? 0 : policy_->candidates(spec_, board_, d, msg, cand);
    if (n == 0) {
        // nobody near (or no radio here): try again later
        ++ds.auction.retries;
        ctx.schedule_self(backoff_, type_of(Msg::kRetry), Payload::of(key));
        return;
    }
    sim::RandomStream& rng = ctx.rng();
    for (std::size_t i = 0; i < n; ++i) {
        const Point there = board_.entry(cand[i]).position;
        const bool lost =
            link_.lost(comms::Link::kRadio, conditions_.radio_loss_between(here, there), rng);
        if (lost || radio_blocked(there)) {
            // the offer never arrives
            counters_.record_send(depot_agent(d), link_.wire_bytes(payload_bytes(Msg::kOffer)));
            counters_.record_drop(depot_agent(d));
            continue;
        }
        send(ctx, vehicle_lp(cand[i]), Msg::kOffer, Payload::of(msg));
    }
    ds.auction.offers += n;
    ctx.schedule_self(bid_window_, type_of(Msg::kBidTimeout), Payload::of(key), kLatePriority);
}

void FleetModel::on_cloud_timeout(Context& ctx, std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = depots_[d];
    Auction& auction = ds.auctions[a.order];
    const Order& ord = ds.book.order(order_id(d, a.order));
    if (a.round != auction.round || !auction.awarding || ord.state != OrderState::kCreated) {
        return;
    }
    // no word from the cloud: ask again (a late award of this round is revoked)
    auction.awarding = false;
    on_retry(ctx, d, a.order);
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
    const OrderId id = order_id(d, a.order);
    const bool current = auction.awarding && a.round == auction.round &&
                         ds.book.order(id).state == OrderState::kCreated;
    if (!current || !depot_up(d)) {
        // a stale award (the order moved on) or a closed depot: the vehicle drops it
        OrderMsg m = order_msg(d, a.order);
        m.round = a.round;
        send(ctx, vehicle_lp(a.vehicle), Msg::kRevoke, Payload::of(m));
        if (current) {
            auction.awarding = false;
            ds.book.fail(id, FailReason::kDepotClosed, ctx.now());
        }
        return;
    }
    auction.awarding = false;
    ds.book.assign(id, a.vehicle, ctx.now());
}

void FleetModel::on_reject(Context& ctx, std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = depots_[d];
    Auction& auction = ds.auctions.at(a.order);
    if (!auction.awarding || a.round != auction.round) {
        return;  // a stale award
    }
    // rejected before it was ever assigned: still kCreated in the book, offer it again
    ++ds.auction.rejects;
    auction.awarding = false;
    on_retry(ctx, d, a.order);
}

void FleetModel::fail_and_revoke(Context& ctx, std::uint32_t d, std::uint32_t o, FailReason why) {
    DepotState& ds = depots_[d];
    const OrderId id = order_id(d, o);
    const Order& ord = ds.book.order(id);
    if (ord.state == OrderState::kAssigned) {
        OrderMsg m = order_msg(d, o);
        send(ctx, vehicle_lp(ord.vehicle), Msg::kRevoke, Payload::of(m));
    }
    ds.auctions[o].awarding = false;
    ds.book.fail(id, why, ctx.now());
}

void FleetModel::on_depot_down(Context& ctx, std::uint32_t d) {
    // orders not yet on a vehicle are lost with the depot (awards on their way are revoked
    // when accepted); vehicles already docked are not loaded any more
    DepotState& ds = depots_[d];
    for (std::uint32_t o = 0; o < ds.book.size(); ++o) {
        const OrderState st = ds.book.order(order_id(d, o)).state;
        if (st == OrderState::kCreated && !ds.auctions[o].awarding) {
            fail_and_revoke(ctx, d, o, FailReason::kDepotClosed);
        } else if (st == OrderState::kAssigned) {
            fail_and_revoke(ctx, d, o, FailReason::kDepotClosed);
        }
    }
}

void FleetModel::on_orphan(Context& ctx, std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = depots_[d];
    const OrderId id = order_id(d, a.order);
    const Order& ord = ds.book.order(id);
    if (ord.vehicle != a.vehicle) {
        return;
    }
    if (ord.state == OrderState::kAssigned) {
        // re-allocated among the vehicles still available
        ds.book.unassign(id, ctx.now());
        if (!depot_up(d)) {
            ds.book.fail(id, FailReason::kDepotClosed, ctx.now());
            return;
        }
        ds.auctions[a.order].awarding = false;
        start_auction(ctx, d, a.order);
    } else if (ord.state == OrderState::kPickedUp) {
        // loaded on the vehicle after it broke (the dock finished first): lost with it
        ds.book.fail(id, FailReason::kVehicleLost, ctx.now());
    }
}

void FleetModel::on_lost(Context& ctx, std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = depots_[d];
    const OrderId id = order_id(d, a.order);
    const Order& ord = ds.book.order(id);
    if (ord.vehicle != a.vehicle ||
        (ord.state != OrderState::kAssigned && ord.state != OrderState::kPickedUp)) {
        return;
    }
    ds.book.fail(id, static_cast<FailReason>(a.reason), ctx.now());
}

void FleetModel::on_dock_request(Context& ctx, std::uint32_t d, const DockMsg& m) {
    DepotState& ds = depots_[d];
    if (!depot_up(d)) {
        // nothing to load at a closed depot: the orders fail and the vehicle moves on
        for (std::uint32_t i = 0; i < m.count; ++i) {
            const Order& ord = ds.book.order(order_id(d, m.orders[i]));
            if (ord.state == OrderState::kAssigned && ord.vehicle == m.vehicle) {
                fail_and_revoke(ctx, d, m.orders[i], FailReason::kDepotClosed);
            }
        }
        DockMsg out;
        out.vehicle = m.vehicle;
        out.epoch = m.epoch;
        out.depot = d;
        send(ctx, vehicle_lp(m.vehicle), Msg::kLoaded, Payload::of(out));
        return;
    }
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
    // orders taken away meanwhile (orphaned, depot closed) stay behind; the vehicle has
    // dropped them from its plan when their revoke reached it, before this
    DockMsg out;
    out.vehicle = m.vehicle;
    out.epoch = m.epoch;
    out.depot = d;
    for (std::uint32_t i = 0; i < m.count; ++i) {
        const OrderId id = order_id(d, m.orders[i]);
        const Order& ord = ds.book.order(id);
        if (ord.state == OrderState::kAssigned && ord.vehicle == m.vehicle) {
            ds.book.pick_up(id, ctx.now());
            out.orders[out.count++] = m.orders[i];
        }
    }
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
    if (from == s) {
        return;
    }
    if (!transition_allowed(from, s)) {
        throw FleetModelError(std::string("fleet: vehicle ") + std::to_string(v) +
                              " cannot go from " + to_string(from) + " to " + to_string(s));
    }
    // the time spent in the state being left, into its KPI bucket
    time_bucket(fleet_.counters[v], from) += now - fleet_.state_since[v];
    fleet_.state[v] = s;
    fleet_.state_since[v] = now;
    fleet_.changed[v] = 1;
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
    // a vehicle due for service takes no new work
    const std::optional<double> cost =
        fleet_.state[v] == VehicleState::kBroken || fleet_.service_due[v] != 0
            ? std::nullopt
            : policy_->bid(spec_, view(v, ctx.now()), m, ctx.now());
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
    if (fleet_.state[v] == VehicleState::kBroken || fleet_.service_due[v] != 0 ||
        !feasible(spec_, view(v, ctx.now()), m, ctx.now())) {
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
        // drones fly one straight leg, above any road closure
        fleet_.leg_to[v] = target;
        seconds = distance(net.position(from), net.position(target)) / type.cruise_mps;
    } else {
        // ground: (re)plan when the target or the knowledge changed, then drive the next
        // edge; a closed edge found at its start is learnt (with the whole disruption behind
        // it) and planned around
        std::vector<EdgeId>& route = fleet_.route[v];
        for (int attempt = 0;; ++attempt) {
            if (fleet_.replan[v] != 0 || fleet_.route_dest[v] != target ||
                fleet_.route_pos[v] >= route.size() ||
                net.source(route[fleet_.route_pos[v]]) != from) {
                see_roads_leaving(ctx.partition(), v, from);
                routing::RouteView believed = believed_view(ctx.partition(), v);
                if (learning_ && learning_->congestion() && learning_->spec().learns() &&
                    learning_->spec().route_on_predictions) {
                    // what it believes of the roads, times what it predicts of the traffic
                    believed.edge_class = learning_->edge_zones();
                    believed.class_factor = learning_->predicted_factors(v, ctx.now());
                }
                routing::Route r = routers_[ctx.partition()]->fastest(from, target, believed);
                fleet_.replan[v] = 0;
                if (!r.found || r.edges.empty()) {
                    route.clear();
                    fleet_.route_pos[v] = 0;
                    fleet_.route_dest[v] = world::kNoNode;
                    return unreachable(ctx, v);
                }
                route.swap(r.edges);
                fleet_.route_pos[v] = 0;
                fleet_.route_dest[v] = target;
            }
            const EdgeId next = route[fleet_.route_pos[v]];
            if (!roads_.closed(next)) {
                break;
            }
            if (!fleet_.known[v].merge(roads_.why_closed(next)) || attempt > 64) {
                throw FleetModelError("fleet: vehicle " + std::to_string(v) +
                                      " keeps routing over closed edge " + std::to_string(next));
            }
            fleet_.replan[v] = 1;
        }
        const EdgeId e = route[fleet_.route_pos[v]++];
        fleet_.leg_to[v] = net.target(e);
        seconds = net.travel_time_s(e) / type.speed_factor / roads_.speed_factor(e);
        if (learning_) {
            // the hidden congestion: what the vehicle will find, and learn from
            seconds *= learning_->drive_edge(v, e, ctx.now(), ctx.rng());
        }
    }
    const Tick dt = seconds_to_ticks(spec_.time, seconds);
    fleet_.leg_start[v] = ctx.now();
    fleet_.leg_end[v] = ctx.now() + dt;
    fleet_.moving[v] = 1;
    fleet_.changed[v] = 1;
    ctx.schedule_self(dt, type_of(Msg::kArrive));
}

void FleetModel::see_roads_leaving(std::size_t partition, std::uint32_t v, NodeId node) {
    // the counterpart of finding a closed edge at its start: a road leaving the vehicle's node
    // that it believes closed but that is open again teaches it the reopening (otherwise
    // nobody would ever learn one: routes avoid what they believe closed)
    if (fleet_.known[v].count() == 0) {
        return;
    }
    const routing::RouteView& believed = believed_view(partition, v);
    KnownRoadEvents seen;
    for (const EdgeId e : spec_.net().out_edges(node)) {
        if (believed.closed != nullptr && believed.closed->test(e) && !roads_.closed(e)) {
            seen.merge(roads_.why_open(e));
        }
    }
    fleet_.known[v].merge(seen);
}

const routing::RouteView& FleetModel::believed_view(std::size_t partition, std::uint32_t v) {
    static const routing::RouteView kOpen{};
    const KnownRoadEvents& known = fleet_.known[v];
    if (known.count() == 0) {
        return kOpen;
    }
    auto& cache = views_[partition];
    for (const auto& bv : cache) {
        if (bv->known == known) {
            return bv->view;
        }
    }
    // the views depend on the known events only, so every partition builds the same one
    auto bv = std::make_unique<BelievedView>();
    bv->known = known;
    std::vector<float> factor;
    roads_.believed(known, bv->closed, factor);
    const world::RoadNetwork& net = spec_.net();
    if (!factor.empty()) {
        bv->times.resize(net.edge_count());
        for (EdgeId e = 0; e < net.edge_count(); ++e) {
            bv->times[e] = static_cast<float>(net.travel_time_s(e) / factor[e]);
        }
    }
    bv->view = routing::make_view(net, &bv->closed, bv->times);
    cache.push_back(std::move(bv));
    return cache.back()->view;
}

void FleetModel::unreachable(Context& ctx, std::uint32_t v) {
    Plan& plan = fleet_.plan[v];
    const auto lost = [&](std::uint32_t i) {
        AnswerMsg a;
        a.order = plan.entries[i].order;
        a.vehicle = v;
        a.reason = static_cast<std::uint8_t>(FailReason::kUnreachable);
        send(ctx, depot_lp(plan.entries[i].depot), Msg::kLost, Payload::of(a));
    };
    switch (fleet_.state[v]) {
        case VehicleState::kEnRoute:
            // the customer of the head order cannot be reached: reported, and the next one
            lost(0);
            fleet_.load[v] -= plan.entries[0].size;
            fleet_.changed[v] = 1;
            --plan.loaded;
            drop_entry(v, 0);
            return next_activity(ctx, v);
        case VehicleState::kToPickup: {
            // the depot cannot be reached: its orders in the plan are reported
            const std::uint32_t d = plan.entries[0].depot;
            for (std::uint32_t i = plan.size; i-- > plan.loaded;) {
                if (plan.entries[i].depot == d) {
                    lost(i);
                    drop_entry(v, i);
                }
            }
            return next_activity(ctx, v);
        }
        default:
            // home cannot be reached: park here until there is work. One due for service
            // takes no work: it tries again a learning round later (the roads may reopen)
            set_state(v, VehicleState::kIdle, ctx.now());
            if (fleet_.service_due[v] != 0) {
                ctx.schedule_self(seconds_to_ticks(spec_.time, spec_.learning.round_s),
                                  type_of(Msg::kServiceDue));
            }
            return;
    }
}

void FleetModel::drop_entry(std::uint32_t v, std::uint32_t i) {
    Plan& plan = fleet_.plan[v];
    std::copy(plan.entries.begin() + i + 1, plan.entries.begin() + plan.size,
              plan.entries.begin() + i);
    --plan.size;
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
    fleet_.drive_time[v] += ctx.now() - fleet_.leg_start[v];
    fleet_.node[v] = fleet_.leg_to[v];
    fleet_.leg_start[v] = ctx.now();
    fleet_.leg_end[v] = ctx.now();
    fleet_.moving[v] = 0;
    fleet_.changed[v] = 1;
    if (fleet_.state[v] == VehicleState::kBroken) {
        return;  // it broke on the way: it pulls over here
    }
    if (fleet_.state[v] == VehicleState::kIdle) {
        return next_activity(ctx, v);  // repaired before the leg it broke on ended: home
    }
    if (fleet_.node[v] != fleet_.dest[v]) {
        return start_leg(ctx, v);
    }
    if (fleet_.state[v] == VehicleState::kReturning) {
        return arrived_home(ctx, v);
    }
    arrived(ctx, v);
}

void FleetModel::arrived_home(Context& ctx, std::uint32_t v) {
    if (fleet_.service_due[v] != 0) {
        return begin_service(ctx, v);
    }
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
            m.epoch = epoch(v);
            m.depot = d;
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
                schedule_handover(ctx, v, ready - ctx.now(), Msg::kReady);
            } else {
                schedule_handover(ctx, v, customer_service_, Msg::kServiceDone);
            }
            return;
        }
        default:
            throw FleetModelError(std::string("fleet: vehicle ") + std::to_string(v) +
                                  " arrived in state " + to_string(fleet_.state[v]));
    }
}

void FleetModel::on_loaded(Context& ctx, std::uint32_t v, const DockMsg& m) {
    if (fleet_.state[v] == VehicleState::kBroken || m.epoch != epoch(v)) {
        return;  // broke at the dock (and maybe repaired since): its orders were handed back
    }
    if (fleet_.state[v] != VehicleState::kLoading) {
        throw FleetModelError("fleet: vehicle " + std::to_string(v) + " loaded while " +
                              to_string(fleet_.state[v]));
    }
    // the loaded orders move up to the loaded part of the plan, in plan order
    Plan& plan = fleet_.plan[v];
    for (std::uint32_t k = 0; k < m.count; ++k) {
        for (std::uint32_t i = plan.loaded; i < plan.size; ++i) {
            if (plan.entries[i].depot == m.depot && plan.entries[i].order == m.orders[k]) {
                std::rotate(plan.entries.begin() + plan.loaded, plan.entries.begin() + i,
                            plan.entries.begin() + i + 1);
                fleet_.load[v] += plan.entries[plan.loaded].size;
                fleet_.changed[v] = 1;
                ++plan.loaded;
                break;
            }
        }
    }
    fleet_.max_load[v] = std::max(fleet_.max_load[v], fleet_.load[v]);
    next_activity(ctx, v);
}

void FleetModel::schedule_handover(Context& ctx, std::uint32_t v, Tick delay, Msg m) {
    VehicleMsg timer;
    timer.vehicle = v;
    timer.count = epoch(v);
    ctx.schedule_self(delay, type_of(m), Payload::of(timer));
}

void FleetModel::on_ready(Context& ctx, std::uint32_t v, const VehicleMsg& m) {
    if (fleet_.state[v] != VehicleState::kBroken && m.count == epoch(v)) {
        schedule_handover(ctx, v, customer_service_, Msg::kServiceDone);
    }
}

void FleetModel::on_service_done(Context& ctx, std::uint32_t v, const VehicleMsg& timer) {
    Plan& plan = fleet_.plan[v];
    if (fleet_.state[v] == VehicleState::kBroken || timer.count != epoch(v)) {
        return;  // broke during the hand-over (maybe repaired since): the order was reported lost
    }
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
    fleet_.changed[v] = 1;
    ++fleet_.counters[v].deliveries;
    DeliveredMsg m;
    m.order = e.order;
    m.vehicle = v;
    m.at = ctx.now();
    send(ctx, depot_lp(e.depot), Msg::kDelivered, Payload::of(m));
    next_activity(ctx, v);
}

void FleetModel::on_charged(Context& ctx, std::uint32_t v) {
    fleet_.energy_kwh[v] = type_of_vehicle(v).battery_kwh;
    fleet_.changed[v] = 1;
    // a vehicle that broke down on the charger (and maybe was repaired since) is just full
    if (fleet_.state[v] == VehicleState::kCharging) {
        if (fleet_.service_due[v] != 0) {
            return begin_service(ctx, v);
        }
        set_state(v, VehicleState::kIdle, ctx.now());
    }
}

// ---------------------------------------------------------------------------------------
// predictive maintenance

void FleetModel::on_service_due(Context& ctx, std::uint32_t v) {
    if (fleet_.service_due[v] == 0) {
        return;  // serviced or repaired since the flag was raised
    }
    // idle: go home now (or start there); busy vehicles finish their plan first and are
    // sent to the workshop by arrived_home; charging ones after the charge
    if (fleet_.state[v] == VehicleState::kIdle && fleet_.plan[v].size == 0 &&
        fleet_.moving[v] == 0) {
        drive_to(ctx, v, depot_node_[fleet_.home[v]], VehicleState::kReturning);
    }
}

void FleetModel::begin_service(Context& ctx, std::uint32_t v) {
    fleet_.service_due[v] = 0;
    set_state(v, VehicleState::kMaintenance, ctx.now());
    ctx.schedule_self(seconds_to_ticks(spec_.time, spec_.learning.service_s),
                      type_of(Msg::kServiced));
}

void FleetModel::on_serviced(Context& ctx, std::uint32_t v) {
    if (fleet_.state[v] != VehicleState::kMaintenance) {
        return;  // broke down in the workshop (a disruption): the repair decides
    }
    learning_->serviced(v);
    ++fleet_.counters[v].services;
    arrived_home(ctx, v);  // charge if low, else wait for offers
}

void FleetModel::learning_round(sim::Engine& engine, Tick t) {
    const std::uint32_t n = vehicle_count();
    const Tick round = seconds_to_ticks(spec_.time, spec_.learning.round_s);
    std::vector<float> utilisation(n, 0.0F);
    std::vector<std::uint8_t> running(n, 0);
    for (std::uint32_t v = 0; v < n; ++v) {
        // wear grows with the share of the round spent serving orders
        const Tick busy = vehicle_counters(v, t).busy;
        utilisation[v] = static_cast<float>(static_cast<double>(busy - learn_busy_[v]) /
                                            static_cast<double>(round));
        learn_busy_[v] = busy;
        running[v] = fleet_.state[v] != VehicleState::kBroken &&
                             fleet_.state[v] != VehicleState::kMaintenance
                         ? 1
                         : 0;
    }
    std::vector<std::uint32_t> broke;
    learning_->sense(t, utilisation, running, broke);
    const Tick repair = seconds_to_ticks(spec_.time, spec_.learning.repair_s);
    for (const std::uint32_t v : broke) {
        // worn out on the road: down until the repair (the component is then new)
        fleet_.service_due[v] = 0;
        engine.inject(vehicle_lp(v), t, type_of(Msg::kBreak));
        repair_at_[v] = t + repair;
        engine.at(t + repair, [this, v](sim::Engine& e, Tick now) {
            if (repair_at_[v] == now) {
                repair_at_[v] = sim::kTickNever;
                e.inject(vehicle_lp(v), now, type_of(Msg::kRepair));
            }
        });
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
        for (std::uint32_t v = 0; v < n; ++v) {
            eligible[v] =
                running[v] != 0 && fleet_.service_due[v] == 0 && repair_at_[v] == sim::kTickNever
                    ? 1
                    : 0;
        }
        std::vector<std::uint32_t> due;
        learning_->decide(eligible, due);
        for (const std::uint32_t v : due) {
            fleet_.service_due[v] = 1;
            engine.inject(vehicle_lp(v), t, type_of(Msg::kServiceDue));
        }
    }
    if (score) {
        learning_->evaluate(engine.executor());
    }
}

void FleetModel::exchange_models() {
    const std::uint32_t bytes =
        static_cast<std::uint32_t>(link_.wire_bytes(learning_->transfer_bytes()));
    switch (spec_.learning.mode) {
        case LearningMode::kOff:
        case LearningMode::kLocal:
            return;
        case LearningMode::kGossip: {
            // push-pull with one random radio neighbour each (positions of the last board;
            // pairs in vehicle order, so the result does not depend on threads)
            sim::RandomStream rng(engine_->config().seed, kModelExchangeStream,
                                  static_cast<std::uint32_t>(learning_->totals().rounds), 0);
            std::array<std::uint32_t, 64> near{};
            const std::size_t fanout = spec_.gossip_fanout;
            for (std::uint32_t v = 0; v < fleet_.size(); ++v) {
                const Point p = board_.entry(v).position;
                if (radio_blocked(p)) {
                    continue;
                }
                auto reachable = [&](std::uint32_t u, const FleetBoard::Entry& e) {
                    return u != v && !radio_blocked(e.position);
                };
                const std::size_t k = board_.nearest(p, spec_.comms.radio_range_m, reachable,
                                                     std::span<std::uint32_t>(near).first(fanout));
                if (k == 0) {
                    continue;
                }
                const std::uint32_t u = near[rng.below(k)];
                const double loss = conditions_.radio_loss_between(p, board_.entry(u).position);
                // push: u learns v's models; pull: v learns u's (from before the push)
                counters_.record_send(v, bytes);
                const bool pushed = !link_.lost(comms::Link::kRadio, loss, rng);
                learning_->count_transfer(v, u, bytes, pushed);
                if (!pushed) {
                    counters_.record_drop(v);
                    continue;
                }
                counters_.record_receive(u, bytes);
                counters_.record_send(u, bytes);
                const bool pulled = !link_.lost(comms::Link::kRadio, loss, rng);
                learning_->count_transfer(u, v, bytes, pulled);
                if (pulled) {
                    counters_.record_receive(v, bytes);
                    learning_->average_pair(v, u);
                } else {
                    counters_.record_drop(u);
                    learning_->absorb(u, v);
                }
            }
            return;
        }
        case LearningMode::kFedAvg: {
            // every vehicle the cloud can reach uploads, the cloud averages and sends back
            if (!conditions_.cloud_up()) {
                return;
            }
            // a lost upload is left out of the average, a lost download leaves the vehicle
            // its own models (two draws per vehicle and round whatever happens)
            const comms::AgentIndex cloud = cloud_agent();
            sim::RandomStream rng(engine_->config().seed, kModelExchangeStream,
                                  static_cast<std::uint32_t>(learning_->totals().rounds), 0);
            std::vector<std::uint32_t> members;
            std::vector<std::uint32_t> receivers;
            for (std::uint32_t v = 0; v < fleet_.size(); ++v) {
                const Point p = board_.entry(v).position;
                const double loss = conditions_.loss_at(p, comms::Link::kCloud);
                const bool up_lost = link_.lost(comms::Link::kCloud, loss, rng);
                const bool down_lost = link_.lost(comms::Link::kCloud, loss, rng);
                if (radio_blocked(p)) {
                    continue;
                }
                counters_.record_send(v, bytes);
                learning_->count_transfer(v, vehicle_count(), bytes, !up_lost);
                if (up_lost) {
                    counters_.record_drop(v);
                    continue;
                }
                counters_.record_receive(cloud, bytes);
                members.push_back(v);
                counters_.record_send(cloud, bytes);
                learning_->count_transfer(vehicle_count(), v, bytes, !down_lost);
                if (down_lost) {
                    counters_.record_drop(cloud);
                    continue;
                }
                counters_.record_receive(v, bytes);
                receivers.push_back(v);
            }
            learning_->federated_average(members, receivers);
            return;
        }
    }
}

void FleetModel::on_break(Context& ctx, std::uint32_t v) {
    if (fleet_.state[v] == VehicleState::kBroken) {
        return;
    }
    set_state(v, VehicleState::kBroken, ctx.now());
    // its orders go back: not yet loaded ones are re-allocated, loaded ones are lost with it
    Plan& plan = fleet_.plan[v];
    for (std::uint32_t i = 0; i < plan.size; ++i) {
        AnswerMsg a;
        a.order = plan.entries[i].order;
        a.vehicle = v;
        a.reason = static_cast<std::uint8_t>(FailReason::kVehicleLost);
        send(ctx, depot_lp(plan.entries[i].depot), i < plan.loaded ? Msg::kLost : Msg::kOrphan,
             Payload::of(a));
    }
    plan.size = 0;
    plan.loaded = 0;
    fleet_.load[v] = 0;
    fleet_.changed[v] = 1;
    ++fleet_.counters[v].breakdowns;
}

void FleetModel::on_repair(Context& ctx, std::uint32_t v) {
    if (fleet_.state[v] != VehicleState::kBroken) {
        return;
    }
    set_state(v, VehicleState::kIdle, ctx.now());
    if (fleet_.moving[v] == 0) {
        next_activity(ctx, v);  // home, or wait there
    }
}

void FleetModel::on_rehome(Context& ctx, std::uint32_t v) {
    const VehicleState s = fleet_.state[v];
    if ((s == VehicleState::kIdle || s == VehicleState::kReturning) && fleet_.plan[v].size == 0 &&
        fleet_.node[v] != depot_node_[fleet_.home[v]]) {
        drive_to(ctx, v, depot_node_[fleet_.home[v]], VehicleState::kReturning);
    }
}

void FleetModel::on_revoke(Context& ctx, std::uint32_t v, const OrderMsg& m) {
    Plan& plan = fleet_.plan[v];
    for (std::uint32_t i = plan.loaded; i < plan.size; ++i) {
        if (plan.entries[i].depot == m.depot && plan.entries[i].order == m.order) {
            drop_entry(v, i);
            break;
        }
    }
    // heading for that depot with nothing left to fetch there: re-plan the trip
    if (fleet_.state[v] == VehicleState::kToPickup) {
        next_activity(ctx, v);
    }
}

// ---------------------------------------------------------------------------------------
// cloud dispatcher

void FleetModel::on_cloud_request(Context& ctx, const OrderMsg& m) {
    cloud_pending_.push_back(m);
    if (cloud_solving_) {
        return;  // taken into the solve under way or the next one
    }
    cloud_solving_ = true;
    // the solve takes longer the more orders are open
    const double s = spec_.cloud.solve_base_s +
                     spec_.cloud.solve_per_order_s * static_cast<double>(cloud_pending_.size());
    ctx.schedule_self(std::max<Tick>(1, seconds_to_ticks(spec_.time, s)),
                      type_of(Msg::kCloudSolve));
}

void FleetModel::on_cloud_solve(Context& ctx) {
    cloud_solving_ = false;
    if (!conditions_.cloud_up()) {
        // the link is down: plans cannot be pushed; try again later
        cloud_solving_ = true;
        ctx.schedule_self(backoff_, type_of(Msg::kCloudSolve));
        return;
    }
    const world::RoadNetwork& net = spec_.net();
    std::vector<OrderMsg> keep;
    for (const OrderMsg& order : cloud_pending_) {
        std::array<std::uint32_t, 64> cand{};
        // on its telemetry; where the radio is out it knows from the network (the true board)
        const std::size_t n = policy_->candidates(spec_, cloud_board_, order.depot, order, cand);
        const Point depot = net.position(depot_node_[order.depot]);
        std::uint32_t best = kNone;
        double best_cost = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t v = cand[i];
            const FleetBoard::Entry& e = cloud_board_.entry(v);
            if (e.plan_size + cloud_extra_[v] >= spec_.allocation.max_plan ||
                radio_blocked(board_.entry(v).position)) {
                continue;
            }
            const VehicleType& type = type_of_vehicle(v);
            const double mps =
                type.kind == VehicleKind::kDrone ? type.cruise_mps : 13.9 * type.speed_factor;
            const Point from =
                e.free_node == world::kNoNode ? e.position : net.position(e.free_node);
            const double cost = spec_.time.to_seconds(std::max(e.free_at, ctx.now()) - ctx.now()) +
                                spec_.allocation.detour_factor * distance(from, depot) / mps +
                                600.0 * cloud_extra_[v];
            if (best == kNone || policy_->better(cost, v, best_cost, best)) {
                best = v;
                best_cost = cost;
            }
        }
        if (best == kNone) {
            keep.push_back(order);
            continue;
        }
        // a lost award: the depot asks again after cloud.timeout_s
        ++cloud_extra_[best];
        send(ctx, vehicle_lp(best), Msg::kAward, Payload::of(order), board_.entry(best).position);
    }
    cloud_pending_.swap(keep);
    if (!cloud_pending_.empty()) {
        cloud_solving_ = true;
        ctx.schedule_self(backoff_, type_of(Msg::kCloudSolve));
    }
}

// ---------------------------------------------------------------------------------------
// consensus (CBBA), at barriers

void FleetModel::run_consensus(Tick t) {
    const world::RoadNetwork& net = spec_.net();
    std::vector<std::uint8_t> used(fleet_.size(), 0);  // one cluster per vehicle per round
    for (std::uint32_t d = 0; d < depot_count(); ++d) {
        DepotState& ds = depots_[d];
        if (ds.consensus_queue.empty()) {
            continue;
        }
        // tasks: the queued orders still waiting (orphaned, failed or closed ones drop out)
        std::vector<std::uint32_t> tasks;
        for (const std::uint32_t o : ds.consensus_queue) {
            const Order& ord = ds.book.order(order_id(d, o));
            if (!ds.auctions[o].awarding || ord.state != OrderState::kCreated) {
                continue;
            }
            if (t > ord.due) {
                // past due and still nobody: give up, and put the stock back
                ds.auctions[o].awarding = false;
                ds.stock += static_cast<std::uint64_t>(ord.size);
                ds.book.fail(order_id(d, o), FailReason::kNoVehicle, t);
                continue;
            }
            tasks.push_back(o);
        }
        ds.consensus_queue.clear();
        const Point depot = net.position(depot_node_[d]);
        if (tasks.empty()) {
            continue;
        }
        // agents: usable vehicles near the depot not in another cluster this round
        std::array<std::uint32_t, 64> cand{};
        // vehicles that can carry the smallest task (a drone's award of a larger one is
        // rejected and the order queued again)
        OrderMsg first = order_msg(d, tasks.front());
        for (const std::uint32_t o : tasks) {
            first.size = std::min(first.size, order_msg(d, o).size);
        }
        std::size_t n =
            radio_blocked(depot) ? 0 : policy_->candidates(spec_, board_, d, first, cand);
        std::vector<std::uint32_t> agents;
        std::vector<std::uint32_t> capacity;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t v = cand[i];
            const FleetBoard::Entry& e = board_.entry(v);
            if (used[v] == 0 && !radio_blocked(e.position)) {
                agents.push_back(v);
                capacity.push_back(spec_.allocation.max_plan -
                                   std::min<std::uint32_t>(e.plan_size, spec_.allocation.max_plan));
            }
        }
        if (agents.empty()) {
            ds.consensus_queue = tasks;  // nobody near: the next round
            ++ds.auction.retries;
            continue;
        }
        // score: time-discounted reward from when and where each vehicle can be at the depot
        coordination::TimeDiscountedReward::Params sp;
        const double ground_mps = 13.9 / spec_.allocation.detour_factor;
        for (const std::uint32_t v : agents) {
            const FleetBoard::Entry& e = board_.entry(v);
            const Point from =
                e.free_node == world::kNoNode ? e.position : net.position(e.free_node);
            const VehicleType& type = type_of_vehicle(v);
            const double mps = type.kind == VehicleKind::kDrone ? type.cruise_mps : ground_mps;
            sp.agent_start.push_back(depot);
            sp.agent_start_s.push_back(spec_.time.to_seconds(std::max(e.free_at, t) - t) +
                                       distance(from, depot) / mps +
                                       spec_.depots[d].dock_service.mean_s);
        }
        for (const std::uint32_t o : tasks) {
            sp.task_position.push_back(net.position(ds.book.order(order_id(d, o)).customer_node));
            sp.task_reward.push_back(1000.0);
        }
        sp.speed_mps = ground_mps;
        sp.lambda = 0.999;
        sp.service_s = spec_.demand.customer_service_s;
        const coordination::TimeDiscountedReward score(sp);
        // the radio graph among them
        std::vector<std::vector<comms::AgentIndex>> lists(agents.size());
        const double r2 = spec_.comms.radio_range_m * spec_.comms.radio_range_m;
        for (std::size_t i = 0; i < agents.size(); ++i) {
            for (std::size_t j = i + 1; j < agents.size(); ++j) {
                const Point a = board_.entry(agents[i]).position;
                const Point b = board_.entry(agents[j]).position;
                const double dx = a.x - b.x;
                const double dy = a.y - b.y;
                if (dx * dx + dy * dy <= r2) {
                    lists[i].push_back(static_cast<comms::AgentIndex>(j));
                    lists[j].push_back(static_cast<comms::AgentIndex>(i));
                }
            }
        }
        const comms::AgentGraph graph = comms::AgentGraph::from_lists(lists);
        coordination::CbbaSolver solver(capacity, tasks.size(), score);
        const auto max_rounds = static_cast<std::uint32_t>(tasks.size() * agents.size() + 2);
        const coordination::CbbaResult result = solver.run(graph, max_rounds);
        // every round each vehicle tells each neighbour its bids: the time it takes decides
        // when the awards are known
        const std::uint64_t payload = solver.message_bytes();
        for (std::size_t i = 0; i < agents.size(); ++i) {
            for (std::uint32_t r = 0; r < result.rounds; ++r) {
                for (std::size_t k = 0;
                     k < graph.neighbours(static_cast<comms::AgentIndex>(i)).size(); ++k) {
                    counters_.record_send(agents[i], link_.wire_bytes(payload));
                }
            }
        }
        const Tick latency = std::max(lookahead_, static_cast<Tick>(result.rounds) *
                                                      link_.delay(comms::Link::kRadio, payload));
        for (std::size_t j = 0; j < tasks.size(); ++j) {
            const comms::AgentIndex w = result.assignment.winner[j];
            if (w == coordination::kNoAgent) {
                ds.consensus_queue.push_back(tasks[j]);  // the next round
                continue;
            }
            used[agents[w]] = 1;
            engine_->inject(vehicle_lp(agents[w]), t + latency, type_of(Msg::kAward),
                            Payload::of(order_msg(d, tasks[j])));
        }
        for (const std::uint32_t v : agents) {
            used[v] = 1;
        }
    }
}

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
                    depots_.capacity() * sizeof(DepotState) + layout_.memory_bytes() +
                    (learning_ ? learning_->memory_bytes() : 0);
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
