// FleetModel: the vehicles' KPI counters summed as they change (fleet_tally.hpp), and the
// fleet-time book of the KPI series: at every KPI interval boundary the fleet's busy and
// accounted time up to t, from those sums, booked into the running interval.
#include <algorithm>
#include <vector>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_model_internal.hpp"

namespace swarm::agents {

using namespace fleet_detail;
using sim::Tick;

FleetCounters FleetModel::vehicle_counters(std::uint32_t v, Tick t) const {
    FleetCounters c = world_.vehicles.hot[v].counters;
    time_bucket(c, world_.vehicles.hot[v].state) += t - world_.vehicles.warm[v].state_since;
    return c;
}

std::size_t FleetModel::group_of(std::uint32_t v) const {
    if (!type_group_.empty()) {
        return type_group_[world_.vehicles.hot[v].type];
    }
    // the fleets are consecutive ranges of vehicles (a few hundred at most: a short search)
    const auto f = static_cast<std::size_t>(
        std::upper_bound(fleet_end_.begin(), fleet_end_.end(), v) - fleet_end_.begin());
    return f < fleet_group_.size() ? fleet_group_[f] : 0;
}

FleetTally& FleetModel::tally(const sim::Context& ctx, std::uint32_t v) {
    return tallies_[ctx.partition() * groups_ + group_of(v)];
}

void FleetModel::recount_tallies() const {
    tallies_.assign(tally_partitions_ * groups_, FleetTally{});
    const FleetState& f = world_.vehicles;
    std::uint32_t v = 0;
    for (std::size_t fleet = 0; fleet < fleet_end_.size(); ++fleet) {
        FleetTally& sums = tallies_[fleet_group_[fleet]];
        for (; v < fleet_end_[fleet]; ++v) {
            sums.add(f.hot[v].counters, f.hot[v].state, f.warm[v].state_since, f.hot[v].drive_time,
                     f.hot[v].energy_kwh, 1);
        }
    }
    tallies_stale_ = false;
}

void FleetModel::tally_replica(std::uint32_t v, int sign) {
    if (tallies_stale_) {
        return;
    }
    const FleetState& f = world_.vehicles;
    tallies_[group_of(v)].add(f.hot[v].counters, f.hot[v].state, f.warm[v].state_since,
                              f.hot[v].drive_time, f.hot[v].energy_kwh, sign);
}

FleetTally FleetModel::group_tally(std::size_t group) const {
    if (tallies_stale_) {
        recount_tallies();
    }
    FleetTally sum;
    for (std::size_t p = 0; p < tally_partitions_; ++p) {
        sum += tallies_[p * groups_ + group];
    }
    return sum;
}

FleetTally FleetModel::fleet_tally() const {
    if (tallies_stale_) {
        recount_tallies();
    }
    FleetTally sum;
    for (const FleetTally& t : tallies_) {
        sum += t;
    }
    return sum;
}

void FleetModel::fleet_time(Tick t, Tick& busy, Tick& accounted) const {
    // integers, so the tallies' sum is the vehicles' sum for any split
    const FleetCounters c = fleet_counters(t);
    busy = c.busy;
    accounted = c.accounted();
}

void FleetModel::record_fleet_time(Tick t) {
    Tick busy = 0;
    Tick accounted = 0;
    fleet_time(t, busy, accounted);
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
        fleet_time(t, busy, accounted);
        s.add_fleet_time(s.interval_of(world_.fleet_time.booked_at),
                         busy - world_.fleet_time.busy_booked,
                         accounted - world_.fleet_time.accounted_booked);
    }
    return s;
}

}  // namespace swarm::agents
