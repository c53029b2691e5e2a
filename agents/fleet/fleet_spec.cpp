#include "agents/fleet/fleet_spec.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "agents/fleet/messages.hpp"
#include "agents/fleet/model_exchanges.hpp"
#include "agents/fleet/protocol.hpp"

namespace swarm::agents {

namespace {

void require(bool ok, const std::string& message) {
    if (!ok) {
        throw std::invalid_argument("fleet spec: " + message);
    }
}

}  // namespace

std::uint32_t FleetSpec::vehicle_count() const {
    std::uint64_t n = 0;
    for (const FleetGroup& g : fleets) {
        n += g.count;
    }
    return static_cast<std::uint32_t>(n);
}

sim::Tick FleetSpec::bid_window() const {
    return allocation.bid_window_s > 0.0 ? time.from_seconds(allocation.bid_window_s)
                                         : 3 * lookahead();
}

sim::Tick FleetSpec::bid_round_trip() const {
    const comms::LinkModel link(comms, time);
    const auto hop = [&](std::uint32_t bytes) {
        return std::max(link.delay(comms::Link::kRadio, bytes), lookahead());
    };
    // the auction's offer carries the order, its bid an answer
    return hop(sizeof(OrderMsg)) + hop(sizeof(AnswerMsg));
}

sim::Tick FleetSpec::one_order_solve() const {
    const std::uint32_t n = vehicle_count();
    const std::uint32_t candidates = cloud.candidates == 0 ? n : std::min(cloud.candidates, n);
    return std::max<sim::Tick>(
        1, time.from_seconds(cloud.solve_base_s + cloud.solve_per_order_s +
                             cloud.solve_per_eval_s * 3.0 * static_cast<double>(candidates)));
}

sim::Tick FleetSpec::award_round_trip(sim::Tick solve) const {
    const comms::LinkModel link(comms, time);
    const auto hop = [&](Msg m, comms::Link l) {
        return std::max(link.delay(l, payload_bytes(m)), lookahead());
    };
    // the request to the cloud dispatcher carries the order, like the award
    return hop(Msg::kAward, comms::Link::kCloud) + solve + hop(Msg::kAward, comms::Link::kCloud) +
           hop(Msg::kAccept, comms::Link::kRadio);
}

void FleetSpec::validate() const {
    require(network != nullptr && network->node_count() > 0, "needs a non-empty road network");
    require(lookahead() > 0, "lookahead must be at least one tick");
    require(bid_window() > 2 * lookahead(),
            "the bid window must exceed two lookaheads (offer and bid each take one)");
    require(!depots.empty(), "needs at least one depot");
    for (std::size_t i = 0; i < depots.size(); ++i) {
        const DepotSpec& d = depots[i];
        const std::string at = "depot " + std::to_string(i) + ": ";
        require(d.node < network->node_count(), at + "node out of range");
        require(d.docks >= 1 && d.charging_points >= 1, at + "needs docks and charging points");
        require(d.dock_service.mean_s >= 0.0, at + "dock service time must be >= 0");
        require(d.charge_power_kw > 0.0, at + "charge power must be > 0");
        require(d.demand_per_hour >= 0.0, at + "demand must be >= 0");
    }
    for (std::size_t i = 0; i < types.size(); ++i) {
        const VehicleType& t = types[i];
        const std::string at = "vehicle type " + std::to_string(i) + ": ";
        require(t.speed_factor > 0.0 && t.cruise_mps > 0.0, at + "speeds must be > 0");
        require(t.capacity >= 1, at + "capacity must be >= 1");
        require(t.kwh_per_km >= 0.0 && t.battery_kwh > 0.0, at + "bad energy figures");
    }
    for (std::size_t i = 0; i < fleets.size(); ++i) {
        const FleetGroup& g = fleets[i];
        const std::string at = "fleet " + std::to_string(i) + ": ";
        require(g.type < types.size(), at + "unknown vehicle type");
        require(g.home < depots.size(), at + "unknown home depot");
    }
    require(static_cast<std::uint64_t>(vehicle_count()) + depots.size() < 0xFFFFFFF0ull,
            "too many LPs");
    // order messages carry the depot in 16 bits
    require(depots.size() <= OrderMsg::kMaxDepots,
            "at most " + std::to_string(OrderMsg::kMaxDepots) + " depots");
    if (!replay.empty()) {
        // a forwarded order's message carries its row in the order index's 24 bits
        require(replay.orders.size() < OrderMsg::kMaxOrderIndex, "replay: too many orders");
        require(replay.first.size() == depots.size() + 1 && replay.first.front() == 0 &&
                    replay.first.back() == replay.orders.size() &&
                    std::is_sorted(replay.first.begin(), replay.first.end()),
                "replay: orders not grouped by depot");
        for (std::uint32_t d = 0; d < depots.size(); ++d) {
            for (std::uint32_t i = replay.first[d]; i < replay.first[d + 1]; ++i) {
                const ReplayOrder& o = replay.orders[i];
                const std::string at = "replay order " + std::to_string(i) + ": ";
                require(o.depot == d, at + "in another depot's group");
                require(o.customer < network->node_count(), at + "customer is not a node");
                require(o.size >= 1 && o.size <= 0xFFFF, at + "size in [1, 65535]");
                require(o.service_s <= kMaxServiceS || o.service_s == kDemandService,
                        at + "hand-over time in [0, 65534] s");
                require(o.priority <= kMaxPriority, at + "priority in [0, 100]");
                require(!o.has_pickup() || o.pickup < network->node_count(),
                        at + "pick-up location is not a node");
                require(!o.has_pickup() || (std::isfinite(o.pickup_earliest_s) &&
                                            o.pickup_earliest_s <= o.pickup_latest_s),
                        at + "pick-up window: finite opening, earliest <= latest");
                require(std::isfinite(o.release_s) && o.release_s >= 0.0 &&
                            o.earliest_s <= o.latest_s && std::isfinite(o.latest_s),
                        at + "times must be finite, release >= 0, earliest <= latest");
                require(i == replay.first[d] || replay.orders[i - 1].release_s <= o.release_s,
                        at + "not sorted by release time");
            }
        }
    }
    require(shifts.empty() || shifts.size() == vehicle_count(), "shifts: one per vehicle or none");
    for (const VehicleShift& s : shifts) {
        require(s.start_s >= 0.0 && s.start_s < s.end_s, "shifts: 0 <= start < end");
    }
    require(demand.max_size >= 1 && demand.due_s > 0.0 && demand.zone_radius_m > 0.0 &&
                demand.customer_service_s >= 0.0,
            "bad demand parameters");
    // offers and awards carry an order's size in 16 bits
    require(demand.max_size <= 0xFFFF, "demand max_size in [1, 65535]");
    require(time.from_seconds(demand.kpi_interval_s) > 0, "KPI interval must be > 0");
    require(allocation.max_offers >= 1 && allocation.max_offers <= 64, "max_offers in [1, 64]");
    require(allocation.max_plan >= 1 && allocation.max_plan <= kMaxPlan,
            "max_plan in [1, " + std::to_string(kMaxPlan) + "]");
    require(allocation.offer_radius_m > 0.0 && allocation.retry_backoff_s > 0.0 &&
                allocation.board_interval_s > 0.0 && allocation.board_cell_m > 0.0,
            "allocation radii and intervals must be > 0");
    require(allocation.detour_factor >= 1.0, "detour factor must be >= 1");
    require(allocation.energy_reserve >= 0.0 && allocation.energy_reserve < 1.0,
            "energy reserve in [0, 1)");
    try {
        comms.validate(time);
    } catch (const std::invalid_argument& e) {
        require(false, e.what());
    }
    require(gossip_fanout >= 1 && gossip_fanout <= 64, "gossip fanout in [1, 64]");
    require(cloud.solve_base_s >= 0.0 && cloud.solve_per_order_s >= 0.0 &&
                cloud.solve_per_eval_s >= 0.0 && cloud.timeout_s > 0.0,
            "cloud solve times >= 0 and timeout > 0");
    // settings under which the protocol could never allocate an order
    std::unique_ptr<AllocationProtocol> protocol;
    try {
        protocol = make_protocol(allocation.policy);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("fleet spec: ") + e.what());
    }
    for (const SpecProblem& p : protocol->check(SpecCheck{*this})) {
        require(p.warning, p.message);
    }
    {
        const FleetLearningSpec& l = learning;
        require(l.initial_wear_max >= 0.0 && l.initial_wear_max <= 1.0,
                "learning: initial_wear_max in [0, 1]");
        require(l.repair_s > 0.0 && l.service_s > 0.0 && l.round_s > 0.0 && l.horizon_s > 0.0,
                "learning: repair_s, service_s, round_s and horizon_s must be > 0");
        require(l.horizon_s >= l.round_s, "learning: horizon_s must be at least one round");
        require(l.steps_per_round <= 1000 && l.batch >= 1 && l.batch <= 4096,
                "learning: steps_per_round <= 1000 and batch in [1, 4096]");
        require(l.learning_rate > 0.0 && l.learning_rate <= 10.0,
                "learning: learning_rate in (0, 10]");
        require(l.memory >= l.batch && l.memory <= 1'000'000, "learning: memory in [batch, 1e6]");
        require(l.risk_threshold > 0.0 && l.risk_threshold < 1.0,
                "learning: risk_threshold in (0, 1)");
        require(l.eval_samples >= 1 && l.eval_samples <= 100'000,
                "learning: eval_samples in [1, 100000]");
        require(l.eval_every >= 1 && l.eval_every <= 1'000'000,
                "learning: eval_every in [1, 1000000]");
        require(l.congestion_field.zones >= 1 && l.congestion_field.zones <= 16,
                "learning: congestion zones per side in [1, 16]");
        try {
            if (l.congestion) {
                learning::CongestionField(
                    [&] {
                        learning::CongestionSpec c = l.congestion_field;
                        c.area_m = c.area_m > 0.0 ? c.area_m : 1.0;
                        return c;
                    }(),
                    0);
            }
            if (l.wear) {
                learning::DegradationModel{l.degradation};
            }
            l.exchange.validate();
        } catch (const std::invalid_argument& e) {
            require(false, std::string("learning: ") + e.what());
        }
        require(static_cast<std::size_t>(l.mode) < model_exchanges().size(),
                "learning: mode is not a registered exchange");
        require(l.exchange.aggregator.kind == learning::AggregatorKind::kMean ||
                    !model_exchange(l.mode).shares || model_exchange(l.mode).server,
                std::string("learning: a robust aggregator needs a mode with a server (fedavg), "
                            "not ") +
                    to_string(l.mode));
    }
    require(cost.per_breakdown >= 0.0 && cost.per_service >= 0.0, "cost: penalties must be >= 0");
    require(resilience.failure_threshold <= resilience.recovery_threshold,
            "failure threshold must not exceed the recovery threshold");
    for (std::size_t i = 0; i < disruptions.size(); ++i) {
        const DisruptionSpec& d = disruptions[i];
        const std::string at = "disruption " + std::to_string(i) + ": ";
        const DisruptionAction& a = d.action;
        require(d.probability >= 0.0 && d.probability <= 1.0, at + "probability in [0, 1]");
        require(d.at_s >= 0.0 && d.duration_s >= 0.0, at + "times must be >= 0");
        require(d.window_end_s < 0.0 || d.window_end_s > d.at_s, at + "window must end after at");
        for (const EdgeId e : a.edges) {
            require(e < network->edge_count(), at + "edge out of range");
        }
        for (const std::uint32_t v : a.vehicles) {
            require(v < vehicle_count(), at + "vehicle out of range");
        }
        require(static_cast<std::size_t>(a.kind) < kDisruptionKindCount, at + "unknown kind");
        if (info(a.kind).target == DisruptionTarget::kDepot) {
            require(a.depot < depots.size(), at + "depot out of range");
        }
        require(a.speed_factor > 0.0 && a.speed_factor <= 1.0, at + "speed factor in (0, 1]");
        require(a.fraction >= 0.0 && a.fraction <= 1.0, at + "fraction in [0, 1]");
        require(a.loss >= 0.0 && a.loss <= 1.0, at + "loss in [0, 1]");
        require(a.multiplier > 0.0, at + "multiplier must be > 0");
        require(d.mtbf_s == 0.0 ||
                    (d.mtbf_s > 0.0 && d.mttr_s > 0.0 && a.kind == DisruptionKind::kBreakVehicles),
                at + "a failure process needs break_vehicles, mtbf > 0 and mttr > 0");
        if (!d.after.empty()) {
            bool found = false;
            for (std::size_t j = 0; j < i; ++j) {
                found = found || disruptions[j].id == d.after;
            }
            require(found, at + "'after' must name an earlier disruption");
        }
    }
}

