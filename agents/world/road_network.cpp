#include "agents/world/road_network.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace swarm::world {

const char* to_string(RoadClass road_class) {
    switch (road_class) {
        case RoadClass::kMotorway:
            return "motorway";
        case RoadClass::kTrunk:
            return "trunk";
        case RoadClass::kPrimary:
            return "primary";
        case RoadClass::kSecondary:
            return "secondary";
        case RoadClass::kTertiary:
            return "tertiary";
        case RoadClass::kResidential:
            return "residential";
        case RoadClass::kService:
            return "service";
        case RoadClass::kUnclassified:
            return "unclassified";
        case RoadClass::kOther:
            return "other";
    }
    return "other";
}

void RoadNetwork::Builder::reserve(std::size_t nodes, std::size_t edges) {
    positions_.reserve(nodes);
    external_ids_.reserve(nodes);
    from_.reserve(edges);
    to_.reserve(edges);
    length_m_.reserve(edges);
    speed_mps_.reserve(edges);
    class_.reserve(edges);
    name_id_.reserve(edges);
    way_id_.reserve(edges);
}

NodeId RoadNetwork::Builder::add_node(Point position, std::uint64_t external_id) {
    // kNoNode must stay free as a sentinel
    if (positions_.size() >= kNoNode) {
        throw std::length_error("RoadNetwork::Builder: too many nodes");
    }
    positions_.push_back(position);
    external_ids_.push_back(external_id);
    return static_cast<NodeId>(positions_.size() - 1);
}

EdgeId RoadNetwork::Builder::add_edge(NodeId from, NodeId to, double length_m, double speed_mps,
                                      RoadClass road_class, std::string_view name,
                                      std::uint64_t way_id) {
    if (from_.size() >= kNoEdge) {
        throw std::length_error("RoadNetwork::Builder: too many edges");
    }
    std::uint32_t name_id = 0;
    if (!name.empty()) {
        auto [it, inserted] =
            name_index_.try_emplace(std::string(name), static_cast<std::uint32_t>(names_.size()));
        if (inserted) {
            names_.emplace_back(name);
        }
        name_id = it->second;
    }
    from_.push_back(from);
    to_.push_back(to);
    length_m_.push_back(length_m);
    speed_mps_.push_back(speed_mps);
    class_.push_back(road_class);
    name_id_.push_back(name_id);
    way_id_.push_back(way_id);
    return static_cast<EdgeId>(from_.size() - 1);
}

namespace {

[[noreturn]] void throw_bad_edge(std::size_t index, NodeId from, NodeId to, const char* what,
                                 double value) {
    std::ostringstream out;
    out << "RoadNetwork::Builder: edge " << index << " (" << from << " -> " << to << ") has "
        << what << " " << value;
    throw std::invalid_argument(out.str());
}

}  // namespace

