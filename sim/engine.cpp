#include "sim/engine.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <sstream>

namespace swarm::sim {

namespace {

// 64-bit finaliser of MurmurHash3: cheap and good enough to fingerprint histories
constexpr std::uint64_t mix64(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

constexpr std::uint64_t fold(std::uint64_t h, std::uint64_t v) {
    return mix64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

}  // namespace

bool Engine::timer_after(const Timer& a, const Timer& b) const {
    if (a.time != b.time) {
        return a.time > b.time;
    }
    // samples at t see the state after every other action due at t
    const bool a_sample = actions_[a.action].sample;
    const bool b_sample = actions_[b.action].sample;
    if (a_sample != b_sample) {
        return a_sample;
    }
    return a.order > b.order;
}

std::size_t Engine::add_action(BarrierAction action, ActionKey key, bool sample) {
    actions_.push_back({std::move(action), key, sample});
    return actions_.size() - 1;
}

const char* to_string(StopReason reason) {
    switch (reason) {
        case StopReason::kUntil:
            return "until";
        case StopReason::kNoEvents:
            return "no-events";
        case StopReason::kMaxEvents:
            return "max-events";
        case StopReason::kCondition:
            return "condition";
        case StopReason::kRequested:
            return "requested";
    }
    return "unknown";
}

Engine::Engine(const EngineConfig& config, Model& model, Executor& executor)
    : Engine(config, model, executor, std::make_unique<LocalExchange>()) {}

Engine::Engine(const EngineConfig& config, Model& model, Executor& executor,
               std::unique_ptr<Exchange> exchange)
    : config_(config), model_(model), executor_(executor), exchange_(std::move(exchange)) {
    if (config_.lp_count == 0) {
        throw std::invalid_argument("engine: lp_count must be >= 1");
    }
    if (config_.lp_count == kExternalLp) {
        throw std::invalid_argument("engine: lp_count must be below 2^32 - 1");
    }
    if (config_.lookahead <= 0) {
        throw std::invalid_argument("engine: lookahead must be > 0 ticks");
    }
    // more partitions than workers lets a fast worker take a slow one's share, and at
    // scale smaller queues stay in cache; but each window costs O(partitions^2) outboxes
    std::size_t parts = config_.partitions;
    if (parts == 0) {
        // across processes, the same share per process as one process has
        const auto procs = static_cast<std::size_t>(exchange_->processes());
        const std::size_t by_size = config_.lp_count / 32'768;
        parts = std::clamp<std::size_t>(by_size, 4 * executor_.concurrency() * procs, 64 * procs);
    }
    parts = std::clamp<std::size_t>(parts, 1, config_.lp_count);
    lps_per_partition_ = static_cast<std::uint32_t>((config_.lp_count + parts - 1) / parts);
    parts = (config_.lp_count + lps_per_partition_ - 1) / lps_per_partition_;
    config_.partitions = parts;

    lps_.resize(config_.lp_count);
    partitions_ = std::vector<Partition>(parts);
    exchange_->configure(parts);
    local_ = exchange_->local_partitions();
}

void Engine::inject(LpId dst, Tick time, EventType type, const Payload& payload,
                    std::uint8_t priority) {
    if (in_window_) {
        throw SchedulingError("engine: inject() is only allowed between windows");
    }
    if (dst >= config_.lp_count) {
        throw SchedulingError("engine: inject() to LP " + std::to_string(dst) +
                              " but there are only " + std::to_string(config_.lp_count));
    }
    if (time < now_) {
        throw SchedulingError("engine: inject() at tick " + std::to_string(time) +
                              " is before now (" + std::to_string(now_) + ")");
    }
    Event e;
    e.time = time;
    e.seq = external_seq_++;
    e.src = kExternalLp;
    e.dst = dst;
    e.type = type;
    e.priority = priority;
    e.payload = payload;
    // every process injects alike, so the clock and sequence numbers agree; the LP's owner
    // keeps the event
    if (is_local(dst)) {
        partitions_[partition_of(dst)].queue.push(e);
    }
    next_time_ = std::min(next_time_, time);
}

void Engine::push_timer(const Timer& t) {
    timers_.push_back(t);
    std::push_heap(timers_.begin(), timers_.end(),
                   [this](const Timer& a, const Timer& b) { return timer_after(a, b); });
}

void Engine::at(Tick t, BarrierAction action, ActionKey key) {
    if (t < now_) {
        throw SchedulingError("engine: barrier action at tick " + std::to_string(t) +
                              " is in the past");
    }
    push_timer({t, timer_order_++, 0, add_action(std::move(action), key, false)});
}

void Engine::every(Tick first, Tick interval, BarrierAction action, ActionKey key) {
    schedule_every(first, interval, std::move(action), key, false);
}

void Engine::schedule_every(Tick first, Tick interval, BarrierAction action, ActionKey key,
                            bool sample) {
    if (interval <= 0) {
        throw SchedulingError("engine: barrier interval must be > 0");
    }
    if (first < now_) {
        throw SchedulingError("engine: first barrier action is in the past");
    }
    push_timer({first, timer_order_++, interval, add_action(std::move(action), key, sample)});
}

void Engine::add_observer(Observer& observer) {
    observers_.push_back({&observer, false, kNoSample});
    per_event_observers_ = per_event_observers_ || observer.wants_events();
}

void Engine::add_observer(Observer& observer, Tick first, Tick interval) {
    const std::size_t slot = observers_.size();
    schedule_every(
        first, interval,
        [slot](Engine& engine, Tick t) { engine.sample(engine.observers_[slot], t); }, {}, true);
    observers_.push_back({&observer, true, kNoSample});
    per_event_observers_ = per_event_observers_ || observer.wants_events();
}

void Engine::set_sampling(Tick first, Tick interval) {
    if (sample_action_ != SIZE_MAX) {
        throw SchedulingError("engine: sampling is already set");
    }
    schedule_every(
        first, interval,
        [](Engine& engine, Tick t) {
            for (ObserverSlot& slot : engine.observers_) {
                if (!slot.own_grid) {
                    engine.sample(slot, t);
                }
            }
        },
        {}, true);
    sample_action_ = actions_.size() - 1;
}

void Engine::sample(ObserverSlot& slot, Tick t) {
    if (slot.last_sample == t) {
        return;  // sample_now() took this instant already
    }
    slot.last_sample = t;
    slot.observer->on_sample(*this, t);
}

void Engine::sample_now() {
    if (in_window_) {
        throw SchedulingError("engine: sample_now() is only allowed between windows");
    }
    for (ObserverSlot& slot : observers_) {
        if (slot.own_grid || sample_action_ != SIZE_MAX) {
            sample(slot, now_);
        }
    }
}

Tick Engine::next_timer_time() const {
    return timers_.empty() ? kTickNever : timers_[0].time;
}

void Engine::run_due_barrier_actions(Tick until) {
    auto after = [this](const Timer& a, const Timer& b) { return timer_after(a, b); };
    // with nothing pending and no end time, only one-shot actions (which may inject
    // events) are worth running: recurring ones alone would tick forever
    auto idle_bound = [this, until] {
        if (until != kTickNever) {
            return until - 1;
        }
        Tick last = kTickNever;
        bool any = false;
        for (const Timer& t : timers_) {
            if (t.interval == 0) {
                last = any ? std::max(last, t.time) : t.time;
                any = true;
            }
        }
        return any ? last : Tick{-1};
    };
    // re-read next_time_ each round: an action may inject an event before the next timer
    while (!timers_.empty() && timers_[0].time < until) {
        const Tick bound = next_time_ != kTickNever ? next_time_ : idle_bound();
        if (timers_[0].time > bound) {
            break;
        }
        std::pop_heap(timers_.begin(), timers_.end(), after);
        const Timer timer = timers_.back();
        timers_.pop_back();
        now_ = timer.time;
        if (timer.interval > 0) {
            push_timer({saturating_add(timer.time, timer.interval), timer_order_++, timer.interval,
                        timer.action});
        }
        const auto start = std::chrono::steady_clock::now();
        if (barrier_hook_) {
            barrier_hook_(*this, actions_[timer.action].key, actions_[timer.action].sample);
        }
        actions_[timer.action].run(*this, timer.time);
        barrier_seconds_ +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
}

RunStats Engine::run(const RunLimits& limits) {
    const auto wall_start = std::chrono::steady_clock::now();
    RunStats stats;
    const std::uint64_t events_at_start = total_events_;
    std::uint64_t cancelled_at_start = 0;
    for (const Partition& part : partitions_) {
        cancelled_at_start += part.cancelled;
    }
    stop_requested_.store(false, std::memory_order_relaxed);
    const double barrier_at_start = barrier_seconds_;
    double busy_at_start = 0.0;
    for (const Partition& part : partitions_) {
        busy_at_start += part.busy_seconds;
    }
    double observer_seconds = 0.0;

    // across processes only the stop all of them agreed on at the last window counts: a
    // signal seen by one process alone must not make it leave the others in a collective
    const bool distributed = exchange_->processes() > 1;
    bool agreed_stop = false;
    for (;;) {
        // barrier: actions due no later than the next event, then the stop checks
        run_due_barrier_actions(limits.until);
        if (distributed ? agreed_stop : stop_requested_.load(std::memory_order_relaxed)) {
            stats.reason = StopReason::kRequested;
            break;
        }
        if (total_events_ - events_at_start >= limits.max_events) {
            stats.reason = StopReason::kMaxEvents;
            break;
        }
        if (limits.stop_when && limits.stop_when(*this)) {
            stats.reason = StopReason::kCondition;
            break;
        }
        if (next_time_ >= limits.until) {
            if (limits.until != kTickNever) {
                // actions at exactly `until` belong to the next run
                now_ = std::max(now_, limits.until);
                stats.reason = StopReason::kUntil;
            } else {
                stats.reason = StopReason::kNoEvents;
            }
            break;
        }
        if (next_time_ == kTickNever) {
            stats.reason = StopReason::kNoEvents;
            break;
        }

        // one window (lockstep) or one segment (run ahead): every partition runs its events
        // before window_end in parallel
        const Tick begin = next_time_;
        const Tick span = config_.run_ahead_lookaheads == 0
                              ? config_.lookahead
                              : saturating_mul(config_.lookahead, config_.run_ahead_lookaheads);
        const Tick window_end =
            std::min({saturating_add(begin, span), next_timer_time(), limits.until});
        const std::uint64_t window_events =
            config_.run_ahead_lookaheads == 0
                ? run_lockstep_window(begin, window_end, stats, agreed_stop)
                : run_segment(begin, window_end, stats, agreed_stop);
        now_ = window_end;
        const WindowInfo info{total_windows_, begin, window_end, window_events};
        ++total_windows_;
        ++stats.windows;
        if (!observers_.empty()) {
            const auto start = std::chrono::steady_clock::now();
            for (const ObserverSlot& slot : observers_) {
                slot.observer->on_window_end(*this, info);
            }
            observer_seconds +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
    }

    stats.events = total_events_ - events_at_start;
    std::uint64_t cancelled = 0;
    for (const Partition& part : partitions_) {
        cancelled += part.cancelled;
    }
    stats.cancelled = cancelled - cancelled_at_start;
    stats.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    stats.barrier_seconds = barrier_seconds_ - barrier_at_start;
    for (const Partition& part : partitions_) {
        stats.partition_seconds += part.busy_seconds;
    }
    stats.partition_seconds -= busy_at_start;
    stats.observer_seconds = observer_seconds;
    return stats;
}

std::uint64_t Engine::run_lockstep_window(Tick begin, Tick window_end, RunStats& stats,
                                          bool& agreed_stop) {
    now_ = begin;
    in_window_ = true;
    const std::size_t first = local_.first;
    auto body = [this, window_end, first](std::size_t i) { run_window(first + i, window_end); };
    // a parallel window's partitions are timed where they run (RunStats::partition_seconds)
    auto timed_body = [this, window_end, first](std::size_t i) {
        const auto start = std::chrono::steady_clock::now();
        run_window(first + i, window_end);
        partitions_[first + i].busy_seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    const std::size_t local_count = local_.second - local_.first;
    try {
        if (last_window_events_ < config_.serial_below_events) {
            for (std::size_t i = 0; i < local_count; ++i) {
                body(i);
            }
        } else if (config_.time_windows) {
            const auto window_start = std::chrono::steady_clock::now();
            executor_.for_each(local_count, IndexFn(timed_body));
            stats.parallel_window_seconds +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - window_start)
                    .count();
            ++stats.parallel_windows;
        } else {
            executor_.for_each(local_count, IndexFn(body));
            ++stats.parallel_windows;
        }
    } catch (...) {
        in_window_ = false;
        throw;
    }
    in_window_ = false;

    // the next event anywhere: a partition's next time covers what it posted to others,
    // so messages still in the exchange count; the exchange combines the processes'
    WindowSummary summary;
    for (std::size_t p = local_.first; p < local_.second; ++p) {
        summary.next = std::min(summary.next, partitions_[p].next_time);
        summary.events += partitions_[p].window_events;
    }
    // a stop asked on one process stops all at the same barrier
    summary.stop = exchange_->processes() > 1 && stop_requested_.load(std::memory_order_relaxed);
    exchange_->barrier(summary);
    agreed_stop = agreed_stop || summary.stop;
    next_time_ = summary.next;
    now_ = window_end;
    total_events_ += summary.events;
    if (config_.run_ahead_lookaheads == 0) {
        last_window_events_ = summary.events;
    }
    return summary.events;
}

void Engine::run_window(std::size_t p, Tick window_end) {
    Partition& part = partitions_[p];
    EventQueue& queue = part.queue;

    // messages posted to this partition in the last window
    exchange_->drain(p, [&queue](const Event& e) { queue.push(e); });
    if (part.outboxes.size() != partitions_.size()) {
        part.outboxes.assign(partitions_.size(), nullptr);
    }
    for (std::size_t q = 0; q < partitions_.size(); ++q) {
        part.outboxes[q] = q == p ? nullptr : &exchange_->outbox(p, q);
    }

    Context ctx(*this, p);
    ctx.part_ = &part;
    const std::uint64_t events = run_events(p, ctx, window_end);
    part.window_events = events;
    part.next_time = std::min(queue.top_time(), ctx.sent_min_);
}

std::uint64_t Engine::run_events(std::size_t p, Context& ctx, Tick end, Tick publish_every) {
    Partition& part = partitions_[p];
    EventQueue& queue = part.queue;
    std::uint64_t events = 0;
    Event event;
    Tick publish_at = publish_every > 0 ? queue.top_time() + publish_every : kTickNever;
    while (queue.top_time() < end) {
        if (queue.top_time() >= publish_at) {
            run_ahead_publish(p, queue.top_time());
            publish_at = queue.top_time() + publish_every;
        }
        const bool live = queue.pop(event);
        queue.prefetch_top(lps_);
        if (!queue.empty()) {
            model_.prefetch(queue.top_lp());
        }
        if (!live) {
            ++part.cancelled;
            continue;
        }
        LpState& lp = lps_[event.dst];
        if (config_.hash_events) {
            std::uint64_t h = fold(lp.hash, static_cast<std::uint64_t>(event.time));
            h = fold(h, (std::uint64_t{event.src} << 32) | (std::uint64_t{event.type} << 8) |
                            event.priority);
            lp.hash = fold(h, event.seq);
        }
        if (per_event_observers_) {
            for (const ObserverSlot& slot : observers_) {
                if (slot.observer->wants_events()) {
                    slot.observer->on_event(p, event);
                }
            }
        }
        ctx.now_ = event.time;
        ctx.self_ = event.dst;
        ctx.lp_ = &lp;
        ctx.rng_ = RandomStream(config_.seed, event.dst, 0, lp.rng_draws);
        model_.handle(ctx, event);
        lp.rng_draws = ctx.rng_.draws();
        ++events;
    }
    part.events += events;
    return events;
}

Event Context::make_event(LpId dst, Tick delay, EventType type, const Payload& payload,
                          std::uint8_t priority) {
    Event e;
    e.time = now_ + delay;
    e.seq = lp_->next_seq++;
    e.src = self_;
    e.dst = dst;
    e.type = type;
    e.priority = priority;
    e.payload = payload;
    return e;
}

EventHandle Context::schedule_self(Tick delay, EventType type, const Payload& payload,
                                   std::uint8_t priority) {
    if (delay < 0) {
        std::ostringstream msg;
        msg << "LP " << self_ << " at tick " << now_ << ": schedule_self with negative delay "
            << delay;
        throw SchedulingError(msg.str());
    }
    return part_->queue.push(make_event(self_, delay, type, payload, priority));
}

void Context::send(LpId dst, Tick delay, EventType type, const Payload& payload,
                   std::uint8_t priority) {
    if (dst == self_) {
        schedule_self(delay, type, payload, priority);
        return;
    }
    if (dst >= engine_.config_.lp_count) {
        std::ostringstream msg;
        msg << "LP " << self_ << " at tick " << now_ << ": send to LP " << dst
            << " which does not exist (" << engine_.config_.lp_count << " LPs)";
        throw SchedulingError(msg.str());
    }
    if (delay < engine_.config_.lookahead) {
        std::ostringstream msg;
        msg << "LP " << self_ << " at tick " << now_ << ": send to LP " << dst << " with delay "
            << delay << " ticks violates the lookahead of " << engine_.config_.lookahead
            << " ticks";
        throw SchedulingError(msg.str());
    }
    const Event e = make_event(dst, delay, type, payload, priority);
    const std::size_t q = engine_.partition_of(dst);
    if (q == partition_) {
        // lands at or after the window's end, so the local queue keeps it safely
        part_->queue.push(e);
    } else {
        part_->outboxes[q]->push_back(e);
        sent_min_ = std::min(sent_min_, e.time);
    }
    ++part_->messages;
}

bool Context::cancel(EventHandle handle) {
    return part_->queue.cancel(handle);
}

std::size_t Engine::pending_events() const {
    std::size_t n = 0;
    for (const Partition& part : partitions_) {
        n += part.queue.size();
    }
    return n;
}

MemoryStats Engine::memory() const {
    MemoryStats m;
    m.lp_state_bytes = lps_.capacity() * sizeof(LpState);
    for (const Partition& part : partitions_) {
        m.queue_bytes += part.queue.memory_bytes() + sizeof(Partition);
    }
    m.exchange_bytes = exchange_->memory_bytes();
    return m;
}

std::uint64_t Engine::event_hash() const {
    std::uint64_t h = fold(0, config_.lp_count);
    if (exchange_->processes() == 1) {
        for (const LpState& lp : lps_) {
            h = fold(h, lp.hash);
        }
        return h;
    }
    // each process holds its own LPs' hashes, zero elsewhere: summing completes them
    std::vector<std::uint64_t> hashes(lps_.size(), 0);
    for (LpId lp = 0; lp < config_.lp_count; ++lp) {
        if (is_local(lp)) {
            hashes[lp] = lps_[lp].hash;
        }
    }
    exchange_->sum(hashes);
    for (const std::uint64_t lp_hash : hashes) {
        h = fold(h, lp_hash);
    }
    return h;
}

std::uint64_t Engine::messages_sent() const {
    std::uint64_t n = 0;
    for (const Partition& part : partitions_) {
        n += part.messages;
    }
    return n;
}

}  // namespace swarm::sim
