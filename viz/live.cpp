#include "viz/live.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <span>
#include <stdexcept>

#include "agents/fleet/allocation.hpp"
#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_run.hpp"
#include "agents/fleet/kpi_observer.hpp"
#include "io/scenario/run_options.hpp"
#include "io/scenario/scenario_fork.hpp"
#include "sim/state_archive.hpp"
#include "viz/live_feed.hpp"

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

// ---- the session ----

// one run the view shows: the scenario's (the trunk) or its fork (the branch)
struct LiveSession::Lane {
    io::Scenario scenario;  // the run's spec refers to it: a Lane does not move
    std::unique_ptr<agents::FleetRun> run;
    std::unique_ptr<LiveFeed> feed;
    SnapshotBuffer buffer;
    DisruptionAdapter adapter;
    std::vector<VizCommand> inbox;  // the branch: the trunk's commands for its next snapshot
};

namespace {

// the session's barrier actions (sim::ActionKey kinds of the front-end)
constexpr std::uint32_t kCommandsAction = sim::ActionKey::kFrontEnd;
constexpr std::uint32_t kStepAction = sim::ActionKey::kFrontEnd + 1;

std::string seconds_text(double s) {
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%g s", s);
    return buf.data();
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) {
        out += (out.empty() ? "" : "\n") + l;
    }
    return out;
}

}  // namespace

LiveSession::LiveSession(const LiveOptions& options) : scenario_file_(options.scenario) {
    io::ScenarioOptions so;
    so.overrides = options.overrides;
    if (options.threads) {
        so.overrides.push_back("run.threads=" + std::to_string(*options.threads));
    }
    io::Scenario s = io::load_scenario(options.scenario, so);
    // every step checked before anything is built
    for (const ScriptStep& step : options.script) {
        script_.push_back(resolve_step(step, s));
    }
    sample_interval_ = std::max<sim::Tick>(1, s.spec.time.from_seconds(options.sample_s));
    std::vector<world::NodeId> depot_nodes;
    for (const agents::DepotSpec& d : s.spec.depots) {
        depot_nodes.push_back(d.node);
    }
    roads_ = build_road_geometry(*s.network, depot_nodes);
    trunk_ = make_lane(std::move(s));
    const io::Scenario& sc = trunk_->scenario;

    if (options.fork_at_s) {
        const double at = *options.fork_at_s;
        if (!(at > 0.0 && at < sc.run.duration_s)) {
            throw ForkError("--fork-at " + seconds_text(at) + ": not inside the run (0 s to " +
                            seconds_text(sc.run.duration_s) + ")");
        }
        if (const std::vector<std::string> p = check_fork(options.fork_overrides, at, nullptr);
            !p.empty()) {
            throw ForkError(joined(p));
        }
        fork_at_ = sc.spec.time.from_seconds(at);
        fork_overrides_ = options.fork_overrides;
    }

    // the UI's commands at each snapshot, before the model's own barrier actions of that
    // instant; scripted steps (--do) at a barrier at exactly their time (not the next
    // snapshot), so that runs and screenshots repeat
    sim::Engine& engine = trunk_->run->engine();
    const sim::ActionKey commands{kCommandsAction};
    engine.every(0, sample_interval_, make_action(*trunk_, commands), commands);
    for (std::size_t i = 0; i < script_.size(); ++i) {
        const sim::ActionKey step{kStepAction, static_cast<std::uint32_t>(i)};
        engine.at(sc.spec.time.from_seconds(script_[i].at_s), make_action(*trunk_, step), step);
    }
    trunk_->run->start();
}

LiveSession::~LiveSession() {
    stop();
}

std::unique_ptr<LiveSession::Lane> LiveSession::make_lane(io::Scenario scenario) const {
    auto lane = std::make_unique<Lane>();
    lane->scenario = std::move(scenario);
    // the run as `swarmsim run` sets it up, sampled on the snapshot grid; the KPI observer is
    // not sampled (the feed shows what it needs: a full aggregate every snapshot would cost)
    agents::FleetRunOptions ro = io::fleet_run_options(lane->scenario);
    ro.sample_first = 0;
    ro.sample_interval = sample_interval_;
    ro.kpi_samples = false;
    lane->run = std::make_unique<agents::FleetRun>(lane->scenario.spec, ro);
    lane->feed = std::make_unique<LiveFeed>(lane->run->model(), roads_, lane->buffer);
    lane->run->add_observer(*lane->feed);
    return lane;
}

