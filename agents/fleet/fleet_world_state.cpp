#include "agents/fleet/fleet_world_state.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace swarm::agents {

// A new member is state to save: add it to save_world and load_world, then its size here.
// (Padding can hide a small new member from these sums: read the headers too.)
// (+2: FleetState::trace_blocks and board_blocks, derived from `changed`, are not saved)
static_assert(sizeof(FleetState) == 7 * sizeof(std::vector<std::uint8_t>),
              "FleetState changed: save and load the new member");
static_assert(sizeof(VehicleHot) == (sizeof(FleetCounters) + 5 * sizeof(std::int64_t) +
                                     5 * sizeof(std::uint32_t) + sizeof(std::uint16_t) + 2 + 127) /
                                        128 * 128,
              "VehicleHot changed: save and load the new member");
static_assert(sizeof(VehicleWarm) == (sizeof(std::vector<EdgeId>) + 2 * sizeof(std::int64_t) +
                                      4 * sizeof(std::uint32_t) + 2 + 63) /
                                         64 * 64,
              "VehicleWarm changed: save and load the new member");
static_assert(sizeof(FleetCounters) == 6 * sizeof(std::int64_t) + 4 * sizeof(std::uint32_t),
              "FleetCounters changed: save and load the new member");
static_assert(sizeof(Plan) == sizeof(PlanEntry) * kMaxPlan + 8,
              "Plan changed: save and load the new member");
static_assert(sizeof(SlotPool<DockMsg>) == 2 * sizeof(std::vector<std::uint32_t>),
              "SlotPool changed: save and load the new member");
static_assert(sizeof(AllocationState) == 8,
              "AllocationState changed: save and load the new member");
static_assert(sizeof(AllocationCounters) == 5 * sizeof(std::uint64_t),
              "AllocationCounters changed: save and load the new member");
static_assert(sizeof(DepotState) == (sizeof(OrderBook) + sizeof(ChunkedVector<AllocationState>) +
                                     sizeof(SlotPool<DockMsg>) + sizeof(SlotPool<ChargeMsg>) +
                                     2 * sizeof(sim::FifoStation) + 3 * sizeof(std::uint64_t) +
                                     sizeof(AllocationCounters) + 3 * sizeof(std::uint64_t) +
                                     sizeof(std::vector<std::uint32_t>) + 63) /
                                        64 * 64,
              "DepotState changed: save and load the new member");
static_assert(sizeof(AppliedDisruption) == 3 * sizeof(std::uint64_t) + sizeof(std::string) +
                                               sizeof(std::vector<std::uint32_t>) + sizeof(double),
              "AppliedDisruption changed: save and load the new member");
static_assert(sizeof(FleetTimeBook) == sizeof(KpiSeries) + 3 * sizeof(std::int64_t),
              "FleetTimeBook changed: save and load the new member");
static_assert(sizeof(FleetWorld) ==
                  sizeof(FleetState) + sizeof(FleetBoard) + sizeof(RoadState) +
                      sizeof(comms::CommsConditions) + sizeof(comms::MessageCounters) +
                      sizeof(KnownRoadEvents) + sizeof(FleetTimeBook) +
                      8 * sizeof(std::vector<std::uint8_t>) + 3 * sizeof(std::uint64_t),
              "FleetWorld changed: save and load the new member");

