#include "agents/fleet/kpi_observer.hpp"

#include <bit>
#include <cstdio>

#include "agents/fleet/fleet_model.hpp"

namespace swarm::agents {

namespace {

// FNV-1a over 64-bit words
struct Hasher {
    std::uint64_t h = 1469598103934665603ull;
    void add(std::uint64_t x) {
        for (int i = 0; i < 8; ++i) {
            h ^= (x >> (8 * i)) & 0xFFu;
            h *= 1099511628211ull;
        }
    }
    void add(double x) { add(std::bit_cast<std::uint64_t>(x)); }
};

void hash_sample(Hasher& h, const FleetKpiSample& s) {
    h.add(static_cast<std::uint64_t>(s.t));
    h.add(s.created);
    h.add(s.delivered);
    h.add(s.on_time);
    h.add(s.late);
    h.add(s.failed);
    h.add(s.service_level);
    h.add(s.utilisation);
    h.add(s.vehicle_km);
    h.add(s.energy_kwh);
    h.add(s.dock_queue);
    h.add(s.charge_queue);
    h.add(s.messages);
}

}  // namespace

FleetKpiSample FleetKpiObserver::take(sim::Tick t) const {
    FleetKpiSample s;
    s.t = t;
    // depots, in id order
    for (std::uint32_t d = 0; d < model_.depot_count(); ++d) {
        const DepotState& ds = model_.depot(d);
        const FleetDepotCounters& c = ds.counters;
        s.created += c.created;
        s.on_time += c.delivered_on_time;
        s.late += c.delivered_late;
        s.failed += c.failed_no_vehicle + c.failed_no_stock;
        s.dock_queue += ds.docks.queue_length();
        s.charge_queue += ds.chargers.queue_length();
        s.messages += c.offers + c.bids + c.declines;
    }
    s.delivered = s.on_time + s.late;
    s.backlog = s.created - s.delivered - s.failed;
    // vehicles, in id order
    const FleetState& f = model_.vehicles();
    std::uint64_t busy = 0;
    for (std::size_t v = 0; v < f.size(); ++v) {
        const VehicleState st = f.state[v];
        busy += (st != VehicleState::kIdle && st != VehicleState::kCharging &&
                 st != VehicleState::kBroken)
                    ? 1
                    : 0;
        s.vehicle_km += f.metres[v] / 1000.0;
        s.energy_kwh += f.kwh_used[v];
    }
    s.utilisation = f.size() > 0 ? static_cast<double>(busy) / static_cast<double>(f.size()) : 0;
    // Q(t) over the interval since the previous sample
    const FleetKpiSample prev = series_.empty() ? FleetKpiSample{} : series_.back();
    const std::uint64_t closed = (s.delivered + s.failed) - (prev.delivered + prev.failed);
    s.service_level =
        closed > 0 ? static_cast<double>(s.on_time - prev.on_time) / static_cast<double>(closed)
                   : 1.0;
    return s;
}

void FleetKpiObserver::on_sample(const sim::Engine& /*engine*/, sim::Tick t) {
    series_.push_back(take(t));
}

FleetKpiSummary FleetKpiObserver::summary(sim::Tick t) const {
    const FleetKpiSample last = take(t);
    FleetKpiSummary s;
    s.created = last.created;
    s.delivered = last.delivered;
    s.on_time = last.on_time;
    s.late = last.late;
    s.failed = last.failed;
    s.backlog = last.backlog;
    s.on_time_rate =
        s.delivered > 0 ? static_cast<double>(s.on_time) / static_cast<double>(s.delivered) : 0.0;
    s.vehicle_km = last.vehicle_km;
    s.energy_kwh = last.energy_kwh;
    double delay = 0.0;
    double wait = 0.0;
    std::uint64_t waits = 0;
    for (std::uint32_t d = 0; d < model_.depot_count(); ++d) {
        const DepotState& ds = model_.depot(d);
        delay += ds.counters.delivery_delay_s;
        const auto& w = ds.docks.stats().wait;
        wait += w.mean * static_cast<double>(w.count);
        waits += w.count;
    }
    s.mean_delivery_s = s.delivered > 0 ? delay / static_cast<double>(s.delivered) : 0.0;
    // the stations measure waits in ticks
    s.mean_dock_wait_s = waits > 0 ? wait / static_cast<double>(waits) /
                                         static_cast<double>(model_.spec().time.ticks_per_second)
                                   : 0.0;
    // series integrals
    double util = 0.0;
    sim::Tick prev_t = 0;
    for (const FleetKpiSample& x : series_) {
        util += x.utilisation;
        s.service_loss +=
            (1.0 - x.service_level) * model_.spec().time.to_seconds(x.t - prev_t) / 3600.0;
        prev_t = x.t;
    }
    s.mean_utilisation =
        series_.empty() ? last.utilisation : util / static_cast<double>(series_.size());
    const FleetState& f = model_.vehicles();
    for (std::size_t v = 0; v < f.size(); ++v) {
        s.energy_violations += f.energy_violations[v];
        s.max_load_over_capacity +=
            f.max_load[v] > model_.spec().types[f.type[v]].capacity ? 1u : 0u;
    }
    // the hash
    Hasher h;
    for (const FleetKpiSample& x : series_) {
        hash_sample(h, x);
    }
    hash_sample(h, last);
    h.add(s.mean_delivery_s);
    h.add(s.mean_dock_wait_s);
    h.add(s.energy_violations);
    s.hash = h.h;
    return s;
}

std::string FleetKpiSummary::to_string() const {
    char buf[512];
    std::snprintf(
        buf, sizeof buf,
        "orders %llu: delivered %llu (on time %llu, late %llu), failed %llu, backlog "
        "%llu; on-time %.1f%%, mean delivery %.0f s, %.1f veh-km, %.2f kWh, "
        "utilisation %.1f%%, dock wait %.1f s, hash %016llx",
        static_cast<unsigned long long>(created), static_cast<unsigned long long>(delivered),
        static_cast<unsigned long long>(on_time), static_cast<unsigned long long>(late),
        static_cast<unsigned long long>(failed), static_cast<unsigned long long>(backlog),
        100.0 * on_time_rate, mean_delivery_s, vehicle_km, energy_kwh, 100.0 * mean_utilisation,
        mean_dock_wait_s, static_cast<unsigned long long>(hash));
    return buf;
}

}  // namespace swarm::agents
