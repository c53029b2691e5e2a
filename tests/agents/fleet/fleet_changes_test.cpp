// FleetModel::take_changes: at every sample, a vehicle left off the list has exactly the
// state, node, leg, load and energy it had at the previous sample, and every order created or
// moved since is listed; through breakdowns, a depot fire, closed roads and charging, on two
// threads.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <tuple>
#include <vector>

#include "agents/fleet/protocol.hpp"
#include "sim/executor.hpp"
#include "tests/agents/fleet/fleet_test_util.hpp"

namespace {

using namespace swarm::agents;
using namespace swarm::agents::testing;
using swarm::sim::Tick;

using VehicleRow =
    std::tuple<VehicleState, NodeId, NodeId, Tick, Tick, std::uint8_t, std::uint32_t, double>;
using OrderRow = std::tuple<OrderState, Tick, Tick>;

VehicleRow row_of(const FleetState& f, std::uint32_t v) {
    return {f.hot[v].state,   f.hot[v].node,   f.hot[v].leg_to, f.hot[v].leg_start,
            f.hot[v].leg_end, f.hot[v].moving, f.warm[v].load,  f.hot[v].energy_kwh};
}

class ChangeChecker final : public swarm::sim::Observer {
  public:
    explicit ChangeChecker(FleetModel& model) : model_(model) { model_.follow_changes(); }

    void on_sample(const swarm::sim::Engine& /*engine*/, Tick /*t*/) override {
        model_.take_changes(changes_);
        const FleetState& fleet = model_.vehicles();
        const std::uint32_t n = model_.vehicle_count();
        CHECK(std::is_sorted(changes_.vehicles.begin(), changes_.vehicles.end()));
        if (vehicles_.empty()) {
            CHECK(changes_.vehicles.size() == n);  // the first time, everything is news
        }
        std::vector<std::uint8_t> listed(n, 0);
        for (const std::uint32_t v : changes_.vehicles) {
            listed[v] = 1;
        }
        seen_ = static_cast<std::uint32_t>(vehicles_.size());
        vehicles_.resize(n);
        for (std::uint32_t v = 0; v < n; ++v) {
            const VehicleRow now = row_of(fleet, v);
            if (listed[v] == 0 && now != vehicles_[v]) {
                ++missed_vehicles;
            }
            changed_vehicles += now != vehicles_[v] ? 1U : 0U;
            recharged += std::get<7>(now) > std::get<7>(vehicles_[v]) && v < seen_ ? 1U : 0U;
            vehicles_[v] = now;
        }
        const std::set<std::pair<std::uint32_t, std::uint32_t>> journal(changes_.orders.begin(),
                                                                        changes_.orders.end());
        orders_.resize(model_.depot_count());
        for (std::uint32_t d = 0; d < model_.depot_count(); ++d) {
            const auto book = model_.depot(d).book.orders();
            std::vector<OrderRow>& seen = orders_[d];
            for (std::uint32_t i = 0; i < book.size(); ++i) {
                const OrderRow now{book[i].state, book[i].first_assigned_at, book[i].picked_up_at};
                const bool is_new = i >= seen.size();
                if ((is_new || seen[i] != now) && journal.count({d, i}) == 0) {
                    ++missed_orders;
                }
                moved_orders += is_new || seen[i] != now ? 1U : 0U;
                if (is_new) {
                    seen.push_back(now);
                } else {
                    seen[i] = now;
                }
            }
        }
    }

    std::uint64_t missed_vehicles = 0;
    std::uint64_t missed_orders = 0;
    std::uint64_t changed_vehicles = 0;
    std::uint64_t moved_orders = 0;
    std::uint64_t recharged = 0;  // energy went up: charging

