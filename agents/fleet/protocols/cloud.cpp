// "cloud": a central dispatcher on its own LP, reached over the cloud link. Depots send each
// order to it; it solves in batches (its solve takes cloud.solve_base_s plus
// cloud.solve_per_order_s per open order) and awards each order to the candidate its
// telemetry says is free soonest near the depot. Vehicles report at every board rebuild
// over the cloud link (a lost report leaves the cloud with the previous one). A depot that
// hears nothing within cloud.timeout_s asks again; an award that comes later is revoked.
#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "agents/fleet/protocol.hpp"

namespace swarm::agents {

namespace {

enum Local : std::uint16_t {
    kRequest,  // depot -> cloud: allocate this order (OrderMsg)
    kSolve,    // cloud, self: the dispatcher's solve finishes
    kTimeout,  // depot, self: no award came back in time (AnswerMsg: order, round)
};

inline constexpr std::uint32_t kNone = 0xFFFFFFFFu;
// barrier-time draws of the telemetry, per board rebuild (beyond any LP id)
inline constexpr std::uint32_t kTelemetryStream = 0xFFFFFF10u;
// bytes of one vehicle's telemetry: position, state, plan size, when and where its plan ends
inline constexpr std::uint32_t kTelemetryBytes = 32;

class CloudProtocol final : public AllocationProtocol {
  public:
    [[nodiscard]] std::string_view name() const override { return "cloud"; }
    [[nodiscard]] Needs needs() const override {
        Needs n;
        n.dispatcher = true;
        n.plan_estimates = true;
        return n;
    }

    [[nodiscard]] std::vector<SpecProblem> check(const SpecCheck& c) const override {
        const FleetSpec& spec = c.spec;
        std::vector<SpecProblem> out;
        // the depot asks again after the timeout and revokes the award that comes back late
        const sim::Tick timeout = spec.time.from_seconds(spec.cloud.timeout_s);
        const sim::Tick award_trip = spec.award_round_trip();
        const sim::Tick solved_trip = spec.award_round_trip(spec.one_order_solve());
        if (timeout < award_trip) {
            out.push_back(
                {"a request to the cloud, the award and the winner's accept take at least " +
                     check_seconds(spec, award_trip) +
                     ", but the depot asks again after cloud.timeout_s = " +
                     check_seconds(spec, timeout) +
                     " and revokes the award that comes later: no order would ever be "
                     "allocated; set cloud.timeout_s to at least " +
                     check_seconds(spec, solved_trip) + " (with the solve of one order)",
                 {"cloud.timeout_s", "comms.cloud_rtt_s", "comms.cloud_bandwidth_bps",
                  "comms.radio_latency_s"}});
        } else if (timeout < solved_trip) {
            // only orders that catch a solve already under way are awarded in time
            out.push_back(
                {"a request, the solve of one order, the award and the accept take " +
                     check_seconds(spec, solved_trip) +
                     ", longer than cloud.timeout_s = " + check_seconds(spec, timeout) +
                     ": only orders that join a solve already under way are awarded in time, "
                     "the others are asked again and again; set cloud.timeout_s to at least " +
                     check_seconds(spec, solved_trip),
                 {"cloud.timeout_s", "cloud.solve_base_s", "cloud.solve_per_order_s",
                  "comms.cloud_rtt_s"},
                 true});
        }
        if (spec.comms.cloud_loss >= 1.0) {
            out.push_back({"every request to the cloud would be lost: with allocation = \"" +
                               spec.allocation.policy + "\" no order would ever be allocated",
                           {"comms.cloud_loss"}});
        }
        return out;
    }

    void attach(AllocationHost& host) override {
        const FleetSpec& spec = host.spec();
        board_ = FleetBoard(spec.net().bounds(), spec.allocation.board_cell_m);
        extra_.assign(host.vehicle_count(), 0);
        seen_.clear();
        pending_.clear();
        solving_ = false;
        builds_ = 0;
    }

