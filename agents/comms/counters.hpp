// Message accounting: per-agent counters (one record per agent) for KPIs, and a contact log
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
//
// The totals over all agents are kept as messages are counted, in lanes: writers that may run
// at the same time count in different lanes (an event handler in its partition's,
// sim::Context::partition(); a data-parallel loop in its range's), code that runs alone (a
// barrier) in kSerial. A lane is a cache line of its own. Every figure is an integer, so the
// sum over the lanes is the same whichever lane counted what, and equal to the sum over the
// agents: totals() costs the lanes, not the agents.
class MessageCounters {
  public:
    static constexpr std::size_t kSerial = 0;

    explicit MessageCounters(std::size_t agents = 0, std::size_t lanes = 1) {
        resize(agents);
        set_lanes(lanes);
    }
    // keeps existing counts, new agents start at zero
    void resize(std::size_t agents);
    [[nodiscard]] std::size_t size() const { return slots_.size(); }
    // lanes 0 .. lanes - 1 (at least one); keeps the totals
    void set_lanes(std::size_t lanes);
    [[nodiscard]] std::size_t lanes() const { return lanes_.size(); }

    // bytes are wire bytes (LinkModel::wire_bytes)
    void record_send(AgentIndex from, std::uint64_t bytes, std::size_t lane) {
        Slot& a = slots_[from];
        ++a.messages_sent;
        a.bytes_sent += bytes;
        MessageTotals& t = lanes_[lane].sum;
        ++t.messages_sent;
        t.bytes_sent += bytes;
    }
    void record_receive(AgentIndex to, std::uint64_t bytes, std::size_t lane) {
        Slot& a = slots_[to];
        ++a.messages_received;
        a.bytes_received += bytes;
        MessageTotals& t = lanes_[lane].sum;
        ++t.messages_received;
        t.bytes_received += bytes;
    }
    // a message agent `from` sent that never arrived (count it with record_send too)
    void record_drop(AgentIndex from, std::size_t lane) {
        ++dropped_[from];
        ++lanes_[lane].sum.dropped;
    }

    [[nodiscard]] std::span<const std::uint64_t> dropped() const { return dropped_; }

    [[nodiscard]] MessageTotals agent(AgentIndex i) const;
    // overwrites agent i's slot (a copy of the model kept on another process: its owner's);
    // runs alone (the difference goes into lane kSerial)
    void set_agent(AgentIndex i, const MessageTotals& t);
    // the sum over the agents, from the lanes
    [[nodiscard]] MessageTotals totals() const;
    void clear();

    // checkpoints: the five columns under the archive's current scope; load() refuses
    // another number of agents (sim::CheckpointError) and sums the totals afresh
    void save(sim::StateArchive& ar) const;
    void load(const sim::StateArchive& ar);

  private:
    struct alignas(64) Lane {
        MessageTotals sum;
    };

    // an agent's counts as one record: the send and the receive of an event touch one cache
    // line of the agent, not four arrays (issue 20: with a million agents each was a miss);
    // drops are rare and keep an array of their own
    struct alignas(32) Slot {
        std::uint64_t messages_sent = 0;
        std::uint64_t bytes_sent = 0;
        std::uint64_t messages_received = 0;
        std::uint64_t bytes_received = 0;
    };
    std::vector<Slot> slots_;
    std::vector<std::uint64_t> dropped_;
    std::vector<Lane> lanes_;  // derived from the columns: not saved
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
