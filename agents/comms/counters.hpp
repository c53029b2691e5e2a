// Message accounting: per-agent counters (structs of arrays) for KPIs, and a contact log
// of who talked to whom between two trace samples (the trace's connectivity group).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "agents/comms/agent_graph.hpp"

namespace swarm::sim {
class StateArchive;
}

namespace swarm::comms {

struct MessageTotals {
    std::uint64_t messages_sent = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t messages_received = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t dropped = 0;  // sent but lost (loss draw, blackout, cloud down)
};

// Slot i is written only on behalf of agent i (sends by its LP, receives when its LP takes
// delivery), so LPs running in parallel in one window never write the same slot.
class MessageCounters {
  public:
    explicit MessageCounters(std::size_t agents = 0) { resize(agents); }
    // keeps existing counts, new agents start at zero
    void resize(std::size_t agents);
    [[nodiscard]] std::size_t size() const { return messages_sent_.size(); }

    // bytes are wire bytes (LinkModel::wire_bytes)
    void record_send(AgentIndex from, std::uint64_t bytes) {
        ++messages_sent_[from];
        bytes_sent_[from] += bytes;
    }
    void record_receive(AgentIndex to, std::uint64_t bytes) {
        ++messages_received_[to];
        bytes_received_[to] += bytes;
    }
    // a message agent `from` sent that never arrived (count it with record_send too)
    void record_drop(AgentIndex from) { ++dropped_[from]; }

    [[nodiscard]] std::span<const std::uint64_t> messages_sent() const { return messages_sent_; }
    [[nodiscard]] std::span<const std::uint64_t> bytes_sent() const { return bytes_sent_; }
    [[nodiscard]] std::span<const std::uint64_t> messages_received() const {
        return messages_received_;
    }
    [[nodiscard]] std::span<const std::uint64_t> bytes_received() const { return bytes_received_; }
    [[nodiscard]] std::span<const std::uint64_t> dropped() const { return dropped_; }

    [[nodiscard]] MessageTotals agent(AgentIndex i) const;
    // overwrites agent i's slot (a copy of the model kept on another process: its owner's)
    void set_agent(AgentIndex i, const MessageTotals& t) {
        messages_sent_[i] = t.messages_sent;
        bytes_sent_[i] = t.bytes_sent;
        messages_received_[i] = t.messages_received;
        bytes_received_[i] = t.bytes_received;
        dropped_[i] = t.dropped;
    }
    [[nodiscard]] MessageTotals totals() const;
    void clear();

    // checkpoints: the five columns under the archive's current scope; load() refuses
    // another number of agents (sim::CheckpointError)
    void save(sim::StateArchive& ar) const;
    void load(const sim::StateArchive& ar);

  private:
    std::vector<std::uint64_t> messages_sent_;
    std::vector<std::uint64_t> bytes_sent_;
    std::vector<std::uint64_t> messages_received_;
    std::vector<std::uint64_t> bytes_received_;
    std::vector<std::uint64_t> dropped_;
};

// One (sender, receiver) pair's traffic over a sample interval.
struct Contact {
    AgentIndex from = 0;
    AgentIndex to = 0;
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
    friend bool operator==(const Contact&, const Contact&) = default;
};

// Collects deliveries between two samples. Not thread-safe: record at the barrier merge
// (where cross-LP messages are already in a deterministic order) or keep one log per
// thread and merge() them; take_sample() is independent of the order of records.
class ContactLog {
  public:
    void record(AgentIndex from, AgentIndex to, std::uint64_t bytes) {
        pending_.push_back({from, to, 1, bytes});
    }
    void merge(const ContactLog& other);
    [[nodiscard]] std::size_t pending() const { return pending_.size(); }

    // the traffic since the last sample, one row per pair sorted by (from, to); clears
    std::vector<Contact> take_sample();

  private:
    std::vector<Contact> pending_;
};

}  // namespace swarm::comms
