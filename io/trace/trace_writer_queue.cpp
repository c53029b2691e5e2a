// The hand-over of frames from the simulation thread to the writer's: the pool of frames,
// the bounded queue and when the writer is woken (TraceWriter::run takes them off).
#include <algorithm>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>

#include "io/trace/trace_writer.hpp"

namespace swarm::io {

std::size_t TraceFrame::bytes() const {
    return packed_legs.size() + state.size() +
           sizeof(float) * (position.size() + load.size() + energy.size() + values.size()) +
           sizeof(TraceEvent) * events.size() + sizeof(TraceLink) * links.size() +
           sizeof(TraceKpiInterval) * intervals.size();
}

std::unique_ptr<TraceFrame> TraceWriter::acquire(std::size_t packed_bytes) {
    std::unique_ptr<TraceFrame> f;
    {
        const std::lock_guard lock(mutex_);
        if (!free_.empty()) {
            // the last one back (its buffers warmest), or one large enough
            auto pick = std::prev(free_.end());
            if ((*pick)->packed_legs.capacity() < packed_bytes) {
                const auto large = std::find_if(free_.begin(), free_.end(), [&](const auto& g) {
                    return g->packed_legs.capacity() >= packed_bytes;
                });
                pick = large != free_.end() ? large : pick;
            }
            f = std::move(*pick);
            free_.erase(pick);
        }
    }
    if (!f) {
        f = std::make_unique<TraceFrame>();
    }
    if (!packs_legs()) {
        // schema 3.3's frames bring their rows packed instead
        f->position.resize(std::size_t{header_.agents} * 2);
        f->state.resize(header_.agents);
        f->load.resize(header_.agents);
        f->energy.resize(header_.agents);
    }
    f->values.assign(header_.agent_values.size() * header_.agents,
                     std::numeric_limits<float>::quiet_NaN());
    f->intervals.clear();
    f->events.clear();
    f->disruption_labels.clear();
    f->links.clear();
    f->packed_legs.clear();
    f->packed_leg_rows = 0;
    f->scalars = {};
    return f;
}

void TraceWriter::push(std::unique_ptr<TraceFrame> frame) {
    std::unique_lock lock(mutex_);
    if (closing_) {
        throw TraceError(path_, "push after close()");
    }
    if (queue_full() && !failed_) {
        ++waits_;
        producer_waiting_ = true;
        cv_.wait(lock, [this] { return !queue_full() || failed_; });
        producer_waiting_ = false;
    }
    if (failed_) {
        // the trace is lost from here on, the run goes on (its KPIs hold): close() reports
        ++stats_.dropped;
        free_.push_back(std::move(frame));
        return;
    }
    queued_bytes_ += frame->bytes();
    queue_.push_back(std::move(frame));
    // the writer is woken once a batch of frames waits, not per frame: a wake-up per sample
    // costs the simulation thread more than the copy (and the writer wakes by itself after a
    // while); and once: until it runs (on a busy machine not soon) another would be a system
    // call
    const bool wake = writer_waiting_ && writer_due();
    writer_waiting_ = writer_waiting_ && !wake;
    lock.unlock();
    if (wake) {
        cv_.notify_all();
    }
}

bool TraceWriter::writer_due() const {
    if (queue_.empty()) {
        return false;
    }
    if (releasing_ || idle_waiting_) {
        return true;
    }
    const std::size_t batch = std::clamp<std::size_t>(options_.queue_capacity / 4, 1, 64);
    return queue_.size() >= batch || queued_bytes_ >= options_.queue_bytes / 16;
}

bool TraceWriter::queue_full() const {
    return queue_.size() >= options_.queue_capacity ||
           (!queue_.empty() && queued_bytes_ >= options_.queue_bytes);
}

void TraceWriter::set_completer(FrameCompleter& completer) {
    const std::lock_guard lock(mutex_);
    if (completer_ != nullptr && completer_ != &completer) {
        throw TraceError(path_, "a second frame completer");
    }
    completer_ = &completer;
}

void TraceWriter::wait_idle() {
    std::unique_lock lock(mutex_);
    idle_waiting_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return finished_ || failed_ || (queue_.empty() && in_flight_ == 0); });
    idle_waiting_ = false;
}

void TraceWriter::release_completer(const FrameCompleter& completer) {
    std::unique_lock lock(mutex_);
    if (completer_ != &completer) {
        return;
    }
    releasing_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return finished_ || (queue_.empty() && !completing_); });
    releasing_ = false;
    completer_ = nullptr;
}

}  // namespace swarm::io
