#include "io/trace/trace_observer.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <chrono>
#include <cmath>
#include <limits>
#include <tuple>

#include "agents/fleet/kpi_observer.hpp"
#include "agents/fleet/fleet_model.hpp"

namespace swarm::io {

TraceObserver::TraceObserver(const agents::FleetModel& model, TraceWriter& writer,
                             TraceObserverOptions options)
    : model_(model), writer_(writer), options_(options) {
    if (options_.every == 0) {
        options_.every = 1;
    }
    seen_.assign(model.depot_count(), 0);
    stamp_.assign(model.depot_count(), 0);
    open_.resize(model.depot_count());
}

void TraceObserver::add_value_source(AgentValueSource& source) {
    const std::vector<std::string>& declared = writer_.header().agent_values;
    ValueSlot slot{&source, {}};
    for (const std::string& name : source.value_names()) {
        const auto it = std::find(declared.begin(), declared.end(), name);
        if (it == declared.end()) {
            throw TraceError(writer_.path(), "per-agent value '" + name +
                                                 "' is not declared in the trace header "
                                                 "(TraceHeader::agent_values)");
        }
        const auto column = static_cast<std::size_t>(it - declared.begin());
        for (const ValueSlot& other : value_sources_) {
            if (std::find(other.columns.begin(), other.columns.end(), column) !=
                other.columns.end()) {
                throw TraceError(writer_.path(),
                                 "per-agent value '" + name + "' is published by two sources");
            }
        }
        if (std::find(slot.columns.begin(), slot.columns.end(), column) != slot.columns.end()) {
            throw TraceError(writer_.path(), "per-agent value '" + name + "' named twice");
        }
        slot.columns.push_back(column);
    }
    value_sources_.push_back(std::move(slot));
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
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    std::unique_ptr<TraceFrame> f = writer_.acquire();
    f->step = t;
    f->time = scale.to_seconds(t);

    snapshot_vehicles(*f, t);

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
        const double cost = agents::running_cost(model_, t);  // once per KPI interval
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
            ki.cost = cost;
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
    if (!value_sources_.empty()) {
        const std::size_t n = model_.vehicle_count();
        for (ValueSlot& slot : value_sources_) {
            value_spans_.clear();
            for (const std::size_t c : slot.columns) {
                value_spans_.emplace_back(f->values.data() + c * n, n);
            }
            slot.source->collect_values(t, value_spans_);
        }
    }
    // a deterministic order of the rows: time, kind, order, agent, edge
    std::sort(f->events.begin(), f->events.end(), [](const TraceEvent& a, const TraceEvent& b) {
        return std::tie(a.time, a.kind, a.order, a.agent, a.edge) <
               std::tie(b.time, b.kind, b.order, b.agent, b.edge);
    });
    const auto t1 = Clock::now();
    writer_.push(std::move(f));
    const auto t2 = Clock::now();
    sample_s_ += std::chrono::duration<double>(t2 - t0).count();
    push_s_ += std::chrono::duration<double>(t2 - t1).count();
    ++frames_;
}

void TraceObserver::snapshot_vehicles(TraceFrame& frame, sim::Tick t) {
    // one tight pass per array (the fleet is a struct of arrays) through local pointers (an
    // int8 store may alias anything: without them nothing vectorises): this runs on the
    // simulation's critical path at every sample
    const agents::FleetState& fleet = model_.vehicles();
    const std::uint32_t n = model_.vehicle_count();
    {
        const agents::VehicleState* in = fleet.state.data();
        std::int8_t* out = frame.state.data();
        std::size_t busy = 0;
        for (std::uint32_t v = 0; v < n; ++v) {
            out[v] = static_cast<std::int8_t>(in[v]);
            busy += agents::serving(in[v]) ? 1U : 0U;
        }
        frame.scalars.busy_fraction = n > 0 ? static_cast<double>(busy) / n : 0.0;
    }
    {
        const std::uint32_t* in = fleet.load.data();
        float* out = frame.load.data();
        for (std::uint32_t v = 0; v < n; ++v) {
            out[v] = static_cast<float>(in[v]);
        }
    }
    {
        // four partial sums in a fixed order (not one serial chain): same result every run
        const double* in = fleet.energy_kwh.data();
        float* out = frame.energy.data();
        std::array<double, 4> sum{};
        std::uint32_t v = 0;
        for (; v + 4 <= n; v += 4) {
            for (std::uint32_t i = 0; i < 4; ++i) {
                out[v + i] = static_cast<float>(in[v + i]);
                sum[i] += in[v + i];
            }
        }
        for (; v < n; ++v) {
            out[v] = static_cast<float>(in[v]);
            sum[0] += in[v];
        }
        frame.scalars.energy_kwh = (sum[0] + sum[1]) + (sum[2] + sum[3]);
    }

    // state changes since the last frame (at sample resolution), skipping unchanged blocks
    const std::int8_t* state = frame.state.data();
    if (last_state_.size() == n && options_.state_events) {
        constexpr std::uint32_t kBlock = 64;
        for (std::uint32_t v0 = 0; v0 < n; v0 += kBlock) {
            const std::uint32_t end = std::min(n, v0 + kBlock);
            if (std::memcmp(last_state_.data() + v0, state + v0, end - v0) == 0) {
                continue;
            }
            for (std::uint32_t v = v0; v < end; ++v) {
                if (last_state_[v] != state[v]) {
                    TraceEvent e;
                    e.time = frame.time;
                    e.kind = static_cast<std::int16_t>(TraceEventKind::kVehicleState);
                    e.agent = v;
                    e.value = state[v];
                    frame.events.push_back(e);
                }
            }
        }
    }
    last_state_.assign(state, state + n);
    snapshot_positions(frame, t);
}

void TraceObserver::snapshot_positions(TraceFrame& frame, sim::Tick t) {
    // FleetModel::position_at's arithmetic, with the road-network lookups cached per vehicle:
    // a still vehicle keeps its position until it changes node, one on a leg keeps its leg's
    // end points (the round-trip test compares every frame with position_at)
    const agents::FleetState& fleet = model_.vehicles();
    const world::RoadNetwork& net = model_.spec().net();
    const std::uint32_t n = model_.vehicle_count();
    constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
    if (cached_from_.size() != n) {
        cached_from_.assign(n, kNone);
        cached_to_.assign(n, kNone);
        leg_xy_.assign(std::size_t{n} * 4, 0.0);
        position_.assign(std::size_t{n} * 2, 0.0F);
    }
    const std::uint8_t* moving = fleet.moving.data();
    const sim::Tick* leg_start = fleet.leg_start.data();
    const sim::Tick* leg_end = fleet.leg_end.data();
    const world::NodeId* node = fleet.node.data();
    const world::NodeId* leg_to = fleet.leg_to.data();
    const agents::Point* where = net.positions().data();
    std::uint32_t* from = cached_from_.data();
    std::uint32_t* to = cached_to_.data();
    double* xy = leg_xy_.data();
    float* out = position_.data();
    const auto place = [&](std::uint32_t v) {
        if (to[v] == kNone) {
            out[2 * v] = static_cast<float>(xy[4 * std::size_t{v}]);
            out[2 * v + 1] = static_cast<float>(xy[4 * std::size_t{v} + 1]);
            return;
        }
        const double* ab = xy + 4 * std::size_t{v};
        double x = ab[2];  // exactly the end node once the leg is over
        double y = ab[3];
        if (t < leg_end[v]) {
            const double f = std::clamp(static_cast<double>(t - leg_start[v]) /
                                            static_cast<double>(leg_end[v] - leg_start[v]),
                                        0.0, 1.0);
            x = ab[0] + (ab[2] - ab[0]) * f;
            y = ab[1] + (ab[3] - ab[1]) * f;
        }
        out[2 * v] = static_cast<float>(x);
        out[2 * v + 1] = static_cast<float>(y);
    };
    // pass 1: the vehicles whose nodes changed are listed and their node positions
    // prefetched (scattered reads, overlapped), those on an unchanged leg placed at once
    lookups_.clear();
    for (std::uint32_t v = 0; v < n; ++v) {
        const bool still = moving[v] == 0 || leg_end[v] <= leg_start[v];
        const std::uint32_t want_to = still ? kNone : leg_to[v];
        if (from[v] != node[v] || to[v] != want_to) {
            from[v] = node[v];
            to[v] = want_to;
            lookups_.push_back(v);
            __builtin_prefetch(where + node[v]);
            if (!still) {
                __builtin_prefetch(where + want_to);
            }
        } else if (!still) {
            place(v);
        }
    }
    // pass 2: their end points, then their positions
    for (const std::uint32_t v : lookups_) {
        double* ab = xy + 4 * std::size_t{v};
        const agents::Point a = where[from[v]];
        const agents::Point b = to[v] == kNone ? a : where[to[v]];
        ab[0] = a.x;
        ab[1] = a.y;
        ab[2] = b.x;
        ab[3] = b.y;
        place(v);
    }
    std::copy(position_.begin(), position_.end(), frame.position.begin());
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
    // only the orders not yet terminal are looked at again: the scan costs the backlog and
    // the new orders, not the history
    const sim::TimeScale& scale = model_.spec().time;
    for (std::uint32_t d = 0; d < model_.depot_count(); ++d) {
        const agents::OrderBook& book = model_.depot(d).book;
        const auto orders = book.orders();
        // every transition of an existing order that makes a row bumps one of these monotone
        // counters: while their sum stands still only the new orders need a look
        const agents::DepotCounters& c = book.counters();
        const std::uint64_t stamp = c.assignments + c.picked_up + c.delivered() + c.failed();
        const bool moved = stamp != stamp_[d];
        if (!moved && orders.size() == seen_[d]) {
            continue;
        }
        stamp_[d] = stamp;
        std::vector<OpenOrder>& open = open_[d];
        const std::size_t begin = moved ? 0 : open.size();
        for (std::uint64_t i = seen_[d]; i < orders.size(); ++i) {
            open.push_back({i, 0});
        }
        seen_[d] = orders.size();
        std::size_t kept = begin;
        for (std::size_t k = begin; k < open.size(); ++k) {
            OpenOrder& entry = open[k];
            const agents::Order& o = orders[entry.index];
            std::uint8_t& bits = entry.reported;
            const std::uint64_t id = (std::uint64_t{d} << 32) | entry.index;
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
            if (o.state == agents::OrderState::kDelivered) {
                emit(TraceEventKind::kDelivered, o.delivered_at, o.vehicle,
                     scale.to_seconds(o.lateness()));
            } else if (o.state == agents::OrderState::kFailed) {
                emit(TraceEventKind::kFailed, o.failed_at, d, static_cast<double>(o.reason));
            } else {
                open[kept++] = entry;  // still open: look again next frame
            }
        }
        open.resize(kept);
    }
}

}  // namespace swarm::io
