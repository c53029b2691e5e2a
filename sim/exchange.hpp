#pragma once
// The exchange moves messages between partitions at window barriers. Models never see it:
// LocalExchange keeps them in shared memory, sim/mpi/ sends them between processes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "sim/event.hpp"

namespace swarm::sim {

// What every process must agree on after a window, so that all take the same next one.
struct WindowSummary {
    Tick next = kTickNever;    // earliest pending event: min over processes
    std::uint64_t events = 0;  // events run in the window: sum over processes
    bool stop = false;         // a stop was requested: any process
};

class Exchange {
  public:
    virtual ~Exchange() = default;
    // sets up for `partitions` partitions; drops anything pending
    virtual void configure(std::size_t partitions) = 0;
    // where partition `src` puts messages for `dst` during the current window; only the
    // worker running `src` touches it, so no locking is needed
    virtual std::vector<Event>& outbox(std::size_t src, std::size_t dst) = 0;
    // called once between windows, after every partition finished: what was posted in the
    // window just ended becomes deliverable in the next, and `summary` (this process's on
    // entry) becomes every process's combined one. Across processes both travel together,
    // so a window costs one collective (sim/mpi/).
    virtual void barrier(WindowSummary& summary) = 0;
    // hands partition `dst` everything posted to it before the last barrier, in a fixed
    // order (source partition, then posting order); called by the worker running `dst`
    template <class Sink>
    void drain(std::size_t dst, Sink&& sink) {
        for (std::size_t src = 0; src < partitions(); ++src) {
            std::vector<Event>& box = delivered(src, dst);
            for (const Event& e : box) {
                sink(e);
            }
            box.clear();
        }
    }
    [[nodiscard]] virtual std::size_t partitions() const = 0;
    [[nodiscard]] virtual std::size_t memory_bytes() const = 0;
    // between windows: appends what is deliverable and not yet drained (checkpoints)
    virtual void collect(std::vector<Event>& out) const = 0;

    // Hooks for an exchange across processes; in one process they change nothing.
    // processes running the partitions between them (1: this process runs all)
    [[nodiscard]] virtual int processes() const { return 1; }
    // this process's index among them
    [[nodiscard]] virtual int process() const { return 0; }
    // the contiguous range [first, second) of partitions this process runs
    [[nodiscard]] virtual std::pair<std::size_t, std::size_t> local_partitions() const {
        return {0, partitions()};
    }
    // element-wise sum over processes, in place (a collective)
    virtual void sum(std::span<std::uint64_t> /*values*/) {}
    // every process's bytes, in process order, to every process: `all` gets them one after
    // another, `offsets` (processes + 1 of them) where each begins (a collective; models that
    // replicate state between processes send their records with it)
    virtual void all_gather(std::span<const unsigned char> mine, std::vector<unsigned char>& all,
                            std::vector<std::size_t>& offsets) {
        all.assign(mine.begin(), mine.end());
        offsets = {0, all.size()};
    }

  protected:
    virtual std::vector<Event>& delivered(std::size_t src, std::size_t dst) = 0;
};

// Shared-memory exchange: double-buffered outboxes, one per (source, destination) pair.
// Posting writes buffer `parity_`, draining reads the other; barrier() flips them.
class LocalExchange final : public Exchange {
  public:
    void configure(std::size_t partitions) override {
        partitions_ = partitions;
        for (auto& side : boxes_) {
            side.assign(partitions * partitions, {});
        }
        parity_ = 0;
    }
    std::vector<Event>& outbox(std::size_t src, std::size_t dst) override {
        return boxes_[parity_][src * partitions_ + dst];
    }
    void barrier(WindowSummary& /*summary*/) override { parity_ ^= 1U; }
    [[nodiscard]] std::size_t partitions() const override { return partitions_; }
    [[nodiscard]] std::size_t memory_bytes() const override {
        std::size_t bytes = 0;
        for (const auto& side : boxes_) {
            for (const auto& box : side) {
                bytes += box.capacity() * sizeof(Event);
            }
        }
        return bytes;
    }

    void collect(std::vector<Event>& out) const override {
        for (const auto& side : boxes_) {
            for (const auto& box : side) {
                out.insert(out.end(), box.begin(), box.end());
            }
        }
    }

  protected:
    std::vector<Event>& delivered(std::size_t src, std::size_t dst) override {
        return boxes_[parity_ ^ 1U][src * partitions_ + dst];
    }

  private:
    std::size_t partitions_ = 0;
    unsigned parity_ = 0;
    std::vector<std::vector<Event>> boxes_[2];
};

}  // namespace swarm::sim
