// "cloud": a central dispatcher on its own LP, reached over the cloud link; "oracle": the
// same dispatcher with an ideal link and no solve time, a yardstick (docs/central-planner.md).
// Depots send each order to it. Each vehicle reports over the cloud link at every board
// rebuild: where it will be next and when, its state, energy and plan (a lost report leaves
// the cloud with the previous one). A solve starts when an order arrives and no solve is
// under way: the central planner (central_planner.hpp) re-plans every open order it holds
// onto every vehicle's reported plan plus the awards sent since; the solve takes
// cloud.solve_base_s + solve_per_order_s x orders + solve_per_eval_s x the plan
// evaluations it did, and then the awards go out (orders that came in meanwhile wait for the
// next solve). A depot that hears nothing within cloud.timeout_s asks again; an award that
// comes later is revoked.
#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/fleet/central_planner.hpp"
#include "agents/fleet/protocol.hpp"

namespace swarm::agents {

namespace {

enum Local : std::uint16_t {
    kRequest,  // depot -> cloud: allocate this order (OrderMsg)
    kSolve,    // cloud, self: the dispatcher's solve finishes
    kTimeout,  // depot, self: no award came back in time (AnswerMsg: order, round)
    kStart,    // cloud, self: start a solve of the orders left over (AnswerMsg: generation)
};

// barrier-time draws of the telemetry, per board rebuild (beyond any LP id)
inline constexpr std::uint32_t kTelemetryStream = 0xFFFFFF10u;
// bytes of one vehicle's report: position (16), next node (4) and when it gets there (8),
// state, plan size, loaded count, takes work (4), energy (8); and 32 per plan entry
// (PlanEntry: depot, order, customer, size, hand-over, ready, due)
inline constexpr std::uint32_t kTelemetryBytes = 40;
inline constexpr std::uint32_t kTelemetryEntryBytes = 32;
static_assert(sizeof(PlanEntry) == kTelemetryEntryBytes);

// settings under which the cloud could never allocate an order
std::vector<SpecProblem> cloud_check(const SpecCheck& c) {
    const FleetSpec& spec = c.spec;
    std::vector<SpecProblem> out;
    // the depot asks again after the timeout and revokes the award that comes back late
    const sim::Tick timeout = spec.time.from_seconds(spec.cloud.timeout_s);
    const sim::Tick award_trip = spec.award_round_trip();
    const sim::Tick solved_trip = spec.award_round_trip(spec.one_order_solve());
    if (timeout < award_trip) {
        out.push_back({"a request to the cloud, the award and the winner's accept take at least " +
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
              "cloud.solve_per_eval_s", "comms.cloud_rtt_s"},
             true});
    }
    if (spec.comms.cloud_loss >= 1.0) {
        out.push_back({"every request to the cloud would be lost: with allocation = \"" +
                           spec.allocation.policy + "\" no order would ever be allocated",
                       {"comms.cloud_loss"}});
    }
    return out;
}

class CloudProtocol final : public AllocationProtocol {
  public:
    explicit CloudProtocol(bool oracle) : oracle_(oracle) {}

    [[nodiscard]] std::string_view name() const override { return oracle_ ? "oracle" : "cloud"; }
    [[nodiscard]] Needs needs() const override {
        Needs n;
        n.dispatcher = true;
        n.ideal_cloud_link = oracle_;
        return n;
    }

    [[nodiscard]] std::vector<SpecProblem> check(const SpecCheck& c) const override {
        if (oracle_) {
            return {};  // no link to speak of
        }
        return cloud_check(c);
    }

    void attach(AllocationHost& host) override {
        const std::uint32_t n = host.vehicle_count();
        known_.assign(n, Known{});
        for (std::uint32_t v = 0; v < n; ++v) {
            // what never changes (a report sets them too): load() keeps them
            known_[v].view.vehicle = v;
            known_[v].view.type = &host.vehicle_type(v);
        }
        depots_ = host.depot_count();
        flight_.assign(n, {});
        pending_.clear();
        solving_ = false;
        fresh_ = false;
        builds_ = 0;
        start_generation_ = 0;
    }

