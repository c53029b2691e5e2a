#include "viz/live.hpp"

#include <algorithm>
#include <chrono>
#include <random>

#include "agents/fleet/fleet_model.hpp"
#include "agents/routing/router.hpp"
#include "sim/executor.hpp"

namespace swarm::viz {

namespace {

bool serving(agents::VehicleState s) {
    using agents::VehicleState;
    return s == VehicleState::kToPickup || s == VehicleState::kLoading ||
           s == VehicleState::kEnRoute || s == VehicleState::kDelivering;
}

DisruptionEffect effect_of(const VizCommand& c) {
    switch (c.kind) {
        case VizCommand::Kind::kCloseRoad:
            return DisruptionEffect::kRoadClosed;
        case VizCommand::Kind::kReopenRoad:
            return DisruptionEffect::kRoadReopened;
        case VizCommand::Kind::kDepotDown:
            return DisruptionEffect::kDepotDown;
        case VizCommand::Kind::kDepotUp:
            return DisruptionEffect::kDepotUp;
        case VizCommand::Kind::kCutCloudLink:
            return DisruptionEffect::kCloudDown;
        case VizCommand::Kind::kRestoreCloudLink:
            return DisruptionEffect::kCloudUp;
        case VizCommand::Kind::kBreakFleetShare:
            return DisruptionEffect::kVehicleBroken;
    }
    return DisruptionEffect::kNone;
}

}  // namespace

// ---- the disruption adapter ----

PendingDisruptionAdapter::PendingDisruptionAdapter(const world::RoadNetwork& net,
                                                   std::size_t depots, std::size_t vehicles,
                                                   std::uint64_t seed)
    : net_(net), vehicles_(vehicles), seed_(seed) {
    state_.reset(net.edge_count(), depots);
}

void PendingDisruptionAdapter::apply(const VizCommand& c, agents::FleetModel& model,
                                     sim::Tick now) {
    const double now_s = model.spec().time.to_seconds(now);
    const DisruptionEffect e = effect_of(c);
    ++recorded_;
    if (starts_disruption(e)) {
        times_.push_back(now_s);
    }
    switch (c.kind) {
        case VizCommand::Kind::kCloseRoad:
        case VizCommand::Kind::kReopenRoad: {
            if (c.target >= net_.edge_count()) {
                return;
            }
            // a road is both directions of the street
            state_.apply(e, c.target);
            const auto edge = static_cast<world::EdgeId>(c.target);
            const world::EdgeId back = net_.find_edge(net_.target(edge), net_.source(edge));
            if (back != world::kNoEdge) {
                state_.apply(e, back);
            }
            break;
        }
        case VizCommand::Kind::kBreakFleetShare: {
            // which vehicles: a draw from the run seed and the time, reproducible per run
            std::mt19937_64 rng(seed_ ^ static_cast<std::uint64_t>(now));
            const auto n = static_cast<std::size_t>(std::clamp(c.share, 0.0, 1.0) *
                                                    static_cast<double>(vehicles_));
            for (std::size_t i = 0; i < n; ++i) {
                state_.apply(
                    e, static_cast<std::uint32_t>(rng() % std::max<std::size_t>(1, vehicles_)));
            }
            break;
        }
        default:
            state_.apply(e, c.target);
            break;
    }
    // FleetModel::apply(DisruptionAction, now) is not available yet: nothing reaches the model
}

// ---- the observer that fills snapshots ----

class LiveSession::Feed final : public sim::Observer {
  public:
    Feed(const agents::FleetModel& model, const RoadGeometry& roads, SnapshotBuffer& buffer,
         const PendingDisruptionAdapter& adapter)
        : model_(model), roads_(roads), buffer_(buffer), adapter_(adapter) {
        history_.interval_s = model.spec().time.to_seconds(model.kpi_interval());
        history_.agents = model.vehicle_count();
        history_.has_orphaned = true;
    }

    void on_sample(const sim::Engine& /*engine*/, sim::Tick t) override {
        const auto started = std::chrono::steady_clock::now();
        fill(t);
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        samples.fetch_add(1, std::memory_order_relaxed);
        nanos.fetch_add(static_cast<std::uint64_t>(s * 1e9), std::memory_order_relaxed);
    }

    std::atomic<std::uint32_t> watched{0xFFFFFFFFu};
    std::atomic<std::uint64_t> samples{0};
    std::atomic<std::uint64_t> nanos{0};

