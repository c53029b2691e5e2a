#pragma once
// The exchange moves messages between partitions at window barriers. Models never see it:
// a later MPI transport replaces LocalExchange without touching them.
#include <cstddef>
#include <vector>

#include "sim/event.hpp"

namespace swarm::sim {

class Exchange {
  public:
    virtual ~Exchange() = default;
    // sets up for `partitions` partitions; drops anything pending
    virtual void configure(std::size_t partitions) = 0;
    // where partition `src` puts messages for `dst` during the current window; only the
    // worker running `src` touches it, so no locking is needed
    virtual std::vector<Event>& outbox(std::size_t src, std::size_t dst) = 0;
    // called once between windows, after every partition finished: what was posted in the
    // window just ended becomes deliverable in the next
    virtual void barrier() = 0;
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
    void barrier() override { parity_ ^= 1U; }
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