    void allocate(AllocationHost& host, sim::Context& ctx, std::uint32_t d,
                  std::uint32_t o) override {
        const FleetSpec& spec = host.spec();
        const Point here = host.depot_position(d);
        // without a link the depot can only wait and ask again
        if (!oracle_ && (!host.conditions().cloud_up() || host.radio_blocked(here))) {
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
            return on_solved(host, ctx);
        }
        if (at.kind == LpKind::kCloud && type == kStart) {
            if (!solving_ && p.as<AnswerMsg>().order == start_generation_) {
                start_solve(host, ctx);
            }
            return;
        }
        if (at.kind == LpKind::kDepot && type == kTimeout) {
            return on_timeout(host, ctx, at.index, p.as<AnswerMsg>());
        }
        AllocationProtocol::handle(host, ctx, at, type, p);
    }

    // telemetry: each vehicle reports over the cloud link (the oracle hears every report)
    void on_board(AllocationHost& host, sim::Tick t) override {
        const bool first = builds_ == 0;
        ++builds_;
        const std::span<const FleetBoard::Entry> rows = host.board_rows();
        sim::RandomStream rng(host.seed(), kTelemetryStream, static_cast<std::uint32_t>(builds_),
                              0);
        const comms::LinkModel& link = host.link();
        const comms::CommsConditions& conditions = host.conditions();
        comms::MessageCounters& counters = host.counters();
        const comms::AgentIndex cloud = host.cloud_agent();
        for (std::uint32_t v = 0; v < rows.size(); ++v) {
            const Point where = rows[v].position;
            if (!first) {
                // one draw per vehicle whatever happens (the oracle loses nothing)
                const bool lost = link.lost(comms::Link::kCloud,
                                            conditions.loss_at(where, comms::Link::kCloud), rng) &&
                                  !oracle_;
                if (!oracle_ && (!conditions.cloud_up() || host.radio_blocked(where))) {
                    continue;  // no link: nothing is sent
                }
                const std::uint64_t bytes = link.wire_bytes(
                    kTelemetryBytes + kTelemetryEntryBytes * host.vehicle_view(v, t).plan->size);
                counters.record_send(v, bytes, comms::MessageCounters::kSerial);
                if (lost) {
                    counters.record_drop(v, comms::MessageCounters::kSerial);
                    continue;
                }
                counters.record_receive(cloud, bytes, comms::MessageCounters::kSerial);
            }
            // the cloud starts out knowing the fleet as the spec places it
            report(host, v, t);
        }
    }

    // the dispatcher's state: what it knows of each vehicle (its last report), the awards on
    // their way, the orders it holds and those of the solve under way, and its counters.
    // The planner keeps nothing between solves (central_planner.hpp: a solve's road legs are
    // memoized within that solve only, and each memo holds the route the router gives for
    // its key, whatever the order it is filled in).
    void save(sim::StateArchive& ar) const override {
        ar.put_value("builds", builds_);
        save_dispatcher(ar);
        {
            const auto s = ar.scope("known");
            std::vector<VehicleView> views;
            std::vector<Plan> plans;
            for (const Known& k : known_) {
                views.push_back(k.view);
                plans.push_back(k.plan);
            }
            ar.put_field("state", views, &VehicleView::state);
            ar.put_field("position", views, &VehicleView::position);
            ar.put_field("position_time", views, &VehicleView::position_time);
            ar.put_field("home_node", views, &VehicleView::home_node);
            ar.put_field("energy_kwh", views, &VehicleView::energy_kwh);
            ar.put_field("shift_start", views, &VehicleView::shift_start);
            ar.put_field("shift_end", views, &VehicleView::shift_end);
            ar.put_field("takes_work", known_, &Known::takes_work);
            ar.put_field("at", known_, &Known::at);
            save_plans(ar, "plan", plans);
        }
    }

