#pragma once
// Pending events of one partition: a slot pool holding the events and a cache-friendly
// 4-ary min-heap of 16-byte (time, slot, destination) entries. The heap is laid out so that
// the four children of a node share one cache line. Storage grows to the high-water mark
// and is then reused: no allocation per event.
#include <cstdint>
#include <new>
#include <vector>

#include "sim/event.hpp"

namespace swarm::sim {

// std::allocator with a stronger alignment (cache lines for hot arrays).
template <class T, std::size_t Align>
struct AlignedAllocator {
    using value_type = T;
    template <class U>
    struct rebind {  // NOLINT(readability-identifier-naming): allocator protocol name
        using other = AlignedAllocator<U, Align>;
    };
    AlignedAllocator() = default;
    template <class U>
    explicit AlignedAllocator(const AlignedAllocator<U, Align>& /*other*/) {}
    T* allocate(std::size_t n) {
        return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{Align}));
    }
    void deallocate(T* p, std::size_t /*n*/) { ::operator delete (p, std::align_val_t{Align}); }
    bool operator==(const AlignedAllocator& /*other*/) const { return true; }
};

class EventQueue {
  public:
    EventQueue() : heap_(kPad, Entry{}) {}

    [[nodiscard]] bool empty() const { return heap_.size() == kPad; }
    [[nodiscard]] std::size_t size() const { return heap_.size() - kPad; }
    [[nodiscard]] Tick top_time() const { return empty() ? kTickNever : at(0).time; }

    // asks the cache for the next event and its LP's hot state before they are needed:
    // at scale these two loads are most of the cost of an event
    template <class LpArray>
    void prefetch_top(const LpArray& lps) const {
        if (!empty()) {
            __builtin_prefetch(&pool_[at(0).slot]);
            __builtin_prefetch(&lps[at(0).dst]);
        }
    }

    // the LP of the next event (the queue must not be empty)
    [[nodiscard]] LpId top_lp() const { return at(0).dst; }

    // stores the event; returns the handle that can cancel it
    EventHandle push(const Event& e) {
        std::uint32_t slot;
        if (free_.empty()) {
            slot = static_cast<std::uint32_t>(pool_.size());
            pool_.push_back(e);
            pool_.back().generation = 0;
        } else {
            slot = free_.back();
            free_.pop_back();
            const std::uint32_t gen = pool_[slot].generation;
            pool_[slot] = e;
            pool_[slot].generation = gen;
        }
        heap_.push_back({e.time, slot, e.dst});
        sift_up(size() - 1);
        return {slot, pool_[slot].generation};
    }

    // removes the first event in total order into `out`; false when it had been cancelled
    bool pop(Event& out) {
        const std::uint32_t slot = at(0).slot;
        const Entry last = heap_.back();
        heap_.pop_back();
        if (!empty()) {
            sift_down(last);
        }
        Event& stored = pool_[slot];
        const bool live = (stored.flags & kEventCancelled) == 0;
        if (live) {
            out = stored;
        }
        ++stored.generation;  // any handle to this slot is now stale
        stored.flags = 0;
        free_.push_back(slot);
        return live;
    }

    // marks a pending event as cancelled; false when the handle is stale
    bool cancel(EventHandle h) {
        if (!h.valid() || h.slot >= pool_.size()) {
            return false;
        }
        Event& stored = pool_[h.slot];
        if (stored.generation != h.generation || (stored.flags & kEventCancelled) != 0) {
            return false;
        }
        stored.flags |= kEventCancelled;
        return true;
    }

    // calls f(event) for every pending event that was not cancelled, in no particular order
    template <class F>
    void for_each_live(F&& f) const {
        for (std::size_t k = 0; k < size(); ++k) {
            const Event& e = pool_[at(k).slot];
            if ((e.flags & kEventCancelled) == 0) {
                f(e);
            }
        }
    }

    // drops every pending event (handles to them become stale)
    void clear() {
        pool_.clear();
        heap_.resize(kPad);
        free_.clear();
    }

    [[nodiscard]] std::size_t memory_bytes() const {
        return pool_.capacity() * sizeof(Event) + heap_.capacity() * sizeof(Entry) +
               free_.capacity() * sizeof(std::uint32_t);
    }

    void reserve(std::size_t n) {
        pool_.reserve(n);
        heap_.reserve(n + kPad);
        free_.reserve(n);
    }

  private:
    struct Entry {
        Tick time = 0;
        std::uint32_t slot = 0;
        LpId dst = 0;
    };
    static_assert(sizeof(Entry) == 16);
    // Entry k lives at heap_[k + kPad]: with a 64-byte aligned buffer the children
    // 4k+1 .. 4k+4 of every node then fill exactly one cache line.
    static constexpr std::size_t kPad = 3;
    Entry& at(std::size_t k) { return heap_[k + kPad]; }
    [[nodiscard]] const Entry& at(std::size_t k) const { return heap_[k + kPad]; }

    [[nodiscard]] bool less(const Entry& a, const Entry& b) const {
        if (a.time != b.time) {
            return a.time < b.time;
        }
        return event_before(pool_[a.slot], pool_[b.slot]);
    }

    void sift_up(std::size_t i) {
        const Entry moving = at(i);
        while (i > 0) {
            const std::size_t parent = (i - 1) / 4;
            if (!less(moving, at(parent))) {
                break;
            }
            at(i) = at(parent);
            i = parent;
        }
        at(i) = moving;
    }

    // places `moving` starting from the root
    void sift_down(const Entry& moving) {
        const std::size_t n = size();
        std::size_t i = 0;
        for (;;) {
            const std::size_t first = 4 * i + 1;
            if (first >= n) {
                break;
            }
            std::size_t best = first;
            const std::size_t end = first + 4 < n ? first + 4 : n;
            for (std::size_t c = first + 1; c < end; ++c) {
                if (less(at(c), at(best))) {
                    best = c;
                }
            }
            if (!less(at(best), moving)) {
                break;
            }
            at(i) = at(best);
            i = best;
        }
        at(i) = moving;
    }

    std::vector<Event> pool_;
    std::vector<Entry, AlignedAllocator<Entry, 64>> heap_;
    std::vector<std::uint32_t> free_;
};

}  // namespace swarm::sim