NodeId nearest_node(const world::RoadNetwork& network, Point p) {
    NodeId best = world::kNoNode;
    double best_d2 = std::numeric_limits<double>::infinity();
    const auto positions = network.positions();
    for (std::size_t i = 0; i < positions.size(); ++i) {
        const double dx = positions[i].x - p.x;
        const double dy = positions[i].y - p.y;
        const double d2 = dx * dx + dy * dy;
        if (d2 < best_d2) {
            best_d2 = d2;
            best = static_cast<NodeId>(i);
        }
    }
    return best;
}

std::vector<DepotSpec> depots_on_lattice(const world::RoadNetwork& network, std::uint32_t rows,
                                         std::uint32_t cols, const DepotSpec& prototype) {
    std::vector<DepotSpec> out;
    const world::BoundingBox b = network.bounds();
    for (std::uint32_t r = 0; r < rows; ++r) {
        for (std::uint32_t c = 0; c < cols; ++c) {
            // cell centres of a rows x cols split of the bounding box
            const Point p{b.min.x + (b.max.x - b.min.x) * (c + 0.5) / cols,
                          b.min.y + (b.max.y - b.min.y) * (r + 0.5) / rows};
            DepotSpec d = prototype;
            d.node = nearest_node(network, p);
            out.push_back(d);
        }
    }
    return out;
}

}  // namespace swarm::agents