    void load(const sim::StateArchive& ar) override {
        const std::size_t n = known_.size();  // the fleet, as attach() found it
        const auto builds = ar.get_value<std::uint64_t>("builds");
        std::vector<Known> known = known_;  // vehicle and type stay as attach() set them
        {
            const auto s = ar.scope("known");
            std::vector<VehicleView> views(n);
            ar.get_field("state", views, &VehicleView::state);
            ar.get_field("position", views, &VehicleView::position);
            ar.get_field("position_time", views, &VehicleView::position_time);
            ar.get_field("home_node", views, &VehicleView::home_node);
            ar.get_field("energy_kwh", views, &VehicleView::energy_kwh);
            ar.get_field("shift_start", views, &VehicleView::shift_start);
            ar.get_field("shift_end", views, &VehicleView::shift_end);
            ar.get_field("takes_work", known, &Known::takes_work);
            ar.get_field("at", known, &Known::at);
            const std::vector<Plan> plans = load_plans(ar, "plan", n, depots_);
            for (std::size_t v = 0; v < n; ++v) {
                VehicleView& k = known[v].view;
                k.state = views[v].state;
                k.position = views[v].position;
                k.position_time = views[v].position_time;
                k.home_node = views[v].home_node;
                k.energy_kwh = views[v].energy_kwh;
                k.shift_start = views[v].shift_start;
                k.shift_end = views[v].shift_end;
                known[v].plan = plans[v];
            }
        }
        Dispatcher dispatcher = load_dispatcher(ar);
        // all read: take it
        known_ = std::move(known);
        builds_ = builds;
        take(std::move(dispatcher));
    }

    // across ranks: the dispatcher's books, which its LP writes and on_board reads (the
    // awards in flight); what it knows of the vehicles is written at barriers only
    void save_lp(sim::StateArchive& ar, LpLayout::Entry at) const override {
        if (at.kind == LpKind::kCloud) {
            save_dispatcher(ar);
        }
    }
    void load_lp(const sim::StateArchive& ar, LpLayout::Entry at) override {
        if (at.kind == LpKind::kCloud) {
            take(load_dispatcher(ar));
        }
    }

    [[nodiscard]] std::string_view message_name(std::uint16_t type) const override {
        switch (type) {
            case kRequest:
                return "cloud_request";
            case kSolve:
                return "cloud_solve";
            case kTimeout:
                return "cloud_timeout";
            case kStart:
                return "cloud_start";
            default:
                return AllocationProtocol::message_name(type);
        }
    }
    [[nodiscard]] std::uint32_t message_bytes(std::uint16_t type) const override {
        return type == kRequest ? static_cast<std::uint32_t>(sizeof(OrderMsg))
                                : static_cast<std::uint32_t>(sizeof(AnswerMsg));
    }
    [[nodiscard]] std::size_t memory_bytes() const override {
        std::size_t bytes =
            known_.capacity() * sizeof(Known) + flight_.capacity() * sizeof(std::vector<InFlight>) +
            (pending_.capacity() + batch_.capacity()) * sizeof(Pending) +
            solve_vehicles_.capacity() * sizeof(PlannerVehicle) + vehicle_index_.memory_bytes() +
            index_nodes_.capacity() * sizeof(NodeId) + (legs_ ? legs_->memory_bytes() : 0);
        for (const std::vector<InFlight>& f : flight_) {
            bytes += f.capacity() * sizeof(InFlight);
        }
        return bytes;
    }

  private:
    // what the cloud knows of a vehicle: its last report that reached it (these structs are
    // saved field by field: a new field must be saved and loaded too)
    struct Known {
        VehicleView view;  // view.plan unused: `plan`
        Plan plan;
        bool takes_work = true;
        sim::Tick at = 0;
    };
    // an award sent to a vehicle that its last report did not show yet
    struct InFlight {
        OrderMsg order;
        sim::Tick sent = 0;
    };
    // an order the cloud holds, and since when (a request older than cloud.timeout_s has
    // been asked again or given up by its depot)
    struct Pending {
        OrderMsg order;
        sim::Tick received = 0;
        std::uint32_t vehicle = 0;  // batch_ only: the planned vehicle
    };
    static_assert(sizeof(Known) == 72 + sizeof(Plan) + 16 && sizeof(InFlight) == 40 &&
                  sizeof(Pending) == 48);

