#pragma once
// The fleet benchmark world shared by bench/fleet and bench/trace: a generated grid city,
// depots on a lattice, vans plus 20% drones spread evenly over the depots.
#include <cmath>
#include <cstdint>
#include <memory>

#include "agents/fleet/fleet_spec.hpp"
#include "agents/routing/router.hpp"
#include "agents/world/generators.hpp"

namespace swarm::bench {

struct BenchCityParams {
    std::uint32_t vehicles = 10'000;
    std::uint32_t depots = 100;
    std::size_t nodes = 100'000;
    double demand_per_depot_hour = 400.0;
    bool day_profile = false;
};

// owns the network and routers the spec points to (stable addresses)
struct BenchCity {
    std::unique_ptr<world::RoadNetwork> network;
    std::unique_ptr<routing::RouterFactory> routers;
    agents::FleetSpec spec;
};

inline BenchCity make_bench_city(const BenchCityParams& p) {
    BenchCity city;
    world::GridCityParams g;
    g.rows = static_cast<std::size_t>(std::sqrt(static_cast<double>(p.nodes)));
    g.cols = (p.nodes + g.rows - 1) / g.rows;
    g.spacing_m = 100.0;
    g.seed = 1;
    city.network = std::make_unique<world::RoadNetwork>(world::make_grid_city(g));
    routing::RouterOptions ro;
    ro.landmark_count = 8;
    city.routers = std::make_unique<routing::RouterFactory>(*city.network, ro);

    agents::FleetSpec& spec = city.spec;
    spec.network = city.network.get();
    agents::DepotSpec depot;
    depot.docks = 4;
    depot.dock_service = {agents::ServiceLaw::Kind::kExponential, 45.0};
    depot.charging_points = 4;
    depot.demand_per_hour = p.demand_per_depot_hour;
    const auto side = static_cast<std::uint32_t>(std::lround(std::sqrt(p.depots)));
    spec.depots =
        agents::depots_on_lattice(*city.network, side, (p.depots + side - 1) / side, depot);
    agents::VehicleType van;
    agents::VehicleType drone;
    drone.name = "drone";
    drone.kind = agents::VehicleKind::kDrone;
    drone.capacity = 1;
    drone.kwh_per_km = 0.02;
    drone.battery_kwh = 0.5;
    spec.types = {van, drone};
    const std::uint32_t per_depot = p.vehicles / static_cast<std::uint32_t>(spec.depots.size());
    std::uint32_t placed = 0;
    for (std::uint32_t d = 0; d < spec.depots.size(); ++d) {
        const std::uint32_t n = d + 1 == spec.depots.size() ? p.vehicles - placed : per_depot;
        const std::uint32_t drones = n / 5;
        spec.fleets.push_back({0, n - drones, d, "vans"});
        spec.fleets.push_back({1, drones, d, "drones"});
        placed += n;
    }
    spec.demand.zone_radius_m = 1500.0;
    spec.allocation.offer_radius_m = 2500.0;
    spec.demand.profile =
        p.day_profile ? agents::DemandProfile::kDay : agents::DemandProfile::kFlat;
    return city;
}

}  // namespace swarm::bench
