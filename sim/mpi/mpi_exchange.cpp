#include "sim/mpi/mpi_exchange.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace swarm::sim::mpi {

namespace {

static_assert(std::is_trivially_copyable_v<Event>, "events cross ranks as bytes");

void check(int rc, const char* what) {
    if (rc != MPI_SUCCESS) {
        throw std::runtime_error(std::string("MPI: ") + what + " failed");
    }
}

double since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <class T>
void put(std::vector<unsigned char>& buf, const T* data, std::size_t n) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(data);
    buf.insert(buf.end(), bytes, bytes + n * sizeof(T));
}

}  // namespace

MpiExchange::MpiExchange(MPI_Comm comm) {
    check(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
    check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

MpiExchange::~MpiExchange() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && comm_ != MPI_COMM_NULL) {
        MPI_Comm_free(&comm_);
    }
}

std::pair<std::size_t, std::size_t> MpiExchange::range(int r) const {
    const auto ranks = static_cast<std::size_t>(size_);
    const auto ur = static_cast<std::size_t>(r);
    return {partitions_ * ur / ranks, partitions_ * (ur + 1) / ranks};
}

void MpiExchange::configure(std::size_t partitions) {
    partitions_ = partitions;
    for (auto& side : boxes_) {
        side.assign(partitions * partitions, {});
    }
    parity_ = 0;
}

void MpiExchange::barrier(WindowSummary& summary) {
    const auto start = std::chrono::steady_clock::now();
    const auto [mine_first, mine_last] = range(rank_);
    const auto ranks = static_cast<std::size_t>(size_);
    std::vector<std::size_t> send_at(ranks + 1, 0);
    send_.clear();
    // per destination rank that gets any event: counts of every (my partition, its
    // partition) pair, then the events; nothing at all for the others
    for (int r = 0; r < size_; ++r) {
        const std::size_t begin = send_.size();
        send_at[static_cast<std::size_t>(r)] = begin;
        if (r == rank_) {
            continue;
        }
        const auto [first, last] = range(r);
        counts_.clear();
        std::uint64_t events = 0;
        for (std::size_t p = mine_first; p < mine_last; ++p) {
            for (std::size_t q = first; q < last; ++q) {
                counts_.push_back(boxes_[parity_][p * partitions_ + q].size());
                events += counts_.back();
            }
        }
        if (events == 0) {
            continue;
        }
        put(send_, counts_.data(), counts_.size());
        for (std::size_t p = mine_first; p < mine_last; ++p) {
            for (std::size_t q = first; q < last; ++q) {
                std::vector<Event>& box = boxes_[parity_][p * partitions_ + q];
                put(send_, box.data(), box.size());
                box.clear();
            }
        }
        traffic_.events_sent += events;
        if (send_.size() - begin > static_cast<std::size_t>(INT_MAX)) {
            throw std::runtime_error("MPI exchange: over 2 GiB to send to one rank in a window");
        }
    }
    send_at[ranks] = send_.size();
    traffic_.bytes_sent += send_.size();

    // one all-to-all of headers: the bytes each rank sends each other one, and every rank's
    // window summary, so that each can combine them alone (min, sum and "any" do not depend
    // on the order, so this equals an all-gather of the summaries)
    header_out_.assign(kHeader * ranks, 0);
    for (std::size_t r = 0; r < ranks; ++r) {
        std::int64_t* h = &header_out_[kHeader * r];
        h[0] = static_cast<std::int64_t>(send_at[r + 1] - send_at[r]);
        h[1] = summary.next;
        h[2] = static_cast<std::int64_t>(summary.events);
        h[3] = summary.stop ? 1 : 0;
    }
    header_in_.assign(kHeader * ranks, 0);
    check(MPI_Alltoall(header_out_.data(), kHeader, MPI_INT64_T, header_in_.data(), kHeader,
                       MPI_INT64_T, comm_),
          "MPI_Alltoall");
    ++traffic_.collectives;
    summary = {};
    std::vector<std::size_t> recv_at(ranks + 1, 0);
    for (std::size_t r = 0; r < ranks; ++r) {
        const std::int64_t* h = &header_in_[kHeader * r];
        recv_at[r + 1] = recv_at[r] + static_cast<std::size_t>(h[0]);
        summary.next = std::min<Tick>(summary.next, h[1]);
        summary.events += static_cast<std::uint64_t>(h[2]);
        summary.stop = summary.stop || h[3] != 0;
    }

    // the payloads, point to point, only between ranks that have events for each other
    recv_.resize(recv_at[ranks]);
    requests_.clear();
    for (std::size_t r = 0; r < ranks; ++r) {
        const std::size_t n = recv_at[r + 1] - recv_at[r];
        if (n > 0) {
            requests_.emplace_back();
            check(MPI_Irecv(recv_.data() + recv_at[r], static_cast<int>(n), MPI_BYTE,
                            static_cast<int>(r), kTag, comm_, &requests_.back()),
                  "MPI_Irecv");
        }
    }
    for (std::size_t r = 0; r < ranks; ++r) {
        const std::size_t n = send_at[r + 1] - send_at[r];
        if (n > 0) {
            requests_.emplace_back();
            check(MPI_Isend(send_.data() + send_at[r], static_cast<int>(n), MPI_BYTE,
                            static_cast<int>(r), kTag, comm_, &requests_.back()),
                  "MPI_Isend");
            ++traffic_.sends;
        }
    }
    if (!requests_.empty()) {
        check(
            MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE),
            "MPI_Waitall");
    }

    // into this side's boxes for (their partition, my partition): the flip below delivers
    // them together with the messages posted inside this rank
    for (int r = 0; r < size_; ++r) {
        const auto ur = static_cast<std::size_t>(r);
        if (recv_at[ur + 1] == recv_at[ur]) {
            continue;  // nothing from it (or it is this rank)
        }
        const auto [first, last] = range(r);
        const unsigned char* at = recv_.data() + recv_at[ur];
        const std::size_t pairs = (last - first) * (mine_last - mine_first);
        counts_.resize(pairs);
        std::memcpy(counts_.data(), at, pairs * sizeof(std::uint64_t));
        at += pairs * sizeof(std::uint64_t);
        std::size_t k = 0;
        for (std::size_t p = first; p < last; ++p) {
            for (std::size_t q = mine_first; q < mine_last; ++q, ++k) {
                if (counts_[k] == 0) {
                    continue;  // memcpy into an empty box's null data() is undefined
                }
                std::vector<Event>& box = boxes_[parity_][p * partitions_ + q];
                const std::size_t n = box.size();
                box.resize(n + counts_[k]);
                std::memcpy(static_cast<void*>(box.data() + n), at, counts_[k] * sizeof(Event));
                at += counts_[k] * sizeof(Event);
            }
        }
    }
    parity_ ^= 1U;
    traffic_.exchange_seconds += since(start);
}