    template <class T>
    static std::vector<OrderMsg> orders_of(const std::vector<T>& items) {
        std::vector<OrderMsg> orders;
        orders.reserve(items.size());
        for (const T& item : items) {
            orders.push_back(item.order);
        }
        return orders;
    }
    static void save_held(sim::StateArchive& ar, std::string_view name,
                          const std::vector<Pending>& held) {
        const auto s = ar.scope(name);
        save_orders(ar, "order", orders_of(held));
        ar.put_field("received", held, &Pending::received);
        ar.put_field("vehicle", held, &Pending::vehicle);
    }
    [[nodiscard]] std::vector<Pending> load_held(const sim::StateArchive& ar,
                                                 std::string_view name) const {
        const auto s = ar.scope(name);
        const std::vector<OrderMsg> orders = load_orders(ar, "order", depots_);
        std::vector<Pending> held(orders.size());
        for (std::size_t i = 0; i < held.size(); ++i) {
            held[i].order = orders[i];
        }
        ar.get_field("received", held, &Pending::received);
        ar.get_field("vehicle", held, &Pending::vehicle);
        return held;
    }

    // what the dispatcher's LP writes: the awards in flight, the orders held, the solve's state
    struct Dispatcher {
        std::vector<std::vector<InFlight>> flight;
        std::vector<Pending> pending;
        std::vector<Pending> batch;
        std::uint32_t start_generation = 0;
        bool solving = false;
        bool fresh = false;
    };
    void save_dispatcher(sim::StateArchive& ar) const {
        ar.put_value("start_generation", start_generation_);
        ar.put_value("solving", static_cast<std::uint8_t>(solving_ ? 1 : 0));
        ar.put_value("fresh", static_cast<std::uint8_t>(fresh_ ? 1 : 0));
        {
            // by vehicle: a count each, then the awards flat
            const auto s = ar.scope("flight");
            std::vector<std::uint32_t> count;
            std::vector<InFlight> flat;
            for (const std::vector<InFlight>& f : flight_) {
                count.push_back(static_cast<std::uint32_t>(f.size()));
                flat.insert(flat.end(), f.begin(), f.end());
            }
            ar.put("count", count);
            save_orders(ar, "order", orders_of(flat));
            ar.put_field("sent", flat, &InFlight::sent);
        }
        save_held(ar, "pending", pending_);
        save_held(ar, "batch", batch_);
    }
    [[nodiscard]] Dispatcher load_dispatcher(const sim::StateArchive& ar) const {
        const std::size_t n = known_.size();
        Dispatcher out;
        out.start_generation = ar.get_value<std::uint32_t>("start_generation");
        out.solving = ar.get_value<std::uint8_t>("solving") != 0;
        out.fresh = ar.get_value<std::uint8_t>("fresh") != 0;
        out.flight.resize(n);
        {
            const auto s = ar.scope("flight");
            std::vector<std::uint32_t> count;
            ar.get("count", count, n);
            std::size_t total = 0;
            for (const std::uint32_t c : count) {
                total += c;
            }
            const std::vector<OrderMsg> orders = load_orders(ar, "order", depots_, total);
            std::vector<InFlight> flat(total);
            ar.get_field("sent", flat, &InFlight::sent);
            std::size_t next = 0;
            for (std::size_t v = 0; v < n; ++v) {
                for (std::uint32_t i = 0; i < count[v]; ++i, ++next) {
                    out.flight[v].push_back({orders[next], flat[next].sent});
                }
            }
        }
        out.pending = load_held(ar, "pending");
        out.batch = load_held(ar, "batch");
        for (const Pending& p : out.batch) {
            check_index("batch/vehicle", "vehicle", p.vehicle, n);
        }
        return out;
    }
    void take(Dispatcher&& d) {
        flight_ = std::move(d.flight);
        pending_ = std::move(d.pending);
        batch_ = std::move(d.batch);
        start_generation_ = d.start_generation;
        solving_ = d.solving;
        fresh_ = d.fresh;
    }

