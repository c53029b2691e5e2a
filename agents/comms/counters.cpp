#include "agents/comms/counters.hpp"

#include <algorithm>

#include "sim/state_archive.hpp"

namespace swarm::comms {

void MessageCounters::resize(std::size_t agents) {
    slots_.resize(agents);
    dropped_.resize(agents, 0);
}

namespace {

MessageTotals& operator+=(MessageTotals& a, const MessageTotals& b) {
    a.messages_sent += b.messages_sent;
    a.bytes_sent += b.bytes_sent;
    a.messages_received += b.messages_received;
    a.bytes_received += b.bytes_received;
    a.dropped += b.dropped;
    return a;
}

MessageTotals& operator-=(MessageTotals& a, const MessageTotals& b) {
    a.messages_sent -= b.messages_sent;
    a.bytes_sent -= b.bytes_sent;
    a.messages_received -= b.messages_received;
    a.bytes_received -= b.bytes_received;
    a.dropped -= b.dropped;
    return a;
}

}  // namespace

void MessageCounters::set_lanes(std::size_t lanes) {
    const MessageTotals t = totals();
    lanes_.assign(std::max<std::size_t>(lanes, 1), Lane{});
    lanes_[kSerial].sum = t;
}

// a new member is state to save: add it below, then its size here (the lanes are derived)
static_assert(sizeof(MessageCounters) == 3 * sizeof(std::vector<std::uint64_t>),
              "MessageCounters changed: save and load the new member");

void MessageCounters::save(sim::StateArchive& ar) const {
    // field-wise, as the five arrays the counters were before their records (session 24)
    ar.put_field("messages_sent", slots_, &Slot::messages_sent);
    ar.put_field("bytes_sent", slots_, &Slot::bytes_sent);
    ar.put_field("messages_received", slots_, &Slot::messages_received);
    ar.put_field("bytes_received", slots_, &Slot::bytes_received);
    ar.put("dropped", dropped_);
}

void MessageCounters::load(const sim::StateArchive& ar) {
    const std::size_t n = size();
    ar.get_field("messages_sent", slots_, &Slot::messages_sent);
    ar.get_field("bytes_sent", slots_, &Slot::bytes_sent);
    ar.get_field("messages_received", slots_, &Slot::messages_received);
    ar.get_field("bytes_received", slots_, &Slot::bytes_received);
    ar.get("dropped", dropped_, n);
    lanes_.assign(lanes_.size(), Lane{});
    MessageTotals& t = lanes_[kSerial].sum;
    for (std::size_t i = 0; i < n; ++i) {
        t += agent(static_cast<AgentIndex>(i));
    }
}

MessageTotals MessageCounters::agent(AgentIndex i) const {
    const Slot& a = slots_[i];
    return {a.messages_sent, a.bytes_sent, a.messages_received, a.bytes_received, dropped_[i]};
}

void MessageCounters::set_agent(AgentIndex i, const MessageTotals& t) {
    MessageTotals& sum = lanes_[kSerial].sum;
    sum -= agent(i);
    sum += t;
    slots_[i] = {t.messages_sent, t.bytes_sent, t.messages_received, t.bytes_received};
    dropped_[i] = t.dropped;
}

MessageTotals MessageCounters::totals() const {
    MessageTotals t;
    for (const Lane& lane : lanes_) {
        t += lane.sum;
    }
    return t;
}

void MessageCounters::clear() {
    std::fill(slots_.begin(), slots_.end(), Slot{});
    std::fill(dropped_.begin(), dropped_.end(), 0);
    lanes_.assign(lanes_.size(), Lane{});
}

void ContactLog::merge(const ContactLog& other) {
    pending_.insert(pending_.end(), other.pending_.begin(), other.pending_.end());
}

std::vector<Contact> ContactLog::take_sample() {
    std::sort(pending_.begin(), pending_.end(), [](const Contact& a, const Contact& b) {
        return a.from != b.from ? a.from < b.from : a.to < b.to;
    });
    std::vector<Contact> sample;
    for (const Contact& c : pending_) {
        if (!sample.empty() && sample.back().from == c.from && sample.back().to == c.to) {
            sample.back().messages += c.messages;
            sample.back().bytes += c.bytes;
        } else {
            sample.push_back(c);
        }
    }
    pending_.clear();
    return sample;
}

}  // namespace swarm::comms
