#include "viz/live.hpp"

#include <algorithm>
#include <chrono>
#include <span>
#include <stdexcept>

#include "agents/fleet/allocation.hpp"
#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_run.hpp"
#include "agents/fleet/kpi_observer.hpp"
#include "io/scenario/run_options.hpp"

namespace swarm::viz {

// ---- the disruption adapter ----

agents::DisruptionAction DisruptionAdapter::to_action(const VizCommand& c,
                                                      const agents::FleetModel& model) {
    using agents::DisruptionKind;
    agents::DisruptionAction a;
    a.label = "viz: ";
    a.label.append(to_string(c.kind));
    const world::RoadNetwork& net = model.spec().net();
    switch (c.kind) {
        case VizCommand::Kind::kCloseRoad:
        case VizCommand::Kind::kReopenRoad: {
            if (c.target >= net.edge_count()) {
                throw std::invalid_argument("no edge " + std::to_string(c.target));
            }
            a.kind = c.kind == VizCommand::Kind::kCloseRoad ? DisruptionKind::kCloseRoads
                                                            : DisruptionKind::kReopenRoads;
            if (!c.edges.empty()) {
                // a named road: every edge of it
                for (const std::uint32_t e : c.edges) {
                    if (e >= net.edge_count()) {
                        throw std::invalid_argument("no edge " + std::to_string(e));
                    }
                }
                a.edges.assign(c.edges.begin(), c.edges.end());
                std::sort(a.edges.begin(), a.edges.end());
                a.edges.erase(std::unique(a.edges.begin(), a.edges.end()), a.edges.end());
                a.label.append(" '").append(c.label).append("'");
                break;
            }
            const auto edge = static_cast<world::EdgeId>(c.target);
            a.edges = {edge};
            const world::EdgeId back = net.find_edge(net.target(edge), net.source(edge));
            if (back != world::kNoEdge && back != edge) {
                a.edges.push_back(back);
            }
            std::sort(a.edges.begin(), a.edges.end());
            a.label.append(1, ' ').append(std::to_string(c.target));
            break;
        }
        case VizCommand::Kind::kDepotDown:
        case VizCommand::Kind::kDepotUp:
            if (c.target >= model.depot_count()) {
                throw std::invalid_argument("no depot " + std::to_string(c.target));
            }
            a.kind = c.kind == VizCommand::Kind::kDepotDown ? DisruptionKind::kDepotDown
                                                            : DisruptionKind::kDepotUp;
            a.depot = c.target;
            a.label.append(1, ' ').append(std::to_string(c.target));
            break;
        case VizCommand::Kind::kCutCloudLink:
            a.kind = DisruptionKind::kCloudDown;
            break;
        case VizCommand::Kind::kRestoreCloudLink:
            a.kind = DisruptionKind::kCloudUp;
            break;
        case VizCommand::Kind::kBreakFleetShare:
            if (!(c.share > 0.0 && c.share <= 1.0)) {
                throw std::invalid_argument("fleet share must be in (0, 1]");
            }
            a.kind = DisruptionKind::kBreakVehicles;
            a.fraction = c.share;
            break;
    }
    return a;
}

void DisruptionAdapter::apply(const VizCommand& c, agents::FleetModel& model, sim::Tick now) {
    agents::DisruptionAction a;
    try {
        a = to_action(c, model);
    } catch (const std::invalid_argument&) {
        ++rejected_;  // the UI only sends what exists; a stale command is dropped
        return;
    }
    model.apply(a, now);
    ++applied_;
}

// ---- the observer that fills snapshots ----

class LiveSession::Feed final : public sim::Observer {
  public:
    Feed(const agents::FleetModel& model, const RoadGeometry& roads, SnapshotBuffer& buffer)
        : model_(model), roads_(roads), buffer_(buffer) {
        disruptions_.reset(model.spec().net().edge_count(), model.depot_count());
        history_.interval_s = model.spec().time.to_seconds(model.kpi_interval());
        history_.agents = model.vehicle_count();
        history_.has_orphaned = true;
        history_.has_leading = true;
        history_.resilience = model.spec().resilience;
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
    std::atomic<bool> want_radio{false};
    std::atomic<bool> want_gossip{false};
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
            busy += agents::serving(fleet.state[v]) ? 1U : 0U;
            k.energy_kwh += fleet.energy_kwh[v];
            k.distance_km += fleet.counters[v].metres() / 1000.0;
        }
        k.busy_fraction = n > 0 ? static_cast<double>(busy) / n : 0.0;
        // what the vehicles learn (wear, predicted risk, model scores): colour-by choices
        if (const agents::FleetLearning* l = model_.learning()) {
            s.extra.resize(agents::FleetLearning::kValues);
            for (std::size_t i = 0; i < agents::FleetLearning::kValues; ++i) {
                s.extra[i].name = agents::FleetLearning::kValueNames[i];
                const std::span<const float> values = l->value(i);
                s.extra[i].values.assign(values.begin(), values.end());
            }
        }

