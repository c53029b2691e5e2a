#include "agents/comms/counters.hpp"

#include <algorithm>

#include "sim/state_archive.hpp"

namespace swarm::comms {

void MessageCounters::resize(std::size_t agents) {
    messages_sent_.resize(agents, 0);
    bytes_sent_.resize(agents, 0);
    messages_received_.resize(agents, 0);
    bytes_received_.resize(agents, 0);
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
static_assert(sizeof(MessageCounters) == 6 * sizeof(std::vector<std::uint64_t>),
              "MessageCounters changed: save and load the new member");

void MessageCounters::save(sim::StateArchive& ar) const {
    ar.put("messages_sent", messages_sent_);
    ar.put("bytes_sent", bytes_sent_);
    ar.put("messages_received", messages_received_);
    ar.put("bytes_received", bytes_received_);
    ar.put("dropped", dropped_);
}

void MessageCounters::load(const sim::StateArchive& ar) {
    const std::size_t n = size();
    ar.get("messages_sent", messages_sent_, n);
    ar.get("bytes_sent", bytes_sent_, n);
    ar.get("messages_received", messages_received_, n);
    ar.get("bytes_received", bytes_received_, n);
    ar.get("dropped", dropped_, n);
    lanes_.assign(lanes_.size(), Lane{});
    MessageTotals& t = lanes_[kSerial].sum;
    for (std::size_t i = 0; i < n; ++i) {
        t += agent(static_cast<AgentIndex>(i));
    }
}

MessageTotals MessageCounters::agent(AgentIndex i) const {
    return {messages_sent_[i], bytes_sent_[i], messages_received_[i], bytes_received_[i],
            dropped_[i]};
}

void MessageCounters::set_agent(AgentIndex i, const MessageTotals& t) {
    MessageTotals& sum = lanes_[kSerial].sum;
    sum -= agent(i);
    sum += t;
    messages_sent_[i] = t.messages_sent;
    bytes_sent_[i] = t.bytes_sent;
    messages_received_[i] = t.messages_received;
    bytes_received_[i] = t.bytes_received;
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
    for (auto* v :
         {&messages_sent_, &bytes_sent_, &messages_received_, &bytes_received_, &dropped_}) {
        std::fill(v->begin(), v->end(), 0);
    }
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
