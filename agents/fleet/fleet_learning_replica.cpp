// FleetLearning across ranks (docs/distributed.md, "The fleet across ranks"): the part of a
// vehicle's learning state its own LP writes during a window, as a record for the copies of
// the other ranks. FleetModel sends it with the vehicle's row (fleet_model_replicas.cpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "agents/fleet/fleet_learning.hpp"

namespace swarm::agents {

void FleetLearning::take_record(std::uint32_t v, VehicleRecord& out) {
    out.travel.clear();
    out.travel_count = tt_count_[v];
    if (!tt_target_.empty()) {
        // the slots written since the last record; the ring keeps the last `memory` of them
        const std::uint64_t from =
            std::max(recorded_travel_[v],
                     out.travel_count - std::min<std::uint64_t>(out.travel_count, spec_.memory));
        for (std::uint64_t c = from; c < out.travel_count; ++c) {
            const std::size_t i = std::size_t{v} * spec_.memory + c % spec_.memory;
            out.travel.push_back({tt_time_[i], tt_target_[i], tt_zone_[i], 0});
        }
    }
    recorded_travel_[v] = out.travel_count;
    out.serviced = serviced_unrecorded_[v];
    serviced_unrecorded_[v] = 0;
    out.pending.clear();
    if (out.serviced != 0) {
        out.component = component_[v];
        out.wear_value = values_[0][v];
        out.pending = pending_[v];
    }
}

void FleetLearning::apply_record(std::uint32_t v, const VehicleRecord& in) {
    if (v >= vehicles_ || in.travel_count < in.travel.size() ||
        (!in.travel.empty() && tt_target_.empty())) {
        throw std::invalid_argument(
            "fleet learning: a record from another rank does not fit "
            "vehicle " +
            std::to_string(v));
    }
    std::uint64_t c = in.travel_count - in.travel.size();
    for (const TravelSample& s : in.travel) {
        const std::size_t i = std::size_t{v} * spec_.memory + c % spec_.memory;
        tt_zone_[i] = s.zone;
        tt_time_[i] = s.time_of_day;
        tt_target_[i] = s.target;
        ++c;
    }
    tt_count_[v] = in.travel_count;
    recorded_travel_[v] = in.travel_count;
    if (in.serviced != 0) {
        component_[v] = in.component;
        values_[0][v] = in.wear_value;
        pending_[v] = in.pending;
    }
}

}  // namespace swarm::agents
