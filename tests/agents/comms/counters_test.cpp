#include "agents/comms/counters.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "sim/state_archive.hpp"

using namespace swarm::comms;

namespace {

// the sum over the agents' slots, as totals() must give it
MessageTotals column_sums(const MessageCounters& c) {
    MessageTotals t;
    for (std::size_t i = 0; i < c.size(); ++i) {
        const MessageTotals a = c.agent(static_cast<AgentIndex>(i));
        t.messages_sent += a.messages_sent;
        t.bytes_sent += a.bytes_sent;
        t.messages_received += a.messages_received;
        t.bytes_received += a.bytes_received;
        t.dropped += c.dropped()[i];
    }
    return t;
}

bool same(const MessageTotals& a, const MessageTotals& b) {
    return a.messages_sent == b.messages_sent && a.bytes_sent == b.bytes_sent &&
           a.messages_received == b.messages_received && a.bytes_received == b.bytes_received &&
           a.dropped == b.dropped;
}

}  // namespace

TEST_CASE("counters add up per agent and in total") {
    MessageCounters c(3);
    const std::size_t s = MessageCounters::kSerial;
    c.record_send(0, 100, s);
    c.record_send(0, 50, s);
    c.record_receive(1, 100, s);
    c.record_drop(0, s);
    c.record_send(2, 10, s);
    c.record_receive(0, 10, s);
    CHECK(c.agent(0).messages_sent == 2);
    CHECK(c.agent(0).bytes_sent == 150);
    CHECK(c.agent(1).messages_received == 1);
    CHECK(c.agent(0).bytes_received == 10);
    CHECK(c.dropped()[0] == 1);
    const MessageTotals a = c.agent(0);
    CHECK(a.messages_sent == 2);
    CHECK(a.messages_received == 1);
    const MessageTotals t = c.totals();
    CHECK(t.messages_sent == 3);
    CHECK(t.bytes_sent == 160);
    CHECK(t.messages_received == 2);
    CHECK(t.bytes_received == 110);
    CHECK(t.dropped == 1);
    c.resize(5);
    CHECK(c.size() == 5);
    CHECK(c.totals().bytes_sent == 160);
    c.clear();
    CHECK(c.size() == 5);
    CHECK(c.totals().messages_sent == 0);
}

TEST_CASE("the running totals equal the sums over the agents whichever lane counted") {
    MessageCounters one(4);
    MessageCounters four(4, 4);
    CHECK(one.lanes() == 1);
    CHECK(four.lanes() == 4);
    for (std::uint32_t k = 0; k < 40; ++k) {
        const AgentIndex from = k % 4;
        const AgentIndex to = (k * 7 + 1) % 4;
        const std::uint64_t bytes = 10 + k;
        one.record_send(from, bytes, MessageCounters::kSerial);
        four.record_send(from, bytes, k % 4);
        one.record_receive(to, bytes, MessageCounters::kSerial);
        four.record_receive(to, bytes, (k / 3) % 4);
        if (k % 5 == 0) {
            one.record_drop(from, MessageCounters::kSerial);
            four.record_drop(from, (k + 1) % 4);
        }
    }
    CHECK(same(one.totals(), column_sums(one)));
    CHECK(same(four.totals(), column_sums(four)));
    CHECK(same(one.totals(), four.totals()));

    // an agent's slot overwritten (a replica's copy) moves the totals by the difference
    four.set_agent(2, {1, 2, 3, 4, 5});
    CHECK(same(four.totals(), column_sums(four)));
    four.set_agent(2, {});
    CHECK(same(four.totals(), column_sums(four)));

    // new lanes keep the totals; so do new agents
    four.set_lanes(2);
    CHECK(four.lanes() == 2);
    four.resize(6);
    four.record_send(5, 7, 1);
    CHECK(same(four.totals(), column_sums(four)));
    four.set_lanes(0);  // at least one
    CHECK(four.lanes() == 1);
    CHECK(same(four.totals(), column_sums(four)));

    // a load sums the totals afresh from the columns it reads
    swarm::sim::StateArchive ar;
    four.save(ar);
    MessageCounters loaded(6, 3);
    loaded.record_send(1, 1000, 2);  // overwritten by the load
    loaded.load(ar);
    CHECK(same(loaded.totals(), column_sums(four)));
    CHECK(loaded.lanes() == 3);
}

TEST_CASE("the contact log aggregates pairs in order independent of record order") {
    ContactLog a;
    a.record(2, 1, 10);
    a.record(0, 1, 5);
    a.record(2, 1, 20);
    ContactLog b;
    b.record(0, 1, 7);
    b.record(1, 0, 3);
    a.merge(b);
    CHECK(a.pending() == 5);
    const std::vector<Contact> sample = a.take_sample();
    const std::vector<Contact> expected = {{0, 1, 2, 12}, {1, 0, 1, 3}, {2, 1, 2, 30}};
    CHECK(sample == expected);
    CHECK(a.pending() == 0);
    CHECK(a.take_sample().empty());

    // the reverse record order gives the same sample
    ContactLog r;
    r.record(1, 0, 3);
    r.record(0, 1, 7);
    r.record(2, 1, 20);
    r.record(0, 1, 5);
    r.record(2, 1, 10);
    CHECK(r.take_sample() == expected);
}
