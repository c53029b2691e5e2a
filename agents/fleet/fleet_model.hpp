// The fleet as logical processes: each depot LP is followed by the LPs of the vehicles based
// there (LpLayout). Depots create orders (logistics::DemandProcess on their own random
// substream) and keep them in a logistics::OrderBook, offer them to nearby vehicles, award
// them by the allocation policy and serve loading docks and charging points as FIFO
// queues. Vehicles bid, drive (one event per node reached), load, deliver, return and charge.
// All interaction is by kernel messages with a delay of at least the lookahead; the only
// shared state, the FleetBoard, changes at barriers. See docs/fleet.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "agents/comms/conditions.hpp"
#include "agents/comms/counters.hpp"
#include "agents/fleet/fleet_board.hpp"
#include "agents/fleet/fleet_learning.hpp"
#include "agents/fleet/fleet_spec.hpp"
#include "agents/fleet/fleet_state.hpp"
#include "agents/fleet/fleet_tally.hpp"
#include "agents/fleet/fleet_world.hpp"
#include "agents/fleet/messages.hpp"
#include "agents/fleet/protocol.hpp"
#include "agents/logistics/demand.hpp"
#include "agents/logistics/kpi.hpp"
#include "agents/routing/router.hpp"
#include "agents/world/strongly_connected.hpp"
#include "sim/engine.hpp"

namespace swarm::agents {

// A broken rule of the model (an impossible state transition, a message in the wrong
// state): a bug, never a recoverable condition.
class FleetModelError : public std::logic_error {
    using std::logic_error::logic_error;
};

// Demand zones: customer nodes within the zone radius of each depot (node ids, ascending).
std::vector<std::vector<NodeId>> demand_zones(const FleetSpec& spec);

// Random substreams of the model (the kernel's per-LP stream is substream 0).
inline constexpr std::uint32_t kDemandSubstream = 1;
// per-LP: lost cloud messages (requests, awards), apart from the LP's own stream so that
// the loss of one message does not shift the draws of anything else (dock times, offers)
inline constexpr std::uint32_t kCloudSubstream = 3;
// streams of barrier-time draws (beyond any LP id): disruption schedule, apply, gossip
inline constexpr std::uint32_t kScheduleStream = 0xFFFFFF00u;
inline constexpr std::uint32_t kApplyStream = 0xFFFFFF01u;
inline constexpr std::uint32_t kGossipStream = 0xFFFFFF02u;
inline constexpr std::uint32_t kFailureStream = 0xFFFFFF03u;
// barrier-time road news through the cloud, per gossip round (0xFFFFFF10: the cloud
// protocol's telemetry)
inline constexpr std::uint32_t kCloudNewsStream = 0xFFFFFF11u;

// One finished edge (ground) or straight leg (drone), when the leg log is on.
struct LegRecord {
    NodeId from = world::kNoNode;
    NodeId to = world::kNoNode;
    EdgeId edge = world::kNoEdge;  // kNoEdge for drones
    sim::Tick start = 0;
    sim::Tick end = 0;
    double metres = 0.0;
};

class FleetModel final : public sim::Model {
  public:
    // routers: the factory the per-partition routers come from (must outlive the model)
    FleetModel(const FleetSpec& spec, const routing::RouterFactory& routers);
    // the engine, observers and the order books' journals hold on to it: neither copied nor
    // moved
    FleetModel(const FleetModel&) = delete;
    FleetModel& operator=(const FleetModel&) = delete;
    ~FleetModel() override;

    // what the engine needs: LP count and lookahead; the seed and partitions are the caller's
    [[nodiscard]] sim::EngineConfig engine_config(std::uint64_t seed,
                                                  std::size_t partitions = 0) const;

    // makes one router per partition, builds the first FleetBoard, registers its rebuild and
    // the fleet-time accounting of the KPI series as barrier actions and injects each
    // depot's first order arrival. Call once, before run.
    void attach(sim::Engine& engine);

    void handle(sim::Context& ctx, const sim::Event& event) override;
    // a vehicle's records (VehicleHot, VehicleWarm) into the cache before its event runs
    void prefetch(sim::LpId lp) const override;

