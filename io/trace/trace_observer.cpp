#include "io/trace/trace_observer.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <tuple>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/kpi_observer.hpp"

namespace swarm::io {

namespace {

// bit for bit (the coordinates are the network's, the same doubles every time)
bool same_bits(double a, double b) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}
bool same_bits(float a, float b) {
    return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}

// a vehicle's energy in integers of 2^-64 kWh, towards zero (exact from 2^-12 kWh up, where a
// double's last bit is at least 2^-64), for energies under 2^30 kWh: 2^32 vehicles' sum then
// fits in 127 bits. Irregular (NaN, infinite or larger): false
__extension__ using EnergyUnits = __int128;

bool regular_energy(double kwh) {
    return std::fabs(kwh) < 0x1p30;
}

bool fixed_energy(double kwh, EnergyUnits& out) {
    if (!regular_energy(kwh)) {
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

}  // namespace

TraceObserver::TraceObserver(agents::FleetModel& model, TraceWriter& writer,
                             TraceObserverOptions options)
    : model_(model), writer_(writer), options_(options) {
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

void TraceObserver::resume(sim::Tick previous_frame, std::span<const std::int8_t> previous_states) {
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
    if (!previous_states.empty()) {
        if (previous_states.size() != model_.vehicle_count()) {
            throw TraceError(writer_.path(), "resuming with the states of " +
                                                 std::to_string(previous_states.size()) +
                                                 " vehicles, the run has " +
                                                 std::to_string(model_.vehicle_count()));
        }
        // no frame was pushed yet: the writer thread has not touched the mirror
        reset_mirror(previous_states.size());
        std::copy(previous_states.begin(), previous_states.end(), state_.begin());
        busy_known_ = false;
        mirrored_ = true;
    }
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
    const sim::TimeScale& scale = model_.spec().time;
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    std::unique_ptr<TraceFrame> f = writer_.acquire();
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

namespace {

// The fleet's records a change record reads, their data read once (the records written could
// alias the vectors' pointers, which the compiler would then load again for every record)
struct ChangeColumns {
    explicit ChangeColumns(const agents::FleetState& fleet)
        : hot(fleet.hot.data()), warm(fleet.warm.data()) {}
    // scattered reads of a vehicle's two records (VehicleHot: two adjacent lines): asked for a
    // few vehicles ahead, so that the cache misses overlap
    void prefetch(std::uint32_t v) const {
        __builtin_prefetch(hot + v);
        __builtin_prefetch(reinterpret_cast<const char*>(hot + v) + 64);
        __builtin_prefetch(warm + v);
    }
    [[nodiscard]] TraceAgentChange record(std::uint32_t v) const {
        const agents::VehicleHot& h = hot[v];
        return {.agent = v,
                .state = static_cast<std::int8_t>(h.state),
                .moving = h.moving,
                .node = h.node,
                .leg_to = h.leg_to,
                .leg_start = h.leg_start,
                .leg_end = h.leg_end,
                .load = warm[v].load,
                .energy_kwh = h.energy_kwh,
                .distance_mm = h.counters.distance_mm};
    }

    const agents::VehicleHot* hot;
    const agents::VehicleWarm* warm;
};

// The change records of a list of vehicles as a range made while it is read: vector::insert
// of it sizes the vector once and constructs each record in place (a push_back per record
// checked the capacity and moved the end each time; a resize first would zero them all).
// Reading record i asks for vehicle i + kAhead's data.
class ChangeRecords {
  public:
    static constexpr std::size_t kAhead = 8;
    using iterator_category = std::random_access_iterator_tag;
    using value_type = TraceAgentChange;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = TraceAgentChange;

    ChangeRecords(const ChangeColumns& columns, std::span<const std::uint32_t> vehicles,
                  std::size_t i)
        : columns_(&columns), vehicles_(vehicles), i_(i) {}
    [[nodiscard]] TraceAgentChange operator*() const {
        if (i_ + kAhead < vehicles_.size()) {
            columns_->prefetch(vehicles_[i_ + kAhead]);
        }
        return columns_->record(vehicles_[i_]);
    }
    ChangeRecords& operator++() {
        ++i_;
        return *this;
    }
    ChangeRecords& operator--() {
        --i_;
        return *this;
    }
    ChangeRecords& operator+=(difference_type n) {
        i_ = static_cast<std::size_t>(static_cast<difference_type>(i_) + n);
        return *this;
    }
    friend difference_type operator-(const ChangeRecords& a, const ChangeRecords& b) {
        return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const ChangeRecords& a, const ChangeRecords& b) { return a.i_ == b.i_; }

  private:
    const ChangeColumns* columns_;
    std::span<const std::uint32_t> vehicles_;
    std::size_t i_;
};

}  // namespace

void TraceObserver::record_vehicles(TraceFrame& frame) {
    model_.take_changes(changes_);
    const ChangeColumns columns(model_.vehicles());
    const std::span<const std::uint32_t> vehicles = changes_.vehicles;
    for (std::size_t i = 0; i < std::min(ChangeRecords::kAhead, vehicles.size()); ++i) {
        columns.prefetch(vehicles[i]);
    }
    frame.changes.clear();
    frame.changes.insert(frame.changes.end(), ChangeRecords(columns, vehicles, 0),
                         ChangeRecords(columns, vehicles, vehicles.size()));
}

void TraceObserver::reset_mirror(std::size_t n) {
    state_.assign(n, 0);
    load_.assign(n, 0.0F);
    energy_.assign(n, 0.0);
    energy_units_.assign(n, 0);
    energy_f_.assign(n, 0.0F);
    energy_fixed_ = 0;
    energy_irregular_ = 0;
    legs_.assign(n, TraceLeg{});
    distance_mm_.assign(n, 0);
    total_distance_mm_ = 0;
    busy_known_ = false;
    compared_ = false;
}

void TraceObserver::complete(TraceFrame& frame) {
    // The writer thread's working set stays small (it shares the caches with the
    // simulation): per vehicle its state, load, energy and position as of the last frame,
    // plus one compact record per vehicle on a leg, the only positions that move.
    const std::size_t n = frame.state.size();
    if (state_.size() != n) {
        reset_mirror(n);
    }
    // the news into the mirror; a state that differs from the last frame's is a row (state
    // changes at sample resolution; none for the first frame, where everything is news)
    const agents::Point* where = model_.spec().net().positions().data();
    // the events so far (orders, disruptions) come in the simulation's order; the state
    // rows appended below are in the changes' order, all at the frame's time and kind
    const std::size_t sim_events = frame.events.size();
    // the vehicles whose state, load or energy may differ from the last frame's: the changes
    // (ascending and each once as FleetModel::take_changes gives them, else sorted below);
    // touched and moved are sized for every change first and written by index
    const std::size_t changes = frame.changes.size();
    frame.touched.resize(changes);
    const std::size_t moved_before = frame.moved.size();
    frame.moved.resize(moved_before + changes);
    std::uint32_t* const touched = frame.touched.data();
    std::uint32_t* const moved = frame.moved.data() + moved_before;
    std::size_t moves = 0;
    // the vehicles whose row (leg, state, float32 load or energy) differs from the previous
    // frame's mirror. That is the row the file holds last for each vehicle (what the writer
    // must compare with), by induction over the frames completed from this mirror, which the
    // writer writes each, in order, before completing the next (TraceWriter::run; after a
    // write error it writes nothing more): at the mirror's first frame nothing is compared
    // (compared_ unset: the writer writes every row; it is the file's first frame, a keyframe,
    // also after resume()), and at each later frame a vehicle's row is written with the
    // mirror's values (a keyframe, or listed here because they changed), or its values equal
    // the previous frame's, which equal its last row. (A vehicle listed twice in the changes,
    // which take_changes does not do, may get a row that repeats its last: harmless.)
    if (written_.size() < changes) {
        written_.resize(changes);
    }
    std::uint32_t* const written = written_.data();
    std::size_t writes = 0;
    // the mirror's arrays and sums, read once and kept in registers: the int8 state stores
    // below may alias anything, so the compiler would otherwise load every vector's data
    // pointer (and the sums) again for each change
    const TraceAgentChange* const records = frame.changes.data();
    std::int8_t* const state = state_.data();
    float* const load = load_.data();
    double* const energy = energy_.data();
    float* const energy_f = energy_f_.data();
    EnergyUnits* const units = energy_units_.data();
    std::int64_t* const distance = distance_mm_.data();
    TraceLeg* const legs = legs_.data();
    EnergyUnits fixed = energy_fixed_;
    std::size_t irregular = energy_irregular_;
    std::size_t busy = busy_;
    std::int64_t total_distance = total_distance_mm_;
    const bool count_busy = busy_known_;
    const bool state_rows = mirrored_ && options_.state_events;
    const double time = frame.time;
    bool ascending = true;
    std::int64_t last = -1;  // the previous change's agent
    for (std::size_t i = 0; i < changes; ++i) {
        const TraceAgentChange& c = records[i];
        const std::uint32_t v = c.agent;
        ascending = ascending & (static_cast<std::int64_t>(v) > last);
        last = v;
        touched[i] = v;
        // (| rather than ||: no branch per test)
        bool row = state[v] != c.state;
        if (row) {
            if (state_rows) {
                TraceEvent e;
                e.time = time;
                e.kind = static_cast<std::int16_t>(TraceEventKind::kVehicleState);
                e.agent = v;
                e.value = c.state;
                frame.events.push_back(e);
            }
            if (count_busy) {
                busy -= agents::serving(static_cast<agents::VehicleState>(state[v])) ? 1U : 0U;
                busy += agents::serving(static_cast<agents::VehicleState>(c.state)) ? 1U : 0U;
            }
            state[v] = c.state;
        }
        const auto load_f = static_cast<float>(c.load);
        row = row | !same_bits(load[v], load_f);
        load[v] = load_f;
        // the energy, bit for bit (a NaN energy counts as changed); the row's is its float32
        const double kwh = c.energy_kwh;
        if (!same_bits(energy[v], kwh)) {
            // the old energy's units as kept (converted once, when it was new; 0 when
            // irregular)
            EnergyUnits& kept = units[v];
            fixed -= kept;
            if (irregular != 0) {
                irregular -= regular_energy(energy[v]) ? 0U : 1U;
            }
            if (fixed_energy(kwh, kept)) {
                fixed += kept;
            } else {
                kept = 0;
                ++irregular;
            }
            energy[v] = kwh;
            const auto kwh_f = static_cast<float>(kwh);
            row = row | !same_bits(energy_f[v], kwh_f);
            energy_f[v] = kwh_f;
        }
        // distance moves only when a leg or edge ends, which flags the vehicle
        total_distance += c.distance_mm - distance[v];
        distance[v] = c.distance_mm;
        // the leg: FleetModel::position_at's inputs by network node, a still vehicle's
        // reduced to its node (its leg's other fields do not move it), so that a row is
        // written when the position's inputs change, not when the model merely flags the
        // vehicle; compared and updated in place (a leg to another node at the very same
        // coordinates counts as a change: a row that repeats the position, harmless)
        const bool on_leg = c.moving != 0 && c.leg_end > c.leg_start;
        const std::uint32_t to = on_leg ? c.leg_to : c.node;
        const std::int64_t start = on_leg ? c.leg_start : 0;
        const std::int64_t end = on_leg ? c.leg_end : 0;
        TraceLeg& leg = legs[v];
        if (leg.moving != static_cast<std::uint8_t>(on_leg) || leg.start != start ||
            leg.end != end || leg.from != c.node || leg.to != to) {
            leg.moving = static_cast<std::uint8_t>(on_leg);
            leg.from = c.node;
            leg.to = to;
            leg.start = start;
            leg.end = end;
            moved[moves++] = v;
            row = true;
        }
        written[writes] = v;
        writes += row ? 1 : 0;
    }
    energy_fixed_ = fixed;
    energy_irregular_ = irregular;
    busy_ = busy;
    total_distance_mm_ = total_distance;
    frame.moved.resize(moved_before + moves);
    mirrored_ = true;
    if (!ascending) {
        // ascending and each once, as the writer wants them (moved is a subsequence of the
        // changes: sorted when they are)
        std::sort(frame.touched.begin(), frame.touched.end());
        frame.touched.erase(std::unique(frame.touched.begin(), frame.touched.end()),
                            frame.touched.end());
        std::sort(frame.moved.begin(), frame.moved.end());
        frame.moved.erase(std::unique(frame.moved.begin(), frame.moved.end()), frame.moved.end());
        std::sort(written, written + writes);
        writes = static_cast<std::size_t>(std::unique(written, written + writes) - written);
    }

    // the writer writes the rows (those of written) from the mirror itself: nothing of the
    // fleet is copied; and only the vehicles that changed can have a leg, state, load or
    // energy other than the last frame's
    frame.rows = {nullptr,          legs_.data(),      where,    state_.data(), load_.data(),
                  energy_f_.data(), {written, writes}, compared_};
    compared_ = true;
    frame.touched_known = true;
    if (!busy_known_) {  // counted once, then kept up to date from the changes
        busy_ = 0;
        for (const std::int8_t s : state_) {
            busy_ += agents::serving(static_cast<agents::VehicleState>(s)) ? 1U : 0U;
        }
        busy_known_ = true;
    }
    frame.scalars.busy_fraction = n > 0 ? static_cast<double>(busy_) / static_cast<double>(n) : 0.0;
    // FleetCounters::metres() / 1000, as the run summary's veh_km: the same double
    frame.scalars.veh_km = static_cast<double>(total_distance_mm_) * 1e-3 / 1000.0;
    if (energy_irregular_ == 0) {
        // the exact sum, rounded once (the conversion rounds to nearest; the power of two is
        // exact): the same double in any order, for any thread count
        frame.scalars.energy_kwh = static_cast<double>(energy_fixed_) * 0x1p-64;
    } else {
        // NaN, infinite or huge energies: four partial sums in a fixed order
        std::array<double, 4> sum{};
        std::size_t v = 0;
        for (; v + 4 <= n; v += 4) {
            for (std::size_t i = 0; i < 4; ++i) {
                sum[i] += energy_[v + i];
            }
        }
        for (; v < n; ++v) {
            sum[0] += energy_[v];
        }
        frame.scalars.energy_kwh = (sum[0] + sum[1]) + (sum[2] + sum[3]);
    }

    // a deterministic order of the rows: time, kind, order, agent, edge. The state rows are
    // in that order already when the changes are ascending (one time and kind, order 0, one
    // row per agent): only the simulation's rows are sorted, then the two runs merged, unless
    // they stand in order already (the simulation's last row not after the first state row,
    // as when none falls at the frame's own time: what the stable merge would give)
    const auto before = [](const TraceEvent& a, const TraceEvent& b) {
        return std::tie(a.time, a.kind, a.order, a.agent, a.edge) <
               std::tie(b.time, b.kind, b.order, b.agent, b.edge);
    };
    const auto middle = frame.events.begin() + static_cast<std::ptrdiff_t>(sim_events);
    if (!ascending) {
        std::sort(frame.events.begin(), frame.events.end(), before);
        return;
    }
    std::sort(frame.events.begin(), middle, before);
    if (sim_events != 0 && middle != frame.events.end() && before(*middle, *(middle - 1))) {
        events_.clear();
        std::merge(frame.events.begin(), middle, middle, frame.events.end(),
                   std::back_inserter(events_), before);
        frame.events.swap(events_);
    }
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
