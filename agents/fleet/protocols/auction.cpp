// "auction" (aliases "nearest_bid", "insertion"): the contract net among the vehicles near
// the depot holding the order. The depot offers the order to the K nearest usable vehicles
// on its board; each answers with its straight-line insertion cost or declines; when the
// bid window closes the lowest bid wins (ties to the lower vehicle index) and gets the award.
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/fleet/protocol.hpp"
#include "agents/logistics/chunked_vector.hpp"

namespace swarm::agents {

namespace {

enum Local : std::uint16_t {
    kOffer,       // depot -> vehicle: an order to bid on (OrderMsg)
    kBid,         // vehicle -> depot: the insertion cost (AnswerMsg)
    kDecline,     // vehicle -> depot: it will not take the order (AnswerMsg)
    kBidTimeout,  // depot, self: the bid window closes (AnswerMsg: order, round)
};

inline constexpr std::uint32_t kNone = 0xFFFFFFFFu;

class AuctionProtocol final : public AllocationProtocol {
  public:
    [[nodiscard]] std::string_view name() const override { return "auction"; }

    [[nodiscard]] std::vector<SpecProblem> check(const SpecCheck& c) const override {
        const FleetSpec& spec = c.spec;
        std::vector<SpecProblem> out;
        // the depot awards when the bid window closes: bids that come later are too late
        const sim::Tick window = spec.bid_window();
        const sim::Tick trip = spec.bid_round_trip();
        if (window < trip) {
            const std::string given =
                spec.allocation.bid_window_s > 0.0
                    ? "the bid window is " + check_seconds(spec, window)
                    : "the bid window is " + check_seconds(spec, window) +
                          " (policies.bid_window_s = 0: three run.lookahead_s)";
            out.push_back({"an offer and its bid take " + check_seconds(spec, trip) +
                               " over the radio (two radio latencies plus transmission), but " +
                               given +
                               ": no bid would arrive in time and no order would ever be "
                               "allocated; set policies.bid_window_s to at least " +
                               check_seconds(spec, trip),
                           {"policies.bid_window_s", "comms.radio_latency_s",
                            "comms.radio_bandwidth_bps", "comms.header_bytes", "run.lookahead_s"}});
        }
        if (spec.comms.radio_loss >= 1.0) {
            out.push_back({"every offer would be lost: with allocation = \"" +
                               spec.allocation.policy + "\" no order would ever be allocated",
                           {"comms.radio_loss"}});
        }
        return out;
    }

    void attach(AllocationHost& host) override {
        best_.assign(host.depot_count(), {});
        vehicles_ = host.vehicle_count();
    }

    // the best bid of every order each depot has offered: a count per depot, then the bids
    // flat (those of earlier rounds too: allocate clears an order's entry before its next
    // round reads it, but then a resumed run holds exactly what the run held)
    void save(sim::StateArchive& ar) const override {
        const auto s = ar.scope("best");
        std::vector<std::uint32_t> count;
        std::vector<Best> flat;
        for (const DepotBids& d : best_) {
            count.push_back(static_cast<std::uint32_t>(d.orders.size()));
            for (std::size_t o = 0; o < d.orders.size(); ++o) {
                flat.push_back(d.orders[o]);
            }
        }
        ar.put("count", count);
        ar.put_field("cost", flat, &Best::cost);
        ar.put_field("vehicle", flat, &Best::vehicle);
    }
    void load(const sim::StateArchive& ar) override {
        const auto s = ar.scope("best");
        std::vector<std::uint32_t> count;
        ar.get("count", count, best_.size());
        std::size_t total = 0;
        for (const std::uint32_t c : count) {
            total += c;
        }
        std::vector<Best> flat(total);
        ar.get_field("cost", flat, &Best::cost);
        ar.get_field("vehicle", flat, &Best::vehicle);
        for (const Best& b : flat) {
            if (b.vehicle != kNone) {
                check_index("best/vehicle", "vehicle", b.vehicle, vehicles_);
            }
        }
        std::size_t next = 0;
        for (std::size_t d = 0; d < best_.size(); ++d) {
            ChunkedVector<Best>& orders = best_[d].orders;
            orders.clear();
            for (std::size_t i = next; i < next + count[d]; ++i) {
                orders.push_back(flat[i]);
            }
            next += count[d];
        }
    }

    void allocate(AllocationHost& host, sim::Context& ctx, std::uint32_t d,
                  std::uint32_t o) override {
        const FleetSpec& spec = host.spec();
        ChunkedVector<Best>& best = best_[d].orders;
        best.grow_to(std::size_t{o} + 1);
        best[o] = {};
        const OrderMsg msg = host.order_msg(d, o);
        const Point here = host.depot_position(d);
        std::array<std::uint32_t, 64> cand{};
        const std::size_t n =
            host.radio_blocked(here) ? 0 : nearest_candidates(spec, host.board(), d, msg, cand);
        if (n == 0) {
            // nobody near (or no radio here): try again later
            host.retry_later(ctx, d, o);
            return;
        }
        const comms::LinkModel& link = host.link();
        sim::RandomStream& rng = ctx.rng();
        for (std::size_t i = 0; i < n; ++i) {
            const Point there = host.board().entry(cand[i]).position;
            const bool lost = link.lost(comms::Link::kRadio,
                                        host.conditions().radio_loss_between(here, there), rng);
            if (lost || host.radio_blocked(there)) {
                // the offer never arrives
                host.counters().record_send(
                    host.depot_agent(d), link.wire_bytes(message_bytes(kOffer)), ctx.partition());
                host.counters().record_drop(host.depot_agent(d), ctx.partition());
                continue;
            }
            host.send(ctx, host.vehicle_lp(cand[i]), protocol_msg(kOffer), sim::Payload::of(msg));
        }
        host.allocation_counters(d).offers += n;
        AnswerMsg key;
        key.order = o;
        key.round = msg.round;
        ctx.schedule_self(spec.bid_window(), protocol_msg(kBidTimeout), sim::Payload::of(key),
                          kLatePriority);
    }

