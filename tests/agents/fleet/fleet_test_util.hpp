// A small fleet scenario shared by the fleet tests: a 20 x 20 grid city, 3 depots, 30 vehicles
// (24 vans with small batteries so that they charge, 6 drones), flat demand (the day profile
// would make the first hours of a run quiet night).
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_run.hpp"
#include "agents/fleet/kpi_observer.hpp"
#include "agents/routing/router.hpp"
#include "agents/world/generators.hpp"
#include "sim/engine.hpp"
#include "sim/executor.hpp"

namespace swarm::agents::testing {

struct SmallCity {
    world::RoadNetwork network;
    FleetSpec spec;
    std::unique_ptr<routing::RouterFactory> routers;

    SmallCity() {
        world::GridCityParams g;
        g.rows = 20;
        g.cols = 20;
        g.spacing_m = 200.0;
        g.seed = 7;
        network = world::make_grid_city(g);
        spec.network = &network;
        DepotSpec depot;
        depot.docks = 2;
        depot.dock_service = {ServiceLaw::Kind::kExponential, 90.0};
        depot.charging_points = 2;
        depot.charge_power_kw = 22.0;
        depot.demand_per_hour = 90.0;
        spec.depots = depots_on_lattice(network, 1, 3, depot);
        VehicleType van;
        van.name = "van";
        van.capacity = 6;
        van.kwh_per_km = 0.25;
        van.battery_kwh = 4.0;  // 16 km: charges a few times in two hours
        VehicleType drone;
        drone.name = "drone";
        drone.kind = VehicleKind::kDrone;
        drone.cruise_mps = 15.0;
        drone.capacity = 1;
        drone.kwh_per_km = 0.02;
        drone.battery_kwh = 0.2;  // 10 km
        spec.types = {van, drone};
        for (std::uint32_t d = 0; d < 3; ++d) {
            spec.fleets.push_back({0, 8, d, "vans"});
            spec.fleets.push_back({1, 2, d, "drones"});
        }
        spec.demand.zone_radius_m = 1200.0;
        spec.demand.due_s = 40.0 * 60.0;
        spec.demand.profile = DemandProfile::kFlat;
        spec.allocation.offer_radius_m = 2500.0;
        routing::RouterOptions ro;
        ro.landmark_count = 4;
        routers = std::make_unique<routing::RouterFactory>(network, ro);
    }
};

// a 42-van day on the small city with hidden congestion and wear (fleet learning tests)
inline FleetSpec learning_spec(const SmallCity& city, LearningMode mode) {
    FleetSpec spec = city.spec;
    spec.types[0].battery_kwh = 60.0;  // no charging detours: wear and learning only
    spec.fleets.clear();
    for (std::uint32_t d = 0; d < 3; ++d) {
        spec.fleets.push_back({0, 14, d, {}});
    }
    FleetLearningSpec& l = spec.learning;
    l.mode = mode;
    l.congestion = true;
    l.congestion_field.zones = 4;
    l.congestion_field.max_level = 2.0;
    l.congestion_field.max_rush = 1.0;
    l.wear = true;
    l.degradation.wear_per_hour = 0.1;
    l.degradation.base_hazard = 0.001;
    l.degradation.wear_hazard = 0.8;
    l.initial_wear_max = 0.8;
    l.repair_s = 4 * 3600.0;
    l.learning_rate = 0.1;
    l.eval_samples = 128;
    spec.cost.per_breakdown = 300.0;
    spec.cost.per_service = 60.0;
    return spec;
}

// one timed disruption of every kind (agents::kDisruptionKinds), kind k at t0 + k * step
// seconds, with what its target needs: two edges near the centre, depot 0, vehicle 0, and an
// area round the centre where one is required
inline std::vector<DisruptionSpec> every_disruption_kind(const world::RoadNetwork& net, double t0,
                                                         double step) {
    const world::BoundingBox b = net.bounds();
    const Point centre{(b.min.x + b.max.x) / 2, (b.min.y + b.max.y) / 2};
    const std::vector<EdgeId> near = world::edges_in(net, world::Region::circle(centre, 250.0));
    const std::vector<EdgeId> edges(near.begin(),
                                    near.begin() + std::min<std::ptrdiff_t>(std::ssize(near), 2));
    std::vector<DisruptionSpec> list;
    for (const DisruptionKindInfo& k : kDisruptionKinds) {
        DisruptionSpec d;
        d.id = std::string(k.name);
        d.at_s = t0 + step * static_cast<double>(k.kind);
        DisruptionAction& a = d.action;
        a.kind = k.kind;
        a.label = std::string(k.label);
        switch (k.target) {
            case DisruptionTarget::kRoads:
                a.edges = edges;
                break;
            case DisruptionTarget::kDepot:
                a.depot = 0;
                break;
            case DisruptionTarget::kVehicles:
                a.vehicles = {0};
                break;
            case DisruptionTarget::kRadio:
            case DisruptionTarget::kCloud:
            case DisruptionTarget::kDemand:
                break;
        }
        if (k.area == AreaUse::kRequired) {
            a.area = world::Region::circle(centre, 600.0);
        }
        list.push_back(std::move(d));
    }
    return list;
}

struct RunResult {
    FleetKpis kpis;  // at the end of the run
    KpiSummary kpi;  // == kpis.summary
    std::uint64_t kpi_hash = 0;
    std::uint64_t event_hash = 0;
    std::uint64_t events = 0;
};

// a test run as every front-end sets one up (agents::FleetRun), with the small city's routers
// and the test's executor; the KPI observer samples on the KPI grid from its first interval
inline FleetRunOptions run_options(const FleetSpec& spec, const routing::RouterFactory& routers,
                                   sim::Executor& executor, std::size_t partitions = 0,
                                   std::uint64_t seed = 11) {
    FleetRunOptions o;
    o.seed = seed;
    o.partitions = partitions;
    o.executor = &executor;
    o.routers = &routers;
    o.sample_first = spec.time.from_seconds(spec.demand.kpi_interval_s);
    o.sample_interval = o.sample_first;
    o.serial_below_events = 0;  // every window through the executor: the threads are tested
    return o;
}

// runs for `hours` of simulated time, checks conservation, returns KPIs and event hash
inline RunResult run_for(FleetRun& run, double hours) {
    sim::RunLimits limits;
    limits.until = run.spec().time.from_seconds(hours * 3600.0);
    const sim::RunStats stats = run.run(limits);
    FleetKpis k = run.finish(limits.until);
    KpiSummary summary = k.summary;
    const std::uint64_t hash = k.hash;
    return {std::move(k), summary, hash, run.engine().event_hash(), stats.events};
}

// runs the engine up to simulated second s
inline void run_to(FleetRun& run, double s) {
    sim::RunLimits limits;
    limits.until = run.spec().time.from_seconds(s);
    run.run(limits);
}

}  // namespace swarm::agents::testing