    // Checkpoints (docs/checkpoints.md). save(): at a barrier, the world, the protocol's and
    // the learning's state, under the archive's current scope ("world", "protocol",
    // "learning"). resume(): instead of attach(), into a model made from the same spec: sets
    // up what attach() sets up, loads that state and the kernel's (Engine::restore from the
    // archive's "kernel" group), and makes the pending barrier actions again from their keys:
    // its own, and those of kinds from sim::ActionKey::kFrontEnd on with `front_end`.
    void save(sim::StateArchive& ar) const;
    void resume(sim::Engine& engine, const sim::StateArchive& ar,
                const sim::Engine::ActionMaker& front_end = {});

    // checks every depot's OrderBook (check_conservation: created = delivered + failed +
    // open, each order in exactly one state, KPI counters agree); throws FleetModelError
    // with the report's message when violated
    void finish(const sim::Engine& engine) const;

    // where vehicle v is at tick t (interpolated along its edge or leg)
    [[nodiscard]] Point position_at(std::uint32_t v, sim::Tick t) const;

    [[nodiscard]] const FleetSpec& spec() const { return spec_; }
    // everything of the run that changes as it runs (fleet_world.hpp)
    [[nodiscard]] const FleetWorld& world() const { return world_; }
    [[nodiscard]] const FleetState& vehicles() const { return world_.vehicles; }
    [[nodiscard]] const DepotState& depot(std::uint32_t d) const { return world_.depots[d]; }
    [[nodiscard]] const FleetBoard& board() const { return world_.board; }
    // the allocation protocol of the run (policies.allocation)
    [[nodiscard]] const AllocationProtocol& protocol() const { return *protocol_; }
    [[nodiscard]] AllocationProtocol& protocol() { return *protocol_; }  // load() (checkpoints)
    [[nodiscard]] std::uint32_t depot_count() const { return spec_.depot_count(); }
    [[nodiscard]] std::uint32_t vehicle_count() const {
        return static_cast<std::uint32_t>(world_.vehicles.size());
    }
    [[nodiscard]] const LpLayout& layout() const { return layout_; }
    [[nodiscard]] sim::LpId depot_lp(std::uint32_t d) const { return layout_.depot_lp(d); }
    [[nodiscard]] sim::LpId vehicle_lp(std::uint32_t v) const { return layout_.vehicle_lp(v); }
    [[nodiscard]] const std::vector<NodeId>& zone(std::uint32_t d) const {
        return demand_[d].zone().nodes;
    }
    [[nodiscard]] const DemandProcess& demand(std::uint32_t d) const { return demand_[d]; }

    // what vehicle v knows of itself at t (its plan, position, energy), as bids see it
    [[nodiscard]] VehicleView vehicle_view(std::uint32_t v, sim::Tick t) const {
        return view(v, t);
    }
    // vehicle v's counters with the time of its current state up to t added (t >= the time
    // of its last state change)
    [[nodiscard]] FleetCounters vehicle_counters(std::uint32_t v, sim::Tick t) const;
    // the sum of vehicle_counters(v, t) over all vehicles, and the tallies it comes from (of
    // the vehicles of one KPI group, or of all): kept as the vehicles change, so that reading
    // them costs the partitions and groups, not the vehicles (fleet_tally.hpp). A KPI group is
    // the fleets of one fleet_kpi_id (kpi_observer.hpp), numbered in the order they first
    // appear in spec().fleets.
    [[nodiscard]] FleetCounters fleet_counters(sim::Tick t) const { return fleet_tally().at(t); }
    [[nodiscard]] FleetTally group_tally(std::size_t group) const;
    [[nodiscard]] FleetTally fleet_tally() const;
    [[nodiscard]] std::size_t kpi_group(std::size_t fleet) const { return fleet_group_[fleet]; }
    // the fleet columns of the KPI series (busy and accounted vehicle time per interval),
    // recorded at every interval boundary, plus the running interval up to t
    [[nodiscard]] KpiSeries fleet_series(sim::Tick t) const;
    [[nodiscard]] sim::Tick kpi_interval() const { return kpi_interval_; }
    // model memory (vehicle and depot state, board, zones), excluding network and routers
    [[nodiscard]] FleetMemory memory() const;
    [[nodiscard]] std::size_t memory_bytes() const { return memory().total(); }