namespace {

using sim::StateArchive;

constexpr std::size_t kKnownWords = std::tuple_size_v<decltype(KnownRoadEvents::words)>;

// KnownRoadEvents as kKnownWords words per row
void put_known(StateArchive& ar, std::string_view name, const std::vector<KnownRoadEvents>& rows) {
    std::vector<std::uint64_t> words;
    words.reserve(rows.size() * kKnownWords);
    for (const KnownRoadEvents& k : rows) {
        words.insert(words.end(), k.words.begin(), k.words.end());
    }
    ar.put(name, words);
}

void get_known(const StateArchive& ar, std::string_view name, std::vector<KnownRoadEvents>& rows,
               std::size_t n) {
    std::vector<std::uint64_t> words;
    ar.get(name, words, n * kKnownWords);
    rows.assign(n, KnownRoadEvents{});
    for (std::size_t i = 0; i < n; ++i) {
        std::copy_n(words.begin() + static_cast<std::ptrdiff_t>(i * kKnownWords), kKnownWords,
                    rows[i].words.begin());
    }
}

// a per-vehicle array the run may not have made yet (learning state before attach): 0 or n
template <class T>
void get_zero_or(const StateArchive& ar, std::string_view name, std::vector<T>& out,
                 std::size_t n) {
    ar.get(name, out);
    if (!out.empty() && out.size() != n) {
        ar.field_error(name, "holds " + std::to_string(out.size()) +
                                 " elements; this run has 0 or " + std::to_string(n));
    }
}

// ---- vehicles ----

void save_plans(StateArchive& ar, const std::vector<Plan>& plans) {
    const auto s = ar.scope("plan");
    std::vector<PlanEntry> entries;  // kMaxPlan per vehicle, unused ones too (as they are)
    entries.reserve(plans.size() * kMaxPlan);
    for (const Plan& p : plans) {
        entries.insert(entries.end(), p.entries.begin(), p.entries.end());
    }
    {
        const auto e = ar.scope("entries");
        ar.put_field("depot", entries, &PlanEntry::depot);
        ar.put_field("row", entries, &PlanEntry::row);
        ar.put_field("order", entries, &PlanEntry::order);
        ar.put_field("customer", entries, &PlanEntry::customer);
        ar.put_field("size", entries, &PlanEntry::size);
        ar.put_field("service_s", entries, &PlanEntry::service_s);
        ar.put_field("ready", entries, &PlanEntry::ready);
        ar.put_field("due", entries, &PlanEntry::due);
    }
    ar.put_field("size", plans, &Plan::size);
    ar.put_field("loaded", plans, &Plan::loaded);
}

void load_plans(const StateArchive& ar, std::vector<Plan>& plans, std::size_t n) {
    const auto s = ar.scope("plan");
    std::vector<PlanEntry> entries(n * kMaxPlan);
    {
        const auto e = ar.scope("entries");
        ar.get_field("depot", entries, &PlanEntry::depot);
        ar.get_field("row", entries, &PlanEntry::row);
        ar.get_field("order", entries, &PlanEntry::order);
        ar.get_field("customer", entries, &PlanEntry::customer);
        ar.get_field("size", entries, &PlanEntry::size);
        ar.get_field("service_s", entries, &PlanEntry::service_s);
        ar.get_field("ready", entries, &PlanEntry::ready);
        ar.get_field("due", entries, &PlanEntry::due);
    }
    plans.assign(n, Plan{});
    ar.get_field("size", plans, &Plan::size);
    ar.get_field("loaded", plans, &Plan::loaded);
    for (std::size_t v = 0; v < n; ++v) {
        if (plans[v].size > kMaxPlan || plans[v].loaded > plans[v].size) {
            ar.field_error("size", "of vehicle " + std::to_string(v) + "'s plan is not a plan");
        }
        std::copy_n(entries.begin() + static_cast<std::ptrdiff_t>(v * kMaxPlan), kMaxPlan,
                    plans[v].entries.begin());
    }
}

void save_fleet_counters(StateArchive& ar, const std::vector<FleetCounters>& c) {
    const auto s = ar.scope("counters");
    ar.put_field("distance_mm", c, &FleetCounters::distance_mm);
    ar.put_field("energy_uwh", c, &FleetCounters::energy_uwh);
    ar.put_field("busy", c, &FleetCounters::busy);
    ar.put_field("idle", c, &FleetCounters::idle);
    ar.put_field("charging", c, &FleetCounters::charging);
    ar.put_field("down", c, &FleetCounters::down);
    ar.put_field("deliveries", c, &FleetCounters::deliveries);
    ar.put_field("breakdowns", c, &FleetCounters::breakdowns);
    ar.put_field("services", c, &FleetCounters::services);
}

void load_fleet_counters(const StateArchive& ar, std::vector<FleetCounters>& c, std::size_t n) {
    const auto s = ar.scope("counters");
    c.assign(n, FleetCounters{});
    ar.get_field("distance_mm", c, &FleetCounters::distance_mm);
    ar.get_field("energy_uwh", c, &FleetCounters::energy_uwh);
    ar.get_field("busy", c, &FleetCounters::busy);
    ar.get_field("idle", c, &FleetCounters::idle);
    ar.get_field("charging", c, &FleetCounters::charging);
    ar.get_field("down", c, &FleetCounters::down);
    ar.get_field("deliveries", c, &FleetCounters::deliveries);
    ar.get_field("breakdowns", c, &FleetCounters::breakdowns);
    ar.get_field("services", c, &FleetCounters::services);
}

// field-wise, by the names of the arrays FleetState held before its records (session 24):
// checkpoints of either layout are the same
void save_vehicles(StateArchive& ar, const FleetState& f) {
    const auto s = ar.scope("vehicles");
    const std::vector<VehicleHot>& h = f.hot;
    const std::vector<VehicleWarm>& w = f.warm;
    ar.put_field("state", h, &VehicleHot::state);
    ar.put_field("node", h, &VehicleHot::node);
    ar.put_field("leg_to", h, &VehicleHot::leg_to);
    ar.put_field("leg_start", h, &VehicleHot::leg_start);
    ar.put_field("leg_end", h, &VehicleHot::leg_end);
    ar.put_field("dest", h, &VehicleHot::dest);
    ar.put_nested("route", column(w, &VehicleWarm::route));
    ar.put_field("route_pos", h, &VehicleHot::route_pos);
    ar.put_field("route_dest", h, &VehicleHot::route_dest);
    ar.put_field("moving", h, &VehicleHot::moving);
    ar.put_field("type", h, &VehicleHot::type);
    ar.put_field("home", w, &VehicleWarm::home);
    ar.put_field("load", w, &VehicleWarm::load);
    ar.put_field("energy_kwh", h, &VehicleHot::energy_kwh);
    save_plans(ar, f.plan);
    save_fleet_counters(ar, column(h, &VehicleHot::counters));
    ar.put_field("state_since", w, &VehicleWarm::state_since);
    ar.put_field("max_load", w, &VehicleWarm::max_load);
    ar.put_field("min_energy_kwh", h, &VehicleHot::min_energy_kwh);
    ar.put_field("energy_violations", w, &VehicleWarm::energy_violations);
    ar.put_field("drive_time", h, &VehicleHot::drive_time);
    ar.put_field("returned_at", w, &VehicleWarm::returned_at);
    put_known(ar, "known", f.known);
    ar.put_field("replan", w, &VehicleWarm::replan);
    ar.put_field("service_due", w, &VehicleWarm::service_due);
    ar.put("changed", f.changed);
}

void load_vehicles(const StateArchive& ar, FleetState& f) {
    const auto s = ar.scope("vehicles");
    const std::size_t n = f.size();
    std::vector<VehicleHot>& h = f.hot;
    std::vector<VehicleWarm>& w = f.warm;
    ar.get_field("state", h, &VehicleHot::state);
    ar.get_field("node", h, &VehicleHot::node);
    ar.get_field("leg_to", h, &VehicleHot::leg_to);
    ar.get_field("leg_start", h, &VehicleHot::leg_start);
    ar.get_field("leg_end", h, &VehicleHot::leg_end);
    ar.get_field("dest", h, &VehicleHot::dest);
    std::vector<std::vector<EdgeId>> routes;
    ar.get_nested("route", routes);
    if (routes.size() != n) {
        ar.field_error("route/offsets", "lists " + std::to_string(routes.size()) +
                                            " routes; this run has " + std::to_string(n) +
                                            " vehicles");
    }
    for (std::size_t v = 0; v < n; ++v) {
        w[v].route = std::move(routes[v]);
    }
    ar.get_field("route_pos", h, &VehicleHot::route_pos);
    ar.get_field("route_dest", h, &VehicleHot::route_dest);
    ar.get_field("moving", h, &VehicleHot::moving);
    ar.get_field("type", h, &VehicleHot::type);
    ar.get_field("home", w, &VehicleWarm::home);
    ar.get_field("load", w, &VehicleWarm::load);
    ar.get_field("energy_kwh", h, &VehicleHot::energy_kwh);
    load_plans(ar, f.plan, n);
    std::vector<FleetCounters> counters;
    load_fleet_counters(ar, counters, n);
    for (std::size_t v = 0; v < n; ++v) {
        h[v].counters = counters[v];
    }
    ar.get_field("state_since", w, &VehicleWarm::state_since);
    ar.get_field("max_load", w, &VehicleWarm::max_load);
    ar.get_field("min_energy_kwh", h, &VehicleHot::min_energy_kwh);
    ar.get_field("energy_violations", w, &VehicleWarm::energy_violations);
    ar.get_field("drive_time", h, &VehicleHot::drive_time);
    ar.get_field("returned_at", w, &VehicleWarm::returned_at);
    get_known(ar, "known", f.known, n);
    ar.get_field("replan", w, &VehicleWarm::replan);
    ar.get_field("service_due", w, &VehicleWarm::service_due);
    ar.get("changed", f.changed, n);
    f.mark_all_blocks();
}

// ---- depots ----

}  // namespace

