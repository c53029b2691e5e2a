#include "viz/snapshot.hpp"

#include <doctest/doctest.h>

#include <thread>

using namespace swarm::viz;

TEST_CASE("snapshot buffer hands the newest snapshot to the consumer") {
    SnapshotBuffer b;
    CHECK_FALSE(b.acquire());
    b.back().time_s = 1.0;
    b.publish();
    b.back().time_s = 2.0;
    b.publish();
    REQUIRE(b.acquire());
    CHECK(b.front().time_s == 2.0);  // the older one was overwritten, never waited for
    CHECK(b.front().sequence == 2);
    CHECK_FALSE(b.acquire());
    CHECK(b.front().time_s == 2.0);
    b.back().time_s = 3.0;
    b.publish();
    REQUIRE(b.acquire());
    CHECK(b.front().time_s == 3.0);
    CHECK(b.published() == 3);
}

TEST_CASE("snapshot buffer under concurrent producer and consumer sees whole snapshots") {
    SnapshotBuffer b;
    constexpr int kCount = 20000;
    std::thread producer([&] {
        for (int i = 1; i <= kCount; ++i) {
            Snapshot& s = b.back();
            s.resize(64);
            std::fill(s.load.begin(), s.load.end(), static_cast<float>(i));
            s.time_s = i;
            b.publish();
        }
    });
    double last = 0.0;
    bool torn = false;
    bool monotone = true;
    while (last < kCount) {
        if (b.acquire()) {
            const Snapshot& s = b.front();
            for (const float v : s.load) {
                torn = torn || v != static_cast<float>(s.time_s);
            }
            monotone = monotone && s.time_s > last;
            last = s.time_s;
        }
    }
    producer.join();
    CHECK_FALSE(torn);
    CHECK(monotone);
}

TEST_CASE("snapshot edge mask and kpi history lookups") {
    Snapshot s;
    s.closed_edges = {0b1010, 0, 1};
    CHECK(s.edge_closed(1));
    CHECK_FALSE(s.edge_closed(0));
    CHECK(s.edge_closed(3));
    CHECK(s.edge_closed(128));
    CHECK_FALSE(s.edge_closed(100000));
    CHECK(s.closed_count() == 3);

    KpiHistory h;
    for (int i = 0; i < 5; ++i) {
        KpiPoint p;
        p.time_s = 60.0 * i;
        h.samples.push_back(p);
        h.intervals.push_back({60.0 * (i + 1), 1.0, 0, 0, 0});
    }
    CHECK(h.samples_until(-1.0) == 0);
    CHECK(h.samples_until(0.0) == 1);
    CHECK(h.samples_until(119.0) == 2);
    CHECK(h.samples_until(1e9) == 5);
    CHECK(h.intervals_until(59.0) == 0);
    CHECK(h.intervals_until(60.0) == 1);
    CHECK(h.intervals_until(299.0) == 4);
}
