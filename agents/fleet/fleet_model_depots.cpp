// FleetModel: the depots: orders arriving and forwarded, allocation rounds handed to the
// protocol, awards accepted and rejected, self-healing of orphaned and lost orders, loading
// docks and charging points.
#include <algorithm>
#include <string>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_model_internal.hpp"
#include "agents/fleet/fleet_protocol_host.hpp"

namespace swarm::agents {

using namespace fleet_detail;
using sim::Context;
using sim::Customer;
using sim::Payload;
using sim::Tick;

OrderMsg FleetModel::order_msg(std::uint32_t d, std::uint32_t o) const {
    const DepotState& ds = world_.depots[d];
    OrderMsg m = describe(ds.book.order(order_id(d, o)));
    m.depot = static_cast<std::uint16_t>(d);
    m.set_order(o);
    m.round = ds.allocations[o].round;
    return m;
}

OrderMsg FleetModel::describe(const Order& o) const {
    // hand-over time and priority live in the order's table row (drawn orders have none)
    const ReplayOrder* row = o.ref == kNoRef ? nullptr : &spec_.replay.orders[o.ref];
    OrderMsg m;
    m.customer = o.customer_node;
    m.size = static_cast<std::uint16_t>(o.size);
    m.service_s = row == nullptr ? kDemandService : row->service_s;
    m.set_priority(row == nullptr ? 0 : row->priority);
    m.ready = o.ready;
    m.due = o.due;
    if (row != nullptr && row->has_pickup()) {
        m.set_row(o.ref);
    }
    return m;
}

bool FleetModel::picked_up_elsewhere(std::uint32_t d, std::uint32_t o) const {
    const Order& ord = world_.depots[d].book.order(order_id(d, o));
    return ord.ref != kNoRef && spec_.replay.orders[ord.ref].has_pickup();
}

OrderId FleetModel::new_order(std::uint32_t d, const Order& o) {
    DepotState& ds = world_.depots[d];
    if (ds.book.size() > OrderMsg::kMaxOrderIndex) {
        throw std::length_error("fleet: depot " + std::to_string(d) + " has more than " +
                                std::to_string(OrderMsg::kMaxOrderIndex + 1) +
                                " orders in one run (order messages carry the index in 24 bits)");
    }
    ds.allocations.emplace_back();
    return ds.book.create(o);
}

Tick FleetModel::service_ticks(std::uint16_t service_s) const {
    return service_s == kDemandService ? customer_service_
                                       : seconds_to_ticks(spec_.time, service_s);
}

void FleetModel::on_demand(Context& ctx, std::uint32_t d) {
    DepotState& ds = world_.depots[d];
    const DemandProcess& demand = demand_[d];
    sim::RandomStream rng(ctx.seed(), ctx.self(), kDemandSubstream, ds.demand_draws);
    // the order, then the next arrival (a surge shortens the gaps by its multiplier)
    const Order drawn = demand.make_order(ctx.now(), rng);
    Tick next = demand.next_arrival(ctx.now(), rng);
    ds.demand_draws = rng.draws();
    if (next != sim::kTickNever) {
        if (world_.demand_factor[d] != 1.0) {
            next = ctx.now() +
                   std::max<Tick>(1, static_cast<Tick>(static_cast<double>(next - ctx.now()) /
                                                       world_.demand_factor[d]));
        }
        ctx.schedule_self(next - ctx.now(), type_of(Msg::kDemand));
    }
    arrive_order(ctx, d, drawn);
}

void FleetModel::arrive_order(Context& ctx, std::uint32_t d, const Order& o) {
    if (depot_up(d)) {
        take_order(ctx, d, o);
        return;
    }
    // a closed depot's customers are served from the nearest open depot: the order goes
    // into that depot's book only, so it is counted once
    DepotState& ds = world_.depots[d];
    const std::uint32_t to = nearest_open_depot(d);
    if (to == kNone) {
        ds.book.fail(new_order(d, o), FailReason::kDepotClosed, ctx.now());
        return;
    }
    ++ds.forwarded_out;
    // the order index field carries the order's table row, so that it keeps its id,
    // hand-over time and priority
    OrderMsg m = describe(o);
    m.depot = static_cast<std::uint16_t>(d);
    m.set_order(o.ref == kNoRef ? OrderMsg::kMaxOrderIndex : o.ref);
    send(ctx, depot_lp(to), Msg::kForward, Payload::of(m));
}

void FleetModel::take_order(Context& ctx, std::uint32_t d, const Order& drawn) {
    DepotState& ds = world_.depots[d];
    const OrderId id = new_order(d, drawn);
    // stock is reserved when the order is taken
    const auto units = static_cast<std::uint64_t>(drawn.size);
    if (ds.stock < units) {
        ds.book.fail(id, FailReason::kNoStock, ctx.now());
        return;
    }
    ds.stock -= units;
    allocate(ctx, d, id.index);
}

void FleetModel::on_forward(Context& ctx, std::uint32_t d, const OrderMsg& m) {
    Order o;
    o.customer_node = customer_node(spec_, m);
    o.size = m.size;
    o.created = ctx.now();
    o.ready = std::max(m.ready, ctx.now());
    o.due = std::max(m.due, ctx.now());
    o.service_time = service_ticks(m.service_s);
    o.ref = m.order() == OrderMsg::kMaxOrderIndex ? kNoRef : m.order();
    ++world_.depots[d].forwarded_in;
    if (!depot_up(d)) {
        // closed too in the meantime: not forwarded twice
        world_.depots[d].book.fail(new_order(d, o), FailReason::kDepotClosed, ctx.now());
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
        if (i == d || world_.depot_up[i] == 0) {
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

std::uint8_t FleetModel::priority(std::uint32_t d, std::uint32_t o) const {
    const Order& ord = world_.depots[d].book.order(order_id(d, o));
    return ord.ref == kNoRef ? 0 : spec_.replay.orders[ord.ref].priority;
}

void FleetModel::stop_waiting(std::uint32_t d, std::uint32_t o) {
    DepotState& ds = world_.depots[d];
    if (ds.allocations[o].waiting) {
        ds.allocations[o].waiting = false;
        --ds.waiting[priority(d, o)];
    }
}

void FleetModel::allocate(Context& ctx, std::uint32_t d, std::uint32_t o) {
    DepotState& ds = world_.depots[d];
    stop_waiting(d, o);
    // priority first, as VROOM: while an order of higher priority waits here for a vehicle,
    // this one waits too, so that the next vehicle free goes to that one
    if (!ds.waiting.empty()) {
        for (std::size_t p = priority(d, o) + 1u; p < ds.waiting.size(); ++p) {
            if (ds.waiting[p] > 0) {
                return retry_later(ctx, d, o);
            }
        }
    }
    AllocationState& state = ds.allocations[o];
    state.awarding = false;
    ++state.round;
    protocol_->allocate(*host_, ctx, d, o);
}

void FleetModel::retry_later(Context& ctx, std::uint32_t d, std::uint32_t o) {
    DepotState& ds = world_.depots[d];
    const AllocationState& state = ds.allocations[o];
    // a vehicle of this round found no route for it: it waits for news (hold_unreachable),
    // else it would hold back every lower-priority order here until its due time
    const bool waits_for_news = state.unreachable && state.unreachable_round == state.round;
    if (!ds.waiting.empty() && !state.waiting && !waits_for_news) {
        ds.allocations[o].waiting = true;
        ++ds.waiting[priority(d, o)];
    }
    schedule_retry(ctx, d, o);
}

void FleetModel::hold_unreachable(Context& ctx, std::uint32_t d, std::uint32_t o) {
    // not counted as waiting for a vehicle: it waits for news, holding back no other order
    AllocationState& state = world_.depots[d].allocations[o];
    state.unreachable = true;
    state.unreachable_round = state.round;
    schedule_retry(ctx, d, o);
}

void FleetModel::schedule_retry(Context& ctx, std::uint32_t d, std::uint32_t o) {
    DepotState& ds = world_.depots[d];
    ++ds.allocation.retries;
    AnswerMsg key;
    key.order = o;
    key.round = ds.allocations[o].round;
    ctx.schedule_self(backoff_, type_of(Msg::kRetry), Payload::of(key));
}

void FleetModel::on_retry(Context& ctx, std::uint32_t d, std::uint32_t o) {
    DepotState& ds = world_.depots[d];
    stop_waiting(d, o);
    if (!open_for_bids(ds, d, o)) {
        return;
    }
    // past due and still nobody: give up, and put the stock back
    const Order& ord = ds.book.order(order_id(d, o));
    if (ctx.now() > ord.due) {
        ds.stock += static_cast<std::uint64_t>(ord.size);
        ds.book.fail(order_id(d, o), unserved_reason(ds.allocations[o]), ctx.now());
        return;
    }
    allocate(ctx, d, o);
}

void FleetModel::on_accept(Context& ctx, std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = world_.depots[d];
    AllocationState& auction = ds.allocations.at(a.order);
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
    DepotState& ds = world_.depots[d];
    AllocationState& auction = ds.allocations.at(a.order);
    if (!auction.awarding || a.round != auction.round) {
        return;  // a stale award
    }
    // rejected before it was ever assigned: still kCreated in the book, offer it again (at
    // once, or after the retry backoff when the vehicle found no route for it)
    ++ds.allocation.rejects;
    auction.awarding = false;
    if (a.reason == static_cast<std::uint8_t>(FailReason::kUnreachable)) {
        return hold_unreachable(ctx, d, a.order);
    }
    on_retry(ctx, d, a.order);
}

void FleetModel::fail_and_revoke(Context& ctx, std::uint32_t d, std::uint32_t o, FailReason why) {
    DepotState& ds = world_.depots[d];
    const OrderId id = order_id(d, o);
    const Order& ord = ds.book.order(id);
    if (ord.state == OrderState::kAssigned) {
        OrderMsg m = order_msg(d, o);
        send(ctx, vehicle_lp(ord.vehicle), Msg::kRevoke, Payload::of(m));
    }
    stop_waiting(d, o);
    ds.allocations[o].awarding = false;
    ds.book.fail(id, why, ctx.now());
}

void FleetModel::on_depot_down(Context& ctx, std::uint32_t d) {
    // orders not yet on a vehicle are lost with the depot (awards on their way are revoked
    // when accepted); vehicles already docked are not loaded any more
    DepotState& ds = world_.depots[d];
    for (std::uint32_t o = 0; o < ds.book.size(); ++o) {
        const OrderState st = ds.book.order(order_id(d, o)).state;
        if (st == OrderState::kCreated && !ds.allocations[o].awarding) {
            fail_and_revoke(ctx, d, o, FailReason::kDepotClosed);
        } else if (st == OrderState::kAssigned && !picked_up_elsewhere(d, o)) {
            // (one loaded at a pick-up location of its own needs no depot: it goes on)
            fail_and_revoke(ctx, d, o, FailReason::kDepotClosed);
        }
    }
}

void FleetModel::on_orphan(Context& ctx, std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = world_.depots[d];
    const OrderId id = order_id(d, a.order);
    const Order& ord = ds.book.order(id);
    if (ord.vehicle != a.vehicle) {
        return;
    }
    if (ord.state == OrderState::kAssigned) {
        // re-allocated among the vehicles still available (held first when the vehicle found
        // no route to the depot)
        ds.book.unassign(id, ctx.now());
        if (!depot_up(d)) {
            ds.book.fail(id, FailReason::kDepotClosed, ctx.now());
            return;
        }
        ds.allocations[a.order].awarding = false;
        if (a.reason == static_cast<std::uint8_t>(FailReason::kUnreachable)) {
            return hold_unreachable(ctx, d, a.order);
        }
        allocate(ctx, d, a.order);
    } else if (ord.state == OrderState::kPickedUp) {
        // loaded on the vehicle after it broke (the dock finished first): lost with it
        ds.book.fail(id, FailReason::kVehicleLost, ctx.now());
    }
}

void FleetModel::on_lost(Context& ctx, std::uint32_t d, const AnswerMsg& a) {
    DepotState& ds = world_.depots[d];
    const OrderId id = order_id(d, a.order);
    const Order& ord = ds.book.order(id);
    if (ord.vehicle != a.vehicle ||
        (ord.state != OrderState::kAssigned && ord.state != OrderState::kPickedUp)) {
        return;
    }
    ds.book.fail(id, static_cast<FailReason>(a.reason), ctx.now());
}

void FleetModel::on_dock_request(Context& ctx, std::uint32_t d, const DockMsg& m) {
    DepotState& ds = world_.depots[d];
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
    DepotState& ds = world_.depots[d];
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

void FleetModel::on_pick_up(Context& ctx, std::uint32_t d, const PickUpMsg& m) {
    // loaded at the pick-up location (open or closed depot alike): picked up when the
    // vehicle loaded it, unless the depot took the order back meanwhile (its revoke reaches
    // the vehicle before this answer)
    DepotState& ds = world_.depots[d];
    const OrderId id = order_id(d, m.order);
    const Order& ord = ds.book.order(id);
    DockMsg out;
    out.vehicle = m.vehicle;
    out.epoch = m.epoch;
    out.depot = d;
    if (ord.state == OrderState::kAssigned && ord.vehicle == m.vehicle) {
        ds.book.pick_up(id, std::max(m.at, ord.assigned_at));
        out.orders[out.count++] = m.order;
    }
    send(ctx, vehicle_lp(m.vehicle), Msg::kLoaded, Payload::of(out));
}

void FleetModel::on_delivered(std::uint32_t d, const DeliveredMsg& m) {
    // the hand-over time the vehicle reports, not the receipt time
    DepotState& ds = world_.depots[d];
    const OrderId id = order_id(d, m.order);
    if (ds.book.order(id).vehicle != m.vehicle) {
        throw FleetModelError("fleet: vehicle " + std::to_string(m.vehicle) + " delivered order " +
                              to_string(id) + " it was not assigned");
    }
    ds.book.deliver(id, m.at);
}

void FleetModel::on_charge_request(Context& ctx, std::uint32_t d, const ChargeMsg& m) {
    DepotState& ds = world_.depots[d];
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
    ChargeMsg job = world_.depots[d].charge_jobs.take(static_cast<std::uint32_t>(c.id));
    const double hours = job.kwh / spec_.depots[d].charge_power_kw;
    ctx.schedule_self(seconds_to_ticks(spec_.time, hours * 3600.0), type_of(Msg::kChargeDone),
                      Payload::of(job));
}

void FleetModel::on_charge_done(Context& ctx, std::uint32_t d, const ChargeMsg& m) {
    DepotState& ds = world_.depots[d];
    Customer done;
    done.arrived = ctx.now();
    if (const auto next = ds.chargers.complete(ctx.now(), done)) {
        begin_charge(ctx, d, *next);
    }
    VehicleMsg out;
    out.vehicle = m.vehicle;
    send(ctx, vehicle_lp(m.vehicle), Msg::kCharged, Payload::of(out));
}

}  // namespace swarm::agents