  private:
    FleetModel& model_;
    FleetModel::Changes changes_;
    std::vector<VehicleRow> vehicles_;
    std::uint32_t seen_ = 0;  // vehicles with a previous row
    std::vector<std::vector<OrderRow>> orders_;
};

DisruptionSpec timed(std::string id, DisruptionKind kind, double at_s, double duration_s = 0.0) {
    DisruptionSpec d;
    d.id = std::move(id);
    d.action.kind = kind;
    d.action.label = to_string(kind);
    d.at_s = at_s;
    d.duration_s = duration_s;
    return d;
}

// breakdowns of 30% of the fleet, a depot fire and every 7th road closed, overlapping
void add_disruptions(SmallCity& city) {
    DisruptionSpec attrition = timed("attrition", DisruptionKind::kBreakVehicles, 1200.0, 1800.0);
    attrition.action.fraction = 0.3;
    city.spec.disruptions.push_back(attrition);
    DisruptionSpec fire = timed("fire", DisruptionKind::kDepotDown, 1500.0, 1200.0);
    fire.action.depot = 1;
    city.spec.disruptions.push_back(fire);
    DisruptionSpec closure = timed("closure", DisruptionKind::kCloseRoads, 900.0, 1800.0);
    for (EdgeId e = 0; e < city.network.edge_count(); e += 7) {
        closure.action.edges.push_back(e);
    }
    city.spec.disruptions.push_back(closure);
}

}  // namespace

TEST_CASE("take_changes lists every vehicle and order that changed since the last sample") {
    SmallCity city;
    city.spec.demand.kpi_interval_s = 30.0;  // a sample every 30 s
    add_disruptions(city);
    const auto executor = swarm::sim::make_executor(2);
    FleetRun run(city.spec, run_options(city.spec, *city.routers, *executor, 2));
    ChangeChecker checker(run.model());
    run.engine().add_observer(checker);
    const RunResult r = run_for(run, 1.5);
    CHECK(r.kpi.breakdowns > 0);
    CHECK(checker.recharged > 0);
    CHECK(checker.changed_vehicles > 1000);
    CHECK(checker.moved_orders > 300);
    CHECK(checker.missed_vehicles == 0);
    CHECK(checker.missed_orders == 0);
    CHECK_THROWS_AS(run.model().follow_changes(), FleetModelError);  // one follower
}

TEST_CASE("the board's rows, rebuilt only for touched and moving vehicles, equal fresh ones") {
    // every change of a vehicle's row must go through FleetState::touch: at every rebuild the
    // model compares each row with one computed afresh (check_board_for_test) and throws on
    // a stale one; through breakdowns, a depot fire, closed roads, charging and drones, for
    // each protocol (the cloud's telemetry rebuilds every row)
    for (const ProtocolInfo& p : protocols()) {
        CAPTURE(p.name);
        SmallCity city;
        city.spec.allocation.policy = std::string(p.name);
        add_disruptions(city);
        const auto executor = swarm::sim::make_executor(2);
        FleetRun run(city.spec, run_options(city.spec, *city.routers, *executor, 2));
        run.model().check_board_for_test(true);
        RunResult r;
        CHECK_NOTHROW(r = run_for(run, 1.0));
        CHECK(r.kpi.delivered > 0);
        CHECK(r.kpi.breakdowns > 0);
    }
}

namespace {

// at every sample: the model's tallies (fleet_tally.hpp) against the sums over the vehicles
class TallyChecker final : public swarm::sim::Observer {
  public:
    explicit TallyChecker(const FleetModel& model) : model_(model) {}