    // For one follower that samples the fleet at barriers (the trace observer): what changed
    // since its last call, so that it copies news, not the whole fleet. follow_changes()
    // (before the run) turns the order books' journals on; take_changes() then lists, and
    // clears, the vehicles whose state, node, leg, load or energy changed (ascending; all of
    // them the first time) and per depot the orders created or moved since (by depot, each
    // depot's in the order it happened; an order can appear more than once). A second
    // follow_changes() throws FleetModelError. Across processes every process follows and
    // takes the changes at the same samples (the trace's rank writes, the others drop them):
    // a sync's records then carry the changes of the LPs that ran elsewhere (a vehicle's
    // flags, a depot's journal entries since its last record), so that each process sees
    // what one process would.
    struct Changes {
        std::vector<std::uint32_t> vehicles;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> orders;  // (depot, order index)
    };
    void follow_changes();
    void take_changes(Changes& out);

    // records every finished leg per vehicle (tests, traces); off by default
    void enable_leg_log(bool on) { leg_log_.assign(on ? world_.vehicles.size() : 0, {}); }
    [[nodiscard]] const std::vector<LegRecord>& leg_log(std::uint32_t v) const {
        return leg_log_.at(v);
    }

    // Applies a disruption now. Only from a barrier action (Engine::at / every) after
    // attach(), at the barrier's time; the scenario's schedule uses the same path.
    void apply(const DisruptionAction& action, sim::Tick now);
    [[nodiscard]] const RoadState& roads() const { return world_.roads; }
    [[nodiscard]] bool depot_up(std::uint32_t d) const { return world_.depot_up[d] != 0; }
    [[nodiscard]] bool cloud_up() const { return world_.conditions.cloud_up(); }
    [[nodiscard]] const comms::CommsConditions& comms_conditions() const {
        return world_.conditions;
    }
    // per-agent message counters: vehicles 0 .. V-1, then depots, then the cloud
    [[nodiscard]] const comms::MessageCounters& message_counters() const { return world_.counters; }
    [[nodiscard]] comms::AgentIndex depot_agent(std::uint32_t d) const {
        return vehicle_count() + d;
    }
    [[nodiscard]] comms::AgentIndex cloud_agent() const { return vehicle_count() + depot_count(); }
    [[nodiscard]] const std::vector<AppliedDisruption>& disruption_log() const {
        return world_.disruption_log;
    }
    // messages and bytes over the air, all agents (vehicles, depots, cloud)
    [[nodiscard]] comms::MessageTotals comms_totals() const { return world_.counters.totals(); }
    [[nodiscard]] std::uint32_t agent_count() const {
        return vehicle_count() + depot_count() + (needs_.dispatcher ? 1 : 0);
    }
    // whether p is inside an active radio blackout
    [[nodiscard]] bool radio_blocked(Point p) const { return !world_.conditions.radio_ok(p); }

    // operational learning (docs/fleet-learning.md); nullptr when the spec has none
    [[nodiscard]] const FleetLearning* learning() const { return learning_.get(); }
    // keeps every model transfer until taken (trace links); before or after attach()
    void keep_model_exchange_log(bool on) {
        keep_exchange_log_ = on;
        if (learning_) {
            learning_->keep_exchange_log(on);
        }
    }
    void take_model_exchanges(std::vector<FleetLearning::Exchange>& out) {
        if (learning_) {
            learning_->take_exchanges(out);
        }
    }

    // Across processes (docs/distributed.md): every process holds the whole world and runs
    // its own LPs' events; at each barrier with actions due the entries of LPs that ran are
    // sent to the other processes (sync_replicas, the engine's barrier hook set by attach).
    // Call sync_replicas() once more on every process before reading the world after a run
    // (the final sample, the KPIs).
    struct ReplicaStats {
        std::uint64_t syncs = 0;               // syncs (all-gathers)
        std::uint64_t vehicle_records = 0;     // rows this process sent
        std::uint64_t depot_records = 0;       // depot states this process sent
        std::uint64_t dispatcher_records = 0;  // the dispatcher's (cloud, oracle)
        std::uint64_t bytes_sent = 0;
    };
    void sync_replicas();
    [[nodiscard]] bool replicated() const { return replicated_; }
    [[nodiscard]] const ReplicaStats& replica_stats() const { return replicas_; }

