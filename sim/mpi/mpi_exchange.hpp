#pragma once
// The kernel's exchange across MPI processes (ranks). Partitions stay global; rank r runs
// the contiguous range [P*r/R, P*(r+1)/R) of the P partitions, hence a contiguous shard of
// LPs. At each window's barrier one all-to-all of small headers carries, per destination
// rank, the bytes to come and this rank's window summary (next event time, events run,
// stop), so every rank combines the summaries alone and takes the same windows; then the
// outboxes to other ranks' partitions go point to point, only where there is something to
// send (per destination rank: the per-pair counts, then the events, source partition then
// destination partition, posting order). docs/distributed.md.
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "sim/exchange.hpp"

namespace swarm::sim::mpi {

// What crossed ranks and what it cost, on this rank, over the exchange's life.
struct Traffic {
    std::uint64_t events_sent = 0;     // events sent to other ranks
    std::uint64_t bytes_sent = 0;      // bytes of them, counts included
    std::uint64_t collectives = 0;     // MPI collectives called
    std::uint64_t sends = 0;           // point-to-point payloads sent in barrier()
    double exchange_seconds = 0.0;     // in barrier(): packing, headers, payloads, unpacking
    double reduce_seconds = 0.0;       // in sum(): waiting for the slowest rank
    std::uint64_t gathered_bytes = 0;  // bytes this rank sent through all_gather()
    double gather_seconds = 0.0;       // in all_gather(), waiting included
};

class MpiExchange final : public Exchange {
  public:
    // uses a duplicate of `comm`, so that its messages never meet the caller's
    explicit MpiExchange(MPI_Comm comm = MPI_COMM_WORLD);
    ~MpiExchange() override;
    MpiExchange(const MpiExchange&) = delete;
    MpiExchange& operator=(const MpiExchange&) = delete;
    MpiExchange(MpiExchange&&) = delete;
    MpiExchange& operator=(MpiExchange&&) = delete;

    void configure(std::size_t partitions) override;
    std::vector<Event>& outbox(std::size_t src, std::size_t dst) override {
        return boxes_[parity_][src * partitions_ + dst];
    }
    void barrier(WindowSummary& summary) override;
    [[nodiscard]] std::size_t partitions() const override { return partitions_; }
    [[nodiscard]] std::size_t memory_bytes() const override;
    void collect(std::vector<Event>& out) const override;

    [[nodiscard]] int processes() const override { return size_; }
    [[nodiscard]] int process() const override { return rank_; }
    [[nodiscard]] std::pair<std::size_t, std::size_t> local_partitions() const override {
        return range(rank_);
    }
    void sum(std::span<std::uint64_t> values) override;
    void all_gather(std::span<const unsigned char> mine, std::vector<unsigned char>& all,
                    std::vector<std::size_t>& offsets) override;

    [[nodiscard]] int rank() const { return rank_; }
    [[nodiscard]] const Traffic& traffic() const { return traffic_; }
    // the partitions rank r runs
    [[nodiscard]] std::pair<std::size_t, std::size_t> range(int r) const;

  protected:
    std::vector<Event>& delivered(std::size_t src, std::size_t dst) override {
        return boxes_[parity_ ^ 1U][src * partitions_ + dst];
    }

  private:
    MPI_Comm comm_ = MPI_COMM_NULL;
    int rank_ = 0;
    int size_ = 1;
    std::size_t partitions_ = 0;
    unsigned parity_ = 0;
    std::vector<std::vector<Event>> boxes_[2];
    // per destination rank: payload bytes, next event time, events run, stop requested
    static constexpr int kHeader = 4;
    static constexpr int kTag = 19;
    // reused between windows
    std::vector<unsigned char> send_, recv_;
    std::vector<std::int64_t> header_out_, header_in_;
    std::vector<std::uint64_t> counts_;
    std::vector<MPI_Request> requests_;
    Traffic traffic_;
};

}  // namespace swarm::sim::mpi
