#include "viz/snapshot.hpp"

#include <algorithm>
#include <limits>
#include <bit>

namespace swarm::viz {

void Snapshot::resize(std::size_t agents) {
    xy.resize(2 * agents);
    state.resize(agents);
    load.resize(agents);
    energy.resize(agents);
}

void KpiHistory::clear() {
    samples.clear();
    intervals.clear();
    disruptions.clear();
    forked_at_s = std::numeric_limits<double>::quiet_NaN();
}

std::size_t KpiHistory::samples_until(double t) const {
    const auto it = std::upper_bound(samples.begin(), samples.end(), t,
                                     [](double v, const KpiPoint& p) { return v < p.time_s; });
    return static_cast<std::size_t>(it - samples.begin());
}

std::size_t KpiHistory::intervals_until(double t) const {
    const auto it = std::upper_bound(intervals.begin(), intervals.end(), t,
                                     [](double v, const IntervalKpi& k) { return v < k.end_s; });
    return static_cast<std::size_t>(it - intervals.begin());
}

std::size_t Snapshot::closed_count() const {
    std::size_t n = 0;
    for (const std::uint64_t w : closed_edges) {
        n += static_cast<std::size_t>(std::popcount(w));
    }
    return n;
}

void SnapshotBuffer::publish() {
    slots_[back_].sequence = published_.load(std::memory_order_relaxed) + 1;
    // release: the consumer that sees the fresh flag sees the slot's contents
    const unsigned old = middle_.exchange(back_ | kFresh, std::memory_order_acq_rel);
    back_ = old & ~kFresh;
    published_.fetch_add(1, std::memory_order_release);
}

bool SnapshotBuffer::acquire() {
    if ((middle_.load(std::memory_order_acquire) & kFresh) == 0) {
        return false;
    }
    const unsigned old = middle_.exchange(front_, std::memory_order_acq_rel);
    front_ = old & ~kFresh;
    return true;
}

}  // namespace swarm::viz
