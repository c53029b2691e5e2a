// What a scenario says about how its run is set up (agents/fleet/fleet_run.hpp): the seed,
// the worker threads and the routers (kind and landmarks). The sampling grid is the front-end's:
// `swarmsim run` samples KPIs every run.sample_interval_s, the live view every snapshot.
#pragma once

#include "agents/fleet/fleet_run.hpp"
#include "io/scenario/scenario.hpp"

namespace swarm::io {

[[nodiscard]] inline agents::FleetRunOptions fleet_run_options(const Scenario& s) {
    agents::FleetRunOptions o;
    o.seed = s.run.seed;
    o.threads = s.run.threads;
    o.routing.landmark_count = s.network_settings.landmarks;
    const std::string& router = s.network_settings.router;
    o.routing.kind = router == "cch"        ? routing::RouterKind::kCch
                     : router == "dijkstra" ? routing::RouterKind::kDijkstra
                                            : routing::RouterKind::kAStar;
    return o;
}

}  // namespace swarm::io
