// Per-router scratch reused across queries: node labels stamped with a query generation (no
// O(N) clearing per query) and a 4-ary min-heap with lazy deletion. Internal header.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "agents/world/road_network.hpp"

namespace swarm::routing::detail {

struct HeapEntry {
    double key;
    world::NodeId node;
};

// 4-ary: half the depth of a binary heap and the four children share a cache line.
class QuaternaryHeap {
  public:
    bool empty() const { return items_.empty(); }
    std::size_t size() const { return items_.size(); }
    void clear() { items_.clear(); }
    void reserve(std::size_t n) { items_.reserve(n); }

    void push(double key, world::NodeId node) {
        std::size_t i = items_.size();
        items_.push_back({key, node});
        while (i > 0) {
            const std::size_t parent = (i - 1) / 4;
            if (items_[parent].key <= key) {
                break;
            }
            items_[i] = items_[parent];
            i = parent;
        }
        items_[i] = {key, node};
    }

    HeapEntry pop() {
        const HeapEntry top = items_.front();
        const HeapEntry last = items_.back();
        items_.pop_back();
        const std::size_t n = items_.size();
        if (n == 0) {
            return top;
        }
        std::size_t i = 0;
        for (;;) {
            const std::size_t first = 4 * i + 1;
            if (first >= n) {
                break;
            }
            const std::size_t end = std::min(first + 4, n);
            std::size_t best = first;
            for (std::size_t c = first + 1; c < end; ++c) {
                if (items_[c].key < items_[best].key) {
                    best = c;
                }
            }
            if (items_[best].key >= last.key) {
                break;
            }
            items_[i] = items_[best];
            i = best;
        }
        items_[i] = last;
        return top;
    }

  private:
    std::vector<HeapEntry> items_;
};

// A node's label is valid only when stamp == the current generation.
struct NodeLabel {
    double dist;   // best known time from the source
    double bound;  // heuristic to the target (0 for Dijkstra), cached for the query
    world::EdgeId parent;
    std::uint32_t stamp;
};

class SearchSpace {
  public:
    explicit SearchSpace(std::size_t nodes) : labels_(nodes, NodeLabel{0.0, 0.0, 0, 0}) {}

    // invalidates every label in O(1) (O(N) once every 2^32 queries)
    void begin_query() {
        heap_.clear();
        if (++generation_ == 0) {
            for (auto& label : labels_) {
                label.stamp = 0;
            }
            generation_ = 1;
        }
    }

    bool reached(world::NodeId node) const { return labels_[node].stamp == generation_; }
    NodeLabel& label(world::NodeId node) { return labels_[node]; }
    const NodeLabel& label(world::NodeId node) const { return labels_[node]; }
    std::uint32_t generation() const { return generation_; }
    QuaternaryHeap& heap() { return heap_; }
    std::size_t size() const { return labels_.size(); }

  private:
    std::vector<NodeLabel> labels_;
    QuaternaryHeap heap_;
    std::uint32_t generation_ = 0;
};

}  // namespace swarm::routing::detail