    void on_sample(const swarm::sim::Engine& /*engine*/, Tick t) override {
        ++samples;
        const FleetState& f = model_.vehicles();
        const FleetSpec& spec = model_.spec();
        // per KPI group (fleets of one id), as the KPI observer reads them
        std::vector<FleetCounters> sums(spec.fleets.size());
        std::vector<Tick> drive(spec.fleets.size(), 0);
        std::vector<std::int64_t> used(spec.fleets.size(), 0);
        std::vector<std::int64_t> serving(spec.fleets.size(), 0);
        std::vector<EnergyUnits> energy(spec.fleets.size(), 0);
        std::vector<std::int64_t> irregular(spec.fleets.size(), 0);
        FleetCounters all;
        std::uint32_t v = 0;
        for (std::size_t g = 0; g < spec.fleets.size(); ++g) {
            const std::size_t k = model_.kpi_group(g);
            for (std::uint32_t i = 0; i < spec.fleets[g].count; ++i, ++v) {
                const FleetCounters c = model_.vehicle_counters(v, t);
                sums[k] += c;
                all += c;
                drive[k] += f.hot[v].drive_time;
                used[k] += c.deliveries > 0 ? 1 : 0;
                serving[k] += swarm::agents::serving(f.hot[v].state) ? 1 : 0;
                EnergyUnits units = 0;
                if (fixed_energy(f.hot[v].energy_kwh, units)) {
                    energy[k] += units;
                } else {
                    ++irregular[k];
                }
            }
        }
        for (std::size_t k = 0; k < spec.fleets.size(); ++k) {
            if (sums[k].accounted() == 0) {
                continue;  // not a group
            }
            ++groups;
            const FleetTally tally = model_.group_tally(k);
            mismatches +=
                tally.at(t) == sums[k] && tally.drive_time == drive[k] && tally.used == used[k]
                    ? 0U
                    : 1U;
            // the batteries' energies, exactly, and the vehicles serving orders
            mismatches += tally.battery == energy[k] && tally.battery_irregular == irregular[k] &&
                                  tally.in[FleetTally::kBusy] == serving[k]
                              ? 0U
                              : 1U;
        }
        mismatches += model_.fleet_counters(t) == all ? 0U : 1U;
        delivered = all.deliveries;
        const EnergyUnits total = model_.fleet_tally().battery;
        if (samples == 1) {
            first_energy_ = total;
        }
        energy_moved += total != first_energy_ ? 1U : 0U;
    }

    std::uint64_t samples = 0;
    std::uint64_t groups = 0;  // groups compared, over all samples
    std::uint64_t mismatches = 0;
    std::uint64_t delivered = 0;
    std::uint64_t energy_moved = 0;  // samples whose fleet energy differs from the first's

  private:
    const FleetModel& model_;
    EnergyUnits first_energy_ = 0;
};

}  // namespace

TEST_CASE("the fleet's tallies equal the sums over the vehicles at every sample") {
    // through breakdowns (time down, breakdown counts), a depot fire, closed roads, charging
    // and drones (two fleets), with the tallies of two partitions on two threads
    SmallCity city;
    city.spec.demand.kpi_interval_s = 30.0;  // a sample every 30 s
    add_disruptions(city);
    const auto executor = swarm::sim::make_executor(2);
    FleetRun run(city.spec, run_options(city.spec, *city.routers, *executor, 2));
    TallyChecker checker(run.model());
    run.engine().add_observer(checker);
    const RunResult r = run_for(run, 1.5);
    CHECK(checker.groups >= 2 * checker.samples);  // vans and drones
    CHECK(r.kpi.breakdowns > 0);
    CHECK(checker.samples > 100);
    CHECK(checker.delivered > 0);
    CHECK(checker.energy_moved > 0);
    CHECK(checker.mismatches == 0);
}

TEST_CASE("batteries too large for the exact sum are counted apart in the tallies") {
    // 2^30 kWh or more: no integer of 2^-64 kWh fits (fixed_energy), so the trace falls back
    // to summing the doubles while any vehicle holds such an energy
    SmallCity city;
    city.spec.demand.kpi_interval_s = 60.0;
    city.spec.types[0].battery_kwh = 0x1p31;
    const auto executor = swarm::sim::make_executor(1);
    FleetRun run(city.spec, run_options(city.spec, *city.routers, *executor, 1));
    TallyChecker checker(run.model());
    run.engine().add_observer(checker);
    const RunResult r = run_for(run, 0.5);
    CHECK(checker.samples > 10);
    CHECK(checker.delivered > 0);
    CHECK(run.model().fleet_tally().battery_irregular > 0);
    CHECK(run.model().fleet_tally().battery_irregular <
          static_cast<std::int64_t>(run.model().vehicle_count()));  // the drones are regular
    CHECK(checker.mismatches == 0);
    CHECK(r.kpi.delivered > 0);
}
