#include "io/trace/trace_observer.hpp"

#include <algorithm>
#include <tuple>

#include "agents/fleet/fleet_model.hpp"

namespace swarm::io {

TraceObserver::TraceObserver(const agents::FleetModel& model, TraceWriter& writer,
                             TraceObserverOptions options)
    : model_(model), writer_(writer), options_(options) {
    if (options_.every == 0) {
        options_.every = 1;
    }
    first_open_.assign(model.depot_count(), 0);
    reported_.resize(model.depot_count());
}

TraceHeader TraceObserver::header_for(const agents::FleetModel& model, double sample_interval_s) {
    TraceHeader h;
    h.agents = model.vehicle_count();
    h.depots = model.depot_count();
    h.network_nodes = model.spec().net().node_count();
    h.network_edges = model.spec().net().edge_count();
    h.ticks_per_second = model.spec().time.ticks_per_second;
    h.sample_interval_s = sample_interval_s;
    h.kpi_interval_s = model.spec().time.to_seconds(model.kpi_interval());
    return h;
}

void TraceObserver::on_sample(const sim::Engine& /*engine*/, sim::Tick t) {
    if (samples_++ % options_.every != 0) {
        return;
    }
    const sim::TimeScale& scale = model_.spec().time;
    const agents::FleetState& fleet = model_.vehicles();
    const std::uint32_t n = model_.vehicle_count();
    std::unique_ptr<TraceFrame> f = writer_.acquire();
    f->step = t;
    f->time = scale.to_seconds(t);

    // vehicles
    std::size_t busy = 0;
    double energy = 0.0;
    const bool first = last_state_.empty();
    last_state_.resize(n);
    for (std::uint32_t v = 0; v < n; ++v) {
        const agents::Point p = model_.position_at(v, t);
        f->position[2 * std::size_t{v}] = static_cast<float>(p.x);
        f->position[2 * std::size_t{v} + 1] = static_cast<float>(p.y);
        const agents::VehicleState s = fleet.state[v];
        const auto code = static_cast<std::int8_t>(s);
        f->state[v] = code;
        f->load[v] = static_cast<float>(fleet.load[v]);
        f->energy[v] = static_cast<float>(fleet.energy_kwh[v]);
        busy += agents::serving(s) ? 1U : 0U;
        energy += fleet.energy_kwh[v];
        if (options_.state_events && !first && last_state_[v] != code) {
            TraceEvent e;
            e.time = f->time;
            e.kind = static_cast<std::int16_t>(TraceEventKind::kVehicleState);
            e.agent = v;
            e.value = code;
            f->events.push_back(e);
        }
        last_state_[v] = code;
    }
    f->scalars.busy_fraction = n > 0 ? static_cast<double>(busy) / n : 0.0;
    f->scalars.energy_kwh = energy;

    // order counters summed over depots, in depot order
    for (std::uint32_t d = 0; d < model_.depot_count(); ++d) {
        const agents::DepotCounters& c = model_.depot(d).book.counters();
        f->scalars.created += static_cast<std::int64_t>(c.created);
        f->scalars.delivered += static_cast<std::int64_t>(c.delivered());
        f->scalars.failed += static_cast<std::int64_t>(c.failed());
        f->scalars.backlog += static_cast<std::int64_t>(c.open());
    }

    // KPI intervals completed since the last frame
    const sim::Tick interval = model_.kpi_interval();
    const auto complete = static_cast<std::size_t>(t / interval);
    if (complete > next_interval_) {
        const agents::KpiSeries fleet_series = model_.fleet_series(t);
        for (std::size_t k = next_interval_; k < complete; ++k) {
            std::uint64_t due = 0;
            std::uint64_t otif = 0;
            std::uint64_t delivered = 0;
            for (std::uint32_t d = 0; d < model_.depot_count(); ++d) {
                const agents::KpiSeries& s = model_.depot(d).book.series();
                due += s.due(k);
                otif += s.on_time_in_full(k);
                delivered += s.delivered(k);
            }
            TraceKpiInterval ki;
            ki.end_tick = static_cast<std::int64_t>(k + 1) * interval;
            ki.end_s = scale.to_seconds(ki.end_tick);
            ki.service_level = due > 0 ? static_cast<double>(otif) / static_cast<double>(due) : 1.0;
            ki.utilisation = fleet_series.utilisation(k);
            ki.due = static_cast<std::int64_t>(due);
            ki.deliveries = static_cast<std::int64_t>(delivered);
            f->intervals.push_back(ki);
        }
        next_interval_ = complete;
    }

    if (options_.order_events) {
        scan_orders(*f);
    }
    scan_disruptions(*f);
    for (LinkSource* source : link_sources_) {
        source->collect_links(t, f->links);
    }
    // a deterministic order of the rows: time, kind, order, agent, edge
    std::sort(f->events.begin(), f->events.end(), [](const TraceEvent& a, const TraceEvent& b) {
        return std::tie(a.time, a.kind, a.order, a.agent, a.edge) <
               std::tie(b.time, b.kind, b.order, b.agent, b.edge);
    });
    writer_.push(std::move(f));
    ++frames_;
}

void TraceObserver::scan_disruptions(TraceFrame& frame) {
    // every disruption applied since the last frame, one row per edge, depot or vehicle
    const auto& log = model_.disruption_log();
    const sim::TimeScale& scale = model_.spec().time;
    for (; disruptions_reported_ < log.size(); ++disruptions_reported_) {
        const agents::AppliedDisruption& d = log[disruptions_reported_];
        TraceEvent e;
        e.time = scale.to_seconds(d.t);
        e.kind = static_cast<std::int16_t>(static_cast<int>(TraceEventKind::kRoadClosed) +
                                           static_cast<int>(d.kind));
        e.order = disruptions_reported_;
        e.value = d.value;
        const bool roads = d.kind == agents::DisruptionKind::kCloseRoads ||
                           d.kind == agents::DisruptionKind::kReopenRoads ||
                           d.kind == agents::DisruptionKind::kSlowRoads;
        if (d.targets.empty()) {
            frame.events.push_back(e);
        }
        for (const std::uint32_t target : d.targets) {
            (roads ? e.edge : e.agent) = target;
            frame.events.push_back(e);
        }
    }
}

void TraceObserver::scan_orders(TraceFrame& frame) {
    const sim::TimeScale& scale = model_.spec().time;
    for (std::uint32_t d = 0; d < model_.depot_count(); ++d) {
        const auto orders = model_.depot(d).book.orders();
        std::vector<std::uint8_t>& done = reported_[d];
        done.resize(orders.size(), 0);
        std::uint64_t& cursor = first_open_[d];
        for (std::uint64_t i = cursor; i < orders.size(); ++i) {
            const agents::Order& o = orders[i];
            std::uint8_t& bits = done[i];
            const std::uint64_t id = (std::uint64_t{d} << 32) | i;
            auto emit = [&](TraceEventKind kind, sim::Tick at, std::uint32_t agent, double value) {
                TraceEvent e;
                e.time = scale.to_seconds(at);
                e.kind = static_cast<std::int16_t>(kind);
                e.agent = agent;
                e.order = id;
                e.value = value;
                frame.events.push_back(e);
            };
            if ((bits & 1u) == 0) {
                emit(TraceEventKind::kOrderCreated, o.created, d,
                     o.due == sim::kTickNever ? -1.0 : scale.to_seconds(o.due));
                bits |= 1u;
            }
            if ((bits & 2u) == 0 && o.first_assigned_at != sim::kTickNever) {
                emit(TraceEventKind::kOrderAssigned, o.first_assigned_at, o.vehicle, 0.0);
                bits |= 2u;
            }
            if ((bits & 4u) == 0 && o.picked_up_at != sim::kTickNever) {
                emit(TraceEventKind::kPickedUp, o.picked_up_at, o.vehicle, 0.0);
                bits |= 4u;
            }
            if ((bits & 8u) == 0 && o.state == agents::OrderState::kDelivered) {
                emit(TraceEventKind::kDelivered, o.delivered_at, o.vehicle,
                     scale.to_seconds(o.lateness()));
                bits |= 8u;
            } else if ((bits & 8u) == 0 && o.state == agents::OrderState::kFailed) {
                emit(TraceEventKind::kFailed, o.failed_at, d, static_cast<double>(o.reason));
                bits |= 8u;
            }
        }
        // advance past the leading terminal orders
        while (cursor < orders.size() && (done[cursor] & 8u) != 0) {
            ++cursor;
        }
    }
}

}  // namespace swarm::io
