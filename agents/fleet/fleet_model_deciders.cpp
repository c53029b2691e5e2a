// FleetModel: the central deciders of allocation: the cloud dispatcher and CBBA consensus
// at barriers.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "agents/coordination/cbba.hpp"
#include "agents/coordination/score.hpp"
#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_model_internal.hpp"

namespace swarm::agents {

using namespace fleet_detail;
using sim::Context;
using sim::Customer;
using sim::Payload;
using sim::Tick;
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

}  // namespace swarm::agents
