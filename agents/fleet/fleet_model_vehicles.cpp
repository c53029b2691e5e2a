// FleetModel: the vehicle LPs (movement, plans, loading, delivery, charging, breakdowns).
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

namespace {

// an edge's time at a speed factor, as a believed view holds it (speed_news compares the two
// bit for bit, so both are made here)
float slowed_time(const world::RoadNetwork& net, EdgeId e, float factor) {
    return static_cast<float>(net.travel_time_s(e) / factor);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// vehicles

void FleetModel::set_state(Context& ctx, std::uint32_t v, VehicleState s) {
    const Tick now = ctx.now();
    const VehicleState from = world_.vehicles.hot[v].state;
    if (from == s) {
        return;
    }
    if (!transition_allowed(from, s)) {
        throw FleetModelError(std::string("fleet: vehicle ") + std::to_string(v) +
                              " cannot go from " + to_string(from) + " to " + to_string(s));
    }
    // the time spent in the state being left, into its KPI bucket
    time_bucket(world_.vehicles.hot[v].counters, from) += now - world_.vehicles.warm[v].state_since;
    tally(ctx, v).move(from, world_.vehicles.warm[v].state_since, s, now);
    world_.vehicles.hot[v].state = s;
    world_.vehicles.warm[v].state_since = now;
    world_.vehicles.touch(v);
}

VehicleView FleetModel::view(std::uint32_t v, Tick now) const {
    VehicleView me;
    me.vehicle = v;
    me.type = &type_of_vehicle(v);
    me.state = world_.vehicles.hot[v].state;
    const bool moving = world_.vehicles.hot[v].moving != 0;
    me.position = moving ? world_.vehicles.hot[v].leg_to : world_.vehicles.hot[v].node;
    me.position_time = moving ? world_.vehicles.hot[v].leg_end : now;
    me.home_node = depot_node_[world_.vehicles.warm[v].home];
    me.energy_kwh = world_.vehicles.hot[v].energy_kwh;
    me.plan = &world_.vehicles.plan[v];
    set_shift(me, spec_, v);
    return me;
}

void FleetModel::on_award(Context& ctx, std::uint32_t v, const OrderMsg& m, bool dispatched) {
    AnswerMsg a;
    a.order = m.order();
    a.vehicle = v;
    a.round = m.round;
    // still feasible? (other depots may have awarded orders since the bid) and can it get
    // there under what it knows of the roads? (the depot holds an order nobody can route; a
    // dispatcher's award is planned on the roads as they are, which the vehicle trusts)
    if (world_.vehicles.hot[v].state == VehicleState::kBroken ||
        world_.vehicles.warm[v].service_due != 0 ||
        !feasible(spec_, view(v, ctx.now()), m, ctx.now())) {
        world_.vehicles.pass(v);
        send(ctx, depot_lp(m.depot), Msg::kReject, Payload::of(a));
        return;
    }
    if (!dispatched && !can_reach(ctx.partition(), v, m)) {
        world_.vehicles.pass(v);
        a.reason = static_cast<std::uint8_t>(FailReason::kUnreachable);
        send(ctx, depot_lp(m.depot), Msg::kReject, Payload::of(a));
        return;
    }
    Plan& plan = world_.vehicles.plan[v];
    plan.entries[plan.size++] = PlanEntry::of(m);
    world_.vehicles.touch(v);
    send(ctx, depot_lp(m.depot), Msg::kAccept, Payload::of(a));
    const VehicleState s = world_.vehicles.hot[v].state;
    if (s == VehicleState::kIdle || s == VehicleState::kReturning) {
        next_activity(ctx, v);
    }
}

void FleetModel::next_activity(Context& ctx, std::uint32_t v) {
    const Plan& plan = world_.vehicles.plan[v];
    // loaded orders first, in plan order
    if (plan.loaded > 0) {
        return drive_to(ctx, v, customer_node(spec_, plan.entries[0]), VehicleState::kEnRoute);
    }
    if (plan.size > 0) {
        return drive_to(ctx, v, load_node(spec_, plan.entries[0]), VehicleState::kToPickup);
    }
    return drive_to(ctx, v, depot_node_[world_.vehicles.warm[v].home], VehicleState::kReturning);
}

void FleetModel::drive_to(Context& ctx, std::uint32_t v, NodeId target, VehicleState s) {
    world_.vehicles.hot[v].dest = target;
    if (world_.vehicles.hot[v].moving != 0) {
        // finish the current edge or leg first; on_arrive goes on towards the new target
        if (world_.vehicles.hot[v].state != s) {
            set_state(ctx, v, s);
        }
        return;
    }
    if (world_.vehicles.hot[v].node == target) {
        // already there: Returning to the home node means being home
        if (s == VehicleState::kReturning) {
            return arrived_home(ctx, v);
        }
        set_state(ctx, v, s);
        return arrived(ctx, v);
    }
    set_state(ctx, v, s);
    start_leg(ctx, v);
}

void FleetModel::start_leg(Context& ctx, std::uint32_t v) {
    const world::RoadNetwork& net = spec_.net();
    const VehicleType& type = type_of_vehicle(v);
    const NodeId from = world_.vehicles.hot[v].node;
    const NodeId target = world_.vehicles.hot[v].dest;
    double seconds = 0.0;
    if (type.kind == VehicleKind::kDrone) {
        // drones fly one straight leg, above any road closure
        world_.vehicles.hot[v].leg_to = target;
        seconds = distance(net.position(from), net.position(target)) / type.cruise_mps;
    } else {
        // ground: (re)plan when the target or the knowledge changed, then drive the next
        // edge; a closed edge found at its start is learnt (with the whole disruption behind
        // it) and planned around
        std::vector<EdgeId>& route = world_.vehicles.warm[v].route;
        for (int attempt = 0;; ++attempt) {
            if (world_.vehicles.warm[v].replan != 0 ||
                world_.vehicles.hot[v].route_dest != target ||
                world_.vehicles.hot[v].route_pos >= route.size() ||
                net.source(route[world_.vehicles.hot[v].route_pos]) != from) {
                see_roads_leaving(ctx.partition(), v, from);
                routing::RouteView believed = believed_view(ctx.partition(), v);
                if (learning_ && learning_->congestion() && learning_->spec().learns() &&
                    learning_->spec().route_on_predictions) {
                    // what it believes of the roads, times what it predicts of the traffic
                    believed.edge_class = learning_->edge_zones();
                    believed.class_factor = learning_->predicted_factors(v, ctx.now());
                }
                if (!spec_.speed_profile.empty()) {
                    // the fastest route leaving now, at this vehicle's speed
                    believed.profile = &spec_.speed_profile;
                    believed.depart_s = spec_.clock_s(spec_.time.to_seconds(ctx.now()));
                    believed.speed_factor = type.speed_factor;
                }
                routing::Route r = routers_[ctx.partition()]->fastest(from, target, believed);
                world_.vehicles.warm[v].replan = 0;
                if (!r.found || r.edges.empty()) {
                    std::vector<EdgeId>().swap(route);
                    world_.vehicles.hot[v].route_pos = 0;
                    world_.vehicles.hot[v].route_dest = world::kNoNode;
                    return unreachable(ctx, v);
                }
                route.swap(r.edges);
                world_.vehicles.hot[v].route_pos = 0;
                world_.vehicles.hot[v].route_dest = target;
            }
            const EdgeId next = route[world_.vehicles.hot[v].route_pos];
            if (!world_.roads.closed(next)) {
                break;
            }
            if (!world_.vehicles.known[v].merge(world_.roads.why_closed(next)) || attempt > 64) {
                throw FleetModelError("fleet: vehicle " + std::to_string(v) +
                                      " keeps routing over closed edge " + std::to_string(next));
            }
            world_.vehicles.warm[v].replan = 1;
        }
        const EdgeId e = route[world_.vehicles.hot[v].route_pos++];
        // driving into a slowdown (or its end) it did not know of teaches it, as a closed
        // edge does; the rest of the route is planned again at the next node
        if (world_.roads.has_slowdowns() &&
            world_.vehicles.known[v].merge(speed_news(believed_view(ctx.partition(), v), v, e))) {
            world_.vehicles.warm[v].replan = 1;
        }
        world_.vehicles.hot[v].leg_to = net.target(e);
        seconds = net.travel_time_s(e) / type.speed_factor / world_.roads.speed_factor(e);
        if (!spec_.speed_profile.empty()) {
            // at the speeds of the hours it is driven in
            seconds = spec_.speed_profile.traverse(
                net.road_class(e), spec_.clock_s(spec_.time.to_seconds(ctx.now())), seconds);
        }
        if (learning_) {
            // the hidden congestion: what the vehicle will find, and learn from
            seconds *= learning_->drive_edge(v, e, ctx.now(), ctx.rng());
        }
    }
    const Tick dt = seconds_to_ticks(spec_.time, seconds);
    world_.vehicles.hot[v].leg_start = ctx.now();
    world_.vehicles.hot[v].leg_end = ctx.now() + dt;
    world_.vehicles.hot[v].moving = 1;
    world_.vehicles.touch(v);
    ctx.schedule_self(dt, type_of(Msg::kArrive));
}

void FleetModel::see_roads_leaving(std::size_t partition, std::uint32_t v, NodeId node) {
    // the counterpart of finding a closed edge at its start: a road leaving the vehicle's node
    // that it believes closed but that is open again teaches it the reopening (otherwise
    // nobody would ever learn one: routes avoid what they believe closed); and the traffic on
    // the roads leaving it teaches a slowdown, or its end, that it did not know of
    const bool slowdowns = world_.roads.has_slowdowns();
    if (world_.vehicles.known[v].none() && !slowdowns) {
        return;
    }
    const routing::RouteView& believed = believed_view(partition, v);
    KnownRoadEvents seen;
    for (const EdgeId e : spec_.net().out_edges(node)) {
        if (believed.closed != nullptr && believed.closed->test(e) && !world_.roads.closed(e)) {
            seen.merge(world_.roads.why_open(e));
        }
        if (slowdowns) {
            seen.merge(speed_news(believed, v, e));
        }
    }
    world_.vehicles.known[v].merge(seen);
}

KnownRoadEvents FleetModel::speed_news(const routing::RouteView& believed, std::uint32_t v,
                                       EdgeId e) const {
    // the believed times are e's true time wherever the vehicle knows the last slowdown on e
    // (the same float, made by slowed_time as believed_entry makes it), so most edges need no
    // search of the events
    const float truth = world_.roads.speed_factor(e);
    const bool agree = believed.travel_time_s.empty()
                           ? truth == 1.0F
                           : believed.travel_time_s[e] == slowed_time(spec_.net(), e, truth);
    return agree ? KnownRoadEvents{} : world_.roads.speed_news(world_.vehicles.known[v], e);
}

const routing::RouteView& FleetModel::believed_view(std::size_t partition, std::uint32_t v) {
    return view_of(partition, world_.vehicles.known[v]);
}

const routing::RouteView& FleetModel::roads_now(std::size_t partition) {
    return view_of(partition, world_.roads.all_events());
}

const routing::RouteView& FleetModel::view_of(std::size_t partition, const KnownRoadEvents& known) {
    static const routing::RouteView kOpen{};
    const BelievedView* bv = believed_entry(partition, known);
    return bv == nullptr ? kOpen : bv->view;
}

FleetModel::BelievedView* FleetModel::believed_entry(std::size_t partition,
                                                     const KnownRoadEvents& known) {
    if (known.none()) {
        return nullptr;
    }
    auto& cache = views_[partition];
    for (const auto& bv : cache) {
        if (bv->known == known) {
            return bv.get();
        }
    }
    // the views depend on the known events only, so every partition builds the same one
    auto bv = std::make_unique<BelievedView>();
    bv->known = known;
    std::vector<float> factor;
    world_.roads.believed(known, bv->closed, factor);
    const world::RoadNetwork& net = spec_.net();
    if (!factor.empty()) {
        bv->times.resize(net.edge_count());
        for (EdgeId e = 0; e < net.edge_count(); ++e) {
            bv->times[e] = slowed_time(net, e, factor[e]);
        }
    }
    bv->view = routing::make_view(net, &bv->closed, bv->times);
    // numbered for RoutedLegs (the cloud keeps its legs from one solve to the next while the
    // view is the same): a freed view's address may be taken by the next one made
    bv->id = (std::uint64_t{partition} << 40) | ++views_made_[partition];
    bv->view.id = bv->id;
    cache.push_back(std::move(bv));
    return cache.back().get();
}

void FleetModel::unreachable(Context& ctx, std::uint32_t v) {
    Plan& plan = world_.vehicles.plan[v];
    const auto tell = [&](std::uint32_t i, Msg m) {
        AnswerMsg a;
        a.order = plan.entries[i].order;
        a.vehicle = v;
        a.reason = static_cast<std::uint8_t>(FailReason::kUnreachable);
        send(ctx, depot_lp(plan.entries[i].depot), m, Payload::of(a));
    };
    switch (world_.vehicles.hot[v].state) {
        case VehicleState::kEnRoute: {
            // the customer of the head order cannot be reached under what the vehicle knows:
            // past its due time it is reported lost as unreachable and the next one is driven
            if (ctx.now() > plan.entries[0].due) {
                tell(0, Msg::kLost);
                world_.vehicles.warm[v].load -= plan.entries[0].size;
                world_.vehicles.touch(v);
                --plan.loaded;
                drop_entry(v, 0);
                return next_activity(ctx, v);
            }
            // else it is held on board: another loaded order it can reach goes first, or the
            // vehicle waits here and tries again after the retry backoff (news may come from
            // peers or the cloud; a road it believes closed that has reopened here is seen
            // when it plans again)
            const NodeId at = world_.vehicles.hot[v].node;
            const routing::RouteView& believed = believed_view(ctx.partition(), v);
            for (std::uint32_t i = 1; i < plan.loaded; ++i) {
                const NodeId to = customer_node(spec_, plan.entries[i]);
                if (to == at ||
                    std::isfinite(routers_[ctx.partition()]->travel_time(at, to, believed))) {
                    std::rotate(plan.entries.begin(), plan.entries.begin() + i,
                                plan.entries.begin() + plan.loaded);
                    world_.vehicles.touch(v);
                    return next_activity(ctx, v);
                }
            }
            VehicleMsg timer;
            timer.vehicle = v;
            timer.count = epoch(v);
            ctx.schedule_self(backoff_, type_of(Msg::kRouteRetry), Payload::of(timer));
            return;
        }
        case VehicleState::kToPickup: {
            // the depot cannot be reached: its orders in the plan go back to it, which holds
            // them for a vehicle that can (or for news); a pick-up location: that order
            const std::uint32_t d = plan.entries[0].depot;
            const bool elsewhere = plan.entries[0].has_row();
            for (std::uint32_t i = plan.size; i-- > plan.loaded;) {
                if (plan.entries[i].depot == d && plan.entries[i].has_row() == elsewhere &&
                    (!elsewhere || i == 0)) {
                    tell(i, Msg::kOrphan);
                    drop_entry(v, i);
                }
            }
            return next_activity(ctx, v);
        }
        default:
            // home cannot be reached: park here until there is work. One due for service
            // takes no work: it tries again a learning round later (the roads may reopen)
            set_state(ctx, v, VehicleState::kIdle);
            if (world_.vehicles.warm[v].service_due != 0) {
                ctx.schedule_self(seconds_to_ticks(spec_.time, spec_.learning.round_s),
                                  type_of(Msg::kServiceDue));
            }
            return;
    }
}

void FleetModel::on_route_retry(Context& ctx, std::uint32_t v, const VehicleMsg& m) {
    // still waiting with the order it could not route to (not broken since, not moved on)
    if (m.count != epoch(v) || world_.vehicles.hot[v].state != VehicleState::kEnRoute ||
        world_.vehicles.hot[v].moving != 0 || world_.vehicles.plan[v].loaded == 0) {
        return;
    }
    next_activity(ctx, v);
}

bool FleetModel::can_reach(std::size_t partition, std::uint32_t v, const OrderMsg& m) {
    if (type_of_vehicle(v).kind == VehicleKind::kDrone || world_.vehicles.known[v].none()) {
        return true;
    }
    BelievedView& believed = *believed_entry(partition, world_.vehicles.known[v]);
    if (!believed.reach) {
        believed.reach =
            open_reach_ && believed.closed.count() == 0
                ? open_reach_
                : std::make_shared<const world::OpenReach>(spec_.net(), &believed.closed);
    }
    routing::Router& router = *routers_[partition];
    const NodeId depot = load_node(spec_, m);
    const NodeId at = world_.vehicles.hot[v].moving != 0 ? world_.vehicles.hot[v].leg_to
                                                         : world_.vehicles.hot[v].node;
    const auto reaches = [&](NodeId from, NodeId to) {
        return from == to || (believed.reach->may_reach(from, to) &&
                              std::isfinite(router.travel_time(from, to, believed.view)));
    };
    return reaches(at, depot) && reaches(depot, customer_node(spec_, m));
}

void FleetModel::drop_entry(std::uint32_t v, std::uint32_t i) {
    Plan& plan = world_.vehicles.plan[v];
    std::copy(plan.entries.begin() + i + 1, plan.entries.begin() + plan.size,
              plan.entries.begin() + i);
    --plan.size;
    world_.vehicles.touch(v);
}

void FleetModel::on_arrive(Context& ctx, std::uint32_t v) {
    const world::RoadNetwork& net = spec_.net();
    const VehicleType& type = type_of_vehicle(v);
    // energy and distance of the edge or leg just finished
    double metres = 0.0;
    EdgeId edge = world::kNoEdge;
    if (type.kind == VehicleKind::kDrone) {
        metres = distance(net.position(world_.vehicles.hot[v].node),
                          net.position(world_.vehicles.hot[v].leg_to));
    } else {
        std::vector<EdgeId>& route = world_.vehicles.warm[v].route;
        edge = route[world_.vehicles.hot[v].route_pos - 1];
        metres = net.length_m(edge);
        if (world_.vehicles.hot[v].route_pos == route.size()) {
            // driven to its end: dropped, so that only vehicles on their way hold edges (the
            // next leg plans anew, as it did past the end)
            std::vector<EdgeId>().swap(route);
            world_.vehicles.hot[v].route_pos = 0;
            world_.vehicles.hot[v].route_dest = world::kNoNode;
        }
    }
    if (!leg_log_.empty()) {
        leg_log_[v].push_back({world_.vehicles.hot[v].node, world_.vehicles.hot[v].leg_to, edge,
                               world_.vehicles.hot[v].leg_start, ctx.now(), metres});
    }
    const double kwh = metres / 1000.0 * type.kwh_per_km;
    FleetCounters& counters = world_.vehicles.hot[v].counters;
    const std::int64_t mm = counters.distance_mm;
    const std::int64_t uwh = counters.energy_uwh;
    counters.add_distance_m(metres);
    counters.add_energy_kwh(kwh);
    FleetTally& sums = tally(ctx, v);
    sums.closed.distance_mm += counters.distance_mm - mm;
    sums.closed.energy_uwh += counters.energy_uwh - uwh;
    sums.drive_time += ctx.now() - world_.vehicles.hot[v].leg_start;
    const double was = world_.vehicles.hot[v].energy_kwh;
    world_.vehicles.hot[v].energy_kwh -= kwh;
    sums.set_battery(was, world_.vehicles.hot[v].energy_kwh);
    world_.vehicles.hot[v].min_energy_kwh =
        std::min(world_.vehicles.hot[v].min_energy_kwh, world_.vehicles.hot[v].energy_kwh);
    if (world_.vehicles.hot[v].energy_kwh < 0.0) {
        ++world_.vehicles.warm[v].energy_violations;
    }
    world_.vehicles.hot[v].drive_time += ctx.now() - world_.vehicles.hot[v].leg_start;
    world_.vehicles.hot[v].node = world_.vehicles.hot[v].leg_to;
    world_.vehicles.hot[v].leg_start = ctx.now();
    world_.vehicles.hot[v].leg_end = ctx.now();
    world_.vehicles.hot[v].moving = 0;
    world_.vehicles.touch(v);
    if (world_.vehicles.hot[v].state == VehicleState::kBroken) {
        return;  // it broke on the way: it pulls over here
    }
    if (world_.vehicles.hot[v].state == VehicleState::kIdle) {
        return next_activity(ctx, v);  // repaired before the leg it broke on ended: home
    }
    if (world_.vehicles.hot[v].node != world_.vehicles.hot[v].dest) {
        return start_leg(ctx, v);
    }
    if (world_.vehicles.hot[v].state == VehicleState::kReturning) {
        return arrived_home(ctx, v);
    }
    arrived(ctx, v);
}

void FleetModel::arrived_home(Context& ctx, std::uint32_t v) {
    world_.vehicles.warm[v].returned_at = ctx.now();
    if (world_.vehicles.warm[v].service_due != 0) {
        return begin_service(ctx, v);
    }
    const VehicleType& type = type_of_vehicle(v);
    // charge when low, else wait for offers
    if (world_.vehicles.hot[v].energy_kwh < spec_.allocation.charge_threshold * type.battery_kwh) {
        set_state(ctx, v, VehicleState::kCharging);
        ChargeMsg m;
        m.vehicle = v;
        m.kwh = type.battery_kwh - world_.vehicles.hot[v].energy_kwh;
        send(ctx, depot_lp(world_.vehicles.warm[v].home), Msg::kChargeRequest, Payload::of(m));
        return;
    }
    set_state(ctx, v, VehicleState::kIdle);
}

void FleetModel::arrived(Context& ctx, std::uint32_t v) {
    Plan& plan = world_.vehicles.plan[v];
    switch (world_.vehicles.hot[v].state) {
        case VehicleState::kToPickup: {
            if (plan.entries[0].has_row()) {
                return begin_pick_up(ctx, v);
            }
            // ask for a dock: the orders of this depot at the head of the plan that fit (up
            // to one loaded at a pick-up location of its own)
            const std::uint32_t d = plan.entries[0].depot;
            DockMsg m;
            m.vehicle = v;
            m.epoch = epoch(v);
            m.depot = d;
            std::uint32_t units = world_.vehicles.warm[v].load;
            const std::uint32_t capacity = type_of_vehicle(v).capacity;
            for (std::uint32_t i = 0; i < plan.size; ++i) {
                const PlanEntry& e = plan.entries[i];
                if (e.depot != d || e.has_row() || units + e.size > capacity) {
                    break;
                }
                units += e.size;
                m.orders[m.count++] = e.order;
            }
            set_state(ctx, v, VehicleState::kLoading);
            send(ctx, depot_lp(d), Msg::kDockRequest, Payload::of(m));
            return;
        }
        case VehicleState::kEnRoute: {
            // hand over now, or wait until the customer is ready
            set_state(ctx, v, VehicleState::kDelivering);
            const Tick ready = plan.entries[0].ready;
            if (ctx.now() < ready) {
                schedule_handover(ctx, v, ready - ctx.now(), Msg::kReady);
            } else {
                schedule_handover(ctx, v, service_ticks(plan.entries[0].service_s),
                                  Msg::kServiceDone);
            }
            return;
        }
        default:
            throw FleetModelError(std::string("fleet: vehicle ") + std::to_string(v) +
                                  " arrived in state " + to_string(world_.vehicles.hot[v].state));
    }
}

void FleetModel::on_loaded(Context& ctx, std::uint32_t v, const DockMsg& m) {
    if (world_.vehicles.hot[v].state == VehicleState::kBroken || m.epoch != epoch(v)) {
        return;  // broke at the dock (and maybe repaired since): its orders were handed back
    }
    if (world_.vehicles.hot[v].state != VehicleState::kLoading) {
        throw FleetModelError("fleet: vehicle " + std::to_string(v) + " loaded while " +
                              to_string(world_.vehicles.hot[v].state));
    }
    // the loaded orders move up to the loaded part of the plan, in plan order
    Plan& plan = world_.vehicles.plan[v];
    for (std::uint32_t k = 0; k < m.count; ++k) {
        for (std::uint32_t i = plan.loaded; i < plan.size; ++i) {
            if (plan.entries[i].depot == m.depot && plan.entries[i].order == m.orders[k]) {
                std::rotate(plan.entries.begin() + plan.loaded, plan.entries.begin() + i,
                            plan.entries.begin() + i + 1);
                world_.vehicles.warm[v].load += plan.entries[plan.loaded].size;
                world_.vehicles.touch(v);
                ++plan.loaded;
                break;
            }
        }
    }
    world_.vehicles.warm[v].max_load =
        std::max(world_.vehicles.warm[v].max_load, world_.vehicles.warm[v].load);
    next_activity(ctx, v);
}

void FleetModel::begin_pick_up(Context& ctx, std::uint32_t v) {
    const PlanEntry& e = world_.vehicles.plan[v].entries[0];
    const ReplayOrder& row = spec_.replay.orders[e.customer];  // (e.has_row())
    set_state(ctx, v, VehicleState::kLoading);
    PickUpMsg timer;
    timer.order = e.order;
    timer.vehicle = v;
    timer.depot = e.depot;
    timer.epoch = epoch(v);
    // wait for the pick-up window's opening, then load
    const Tick opens = spec_.time.from_seconds(row.pickup_earliest_s);
    const Tick wait = std::max<Tick>(0, opens - ctx.now());
    ctx.schedule_self(wait + seconds_to_ticks(spec_.time, row.pickup_service_s),
                      type_of(Msg::kPickUpDone), Payload::of(timer));
}

void FleetModel::on_pick_up_done(Context& ctx, std::uint32_t v, const PickUpMsg& m) {
    const Plan& plan = world_.vehicles.plan[v];
    if (world_.vehicles.hot[v].state == VehicleState::kBroken || m.epoch != epoch(v)) {
        return;  // broke while loading: its orders were handed back
    }
    if (world_.vehicles.hot[v].state != VehicleState::kLoading) {
        return;  // the order was revoked meanwhile and the vehicle moved on
    }
    if (plan.loaded != 0 || plan.size == 0 || plan.entries[0].depot != m.depot ||
        plan.entries[0].order != m.order) {
        return next_activity(ctx, v);  // revoked while loading: on with the plan
    }
    // on board now; the depot confirms (or takes it back) with a Loaded
    PickUpMsg out = m;
    out.at = ctx.now();
    send(ctx, depot_lp(m.depot), Msg::kPickUp, Payload::of(out));
}

void FleetModel::schedule_handover(Context& ctx, std::uint32_t v, Tick delay, Msg m) {
    VehicleMsg timer;
    timer.vehicle = v;
    timer.count = epoch(v);
    ctx.schedule_self(delay, type_of(m), Payload::of(timer));
}

void FleetModel::on_ready(Context& ctx, std::uint32_t v, const VehicleMsg& m) {
    if (world_.vehicles.hot[v].state != VehicleState::kBroken && m.count == epoch(v)) {
        // the head of the plan is the order being handed over
        const std::uint16_t service_s = world_.vehicles.plan[v].entries[0].service_s;
        schedule_handover(ctx, v, service_ticks(service_s), Msg::kServiceDone);
    }
}

void FleetModel::on_service_done(Context& ctx, std::uint32_t v, const VehicleMsg& timer) {
    Plan& plan = world_.vehicles.plan[v];
    if (world_.vehicles.hot[v].state == VehicleState::kBroken || timer.count != epoch(v)) {
        return;  // broke during the hand-over (maybe repaired since): the order was reported lost
    }
    if (world_.vehicles.hot[v].state != VehicleState::kDelivering || plan.loaded == 0) {
        throw FleetModelError("fleet: vehicle " + std::to_string(v) +
                              " finished a delivery it was not making");
    }
    // hand over the head of the plan and drop it
    const PlanEntry e = plan.entries[0];
    std::copy(plan.entries.begin() + 1, plan.entries.begin() + plan.size, plan.entries.begin());
    --plan.size;
    --plan.loaded;
    world_.vehicles.warm[v].load -= e.size;
    world_.vehicles.touch(v);
    ++world_.vehicles.hot[v].counters.deliveries;
    FleetTally& sums = tally(ctx, v);
    ++sums.closed.deliveries;
    sums.used += world_.vehicles.hot[v].counters.deliveries == 1 ? 1 : 0;
    DeliveredMsg m;
    m.order = e.order;
    m.vehicle = v;
    m.at = ctx.now();
    send(ctx, depot_lp(e.depot), Msg::kDelivered, Payload::of(m));
    next_activity(ctx, v);
}

void FleetModel::on_charged(Context& ctx, std::uint32_t v) {
    tally(ctx, v).set_battery(world_.vehicles.hot[v].energy_kwh, type_of_vehicle(v).battery_kwh);
    world_.vehicles.hot[v].energy_kwh = type_of_vehicle(v).battery_kwh;
    world_.vehicles.touch(v);
    // a vehicle that broke down on the charger (and maybe was repaired since) is just full
    if (world_.vehicles.hot[v].state == VehicleState::kCharging) {
        if (world_.vehicles.warm[v].service_due != 0) {
            return begin_service(ctx, v);
        }
        set_state(ctx, v, VehicleState::kIdle);
    }
}

// ---------------------------------------------------------------------------------------
// predictive maintenance

void FleetModel::on_break(Context& ctx, std::uint32_t v) {
    if (world_.vehicles.hot[v].state == VehicleState::kBroken) {
        return;
    }
    set_state(ctx, v, VehicleState::kBroken);
    // its orders go back: not yet loaded ones are re-allocated, loaded ones are lost with it
    Plan& plan = world_.vehicles.plan[v];
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
    world_.vehicles.warm[v].load = 0;
    world_.vehicles.touch(v);
    ++world_.vehicles.hot[v].counters.breakdowns;
    ++tally(ctx, v).closed.breakdowns;
}

void FleetModel::on_repair(Context& ctx, std::uint32_t v) {
    if (world_.vehicles.hot[v].state != VehicleState::kBroken) {
        return;
    }
    set_state(ctx, v, VehicleState::kIdle);
    if (world_.vehicles.hot[v].moving == 0) {
        next_activity(ctx, v);  // home, or wait there
    }
}

void FleetModel::on_rehome(Context& ctx, std::uint32_t v) {
    const VehicleState s = world_.vehicles.hot[v].state;
    if ((s == VehicleState::kIdle || s == VehicleState::kReturning) &&
        world_.vehicles.plan[v].size == 0 &&
        world_.vehicles.hot[v].node != depot_node_[world_.vehicles.warm[v].home]) {
        drive_to(ctx, v, depot_node_[world_.vehicles.warm[v].home], VehicleState::kReturning);
    }
}

void FleetModel::on_revoke(Context& ctx, std::uint32_t v, const OrderMsg& m) {
    Plan& plan = world_.vehicles.plan[v];
    for (std::uint32_t i = plan.loaded; i < plan.size; ++i) {
        if (plan.entries[i].depot == m.depot && plan.entries[i].order == m.order()) {
            drop_entry(v, i);
            break;
        }
    }
    // heading for that depot with nothing left to fetch there: re-plan the trip (one loading
    // at a pick-up location finds out when the loading is over)
    if (world_.vehicles.hot[v].state == VehicleState::kToPickup) {
        next_activity(ctx, v);
    }
}

}  // namespace swarm::agents
