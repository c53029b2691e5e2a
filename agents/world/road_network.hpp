// Road network: an immutable directed graph in CSR order with per-edge data as arrays.
#pragma once

#include <algorithm>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace swarm::world {

using NodeId = std::uint32_t;
using EdgeId = std::uint32_t;
inline constexpr NodeId kNoNode = 0xFFFFFFFFu;
inline constexpr EdgeId kNoEdge = 0xFFFFFFFFu;

enum class RoadClass : std::uint8_t {
    kMotorway,
    kTrunk,
    kPrimary,
    kSecondary,
    kTertiary,
    kResidential,
    kService,
    kUnclassified,
    kOther
};
inline constexpr std::size_t kRoadClassCount = 9;

const char* to_string(RoadClass road_class);

// Metres; x east, y north.
struct Point {
    double x = 0.0;
    double y = 0.0;
};

struct BoundingBox {
    Point min;
    Point max;
};

// Boost view of the structure: edge_index(e) equals our EdgeId, vertex index our NodeId.
using Graph =
    boost::compressed_sparse_row_graph<boost::bidirectionalS, boost::no_property,
                                       boost::no_property, boost::no_property, NodeId, EdgeId>;

// Iterable range of EdgeId: either a contiguous id range or a list of ids.
class EdgeRange {
  public:
    class Iterator {
      public:
        using value_type = EdgeId;
        using difference_type = std::ptrdiff_t;
        using reference = EdgeId;
        using pointer = void;
        using iterator_category = std::forward_iterator_tag;

        Iterator() = default;
        Iterator(const EdgeId* ids, EdgeId index) : ids_(ids), index_(index) {}
        EdgeId operator*() const { return ids_ != nullptr ? ids_[index_] : index_; }
        Iterator& operator++() {
            ++index_;
            return *this;
        }
        Iterator operator++(int) {
            Iterator old = *this;
            ++index_;
            return old;
        }
        bool operator==(const Iterator& other) const { return index_ == other.index_; }

      private:
        const EdgeId* ids_ = nullptr;  // null: the value is the index itself
        EdgeId index_ = 0;
    };

    EdgeRange() = default;
    // contiguous ids [first, last)
    EdgeRange(EdgeId first, EdgeId last) : first_(first), last_(last) {}
    // explicit list of ids
    explicit EdgeRange(std::span<const EdgeId> ids)
        : ids_(ids.data()), first_(0), last_(static_cast<EdgeId>(ids.size())) {}

    Iterator begin() const { return {ids_, first_}; }
    Iterator end() const { return {ids_, last_}; }
    std::size_t size() const { return last_ - first_; }
    bool empty() const { return first_ == last_; }
    EdgeId operator[](std::size_t i) const {
        return ids_ != nullptr ? ids_[first_ + i] : first_ + static_cast<EdgeId>(i);
    }

  private:
    const EdgeId* ids_ = nullptr;
    EdgeId first_ = 0;
    EdgeId last_ = 0;
};

// Immutable once built; cheap to share by const&.
class RoadNetwork {
  public:
    class Builder {
      public:
        Builder() = default;
        void reserve(std::size_t nodes, std::size_t edges);

        // external id = id in the source file (OSM id, DIMACS number, GraphML id)
        NodeId add_node(Point position, std::uint64_t external_id);
        // returns the builder's index; final ids differ (edges are sorted by source).
        // way_id: the OSM way the edge was cut from (0: none, e.g. a generated or DIMACS map)
        EdgeId add_edge(NodeId from, NodeId to, double length_m, double speed_mps,
                        RoadClass road_class, std::string_view name = {}, std::uint64_t way_id = 0);

        std::size_t node_count() const { return positions_.size(); }
        std::size_t edge_count() const { return from_.size(); }

        // validates and sorts edges by source (stable); throws std::invalid_argument
        RoadNetwork build() &&;

      private:
        friend class RoadNetwork;
        std::vector<Point> positions_;
        std::vector<std::uint64_t> external_ids_;
        std::vector<NodeId> from_;
        std::vector<NodeId> to_;
        std::vector<double> length_m_;
        std::vector<double> speed_mps_;
        std::vector<RoadClass> class_;
        std::vector<std::uint32_t> name_id_;
        std::vector<std::uint64_t> way_id_;
        std::vector<std::string> names_{std::string{}};
        std::unordered_map<std::string, std::uint32_t> name_index_;
    };

    RoadNetwork() = default;

    std::size_t node_count() const { return positions_.size(); }
    std::size_t edge_count() const { return source_.size(); }

