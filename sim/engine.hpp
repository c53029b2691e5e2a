#pragma once
// The discrete-event kernel: logical processes (LPs) exchange timestamped events and run
// in conservative, window-synchronous parallel. Within a window [T, T+L) every LP runs its
// events in the total order (time, priority, source LP, source sequence); messages to
// other LPs carry at least the lookahead L and so always land in a later window. Hence
// each LP sees the same events in the same order for any partitioning and thread count.
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/event.hpp"
#include "sim/event_queue.hpp"
#include "sim/exchange.hpp"
#include "sim/executor.hpp"
#include "sim/observer.hpp"
#include "sim/random.hpp"
#include "sim/state_archive.hpp"
#include "sim/time.hpp"

namespace swarm::sim {

class Context;

// What a model implements: the reaction of LP ctx.self() to an event.
class Model {
  public:
    virtual ~Model() = default;
    virtual void handle(Context& ctx, const Event& event) = 0;
    // A hint with no effect on results: LP `lp` holds the next event of the calling thread's
    // partition (unless the event being run schedules an earlier one). A model may ask the
    // cache for that LP's state now, so that its misses overlap the event before it (with a
    // million LPs, most of an event's cost is such misses). Called between events.
    virtual void prefetch(LpId /*lp*/) const {}
};

// A send or schedule that breaks the kernel's rules (e.g. delay below the lookahead).
class SchedulingError : public std::logic_error {
    using std::logic_error::logic_error;
};

struct EngineConfig {
    std::uint32_t lp_count = 0;
    Tick lookahead = 1;          // minimum delay of a message between two LPs, > 0
    std::uint64_t seed = 0;      // run seed for every LP's random stream
    std::size_t partitions = 0;  // 0: chosen from the executor's concurrency
    bool hash_events = true;     // keep a per-LP hash of the events each LP ran
    // A window whose predecessor ran fewer events than this runs its partitions one after
    // another on the calling thread instead of through the executor: with a short lookahead
    // most windows hold a handful of events, fewer than handing them to threads costs.
    // Results are the same either way (partitions are independent inside a window); 0 hands
    // every window to the executor.
    std::uint64_t serial_below_events = 0;
    // time the windows handed to the executor and each partition's share of them
    // (RunStats::parallel_window_seconds, partition_seconds): six clock reads a window on two
    // partitions (25 ns each on the team's VM, about 0.2 % of a fleet run at 100k vehicles),
    // so only when asked (the benchmarks)
    bool time_windows = false;
    // 0: the partitions run in lockstep windows of one lookahead, each window a barrier (the
    // stop checks, max_events and on_window_end after every one). N > 0: between barrier
    // actions the engine runs segments of at most N lookaheads, and inside a segment each
    // partition runs as far ahead of the others as their progress allows (up to one
    // lookahead past the slowest: the earliest a message from it can land), with no barrier
    // between them, when the executor has a thread per partition. The stop checks,
    // max_events and on_window_end come at segment ends, and RunStats' windows count
    // segments. Every LP runs the same events in the same order as in lockstep, so results
    // are the same for any thread count; a stop condition or max_events cuts the run at a
    // segment end instead of a window's. serial_below_events applies per lookahead of the
    // last segment: below it the segment runs as lockstep windows.
    std::uint32_t run_ahead_lookaheads = 0;
};

struct RunLimits {
    Tick until = kTickNever;                       // run events with time < until
    std::uint64_t max_events = UINT64_MAX;         // stop at the first barrier past this
    std::function<bool(const Engine&)> stop_when;  // checked at every barrier
};

enum class StopReason { kUntil, kNoEvents, kMaxEvents, kCondition, kRequested };

struct RunStats {
    StopReason reason = StopReason::kNoEvents;
    std::uint64_t events = 0;            // events run by this call
    std::uint64_t cancelled = 0;         // cancelled events skipped by this call
    std::uint64_t windows = 0;           // windows (segments, running ahead) run by this call
    std::uint64_t parallel_windows = 0;  // of them, handed to the executor
    double wall_seconds = 0.0;
    // of wall_seconds: in barrier actions (Engine::at / every), when no partition runs, and in
    // observers' on_window_end; the rest is windows and the engine's own bookkeeping
    double barrier_seconds = 0.0;
    double observer_seconds = 0.0;
    // with EngineConfig::time_windows, of wall_seconds: the windows (or segments) handed to
    // the executor, from the call to its return, and the partitions' own time in them, summed
    // (each partition's run of its events, timed on the thread that ran it):
    // partition_seconds / (threads x parallel_window_seconds) is how busy the threads were
    // inside them; the rest they waited for another partition or sat between partitions
    double parallel_window_seconds = 0.0;
    double partition_seconds = 0.0;
};

struct MemoryStats {
    std::size_t lp_state_bytes = 0;
    std::size_t queue_bytes = 0;
    std::size_t exchange_bytes = 0;
    [[nodiscard]] std::size_t total() const {
        return lp_state_bytes + queue_bytes + exchange_bytes;
    }
};

// What a barrier action is, so that a checkpoint can list the pending ones and a resumed run
// can make them again (Engine::restore): a model-defined kind (>= 1) and its arguments. An
// action registered without a key (kind 0) works as ever, but a run holding one pending
// cannot be checkpointed. Kinds from kFrontEnd on are the front-end's that drives the
// engine (the live view's command drain), those below the model's: a resumed run asks each
// to make its own again.
struct ActionKey {
    static constexpr std::uint32_t kFrontEnd = 0x8000'0000U;
    std::uint32_t kind = 0;
    std::uint32_t a = 0;
    std::uint64_t b = 0;
    std::uint64_t c = 0;
};

class Engine {
  public:
    Engine(const EngineConfig& config, Model& model, Executor& executor);
    // with another exchange (sim/mpi/: partitions spread over processes). Under one across
    // processes, this process runs only its own partitions; injects for other processes'
    // LPs are dropped (every process injects the same events); next_event_time(),
    // events_processed() and event_hash() are global; pending_events(), memory() and the
    // per-LP accessors cover this process's LPs; checkpoints are refused.
    Engine(const EngineConfig& config, Model& model, Executor& executor,
           std::unique_ptr<Exchange> exchange);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;
    Engine(Engine&&) = delete;
    Engine& operator=(Engine&&) = delete;

