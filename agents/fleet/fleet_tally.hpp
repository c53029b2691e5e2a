// The vehicles' KPI counters summed as they change, so that the fleet's totals at an instant
// (the KPI observer's samples, the fleet-time book, the running cost) cost the partitions and
// fleets, not the vehicles. One FleetTally per (partition, fleet of the spec): inside a
// window only the thread running a partition writes its tallies; every figure is an integer,
// so the sum over them is the same for any thread count, and equal to the sum over the
// vehicles (FleetModel::vehicle_counters) at any instant.
#pragma once

#include <array>
#include <cstdint>

#include "agents/fleet/fleet_state.hpp"
#include "agents/logistics/kpi.hpp"
#include "sim/time.hpp"

namespace swarm::agents {

using sim::Tick;

// a cache line of its own at least: two partitions' tallies are written by two threads
struct alignas(64) FleetTally {
    // the time buckets of FleetCounters: which of its times a vehicle's state accrues to (the
    // one mapping; fleet_model_internal.hpp's time_bucket books through it)
    enum Bucket : std::uint8_t { kBusy, kIdle, kCharging, kDown };
    static constexpr std::size_t kBuckets = 4;

    FleetCounters closed;                     // the vehicles' counters, summed
    std::array<std::int64_t, kBuckets> in{};  // vehicles whose state is in each bucket
    std::array<Tick, kBuckets> since_sum{};   // the sum of their state_since
    Tick drive_time = 0;                      // FleetState::drive_time, summed
    std::int64_t used = 0;                    // vehicles with a delivery

    [[nodiscard]] static Bucket bucket(VehicleState s) {
        switch (s) {
            case VehicleState::kIdle:
            case VehicleState::kReturning:
                return kIdle;
            case VehicleState::kCharging:
                return kCharging;
            case VehicleState::kBroken:
            case VehicleState::kMaintenance:
                return kDown;
            default:
                return kBusy;
        }
    }
    [[nodiscard]] static Tick& field(FleetCounters& c, Bucket b) {
        switch (b) {
            case kIdle:
                return c.idle;
            case kCharging:
                return c.charging;
            case kDown:
                return c.down;
            default:
                return c.busy;
        }
    }

    // a vehicle in state `s` since `since` joins (sign 1) or leaves (sign -1) the tally,
    // with these counters and drive time
    void add(const FleetCounters& c, VehicleState s, Tick since, Tick drive, int sign) {
        closed.distance_mm += sign * c.distance_mm;
        closed.energy_uwh += sign * c.energy_uwh;
        closed.busy += sign * c.busy;
        closed.idle += sign * c.idle;
        closed.charging += sign * c.charging;
        closed.down += sign * c.down;
        closed.deliveries +=
            static_cast<std::uint32_t>(sign * static_cast<std::int64_t>(c.deliveries));
        closed.breakdowns +=
            static_cast<std::uint32_t>(sign * static_cast<std::int64_t>(c.breakdowns));
        closed.services += static_cast<std::uint32_t>(sign * static_cast<std::int64_t>(c.services));
        const Bucket b = bucket(s);
        in[b] += sign;
        since_sum[b] += sign * since;
        drive_time += sign * drive;
        used += c.deliveries > 0 ? sign : 0;
    }
    // a vehicle leaves state `from` (in it since `since`) for `to` at `now`: the time spent
    // goes into the bucket left, as FleetModel::set_state books it
    void move(VehicleState from, Tick since, VehicleState to, Tick now) {
        const Bucket a = bucket(from);
        const Bucket b = bucket(to);
        field(closed, a) += now - since;
        --in[a];
        since_sum[a] -= since;
        ++in[b];
        since_sum[b] += now;
    }
    // the counters of its vehicles with the time of their current states up to t
    [[nodiscard]] FleetCounters at(Tick t) const {
        FleetCounters c = closed;
        for (std::size_t b = 0; b < kBuckets; ++b) {
            field(c, static_cast<Bucket>(b)) += in[b] * t - since_sum[b];
        }
        return c;
    }
    FleetTally& operator+=(const FleetTally& o) {
        closed += o.closed;
        for (std::size_t b = 0; b < kBuckets; ++b) {
            in[b] += o.in[b];
            since_sum[b] += o.since_sum[b];
        }
        drive_time += o.drive_time;
        used += o.used;
        return *this;
    }
};

}  // namespace swarm::agents
