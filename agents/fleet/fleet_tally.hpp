// The vehicles' KPI counters (and states and battery energies) summed as they change, so that
// the fleet's totals at an instant (the KPI observer's samples, the fleet-time book, the
// running cost, the trace's busy share, energy and distance at every frame) cost the
// partitions and fleets, not the vehicles. One FleetTally per (partition, fleet of the spec):
// inside a window only the thread running a partition writes its tallies; every figure is an
// integer, so the sum over them is the same for any thread count, and equal to the sum over the
// vehicles (FleetModel::vehicle_counters) at any instant.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include "agents/fleet/fleet_state.hpp"
#include "agents/logistics/kpi.hpp"
#include "sim/time.hpp"

namespace swarm::agents {

using sim::Tick;

// A battery's energy as an integer of 2^-64 kWh, towards zero (exact from 2^-12 kWh up, where
// a double's last bit is at least 2^-64), for energies under 2^30 kWh: 2^32 vehicles' sum then
// fits in 127 bits, and is the same in any order. Irregular (NaN, infinite or larger): false
__extension__ using EnergyUnits = __int128;  // GCC/Clang builtin
[[nodiscard]] inline bool fixed_energy(double kwh, EnergyUnits& out) {
    if (!(std::fabs(kwh) < 0x1p30)) {
        return false;
    }
    // in two halves of 32 bits, each exact: the scalings by powers of two, the integer part
    // (under 2^62) and the fraction left over
    const double scaled = kwh * 0x1p32;
    const auto high = static_cast<std::int64_t>(scaled);
    const auto low = static_cast<std::int64_t>((scaled - static_cast<double>(high)) * 0x1p32);
    out = (static_cast<EnergyUnits>(high) << 32) + low;  // high * 2^32 (C++20: a shift)
    return true;
}

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
    // the energy on board: the batteries (VehicleHot::energy_kwh) summed exactly (fixed_energy),
    // and the vehicles whose energy is no such integer, counted instead (not closed.energy_uwh,
    // the energy the vehicles used)
    EnergyUnits battery = 0;
    std::int64_t battery_irregular = 0;

    [[nodiscard]] static constexpr Bucket bucket(VehicleState s) {
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
    // with these counters, drive time and battery energy
    void add(const FleetCounters& c, VehicleState s, Tick since, Tick drive, double kwh, int sign) {
        add_battery(kwh, sign);
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
    // a battery's energy joins (sign 1) or leaves (sign -1) the sum
    void add_battery(double kwh, int sign) {
        EnergyUnits units = 0;
        if (fixed_energy(kwh, units)) {
            battery += sign * units;
        } else {
            battery_irregular += sign;
        }
    }
    // a battery's energy goes from `was` to `now` kWh
    void set_battery(double was, double now) {
        add_battery(was, -1);
        add_battery(now, 1);
    }
    // the exact sum of the energies rounded once (the conversion rounds to nearest; the power
    // of two is exact): the same double for any split. Only while battery_irregular is 0
    [[nodiscard]] double battery_kwh() const { return static_cast<double>(battery) * 0x1p-64; }
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
        battery += o.battery;
        battery_irregular += o.battery_irregular;
        return *this;
    }
};

// the busy bucket holds exactly the vehicles serving orders (the trace's busy share is its
// count)
static_assert([] {
    for (std::size_t s = 0; s < kVehicleStateCount; ++s) {
        const auto state = static_cast<VehicleState>(s);
        if ((FleetTally::bucket(state) == FleetTally::kBusy) != serving(state)) {
            return false;
        }
    }
    return true;
}());

}  // namespace swarm::agents