RoadNetwork RoadNetwork::Builder::build() && {
    const std::size_t n = positions_.size();
    const std::size_t m = from_.size();

    // validate everything before touching the result, so a failure leaves nothing half-built
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(positions_[i].x) || !std::isfinite(positions_[i].y)) {
            std::ostringstream out;
            out << "RoadNetwork::Builder: node " << i << " (external id " << external_ids_[i]
                << ") has a non-finite position";
            throw std::invalid_argument(out.str());
        }
    }
    for (std::size_t i = 0; i < m; ++i) {
        if (from_[i] >= n || to_[i] >= n) {
            std::ostringstream out;
            out << "RoadNetwork::Builder: edge " << i << " (" << from_[i] << " -> " << to_[i]
                << ") references a node that does not exist (node count " << n << ")";
            throw std::invalid_argument(out.str());
        }
        if (!(length_m_[i] > 0.0) || !std::isfinite(length_m_[i])) {
            throw_bad_edge(i, from_[i], to_[i],
                           "invalid length (must be > 0 and finite):", length_m_[i]);
        }
        if (!(speed_mps_[i] > 0.0) || !std::isfinite(speed_mps_[i])) {
            throw_bad_edge(i, from_[i], to_[i],
                           "invalid speed (must be > 0 and finite):", speed_mps_[i]);
        }
    }

    // stable counting sort by source: perm[new id] = builder index
    std::vector<EdgeId> start(n + 1, 0);
    for (std::size_t i = 0; i < m; ++i) {
        ++start[from_[i] + 1];
    }
    for (std::size_t v = 0; v < n; ++v) {
        start[v + 1] += start[v];
    }
    std::vector<EdgeId> perm(m);
    {
        std::vector<EdgeId> next(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < m; ++i) {
            perm[next[from_[i]]++] = static_cast<EdgeId>(i);
        }
    }

    RoadNetwork net;
    std::vector<std::pair<NodeId, NodeId>> pairs(m);
    net.source_.resize(m);
    net.length_m_.resize(m);
    net.speed_mps_.resize(m);
    net.travel_time_s_.resize(m);
    net.class_.resize(m);
    net.name_id_.resize(m);
    const bool ways = std::any_of(way_id_.begin(), way_id_.end(), [](auto w) { return w != 0; });
    if (ways) {
        net.way_id_.resize(m);
    }
    for (std::size_t e = 0; e < m; ++e) {
        const EdgeId i = perm[e];
        pairs[e] = {from_[i], to_[i]};
        net.source_[e] = from_[i];
        net.length_m_[e] = length_m_[i];
        net.speed_mps_[e] = speed_mps_[i];
        net.travel_time_s_[e] = length_m_[i] / speed_mps_[i];
        net.class_[e] = class_[i];
        net.name_id_[e] = name_id_[i];
        if (ways) {
            net.way_id_[e] = way_id_[i];
        }
        net.max_speed_mps_ = std::max(net.max_speed_mps_, speed_mps_[i]);
        net.total_length_m_ += length_m_[i];
    }
    perm = {};

    // boost's histogram sort is stable, so its edge index equals our sorted position
    net.graph_ = Graph(boost::edges_are_unsorted_multi_pass, pairs.begin(), pairs.end(),
                       static_cast<NodeId>(n));
    pairs = {};
    net.in_edge_.resize(m);
    for (std::size_t v = 0; v < n; ++v) {
        auto pos = net.graph_.m_backward.m_rowstart[v];
        auto [it, last] = boost::in_edges(static_cast<NodeId>(v), net.graph_);
        for (; it != last; ++it) {
            net.in_edge_[pos++] = boost::get(boost::edge_index, net.graph_, *it);
        }
    }

    net.positions_ = std::move(positions_);
    net.external_ids_ = std::move(external_ids_);
    net.external_index_.reserve(n);
    for (std::size_t v = 0; v < n; ++v) {
        // first node wins for duplicated external ids
        net.external_index_.try_emplace(net.external_ids_[v], static_cast<NodeId>(v));
    }
    net.names_ = std::move(names_);
    net.name_index_ = std::move(name_index_);

    if (n > 0) {
        BoundingBox box{net.positions_[0], net.positions_[0]};
        for (const Point& p : net.positions_) {
            box.min.x = std::min(box.min.x, p.x);
            box.min.y = std::min(box.min.y, p.y);
            box.max.x = std::max(box.max.x, p.x);
            box.max.y = std::max(box.max.y, p.y);
        }
        net.bounds_ = box;
    }
    return net;
}

std::optional<NodeId> RoadNetwork::find_external(std::uint64_t external_id) const {
    auto it = external_index_.find(external_id);
    if (it == external_index_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<std::uint32_t> RoadNetwork::find_name(std::string_view name) const {
    if (name.empty()) {
        return 0u;
    }
    auto it = name_index_.find(std::string(name));
    if (it == name_index_.end()) {
        return std::nullopt;
    }
    return it->second;
}

EdgeId RoadNetwork::find_edge(NodeId from, NodeId to) const {
    EdgeId best = kNoEdge;
    for (EdgeId e : out_edges(from)) {
        if (target(e) == to && (best == kNoEdge || travel_time_s_[e] < travel_time_s_[best])) {
            best = e;
        }
    }
    return best;
}

std::size_t RoadNetwork::memory_bytes() const {
    auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
    std::size_t total = sizeof(*this);
    total += bytes(graph_.m_forward.m_rowstart) + bytes(graph_.m_forward.m_column);
    total += bytes(graph_.m_backward.m_rowstart) + bytes(graph_.m_backward.m_column);
    // boost's backward edge properties (one EdgeId per edge) are not reachable publicly
    total += graph_.m_backward.m_column.size() * sizeof(EdgeId);
    total += bytes(in_edge_) + bytes(source_) + bytes(length_m_) + bytes(speed_mps_);
    total += bytes(travel_time_s_) + bytes(class_) + bytes(name_id_) + bytes(positions_);
    total += bytes(way_id_);
    total += bytes(external_ids_);
    // hash nodes: key, value and a next pointer each, plus the bucket array
    total += external_index_.size() * (sizeof(std::uint64_t) + sizeof(NodeId) + sizeof(void*));
    total += external_index_.bucket_count() * sizeof(void*);
    for (const std::string& s : names_) {
        total += sizeof(std::string) + s.capacity();
    }
    total += name_index_.size() * (2 * sizeof(std::string) + sizeof(void*));
    return total;
}

std::size_t EdgeMask::count() const {
    std::size_t total = 0;
    for (std::uint64_t w : words_) {
        total += static_cast<std::size_t>(std::popcount(w));
    }
    return total;
}

}  // namespace swarm::world
