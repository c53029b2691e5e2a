#include "agents/routing/landmarks.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "agents/routing/router.hpp"
#include "agents/routing/search_space.hpp"
#include "sim/huge_pages.hpp"

namespace swarm::routing {

namespace {

// One-to-all free-flow times, forward (out edges) or backward (in edges).
void one_to_all(const world::RoadNetwork& network, world::NodeId source, bool backward,
                std::vector<double>& dist) {
    std::fill(dist.begin(), dist.end(), kUnreachable);
    detail::QuaternaryHeap heap;
    dist[source] = 0.0;
    heap.push(0.0, source);
    while (!heap.empty()) {
        // not a structured binding: the lambda below captures d (clang 14 cannot)
        const auto top = heap.pop();
        const double d = top.key;
        const NodeId u = top.node;
        if (d > dist[u]) {
            continue;
        }
        auto relax = [&](EdgeId e, NodeId v) {
            const double nd = d + network.travel_time_s(e);
            if (nd < dist[v]) {
                dist[v] = nd;
                heap.push(nd, v);
            }
        };
        if (backward) {
            for (const EdgeId e : network.in_edges(u)) {
                relax(e, network.source(e));
            }
        } else {
            for (const EdgeId e : network.out_edges(u)) {
                relax(e, network.target(e));
            }
        }
    }
}

}  // namespace

Landmarks Landmarks::build(const world::RoadNetwork& network, std::size_t count,
                           std::uint64_t seed) {
    Landmarks lm;
    const std::size_t n = network.node_count();
    count = std::min(count, n);
    if (count == 0) {
        return lm;
    }
    sim::reserve_huge(lm.times_, n * count * 2);  // rows read at random by every search
    lm.times_.assign(n * count * 2, 0.0f);
    std::vector<double> to(n);
    std::vector<double> from(n);
    // spread[v]: smallest round-trip time from v to any chosen landmark
    std::vector<double> spread(n, kUnreachable);

    // start from the node farthest from a random one
    std::mt19937_64 rng(seed);
    const auto start = static_cast<NodeId>(rng() % n);
    one_to_all(network, start, false, from);
    NodeId next = start;
    double far = -1.0;
    for (NodeId v = 0; v < n; ++v) {
        if (from[v] != kUnreachable && from[v] > far) {
            far = from[v];
            next = v;
        }
    }

    double max_time = 0.0;
    for (std::size_t i = 0; i < count; ++i) {
        lm.nodes_.push_back(next);
        one_to_all(network, next, true, to);
        one_to_all(network, next, false, from);
        for (NodeId v = 0; v < n; ++v) {
            lm.times_[(v * count + i) * 2] = static_cast<float>(to[v]);
            lm.times_[(v * count + i) * 2 + 1] = static_cast<float>(from[v]);
            if (to[v] != kUnreachable) {
                max_time = std::max(max_time, to[v]);
            }
            if (from[v] != kUnreachable) {
                max_time = std::max(max_time, from[v]);
            }
            spread[v] = std::min(spread[v], to[v] + from[v]);
        }
        // next: the node farthest (round trip) from every landmark so far; nodes that cannot
        // reach or be reached from a landmark come first, they are the worst covered
        double best = -1.0;
        for (NodeId v = 0; v < n; ++v) {
            const double s =
                spread[v] == kUnreachable ? std::numeric_limits<double>::max() : spread[v];
            if (s > best && std::find(lm.nodes_.begin(), lm.nodes_.end(), v) == lm.nodes_.end()) {
                best = s;
                next = v;
            }
        }
    }
    // two float roundings (2^-24 relative each) plus the difference's own: 2^-21 is ample
    lm.slack_s_ = max_time * 0x1.0p-21;
    return lm;
}

Landmarks Landmarks::reordered(std::span<const world::NodeId> order) const {
    Landmarks lm;
    lm.nodes_ = nodes_;
    lm.slack_s_ = slack_s_;
    const std::size_t width = 2 * count();
    sim::resize_huge(lm.times_, order.size() * width);
    for (std::size_t k = 0; k < order.size(); ++k) {
        std::copy_n(row(order[k]), width,
                    lm.times_.begin() + static_cast<std::ptrdiff_t>(k * width));
    }
    return lm;
}

}  // namespace swarm::routing
