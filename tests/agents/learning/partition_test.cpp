#include "agents/learning/partition.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

using namespace swarm;
using namespace swarm::learning;

namespace {

std::size_t total(const Partition& p) {
    std::size_t n = 0;
    for (const auto& a : p) {
        n += a.size();
    }
    return n;
}

bool disjoint(const Partition& p) {
    std::set<std::uint32_t> seen;
    for (const auto& a : p) {
        for (auto i : a) {
            if (!seen.insert(i).second) {
                return false;
            }
        }
    }
    return true;
}

std::size_t labels_of(const Dataset& d, const std::vector<std::uint32_t>& idx) {
    std::set<std::uint32_t> s;
    for (auto i : idx) {
        s.insert(d.labels[i]);
    }
    return s.size();
}

}  // namespace

TEST_CASE("iid deals equal disjoint shares of every sample") {
    const Dataset d = make_blobs(1003, 2, 10, 1.0, 1);
    const auto p = make_partition(d, 10, {}, 5);
    CHECK(total(p) == 1003);
    CHECK(disjoint(p));
    for (const auto& a : p) {
        CHECK(a.size() >= 100);
        CHECK(a.size() <= 101);
        CHECK(labels_of(d, a) == 10);
    }
    CHECK(make_partition(d, 10, {}, 5) == p);
    CHECK(make_partition(d, 10, {}, 6) != p);
}

TEST_CASE("dirichlet with small beta skews labels and large beta does not") {
    const Dataset d = make_blobs(5000, 2, 10, 1.0, 1);
    PartitionSpec skew{PartitionKind::kDirichlet, 0.1, 2, 1.5};
    PartitionSpec flat{PartitionKind::kDirichlet, 100.0, 2, 1.5};
    const auto a = make_partition(d, 20, skew, 3);
    const auto b = make_partition(d, 20, flat, 3);
    CHECK(total(a) == 5000);
    CHECK(disjoint(a));
    double la = 0.0;
    double lb = 0.0;
    for (std::size_t i = 0; i < 20; ++i) {
        la += double(labels_of(d, a[i]));
        lb += double(labels_of(d, b[i]));
    }
    CHECK(la / 20 < 6.0);
    CHECK(lb / 20 > 9.5);
}

TEST_CASE("shards give each agent at most k labels") {
    const Dataset d = make_blobs(2000, 2, 10, 1.0, 1);
    const auto p = make_partition(d, 50, {PartitionKind::kShards, 0.5, 2, 1.5}, 4);
    CHECK(total(p) == 2000);
    CHECK(disjoint(p));
    for (const auto& a : p) {
        CHECK(a.size() == 40);
        CHECK(labels_of(d, a) <= 2);
    }
}

TEST_CASE("power law sizes are heavy tailed and everyone has data") {
    const Dataset d = make_blobs(10000, 2, 10, 1.0, 1);
    const auto p = make_partition(d, 100, {PartitionKind::kPowerLaw, 0.5, 2, 1.2}, 4);
    CHECK(total(p) == 10000);
    CHECK(disjoint(p));
    std::vector<std::size_t> sizes;
    for (const auto& a : p) {
        CHECK(!a.empty());
        sizes.push_back(a.size());
    }
    std::sort(sizes.rbegin(), sizes.rend());
    std::size_t top = 0;
    for (int i = 0; i < 10; ++i) {
        top += sizes[std::size_t(i)];
    }
    CHECK(top > 3000);  // the top 10% of agents hold far more than 10% of the data
}

TEST_CASE("gamma draws have the right mean") {
    sim::RandomStream rng(1, 2);
    for (double shape : {0.3, 1.0, 4.5}) {
        double s = 0.0;
        for (int i = 0; i < 20000; ++i) {
            s += gamma_draw(shape, rng);
        }
        CHECK(s / 20000 == doctest::Approx(shape).epsilon(0.05));
    }
}
