// Allocation protocols as plug-ins: who gets an order, decided by one class that owns its
// messages, its event handlers and its barrier hook, registered by name (protocol_registry.cpp).
// The core (FleetModel) runs depots and vehicles and offers its services to the protocol
// through AllocationHost; the protocol never sees the model's members. A new protocol is
// one file under agents/fleet/protocols/ plus one line in the registry
// (docs/protocols.md is the tutorial).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "agents/comms/conditions.hpp"
#include "agents/comms/counters.hpp"
#include "agents/fleet/allocation.hpp"
#include "agents/fleet/fleet_board.hpp"
#include "agents/fleet/fleet_spec.hpp"
#include "agents/fleet/fleet_state.hpp"
#include "agents/fleet/messages.hpp"
#include "agents/routing/router.hpp"
#include "sim/engine.hpp"
#include "sim/state_archive.hpp"

namespace swarm::agents {

// Event types from kProtocolMsgBase on belong to the run's protocol (one per run): its
// message `local` is event type kProtocolMsgBase + local.
inline constexpr sim::EventType kProtocolMsgBase = 64;
inline constexpr std::uint16_t kProtocolMsgCount = 64;
[[nodiscard]] constexpr sim::EventType protocol_msg(std::uint16_t local) {
    return static_cast<sim::EventType>(kProtocolMsgBase + local);
}

// Where a message arrived: a depot, a vehicle, or the protocol's own dispatcher LP.
using LpKind = LpLayout::Kind;

// What the core offers a protocol. Calls from event handlers act as the LP that runs the
// event (ctx); calls from the barrier hook run between windows, when no LP runs.
class AllocationHost {
  public:
    virtual ~AllocationHost() = default;

    [[nodiscard]] virtual const FleetSpec& spec() const = 0;
    // the vehicles as of the last board rebuild (all LPs read it; it changes at barriers)
    [[nodiscard]] virtual const FleetBoard& board() const = 0;
    // the rows the board was last built from, by vehicle (with free_at / free_node when the
    // protocol asked for plan estimates)
    [[nodiscard]] virtual std::span<const FleetBoard::Entry> board_rows() const = 0;
    [[nodiscard]] virtual std::uint32_t vehicle_count() const = 0;
    [[nodiscard]] virtual std::uint32_t depot_count() const = 0;
    [[nodiscard]] virtual sim::LpId depot_lp(std::uint32_t d) const = 0;
    [[nodiscard]] virtual sim::LpId vehicle_lp(std::uint32_t v) const = 0;
    // the protocol's own LP (Needs::dispatcher), reached over the cloud link
    [[nodiscard]] virtual sim::LpId dispatcher_lp() const = 0;
    [[nodiscard]] virtual Point depot_position(std::uint32_t d) const = 0;
    [[nodiscard]] virtual std::uint64_t seed() const = 0;

    // comms: the link model, the conditions (outages, blackouts, loss spikes) and the
    // per-agent counters (vehicles, then depots, then the cloud)
    [[nodiscard]] virtual const comms::LinkModel& link() const = 0;
    [[nodiscard]] virtual const comms::CommsConditions& conditions() const = 0;
    [[nodiscard]] bool radio_blocked(Point p) const { return !conditions().radio_ok(p); }
    virtual comms::MessageCounters& counters() = 0;
    [[nodiscard]] virtual comms::AgentIndex depot_agent(std::uint32_t d) const = 0;
    [[nodiscard]] virtual comms::AgentIndex cloud_agent() const = 0;
    // sends a message (a core Msg or a protocol_msg) from ctx's LP over the radio, or over
    // the cloud link when either end is the dispatcher LP (lost by comms.cloud_loss and loss
    // spikes at `where`, the agent's end); the delay is at least the lookahead
    virtual void send(sim::Context& ctx, sim::LpId dst, sim::EventType type, const sim::Payload& p,
                      Point where = {}) = 0;
    // an event at lp at time t from a barrier hook (t >= the barrier's time + lookahead)
    virtual void inject(sim::LpId lp, sim::Tick t, sim::EventType type, const sim::Payload& p) = 0;

