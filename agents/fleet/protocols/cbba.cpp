// "cbba": the consensus-based bundle algorithm (agents/coordination, docs/cbba.md). A depot
// queues its orders; at each board rebuild the usable, radio-connected vehicles near each
// depot with queued orders agree on the awards by CBBA over their radio graph, and each
// winner gets its award once the consensus rounds would have taken place over the radio.
#include "agents/coordination/cbba.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "agents/comms/radio_grid.hpp"
#include "agents/coordination/score.hpp"
#include "agents/fleet/protocol.hpp"

namespace swarm::agents {

namespace {

double distance(Point a, Point b) {
    return std::hypot(a.x - b.x, a.y - b.y);
}

class CbbaProtocol final : public AllocationProtocol {
  public:
    [[nodiscard]] std::string_view name() const override { return "cbba"; }
    [[nodiscard]] Needs needs() const override {
        Needs n;
        n.plan_estimates = true;
        n.board_reads_depots = true;  // settle() reads and fails the queued orders
        return n;
    }

    [[nodiscard]] std::vector<SpecProblem> check(const SpecCheck& c) const override {
        const double every = c.spec.allocation.board_interval_s;
        if (c.run_s <= 0.0 || every < c.run_s) {
            return {};
        }
        return {{"with allocation = \"" + c.spec.allocation.policy +
                     "\" the vehicles agree on awards at board rebuilds, every "
                     "policies.board_interval_s = " +
                     check_number(every) +
                     " s, and the first comes at or after the end of the run (run.duration_s = " +
                     check_number(c.run_s) + " s): no order would ever be allocated",
                 {"policies.board_interval_s", "run.duration_s"}}};
    }

    void attach(AllocationHost& host) override { queues_.assign(host.depot_count(), {}); }

    // the vehicles around the depot settle it in the next consensus round
    void allocate(AllocationHost& host, sim::Context& /*ctx*/, std::uint32_t d,
                  std::uint32_t o) override {
        host.allocation(d, o).awarding = true;
        queues_[d].orders.push_back(o);
    }

    // one CBBA allocation per depot with queued orders, among its nearby vehicles
    void on_board(AllocationHost& host, sim::Tick t) override {
        used_.assign(host.vehicle_count(), 0);  // one cluster per vehicle per round
        for (std::uint32_t d = 0; d < host.depot_count(); ++d) {
            if (!queues_[d].orders.empty()) {
                settle(host, d, t);
            }
        }
    }

    // the orders queued for the next consensus round, by depot ("queue/offsets", "/values").
    // used_ is scratch, filled anew at every board rebuild before it is read.
    void save(sim::StateArchive& ar) const override {
        std::vector<std::vector<std::uint32_t>> queues;
        queues.reserve(queues_.size());
        for (const Queue& q : queues_) {
            queues.push_back(q.orders);
        }
        ar.put_nested("queue", queues);
    }
    void load(const sim::StateArchive& ar) override {
        std::vector<std::uint64_t> offsets;
        ar.get("queue/offsets", offsets, queues_.size() + 1);  // one queue per depot
        std::vector<std::vector<std::uint32_t>> queues;
        ar.get_nested("queue", queues);
        for (std::size_t d = 0; d < queues_.size(); ++d) {
            queues_[d].orders = std::move(queues[d]);
        }
    }

    // across ranks: a depot's queue, which its LP appends to and on_board reads
    void save_lp(sim::StateArchive& ar, LpLayout::Entry at) const override {
        if (at.kind == LpKind::kDepot) {
            ar.put("queue", queues_[at.index].orders);
        }
    }
    void load_lp(const sim::StateArchive& ar, LpLayout::Entry at) override {
        if (at.kind == LpKind::kDepot) {
            ar.get("queue", queues_[at.index].orders);
        }
    }

    [[nodiscard]] std::size_t memory_bytes() const override {
        std::size_t b = queues_.capacity() * sizeof(Queue) + used_.capacity();
        for (const Queue& q : queues_) {
            b += q.orders.capacity() * sizeof(std::uint32_t);
        }
        return b;
    }

  private:
    void settle(AllocationHost& host, std::uint32_t d, sim::Tick t);