        // orders, summed over depots
        const agents::OrderTotals orders = agents::order_totals(model_);
        k.created = static_cast<double>(orders.created);
        k.delivered = static_cast<double>(orders.delivered());
        k.delivered_on_time = static_cast<double>(orders.delivered_on_time);
        k.failed = static_cast<double>(orders.failed);
        k.backlog = static_cast<double>(orders.open());
        k.orphaned = static_cast<double>(orders.orphaned);
        s.kpi = k;
        history_.samples.push_back(k);

        // KPI intervals completed since the last sample
        const std::vector<agents::IntervalKpis> completed =
            agents::completed_intervals(model_, history_.intervals.size(), t);
        if (!completed.empty()) {
            // once per KPI interval, as the trace records them: one scan of the open orders
            // for the leading indicators and the cost
            const agents::OpenOrderKpis open = agents::open_order_kpis(model_, t);
            const double cost = agents::running_cost(model_, t, open);
            for (const agents::IntervalKpis& c : completed) {
                IntervalKpi iv;
                iv.end_s = scale.to_seconds(c.end);
                iv.service_level = c.outcomes.q();
                iv.due = static_cast<double>(c.due);
                iv.deliveries = static_cast<double>(c.delivered);
                iv.utilisation = c.utilisation;
                iv.cost = cost;
                iv.open = k.backlog;
                iv.unassigned = static_cast<double>(open.unassigned);
                if (open.oldest_unassigned_created != sim::kTickNever) {
                    iv.oldest_unassigned_age_s =
                        scale.to_seconds(t - open.oldest_unassigned_created);
                }
                iv.at_risk = static_cast<double>(open.at_risk);
                iv.overdue = static_cast<double>(open.overdue);
                history_.intervals.push_back(iv);
            }
        }
        read_disruptions();
        s.kpis = history_;
        s.active = active_.active();
        fill_detail(t, s.detail);
        disruptions_.copy_to(s);
        fill_links(s);
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
            d.plan.push_back({e.depot, e.order, agents::customer_node(model_.spec(), e), e.size,
                              model_.spec().time.to_seconds(e.due), i < plan.loaded});
        }
    }

    // the true state of the world from the model: closures (re-read when a road event was
    // added), depots, the cloud link, and when disruptions started
    void read_disruptions() {
        const agents::RoadState& roads = model_.roads();
        if (roads.events().size() != road_events_) {
            road_events_ = roads.events().size();
            const std::size_t edges = model_.spec().net().edge_count();
            for (std::size_t e = 0; e < edges; ++e) {
                disruptions_.set_closed(static_cast<std::uint32_t>(e),
                                        roads.closed(static_cast<world::EdgeId>(e)));
            }
        }
        for (std::uint32_t d = 0; d < model_.depot_count(); ++d) {
            disruptions_.depot_down[d] = model_.depot_up(d) ? 0 : 1;
        }
        disruptions_.cloud_up = model_.cloud_up();
        const std::vector<agents::AppliedDisruption>& log = model_.disruption_log();
        for (; logged_ < log.size(); ++logged_) {
            const agents::AppliedDisruption& a = log[logged_];
            const double t_s = model_.spec().time.to_seconds(a.t);
            if (starts_disruption(effect_of(a.kind))) {
                history_.disruptions.push_back(t_s);
            }
            active_.apply(t_s, a.kind, a.label, a.targets);
        }
    }

    // radio links: each vehicle's nearest peers in radio range; gossip: the exchanges of
    // road news the next round will make (each vehicle that knows something pushes it to its
    // nearest peers that lack it), both as the model's board sees them, and the model
    // transfers between vehicles of the latest learning round
    void fill_links(Snapshot& s) {
        s.radio_links.clear();
        s.gossip.clear();
        const bool radio = want_radio.load();
        const bool gossip = want_gossip.load();
        if (!radio && !gossip) {
            return;
        }
        const agents::FleetBoard& board = model_.board();
        const agents::FleetState& fleet = model_.vehicles();
        const double range = model_.spec().comms.radio_range_m;
        std::array<std::uint32_t, 64> near{};
        for (std::uint32_t v = 0; v < fleet.size() && v < board.size(); ++v) {
            const agents::Point p = board.entry(v).position;
            if (model_.radio_blocked(p)) {
                continue;
            }
            if (radio) {
                auto peer = [&](std::uint32_t u, const agents::FleetBoard::Entry& e) {
                    return u > v && !model_.radio_blocked(e.position);
                };
                const std::size_t n = board.nearest(
                    p, range, peer, std::span<std::uint32_t>(near).first(kRadioPeers));
                for (std::size_t i = 0; i < n; ++i) {
                    s.radio_links.push_back({v, near[i]});
                }
            }
            if (gossip && fleet.known[v].count() > 0) {
                auto lacks = [&](std::uint32_t u, const agents::FleetBoard::Entry& e) {
                    return u != v && !fleet.known[u].covers(fleet.known[v]) &&
                           !model_.radio_blocked(e.position);
                };
                const std::size_t fanout =
                    std::min<std::size_t>(near.size(), model_.spec().gossip_fanout);
                const std::size_t n =
                    board.nearest(p, range, lacks, std::span<std::uint32_t>(near).first(fanout));
                for (std::size_t i = 0; i < n; ++i) {
                    s.gossip.push_back({v, near[i]});
                }
            }
        }
        const agents::FleetLearning* l = model_.learning();
        if (gossip && l != nullptr) {
            for (const agents::FleetLearning::Exchange& x : l->round_exchanges()) {
                if (x.from < fleet.size() && x.to < fleet.size()) {  // not the cloud
                    s.gossip.push_back({x.from, x.to});
                }
            }
        }
    }

    static constexpr std::size_t kRadioPeers = 3;
    const agents::FleetModel& model_;
    const RoadGeometry& roads_;
    SnapshotBuffer& buffer_;
    KpiHistory history_;
    DisruptionState disruptions_;
    ActiveDisruptions active_;
    std::size_t road_events_ = 0;
    std::size_t logged_ = 0;
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
    // every step checked before anything is built
    std::vector<ScriptedCommand> script;
    for (const ScriptStep& step : options.script) {
        script.push_back(resolve_step(step, s));
    }

    // the run as `swarmsim run` sets it up, sampled on the snapshot grid; the KPI observer is
    // not sampled (the feed shows what it needs: a full aggregate every snapshot would cost)
    agents::FleetRunOptions ro = io::fleet_run_options(s);
    ro.sample_first = 0;
    ro.sample_interval = std::max<sim::Tick>(1, s.spec.time.from_seconds(options.sample_s));
    ro.kpi_samples = false;
    run_ = std::make_unique<agents::FleetRun>(s.spec, ro);

    std::vector<world::NodeId> depot_nodes;
    for (const agents::DepotSpec& d : s.spec.depots) {
        depot_nodes.push_back(d.node);
    }
    roads_ = build_road_geometry(*s.network, depot_nodes);
    feed_ = std::make_unique<Feed>(run_->model(), roads_, buffer_);
    run_->add_observer(*feed_);
    // the UI's commands at each snapshot, after the feed and before the model's own barrier
    // actions of that instant
    run_->engine().every(0, ro.sample_interval,
                         [this](sim::Engine& /*e*/, sim::Tick t) { on_barrier(t); });
    // scripted steps (--do): queued as the mouse queues its commands, applied at a barrier at
    // exactly their time (not the next snapshot), so that runs and screenshots repeat
    for (const ScriptedCommand& step : script) {
        run_->engine().at(s.spec.time.from_seconds(step.at_s),
                          [this, c = step.command](sim::Engine& /*e*/, sim::Tick t) {
                              commands_.push(c);
                              apply_commands(t);
                          });
    }
    run_->start();
}

LiveSession::~LiveSession() {
    stop();
}

const agents::FleetModel& LiveSession::model() const {
    return run_->model();
}

void LiveSession::apply_commands(sim::Tick t) {
    // the UI's commands, in the order they were given
    commands_.drain(drained_);
    for (const VizCommand& c : drained_) {
        adapter_.apply(c, run_->model(), t);
    }
}

void LiveSession::on_barrier(sim::Tick t) {
    apply_commands(t);
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
    run_->run(limits);
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
    if (run_) {
        run_->engine().request_stop();
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

void LiveSession::set_links(bool radio, bool gossip) {
    feed_->want_radio.store(radio);
    feed_->want_gossip.store(gossip);
}

LiveSession::FeedStats LiveSession::feed_stats() const {
    return {feed_->samples.load(), static_cast<double>(feed_->nanos.load()) * 1e-9};
}

std::string LiveSession::error() const {
    const std::lock_guard lock(mutex_);
    return error_;
}

}  // namespace swarm::viz
