#include "agents/learning/overlay.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

namespace swarm::learning {
namespace {

std::uint64_t key(std::uint32_t a, std::uint32_t b) {
    return a < b ? (std::uint64_t{a} << 32) | b : (std::uint64_t{b} << 32) | a;
}

}  // namespace

const char* to_string(OverlayKind kind) {
    switch (kind) {
        case OverlayKind::kComplete:
            return "complete";
        case OverlayKind::kRing:
            return "ring";
        case OverlayKind::kRegular:
            return "regular";
        case OverlayKind::kSmallWorld:
            return "small_world";
        case OverlayKind::kRadio:
            return "radio";
    }
    return "?";
}

OverlayKind overlay_kind_from_string(const std::string& name) {
    for (auto k : {OverlayKind::kComplete, OverlayKind::kRing, OverlayKind::kRegular,
                   OverlayKind::kSmallWorld, OverlayKind::kRadio}) {
        if (name == to_string(k)) {
            return k;
        }
    }
    throw std::invalid_argument("unknown overlay '" + name +
                                "' (complete, ring, regular, small_world, radio)");
}

Overlay Overlay::complete(std::uint32_t agents) {
    Overlay o;
    o.agents_ = agents;
    o.complete_ = true;
    return o;
}

Overlay Overlay::from_graph(comms::AgentGraph graph) {
    Overlay o;
    o.agents_ = static_cast<std::uint32_t>(graph.size());
    o.offsets_.assign(std::size_t{o.agents_} + 1, 0);
    for (std::uint32_t i = 0; i < o.agents_; ++i) {
        o.offsets_[i + 1] = o.offsets_[i] + graph.degree(i);
    }
    o.graph_ = std::move(graph);
    return o;
}

Overlay Overlay::from_edges(std::uint32_t agents,
                            const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges) {
    return from_graph(comms::AgentGraph::from_edges(agents, edges));
}

std::uint64_t Overlay::reverse(std::uint32_t i, std::uint32_t k) const {
    const std::uint32_t j = neighbour(i, k);
    if (complete_) {
        return std::uint64_t{j} * (agents_ - 1) + (i < j ? i : i - 1);
    }
    const auto list = graph_.neighbours(j);
    const auto at = std::lower_bound(list.begin(), list.end(), i);
    return offsets_[j] + static_cast<std::uint64_t>(at - list.begin());
}

bool Overlay::connected() const {
    return agents_ <= 1 || complete_ || comms::connected_components(graph_).count == 1;
}

Overlay make_ring(std::uint32_t agents, std::uint32_t degree) {
    if (degree == 0 || degree % 2 != 0 || degree >= agents) {
        throw std::invalid_argument("ring: degree must be even, > 0 and < agents");
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (std::uint32_t i = 0; i < agents; ++i) {
        for (std::uint32_t s = 1; s <= degree / 2; ++s) {
            edges.emplace_back(i, (i + s) % agents);
        }
    }
    return Overlay::from_edges(agents, edges);
}

Overlay make_random_regular(std::uint32_t agents, std::uint32_t degree, std::uint64_t seed) {
    if (degree == 0 || degree >= agents || (std::uint64_t{agents} * degree) % 2 != 0) {
        throw std::invalid_argument(
            "regular: degree must be > 0, < agents, and agents*degree even");
    }
    sim::RandomStream rng(seed, 0, 0x0E6A);
    // pairing model: shuffle the stubs, pair neighbours in the list
    std::vector<std::uint32_t> stubs(std::size_t{agents} * degree);
    for (std::size_t s = 0; s < stubs.size(); ++s) {
        stubs[s] = static_cast<std::uint32_t>(s / degree);
    }
    for (std::size_t i = stubs.size(); i > 1; --i) {
        std::swap(stubs[i - 1], stubs[rng.below(i)]);
    }
    const std::size_t m = stubs.size() / 2;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> e(m);
    std::unordered_multiset<std::uint64_t> present;
    present.reserve(m * 2);
    for (std::size_t k = 0; k < m; ++k) {
        e[k] = {stubs[2 * k], stubs[2 * k + 1]};
        present.insert(key(e[k].first, e[k].second));
    }
    auto bad = [&](std::size_t k) {
        return e[k].first == e[k].second || present.count(key(e[k].first, e[k].second)) > 1;
    };
    // repair self-loops and multi-edges by degree-preserving switches with random edges
    for (int pass = 0; pass < 1000; ++pass) {
        bool any = false;
        for (std::size_t k = 0; k < m; ++k) {
            if (!bad(k)) {
                continue;
            }
            any = true;
            const std::size_t j = rng.below(m);
            auto [a, b] = e[k];
            auto [c, d] = e[j];
            if (j == k || a == c || a == d || b == c || b == d || present.count(key(a, c)) > 0 ||
                present.count(key(b, d)) > 0) {
                continue;
            }
            present.erase(present.find(key(a, b)));
            present.erase(present.find(key(c, d)));
            e[k] = {a, c};
            e[j] = {b, d};
            present.insert(key(a, c));
            present.insert(key(b, d));
        }
        if (!any) {
            return Overlay::from_edges(agents, e);
        }
    }
    throw std::runtime_error("regular: could not remove multi-edges (degree too close to agents)");
}

Overlay make_small_world(std::uint32_t agents, std::uint32_t degree, double rewire,
                         std::uint64_t seed) {
    if (degree == 0 || degree % 2 != 0 || degree >= agents) {
        throw std::invalid_argument("small_world: degree must be even, > 0 and < agents");
    }
    if (!(rewire >= 0.0 && rewire <= 1.0)) {
        throw std::invalid_argument("small_world: rewire must be in [0, 1]");
    }
    sim::RandomStream rng(seed, 0, 0x5A11);
    std::unordered_set<std::uint64_t> present;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (std::uint32_t i = 0; i < agents; ++i) {
        for (std::uint32_t s = 1; s <= degree / 2; ++s) {
            edges.emplace_back(i, (i + s) % agents);
            present.insert(key(i, (i + s) % agents));
        }
    }
    // Watts & Strogatz (1998): move the far end of each lattice edge w.p. rewire
    for (auto& [a, b] : edges) {
        if (!rng.bernoulli(rewire)) {
            continue;
        }
        const auto c = static_cast<std::uint32_t>(rng.below(agents));
        if (c == a || present.count(key(a, c)) > 0) {
            continue;
        }
        present.erase(key(a, b));
        present.insert(key(a, c));
        b = c;
    }
    return Overlay::from_edges(agents, edges);
}

}  // namespace swarm::learning