    // Puts an event from outside the model into LP dst at `time` >= now(). Only between
    // windows: before run(), or from a barrier action.
    void inject(LpId dst, Tick time, EventType type, const Payload& payload = {},
                std::uint8_t priority = 0);

    // Calls action(engine, t) at a barrier at exactly time t: every event before t has
    // run and none at or after t. World state shared by LPs may change only here. Actions
    // due at the same time run in registration order, before the samples due then.
    using BarrierAction = std::function<void(Engine&, Tick)>;
    void at(Tick t, BarrierAction action, ActionKey key = {});
    // the same every `interval` ticks from `first` on
    void every(Tick first, Tick interval, BarrierAction action, ActionKey key = {});
    // hook(engine, key, sample) before each barrier action (sample: an observers' sampling),
    // when every event before it has run: a model that replicates its state across processes
    // brings the copies that action reads up to date there. Every process runs the same
    // actions at the same barriers, so the hook may call the exchange's collectives. One hook;
    // an empty one removes it.
    using BarrierHook = std::function<void(Engine&, const ActionKey&, bool sample)>;
    void set_barrier_hook(BarrierHook hook) { barrier_hook_ = std::move(hook); }

    // Sampling: an observer's on_sample runs on a grid, every `interval` ticks from `first`
    // (first >= now()), and at the end of a run when the driver calls sample_now(). Sample
    // times are strictly increasing per observer: one instant is never sampled twice.
    // The observer samples on the grid set_sampling() sets (none until it is called).
    void add_observer(Observer& observer);
    // the observer samples on a grid of its own (e.g. a trace at 60 s beside KPIs at 900 s)
    void add_observer(Observer& observer, Tick first, Tick interval);
    // the shared grid of the observers added without one
    void set_sampling(Tick first, Tick interval);
    // Samples now(): every observer with a grid whose last sample was before now(). For the
    // final state of a run, which a grid misses (run() stops before the instant `until`) or
    // an interrupted run stopped between grid points. Only between runs.
    void sample_now();

