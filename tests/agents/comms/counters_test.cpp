#include "agents/comms/counters.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace swarm::comms;

TEST_CASE("counters add up per agent and in total") {
    MessageCounters c(3);
    c.record_send(0, 100);
    c.record_send(0, 50);
    c.record_receive(1, 100);
    c.record_drop(0);
    c.record_send(2, 10);
    c.record_receive(0, 10);
    CHECK(c.messages_sent()[0] == 2);
    CHECK(c.bytes_sent()[0] == 150);
    CHECK(c.messages_received()[1] == 1);
    CHECK(c.bytes_received()[0] == 10);
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
