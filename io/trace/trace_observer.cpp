#include "io/trace/trace_observer.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <tuple>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/kpi_observer.hpp"
#include "io/trace/hdf5_util.hpp"

namespace swarm::io {

TraceObserver::TraceObserver(agents::FleetModel& model, TraceWriter& writer,
                             TraceObserverOptions options)
    : model_(model),
      writer_(writer),
      options_(options),
      keyframe_frames_(writer.keyframe_frames()) {
    reported_.resize(model.depot_count());
    depot_totals_.resize(model.depot_count());
    for (std::uint32_t d = 0; d < model.depot_count(); ++d) {
        count_orders(d);
    }
    model_.follow_changes();
    writer_.set_completer(*this);
}

TraceFollower::TraceFollower(agents::FleetModel& model) : model_(model) {
    model_.follow_changes();
}

void TraceFollower::on_sample(const sim::Engine& /*engine*/, sim::Tick /*t*/) {
    model_.take_changes(changes_);
}

TraceObserver::~TraceObserver() {
    writer_.release_completer(*this);
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

void TraceObserver::resume(sim::Tick previous_frame) {
    if (frames_ != 0) {
        throw TraceError(writer_.path(), "a trace can only resume before its first frame");
    }
    // the lifecycle rows the original run wrote before the checkpoint
    for (std::uint32_t d = 0; d < model_.depot_count(); ++d) {
        const auto orders = model_.depot(d).book.orders();
        std::vector<std::uint8_t>& reported = reported_[d];
        reported.assign(orders.size(), 0);
        for (std::size_t i = 0; i < orders.size(); ++i) {
            const agents::Order& o = orders[i];
            std::uint8_t bits = 1u;
            bits |= o.first_assigned_at != sim::kTickNever ? 2u : 0u;
            bits |= o.picked_up_at != sim::kTickNever ? 4u : 0u;
            const bool done =
                o.state == agents::OrderState::kDelivered || o.state == agents::OrderState::kFailed;
            bits |= done ? 8u : 0u;
            reported[i] = bits;
        }
    }
    // the disruptions applied so far keep their places in /events@disruption_labels
    const auto& log = model_.disruption_log();
    resumed_labels_.clear();
    for (const agents::AppliedDisruption& d : log) {
        resumed_labels_.push_back(d.label);
    }
    disruptions_reported_ = log.size();
    next_interval_ = static_cast<std::size_t>(previous_frame / model_.kpi_interval());
}

TraceHeader TraceObserver::header_for(const agents::FleetModel& model, double sample_interval_s) {
    TraceHeader h;
    h.agents = model.vehicle_count();
    h.depots = model.depot_count();
    h.network_nodes = model.spec().net().node_count();
    h.network_edges = model.spec().net().edge_count();
    const auto nodes = model.spec().net().positions();
    h.nodes.assign(nodes.begin(), nodes.end());
    h.ticks_per_second = model.spec().time.ticks_per_second;
    h.sample_interval_s = sample_interval_s;
    h.kpi_interval_s = model.spec().time.to_seconds(model.kpi_interval());
    return h;
}

void TraceObserver::on_sample(const sim::Engine& /*engine*/, sim::Tick t) {
    const sim::TimeScale& scale = model_.spec().time;
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const bool keyframe = frames_ % keyframe_frames_ == 0;  // every vehicle's row (record_vehicles)
    std::unique_ptr<TraceFrame> f =
        writer_.acquire(keyframe ? model_.vehicle_count() * kPackedLegBytes : 0);
    f->step = t;
    f->time = scale.to_seconds(t);

    record_vehicles(*f);

    // order counters summed over depots: a depot's counters move only with its orders, so
    // only the depots whose journals listed orders are read again
    std::uint32_t refreshed = std::numeric_limits<std::uint32_t>::max();
    for (const auto& change : changes_.orders) {
        if (change.first != refreshed) {
            refreshed = change.first;
            count_orders(refreshed);
        }
    }
    f->scalars.created = static_cast<std::int64_t>(totals_.created);
    f->scalars.delivered = static_cast<std::int64_t>(totals_.delivered());
    f->scalars.delivered_on_time = static_cast<std::int64_t>(totals_.delivered_on_time);
    f->scalars.delivered_late = static_cast<std::int64_t>(totals_.delivered_late);
    f->scalars.failed = static_cast<std::int64_t>(totals_.failed);
    f->scalars.backlog = static_cast<std::int64_t>(totals_.open());

    // KPI intervals completed since the last frame
    const std::vector<agents::IntervalKpis> completed =
        agents::completed_intervals(model_, next_interval_, t);
    if (!completed.empty()) {
        // once per KPI interval: one scan of the open orders for the indicators and the cost
        const agents::OpenOrderKpis open = agents::open_order_kpis(model_, t);
        const double cost = agents::running_cost(model_, t, open);
        for (const agents::IntervalKpis& iv : completed) {
            TraceKpiInterval ki;
            ki.end_tick = iv.end;
            ki.end_s = scale.to_seconds(ki.end_tick);
            ki.service_level = iv.outcomes.q();
            ki.served = static_cast<std::int64_t>(iv.outcomes.served);
            ki.lost = static_cast<std::int64_t>(iv.outcomes.lost);
            ki.lapsed = static_cast<std::int64_t>(iv.outcomes.lapsed);
            ki.unassigned = static_cast<std::int64_t>(open.unassigned);
            ki.oldest_unassigned_age_s = open.oldest_unassigned_created == sim::kTickNever
                                             ? std::numeric_limits<double>::quiet_NaN()
                                             : scale.to_seconds(t - open.oldest_unassigned_created);
            ki.at_risk = static_cast<std::int64_t>(open.at_risk);
            ki.overdue = static_cast<std::int64_t>(open.overdue);
            ki.utilisation = iv.utilisation;
            ki.due = static_cast<std::int64_t>(iv.due);
            ki.deliveries = static_cast<std::int64_t>(iv.delivered);
            ki.cost = cost;
            f->intervals.push_back(ki);
        }
        next_interval_ += completed.size();
    }

    if (options_.order_events) {
        record_orders(*f);
    }
    record_disruptions(*f);
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
    const auto t1 = Clock::now();
    writer_.push(std::move(f));
    const auto t2 = Clock::now();
    sample_s_ += std::chrono::duration<double>(t2 - t0).count();
    push_s_ += std::chrono::duration<double>(t2 - t1).count();
    ++frames_;
}

void TraceObserver::count_orders(std::uint32_t d) {
    agents::OrderTotals& depot = depot_totals_[d];
    totals_ -= depot;
    depot = agents::order_totals(model_.depot(d).book.counters());
    totals_ += depot;
}

void TraceObserver::record_vehicles(TraceFrame& frame) {
    model_.take_changes(changes_);
    const agents::FleetState& fleet = model_.vehicles();
    const std::size_t n = fleet.size();
    // a keyframe (the file's first frame among them) has every vehicle's row; the writer
    // counts its frames as this observer does (every frame pushed is written, or none after
    // a failure)
    std::span<const std::uint32_t> vehicles = changes_.vehicles;
    if (frames_ % keyframe_frames_ == 0) {
        if (every_.size() != n) {
            every_.resize(n);
            for (std::uint32_t v = 0; v < n; ++v) {
                every_[v] = v;
            }
        }
        vehicles = every_;
    }
    // schema 3.3 (a run's trace): the rows packed here; an older layout (tests of its
    // readers): every vehicle's position, state, load and energy (below) for the writer's rows
    const bool pack = writer_.packs_legs();
    frame.packed_leg_rows = pack ? vehicles.size() : 0;
    // grown by doubling: acquire() empties it, so resize() alone would grow a recycled frame
    // to each larger frame's exact size, one allocation (and its page faults) at a time
    const std::size_t bytes = frame.packed_leg_rows * kPackedLegBytes;
    if (bytes > frame.packed_legs.capacity()) {
        frame.packed_legs.reserve(std::max(bytes, 2 * frame.packed_legs.capacity()));
    }
    frame.packed_legs.resize(bytes);
    // read once into locals: the packed stores below may alias anything
    unsigned char* out = frame.packed_legs.data();
    const agents::VehicleHot* const hot = fleet.hot.data();
    const agents::VehicleWarm* const warm = fleet.warm.data();
    // scattered reads of a vehicle's records (VehicleHot: two adjacent lines, VehicleWarm
    // one): asked for a few vehicles ahead, so that the cache misses overlap (16 ahead rather
    // than 8: about half a point less, alternated, docs/trace-cost-history-23-28.md "Session 28")
    constexpr std::size_t kAhead = 16;
    const auto prefetch = [&](std::uint32_t v) {
        __builtin_prefetch(hot + v);
        __builtin_prefetch(reinterpret_cast<const char*>(hot + v) + 64);
        __builtin_prefetch(warm + v);
    };
    for (std::size_t i = 0; pack && i < std::min(kAhead, vehicles.size()); ++i) {
        prefetch(vehicles[i]);
    }
    for (std::size_t i = 0; pack && i < vehicles.size(); ++i) {
        if (i + kAhead < vehicles.size()) {
            prefetch(vehicles[i + kAhead]);
        }
        const std::uint32_t v = vehicles[i];
        const agents::VehicleHot& h = hot[v];
        // the row: FleetModel::position_at's inputs by network node, a still vehicle's reduced
        // to its node (its leg's other fields do not move it)
        const bool on_leg = h.moving != 0 && h.leg_end > h.leg_start;
        const std::uint8_t moving = on_leg ? 1 : 0;
        const std::uint32_t to = on_leg ? h.leg_to : h.node;
        const std::int64_t start = on_leg ? h.leg_start : 0;
        const std::int64_t end = on_leg ? h.leg_end : 0;
        out = h5::put_packed(out, v, moving, static_cast<std::int8_t>(h.state),
                             static_cast<float>(warm[v].load), static_cast<float>(h.energy_kwh),
                             h.node, to, start, end);
    }
    if (!pack) {
        for (std::uint32_t v = 0; v < n; ++v) {
            const agents::Point p = model_.position_at(v, frame.step);
            frame.position[2 * v] = static_cast<float>(p.x);
            frame.position[2 * v + 1] = static_cast<float>(p.y);
            frame.state[v] = static_cast<std::int8_t>(hot[v].state);
            frame.load[v] = static_cast<float>(warm[v].load);
            frame.energy[v] = static_cast<float>(hot[v].energy_kwh);
        }
    }
    // the fleet-wide values from the model's tallies, kept as the vehicles change (the
    // partitions', not the vehicles' cost)
    const agents::FleetTally sums = model_.fleet_tally();
    const auto busy = sums.in[agents::FleetTally::kBusy];  // serving: to pick-up ... delivering
    frame.scalars.busy_fraction = n > 0 ? static_cast<double>(busy) / static_cast<double>(n) : 0.0;
    // FleetCounters::metres() / 1000, as the run summary's veh_km: the same double
    frame.scalars.veh_km = static_cast<double>(sums.closed.distance_mm) * 1e-3 / 1000.0;
    if (sums.battery_irregular == 0) {
        // the exact sum, rounded once: the same double for any thread count
        frame.scalars.energy_kwh = sums.battery_kwh();
    } else {
        // NaN, infinite or huge energies: four partial sums in a fixed order
        std::array<double, 4> sum{};
        std::size_t v = 0;
        for (; v + 4 <= n; v += 4) {
            for (std::size_t k = 0; k < 4; ++k) {
                sum[k] += hot[v + k].energy_kwh;
            }
        }
        for (; v < n; ++v) {
            sum[0] += hot[v].energy_kwh;
        }
        frame.scalars.energy_kwh = (sum[0] + sum[1]) + (sum[2] + sum[3]);
    }
}

void TraceObserver::complete(TraceFrame& frame) {
    // a deterministic order of the rows: time, kind, order, agent, edge (no two rows are equal
    // in all five unless they are the same row)
    std::sort(frame.events.begin(), frame.events.end(),
              [](const TraceEvent& a, const TraceEvent& b) {
                  return std::tie(a.time, a.kind, a.order, a.agent, a.edge) <
                         std::tie(b.time, b.kind, b.order, b.agent, b.edge);
              });
}

void TraceObserver::record_disruptions(TraceFrame& frame) {
    if (!resumed_labels_.empty()) {
        frame.disruption_labels = std::move(resumed_labels_);
        resumed_labels_.clear();
    }
    // every disruption applied since the last frame, one row per edge, depot or vehicle
    const auto& log = model_.disruption_log();
    const sim::TimeScale& scale = model_.spec().time;
    for (; disruptions_reported_ < log.size(); ++disruptions_reported_) {
        const agents::AppliedDisruption& d = log[disruptions_reported_];
        TraceEvent e;
        e.time = scale.to_seconds(d.t);
        e.kind = trace_event_kind(d.kind);
        e.order = disruptions_reported_;
        e.value = d.value;
        frame.disruption_labels.push_back(d.label);
        const bool roads = agents::info(d.kind).target == agents::DisruptionTarget::kRoads;
        if (d.targets.empty()) {
            frame.events.push_back(e);
        }
        for (const std::uint32_t target : d.targets) {
            (roads ? e.edge : e.agent) = target;
            frame.events.push_back(e);
        }
    }
}

void TraceObserver::record_orders(TraceFrame& frame) {
    // only the orders the books journalled since the last frame: the cost is the news, not
    // the backlog or the history
    const sim::TimeScale& scale = model_.spec().time;
    const auto& journal = changes_.orders;
    constexpr std::size_t kAhead = 4;  // orders asked for ahead (scattered in their books)
    for (std::size_t i = 0; i < journal.size(); ++i) {
        if (i + kAhead < journal.size()) {
            const auto& [ahead_depot, ahead_index] = journal[i + kAhead];
            const auto ahead = model_.depot(ahead_depot).book.orders();
            if (ahead_index < ahead.size()) {
                ahead.prefetch(ahead_index);
            }
        }
        const auto& [d, index] = journal[i];
        std::vector<std::uint8_t>& reported = reported_[d];
        const auto orders = model_.depot(d).book.orders();
        if (reported.size() < orders.size()) {
            reported.resize(orders.size(), 0);
        }
        std::uint8_t& bits = reported[index];
        if ((bits & 8u) != 0) {
            continue;  // its last row is written
        }
        const agents::Order& o = orders[index];
        const std::uint64_t id = (std::uint64_t{d} << 32) | index;
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
            bits |= 8u;
        } else if (o.state == agents::OrderState::kFailed) {
            emit(TraceEventKind::kFailed, o.failed_at, d, static_cast<double>(o.reason));
            bits |= 8u;
        }
    }
}

}  // namespace swarm::io
