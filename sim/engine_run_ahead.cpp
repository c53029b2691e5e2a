// Run-ahead segments (EngineConfig::run_ahead_lookaheads): between barrier actions each
// partition runs as far as the others' progress allows, instead of every partition waiting
// for the slowest at the end of every lookahead.
//
// Every partition publishes a clock: each of its events before the clock has run, and every
// message it has sent is in its receivers' mailboxes. An event it runs later is at or after
// its clock, so a message it sends later lands at clock + lookahead or after. A partition
// may therefore run its events before min(the others' clocks) + lookahead, its bound: no
// message can still arrive before that. Each LP runs exactly the events it runs in
// lockstep, in the same total order (its queue orders them, whatever order they arrive in).
// The partition holding the earliest pending event can always run it, so the segment never
// stalls; it ends when every partition's bound is the segment's end and nothing before the
// end is left.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "sim/cpu_relax.hpp"
#include "sim/engine.hpp"

namespace swarm::sim {

namespace {

// How long a task with nothing it may run waits for a running task's partitions to move
// before it runs them itself and yields its core at each look (that task's thread may have
// lost its core to another process). Longer than a route search, short against a time slice.
constexpr std::chrono::microseconds kPatience{200};

// A partition running its events publishes its clock each time they pass another fraction of
// the lookahead: a partition waiting for it then waits at most that fraction, not for the end
// of its run. Each publication costs the cache line's trip to the reader.
constexpr Tick kPublishesPerLookahead = 8;

// After segments whose threads waited past their patience (more threads than free cores:
// run_segment), this many segments run on the calling thread before threads are tried again:
// about 20 s of simulated time in a fleet run.
constexpr std::uint32_t kContendedSerialSegments = 4;

}  // namespace

struct Engine::RunAhead {
    // read by every other partition's task at each step: a cache line of its own
    struct alignas(64) Clock {
        std::atomic<Tick> time{0};
    };
    // who may run a partition: one task at a time, its owner first
    struct alignas(64) Claim {
        std::atomic<bool> held{false};
        std::atomic<bool> done{false};  // every event before the segment's end has run
    };
    // whoever holds the partition's claim
    struct alignas(64) Own {
        std::size_t owner = 0;                    // the task whose block it is
        std::vector<std::vector<Event>> staging;  // per destination: this step's sends
        std::vector<Event> mail;                  // scratch for taking a mailbox
    };
    struct alignas(64) Task {
        std::atomic<bool> active{false};  // in its call: it runs its own partitions
    };
    struct alignas(64) Mailbox {
        std::mutex mutex;
        std::atomic<bool> full{false};
        std::vector<Event> events;
    };

    explicit RunAhead(std::size_t partitions)
        : count(partitions),
          clocks(partitions),
          claims(partitions),
          own(partitions),
          tasks(partitions),
          boxes(partitions * partitions) {
        for (Own& o : own) {
            o.staging.resize(partitions);
        }
    }
    Mailbox& box(std::size_t src, std::size_t dst) { return boxes[src * count + dst]; }

    // what the others posted to p, into p's queue
    void take_mail(std::size_t p, EventQueue& queue) {
        std::vector<Event>& mail = own[p].mail;
        for (std::size_t q = 0; q < count; ++q) {
            Mailbox& b = box(q, p);
            if (q == p || !b.full.load(std::memory_order_acquire)) {
                continue;
            }
            {
                const std::lock_guard lock(b.mutex);
                mail.swap(b.events);
                b.full.store(false, std::memory_order_relaxed);
            }
            for (const Event& e : mail) {
                queue.push(e);
            }
            mail.clear();
        }
    }

    // p's sends of its last step, into the receivers' mailboxes
    void post(std::size_t p) {
        for (std::size_t q = 0; q < count; ++q) {
            std::vector<Event>& out = own[p].staging[q];
            if (out.empty()) {
                continue;
            }
            Mailbox& b = box(p, q);
            {
                const std::lock_guard lock(b.mutex);
                b.events.insert(b.events.end(), out.begin(), out.end());
                b.full.store(true, std::memory_order_relaxed);
            }
            out.clear();
        }
    }