    void handle(AllocationHost& host, sim::Context& ctx, LpLayout::Entry at, std::uint16_t type,
                const sim::Payload& p) override {
        if (at.kind == LpKind::kVehicle && type == kOffer) {
            return answer(host, ctx, at.index, p.as<OrderMsg>());
        }
        if (at.kind == LpKind::kDepot) {
            switch (type) {
                case kBid:
                    return on_bid(host, at.index, p.as<AnswerMsg>());
                case kDecline: {
                    ++host.allocation_counters(at.index).declines;
                    // a vehicle found no route for it: failed as unreachable if nobody takes it
                    const AnswerMsg& a = p.as<AnswerMsg>();
                    if (a.reason == static_cast<std::uint8_t>(FailReason::kUnreachable)) {
                        AllocationState& state = host.allocation(at.index, a.order);
                        state.unreachable = true;
                        state.unreachable_round = a.round;
                    }
                    return;
                }
                case kBidTimeout:
                    return on_bid_timeout(host, ctx, at.index, p.as<AnswerMsg>());
                default:
                    break;
            }
        }
        AllocationProtocol::handle(host, ctx, at, type, p);
    }

    [[nodiscard]] std::string_view message_name(std::uint16_t type) const override {
        switch (type) {
            case kOffer:
                return "offer";
            case kBid:
                return "bid";
            case kDecline:
                return "decline";
            case kBidTimeout:
                return "bid_timeout";
            default:
                return AllocationProtocol::message_name(type);
        }
    }
    [[nodiscard]] std::uint32_t message_bytes(std::uint16_t type) const override {
        return type == kOffer ? static_cast<std::uint32_t>(sizeof(OrderMsg))
                              : static_cast<std::uint32_t>(sizeof(AnswerMsg));
    }
    [[nodiscard]] std::size_t memory_bytes() const override {
        std::size_t b = best_.capacity() * sizeof(DepotBids);
        for (const DepotBids& d : best_) {
            b += d.orders.memory_bytes();
        }
        return b;
    }

  private:
    struct Best {
        double cost = 0.0;
        std::uint32_t vehicle = kNone;
    };
    // the best bid of each order of a depot (in chunks: it grows by the depot's orders all
    // run long); only its LP touches it (no false sharing)
    struct alignas(64) DepotBids {
        ChunkedVector<Best> orders;
    };

    // vehicle side: a vehicle due for service or broken takes no new work, nor one it cannot
    // route to under what it knows of the roads
    static void answer(AllocationHost& host, sim::Context& ctx, std::uint32_t v,
                       const OrderMsg& m) {
        std::optional<double> cost =
            host.takes_work(v)
                ? insertion_bid(host.spec(), host.vehicle_view(v, ctx.now()), m, ctx.now())
                : std::nullopt;
        AnswerMsg a;
        if (cost && !host.can_reach(ctx, v, m)) {
            cost.reset();
            a.reason = static_cast<std::uint8_t>(FailReason::kUnreachable);
        }
        a.order = m.order();
        a.vehicle = v;
        a.round = m.round;
        a.cost_s = cost.value_or(0.0);
        if (!cost) {
            host.passed(v);
        }
        host.send(ctx, host.depot_lp(m.depot), protocol_msg(cost ? kBid : kDecline),
                  sim::Payload::of(a));
    }

    void on_bid(AllocationHost& host, std::uint32_t d, const AnswerMsg& a) {
        ++host.allocation_counters(d).bids;
        if (a.round != host.allocation(d, a.order).round || !host.open_for_bids(d, a.order)) {
            return;  // a late bid of an earlier round
        }
        Best& best = best_[d].orders[a.order];
        if (best.vehicle == kNone || cheaper(a.cost_s, a.vehicle, best.cost, best.vehicle)) {
            best = {a.cost_s, a.vehicle};
        }
    }

    void on_bid_timeout(AllocationHost& host, sim::Context& ctx, std::uint32_t d,
                        const AnswerMsg& key) {
        AllocationState& state = host.allocation(d, key.order);
        if (key.round != state.round || !host.open_for_bids(d, key.order)) {
            return;
        }
        const Best best = best_[d].orders[key.order];
        if (best.vehicle == kNone) {
            host.retry_later(ctx, d, key.order);
            return;
        }
        state.awarding = true;
        host.send(ctx, host.vehicle_lp(best.vehicle), type_of(Msg::kAward),
                  sim::Payload::of(host.order_msg(d, key.order)));
    }

    std::vector<DepotBids> best_;  // by depot
    std::uint32_t vehicles_ = 0;   // the fleet's size (checks what load reads)
};
// the members save() and load() know of: a new one must be saved and loaded too
static_assert(sizeof(AuctionProtocol) == 40, "a new member? save and load it (checkpoints)");

}  // namespace

std::unique_ptr<AllocationProtocol> make_auction_protocol() {
    return std::make_unique<AuctionProtocol>();
}

}  // namespace swarm::agents