sim::Engine::BarrierAction LiveSession::make_action(Lane& lane, const sim::ActionKey& key) {
    if (key.kind == kCommandsAction) {
        if (&lane == trunk_.get()) {
            return [this](sim::Engine& /*e*/, sim::Tick t) { on_barrier(t); };
        }
        // the branch: the commands the trunk passed on, at the same instant
        return [&lane](sim::Engine& /*e*/, sim::Tick t) {
            for (const VizCommand& c : lane.inbox) {
                lane.adapter.apply(c, lane.run->model(), t);
            }
            lane.inbox.clear();
        };
    }
    if (key.kind == kStepAction && key.a < script_.size()) {
        const std::size_t i = key.a;
        return [this, &lane, i](sim::Engine& /*e*/, sim::Tick t) {
            lane.adapter.apply(script_[i].command, lane.run->model(), t);
        };
    }
    return {};
}

SnapshotBuffer& LiveSession::snapshots() {
    return trunk_->buffer;
}

const world::RoadNetwork& LiveSession::network() const {
    return *trunk_->scenario.network;
}

const io::Scenario& LiveSession::scenario() const {
    return trunk_->scenario;
}

const agents::FleetModel& LiveSession::model() const {
    return trunk_->run->model();
}

double LiveSession::duration_s() const {
    return trunk_->scenario.run.duration_s;
}

const DisruptionAdapter& LiveSession::adapter() const {
    return trunk_->adapter;
}

void LiveSession::on_barrier(sim::Tick t) {
    // the UI's commands, in the order they were given, to the trunk and then the branch
    commands_.drain(drained_);
    for (const VizCommand& c : drained_) {
        trunk_->adapter.apply(c, trunk_->run->model(), t);
    }
    if (branch_ && !branch_failed_) {
        branch_->inbox.insert(branch_->inbox.end(), drained_.begin(), drained_.end());
        try {
            // the branch through this instant (its commands, barrier actions and sample)
            sim::RunLimits limits;
            limits.until = t + 1;
            branch_->run->run(limits);
        } catch (const std::exception& e) {
            branch_failed_ = true;
            const std::lock_guard lock(mutex_);
            fork_error_ = std::string("the branch stopped: ") + e.what();
        }
    }
    {
        // a fork asked for: at the next snapshot time, before anything happens then
        const std::lock_guard lock(mutex_);
        if (fork_asked_) {
            fork_asked_ = false;
            const sim::Tick end = trunk_->scenario.spec.time.from_seconds(duration_s());
            if (t + sample_interval_ < end) {
                fork_at_ = t + sample_interval_;
            } else {
                fork_error_ = "the run ends before the next snapshot";
            }
        }
    }
    if (pacing_.load()) {
        pace(trunk_->scenario.spec.time.to_seconds(t));
    }
}

std::vector<std::string> LiveSession::check_fork(const std::vector<std::string>& overrides,
                                                 double at_s, io::Scenario* out) const {
    // the trunk's resolved scenario with the changes on top, as `swarmsim fork` reads them
    io::ScenarioOptions so;
    so.overrides = overrides;
    so.build_network = out != nullptr;
    io::Scenario branch;
    try {
        branch = io::parse_scenario(trunk_->scenario.resolved_toml, scenario_file_, so);
    } catch (const io::ScenarioError& e) {
        return {e.what()};
    }
    std::vector<std::string> problems =
        io::fork_problems(trunk_->scenario.resolved_toml, branch.resolved_toml, at_s);
    if (out != nullptr && problems.empty()) {
        *out = std::move(branch);
    }
    return problems;
}