    // test hooks: mutable access to a depot (e.g. to break its book on purpose)
    DepotState& depot_for_test(std::uint32_t d) { return world_.depots[d]; }
    // after every board rebuild, compares each vehicle's row with one computed afresh and
    // throws FleetModelError when one is stale (a change that forgot FleetState::touch)
    void check_board_for_test(bool on) { check_board_ = on; }
    // vehicles per parallel chunk of the barrier phases (board rows, road news; default
    // 4096), so that tests of small fleets reach the parallel paths
    void phase_chunk_for_test(std::size_t vehicles) { phase_chunk_ = vehicles > 0 ? vehicles : 1; }
    // the believed road views held now, all partitions (one per set of known road events in
    // use and partition; freed at a board rebuild once no vehicle holds their set)
    [[nodiscard]] std::size_t believed_views() const;
    // keeps every view for the run instead (the results are the same either way)
    void keep_views_for_test(bool on) { keep_views_ = on; }

  private:
    // depots
    void on_demand(sim::Context& ctx, std::uint32_t d);
    // opens a new allocation round of order o and hands it to the protocol
    void allocate(sim::Context& ctx, std::uint32_t d, std::uint32_t o);
    // the order waits and is allocated again after policies.retry_backoff_s
    void retry_later(sim::Context& ctx, std::uint32_t d, std::uint32_t o);
    // a vehicle found no route for the order under what it knows: it is held, offered again
    // after policies.retry_backoff_s, and failed as unreachable if nobody took it by its due
    // time (docs/inputs.md, "Unreachable orders")
    void hold_unreachable(sim::Context& ctx, std::uint32_t d, std::uint32_t o);
    void schedule_retry(sim::Context& ctx, std::uint32_t d, std::uint32_t o);
    // its priority (ReplayOrder::priority, 0 for drawn orders)
    [[nodiscard]] std::uint8_t priority(std::uint32_t d, std::uint32_t o) const;
    // no longer counted among the depot's orders waiting for a vehicle
    void stop_waiting(std::uint32_t d, std::uint32_t o);
    void on_retry(sim::Context& ctx, std::uint32_t d, std::uint32_t o);
    void on_accept(sim::Context& ctx, std::uint32_t d, const AnswerMsg& a);
    void on_reject(sim::Context& ctx, std::uint32_t d, const AnswerMsg& a);
    void on_dock_request(sim::Context& ctx, std::uint32_t d, const DockMsg& m);
    void on_dock_done(sim::Context& ctx, std::uint32_t d, const sim::Customer& job);
    void on_delivered(std::uint32_t d, const DeliveredMsg& m);
    void on_charge_request(sim::Context& ctx, std::uint32_t d, const ChargeMsg& m);
    void on_charge_done(sim::Context& ctx, std::uint32_t d, const ChargeMsg& m);
    void begin_dock(sim::Context& ctx, std::uint32_t d, std::uint32_t job);
    void begin_charge(sim::Context& ctx, std::uint32_t d, const sim::Customer& c);
    [[nodiscard]] OrderMsg order_msg(std::uint32_t d, std::uint32_t o) const;
    // an order's own fields as messages carry them (customer, size, hand-over, priority,
    // window); depot, index and round are the caller's
    [[nodiscard]] OrderMsg describe(const Order& o) const;
    // the next order of depot d's book, with its allocation state; std::length_error past
    // the index an order message can carry
    OrderId new_order(std::uint32_t d, const Order& o);
    // an order's hand-over time (OrderMsg::service_s) in ticks
    [[nodiscard]] sim::Tick service_ticks(std::uint16_t service_s) const;

