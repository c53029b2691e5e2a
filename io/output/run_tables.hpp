// Per-order and per-vehicle results of a fleet run as CSV tables (`swarmsim run --orders-out`,
// `--vehicles-out`; docs/logistics.md, "Per-order and per-vehicle tables"). One row per order
// the depots created (depot by depot, in creation order) and one per vehicle (vehicle index
// order): the same rows and bytes for any thread count.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "agents/fleet/fleet_model.hpp"

namespace swarm::io {

struct RunTableNames {
    std::vector<std::string> depots;  // scenario ids by depot index
    std::vector<std::string> types;   // vehicle type ids by type index
    // ids from [inputs] tables: replayed orders by FleetSpec::replay index, vehicles by
    // vehicle index (empty or missing: none)
    std::vector<std::string> order_refs;
    std::vector<std::string> vehicles;
    // latitude and longitude (degrees) of a network position; empty when the map has no
    // geographic coordinates (then no lat/lon columns)
    std::function<std::array<double, 2>(world::Point)> lat_lon;
};

// the orders table at the end of a run (`end`: where open orders' state is read)
[[nodiscard]] std::string orders_csv(const agents::FleetModel& model, const RunTableNames& names,
                                     sim::Tick end);

// the vehicles table, counters up to `end`
[[nodiscard]] std::string vehicles_csv(const agents::FleetModel& model, const RunTableNames& names,
                                       sim::Tick end);

}  // namespace swarm::io