// one depot's variable-length state: depots/<d>/...
void save_depot(StateArchive& ar, const DepotState& ds) {
    {
        const auto s = ar.scope("book");
        ds.book.save(ar);
    }
    {
        const auto s = ar.scope("allocations");
        const std::vector<AllocationState> a = ds.allocations.to_vector();
        ar.put_field("round", a, &AllocationState::round);
        ar.put_field("awarding", a, &AllocationState::awarding);
        ar.put_field("waiting", a, &AllocationState::waiting);
        ar.put_field("unreachable", a, &AllocationState::unreachable);
        ar.put_field("unreachable_round", a, &AllocationState::unreachable_round);
    }
    {
        const auto s = ar.scope("dock_jobs");
        ds.dock_jobs.save(ar);
    }
    {
        const auto s = ar.scope("charge_jobs");
        ds.charge_jobs.save(ar);
    }
    {
        const auto s = ar.scope("docks");
        ds.docks.save(ar);
    }
    {
        const auto s = ar.scope("chargers");
        ds.chargers.save(ar);
    }
    ar.put("waiting", ds.waiting);
}

void load_depot(const StateArchive& ar, DepotState& ds) {
    {
        const auto s = ar.scope("book");
        ds.book.load(ar);
    }
    {
        const auto s = ar.scope("allocations");
        // one per order of the book (FleetModel::new_order)
        std::vector<AllocationState> a(ds.book.size());
        ar.get_field("round", a, &AllocationState::round);
        ar.get_field("awarding", a, &AllocationState::awarding);
        ar.get_field("waiting", a, &AllocationState::waiting);
        ar.get_field("unreachable", a, &AllocationState::unreachable);
        ar.get_field("unreachable_round", a, &AllocationState::unreachable_round);
        ds.allocations.clear();
        for (const AllocationState& one : a) {
            ds.allocations.push_back(one);
        }
    }
    {
        const auto s = ar.scope("dock_jobs");
        ds.dock_jobs.load(ar);
    }
    {
        const auto s = ar.scope("charge_jobs");
        ds.charge_jobs.load(ar);
    }
    {
        const auto s = ar.scope("docks");
        ds.docks.load(ar);
    }
    {
        const auto s = ar.scope("chargers");
        ds.chargers.load(ar);
    }
    // by priority when some order has one (FleetModel's constructor), else empty
    ar.get("waiting", ds.waiting, ds.waiting.size());
}