    // vehicles
    // dispatched: from the dispatcher LP, which plans on the roads as they are
    void on_award(sim::Context& ctx, std::uint32_t v, const OrderMsg& m, bool dispatched);
    void on_arrive(sim::Context& ctx, std::uint32_t v);
    void on_loaded(sim::Context& ctx, std::uint32_t v, const DockMsg& m);
    // an order with a pick-up location of its own: the vehicle at that location loads it
    // (waits for its opening, its pick-up service), then tells the depot, which confirms
    void begin_pick_up(sim::Context& ctx, std::uint32_t v);
    void on_pick_up_done(sim::Context& ctx, std::uint32_t v, const PickUpMsg& m);
    void on_pick_up(sim::Context& ctx, std::uint32_t d, const PickUpMsg& m);
    // whether depot d's order o is loaded at a pick-up location of its own
    [[nodiscard]] bool picked_up_elsewhere(std::uint32_t d, std::uint32_t o) const;
    void on_ready(sim::Context& ctx, std::uint32_t v, const VehicleMsg& m);
    void on_service_done(sim::Context& ctx, std::uint32_t v, const VehicleMsg& timer);
    // the vehicle's breakdown count, which tells replies and timers from before a breakdown
    [[nodiscard]] std::uint16_t epoch(std::uint32_t v) const {
        return static_cast<std::uint16_t>(world_.vehicles.hot[v].counters.breakdowns);
    }
    // a Ready or ServiceDone of vehicle v, `delay` from now
    void schedule_handover(sim::Context& ctx, std::uint32_t v, sim::Tick delay, Msg m);
    void on_charged(sim::Context& ctx, std::uint32_t v);
    // disruptions and self-healing
    void on_break(sim::Context& ctx, std::uint32_t v);
    void on_repair(sim::Context& ctx, std::uint32_t v);
    void on_rehome(sim::Context& ctx, std::uint32_t v);
    void on_revoke(sim::Context& ctx, std::uint32_t v, const OrderMsg& m);
    void on_depot_down(sim::Context& ctx, std::uint32_t d);
    void on_orphan(sim::Context& ctx, std::uint32_t d, const AnswerMsg& a);
    void on_lost(sim::Context& ctx, std::uint32_t d, const AnswerMsg& a);
    void on_forward(sim::Context& ctx, std::uint32_t d, const OrderMsg& m);
    // predictive maintenance
    void on_service_due(sim::Context& ctx, std::uint32_t v);
    void begin_service(sim::Context& ctx, std::uint32_t v);
    void on_serviced(sim::Context& ctx, std::uint32_t v);
    // one learning round at a barrier: wear, sensing, training, model exchange, decisions
    void learning_round(sim::Engine& engine, sim::Tick t);
    void exchange_models();
    void take_order(sim::Context& ctx, std::uint32_t d, const Order& drawn);
    // an order arriving at depot d (drawn or replayed): taken while the depot is up, else
    // forwarded to the nearest open depot, or failed when none is open
    void arrive_order(sim::Context& ctx, std::uint32_t d, const Order& o);
    // replayed orders (fleet_model_replay.cpp): each depot's first release, then its releases
    void schedule_replay(sim::Engine& engine);
    void on_replay(sim::Context& ctx, std::uint32_t d);
    void fail_and_revoke(sim::Context& ctx, std::uint32_t d, std::uint32_t o, FailReason why);
    // the vehicle cannot reach its current target under what it knows
    void unreachable(sim::Context& ctx, std::uint32_t v);
    // a vehicle holding a loaded order it could not route to tries again
    void on_route_retry(sim::Context& ctx, std::uint32_t v, const VehicleMsg& m);
    // whether vehicle v, under what it knows of the roads, can drive to where the order is
    // loaded (its depot or pick-up location) and from there to its customer (drones and vehicles
    // that know of no road event: yes, without routing)
    [[nodiscard]] bool can_reach(std::size_t partition, std::uint32_t v, const OrderMsg& m);
    // drops plan entry i (not loaded) and tells nobody
    void drop_entry(std::uint32_t v, std::uint32_t i);
    // barrier-time work: knowledge spread, schedule
    void share_knowledge(sim::Tick t);
    void schedule_disruptions(sim::Engine& engine);
    // The model's barrier actions, by key (FleetAction), so that a resumed run makes the
    // pending ones again: the one place their closures are made.
    [[nodiscard]] sim::Engine::BarrierAction make_action(const sim::ActionKey& key);
    void at(sim::Engine& engine, sim::Tick t, const sim::ActionKey& key) {
        engine.at(t, make_action(key), key);
    }
    // set up for a run, shared by attach() and resume(): routers, views, the protocol
    void prepare(sim::Engine& engine);
    // across processes: sets the barrier hook
    void start_replicas(sim::Engine& engine);
    // sends this process's records (vehicles; depots too when `depots`) unless nothing ran
    // since the last sync of their kind (`windows`: the engine's window count, global)
    void sync_replicas(std::uint64_t windows, bool depots);
    // a resumed run under another protocol than its checkpoint's: every order still being
    // allocated by the old one is offered again now (docs/checkpoints.md)
    void hand_over(sim::Engine& engine, const sim::StateArchive& ar);
    void schedule_failures(sim::Engine& engine, std::size_t spec_index, std::uint32_t v,
                           sim::Tick from, std::uint64_t draw);
    [[nodiscard]] std::uint32_t nearest_open_depot(std::uint32_t d) const;
    // what vehicle v believes of the roads, as a router view (cached per partition)
    [[nodiscard]] const routing::RouteView& believed_view(std::size_t partition, std::uint32_t v);
    // the roads as they are: every road event so far known
    [[nodiscard]] const routing::RouteView& roads_now(std::size_t partition);
    [[nodiscard]] const routing::RouteView& view_of(std::size_t partition,
                                                    const KnownRoadEvents& known);
    struct BelievedView;
    // the cached view for `known` (nullptr when nothing is known: the open roads)
    BelievedView* believed_entry(std::size_t partition, const KnownRoadEvents& known);
    // at a barrier: frees the views of sets no vehicle holds (nor the roads as they are), once
    // the views held have doubled since the last time (one pass over the fleet then)
    void free_unused_views();
    void see_roads_leaving(std::size_t partition, std::uint32_t v, NodeId node);
    // the slowdown, or its end, on e that vehicle v (believing `believed`) has not heard of:
    // what driving e or seeing its traffic teaches it (RoadState::speed_news)
    [[nodiscard]] KnownRoadEvents speed_news(const routing::RouteView& believed, std::uint32_t v,
                                             EdgeId e) const;
    // decides and starts the vehicle's next activity from its plan
    void next_activity(sim::Context& ctx, std::uint32_t v);
    // heads for `target` in state `s`: starts a leg unless one is under way
    void drive_to(sim::Context& ctx, std::uint32_t v, NodeId target, VehicleState s);
    void start_leg(sim::Context& ctx, std::uint32_t v);
    void arrived(sim::Context& ctx, std::uint32_t v);
    void arrived_home(sim::Context& ctx, std::uint32_t v);
    // the one place a vehicle's state changes; throws FleetModelError on a forbidden move
    void set_state(sim::Context& ctx, std::uint32_t v, VehicleState s);
    // the tally vehicle v's changes in this partition go to (fleet_tally.hpp)
    [[nodiscard]] FleetTally& tally(const sim::Context& ctx, std::uint32_t v);
    // the tallies summed afresh from the vehicles (after a load wrote the vehicles wholesale:
    // tallies_stale_)
    void recount_tallies() const;
    // vehicle v's record joins (sign 1) or leaves (-1) the tallies (a replica's record from
    // another process replaces it), unless they are recounted at their next read anyway
    void tally_replica(std::uint32_t v, int sign);
    // vehicle v's KPI group
    [[nodiscard]] std::size_t group_of(std::uint32_t v) const;
    [[nodiscard]] VehicleView view(std::uint32_t v, sim::Tick now) const;
    [[nodiscard]] const VehicleType& type_of_vehicle(std::uint32_t v) const {
        return spec_.types[world_.vehicles.hot[v].type];
    }
    // sends a core or protocol message over the radio, or over the cloud link when either
    // end is the dispatcher LP; a cloud message can be lost (comms.cloud_loss and cloud loss
    // spikes at `where`, the agent's end), drawn from the sender's cloud-loss substream
    void send(sim::Context& ctx, sim::LpId dst, sim::EventType type, const sim::Payload& p,
              Point where = {});
    void send(sim::Context& ctx, sim::LpId dst, Msg m, const sim::Payload& p, Point where = {}) {
        send(ctx, dst, type_of(m), p, where);
    }
    // payload bytes on the air of a core or protocol message
    [[nodiscard]] std::uint32_t message_bytes(sim::EventType type) const;
    [[nodiscard]] std::string message_name(sim::EventType type) const;
    [[nodiscard]] comms::AgentIndex agent_of(sim::LpId lp) const;

