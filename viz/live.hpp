// Live mode: a scenario's FleetModel runs on a background thread; a kernel observer
// (LiveFeed) copies positions, states, loads, energy and the KPIs into a SnapshotBuffer at
// every engine sample, and a barrier action (Engine::every, on the simulation thread) drains
// the UI's command queue, applies the disruptions and paces simulated time against wall
// time. The simulation never waits for the renderer: it waits only on its own pacing clock
// and while paused. "Fork here" adds a branch that runs beside it (LiveSession).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "io/scenario/scenario.hpp"
#include "sim/engine.hpp"
#include "viz/dashboard.hpp"
#include "viz/disruption.hpp"
#include "viz/geometry.hpp"
#include "viz/script.hpp"
#include "viz/snapshot.hpp"

namespace swarm::agents {
class FleetModel;
class FleetRun;
struct DisruptionAction;
}  // namespace swarm::agents

namespace swarm::viz {

struct LiveOptions {
    std::string scenario;                // TOML file
    std::vector<std::string> overrides;  // --set key.path=value
    std::optional<std::size_t> threads;  // -j
    double sample_s = 1.0;               // snapshot (and pacing) interval, simulated seconds
    // --do and --close steps (viz/script.hpp), resolved on the scenario (ScriptError if one
    // names nothing in it) and applied at their times
    std::vector<ScriptStep> script;
    // --fork-at T with --fork-set key=value: the run forks at T into a branch with these
    // changes (LiveSession::request_fork), as the "Fork here" button does
    std::optional<double> fork_at_s;
    std::vector<std::string> fork_overrides;
};

// a fork that cannot be made: a change that may not be made mid-run (io::fork_problems),
// or a fork time outside the run; one reason per line
class ForkError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The one place the live map's commands reach the fleet: each VizCommand becomes the fleet's
// DisruptionAction and is applied with FleetModel::apply, on the simulation thread, from the
// barrier action that drains the queue (the only time the world may change).
class DisruptionAdapter {
  public:
    // the action for a command: a road is both directions of the street (edges ascending);
    // std::invalid_argument for an edge or depot that does not exist
    static agents::DisruptionAction to_action(const VizCommand& c, const agents::FleetModel& model);
    void apply(const VizCommand& c, agents::FleetModel& model, sim::Tick now);
    [[nodiscard]] std::uint64_t applied() const { return applied_.load(); }
    [[nodiscard]] std::uint64_t rejected() const { return rejected_.load(); }

  private:
    std::atomic<std::uint64_t> applied_{0};
    std::atomic<std::uint64_t> rejected_{0};
};

// A live session runs the scenario (the trunk) and, after a fork, a branch that continues
// the trunk's state at the fork time under other settings (docs/viz.md, "Fork here"). The
// branch advances in lockstep with the trunk, on the simulation thread: at each of the
// trunk's snapshot barriers, after the trunk applied the UI's commands, the branch runs up to
// the same instant and applies the same commands there. Both show side by side.
class LiveSession {
  public:
    // loads the scenario (io::ScenarioError on a bad file or override), resolves the script
    // (ScriptError), checks the --fork-at change (ForkError) and builds the model
    explicit LiveSession(const LiveOptions& options);
    ~LiveSession();
    LiveSession(const LiveSession&) = delete;
    LiveSession& operator=(const LiveSession&) = delete;

    // runs the simulation on a background thread until the scenario's end or stop()
    void start();
    // runs on the calling thread, unpaced, until simulated time t (screenshots, benchmarks)
    void run_until(double t_s);
    void stop();

    void set_paused(bool paused);
    [[nodiscard]] bool paused() const { return paused_.load(); }
    // simulated seconds per wall second; 0: as fast as possible
    void set_speed(double speed);
    [[nodiscard]] double speed() const { return speed_.load(); }