    void allocate(AllocationHost& host, sim::Context& ctx, std::uint32_t d,
                  std::uint32_t o) override {
        const FleetSpec& spec = host.spec();
        const Point here = host.depot_position(d);
        // without a link the depot can only wait and ask again
        if (!host.conditions().cloud_up() || host.radio_blocked(here)) {
            host.retry_later(ctx, d, o);
            return;
        }
        AllocationState& state = host.allocation(d, o);
        state.awarding = true;
        host.send(ctx, host.dispatcher_lp(), protocol_msg(kRequest),
                  sim::Payload::of(host.order_msg(d, o)), here);
        AnswerMsg key;
        key.order = o;
        key.round = state.round;
        ctx.schedule_self(spec.time.from_seconds(spec.cloud.timeout_s), protocol_msg(kTimeout),
                          sim::Payload::of(key), kLatePriority);
    }

    void handle(AllocationHost& host, sim::Context& ctx, LpLayout::Entry at, std::uint16_t type,
                const sim::Payload& p) override {
        if (at.kind == LpKind::kCloud && type == kRequest) {
            return on_request(host, ctx, p.as<OrderMsg>());
        }
        if (at.kind == LpKind::kCloud && type == kSolve) {
            return on_solve(host, ctx);
        }
        if (at.kind == LpKind::kDepot && type == kTimeout) {
            return on_timeout(host, ctx, at.index, p.as<AnswerMsg>());
        }
        AllocationProtocol::handle(host, ctx, at, type, p);
    }

    // telemetry: each vehicle reports over the cloud link
    void on_board(AllocationHost& host, sim::Tick t) override {
        ++builds_;
        const std::span<const FleetBoard::Entry> rows = host.board_rows();
        if (seen_.empty()) {
            // the cloud starts out knowing the fleet as the spec places it
            seen_.assign(rows.begin(), rows.end());
        } else {
            // a lost report leaves the cloud with the vehicle's previous one (one draw per
            // vehicle whatever happens)
            sim::RandomStream rng(host.seed(), kTelemetryStream,
                                  static_cast<std::uint32_t>(builds_), 0);
            const comms::LinkModel& link = host.link();
            const comms::CommsConditions& conditions = host.conditions();
            comms::MessageCounters& counters = host.counters();
            const std::uint64_t bytes = link.wire_bytes(kTelemetryBytes);
            const comms::AgentIndex cloud = host.cloud_agent();
            for (std::uint32_t v = 0; v < rows.size(); ++v) {
                const FleetBoard::Entry& e = rows[v];
                const bool lost = link.lost(
                    comms::Link::kCloud, conditions.loss_at(e.position, comms::Link::kCloud), rng);
                if (!conditions.cloud_up() || host.radio_blocked(e.position)) {
                    continue;  // no link: nothing is sent
                }
                counters.record_send(v, bytes);
                if (lost) {
                    counters.record_drop(v);
                    continue;
                }
                counters.record_receive(cloud, bytes);
                seen_[v] = e;
                extra_[v] = 0;  // fresh telemetry reflects the awards it got so far
            }
        }
        board_.rebuild(seen_);
        board_.set_built_at(t);
    }

    [[nodiscard]] std::string_view message_name(std::uint16_t type) const override {
        switch (type) {
            case kRequest:
                return "cloud_request";
            case kSolve:
                return "cloud_solve";
            case kTimeout:
                return "cloud_timeout";
            default:
                return AllocationProtocol::message_name(type);
        }
    }
    [[nodiscard]] std::uint32_t message_bytes(std::uint16_t type) const override {
        return type == kRequest ? static_cast<std::uint32_t>(sizeof(OrderMsg))
                                : static_cast<std::uint32_t>(sizeof(AnswerMsg));
    }
    [[nodiscard]] std::size_t memory_bytes() const override {
        return board_.memory_bytes() + seen_.capacity() * sizeof(FleetBoard::Entry) +
               extra_.capacity() + pending_.capacity() * sizeof(OrderMsg);
    }

