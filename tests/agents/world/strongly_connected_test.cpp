#include "agents/world/strongly_connected.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <boost/graph/strong_components.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

using namespace swarm::world;

namespace {

// boost's answer, to compare against our iterative Tarjan
std::size_t boost_component_count(const RoadNetwork& net) {
    std::vector<std::size_t> comp(net.node_count());
    return static_cast<std::size_t>(boost::strong_components(
        net.graph(), boost::make_iterator_property_map(
                         comp.begin(), boost::get(boost::vertex_index, net.graph()))));
}

}  // namespace

TEST_CASE("largest scc of a cycle with tails") {
    // cycle 0 -> 1 -> 2 -> 0, tail 3 -> 0 (source only), 2 -> 4 (sink only), isolated 5
    RoadNetwork::Builder b;
    for (int i = 0; i < 6; ++i) {
        b.add_node({static_cast<double>(i), 0.0}, static_cast<std::uint64_t>(10 + i));
    }
    b.add_edge(0, 1, 1, 1, RoadClass::kOther, "a");
    b.add_edge(1, 2, 1, 1, RoadClass::kOther);
    b.add_edge(2, 0, 1, 1, RoadClass::kOther, "b");
    b.add_edge(3, 0, 1, 1, RoadClass::kOther);
    b.add_edge(2, 4, 1, 1, RoadClass::kOther);
    const RoadNetwork net = std::move(b).build();

    const Components scc = strong_components(net);
    CHECK(scc.count == 4);
    CHECK(scc.count == boost_component_count(net));
    CHECK(scc.component[0] == scc.component[1]);
    CHECK(scc.component[1] == scc.component[2]);
    CHECK_FALSE(is_strongly_connected(net));

    SccReport report;
    const RoadNetwork big = keep_largest_scc(net, &report);
    CHECK(report.nodes_kept == 3);
    CHECK(report.nodes_dropped == 3);
    CHECK(report.edges_kept == 3);
    CHECK(report.edges_dropped == 2);
    CHECK(big.node_count() == 3);
    CHECK(big.edge_count() == 3);
    CHECK(is_strongly_connected(big));
    // external ids and names survive the renumbering
    CHECK(big.find_external(12).has_value());
    CHECK_FALSE(big.find_external(13).has_value());
    CHECK(big.name(big.name_id(big.find_edge(*big.find_external(12), *big.find_external(10)))) ==
          "b");
}

TEST_CASE("long path: no recursion depth problem") {
    // a 200,000-node ring: recursive DFS would overflow the stack under ASan
    constexpr NodeId kN = 200000;
    RoadNetwork::Builder b;
    for (NodeId i = 0; i < kN; ++i) {
        b.add_node({static_cast<double>(i), 0.0}, i);
    }
    for (NodeId i = 0; i < kN; ++i) {
        b.add_edge(i, (i + 1) % kN, 1, 1, RoadClass::kOther);
    }
    RoadNetwork ring = std::move(b).build();
    CHECK(is_strongly_connected(ring));
    SccReport report;
    const RoadNetwork same = keep_largest_scc(std::move(ring), &report);
    CHECK(same.node_count() == kN);
    CHECK(report.nodes_dropped == 0);
    CHECK(report.edges_kept == kN);
}

TEST_CASE("empty and single-node networks") {
    const RoadNetwork empty = RoadNetwork::Builder{}.build();
    SccReport report;
    CHECK(keep_largest_scc(empty, &report).node_count() == 0);
    CHECK(report.nodes_kept == 0);
    RoadNetwork::Builder b;
    b.add_node({0, 0}, 1);
    const RoadNetwork one = std::move(b).build();
    CHECK(is_strongly_connected(one));
    CHECK(keep_largest_scc(one).node_count() == 1);
}

TEST_CASE("equal-sized components: the one with the lowest node wins") {
    RoadNetwork::Builder b;
    for (int i = 0; i < 4; ++i) {
        b.add_node({0.0, static_cast<double>(i)}, static_cast<std::uint64_t>(i));
    }
    b.add_edge(2, 3, 1, 1, RoadClass::kOther);
    b.add_edge(3, 2, 1, 1, RoadClass::kOther);
    b.add_edge(0, 1, 1, 1, RoadClass::kOther);
    b.add_edge(1, 0, 1, 1, RoadClass::kOther);
    const RoadNetwork net = keep_largest_scc(std::move(b).build());
    CHECK(net.node_count() == 2);
    CHECK(net.find_external(0).has_value());
}