    void report(AllocationHost& host, std::uint32_t v, sim::Tick t) {
        const VehicleView view = host.vehicle_view(v, t);
        Known& k = known_[v];
        k.view = view;
        k.view.plan = nullptr;
        k.plan = *view.plan;
        k.takes_work = host.takes_work(v);
        k.at = t;
        // awards the report shows, or that reached the vehicle before it (accepted,
        // rejected or revoked), are in the report
        const FleetSpec& spec = host.spec();
        const sim::Tick hop =
            oracle_ ? spec.lookahead()
                    : std::max(host.link().delay(comms::Link::kCloud, sizeof(OrderMsg)),
                               spec.lookahead());
        std::vector<InFlight>& f = flight_[v];
        std::erase_if(f, [&](const InFlight& a) {
            if (a.sent + hop < t) {
                return true;
            }
            for (std::uint32_t i = 0; i < k.plan.size; ++i) {
                if (k.plan.entries[i].depot == a.order.depot &&
                    k.plan.entries[i].order == a.order.order()) {
                    return true;
                }
            }
            return false;
        });
    }

    void on_request(AllocationHost& host, sim::Context& ctx, const OrderMsg& m) {
        // a depot asking again replaces its earlier request of the order
        const auto same = std::find_if(pending_.begin(), pending_.end(), [&m](const Pending& p) {
            return p.order.depot == m.depot && p.order.order() == m.order();
        });
        if (same != pending_.end()) {
            same->order = m;
            same->received = ctx.now();
        } else {
            pending_.push_back({m, ctx.now(), 0});
        }
        if (solving_) {
            fresh_ = true;  // for the next solve
            return;
        }
        start_solve(host, ctx);
    }

    // plans the pending orders on what the cloud knows now; the awards go out when the
    // solve's modelled time is over
    void start_solve(AllocationHost& host, sim::Context& ctx) {
        const FleetSpec& spec = host.spec();
        const sim::Tick now = ctx.now();
        const sim::Tick stale = spec.time.from_seconds(spec.cloud.timeout_s);
        std::erase_if(pending_, [&](const Pending& p) { return now - p.received > stale; });
        ++start_generation_;
        fresh_ = false;
        if (pending_.empty()) {
            return;
        }
        // every vehicle's row rewritten in place: a fresh vector per solve (zeroed pages, 216
        // bytes a vehicle) was most of a small solve's time at 10k vehicles
        std::vector<PlannerVehicle>& vehicles = solve_vehicles_;
        vehicles.resize(known_.size());
        for (std::uint32_t v = 0; v < known_.size(); ++v) {
            const Known& k = known_[v];
            PlannerVehicle& pv = vehicles[v];
            pv.view = k.view;
            pv.plan = k.plan;
            pv.usable = k.takes_work &&
                        k.plan.size + flight_[v].size() < spec.allocation.max_plan &&
                        (oracle_ || !host.radio_blocked(host.board().entry(v).position));
            if (!pv.usable) {
                continue;
            }
            for (const InFlight& a : flight_[v]) {
                pv.plan.entries[pv.plan.size++] = PlanEntry::of(a.order);
            }
        }
        std::vector<OrderMsg> orders;
        orders.reserve(pending_.size());
        for (const Pending& p : pending_) {
            orders.push_back(p.order);
        }
        PlannerOptions options;
        options.candidates = spec.cloud.candidates;
        update_vehicle_index(spec, vehicles, vehicle_index_, index_nodes_);
        options.vehicles_index = &vehicle_index_;
        if (legs_) {
            legs_->rebind(host.router(ctx), host.roads_now(ctx));
        } else {
            legs_.emplace(host.router(ctx), host.roads_now(ctx), &spec.speed_profile);
        }
        options.legs = &*legs_;
        const PlannerResult plan = plan_batch(spec, vehicles, orders, now, options);
        // the awards wait for the end of the solve; the orders left over stay pending
        batch_.clear();
        std::vector<std::uint8_t> planned(pending_.size(), 0);
        for (const auto& [o, v] : plan.awards) {
            batch_.push_back({pending_[o].order, pending_[o].received, v});
            planned[o] = 1;
        }
        std::vector<Pending> rest;
        for (std::size_t i = 0; i < pending_.size(); ++i) {
            if (planned[i] == 0) {
                rest.push_back(pending_[i]);
            }
        }
        pending_.swap(rest);
        solving_ = true;
        const double s = spec.cloud.solve_base_s +
                         spec.cloud.solve_per_order_s * static_cast<double>(orders.size()) +
                         spec.cloud.solve_per_eval_s * static_cast<double>(plan.evaluations);
        const sim::Tick took = oracle_ ? 1 : std::max<sim::Tick>(1, spec.time.from_seconds(s));
        ctx.schedule_self(took, protocol_msg(kSolve));
    }