    // Checkpoints (docs/checkpoints.md), between runs only. save() writes what the kernel
    // holds: its clock and counters, every LP's counters, random-stream position and hash,
    // every pending event (queued or in the exchange) and every pending keyed barrier action;
    // an unkeyed one pending is a CheckpointError. Observers' sampling grids are not state:
    // each resumed observer samples on its own grid from the checkpoint's time on.
    void save(StateArchive& ar) const;
    // Loads a saved kernel into this engine, which must not have run, with the same lookahead
    // and seed; its partitioning (thread count) may differ. `make` makes each pending action
    // again from its key; `keep` (when set) drops the events it returns false for (a resumed
    // run that changes its protocol drops the old one's messages). LPs beyond the saved count
    // start fresh; saved LPs beyond this engine's count may hold no kept event.
    using ActionMaker = std::function<BarrierAction(const ActionKey&)>;
    using EventFilter = std::function<bool(const Event&)>;
    void restore(const StateArchive& ar, const ActionMaker& make, const EventFilter& keep = {});

    // Runs until a limit is hit; may be called again to go on.
    RunStats run(const RunLimits& limits = {});
    // Asks a running run() to stop at the next barrier; safe from any thread or a signal
    // handler.
    void request_stop() noexcept { stop_requested_.store(true, std::memory_order_relaxed); }

    [[nodiscard]] Tick now() const { return now_; }
    [[nodiscard]] Tick next_event_time() const { return next_time_; }
    [[nodiscard]] const EngineConfig& config() const { return config_; }
    // the injected executor: barrier actions may use it for data-parallel work whose result
    // does not depend on how it is split
    [[nodiscard]] Executor& executor() const { return executor_; }
    [[nodiscard]] std::size_t partitions() const { return partitions_.size(); }
    [[nodiscard]] std::uint64_t events_processed() const { return total_events_; }
    [[nodiscard]] std::uint64_t windows_processed() const { return total_windows_; }
    [[nodiscard]] std::size_t pending_events() const;
    [[nodiscard]] MemoryStats memory() const;

    // hash of every event each LP ran (time, type, source, sequence), folded in LP order:
    // equal for equal histories whatever the thread and process count (across processes a
    // collective: every process calls it)
    [[nodiscard]] std::uint64_t event_hash() const;
    // messages this process's LPs sent to other LPs (not to themselves), over all runs
    [[nodiscard]] std::uint64_t messages_sent() const;
    [[nodiscard]] const Exchange& exchange() const { return *exchange_; }
    // for collectives between windows (Exchange::sum, all_gather)
    [[nodiscard]] Exchange& exchange() { return *exchange_; }
    // whether this process runs LP lp (always in one process)
    [[nodiscard]] bool is_local(LpId lp) const {
        const std::size_t p = partition_of(lp);
        return p >= local_.first && p < local_.second;
    }
    [[nodiscard]] std::uint64_t lp_event_hash(LpId lp) const { return lps_[lp].hash; }
    // the draws LP lp has taken from its random stream so far
    [[nodiscard]] std::uint64_t lp_random_draws(LpId lp) const { return lps_[lp].rng_draws; }

    [[nodiscard]] std::size_t partition_of(LpId lp) const {
        return static_cast<std::size_t>(lp / lps_per_partition_);
    }

  private:
    friend class Context;
    struct LpState {
        std::uint64_t rng_draws = 0;
        std::uint64_t next_seq = 0;
        std::uint64_t hash = 0;
    };
    struct alignas(64) Partition {
        EventQueue queue;
        std::vector<std::vector<Event>*> outboxes;
        Tick next_time = kTickNever;  // earliest event it holds or sent, after a window
        std::uint64_t events = 0;
        std::uint64_t cancelled = 0;
        std::uint64_t window_events = 0;
        std::uint64_t messages = 0;  // sends to other LPs
        double busy_seconds = 0.0;   // in run_window, over all runs (RunStats::partition_seconds)
    };
    struct Timer {
        Tick time;
        std::uint64_t order;  // ties run in registration order, samples last
        Tick interval;        // 0: one-shot
        std::size_t action;
    };
    struct Action {
        BarrierAction run;
        ActionKey key;
        bool sample = false;  // an observer's sampling: runs after the other actions due then
    };

    struct ObserverSlot {
        Observer* observer;
        bool own_grid;
        Tick last_sample;  // kNoSample: none yet
    };
    static constexpr Tick kNoSample = std::numeric_limits<Tick>::min();

    struct RunAhead;  // sim/engine_run_ahead.cpp

