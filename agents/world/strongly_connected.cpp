#include "agents/world/strongly_connected.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace swarm::world {

namespace {

constexpr std::uint32_t kUnset = std::numeric_limits<std::uint32_t>::max();

struct Frame {
    NodeId node;
    EdgeId next;  // next out edge to explore
};

// the largest component; the one of the lowest node among equals (Tarjan numbers components
// as they complete, so not necessarily the lowest id); kUnset when there is none
std::uint32_t largest_component(const Components& scc) {
    std::vector<std::size_t> sizes(scc.count, 0);
    for (const std::uint32_t c : scc.component) {
        ++sizes[c];
    }
    std::uint32_t best = kUnset;
    for (const std::uint32_t c : scc.component) {
        if (best == kUnset || sizes[c] > sizes[best]) {
            best = c;
        }
    }
    return best;
}

}  // namespace

Components strong_components(const RoadNetwork& network, const EdgeMask* closed) {
    const std::size_t n = network.node_count();
    const auto first_out = network.first_out();
    const auto targets = network.targets();

    Components result;
    result.component.assign(n, kUnset);
    std::vector<std::uint32_t> index(n, kUnset);
    std::vector<std::uint32_t> low(n, 0);
    std::vector<NodeId> stack;  // Tarjan's node stack
    std::vector<Frame> calls;   // explicit DFS call stack
    std::uint32_t counter = 0;
    std::uint32_t components = 0;

    auto visit = [&](NodeId v) {
        index[v] = low[v] = counter++;
        stack.push_back(v);
        calls.push_back({v, first_out[v]});
    };

    for (NodeId root = 0; root < n; ++root) {
        if (index[root] != kUnset) {
            continue;
        }
        visit(root);
        while (!calls.empty()) {
            Frame& frame = calls.back();
            const NodeId v = frame.node;
            if (frame.next < first_out[v + 1]) {
                const EdgeId e = frame.next++;
                if (closed != nullptr && closed->test(e)) {
                    continue;
                }
                const NodeId w = targets[e];
                if (index[w] == kUnset) {
                    visit(w);  // invalidates frame
                } else if (result.component[w] == kUnset) {
                    // w is still on the Tarjan stack
                    low[v] = std::min(low[v], index[w]);
                }
                continue;
            }
            calls.pop_back();
            if (low[v] == index[v]) {
                NodeId w = kNoNode;
                do {
                    w = stack.back();
                    stack.pop_back();
                    result.component[w] = components;
                } while (w != v);
                ++components;
            }
            if (!calls.empty()) {
                const NodeId parent = calls.back().node;
                low[parent] = std::min(low[parent], low[v]);
            }
        }
    }
    result.count = components;
    return result;
}

OpenReach::OpenReach(const RoadNetwork& network, const EdgeMask* closed) {
    Components c = strong_components(network, closed);
    largest_ = largest_component(c);
    component_ = std::move(c.component);
    const std::size_t n = network.node_count();
    reached_.assign(n, 0);
    std::vector<NodeId> todo;
    for (NodeId v = 0; v < n; ++v) {
        if (component_[v] == largest_) {
            reached_[v] = 1;
            todo.push_back(v);
        }
    }
    const auto first_out = network.first_out();
    const auto targets = network.targets();
    while (!todo.empty()) {
        const NodeId v = todo.back();
        todo.pop_back();
        for (EdgeId e = first_out[v]; e < first_out[v + 1]; ++e) {
            const NodeId w = targets[e];
            if (reached_[w] == 0 && (closed == nullptr || !closed->test(e))) {
                reached_[w] = 1;
                todo.push_back(w);
            }
        }
    }
}

bool is_strongly_connected(const RoadNetwork& network) {
    return strong_components(network).count <= 1;
}

RoadNetwork induced_subnetwork(const RoadNetwork& network, const std::vector<bool>& keep) {
    const std::size_t n = network.node_count();
    std::vector<NodeId> new_id(n, kNoNode);
    RoadNetwork::Builder builder;
    std::size_t kept_nodes = 0;
    for (std::size_t v = 0; v < n; ++v) {
        kept_nodes += keep[v] ? 1u : 0u;
    }
    builder.reserve(kept_nodes, network.edge_count());
    for (NodeId v = 0; v < n; ++v) {
        if (keep[v]) {
            new_id[v] = builder.add_node(network.position(v), network.external_id(v));
        }
    }
    for (EdgeId e = 0; e < network.edge_count(); ++e) {
        const NodeId s = new_id[network.source(e)];
        const NodeId t = new_id[network.target(e)];
        if (s != kNoNode && t != kNoNode) {
            builder.add_edge(s, t, network.length_m(e), network.speed_mps(e), network.road_class(e),
                             network.name(network.name_id(e)), network.way_id(e));
        }
    }
    return std::move(builder).build();
}

namespace {

RoadNetwork largest_of(const RoadNetwork& network, const Components& scc, SccReport* report) {
    const std::size_t n = network.node_count();

    const std::uint32_t best = largest_component(scc);
    std::vector<bool> keep(n, false);
    for (std::size_t v = 0; v < n; ++v) {
        keep[v] = scc.component[v] == best;
    }
    RoadNetwork result = induced_subnetwork(network, keep);
    if (report != nullptr) {
        report->nodes_kept = result.node_count();
        report->nodes_dropped = n - result.node_count();
        report->edges_kept = result.edge_count();
        report->edges_dropped = network.edge_count() - result.edge_count();
    }
    return result;
}

}  // namespace

RoadNetwork keep_largest_scc(const RoadNetwork& network, SccReport* report) {
    return largest_of(network, strong_components(network), report);
}

RoadNetwork keep_largest_scc(RoadNetwork&& network, SccReport* report) {
    const Components scc = strong_components(network);
    if (scc.count > 1) {
        return largest_of(network, scc, report);
    }
    if (report != nullptr) {
        *report = {network.node_count(), 0, network.edge_count(), 0};
    }
    return std::move(network);
}

}  // namespace swarm::world
