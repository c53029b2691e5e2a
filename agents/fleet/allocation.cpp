#include "agents/fleet/allocation.hpp"

#include <algorithm>
#include <cmath>

namespace swarm::agents {

namespace {

double distance(Point a, Point b) {
    return std::hypot(a.x - b.x, a.y - b.y);
}

}  // namespace

void set_shift(VehicleView& me, const FleetSpec& spec, std::uint32_t v) {
    if (v >= spec.shifts.size()) {
        return;
    }
    const VehicleShift& s = spec.shifts[v];
    me.shift_start = spec.time.from_seconds(s.start_s);
    me.shift_end =
        s.end_s == VehicleShift::kNoEnd ? sim::kTickNever : spec.time.from_seconds(s.end_s);
}

std::size_t nearest_candidates(const FleetSpec& spec, const FleetBoard& board, std::uint32_t depot,
                               const OrderMsg& order, std::span<std::uint32_t> out) {
    const std::uint32_t max_plan = spec.allocation.max_plan;
    const std::size_t k = std::min<std::size_t>(out.size(), spec.allocation.max_offers);
    // around where the order is loaded: its depot, or its pick-up location
    const Point here =
        spec.net().position(order.has_row() ? load_node(spec, order) : spec.depots[depot].node);
    const double radius = spec.allocation.offer_radius_m;
    // vehicles that could still take an order when the offer arrives, and can carry it
    auto usable = [&spec, max_plan, &order](std::uint32_t /*v*/, const FleetBoard::Entry& e) {
        return !off_duty(e.state) && e.plan_size < max_plan &&
               spec.types[e.type].capacity >= order.size;
    };
    // vehicles at one spot (at the depot) tie: those already holding orders first (one
    // more order joins their trip and often their dock visit), then those idle there as a
    // taxi rank: the one that has waited longest first (FleetBoard), so that no idle
    // vehicle is always passed over
    std::size_t n = board.nearest_ranked(here, radius, usable, out.first(k));
    // every vehicle type that can carry the order gets an offer: its nearest usable
    // vehicle when none of the K is of that type (a drone ranks behind every van at
    // the depot, yet flies faster)
    for (std::uint16_t type = 0; type < spec.types.size() && n < out.size(); ++type) {
        if (spec.types[type].capacity < order.size) {
            continue;
        }
        bool present = false;
        for (std::size_t i = 0; i < n && !present; ++i) {
            present = board.entry(out[i]).type == type;
        }
        if (present) {
            continue;
        }
        auto of_type = [&usable, type](std::uint32_t v, const FleetBoard::Entry& e) {
            return e.type == type && usable(v, e);
        };
        n += board.nearest_ranked(here, radius, of_type, out.subspan(n, 1), type);
    }
    return n;
}

std::optional<double> insertion_bid(const FleetSpec& spec, const VehicleView& me,
                                    const OrderMsg& order, sim::Tick now) {
    PlanEstimate est;
    if (!feasible(spec, me, order, now, &est)) {
        return std::nullopt;
    }
    return spec.time.to_seconds(est.finish - now);
}

PlanEstimate estimate_plan(const FleetSpec& spec, const VehicleView& me, const OrderMsg* extra,
                           sim::Tick now, std::span<sim::Tick> handed_over, bool joint_loading,
                           std::span<const double> dock_wait_s, LegModel* legs) {
    const world::RoadNetwork& net = spec.net();
    const VehicleType& type = *me.type;
    const bool drone = type.kind == VehicleKind::kDrone;
    // straight line times road detour over the fastest road speed (ground), or the cruise
    // speed (drones fly straight)
    const double detour = drone ? 1.0 : spec.allocation.detour_factor;
    const double speed = drone ? type.cruise_mps : net.max_speed_mps() * type.speed_factor;
    double t = spec.time.to_seconds(std::max(now, me.position_time));
    double metres = 0.0;
    bool reachable = true;
    NodeId at_node = me.position;
    Point at = net.position(me.position);
    // time of day: ground legs at the speeds of the hours they are driven in
    const routing::SpeedProfile* hours =
        drone || spec.speed_profile.empty() ? nullptr : &spec.speed_profile;
    auto go = [&](NodeId node) {
        const Point p = net.position(node);
        if (legs != nullptr && !drone) {
            const Leg l = legs->leg(at_node, node, spec.clock_s(t), type.speed_factor);
            if (std::isfinite(l.seconds)) {
                metres += l.metres;
                t += l.seconds;
                at_node = node;
                at = p;
                return;
            }
            reachable = false;
        }
        const double d = distance(at, p) * detour;
        metres += d;
        t += hours == nullptr ? d / speed : hours->mean_traverse(spec.clock_s(t), d / speed);
        at_node = node;
        at = p;
    };
    // each order's own hand-over time: a longer one delays the stops after it
    auto deliver = [&](NodeId customer, sim::Tick ready, std::uint16_t service_s) {
        go(customer);
        t = std::max(t, spec.time.to_seconds(ready)) + service_seconds(spec, service_s);
    };
    if (me.state == VehicleState::kLoading && !me.plan->entries[0].has_row()) {
        t += spec.depots[me.plan->entries[0].depot].dock_service.mean_s;
    }
    // the plan: unloaded orders each need a depot visit first (or join the visit of the
    // order before them: joint_loading)
    NodeId end = me.position;
    bool visit_open = false;
    std::uint32_t visit_depot = 0;
    std::uint32_t visit_units = 0;
    auto pick_up = [&](const auto& order) {
        const std::uint32_t depot = order.depot;
        const std::uint32_t size = order.size;
        if (const ReplayOrder* row = pickup_row(spec, order)) {
            go(row->pickup);
            t = std::max(t, row->pickup_earliest_s) + row->pickup_service_s;
            visit_open = false;
            return;
        }
        if (joint_loading && visit_open && depot == visit_depot &&
            visit_units + size <= type.capacity) {
            visit_units += size;
            return;
        }
        go(spec.depots[depot].node);
        t += spec.depots[depot].dock_service.mean_s;
        if (!dock_wait_s.empty()) {
            t += dock_wait_s[depot];
        }
        visit_open = true;
        visit_depot = depot;
        visit_units = size;
    };
    for (std::uint32_t i = 0; i < me.plan->size; ++i) {
        const PlanEntry& e = me.plan->entries[i];
        if (i >= me.plan->loaded) {
            pick_up(e);
        }
        end = customer_node(spec, e);
        deliver(end, e.ready, e.service_s);
        if (i < handed_over.size()) {
            handed_over[i] = spec.time.from_seconds(t);
        }
    }
    if (extra != nullptr) {
        pick_up(*extra);
        end = customer_node(spec, *extra);
        deliver(end, extra->ready, extra->service_s);
    }
    PlanEstimate est;
    est.finish = spec.time.from_seconds(t);
    est.end = end;
    // and home again
    go(me.home_node);
    est.home = spec.time.from_seconds(t);
    est.kwh = metres / 1000.0 * type.kwh_per_km;
    est.metres = metres;
    est.reachable = reachable;
    return est;
}

bool feasible(const FleetSpec& spec, const VehicleView& me, const OrderMsg& order, sim::Tick now,
              PlanEstimate* estimate, std::span<sim::Tick> handed_over) {
    const VehicleType& type = *me.type;
    if (off_duty(me.state) || now < me.shift_start) {
        return false;
    }
    if (me.plan->size >= spec.allocation.max_plan || order.size > type.capacity) {
        return false;
    }
    const PlanEstimate est = estimate_plan(spec, me, &order, now, handed_over);
    // never plan into the reserve: ground vehicles must not run dry, drones must get home
    if (est.kwh > me.energy_kwh - spec.allocation.energy_reserve * type.battery_kwh) {
        return false;
    }
    if (me.shift_end != sim::kTickNever && est.home > me.shift_end) {
        return false;
    }
    if (estimate != nullptr) {
        *estimate = est;
    }
    return true;
}

}  // namespace swarm::agents