    Point position(NodeId node) const { return positions_[node]; }
    std::uint64_t external_id(NodeId node) const { return external_ids_[node]; }
    std::optional<NodeId> find_external(std::uint64_t external_id) const;

    NodeId source(EdgeId edge) const { return source_[edge]; }
    NodeId target(EdgeId edge) const { return graph_.m_forward.m_column[edge]; }
    double length_m(EdgeId edge) const { return length_m_[edge]; }
    double speed_mps(EdgeId edge) const { return speed_mps_[edge]; }
    double travel_time_s(EdgeId edge) const { return travel_time_s_[edge]; }
    RoadClass road_class(EdgeId edge) const { return class_[edge]; }

    // name id 0 = unnamed
    std::uint32_t name_id(EdgeId edge) const { return name_id_[edge]; }
    std::string_view name(std::uint32_t name_id) const { return names_[name_id]; }
    std::size_t name_count() const { return names_.size(); }
    std::optional<std::uint32_t> find_name(std::string_view name) const;
    // the OSM way an edge belongs to (0: unknown); maps without way ids store none
    std::uint64_t way_id(EdgeId edge) const { return way_id_.empty() ? 0 : way_id_[edge]; }
    bool has_way_ids() const { return !way_id_.empty(); }

    // edge ids are dense [0, E) in CSR order: out edges form a contiguous id range
    EdgeRange out_edges(NodeId node) const {
        return {graph_.m_forward.m_rowstart[node], graph_.m_forward.m_rowstart[node + 1]};
    }
    EdgeRange in_edges(NodeId node) const {
        const auto& start = graph_.m_backward.m_rowstart;
        return EdgeRange(
            std::span<const EdgeId>(in_edge_.data() + start[node], start[node + 1] - start[node]));
    }
    std::size_t out_degree(NodeId node) const { return out_edges(node).size(); }
    std::size_t in_degree(NodeId node) const { return in_edges(node).size(); }
    // the edge from -> to with the smallest travel time, or kNoEdge
    EdgeId find_edge(NodeId from, NodeId to) const;

    // arrays for hot loops, indexed by EdgeId / NodeId
    std::span<const EdgeId> first_out() const { return graph_.m_forward.m_rowstart; }
    std::span<const NodeId> targets() const { return graph_.m_forward.m_column; }
    std::span<const double> travel_times_s() const { return travel_time_s_; }
    std::span<const double> lengths_m() const { return length_m_; }
    std::span<const RoadClass> road_classes() const { return class_; }
    std::span<const Point> positions() const { return positions_; }

    double max_speed_mps() const { return max_speed_mps_; }
    BoundingBox bounds() const { return bounds_; }
    double total_length_m() const { return total_length_m_; }
    std::size_t memory_bytes() const;

    const Graph& graph() const { return graph_; }

  private:
    Graph graph_;
    std::vector<EdgeId> in_edge_;  // edge ids grouped by target, order of m_backward
    std::vector<NodeId> source_;
    std::vector<double> length_m_;
    std::vector<double> speed_mps_;
    std::vector<double> travel_time_s_;
    std::vector<RoadClass> class_;
    std::vector<std::uint32_t> name_id_;
    std::vector<std::uint64_t> way_id_;  // empty when no edge has one
    std::vector<Point> positions_;
    std::vector<std::uint64_t> external_ids_;
    std::unordered_map<std::uint64_t, NodeId> external_index_;
    std::vector<std::string> names_;
    std::unordered_map<std::string, std::uint32_t> name_index_;
    double max_speed_mps_ = 0.0;
    double total_length_m_ = 0.0;
    BoundingBox bounds_;
};

// Closures are masks, never deletions: one bit per edge.
class EdgeMask {
  public:
    explicit EdgeMask(std::size_t edges = 0) : size_(edges), words_((edges + 63) / 64, 0) {}

    bool test(EdgeId edge) const { return (words_[edge >> 6] >> (edge & 63u)) & 1u; }
    void set(EdgeId edge, bool closed = true) {
        const std::uint64_t bit = std::uint64_t{1} << (edge & 63u);
        if (closed) {
            words_[edge >> 6] |= bit;
        } else {
            words_[edge >> 6] &= ~bit;
        }
    }
    void reset(EdgeId edge) { set(edge, false); }
    std::size_t count() const;
    std::size_t size() const { return size_; }
    void clear() { std::fill(words_.begin(), words_.end(), 0); }
    [[nodiscard]] std::size_t memory_bytes() const {
        return words_.capacity() * sizeof(std::uint64_t);
    }

  private:
    std::size_t size_;
    std::vector<std::uint64_t> words_;
};

}  // namespace swarm::world