  private:
    void on_request(AllocationHost& host, sim::Context& ctx, const OrderMsg& m) {
        pending_.push_back(m);
        if (solving_) {
            return;  // taken into the solve under way or the next one
        }
        solving_ = true;
        // the solve takes longer the more orders are open
        const FleetSpec& spec = host.spec();
        const double s = spec.cloud.solve_base_s +
                         spec.cloud.solve_per_order_s * static_cast<double>(pending_.size());
        ctx.schedule_self(std::max<sim::Tick>(1, spec.time.from_seconds(s)), protocol_msg(kSolve));
    }

    void on_solve(AllocationHost& host, sim::Context& ctx) {
        const FleetSpec& spec = host.spec();
        const sim::Tick backoff = spec.time.from_seconds(spec.allocation.retry_backoff_s);
        solving_ = false;
        if (!host.conditions().cloud_up()) {
            // the link is down: plans cannot be pushed; try again later
            solving_ = true;
            ctx.schedule_self(backoff, protocol_msg(kSolve));
            return;
        }
        const world::RoadNetwork& net = spec.net();
        std::vector<OrderMsg> keep;
        for (const OrderMsg& order : pending_) {
            std::array<std::uint32_t, 64> cand{};
            // on its telemetry; where the radio is out it knows from the network (the true
            // board)
            const std::size_t n = nearest_candidates(spec, board_, order.depot, order, cand);
            const Point depot = host.depot_position(order.depot);
            std::uint32_t best = kNone;
            double best_cost = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                const std::uint32_t v = cand[i];
                const FleetBoard::Entry& e = board_.entry(v);
                if (e.plan_size + extra_[v] >= spec.allocation.max_plan ||
                    host.radio_blocked(host.board().entry(v).position)) {
                    continue;
                }
                const VehicleType& type = host.vehicle_type(v);
                const double mps =
                    type.kind == VehicleKind::kDrone ? type.cruise_mps : 13.9 * type.speed_factor;
                const Point from =
                    e.free_node == world::kNoNode ? e.position : net.position(e.free_node);
                const double cost =
                    spec.time.to_seconds(std::max(e.free_at, ctx.now()) - ctx.now()) +
                    spec.allocation.detour_factor * std::hypot(from.x - depot.x, from.y - depot.y) /
                        mps +
                    600.0 * extra_[v];
                if (best == kNone || cheaper(cost, v, best_cost, best)) {
                    best = v;
                    best_cost = cost;
                }
            }
            if (best == kNone) {
                keep.push_back(order);
                continue;
            }
            // a lost award: the depot asks again after cloud.timeout_s
            ++extra_[best];
            host.send(ctx, host.vehicle_lp(best), type_of(Msg::kAward), sim::Payload::of(order),
                      host.board().entry(best).position);
        }
        pending_.swap(keep);
        if (!pending_.empty()) {
            solving_ = true;
            ctx.schedule_self(backoff, protocol_msg(kSolve));
        }
    }

    static void on_timeout(AllocationHost& host, sim::Context& ctx, std::uint32_t d,
                           const AnswerMsg& key) {
        AllocationState& state = host.allocation(d, key.order);
        if (key.round != state.round || !state.awarding ||
            host.order(d, key.order).state != OrderState::kCreated) {
            return;
        }
        // no word from the cloud: ask again (a late award of this round is revoked)
        state.awarding = false;
        host.retry_now(ctx, d, key.order);
    }

    // the dispatcher's state: only its LP touches it, and on_board between windows
    std::vector<OrderMsg> pending_;
    bool solving_ = false;
    // orders awarded per vehicle since its last telemetry
    std::vector<std::uint8_t> extra_;
    // each vehicle's board row as of its last report that reached the cloud, and the board
    // built from them
    std::vector<FleetBoard::Entry> seen_;
    FleetBoard board_;
    std::uint64_t builds_ = 0;
};

}  // namespace

std::unique_ptr<AllocationProtocol> make_cloud_protocol() {
    return std::make_unique<CloudProtocol>();
}

}  // namespace swarm::agents