std::vector<std::string> LiveSession::request_fork(const std::vector<std::string>& overrides) {
    if (has_branch()) {
        return {"this view has its branch already (one fork per session)"};
    }
    if (finished()) {
        return {"the run is over"};
    }
    {
        const std::lock_guard lock(mutex_);
        if (fork_asked_ || fork_at_ != sim::kTickNever) {
            return {"a fork is on its way"};
        }
    }
    // checked here with the next snapshot time the UI has seen (the simulation thread checks
    // again at the fork's own time)
    const double next_s =
        trunk_->buffer.front().time_s + trunk_->scenario.spec.time.to_seconds(sample_interval_);
    std::vector<std::string> problems = check_fork(overrides, next_s, nullptr);
    if (problems.empty()) {
        const std::lock_guard lock(mutex_);
        fork_asked_ = true;
        fork_overrides_ = overrides;
        fork_error_.clear();
    }
    return problems;
}

void LiveSession::make_branch() {
    const sim::Tick at = fork_at_;
    std::vector<std::string> overrides;
    {
        // request_fork() reads fork_at_ under the lock
        const std::lock_guard lock(mutex_);
        fork_at_ = sim::kTickNever;
        overrides = fork_overrides_;
    }
    const double at_s = trunk_->scenario.spec.time.to_seconds(at);
    try {
        // the trunk's whole state, in memory, as `run --checkpoint-at` saves it
        sim::StateArchive state;
        trunk_->run->save(state);
        io::Scenario s;
        if (const std::vector<std::string> p = check_fork(overrides, at_s, &s); !p.empty()) {
            throw ForkError(joined(p));
        }
        std::unique_ptr<Lane> lane = make_lane(std::move(s));
        lane->feed->continue_from(*trunk_->feed, at_s);
        Lane& b = *lane;
        lane->run->resume(state, [this, &b](const sim::ActionKey& k) { return make_action(b, k); });
        branch_ = std::move(lane);
        fork_time_s_ = at_s;
        has_branch_.store(true, std::memory_order_release);
    } catch (const std::exception& e) {
        const std::lock_guard lock(mutex_);
        fork_error_ = "no fork at " + seconds_text(at_s) + ": " + e.what();
    }
}

SnapshotBuffer& LiveSession::branch_snapshots() {
    return branch_->buffer;
}

const io::Scenario& LiveSession::branch_scenario() const {
    return branch_->scenario;
}

const agents::FleetModel& LiveSession::branch_model() const {
    return branch_->run->model();
}

double LiveSession::fork_time_s() const {
    return fork_time_s_;
}

std::string LiveSession::fork_error() const {
    const std::lock_guard lock(mutex_);
    return fork_error_;
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
    const sim::TimeScale& time = trunk_->scenario.spec.time;
    const sim::Tick end = time.from_seconds(std::min(until_s, duration_s()));
    for (;;) {
        // a fork stops the trunk at its time, before anything happens then, as
        // `run --checkpoint-at` does
        const sim::Tick fork_at = fork_at_;
        sim::RunLimits limits;
        limits.until = std::min(end, fork_at);
        limits.stop_when = [this, fork_at](const sim::Engine& /*e*/) {
            return stopping_.load() || fork_at_ != fork_at;  // stopped, or a fork now has a time
        };
        const sim::RunStats stats = trunk_->run->run(limits);
        if (stats.reason == sim::StopReason::kUntil && fork_at < end) {
            make_branch();
            continue;
        }
        if (stats.reason == sim::StopReason::kCondition && !stopping_.load()) {
            continue;
        }
        return;
    }
}

void LiveSession::start() {
    if (thread_.joinable()) {
        return;
    }
    pacing_ = true;
    thread_ = std::thread([this] {
        try {
            run_engine(duration_s());
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
    run_engine(t_s + trunk_->scenario.spec.time.to_seconds(1));
}

void LiveSession::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (trunk_) {
        trunk_->run->engine().request_stop();
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
    trunk_->feed->watched.store(agent);
    if (has_branch()) {
        branch_->feed->watched.store(agent);
    }
}

void LiveSession::set_links(bool radio, bool gossip) {
    for (LiveFeed* f : {trunk_->feed.get(), has_branch() ? branch_->feed.get() : nullptr}) {
        if (f != nullptr) {
            f->want_radio.store(radio);
            f->want_gossip.store(gossip);
        }
    }
}

LiveSession::FeedStats LiveSession::feed_stats() const {
    return {trunk_->feed->samples.load(), static_cast<double>(trunk_->feed->nanos.load()) * 1e-9};
}

std::string LiveSession::error() const {
    const std::lock_guard lock(mutex_);
    return error_;
}

}  // namespace swarm::viz