namespace {

void save_depots(StateArchive& ar, const std::vector<DepotState>& depots) {
    const auto s = ar.scope("depots");
    // the fixed-size part: one array over the depots per member
    ar.put_field("stock", depots, &DepotState::stock);
    ar.put_field("demand_draws", depots, &DepotState::demand_draws);
    ar.put_field("cloud_draws", depots, &DepotState::cloud_draws);
    std::vector<AllocationCounters> allocation;
    for (const DepotState& ds : depots) {
        allocation.push_back(ds.allocation);
    }
    {
        const auto a = ar.scope("allocation");
        ar.put_field("offers", allocation, &AllocationCounters::offers);
        ar.put_field("bids", allocation, &AllocationCounters::bids);
        ar.put_field("declines", allocation, &AllocationCounters::declines);
        ar.put_field("rejects", allocation, &AllocationCounters::rejects);
        ar.put_field("retries", allocation, &AllocationCounters::retries);
    }
    ar.put_field("forwarded_in", depots, &DepotState::forwarded_in);
    ar.put_field("forwarded_out", depots, &DepotState::forwarded_out);
    ar.put_field("replay_next", depots, &DepotState::replay_next);
    for (std::size_t d = 0; d < depots.size(); ++d) {
        const auto one = ar.scope(std::to_string(d));
        save_depot(ar, depots[d]);
    }
}

void load_depots(const StateArchive& ar, std::vector<DepotState>& depots) {
    const auto s = ar.scope("depots");
    // get_field checks the depot count first (stock: one per depot)
    ar.get_field("stock", depots, &DepotState::stock);
    ar.get_field("demand_draws", depots, &DepotState::demand_draws);
    ar.get_field("cloud_draws", depots, &DepotState::cloud_draws);
    {
        const auto a = ar.scope("allocation");
        std::vector<AllocationCounters> allocation(depots.size());
        ar.get_field("offers", allocation, &AllocationCounters::offers);
        ar.get_field("bids", allocation, &AllocationCounters::bids);
        ar.get_field("declines", allocation, &AllocationCounters::declines);
        ar.get_field("rejects", allocation, &AllocationCounters::rejects);
        ar.get_field("retries", allocation, &AllocationCounters::retries);
        for (std::size_t d = 0; d < depots.size(); ++d) {
            depots[d].allocation = allocation[d];
        }
    }
    ar.get_field("forwarded_in", depots, &DepotState::forwarded_in);
    ar.get_field("forwarded_out", depots, &DepotState::forwarded_out);
    ar.get_field("replay_next", depots, &DepotState::replay_next);
    for (std::size_t d = 0; d < depots.size(); ++d) {
        const auto one = ar.scope(std::to_string(d));
        load_depot(ar, depots[d]);
    }
}

// ---- disruptions and KPI time ----

void save_log(StateArchive& ar, const std::vector<AppliedDisruption>& log) {
    const auto s = ar.scope("disruption_log");
    ar.put_field("t", log, &AppliedDisruption::t);
    ar.put_field("kind", log, &AppliedDisruption::kind);
    std::vector<std::string> labels;
    std::vector<std::vector<std::uint32_t>> targets;
    for (const AppliedDisruption& a : log) {
        labels.push_back(a.label);
        targets.push_back(a.targets);
    }
    ar.put_strings("label", labels);
    ar.put_field("affected", log, &AppliedDisruption::affected);
    ar.put_nested("targets", targets);
    ar.put_field("value", log, &AppliedDisruption::value);
}

void load_log(const StateArchive& ar, std::vector<AppliedDisruption>& log) {
    const auto s = ar.scope("disruption_log");
    log.assign(ar.count("t"), AppliedDisruption{});
    ar.get_field("t", log, &AppliedDisruption::t);
    ar.get_field("kind", log, &AppliedDisruption::kind);
    std::vector<std::string> labels = ar.get_strings("label");
    std::vector<std::vector<std::uint32_t>> targets;
    ar.get_nested("targets", targets);
    if (labels.size() != log.size() || targets.size() != log.size()) {
        ar.field_error("label",
                       "and 'targets' do not list " + std::to_string(log.size()) + " disruptions");
    }
    ar.get_field("affected", log, &AppliedDisruption::affected);
    ar.get_field("value", log, &AppliedDisruption::value);
    for (std::size_t i = 0; i < log.size(); ++i) {
        log[i].label = std::move(labels[i]);
        log[i].targets = std::move(targets[i]);
    }
}

void save_fleet_time(StateArchive& ar, const FleetTimeBook& b) {
    const auto s = ar.scope("fleet_time");
    {
        const auto series = ar.scope("series");
        b.series.save(ar);
    }
    ar.put_value("booked_at", b.booked_at);
    ar.put_value("busy_booked", b.busy_booked);
    ar.put_value("accounted_booked", b.accounted_booked);
}

void load_fleet_time(const StateArchive& ar, FleetTimeBook& b) {
    const auto s = ar.scope("fleet_time");
    {
        const auto series = ar.scope("series");
        b.series.load(ar);
    }
    ar.get_value("booked_at", b.booked_at);
    ar.get_value("busy_booked", b.busy_booked);
    ar.get_value("accounted_booked", b.accounted_booked);
}

void load_into(FleetWorld& w, const StateArchive& ar) {
    const std::size_t vehicles = w.vehicles.size();
    const std::size_t depots = w.depots.size();
    load_vehicles(ar, w.vehicles);
    load_depots(ar, w.depots);
    {
        const auto s = ar.scope("board");
        w.board.load(ar, vehicles);
    }
    ar.get("board_moving", w.board_moving);
    for (std::size_t i = 0; i < w.board_moving.size(); ++i) {
        const std::uint32_t v = w.board_moving[i];
        if (v >= vehicles) {
            ar.field_error("board_moving", "names vehicle " + std::to_string(v) + " of " +
                                               std::to_string(vehicles));
        }
        // the rebuild merges it with the changed vehicles, both in increasing order
        if (i > 0 && v <= w.board_moving[i - 1]) {
            ar.field_error("board_moving",
                           "is not in increasing order at vehicle " + std::to_string(v));
        }
    }
    {
        const auto s = ar.scope("roads");
        w.roads.load(ar);
    }
    ar.get("depot_up", w.depot_up, depots);
    ar.get("demand_factor", w.demand_factor, depots);
    {
        const auto s = ar.scope("conditions");
        w.conditions.load(ar);
    }
    {
        const auto s = ar.scope("active_conditions");
        std::vector<std::string> labels = ar.get_strings("label");
        std::vector<comms::ConditionId> ids;
        ar.get("id", ids, labels.size());
        w.active_conditions.clear();
        for (std::size_t i = 0; i < ids.size(); ++i) {
            w.active_conditions.emplace_back(std::move(labels[i]), ids[i]);
        }
    }
    load_log(ar, w.disruption_log);
    ar.get_value("applied", w.applied);
    {
        const auto s = ar.scope("counters");
        w.counters.load(ar);
    }
    std::vector<KnownRoadEvents> cloud;
    get_known(ar, "cloud_known", cloud, 1);
    w.cloud_known = cloud[0];
    ar.get_value("gossip_rounds", w.gossip_rounds);
    ar.get_value("cloud_draws", w.cloud_draws);
    load_fleet_time(ar, w.fleet_time);
    get_zero_or(ar, "learn_busy", w.learn_busy, vehicles);
    get_zero_or(ar, "repair_at", w.repair_at, vehicles);
}

}  // namespace