    template <class Keep>
    [[nodiscard]] std::vector<std::uint32_t> select_vehicles(Keep&& keep) const;
    void rebuild_board(sim::Tick t);
    [[nodiscard]] FleetBoard::Entry board_row(std::uint32_t v, sim::Tick t) const;
    // the spot where vehicle v waits in a rank (idle at home: its depot), or none
    [[nodiscard]] std::uint32_t board_spot(std::uint32_t v) const;
    // the vehicles one follower has not seen change (ascending), clearing its flags
    void take_changed(std::uint8_t follower, std::vector<std::uint32_t>& out);
    // sums vehicle time up to t and books it into the fleet series' running interval
    void record_fleet_time(sim::Tick t);
    // busy and accounted vehicle time up to t (the tallies)
    void fleet_time(sim::Tick t, Tick& busy, Tick& accounted) const;

    // immutable: the spec and what is derived from it once
    const FleetSpec& spec_;
    const routing::RouterFactory& router_factory_;
    std::unique_ptr<AllocationProtocol> protocol_;  // keeps its own state
    AllocationProtocol::Needs needs_;
    std::vector<DemandProcess> demand_;  // by depot
    std::vector<NodeId> depot_node_;
    std::vector<std::uint32_t> base_home_;  // home depots as the spec set them
    LpLayout layout_;
    comms::LinkModel link_;
    sim::Tick lookahead_ = 0;
    sim::Tick backoff_ = 0;
    sim::Tick customer_service_ = 0;
    sim::Tick kpi_interval_ = 0;