    // orders: the depot's book and each order's allocation state (round, awarding)
    [[nodiscard]] virtual Order order(std::uint32_t d, std::uint32_t o) const = 0;
    // the order as offered and awarded: depot, index, customer, size, round, ready, due
    [[nodiscard]] virtual OrderMsg order_msg(std::uint32_t d, std::uint32_t o) const = 0;
    virtual AllocationState& allocation(std::uint32_t d, std::uint32_t o) = 0;
    // created, not awarded, not assigned: still waiting for the protocol
    [[nodiscard]] virtual bool open_for_bids(std::uint32_t d, std::uint32_t o) const = 0;
    virtual AllocationCounters& allocation_counters(std::uint32_t d) = 0;
    // the depot tries order o again after policies.retry_backoff_s (counted as a retry)
    virtual void retry_later(sim::Context& ctx, std::uint32_t d, std::uint32_t o) = 0;
    // the depot tries order o again now: fails it when past due, else allocates it anew
    virtual void retry_now(sim::Context& ctx, std::uint32_t d, std::uint32_t o) = 0;
    // from a barrier hook: order o is past due with nobody: put its stock back and fail it
    // (unreachable when a vehicle found no route for it, else for want of a vehicle)
    virtual void give_up(std::uint32_t d, std::uint32_t o, sim::Tick t) = 0;

    // vehicles: what vehicle v knows of itself at t (plan, position, energy), and whether it
    // takes new work at all (not broken, not due for service)
    [[nodiscard]] virtual VehicleView vehicle_view(std::uint32_t v, sim::Tick t) const = 0;
    [[nodiscard]] virtual bool takes_work(std::uint32_t v) const = 0;
    // whether vehicle v (ctx's LP) can route to the order's depot and on to its customer
    // under what it knows of the roads; one that cannot declines with reason kUnreachable,
    // and the depot holds the order (docs/inputs.md, "Unreachable orders")
    [[nodiscard]] virtual bool can_reach(sim::Context& ctx, std::uint32_t v, const OrderMsg& m) = 0;
    [[nodiscard]] virtual const VehicleType& vehicle_type(std::uint32_t v) const = 0;
    // vehicle v (ctx's LP) passed on an offer it was made (declined it, or claimed nothing):
    // at the next board rebuild it goes to the back of its depot's taxi rank (FleetBoard),
    // so that the next offers go to others
    virtual void passed(std::uint32_t v) = 0;

    // roads: the router of the LP that runs ctx (not shared with other threads) and the
    // roads as they are at this window, every road event included (the dispatcher hears of
    // them all: docs/disruptions.md)
    [[nodiscard]] virtual routing::Router& router(sim::Context& ctx) = 0;
    [[nodiscard]] virtual const routing::RouteView& roads_now(sim::Context& ctx) = 0;
};

// A problem a protocol finds in a spec before the run: its message and the scenario keys
// ("section.key") that cause it, for the scenario reader to point at.
struct SpecProblem {
    std::string message;
    std::vector<std::string> keys;
    bool warning = false;  // the run can go on, but something is likely wrong
};

// numbers in check messages as the scenario reader prints them (%.15g): "0.040181", "600"
std::string check_number(double v);
// a tick count as seconds: "0.040181 s"
std::string check_seconds(const FleetSpec& spec, sim::Tick t);

// What the protocol checks beyond FleetSpec::validate: settings under which it could never
// allocate an order. `run_s` is the run's length (0 when unknown).
struct SpecCheck {
    const FleetSpec& spec;
    double run_s = 0.0;
};

class AllocationProtocol {
  public:
    virtual ~AllocationProtocol() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;

    // What the protocol asks of the core before the run.
    struct Needs {
        // one more LP, the last, for a central dispatcher reached over the cloud link
        bool dispatcher = false;
        // board rows carry each vehicle's estimated free_at / free_node (costs a plan
        // estimate per vehicle at every board rebuild)
        bool plan_estimates = false;
        // the dispatcher's link is ideal: no loss, one lookahead each way, whatever the
        // comms settings and conditions (the oracle, a yardstick: docs/central-planner.md)
        bool ideal_cloud_link = false;
        // on_board reads the depots' books (across ranks their states are then synced
        // before every board rebuild, not only before samples: docs/distributed.md)
        bool board_reads_depots = false;
    };
    [[nodiscard]] virtual Needs needs() const { return {}; }
    [[nodiscard]] virtual std::vector<SpecProblem> check(const SpecCheck& /*c*/) const {
        return {};
    }