    void sample(ObserverSlot& slot, Tick t);
    // one lockstep window [begin, end) on every partition, then the exchange's barrier;
    // returns the events run and sets next_time_
    std::uint64_t run_lockstep_window(Tick begin, Tick end, RunStats& stats, bool& agreed_stop);
    void run_window(std::size_t p, Tick window_end);
    // the events of partition p before `end`, on the calling thread; with `publish_every`
    // > 0 (run ahead), the partition's clock is published as its events' time passes each
    // step of that size, so that the others need not wait for the end of the run
    std::uint64_t run_events(std::size_t p, Context& ctx, Tick end, Tick publish_every = 0);
    // [begin, end) with EngineConfig::run_ahead_lookaheads: run ahead or in lockstep windows
    std::uint64_t run_segment(Tick begin, Tick end, RunStats& stats, bool& agreed_stop);
    std::uint64_t run_ahead_segment(Tick begin, Tick end, std::size_t tasks, RunStats& stats);
    void run_ahead_group(std::size_t group, std::size_t tasks, Tick end);
    bool run_ahead_advance(std::size_t p, Tick end);
    // posts p's sends, then publishes `clock` (no earlier than its last one)
    void run_ahead_publish(std::size_t p, Tick clock);
    void run_due_barrier_actions(Tick until);
    [[nodiscard]] Tick next_timer_time() const;
    void push_timer(const Timer& t);
    [[nodiscard]] bool timer_after(const Timer& a, const Timer& b) const;
    std::size_t add_action(BarrierAction action, ActionKey key, bool sample);
    void schedule_every(Tick first, Tick interval, BarrierAction action, ActionKey key,
                        bool sample);

    EngineConfig config_;
    Model& model_;
    Executor& executor_;
    std::unique_ptr<Exchange> exchange_;
    std::vector<LpState> lps_;
    std::vector<Partition> partitions_;
    std::pair<std::size_t, std::size_t> local_;  // the partitions this process runs
    std::uint32_t lps_per_partition_ = 1;
    std::vector<ObserverSlot> observers_;
    bool per_event_observers_ = false;
    std::deque<Action> actions_;  // a deque: actions may add actions while running
    BarrierHook barrier_hook_;
    std::vector<Timer> timers_;  // min-heap on (time, order)
    std::uint64_t timer_order_ = 0;
    std::size_t sample_action_ = SIZE_MAX;

    Tick now_ = 0;
    Tick next_time_ = kTickNever;
    std::uint64_t external_seq_ = 0;
    std::uint64_t total_events_ = 0;
    std::uint64_t total_windows_ = 0;
    double barrier_seconds_ = 0.0;          // in barrier actions, over all runs
    std::uint64_t last_window_events_ = 0;  // with run_ahead_lookaheads: per lookahead
    std::unique_ptr<RunAhead> run_ahead_;
    bool in_window_ = false;
    std::atomic<bool> stop_requested_{false};
};

// What an event handler may do. One per partition; rebound to each event's LP.
class Context {
  public:
    [[nodiscard]] Tick now() const { return now_; }
    [[nodiscard]] LpId self() const { return self_; }
    [[nodiscard]] Tick lookahead() const { return engine_.config_.lookahead; }
    // the partition running this event: index for per-worker scratch space in models
    [[nodiscard]] std::size_t partition() const { return partition_; }
    [[nodiscard]] std::uint64_t seed() const { return engine_.config_.seed; }
    RandomStream& rng() { return rng_; }

    // an event on this LP after `delay` >= 0 ticks; the handle can cancel it
    EventHandle schedule_self(Tick delay, EventType type, const Payload& payload = {},
                              std::uint8_t priority = 0);
    // a message to LP dst after `delay` >= lookahead ticks (any delay >= 0 when dst is self)
    void send(LpId dst, Tick delay, EventType type, const Payload& payload = {},
              std::uint8_t priority = 0);
    // cancels an event this LP scheduled on itself; false if it already ran or was cancelled
    bool cancel(EventHandle handle);
    // stops the run at the next barrier
    void request_stop() { engine_.request_stop(); }

  private:
    friend class Engine;
    Context(Engine& engine, std::size_t partition)
        : engine_(engine), partition_(partition), rng_(engine.config_.seed, 0) {}
    Event make_event(LpId dst, Tick delay, EventType type, const Payload& payload,
                     std::uint8_t priority);

    Engine& engine_;
    std::size_t partition_;
    Engine::Partition* part_ = nullptr;
    Engine::LpState* lp_ = nullptr;
    Tick now_ = 0;
    LpId self_ = 0;
    Tick sent_min_ = kTickNever;
    RandomStream rng_;
};

const char* to_string(StopReason reason);

}  // namespace swarm::sim
