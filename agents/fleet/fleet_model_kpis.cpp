// FleetModel: the fleet-time book of the KPI series, a barrier phase (barrier_phase.hpp) at
// every KPI interval boundary: each vehicle's busy and accounted time up to t, summed per range
// of vehicles in parallel, then booked into the running interval.
#include <vector>

#include "agents/fleet/barrier_phase.hpp"
#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_model_internal.hpp"

namespace swarm::agents {

using namespace fleet_detail;
using sim::Tick;

FleetCounters FleetModel::vehicle_counters(std::uint32_t v, Tick t) const {
    FleetCounters c = world_.vehicles.counters[v];
    time_bucket(c, world_.vehicles.state[v]) += t - world_.vehicles.state_since[v];
    return c;
}

void FleetModel::fleet_time(Tick t, Tick& busy, Tick& accounted, sim::Executor* executor) const {
    // local: sums per range of vehicles; apply: their sum (integers, so any split agrees)
    struct TimeSum {
        Tick busy = 0;
        Tick accounted = 0;
    };
    const PhaseRecords<TimeSum> sums =
        run_local<TimeSum>(executor, world_.vehicles.size(), phase_chunk_,
                           [&](std::uint32_t first, std::uint32_t last, std::vector<TimeSum>& out) {
                               TimeSum sum;
                               for (std::uint32_t v = first; v < last; ++v) {
                                   const FleetCounters c = vehicle_counters(v, t);
                                   sum.busy += c.busy;
                                   sum.accounted += c.accounted();
                               }
                               out.push_back(sum);
                           });
    busy = 0;
    accounted = 0;
    sums.for_each([&](const TimeSum& sum) {
        busy += sum.busy;
        accounted += sum.accounted;
    });
}

void FleetModel::record_fleet_time(Tick t) {
    Tick busy = 0;
    Tick accounted = 0;
    fleet_time(t, busy, accounted, engine_ != nullptr ? &engine_->executor() : nullptr);
    world_.fleet_time.series.add_fleet_time(
        world_.fleet_time.series.interval_of(world_.fleet_time.booked_at),
        busy - world_.fleet_time.busy_booked, accounted - world_.fleet_time.accounted_booked);
    world_.fleet_time.booked_at = t;
    world_.fleet_time.busy_booked = busy;
    world_.fleet_time.accounted_booked = accounted;
}

KpiSeries FleetModel::fleet_series(Tick t) const {
    KpiSeries s = world_.fleet_time.series;
    if (t > world_.fleet_time.booked_at) {
        Tick busy = 0;
        Tick accounted = 0;
        fleet_time(t, busy, accounted, nullptr);  // observers may call this: no executor
        s.add_fleet_time(s.interval_of(world_.fleet_time.booked_at),
                         busy - world_.fleet_time.busy_booked,
                         accounted - world_.fleet_time.accounted_booked);
    }
    return s;
}

}  // namespace swarm::agents
