// "first_claim": first come, first served (the worked example of docs/protocols.md). The
// depot announces the order to the K nearest usable vehicles on its board; each that can
// take it claims it after a random backoff (as claims contending for one radio channel
// would); the first claim to reach the depot wins the award at once. Decides sooner than
// the auction, blind to which claimant would serve the order best.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "agents/fleet/protocol.hpp"

namespace swarm::agents {

namespace {

// the protocol's messages: event type protocol_msg(local) each
enum Local : std::uint16_t {
    kAnnounce,  // depot -> vehicle: an order up for claims (OrderMsg)
    kClaim,     // vehicle -> depot: it can take the order (AnswerMsg)
    kDeadline,  // depot, self: nobody claimed in time (AnswerMsg: order, round)
    kBackoff,   // vehicle, self: its backoff is over, claim now if it still can (OrderMsg)
};

// claims back off at random for up to the bid window less an announcement's and a
// claim's radio delays, so that every claim can arrive before the deadline
sim::Tick backoff_span(const FleetSpec& spec) {
    return spec.bid_window() - spec.bid_round_trip();
}

class FirstClaimProtocol final : public AllocationProtocol {
  public:
    [[nodiscard]] std::string_view name() const override { return "first_claim"; }

    // settings under which no claim could arrive before the deadline
    [[nodiscard]] std::vector<SpecProblem> check(const SpecCheck& c) const override {
        if (backoff_span(c.spec) >= 0) {
            return {};
        }
        return {{"an announcement and its claim take " +
                     check_seconds(c.spec, c.spec.bid_round_trip()) +
                     " over the radio, but the claim deadline (the bid window) is " +
                     check_seconds(c.spec, c.spec.bid_window()) +
                     ": no claim would arrive in time; set policies.bid_window_s to at least " +
                     check_seconds(c.spec, c.spec.bid_round_trip()),
                 {"policies.bid_window_s", "comms.radio_latency_s", "comms.radio_bandwidth_bps",
                  "comms.header_bytes", "run.lookahead_s"}}};
    }

    // depot side: announce, and wait one bid window for a claim
    void allocate(AllocationHost& host, sim::Context& ctx, std::uint32_t d,
                  std::uint32_t o) override {
        const OrderMsg msg = host.order_msg(d, o);
        std::array<std::uint32_t, 64> cand{};
        const std::size_t n = host.radio_blocked(host.depot_position(d))
                                  ? 0
                                  : nearest_candidates(host.spec(), host.board(), d, msg, cand);
        if (n == 0) {
            host.retry_later(ctx, d, o);  // nobody near: the core tries again later
            return;
        }
        for (std::size_t i = 0; i < n; ++i) {
            host.send(ctx, host.vehicle_lp(cand[i]), protocol_msg(kAnnounce),
                      sim::Payload::of(msg));
        }
        host.allocation_counters(d).offers += n;
        AnswerMsg key;
        key.order = o;
        key.round = msg.round;
        ctx.schedule_self(host.spec().bid_window(), protocol_msg(kDeadline), sim::Payload::of(key),
                          kLatePriority);
    }

    void handle(AllocationHost& host, sim::Context& ctx, LpLayout::Entry at, std::uint16_t type,
                const sim::Payload& p) override {
        if (at.kind == LpKind::kVehicle && (type == kAnnounce || type == kBackoff)) {
            // vehicle side: claim what fits its plan, capacity and energy; stay silent else
            const OrderMsg m = p.as<OrderMsg>();
            if (!host.takes_work(at.index) ||
                !feasible(host.spec(), host.vehicle_view(at.index, ctx.now()), m, ctx.now())) {
                host.passed(at.index);
                return;
            }
            if (type == kAnnounce) {
                // a random backoff from the vehicle's own stream (the same for any thread
                // count); it checks again when it is over
                const auto span = static_cast<double>(backoff_span(host.spec()));
                ctx.schedule_self(static_cast<sim::Tick>(ctx.rng().uniform() * span),
                                  protocol_msg(kBackoff), p);
                return;
            }
            AnswerMsg a;
            a.order = m.order();
            a.vehicle = at.index;
            a.round = m.round;
            host.send(ctx, host.depot_lp(m.depot), protocol_msg(kClaim), sim::Payload::of(a));
            return;
        }
        if (at.kind == LpKind::kDepot && (type == kClaim || type == kDeadline)) {
            const std::uint32_t d = at.index;
            const AnswerMsg a = p.as<AnswerMsg>();
            // only the current round of an order nobody has won yet
            if (a.round != host.allocation(d, a.order).round || !host.open_for_bids(d, a.order)) {
                return;
            }
            if (type == kDeadline) {
                host.retry_later(ctx, d, a.order);
                return;
            }
            ++host.allocation_counters(d).bids;
            host.allocation(d, a.order).awarding = true;
            host.send(ctx, host.vehicle_lp(a.vehicle), type_of(Msg::kAward),
                      sim::Payload::of(host.order_msg(d, a.order)));
            return;
        }
        AllocationProtocol::handle(host, ctx, at, type, p);  // not ours: a bug, reported
    }

    // no state of its own: a round lives in the kernel's events (announcements, backoffs,
    // claims, the deadline: the engine's checkpoint) and the core's AllocationState (round,
    // awarding: the model's), so a checkpoint holds nothing of the protocol
    void save(sim::StateArchive& /*ar*/) const override {}
    void load(const sim::StateArchive& /*ar*/) override {}

    [[nodiscard]] std::string_view message_name(std::uint16_t type) const override {
        static constexpr std::array<std::string_view, 4> kNames = {
            "announce", "claim", "claim_deadline", "claim_backoff"};
        return type < kNames.size() ? kNames[type] : AllocationProtocol::message_name(type);
    }
    [[nodiscard]] std::uint32_t message_bytes(std::uint16_t type) const override {
        return type == kAnnounce ? sizeof(OrderMsg) : sizeof(AnswerMsg);
    }
};

// no members: one would need save() and load()
static_assert(sizeof(FirstClaimProtocol) == sizeof(void*));

}  // namespace

std::unique_ptr<AllocationProtocol> make_first_claim_protocol() {
    return std::make_unique<FirstClaimProtocol>();
}

}  // namespace swarm::agents
