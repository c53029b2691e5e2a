// Engine::save / Engine::restore: the kernel's part of a checkpoint (docs/checkpoints.md).
#include <algorithm>
#include <string>
#include <vector>

#include "sim/engine.hpp"

namespace swarm::sim {

namespace {

template <class S, class M>
std::vector<M> column_of(const std::vector<S>& rows, M S::*member) {
    std::vector<M> out;
    out.reserve(rows.size());
    for (const S& r : rows) {
        out.push_back(r.*member);
    }
    return out;
}

template <class T, class F>
std::vector<T> column(const std::vector<Event>& events, F field) {
    std::vector<T> out;
    out.reserve(events.size());
    for (const Event& e : events) {
        out.push_back(field(e));
    }
    return out;
}

}  // namespace

void Engine::save(StateArchive& ar) const {
    if (in_window_) {
        throw SchedulingError("engine: save() is only allowed between runs");
    }
    if (exchange_->processes() > 1) {
        throw CheckpointError("checkpoints of a run across processes are not supported yet");
    }
    ar.put_value("lp_count", config_.lp_count);
    ar.put_value("lookahead", config_.lookahead);
    ar.put_value("seed", config_.seed);
    ar.put_value("now", now_);
    ar.put_value("external_seq", external_seq_);
    ar.put_value("events_processed", total_events_);
    ar.put_value("windows_processed", total_windows_);
    ar.put_value("last_window_events", last_window_events_);
    {
        const auto s = ar.scope("lp");
        ar.put("random_draws", column_of(lps_, &LpState::rng_draws));
        ar.put("next_seq", column_of(lps_, &LpState::next_seq));
        ar.put("event_hash", column_of(lps_, &LpState::hash));
    }

    // every pending event, in the kernel's total order: the same list for any partitioning
    std::vector<Event> events;
    for (const Partition& part : partitions_) {
        part.queue.for_each_live([&events](const Event& e) { events.push_back(e); });
    }
    exchange_->collect(events);
    std::sort(events.begin(), events.end(), event_before);
    {
        const auto s = ar.scope("events");
        ar.put("time", column<Tick>(events, [](const Event& e) { return e.time; }));
        ar.put("seq", column<std::uint64_t>(events, [](const Event& e) { return e.seq; }));
        ar.put("src", column<LpId>(events, [](const Event& e) { return e.src; }));
        ar.put("dst", column<LpId>(events, [](const Event& e) { return e.dst; }));
        ar.put("type", column<EventType>(events, [](const Event& e) { return e.type; }));
        ar.put("priority", column<std::uint8_t>(events, [](const Event& e) { return e.priority; }));
        ar.put("payload", column<Payload>(events, [](const Event& e) { return e.payload; }));
    }

    // pending barrier actions but the samples, in the order they would run
    std::vector<Timer> timers;
    for (const Timer& t : timers_) {
        const Action& a = actions_[t.action];
        if (a.sample) {
            continue;
        }
        if (a.key.kind == 0) {
            throw CheckpointError("a barrier action without a key is pending at tick " +
                                  std::to_string(t.time) + ": this run cannot be checkpointed");
        }
        timers.push_back(t);
    }
    std::sort(timers.begin(), timers.end(), [](const Timer& a, const Timer& b) {
        return a.time != b.time ? a.time < b.time : a.order < b.order;
    });
    {
        const auto s = ar.scope("actions");
        std::vector<Tick> time;
        std::vector<std::uint64_t> order;
        std::vector<Tick> interval;
        std::vector<std::uint32_t> kind;
        std::vector<std::uint32_t> a;
        std::vector<std::uint64_t> b;
        std::vector<std::uint64_t> c;
        for (const Timer& t : timers) {
            const ActionKey& k = actions_[t.action].key;
            time.push_back(t.time);
            order.push_back(t.order);
            interval.push_back(t.interval);
            kind.push_back(k.kind);
            a.push_back(k.a);
            b.push_back(k.b);
            c.push_back(k.c);
        }
        ar.put("time", time);
        ar.put("order", order);
        ar.put("interval", interval);
        ar.put("kind", kind);
        ar.put("a", a);
        ar.put("b", b);
        ar.put("c", c);
        ar.put_value("next_order", timer_order_);
    }
}

void Engine::restore(const StateArchive& ar, const ActionMaker& make, const EventFilter& keep) {
    if (in_window_ || total_events_ != 0 || total_windows_ != 0) {
        throw SchedulingError("engine: restore() into an engine that has run");
    }
    if (exchange_->processes() > 1) {
        throw CheckpointError("checkpoints of a run across processes are not supported yet");
    }
    const auto lookahead = ar.get_value<Tick>("lookahead");
    const auto seed = ar.get_value<std::uint64_t>("seed");
    if (lookahead != config_.lookahead) {
        throw CheckpointError("the checkpoint's lookahead is " + std::to_string(lookahead) +
                              " ticks; this run's is " + std::to_string(config_.lookahead));
    }
    if (seed != config_.seed) {
        throw CheckpointError("the checkpoint was taken with seed " + std::to_string(seed) +
                              "; this run's seed is " + std::to_string(config_.seed));
    }
    const auto saved_lps = ar.get_value<std::uint32_t>("lp_count");
    const auto now = ar.get_value<Tick>("now");
    std::vector<std::uint64_t> draws;
    std::vector<std::uint64_t> seqs;
    std::vector<std::uint64_t> hashes;
    {
        const auto s = ar.scope("lp");
        ar.get("random_draws", draws, saved_lps);
        ar.get("next_seq", seqs, saved_lps);
        ar.get("event_hash", hashes, saved_lps);
    }

    // events: checked whole before any is queued
    std::vector<Event> events;
    {
        const auto s = ar.scope("events");
        std::vector<Tick> time;
        std::vector<std::uint64_t> seq;
        std::vector<LpId> src;
        std::vector<LpId> dst;
        std::vector<EventType> type;
        std::vector<std::uint8_t> priority;
        std::vector<Payload> payload;
        ar.get("time", time);
        const std::size_t n = time.size();
        ar.get("seq", seq, n);
        ar.get("src", src, n);
        ar.get("dst", dst, n);
        ar.get("type", type, n);
        ar.get("priority", priority, n);
        ar.get("payload", payload, n);
        for (std::size_t i = 0; i < n; ++i) {
            Event e;
            e.time = time[i];
            e.seq = seq[i];
            e.src = src[i];
            e.dst = dst[i];
            e.type = type[i];
            e.priority = priority[i];
            e.payload = payload[i];
            if (e.time < now || e.dst >= saved_lps ||
                (e.src != kExternalLp && e.src >= saved_lps)) {
                throw CheckpointError("checkpoint event " + std::to_string(i) + " (tick " +
                                      std::to_string(e.time) + ", LP " + std::to_string(e.dst) +
                                      ") is before the checkpoint's time or names no LP");
            }
            if (keep && !keep(e)) {
                continue;
            }
            if (e.dst >= config_.lp_count) {
                throw CheckpointError("a pending event is for LP " + std::to_string(e.dst) +
                                      ", which this run does not have (" +
                                      std::to_string(config_.lp_count) + " LPs)");
            }
            events.push_back(e);
        }
    }

    std::vector<Timer> saved;
    std::vector<ActionKey> keys;
    std::uint64_t next_order = 0;
    {
        const auto s = ar.scope("actions");
        std::vector<Tick> time;
        std::vector<std::uint64_t> order;
        std::vector<Tick> interval;
        std::vector<std::uint32_t> kind;
        std::vector<std::uint32_t> a;
        std::vector<std::uint64_t> b;
        std::vector<std::uint64_t> c;
        ar.get("time", time);
        const std::size_t n = time.size();
        ar.get("order", order, n);
        ar.get("interval", interval, n);
        ar.get("kind", kind, n);
        ar.get("a", a, n);
        ar.get("b", b, n);
        ar.get("c", c, n);
        next_order = ar.get_value<std::uint64_t>("next_order");
        for (std::size_t i = 0; i < n; ++i) {
            if (time[i] < now || interval[i] < 0 || kind[i] == 0 || order[i] >= next_order) {
                throw CheckpointError("checkpoint barrier action " + std::to_string(i) + " (tick " +
                                      std::to_string(time[i]) + ", kind " +
                                      std::to_string(kind[i]) + ") is not a valid pending action");
            }
            saved.push_back({time[i], order[i], interval[i], 0});
            keys.push_back({kind[i], a[i], b[i], c[i]});
        }
    }
    std::vector<BarrierAction> made;
    made.reserve(keys.size());
    for (const ActionKey& k : keys) {
        BarrierAction action = make(k);
        if (!action) {
            throw CheckpointError("checkpoint barrier action of kind " + std::to_string(k.kind) +
                                  " is unknown to this run");
        }
        made.push_back(std::move(action));
    }

    // all checked: replace the kernel's state
    now_ = now;
    external_seq_ = ar.get_value<std::uint64_t>("external_seq");
    total_events_ = ar.get_value<std::uint64_t>("events_processed");
    total_windows_ = ar.get_value<std::uint64_t>("windows_processed");
    last_window_events_ = ar.get_value<std::uint64_t>("last_window_events");
    for (std::size_t lp = 0; lp < lps_.size(); ++lp) {
        lps_[lp] = lp < saved_lps ? LpState{draws[lp], seqs[lp], hashes[lp]} : LpState{};
    }
    exchange_->configure(partitions_.size());
    for (Partition& part : partitions_) {
        part.queue.clear();
        part.next_time = kTickNever;
    }
    next_time_ = kTickNever;
    for (const Event& e : events) {
        partitions_[partition_of(e.dst)].queue.push(e);
        next_time_ = std::min(next_time_, e.time);
    }

    // the samples this run registered go on from their first grid point at or after now;
    // every other pending action is the checkpoint's
    std::vector<Timer> samples;
    for (const Timer& t : timers_) {
        if (actions_[t.action].sample) {
            Timer moved = t;
            if (moved.time < now_) {
                const Tick steps = (now_ - moved.time + moved.interval - 1) / moved.interval;
                moved.time += steps * moved.interval;
            }
            samples.push_back(moved);
        }
    }
    timers_.clear();
    for (const Timer& t : samples) {
        push_timer(t);
    }
    for (std::size_t i = 0; i < saved.size(); ++i) {
        Timer t = saved[i];
        t.action = add_action(std::move(made[i]), keys[i], false);
        push_timer(t);
    }
    timer_order_ = std::max(timer_order_, next_order);
    for (ObserverSlot& slot : observers_) {
        slot.last_sample = kNoSample;
    }
}

}  // namespace swarm::sim
