#include "agents/routing/cch_topology.hpp"

#include <metis.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace swarm::routing {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

CchTopology::CchTopology(const world::RoadNetwork& network, std::uint64_t seed)
    : network_(&network) {
    // ranks and arc slots are 32-bit with the top bit free (CchMetric tags slots with it)
    if (network.node_count() >= 0x7FFFFFFFu || network.edge_count() >= 0x7FFFFFFFu) {
        throw std::invalid_argument("CchTopology: network too large (2^31 nodes or edges)");
    }
    auto t0 = std::chrono::steady_clock::now();
    order(seed);
    order_s_ = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    contract();
    contraction_s_ = seconds_since(t0);
}

void CchTopology::order(std::uint64_t seed) {
    const std::size_t n = network_->node_count();
    rank_.resize(n);
    node_at_.resize(n);
    // the undirected simple graph METIS wants: both directions, no loops, no duplicates
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
    pairs.reserve(2 * network_->edge_count());
    for (world::EdgeId e = 0; e < network_->edge_count(); ++e) {
        const world::NodeId u = network_->source(e);
        const world::NodeId v = network_->target(e);
        if (u != v) {
            pairs.emplace_back(u, v);
            pairs.emplace_back(v, u);
        }
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    if (n < 3 || pairs.empty()) {
        // nothing to dissect
        std::iota(rank_.begin(), rank_.end(), 0u);
        std::iota(node_at_.begin(), node_at_.end(), 0u);
        return;
    }
    if (pairs.size() > static_cast<std::size_t>(std::numeric_limits<idx_t>::max())) {
        throw std::invalid_argument("CchTopology: too many edges for METIS' 32-bit indices");
    }
    std::vector<idx_t> xadj(n + 1, 0);
    std::vector<idx_t> adjncy(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        ++xadj[pairs[i].first + 1];
        adjncy[i] = static_cast<idx_t>(pairs[i].second);
    }
    for (std::size_t v = 0; v < n; ++v) {
        xadj[v + 1] += xadj[v];
    }
    std::vector<idx_t> options(METIS_NOPTIONS);
    METIS_SetDefaultOptions(options.data());
    options[METIS_OPTION_NUMBERING] = 0;
    // a fixed seed: the same network always gets the same order (determinism)
    options[METIS_OPTION_SEED] = static_cast<idx_t>(seed % 0x7FFFFFFFu);
    // order connected components separately (disconnected networks)
    options[METIS_OPTION_CCORDER] = 1;
    idx_t nvtxs = static_cast<idx_t>(n);
    std::vector<idx_t> perm(n);
    std::vector<idx_t> iperm(n);
    const int status = METIS_NodeND(&nvtxs, xadj.data(), adjncy.data(), nullptr, options.data(),
                                    perm.data(), iperm.data());
    if (status != METIS_OK) {
        throw std::runtime_error("CchTopology: METIS_NodeND failed with status " +
                                 std::to_string(status));
    }
    // METIS: row i of the permuted matrix is row perm[i] of the original; eliminated first
    // = lowest rank
    for (std::size_t r = 0; r < n; ++r) {
        node_at_[r] = static_cast<world::NodeId>(perm[r]);
        rank_[static_cast<std::size_t>(perm[r])] = static_cast<std::uint32_t>(r);
    }
}

void CchTopology::contract() {
    const std::size_t n = network_->node_count();
    // upward neighbours per rank; contracting r joins its upward neighbours pairwise, which is
    // the same as handing them to the lowest of them (its elimination-tree parent)
    std::vector<std::vector<std::uint32_t>> up(n);
    for (world::EdgeId e = 0; e < network_->edge_count(); ++e) {
        const std::uint32_t a = rank_[network_->source(e)];
        const std::uint32_t b = rank_[network_->target(e)];
        if (a != b) {
            up[std::min(a, b)].push_back(std::max(a, b));
        }
    }
    parent_.assign(n, kNone);
    first_up_.assign(n + 1, 0);
    for (std::uint32_t r = 0; r < n; ++r) {
        auto& list = up[r];
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
        first_up_[r + 1] = first_up_[r] + static_cast<std::uint32_t>(list.size());
        if (list.empty()) {
            continue;
        }
        parent_[r] = list.front();
        triangles_ += list.size() * (list.size() - 1) / 2;
        auto& into = up[list.front()];
        into.insert(into.end(), list.begin() + 1, list.end());
    }
    // slots (2 * arc + direction) keep their top bit free and never equal kNone when tagged
    if (first_up_[n] >= 0x3FFFFFFFu) {
        throw std::invalid_argument("CchTopology: too many arcs after contraction (2^30)");
    }
    head_.resize(first_up_[n]);
    tail_.resize(first_up_[n]);
    for (std::uint32_t r = 0; r < n; ++r) {
        std::copy(up[r].begin(), up[r].end(), head_.begin() + first_up_[r]);
        std::fill(tail_.begin() + first_up_[r], tail_.begin() + first_up_[r + 1], r);
        std::vector<std::uint32_t>().swap(up[r]);
    }
    // tree heights: parents have higher ranks, so walk down from the top
    depth_.assign(n, 1);
    for (std::size_t i = n; i-- > 0;) {
        if (parent_[i] != kNone) {
            depth_[i] = depth_[parent_[i]] + 1;
        }
        height_ = std::max<std::size_t>(height_, depth_[i]);
    }
    edge_slot_.resize(network_->edge_count());
    for (world::EdgeId e = 0; e < network_->edge_count(); ++e) {
        const std::uint32_t a = rank_[network_->source(e)];
        const std::uint32_t b = rank_[network_->target(e)];
        edge_slot_[e] =
            a == b ? kNone : 2 * find_arc(std::min(a, b), std::max(a, b)) + (a < b ? 0u : 1u);
    }
}

std::uint32_t CchTopology::find_arc(std::uint32_t lo, std::uint32_t hi) const {
    const auto begin = head_.begin() + first_up_[lo];
    const auto end = head_.begin() + first_up_[lo + 1];
    const auto it = std::lower_bound(begin, end, hi);
    return it != end && *it == hi ? static_cast<std::uint32_t>(it - head_.begin()) : kNone;
}

std::size_t CchTopology::memory_bytes() const {
    return sizeof(std::uint32_t) *
           (rank_.size() + node_at_.size() + parent_.size() + first_up_.size() + head_.size() +
            tail_.size() + edge_slot_.size() + depth_.size());
}

}  // namespace swarm::routing
