#include "sim/event_queue.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

using swarm::sim::Event;
using swarm::sim::event_before;
using swarm::sim::EventQueue;

namespace {
Event make(swarm::sim::Tick t, std::uint8_t prio, swarm::sim::LpId src, std::uint64_t seq) {
    Event e;
    e.time = t;
    e.priority = prio;
    e.src = src;
    e.seq = seq;
    e.dst = src % 7;
    return e;
}
}  // namespace

TEST_CASE("queue pops in total order: time, priority, source, sequence") {
    EventQueue q;
    q.push(make(10, 0, 2, 5));
    q.push(make(10, 0, 1, 9));
    q.push(make(10, 1, 0, 0));
    q.push(make(5, 9, 9, 9));
    q.push(make(10, 0, 1, 3));
    std::vector<Event> out;
    Event e;
    while (!q.empty()) {
        REQUIRE(q.pop(e));
        out.push_back(e);
    }
    REQUIRE(out.size() == 5);
    CHECK(out[0].time == 5);
    CHECK((out[1].src == 1 && out[1].seq == 3));
    CHECK((out[2].src == 1 && out[2].seq == 9));
    CHECK(out[3].src == 2);
    CHECK(out[4].priority == 1);
}

TEST_CASE("queue matches a sorted reference on many random events") {
    std::mt19937_64 gen(7);
    EventQueue q;
    std::vector<Event> reference;
    std::uint64_t seq = 0;
    // interleave pushes and pops, as a simulation does
    std::vector<Event> popped;
    for (int round = 0; round < 200; ++round) {
        for (int i = 0; i < 50; ++i) {
            const Event e = make(static_cast<swarm::sim::Tick>(gen() % 100),
                                 static_cast<std::uint8_t>(gen() % 3),
                                 static_cast<swarm::sim::LpId>(gen() % 5), seq++);
            q.push(e);
            reference.push_back(e);
        }
        for (int i = 0; i < 30; ++i) {
            Event e;
            REQUIRE(q.pop(e));
            popped.push_back(e);
        }
    }
    Event e;
    while (!q.empty()) {
        REQUIRE(q.pop(e));
        popped.push_back(e);
    }
    REQUIRE(popped.size() == reference.size());
    // every pop is the minimum of what was pending at the time: check per round
    // through a replay with std::multiset semantics
    std::vector<Event> pending;
    std::size_t next_push = 0;
    std::size_t next_pop = 0;
    for (int round = 0; round < 200; ++round) {
        for (int i = 0; i < 50; ++i) {
            pending.push_back(reference[next_push++]);
        }
        for (int i = 0; i < 30; ++i) {
            auto it = std::min_element(pending.begin(), pending.end(), event_before);
            CHECK((it->src == popped[next_pop].src && it->seq == popped[next_pop].seq));
            pending.erase(it);
            ++next_pop;
        }
    }
    std::sort(pending.begin(), pending.end(), event_before);
    for (const Event& p : pending) {
        CHECK(p.seq == popped[next_pop++].seq);
    }
}

TEST_CASE("cancel hides an event and stale handles are refused") {
    EventQueue q;
    const auto h1 = q.push(make(1, 0, 0, 0));
    const auto h2 = q.push(make(2, 0, 0, 1));
    CHECK(q.cancel(h1));
    CHECK_FALSE(q.cancel(h1));  // twice
    Event e;
    CHECK_FALSE(q.pop(e));  // the cancelled one is skipped, reported as not live
    REQUIRE(q.pop(e));
    CHECK(e.seq == 1);
    CHECK_FALSE(q.cancel(h2));  // already ran
    // the slot is reused: the old handle must not cancel the new occupant
    const auto h3 = q.push(make(3, 0, 0, 2));
    CHECK(h3.slot == h2.slot);
    CHECK_FALSE(q.cancel(h2));
    CHECK(q.cancel(h3));
    CHECK_FALSE(q.cancel(swarm::sim::EventHandle{}));
}

TEST_CASE("queue storage is reused after warm-up") {
    EventQueue q;
    for (int i = 0; i < 1000; ++i) {
        q.push(make(i, 0, 0, static_cast<std::uint64_t>(i)));
    }
    Event e;
    auto churn = [&] {
        q.pop(e);
        e.time += 1000;
        q.push(e);
    };
    churn();  // the free list takes its first slot
    const std::size_t bytes = q.memory_bytes();
    for (int round = 0; round < 10'000; ++round) {
        churn();
    }
    CHECK(q.memory_bytes() == bytes);
}
