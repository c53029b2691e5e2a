// Barrier work as phases (docs/fleet.md, "Barrier phases"). A phase has two steps:
//
//  - local: runs over contiguous ranges of the shard's vehicles in parallel on the run's
//    executor, reads the shared state only, and writes plain records per range;
//  - apply: reads the records in range order on the calling thread, and is the only step that
//    writes shared state or draws random numbers.
//
// So a phase gives the same results for any thread count and any range size. Across MPI
// ranks every rank runs each phase whole on its replicated world (docs/distributed.md);
// phases split by shard, their records exchanged between ranks, are left. The phases of the fleet:
// the board rebuild (fleet_model_board.cpp), road news (fleet_model_knowledge.cpp), the learning
// round (fleet_model_learning.cpp), the fleet-time book (fleet_model_kpis.cpp) and the
// vehicle scans of disruptions (fleet_model_disruptions.cpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/executor.hpp"

namespace swarm::agents {

// The records of one phase, by range.
template <class Record>
class PhaseRecords {
  public:
    explicit PhaseRecords(std::size_t ranges) : by_range_(ranges) {}

    [[nodiscard]] std::vector<Record>& range(std::size_t r) { return by_range_[r]; }
    [[nodiscard]] std::size_t ranges() const { return by_range_.size(); }
    [[nodiscard]] std::size_t size() const {
        std::size_t n = 0;
        for (const std::vector<Record>& r : by_range_) {
            n += r.size();
        }
        return n;
    }
    // every record, in range order (the order of the serial loop)
    template <class Fn>
    void for_each(Fn&& fn) const {
        for (const std::vector<Record>& r : by_range_) {
            for (const Record& x : r) {
                fn(x);
            }
        }
    }

  private:
    std::vector<std::vector<Record>> by_range_;
};

// Fewer ranges than this run on the calling thread: a phase of a few thousand vehicles takes
// tens of microseconds, about what waking a sleeping thread costs (fleet_bench at 10,000
// vehicles was 6 % slower on two threads with every multi-range phase handed over).
inline constexpr std::size_t kMinParallelRanges = 4;

// fn(range, first, last) for the ranges of `range_size` indices of [0, n): on the executor
// when there are at least kMinParallelRanges ranges, else (or without an executor) on the
// calling thread
template <class Fn>
void for_each_phase_range(sim::Executor* executor, std::size_t n, std::size_t range_size, Fn&& fn) {
    const std::size_t size = std::max<std::size_t>(range_size, 1);
    const std::size_t ranges = (n + size - 1) / size;
    auto body = [&](std::size_t r) { fn(r, r * size, std::min(n, (r + 1) * size)); };
    if (executor != nullptr && ranges >= kMinParallelRanges) {
        executor->for_each(ranges, sim::IndexFn(body));
    } else {
        for (std::size_t r = 0; r < ranges; ++r) {
            body(r);
        }
    }
}

// The local step: local(first, last, records) for each range, records being that range's
// vector; returns them for the apply step.
template <class Record, class Local>
[[nodiscard]] PhaseRecords<Record> run_local(sim::Executor* executor, std::size_t n,
                                             std::size_t range_size, Local&& local) {
    const std::size_t size = std::max<std::size_t>(range_size, 1);
    PhaseRecords<Record> records((n + size - 1) / size);
    for_each_phase_range(executor, n, size,
                         [&](std::size_t r, std::size_t first, std::size_t last) {
                             local(static_cast<std::uint32_t>(first),
                                   static_cast<std::uint32_t>(last), records.range(r));
                         });
    return records;
}

// The indices i of [0, n) for which keep(i) holds, ascending: a local scan whose records are
// the indices, gathered in range order.
template <class Keep>
[[nodiscard]] std::vector<std::uint32_t> select_indices(sim::Executor* executor, std::size_t n,
                                                        std::size_t range_size, Keep&& keep) {
    const PhaseRecords<std::uint32_t> kept = run_local<std::uint32_t>(
        executor, n, range_size,
        [&](std::uint32_t first, std::uint32_t last, std::vector<std::uint32_t>& out) {
            for (std::uint32_t i = first; i < last; ++i) {
                if (keep(i)) {
                    out.push_back(i);
                }
            }
        });
    std::vector<std::uint32_t> all;
    all.reserve(kept.size());
    kept.for_each([&](std::uint32_t i) { all.push_back(i); });
    return all;
}

}  // namespace swarm::agents