    // the mutable world (fleet_world.hpp)
    FleetWorld world_;
    // operational learning, with its own state
    std::unique_ptr<FleetLearning> learning_;

    // what the protocol may see and do (fleet_protocol_host.hpp)
    class Host;
    friend class Host;
    std::unique_ptr<Host> host_;
    sim::Engine* engine_ = nullptr;

    // caches rebuilt from the world, scratch space, followers and test switches
    std::vector<std::unique_ptr<routing::Router>> routers_;  // one per partition
    // believed-road views per partition, keyed by the known events
    struct BelievedView {
        KnownRoadEvents known;
        std::uint64_t id = 0;  // view.id: its partition and its number there
        world::EdgeMask closed;
        std::vector<float> times;
        routing::RouteView view;
        // which nodes the open roads reach (can_reach: no search for a node behind a
        // closure), made when first asked; open_reach_ for a view that closes nothing
        std::shared_ptr<const world::OpenReach> reach;
    };
    // the reach of the roads with nothing closed, shared by every view that closes nothing
    // (slowdowns only): made at the first road event, at a barrier
    std::shared_ptr<const world::OpenReach> open_reach_;
    std::vector<std::vector<std::unique_ptr<BelievedView>>> views_;
    std::vector<std::uint64_t> views_made_;  // per partition: views built (their numbers)
    std::size_t views_free_at_ = 0;          // free_unused_views() works above this many
    bool keep_views_ = false;
    std::vector<FleetBoard::Entry> board_scratch_;  // new rows of board_refresh_
    std::vector<std::uint32_t> board_refresh_;      // vehicles whose rows are rebuilt
    std::vector<std::uint32_t> board_spots_;        // where they wait (FleetBoard ranks)
    std::vector<std::uint8_t> board_driving_;       // still on a leg after the rebuild's time
    std::vector<std::uint32_t> board_changed_;      // scratch: vehicles touched since then
    std::vector<std::vector<LegRecord>> leg_log_;
    std::vector<std::vector<std::uint32_t>> order_journals_;  // per depot (follow_changes)
    // across processes, per depot: its journal's entries already sent in a record
    std::vector<std::uint32_t> journal_sent_;
    std::vector<std::uint32_t> journal_delta_;  // scratch of a sync
    bool keep_exchange_log_ = false;
    bool check_board_ = false;
    // across processes: whether the world is replicated, and the LPs that ran since the last
    // sync (each written only by the worker running its LP)
    bool replicated_ = false;
    std::vector<std::uint8_t> lp_dirty_;
    std::uint64_t vehicles_synced_at_ = 0;  // the window count at the last sync of each kind
    std::uint64_t depots_synced_at_ = 0;
    ReplicaStats replicas_;
    std::size_t phase_chunk_ = 4096;  // vehicles per parallel chunk of a barrier phase
    // the vehicles' KPI counters summed as they change: one tally per (partition, KPI
    // group), partition-major; stale after the vehicles were written wholesale
    mutable std::vector<FleetTally> tallies_;
    mutable bool tallies_stale_ = true;
    std::size_t tally_partitions_ = 1;
    std::vector<std::uint32_t> fleet_end_;    // the first vehicle after each fleet of the spec
    std::vector<std::uint32_t> fleet_group_;  // the KPI group of each fleet of the spec
    std::size_t groups_ = 1;
    // the KPI group of each vehicle type, when each type is in one group only (else empty)
    std::vector<std::uint32_t> type_group_;
    static constexpr std::uint32_t kNoGroup = 0xFFFFFFFFu;
};

}  // namespace swarm::agents