namespace {

// every node's reachable set over the open edges, by a search from each
std::vector<std::vector<char>> reach_matrix(const RoadNetwork& net, const EdgeMask& closed) {
    const std::size_t n = net.node_count();
    std::vector<std::vector<char>> reach(n, std::vector<char>(n, 0));
    for (NodeId s = 0; s < n; ++s) {
        std::vector<NodeId> todo{s};
        reach[s][s] = 1;
        while (!todo.empty()) {
            const NodeId v = todo.back();
            todo.pop_back();
            for (const EdgeId e : net.out_edges(v)) {
                const NodeId w = net.target(e);
                if (!closed.test(e) && reach[s][w] == 0) {
                    reach[s][w] = 1;
                    todo.push_back(w);
                }
            }
        }
    }
    return reach;
}

}  // namespace

TEST_CASE("open reach: never says no to a reachable node, exact from the largest component") {
    std::size_t exact_sources = 0;
    std::size_t unreachable_answered = 0;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        // a sparse random network with some edges closed: several components of every size
        std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL;
        auto next = [&x](std::uint64_t bound) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            return static_cast<std::uint32_t>(x % bound);
        };
        constexpr std::uint32_t kN = 40;
        RoadNetwork::Builder b;
        for (std::uint32_t i = 0; i < kN; ++i) {
            b.add_node({static_cast<double>(i), 0.0}, i);
        }
        for (int i = 0; i < 90; ++i) {
            const NodeId u = next(kN);
            const NodeId v = next(kN);
            if (u != v) {
                b.add_edge(u, v, 1, 1, RoadClass::kOther);
            }
        }
        const RoadNetwork net = std::move(b).build();
        EdgeMask closed(net.edge_count());
        for (EdgeId e = 0; e < net.edge_count(); ++e) {
            closed.set(e, next(5) == 0);
        }
        // the same components as boost's on the network without the closed edges
        RoadNetwork::Builder open_b;
        for (std::uint32_t i = 0; i < kN; ++i) {
            open_b.add_node({static_cast<double>(i), 0.0}, i);
        }
        for (EdgeId e = 0; e < net.edge_count(); ++e) {
            if (!closed.test(e)) {
                open_b.add_edge(net.source(e), net.target(e), 1, 1, RoadClass::kOther);
            }
        }
        const RoadNetwork open = std::move(open_b).build();
        CHECK(strong_components(net, &closed).count == boost_component_count(open));

        const auto reach = reach_matrix(net, closed);
        const OpenReach open_reach(net, &closed);
        // the largest strongly connected component, when there is only one of that size
        std::vector<std::size_t> scc_size(kN, 0);
        for (NodeId v = 0; v < kN; ++v) {
            for (NodeId w = 0; w < kN; ++w) {
                scc_size[v] += reach[v][w] != 0 && reach[w][v] != 0 ? 1u : 0u;
            }
        }
        const std::size_t largest = *std::max_element(scc_size.begin(), scc_size.end());
        const NodeId first = static_cast<NodeId>(
            std::find(scc_size.begin(), scc_size.end(), largest) - scc_size.begin());
        // each node of a component counts its size: one such component, `largest` nodes
        const bool unique = std::count(scc_size.begin(), scc_size.end(), largest) ==
                            static_cast<std::ptrdiff_t>(largest);
        for (NodeId from = 0; from < kN; ++from) {
            const bool in_largest = unique && reach[first][from] != 0 && reach[from][first] != 0;
            exact_sources += in_largest ? 1 : 0;
            for (NodeId to = 0; to < kN; ++to) {
                const bool may = open_reach.may_reach(from, to);
                if (reach[from][to] != 0) {
                    CHECK(may);  // never a wrong "no"
                } else {
                    unreachable_answered += may ? 0 : 1;
                }
                if (in_largest) {
                    CHECK(may == (reach[from][to] != 0));
                }
            }
        }
    }
    MESSAGE("sources in a unique largest component: "
            << exact_sources << ", unreachable pairs answered: " << unreachable_answered);
    CHECK(exact_sources > 100);
    CHECK(unreachable_answered > 100);
}