void save_world(const FleetWorld& world, sim::StateArchive& ar) {
    save_vehicles(ar, world.vehicles);
    save_depots(ar, world.depots);
    {
        const auto s = ar.scope("board");
        world.board.save(ar);
    }
    ar.put("board_moving", world.board_moving);
    {
        const auto s = ar.scope("roads");
        world.roads.save(ar);
    }
    ar.put("depot_up", world.depot_up);
    ar.put("demand_factor", world.demand_factor);
    {
        const auto s = ar.scope("conditions");
        world.conditions.save(ar);
    }
    {
        const auto s = ar.scope("active_conditions");
        std::vector<std::string> labels;
        std::vector<comms::ConditionId> ids;
        for (const auto& [label, id] : world.active_conditions) {
            labels.push_back(label);
            ids.push_back(id);
        }
        ar.put_strings("label", labels);
        ar.put("id", ids);
    }
    save_log(ar, world.disruption_log);
    ar.put_value("applied", world.applied);
    {
        const auto s = ar.scope("counters");
        world.counters.save(ar);
    }
    put_known(ar, "cloud_known", {world.cloud_known});
    ar.put_value("gossip_rounds", world.gossip_rounds);
    ar.put_value("cloud_draws", world.cloud_draws);
    save_fleet_time(ar, world.fleet_time);
    ar.put("learn_busy", world.learn_busy);
    ar.put("repair_at", world.repair_at);
}

void load_world(FleetWorld& world, const sim::StateArchive& ar) {
    // into a copy, so that a checkpoint that does not fit leaves the world as it was
    FleetWorld loaded = world;
    load_into(loaded, ar);
    world = std::move(loaded);
}

}  // namespace swarm::agents
