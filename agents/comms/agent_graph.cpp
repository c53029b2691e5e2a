#include "agents/comms/agent_graph.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace swarm::comms {

AgentGraph AgentGraph::from_lists(const std::vector<std::vector<AgentIndex>>& lists) {
    const std::size_t n = lists.size();
    AgentGraph g;
    g.offsets_.assign(n + 1, 0);
    std::vector<AgentIndex> sorted;
    for (std::size_t i = 0; i < n; ++i) {
        sorted.assign(lists[i].begin(), lists[i].end());
        std::sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
        for (AgentIndex j : sorted) {
            if (j >= n) {
                throw std::invalid_argument("agent graph: agent " + std::to_string(i) +
                                            " lists neighbour " + std::to_string(j) +
                                            " out of range");
            }
            if (j == i) {
                throw std::invalid_argument("agent graph: agent " + std::to_string(i) +
                                            " lists itself");
            }
        }
        g.targets_.insert(g.targets_.end(), sorted.begin(), sorted.end());
        g.offsets_[i + 1] = g.targets_.size();
    }
    // symmetric: every j in N(i) has i in N(j)
    for (AgentIndex i = 0; i < n; ++i) {
        for (AgentIndex j : g.neighbours(i)) {
            if (!g.has_edge(j, i)) {
                throw std::invalid_argument("agent graph: " + std::to_string(i) + " hears " +
                                            std::to_string(j) + " but not the reverse");
            }
        }
    }
    return g;
}

AgentGraph AgentGraph::from_edges(std::size_t agents,
                                  std::span<const std::pair<AgentIndex, AgentIndex>> edges) {
    std::vector<std::vector<AgentIndex>> lists(agents);
    for (const auto& [a, b] : edges) {
        if (a >= agents || b >= agents) {
            throw std::invalid_argument("agent graph: edge {" + std::to_string(a) + ", " +
                                        std::to_string(b) + "} out of range");
        }
        lists[a].push_back(b);
        lists[b].push_back(a);
    }
    return from_lists(lists);
}

AgentGraph AgentGraph::complete(std::size_t agents) {
    AgentGraph g;
    g.offsets_.assign(agents + 1, 0);
    g.targets_.reserve(agents * (agents > 0 ? agents - 1 : 0));
    for (std::size_t i = 0; i < agents; ++i) {
        for (std::size_t j = 0; j < agents; ++j) {
            if (j != i) {
                g.targets_.push_back(static_cast<AgentIndex>(j));
            }
        }
        g.offsets_[i + 1] = g.targets_.size();
    }
    return g;
}

bool AgentGraph::has_edge(AgentIndex a, AgentIndex b) const {
    const auto n = neighbours(a);
    return std::binary_search(n.begin(), n.end(), b);
}

std::vector<std::uint32_t> bfs_hops(const AgentGraph& graph, AgentIndex source) {
    std::vector<std::uint32_t> hops(graph.size(), kUnreachable);
    std::vector<AgentIndex> queue;
    queue.reserve(graph.size());
    hops[source] = 0;
    queue.push_back(source);
    for (std::size_t head = 0; head < queue.size(); ++head) {
        const AgentIndex u = queue[head];
        for (AgentIndex v : graph.neighbours(u)) {
            if (hops[v] == kUnreachable) {
                hops[v] = hops[u] + 1;
                queue.push_back(v);
            }
        }
    }
    return hops;
}

Components connected_components(const AgentGraph& graph) {
    Components c;
    c.label.assign(graph.size(), kUnreachable);
    std::vector<AgentIndex> stack;
    for (AgentIndex s = 0; s < graph.size(); ++s) {
        if (c.label[s] != kUnreachable) {
            continue;
        }
        // flood the component of s
        std::uint32_t size = 0;
        c.label[s] = c.count;
        stack.push_back(s);
        while (!stack.empty()) {
            const AgentIndex u = stack.back();
            stack.pop_back();
            ++size;
            for (AgentIndex v : graph.neighbours(u)) {
                if (c.label[v] == kUnreachable) {
                    c.label[v] = c.count;
                    stack.push_back(v);
                }
            }
        }
        c.sizes.push_back(size);
        ++c.count;
    }
    return c;
}

std::uint32_t diameter(const AgentGraph& graph) {
    std::uint32_t widest = 0;
    for (AgentIndex s = 0; s < graph.size(); ++s) {
        for (std::uint32_t h : bfs_hops(graph, s)) {
            if (h != kUnreachable) {
                widest = std::max(widest, h);
            }
        }
    }
    return widest;
}

}  // namespace swarm::comms
