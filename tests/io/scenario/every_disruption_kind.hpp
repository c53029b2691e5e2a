// [[disruptions]] entries for a scenario document, one per disruption kind of
// agents::kDisruptionKinds (so a new kind is in every test that uses them), each with the keys
// its target needs. Shared by the scenario, viz and trace tests.
#pragma once

#include <sstream>
#include <string>

#include "agents/fleet/disruption_kinds.hpp"

namespace swarm::io::testing {

// entry i: id "k<i>", kind = the i-th kind's name, at_s = t0 + i * step; roads: edges 0 and 1;
// depot kinds: `depot`; vehicle kinds: vehicle 0; an area where one is required: a circle of
// `radius_m` around (x, y)
inline std::string every_disruption_kind_toml(const std::string& depot, double t0, double step,
                                              double x = 0.0, double y = 0.0,
                                              double radius_m = 300.0) {
    std::ostringstream s;
    for (const agents::DisruptionKindInfo& k : agents::kDisruptionKinds) {
        const auto i = static_cast<std::size_t>(k.kind);
        s << "[[disruptions]]\nid = \"k" << i << "\"\nkind = \"" << k.name
          << "\"\nat_s = " << t0 + step * static_cast<double>(i) << "\n";
        switch (k.target) {
            case agents::DisruptionTarget::kRoads:
                s << "edges = [0, 1]\n";
                break;
            case agents::DisruptionTarget::kDepot:
                s << "depot = \"" << depot << "\"\n";
                break;
            case agents::DisruptionTarget::kVehicles:
                s << "vehicles = [0]\n";
                break;
            case agents::DisruptionTarget::kRadio:
            case agents::DisruptionTarget::kCloud:
            case agents::DisruptionTarget::kDemand:
                break;
        }
        if (k.area == agents::AreaUse::kRequired) {
            s << "area = { x = " << x << ", y = " << y << ", radius_m = " << radius_m << " }\n";
        }
    }
    return s.str();
}

}  // namespace swarm::io::testing