    // the orders waiting for the next round, per depot (its LP appends, barriers drain)
    struct alignas(64) Queue {
        std::vector<std::uint32_t> orders;
    };
    std::vector<Queue> queues_;
    std::vector<std::uint8_t> used_;  // by vehicle: in a cluster this round (scratch)
};
// the members save() and load() know of: a new one must be saved and loaded too
static_assert(sizeof(CbbaProtocol) == 56, "a new member? save and load it (checkpoints)");

void CbbaProtocol::settle(AllocationHost& host, std::uint32_t d, sim::Tick t) {
    const FleetSpec& spec = host.spec();
    const world::RoadNetwork& net = spec.net();
    const FleetBoard& board = host.board();
    std::vector<std::uint32_t>& queue = queues_[d].orders;
    // tasks: the queued orders still waiting (orphaned, failed or closed ones drop out)
    std::vector<std::uint32_t> tasks;
    for (const std::uint32_t o : queue) {
        const Order& ord = host.order(d, o);
        if (!host.allocation(d, o).awarding || ord.state != OrderState::kCreated) {
            continue;
        }
        if (t > ord.due) {
            host.give_up(d, o, t);  // past due and still nobody
            continue;
        }
        tasks.push_back(o);
    }
    queue.clear();
    const Point depot = host.depot_position(d);
    if (tasks.empty()) {
        return;
    }
    // agents: usable vehicles near the depot not in another cluster this round, that can
    // carry the smallest task (a drone's award of a larger one is rejected and the order
    // queued again)
    std::array<std::uint32_t, 64> cand{};
    OrderMsg first = host.order_msg(d, tasks.front());
    for (const std::uint32_t o : tasks) {
        first.size = std::min(first.size, host.order_msg(d, o).size);
    }
    const std::size_t n =
        host.radio_blocked(depot) ? 0 : nearest_candidates(spec, board, d, first, cand);
    std::vector<std::uint32_t> agents;
    std::vector<std::uint32_t> capacity;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t v = cand[i];
        const FleetBoard::Entry& e = board.entry(v);
        if (used_[v] == 0 && !host.radio_blocked(e.position)) {
            agents.push_back(v);
            capacity.push_back(spec.allocation.max_plan -
                               std::min<std::uint32_t>(e.plan_size, spec.allocation.max_plan));
        }
    }
    if (agents.empty()) {
        queue = tasks;  // nobody near: the next round
        ++host.allocation_counters(d).retries;
        return;
    }
    // score: time-discounted reward from when and where each vehicle can be at the depot
    coordination::TimeDiscountedReward::Params sp;
    double ground_mps = 13.9 / spec.allocation.detour_factor;
    if (!spec.speed_profile.empty()) {
        // the roads' speed this hour
        ground_mps *= spec.speed_profile.mean_factor(
            routing::SpeedProfile::hour_of(spec.clock_s(spec.time.to_seconds(t))));
    }
    for (const std::uint32_t v : agents) {
        const FleetBoard::Entry& e = board.entry(v);
        const Point from = e.free_node == world::kNoNode ? e.position : net.position(e.free_node);
        const VehicleType& type = host.vehicle_type(v);
        const double mps = type.kind == VehicleKind::kDrone ? type.cruise_mps : ground_mps;
        sp.agent_start.push_back(depot);
        sp.agent_start_s.push_back(spec.time.to_seconds(std::max(e.free_at, t) - t) +
                                   distance(from, depot) / mps +
                                   spec.depots[d].dock_service.mean_s);
    }
    bool own_service = false;
    bool via = false;
    for (const std::uint32_t o : tasks) {
        const OrderMsg m = host.order_msg(d, o);
        sp.task_position.push_back(net.position(customer_node(spec, m)));
        // an order with a pick-up location is fetched there on the way (not at the depot)
        const ReplayOrder* row = pickup_row(spec, m);
        sp.task_via.push_back(row == nullptr ? Point{std::nan(""), std::nan("")}
                                             : net.position(row->pickup));
        sp.task_via_s.push_back(row == nullptr ? 0.0 : row->pickup_service_s);
        via = via || row != nullptr;
        // a higher priority is worth more: served first when not all can be
        sp.task_reward.push_back(1000.0 * (1.0 + m.priority()));
        sp.task_service_s.push_back(service_seconds(spec, m.service_s));
        own_service = own_service || m.service_s != kDemandService;
    }
    if (!own_service) {
        sp.task_service_s.clear();  // every task takes the demand's hand-over time
    }
    if (!via) {
        sp.task_via.clear();
        sp.task_via_s.clear();
    }
    sp.speed_mps = ground_mps;
    sp.lambda = 0.999;
    sp.service_s = spec.demand.customer_service_s;
    const coordination::TimeDiscountedReward score(sp);
    // the radio graph among them, from the house's one spatial index
    std::vector<Point> where(agents.size());
    for (std::size_t i = 0; i < agents.size(); ++i) {
        where[i] = board.entry(agents[i]).position;
    }
    comms::RadioGrid radio(spec.comms.radio_range_m);
    radio.rebuild(where, host.conditions());
    const comms::AgentGraph graph = radio.graph();
    coordination::CbbaSolver solver(capacity, tasks.size(), score);
    const auto max_rounds = static_cast<std::uint32_t>(tasks.size() * agents.size() + 2);
    const coordination::CbbaResult result = solver.run(graph, max_rounds);
    // every round each vehicle tells each neighbour its bids: the time it takes decides
    // when the awards are known
    const comms::LinkModel& link = host.link();
    const std::uint64_t payload = solver.message_bytes();
    for (std::size_t i = 0; i < agents.size(); ++i) {
        for (std::uint32_t r = 0; r < result.rounds; ++r) {
            for (std::size_t k = 0; k < graph.neighbours(static_cast<comms::AgentIndex>(i)).size();
                 ++k) {
                host.counters().record_send(agents[i], link.wire_bytes(payload),
                                            comms::MessageCounters::kSerial);
            }
        }
    }
    const sim::Tick latency =
        std::max(spec.lookahead(),
                 static_cast<sim::Tick>(result.rounds) * link.delay(comms::Link::kRadio, payload));
    for (std::size_t j = 0; j < tasks.size(); ++j) {
        const comms::AgentIndex w = result.assignment.winner[j];
        if (w == coordination::kNoAgent) {
            queue.push_back(tasks[j]);  // the next round
            continue;
        }
        used_[agents[w]] = 1;
        host.inject(host.vehicle_lp(agents[w]), t + latency, type_of(Msg::kAward),
                    sim::Payload::of(host.order_msg(d, tasks[j])));
    }
    for (const std::uint32_t v : agents) {
        used_[v] = 1;
    }
}

}  // namespace

std::unique_ptr<AllocationProtocol> make_cbba_protocol() {
    return std::make_unique<CbbaProtocol>();
}

}  // namespace swarm::agents
