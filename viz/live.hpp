// Live mode: a scenario's FleetModel runs on a background thread; a kernel observer copies
// positions, states, loads, energy and the KPIs into a SnapshotBuffer at every engine sample,
// and a barrier action (Engine::every, on the simulation thread) drains the UI's command
// queue, applies the disruptions and paces simulated time against wall time. The simulation
// never waits for the renderer: it waits only on its own pacing clock and while paused.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
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

class LiveSession {
  public:
    // loads the scenario (io::ScenarioError on a bad file or override), resolves the script
    // (ScriptError) and builds the model
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
    [[nodiscard]] SnapshotBuffer& snapshots() { return buffer_; }
    [[nodiscard]] const RoadGeometry& roads() const { return roads_; }
    [[nodiscard]] const world::RoadNetwork& network() const { return *scenario_.network; }
    [[nodiscard]] const io::Scenario& scenario() const { return scenario_; }
    [[nodiscard]] const agents::FleetModel& model() const;
    [[nodiscard]] double duration_s() const { return scenario_.run.duration_s; }
    [[nodiscard]] bool finished() const { return finished_.load(); }
    // the exception text if the simulation thread failed
    [[nodiscard]] std::string error() const;
    [[nodiscard]] const DisruptionAdapter& adapter() const { return adapter_; }
    // the agent whose route and plan the snapshots carry (AgentDetail); any thread
    void watch(std::uint32_t agent);
    // whether snapshots carry radio links (nearest peers in radio range) and the gossip
    // exchanges due at the next round; off by default (a query per vehicle per sample)
    void set_links(bool radio, bool gossip);
    // time the simulation thread spent filling snapshots (the observer's whole cost)
    struct FeedStats {
        std::uint64_t samples = 0;
        double seconds = 0.0;
    };
    [[nodiscard]] FeedStats feed_stats() const;

  private:
    class Feed;
    void on_barrier(sim::Tick t);
    void apply_commands(sim::Tick t);
    void pace(double sim_s);
    void run_engine(double until_s);

    io::Scenario scenario_;
    std::unique_ptr<agents::FleetRun> run_;
    std::unique_ptr<Feed> feed_;
    DisruptionAdapter adapter_;
    RoadGeometry roads_;
    SnapshotBuffer buffer_;
    CommandQueue commands_;
    std::vector<VizCommand> drained_;

    std::thread thread_;
    std::atomic<bool> paused_{false};
    std::atomic<double> speed_{60.0};
    std::atomic<bool> stopping_{false};
    std::atomic<bool> finished_{false};
    std::atomic<bool> pacing_{false};
    mutable std::mutex mutex_;  // pause wake-ups, pacing origin, error text
    std::condition_variable wake_;
    std::string error_;
    bool origin_set_ = false;
    double origin_sim_s_ = 0.0;
    std::chrono::steady_clock::time_point origin_wall_{};
    double origin_speed_ = 0.0;
};

}  // namespace swarm::viz