  private:
    void fill(sim::Tick t) {
        const sim::TimeScale& scale = model_.spec().time;
        const agents::FleetState& fleet = model_.vehicles();
        const std::uint32_t n = model_.vehicle_count();
        Snapshot& s = buffer_.back();
        s.resize(n);
        s.time_s = scale.to_seconds(t);

        // agents
        KpiPoint k;
        k.time_s = s.time_s;
        std::size_t busy = 0;
        for (std::uint32_t v = 0; v < n; ++v) {
            const agents::Point p = model_.position_at(v, t);
            s.xy[2 * std::size_t{v}] = static_cast<float>(p.x - roads_.origin.x);
            s.xy[2 * std::size_t{v} + 1] = static_cast<float>(p.y - roads_.origin.y);
            s.state[v] = static_cast<std::uint8_t>(fleet.state[v]);
            s.load[v] = static_cast<float>(fleet.load[v]);
            s.energy[v] = static_cast<float>(fleet.energy_kwh[v]);
            busy += serving(fleet.state[v]) ? 1U : 0U;
            k.energy_kwh += fleet.energy_kwh[v];
            k.distance_km += fleet.counters[v].metres() / 1000.0;
        }
        k.busy_fraction = n > 0 ? static_cast<double>(busy) / n : 0.0;

        // orders, summed over depots in depot order
        agents::KpiSeries series;
        for (std::uint32_t d = 0; d < model_.depot_count(); ++d) {
            const agents::OrderBook& book = model_.depot(d).book;
            const agents::DepotCounters& c = book.counters();
            k.created += static_cast<double>(c.created);
            k.delivered += static_cast<double>(c.delivered());
            k.delivered_on_time += static_cast<double>(c.delivered_on_time);
            k.failed += static_cast<double>(c.failed());
            k.backlog += static_cast<double>(c.open());
            k.orphaned += static_cast<double>(c.orphaned);
            series += book.series();
        }
        s.kpi = k;
        history_.samples.push_back(k);

        // KPI intervals completed since the last sample
        const auto complete = static_cast<std::size_t>(t / model_.kpi_interval());
        if (complete > history_.intervals.size()) {
            const agents::KpiSeries fleet_series = model_.fleet_series(t);
            for (std::size_t i = history_.intervals.size(); i < complete; ++i) {
                IntervalKpi iv;
                iv.end_s = scale.to_seconds(series.start_of(i) + model_.kpi_interval());
                iv.service_level = series.service_level(i);
                iv.due = static_cast<double>(series.due(i));
                iv.deliveries = static_cast<double>(series.delivered(i));
                iv.utilisation = fleet_series.utilisation(i);
                history_.intervals.push_back(iv);
            }
        }
        history_.disruptions = adapter_.times();
        s.kpis = history_;

        fill_detail(t, s.detail);

        // disruptions as the map knows them
        adapter_.state().copy_to(s);
        buffer_.publish();
    }

    void fill_detail(sim::Tick /*t*/, AgentDetail& d) const {
        const std::uint32_t v = watched.load();
        const agents::FleetState& fleet = model_.vehicles();
        d.plan.clear();
        d.route_xy.clear();
        d.agent = v;
        if (v >= fleet.size()) {
            d.agent = 0xFFFFFFFFu;
            return;
        }
        d.home = fleet.home[v];
        d.dest_node = fleet.dest[v];
        const world::RoadNetwork& net = model_.spec().net();
        const std::vector<world::EdgeId>& route = fleet.route[v];
        const std::size_t pos = std::min<std::size_t>(fleet.route_pos[v], route.size());
        d.route_edges_left = static_cast<std::uint32_t>(route.size() - pos);
        for (std::size_t i = pos; i < route.size(); ++i) {
            const world::Point a = net.position(net.source(route[i]));
            const world::Point b = net.position(net.target(route[i]));
            d.route_xy.insert(d.route_xy.end(), {static_cast<float>(a.x - roads_.origin.x),
                                                 static_cast<float>(a.y - roads_.origin.y),
                                                 static_cast<float>(b.x - roads_.origin.x),
                                                 static_cast<float>(b.y - roads_.origin.y)});
        }
        const agents::Plan& plan = fleet.plan[v];
        for (std::size_t i = 0; i < plan.size; ++i) {
            const agents::PlanEntry& e = plan.entries[i];
            d.plan.push_back({e.depot, e.order, e.customer, e.size,
                              model_.spec().time.to_seconds(e.due), i < plan.loaded});
        }
    }