    [[nodiscard]] CommandQueue& commands() { return commands_; }
    [[nodiscard]] SnapshotBuffer& snapshots();
    [[nodiscard]] const RoadGeometry& roads() const { return roads_; }
    [[nodiscard]] const world::RoadNetwork& network() const;
    [[nodiscard]] const io::Scenario& scenario() const;
    [[nodiscard]] const agents::FleetModel& model() const;
    [[nodiscard]] double duration_s() const;
    [[nodiscard]] bool finished() const { return finished_.load(); }
    // the exception text if the simulation thread failed
    [[nodiscard]] std::string error() const;
    [[nodiscard]] const DisruptionAdapter& adapter() const;
    // the agent whose route and plan the snapshots carry (AgentDetail); any thread
    void watch(std::uint32_t agent);
    // whether snapshots carry radio links (nearest peers in radio range) and the gossip
    // exchanges due at the next round; off by default (a query per vehicle per sample)
    void set_links(bool radio, bool gossip);
    // time the simulation thread spent filling the trunk's snapshots (the observer's cost)
    struct FeedStats {
        std::uint64_t samples = 0;
        double seconds = 0.0;
    };
    [[nodiscard]] FeedStats feed_stats() const;

    // ---- fork here ----
    // Asks for a branch at the next snapshot time with `overrides` (key.path=value: what
    // `swarmsim fork --set` may change). Returns why it cannot be made (a bad value, a change
    // not allowed mid-run, a branch already made, the run over), or nothing when it is asked
    // for; the fork itself happens on the simulation thread (fork_error() if it fails there).
    // From the thread that takes the snapshots (the UI's).
    std::vector<std::string> request_fork(const std::vector<std::string>& overrides);
    // true once the branch exists (then it lives as long as the session); any thread
    [[nodiscard]] bool has_branch() const { return has_branch_.load(std::memory_order_acquire); }
    // the branch's snapshots, scenario, model and fork time; only when has_branch()
    [[nodiscard]] SnapshotBuffer& branch_snapshots();
    [[nodiscard]] const io::Scenario& branch_scenario() const;
    [[nodiscard]] const agents::FleetModel& branch_model() const;
    [[nodiscard]] double fork_time_s() const;
    // why the last fork asked for was not made or why the branch stopped; empty if neither
    [[nodiscard]] std::string fork_error() const;

  private:
    struct Lane;
    [[nodiscard]] std::unique_ptr<Lane> make_lane(io::Scenario scenario) const;
    // the session's barrier actions, keyed (kinds from sim::ActionKey::kFrontEnd on) so that
    // the trunk's pending ones carry over into the branch
    sim::Engine::BarrierAction make_action(Lane& lane, const sim::ActionKey& key);
    void on_barrier(sim::Tick t);
    void pace(double sim_s);
    void run_engine(double until_s);
    // what is wrong with a fork at `at_s` with these changes; with `out`, the branch's
    // scenario is built whole (its network too) there
    [[nodiscard]] std::vector<std::string> check_fork(const std::vector<std::string>& overrides,
                                                      double at_s, io::Scenario* out) const;
    void make_branch();

    std::string scenario_file_;
    sim::Tick sample_interval_ = 1;
    std::vector<ScriptedCommand> script_;
    RoadGeometry roads_;
    std::unique_ptr<Lane> trunk_;
    std::unique_ptr<Lane> branch_;  // written once, on the simulation thread, before has_branch_
    CommandQueue commands_;
    std::vector<VizCommand> drained_;

    // the fork: asked for (any thread, under mutex_), then its time on the simulation thread
    bool fork_asked_ = false;
    std::vector<std::string> fork_overrides_;
    std::string fork_error_;
    sim::Tick fork_at_ = sim::kTickNever;  // written on the simulation thread under mutex_
    std::atomic<bool> has_branch_{false};
    bool branch_failed_ = false;  // simulation thread only
    double fork_time_s_ = 0.0;

    std::thread thread_;
    std::atomic<bool> paused_{false};
    std::atomic<double> speed_{60.0};
    std::atomic<bool> stopping_{false};
    std::atomic<bool> finished_{false};
    std::atomic<bool> pacing_{false};
    mutable std::mutex mutex_;  // pause wake-ups, pacing origin, error texts, fork requests
    std::condition_variable wake_;
    std::string error_;
    bool origin_set_ = false;
    double origin_sim_s_ = 0.0;
    std::chrono::steady_clock::time_point origin_wall_{};
    double origin_speed_ = 0.0;
};

}  // namespace swarm::viz