    void on_solved(AllocationHost& host, sim::Context& ctx) {
        solving_ = false;
        const bool link = oracle_ || host.conditions().cloud_up();
        for (const Pending& a : batch_) {
            const Point where = host.board().entry(a.vehicle).position;
            if (!link || (!oracle_ && host.radio_blocked(where))) {
                // the award cannot go out: planned again with the next solve
                pending_.push_back(a);
                continue;
            }
            // a lost award: the depot asks again after cloud.timeout_s
            flight_[a.vehicle].push_back({a.order, ctx.now()});
            host.send(ctx, host.vehicle_lp(a.vehicle), type_of(Msg::kAward),
                      sim::Payload::of(a.order), where);
        }
        batch_.clear();
        if (pending_.empty()) {
            return;
        }
        if (fresh_ && link) {
            start_solve(host, ctx);  // orders came in during the solve
            return;
        }
        // only orders that fit nowhere (or no link): try again after the retry backoff
        // unless a new order starts a solve first
        const FleetSpec& spec = host.spec();
        AnswerMsg gen;
        gen.order = ++start_generation_;
        ctx.schedule_self(spec.time.from_seconds(spec.allocation.retry_backoff_s),
                          protocol_msg(kStart), sim::Payload::of(gen));
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

    bool oracle_ = false;
    // the dispatcher's state: only its LP touches it, and on_board between windows
    std::vector<Known> known_;
    std::vector<std::vector<InFlight>> flight_;
    std::vector<Pending> pending_;  // orders held, not in the solve under way
    std::vector<Pending> batch_;    // the awards of the solve under way
    bool solving_ = false;
    bool fresh_ = false;  // orders came in during the solve under way
    std::uint32_t start_generation_ = 0;
    std::uint64_t builds_ = 0;
    std::uint32_t depots_ = 0;  // the spec's depot count (checks what load reads)
    // scratch, not state (every solve brings them up to date from what the cloud knows; not
    // saved): the planner's vehicles, and their positions indexed (update_vehicle_index)
    std::vector<PlannerVehicle> solve_vehicles_;
    world::PointGrid vehicle_index_;
    std::vector<NodeId> index_nodes_;
    // the legs routed for earlier solves under the roads as the cloud last knew them (a cache:
    // the same plans without it)
    std::optional<RoutedLegs> legs_;
};
// the members save() and load() know of (and the scratch above): a new one must be saved and
// loaded too
static_assert(sizeof(CloudProtocol) == 160 + sizeof(world::PointGrid) +
                                           sizeof(std::vector<NodeId>) +
                                           sizeof(std::optional<RoutedLegs>),
              "a new member? save and load it (checkpoints)");
static_assert(sizeof(VehicleView) == 72, "a new VehicleView field? the cloud saves what it knows");
}  // namespace

std::unique_ptr<AllocationProtocol> make_cloud_protocol() {
    return std::make_unique<CloudProtocol>(false);
}

std::unique_ptr<AllocationProtocol> make_oracle_protocol() {
    return std::make_unique<CloudProtocol>(true);
}

}  // namespace swarm::agents