    const agents::FleetModel& model_;
    const RoadGeometry& roads_;
    SnapshotBuffer& buffer_;
    const PendingDisruptionAdapter& adapter_;
    KpiHistory history_;
};

// ---- the session ----

LiveSession::LiveSession(const LiveOptions& options) {
    io::ScenarioOptions so;
    so.overrides = options.overrides;
    if (options.threads) {
        so.overrides.push_back("run.threads=" + std::to_string(*options.threads));
    }
    scenario_ = io::load_scenario(options.scenario, so);
    const io::Scenario& s = scenario_;

    // model and kernel as `swarmsim run` builds them
    routing::RouterOptions ro;
    ro.landmark_count = s.network_settings.landmarks;
    routers_ = std::make_unique<routing::RouterFactory>(*s.network, ro);
    model_ = std::make_unique<agents::FleetModel>(s.spec, *routers_);
    executor_ = sim::make_executor(s.run.threads);
    engine_ = std::make_unique<sim::Engine>(model_->engine_config(s.run.seed), *model_, *executor_);

    std::vector<world::NodeId> depot_nodes;
    for (const agents::DepotSpec& d : s.spec.depots) {
        depot_nodes.push_back(d.node);
    }
    roads_ = build_road_geometry(*s.network, depot_nodes);
    adapter_ = std::make_unique<PendingDisruptionAdapter>(*s.network, s.spec.depot_count(),
                                                          s.spec.vehicle_count(), s.run.seed);
    feed_ = std::make_unique<Feed>(*model_, roads_, buffer_, *adapter_);

    const sim::Tick sample = std::max<sim::Tick>(1, s.spec.time.from_seconds(options.sample_s));
    engine_->add_observer(*feed_);
    engine_->set_sampling(0, sample);
    engine_->every(0, sample, [this](sim::Engine& /*e*/, sim::Tick t) { on_barrier(t); });
    model_->attach(*engine_);
}

LiveSession::~LiveSession() {
    stop();
}

void LiveSession::on_barrier(sim::Tick t) {
    // the UI's commands, in the order they were given
    commands_.drain(drained_);
    for (const VizCommand& c : drained_) {
        adapter_->apply(c, *model_, t);
    }
    if (pacing_.load()) {
        pace(scenario_.spec.time.to_seconds(t));
    }
}

void LiveSession::pace(double sim_s) {
    std::unique_lock lock(mutex_);
    // paused: the simulation thread waits here, at a barrier, until resumed or stopped
    if (paused_.load()) {
        wake_.wait(lock, [this] { return !paused_.load() || stopping_.load(); });
        origin_set_ = false;
    }
    const double speed = speed_.load();
    if (speed <= 0.0 || stopping_.load()) {
        origin_set_ = false;
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!origin_set_ || speed != origin_speed_) {
        origin_set_ = true;
        origin_sim_s_ = sim_s;
        origin_wall_ = now;
        origin_speed_ = speed;
        return;
    }
    const auto due =
        origin_wall_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>((sim_s - origin_sim_s_) / speed));
    // behind by more than a second of wall time: catch up no further, start again from here
    if (now - due > std::chrono::seconds(1)) {
        origin_sim_s_ = sim_s;
        origin_wall_ = now;
        return;
    }
    wake_.wait_until(lock, due, [this] {
        return stopping_.load() || paused_.load() || speed_.load() != origin_speed_;
    });
}

void LiveSession::run_engine(double until_s) {
    sim::RunLimits limits;
    limits.until = scenario_.spec.time.from_seconds(std::min(until_s, scenario_.run.duration_s));
    limits.stop_when = [this](const sim::Engine& /*e*/) { return stopping_.load(); };
    engine_->run(limits);
}

void LiveSession::start() {
    if (thread_.joinable()) {
        return;
    }
    pacing_ = true;
    thread_ = std::thread([this] {
        try {
            run_engine(scenario_.run.duration_s);
        } catch (const std::exception& e) {
            const std::lock_guard lock(mutex_);
            error_ = e.what();
        }
        finished_ = true;
    });
}

void LiveSession::run_until(double t_s) {
    pacing_ = false;
    // until is exclusive: one tick more so that a sample at exactly t_s is taken
    run_engine(t_s + scenario_.spec.time.to_seconds(1));
}

void LiveSession::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (engine_) {
        engine_->request_stop();
    }
    if (thread_.joinable()) {
        thread_.join();
    }
}

void LiveSession::set_paused(bool paused) {
    {
        const std::lock_guard lock(mutex_);
        paused_ = paused;
    }
    wake_.notify_all();
}

void LiveSession::set_speed(double speed) {
    {
        const std::lock_guard lock(mutex_);
        speed_ = std::max(0.0, speed);
    }
    wake_.notify_all();
}

void LiveSession::watch(std::uint32_t agent) {
    feed_->watched.store(agent);
}

LiveSession::FeedStats LiveSession::feed_stats() const {
    return {feed_->samples.load(), static_cast<double>(feed_->nanos.load()) * 1e-9};
}

std::string LiveSession::error() const {
    const std::lock_guard lock(mutex_);
    return error_;
}

}  // namespace swarm::viz