    std::size_t count;
    std::vector<Clock> clocks;
    std::vector<Claim> claims;
    std::vector<Own> own;
    std::vector<Task> tasks;
    std::vector<Mailbox> boxes;  // (source, destination)
    std::atomic<bool> abort{false};
    bool timed = false;  // EngineConfig::time_windows, and the segment is on threads
    std::atomic<std::int64_t> late_ns{0};  // the tasks' waits past kPatience, this segment
    std::uint32_t serial_segments = 0;     // segments still to run on the calling thread
    std::uint32_t contended_in_a_row = 0;  // threaded segments that waited past patience
};

// here, where RunAhead is complete
Engine::~Engine() = default;

std::uint64_t Engine::run_segment(Tick begin, Tick end, RunStats& stats, bool& agreed_stop) {
    std::uint64_t events = 0;
    if (partitions_.size() == 1) {
        // one partition keeps every send in its own queue: the segment is one window
        events = run_lockstep_window(begin, end, stats, agreed_stop);
    } else if (exchange_->processes() > 1) {
        // across processes the clocks would need messages of their own: lockstep windows,
        // with no barrier between them (only the segment's end is one)
        while (next_time_ < end) {
            const Tick window_begin = next_time_;
            events += run_lockstep_window(
                window_begin, std::min(saturating_add(window_begin, config_.lookahead), end), stats,
                agreed_stop);
        }
    } else {
        // a segment of few events per lookahead runs on the calling thread (one task taking
        // every partition in turn): handing them to threads costs more than they do
        const std::size_t n = partitions_.size();
        if (!run_ahead_ || run_ahead_->count != n) {
            run_ahead_ = std::make_unique<RunAhead>(n);
        }
        RunAhead& ra = *run_ahead_;
        const bool threads = executor_.concurrency() >= 2 &&
                             last_window_events_ >= config_.serial_below_events &&
                             ra.serial_segments == 0;
        ra.serial_segments -= ra.serial_segments > 0 ? 1 : 0;
        const auto start = std::chrono::steady_clock::now();
        ra.late_ns.store(0, std::memory_order_relaxed);
        events = run_ahead_segment(begin, end, threads ? std::min(executor_.concurrency(), n) : 1,
                                   stats);
        // More threads than free cores (tests or runs beside each other): a thread that lost
        // its core mid-run holds its partition, and the others wait for it, where the calling
        // thread alone would have gone on. When the tasks waited past their patience for more
        // than half a segment, or a fifth of two segments in a row, the next few segments run
        // on the calling thread. (On the team's quiet VM at 100k vehicles a segment waited up
        // to 17 % now and then, not two in a row in the runs measured; with two busy processes
        // beside the run most waited 50-110 %: two tasks' waits add up. Lower thresholds and
        // 16 segments on the calling thread cost a tenth of the speedup on a host whose vCPUs
        // stall now and then: docs/fleet-bench.md, "Session 26".)
        if (threads) {
            const auto wall = std::chrono::steady_clock::now() - start;
            const auto late = std::chrono::nanoseconds(ra.late_ns.load());
            ra.contended_in_a_row = late * 10 > wall * 2 ? ra.contended_in_a_row + 1 : 0;
            if (late * 2 > wall || ra.contended_in_a_row >= 2) {
                ra.serial_segments = kContendedSerialSegments;
                ra.contended_in_a_row = 0;
            }
        }
    }
    // the events per lookahead: whether the next segment is worth handing to threads
    const Tick lookaheads = std::max<Tick>(1, (end - begin) / config_.lookahead);
    last_window_events_ = events / static_cast<std::uint64_t>(lookaheads);
    now_ = end;
    return events;
}

std::uint64_t Engine::run_ahead_segment(Tick begin, Tick end, std::size_t tasks, RunStats& stats) {
    const std::size_t n = partitions_.size();
    RunAhead& ra = *run_ahead_;
    now_ = begin;
    in_window_ = true;
    // every event pending anywhere is at or after `begin`: so is every clock
    for (std::size_t p = 0; p < n; ++p) {
        Partition& part = partitions_[p];
        EventQueue& queue = part.queue;
        exchange_->drain(p, [&queue](const Event& e) { queue.push(e); });
        part.outboxes.assign(n, nullptr);
        for (std::size_t q = 0; q < n; ++q) {
            part.outboxes[q] = q == p ? nullptr : &ra.own[p].staging[q];
        }
        part.window_events = 0;
        ra.clocks[p].time.store(begin, std::memory_order_relaxed);
        ra.claims[p].held.store(false, std::memory_order_relaxed);
        ra.claims[p].done.store(false, std::memory_order_relaxed);
        ra.own[p].owner = p * tasks / n;  // the block of run_ahead_group's
    }
    for (RunAhead::Task& t : ra.tasks) {
        t.active.store(false, std::memory_order_relaxed);
    }
    ra.abort.store(false, std::memory_order_relaxed);
    ra.timed = config_.time_windows && tasks > 1;

    auto body = [this, tasks, end](std::size_t group) { run_ahead_group(group, tasks, end); };
    const auto start = std::chrono::steady_clock::now();
    try {
        // a task returns once its own partitions are done: after the call every one is
        if (tasks == 1) {
            body(0);
        } else {
            executor_.for_each(tasks, IndexFn(body));
        }
    } catch (...) {
        in_window_ = false;
        throw;
    }
    in_window_ = false;
    if (tasks > 1) {
        if (config_.time_windows) {
            stats.parallel_window_seconds +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
        ++stats.parallel_windows;
    }

    // sends landing after the segment wait in the mailboxes: into the queues
    std::uint64_t events = 0;
    next_time_ = kTickNever;
    for (std::size_t p = 0; p < n; ++p) {
        Partition& part = partitions_[p];
        ra.take_mail(p, part.queue);
        events += part.window_events;
        part.next_time = part.queue.top_time();
        next_time_ = std::min(next_time_, part.next_time);
    }
    total_events_ += events;
    return events;
}

void Engine::run_ahead_group(std::size_t group, std::size_t tasks, Tick end) {
    // each task has a block of partitions, whose data stays in its core's cache; it runs
    // another's only when that one's task is not running (an executor that runs the tasks
    // one after another, or not yet), or has not moved for kPatience (its thread lost its core)
    const std::size_t n = partitions_.size();
    const std::size_t first = group * n / tasks;
    const std::size_t last = (group + 1) * n / tasks;
    RunAhead& ra = *run_ahead_;
    ra.tasks[group].active.store(true);
    struct Leave {
        std::atomic<bool>& active;
        ~Leave() { active.store(false); }
    } leave{ra.tasks[group].active};
    // one step of partition p, unless another task holds it
    auto step = [&](std::size_t p) {
        RunAhead::Claim& claim = ra.claims[p];
        if (claim.done.load(std::memory_order_acquire) ||
            claim.held.exchange(true, std::memory_order_acquire)) {
            return false;
        }
        struct Release {
            std::atomic<bool>& held;
            ~Release() { held.store(false, std::memory_order_release); }
        } release{claim.held};
        return !claim.done.load(std::memory_order_relaxed) && run_ahead_advance(p, end);
    };
    unsigned spins = 0;
    std::chrono::steady_clock::time_point waiting_since;
    bool late = false;
    std::chrono::steady_clock::time_point late_since;
    auto end_late = [&] {
        if (late) {
            late = false;
            ra.late_ns.fetch_add(
                std::chrono::nanoseconds(std::chrono::steady_clock::now() - late_since).count(),
                std::memory_order_relaxed);
        }
    };
    struct EndLate {
        decltype(end_late)& f;
        ~EndLate() { f(); }
    } end_late_on_return{end_late};
    try {
        for (;;) {
            bool moved = false;
            bool own_done = true;
            for (std::size_t p = first; p < last; ++p) {
                moved = step(p) || moved;
                own_done = own_done && ra.claims[p].done.load(std::memory_order_acquire);
            }
            if (ra.abort.load(std::memory_order_relaxed)) {
                return;
            }
            bool others_waiting = false;  // partitions of tasks not running, not done
            if (!moved) {
                for (std::size_t p = 0; p < n; ++p) {
                    if ((p >= first && p < last) || ra.claims[p].done.load()) {
                        continue;
                    }
                    const bool running = ra.tasks[ra.own[p].owner].active.load();
                    if (!running || (late && !own_done)) {
                        others_waiting = true;
                        moved = step(p) || moved;
                    }
                }
            }
            if (own_done && !others_waiting) {
                return;  // the rest is running tasks' own work
            }
            if (moved) {
                spins = 0;
                end_late();
                continue;
            }
            // past the patience the partition we wait for may be held by a thread that lost its
            // core: give this core up at each look, so that thread (or whatever took its core)
            // can run, as TeamExecutor's waits do
            if (late) {
                std::this_thread::yield();
            } else {
                cpu_relax();
            }
            if ((++spins & 63U) == 0) {
                const auto now = std::chrono::steady_clock::now();
                if (spins == 64) {
                    waiting_since = now;
                } else if (!late && now - waiting_since > kPatience) {
                    late = true;
                    late_since = now;
                }
            }
        }
    } catch (...) {
        ra.abort.store(true, std::memory_order_relaxed);
        throw;
    }
}

bool Engine::run_ahead_advance(std::size_t p, Tick end) {
    RunAhead& ra = *run_ahead_;
    Partition& part = partitions_[p];
    Tick others = kTickNever;
    for (std::size_t q = 0; q < ra.count; ++q) {
        if (q != p) {
            others = std::min(others, ra.clocks[q].time.load(std::memory_order_acquire));
        }
    }
    // the earliest any message not yet in the mailboxes can land
    const Tick inbound = saturating_add(others, config_.lookahead);
    const Tick bound = std::min(end, inbound);
    ra.take_mail(p, part.queue);

    bool moved = false;
    if (part.queue.top_time() < bound) {
        Context ctx(*this, p);
        ctx.part_ = &part;
        const Tick step = std::max<Tick>(1, config_.lookahead / kPublishesPerLookahead);
        if (ra.timed) {
            const auto start = std::chrono::steady_clock::now();
            part.window_events += run_events(p, ctx, bound, step);
            part.busy_seconds +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        } else {
            part.window_events += run_events(p, ctx, bound, step);
        }
        moved = true;
    }
    const Tick clock = std::min(part.queue.top_time(), inbound);
    if (clock > ra.clocks[p].time.load(std::memory_order_relaxed)) {
        moved = true;
    }
    run_ahead_publish(p, clock);
    if (bound == end && part.queue.top_time() >= end) {
        ra.claims[p].done.store(true, std::memory_order_release);
    }
    return moved;
}

void Engine::run_ahead_publish(std::size_t p, Tick clock) {
    RunAhead& ra = *run_ahead_;
    // the sends are posted before the clock that lets the others run up to them
    ra.post(p);
    if (clock > ra.clocks[p].time.load(std::memory_order_relaxed)) {
        ra.clocks[p].time.store(clock, std::memory_order_release);
    }
}

}  // namespace swarm::sim