void MpiExchange::sum(std::span<std::uint64_t> values) {
    const auto start = std::chrono::steady_clock::now();
    constexpr std::size_t kChunk = 1U << 24;
    for (std::size_t at = 0; at < values.size(); at += kChunk) {
        const std::size_t n = std::min(kChunk, values.size() - at);
        check(MPI_Allreduce(MPI_IN_PLACE, values.data() + at, static_cast<int>(n), MPI_UINT64_T,
                            MPI_SUM, comm_),
              "MPI_Allreduce");
        ++traffic_.collectives;
    }
    traffic_.reduce_seconds += since(start);
}

void MpiExchange::all_gather(std::span<const unsigned char> mine, std::vector<unsigned char>& all,
                             std::vector<std::size_t>& offsets) {
    const auto start = std::chrono::steady_clock::now();
    if (mine.size() > static_cast<std::size_t>(INT_MAX)) {
        throw std::runtime_error("MPI all_gather: over 2 GiB from one rank");
    }
    const int length = static_cast<int>(mine.size());
    const auto ranks = static_cast<std::size_t>(size_);
    std::vector<int> lengths(ranks, 0);
    check(MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, comm_), "MPI_Allgather");
    std::vector<int> at(ranks, 0);
    offsets.assign(ranks + 1, 0);
    for (std::size_t r = 0; r < ranks; ++r) {
        offsets[r + 1] = offsets[r] + static_cast<std::size_t>(lengths[r]);
        if (offsets[r] > static_cast<std::size_t>(INT_MAX)) {
            throw std::runtime_error("MPI all_gather: over 2 GiB in all");
        }
        at[r] = static_cast<int>(offsets[r]);
    }
    all.resize(offsets[ranks]);
    check(MPI_Allgatherv(mine.data(), length, MPI_UNSIGNED_CHAR, all.data(), lengths.data(),
                         at.data(), MPI_UNSIGNED_CHAR, comm_),
          "MPI_Allgatherv");
    traffic_.collectives += 2;
    traffic_.gathered_bytes += mine.size();
    traffic_.gather_seconds += since(start);
}

std::size_t MpiExchange::memory_bytes() const {
    std::size_t bytes = send_.capacity() + recv_.capacity();
    for (const auto& side : boxes_) {
        for (const auto& box : side) {
            bytes += box.capacity() * sizeof(Event);
        }
    }
    return bytes;
}

void MpiExchange::collect(std::vector<Event>& out) const {
    for (const auto& side : boxes_) {
        for (const auto& box : side) {
            out.insert(out.end(), box.begin(), box.end());
        }
    }
}

}  // namespace swarm::sim::mpi