    // once, after the model is set up and the first board built
    virtual void attach(AllocationHost& /*host*/) {}
    // depot d has order o to allocate (new, retried, orphaned); the core has opened a new
    // round (allocation(d, o).round) with awarding = false
    virtual void allocate(AllocationHost& host, sim::Context& ctx, std::uint32_t d,
                          std::uint32_t o) = 0;
    // a message of the protocol (its local type) at a depot, vehicle or the dispatcher
    virtual void handle(AllocationHost& host, sim::Context& ctx, LpLayout::Entry at,
                        std::uint16_t type, const sim::Payload& p);
    // at every board rebuild, after the board and road knowledge are up to date
    virtual void on_board(AllocationHost& /*host*/, sim::Tick /*t*/) {}

    // everything of the protocol that changes during a run (checkpoints: docs/checkpoints.md),
    // under the archive's current scope; a stateless protocol implements them empty and says so
    virtual void save(sim::StateArchive& ar) const = 0;
    // into a protocol made for the same spec and attached (attach() ran); sizes are checked
    // (sim::CheckpointError naming the field)
    virtual void load(const sim::StateArchive& ar) = 0;

    // Across ranks (docs/distributed.md, "The fleet across ranks"): what the events of one LP
    // (a depot, or the dispatcher) write in the protocol's own state, which a barrier hook may
    // read. The rank that runs the LP saves it at the barriers' syncs, the others load it over
    // theirs. Nothing by default: state read only by the LP that writes it needs no record.
    virtual void save_lp(sim::StateArchive& /*ar*/, LpLayout::Entry /*at*/) const {}
    virtual void load_lp(const sim::StateArchive& /*ar*/, LpLayout::Entry /*at*/) {}

    // its messages: names (traces, errors) and payload bytes on the air (the link adds its
    // header); an unknown type is a bug
    [[nodiscard]] virtual std::string_view message_name(std::uint16_t type) const;
    [[nodiscard]] virtual std::uint32_t message_bytes(std::uint16_t type) const;
    // memory the protocol holds (model memory figures)
    [[nodiscard]] virtual std::size_t memory_bytes() const { return 0; }
};

// Building blocks for save and load: lists of orders and plans as one array per field under
// `name` ("<name>/key", "<name>/due", ...), columns an analyst can read, with no padding
// bytes to disturb a checksum.
void save_orders(sim::StateArchive& ar, std::string_view name, const std::vector<OrderMsg>& orders);
// the orders saved under `name`, each of a depot below `depots`: exactly `count` of them
// (kAnyCount: as many as were saved)
inline constexpr std::size_t kAnyCount = static_cast<std::size_t>(-1);
[[nodiscard]] std::vector<OrderMsg> load_orders(const sim::StateArchive& ar, std::string_view name,
                                                std::uint32_t depots,
                                                std::size_t count = kAnyCount);
// plans: "<name>/size" and "<name>/loaded" per plan, their entries' fields flat
void save_plans(sim::StateArchive& ar, std::string_view name, const std::vector<Plan>& plans);
// exactly `count` plans, each of at most kMaxPlan entries of depots below `depots`
[[nodiscard]] std::vector<Plan> load_plans(const sim::StateArchive& ar, std::string_view name,
                                           std::size_t count, std::uint32_t depots);
// an index read from field `name` (under the archive's scope) must be below what the run has
// (`count` of `what`: "vehicle"), else a CheckpointError naming the field
void check_index(std::string_view name, std::string_view what, std::uint64_t index,
                 std::uint64_t count);

// The registry: by name (or alias); std::invalid_argument listing the known names.
std::unique_ptr<AllocationProtocol> make_protocol(std::string_view name);
struct ProtocolInfo {
    std::string_view name;
    std::vector<std::string_view> aliases;
    std::string_view summary;
    std::unique_ptr<AllocationProtocol> (*make)();
};
const std::vector<ProtocolInfo>& protocols();
std::vector<std::string> protocol_names();  // names and aliases, as the registry lists them

}  // namespace swarm::agents
