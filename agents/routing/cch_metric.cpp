#include "agents/routing/cch_metric.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

#include "sim/huge_pages.hpp"

namespace swarm::routing {

namespace {

// Whether the two-arc path a + b matches the arc weight w, so that the arc may be dropped from
// the query graphs. Both legs must be > 0 (hence < w): then dropping every matched arc at once
// is safe. Proof sketch: take a shortest up-down path s .. m .. t over perfect arcs whose top
// m is as high as possible. A dropped up arc u_i -> u_i+1 of it is replaced by u_i -> z -> u_i+1;
// z above m would give a higher top (the arcs between z and the later up nodes exist, chordal,
// and are distances), so z < m, and after merging z -> u_i+1 -> ... into one arc the path is
// up-down again with the same top. The list of distances from s along its up part then
// decreases lexicographically (d(s, z) lies strictly between those of u_i and u_i+1, as both
// legs are > 0), which can happen only finitely often; likewise for the down part. So a path
// of kept arcs remains, and up-down searches on them are exact (also with zero-time edges,
// which the legs > 0 rule never lets vanish).
bool matched(double a, double b, double w) {
    return a > 0.0 && b > 0.0 && a + b <= w;
}

}  // namespace

CchMetric::CchMetric(std::shared_ptr<const CchTopology> topology, const RouteView& view, Mode mode)
    : topology_(std::move(topology)), mode_(mode) {
    if (!topology_) {
        throw std::invalid_argument("CchMetric: no topology");
    }
    customize(view);
}

void CchMetric::customize(const RouteView& view) {
    const CchTopology& top = *topology_;
    const world::RoadNetwork& net = top.network();
    detail::check_view(net, view);
    if (view.time_dependent()) {
        throw std::invalid_argument(
            "CchMetric: a time-dependent view (speed profile) has no static metric");
    }
    const auto t0 = std::chrono::steady_clock::now();
    bound_ratio_ = static_time_ratio(net, view);
    const std::size_t slots = 2 * top.arc_count();
    if (slots >= kEdgeBit || net.edge_count() >= kEdgeBit - 1) {
        throw std::invalid_argument("CchMetric: more than 2^29 arcs or 2^30 edges");
    }
    weight_.assign(slots, kUnreachable);
    // read at random by every path's unpacking: huge pages spare most of its TLB misses
    sim::reserve_huge(via_, slots);
    via_.assign(slots, Via{kOriginal, world::kNoEdge});
    // input arcs: the fastest open original edge per arc and direction (parallel edges)
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        const std::uint32_t slot = top.edge_slot(e);
        if (slot == CchTopology::kNone || (view.closed != nullptr && view.closed->test(e))) {
            continue;
        }
        const double t = edge_time(net, view, e);
        if (t < weight_[slot]) {
            weight_[slot] = t;
            via_[slot] = Via{kOriginal, e};
        }
    }
    basic();
    if (mode_ == Mode::kPerfect) {
        perfect();
    } else {
        perfect_.clear();
        perfect_via_.clear();
        dropped_.clear();
    }
    build_query_graph();
    customize_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void CchMetric::basic() {
    const CchTopology& top = *topology_;
    // lower triangles bottom-up: when z is reached its own arcs are final, and every pair of
    // them, (z, x) and (z, y) with x < y, offers x -> z -> y and y -> z -> x to arc (x, y)
    const auto first_up = top.first_up();
    const auto heads = top.heads();
    double* w = weight_.data();
    Via* via = via_.data();
    for (std::uint32_t z = 0; z < top.node_count(); ++z) {
        const std::uint32_t end = first_up[z + 1];
        for (std::uint32_t i = first_up[z]; i < end; ++i) {
            const double x_to_z = w[2 * i + 1];
            const double z_to_x = w[2 * i];
            if (x_to_z == kUnreachable && z_to_x == kUnreachable) {
                continue;
            }
            const std::uint32_t x = heads[i];
            // z's upward heads after x are upward heads of x too (chordal), in the same order
            std::uint32_t k = first_up[x];
            for (std::uint32_t j = i + 1; j < end; ++j) {
                const std::uint32_t y = heads[j];
                while (heads[k] != y) {
                    ++k;
                }
                const double up = x_to_z + w[2 * j];
                if (up < w[2 * k]) {
                    w[2 * k] = up;
                    // x -> z, z -> y (z's arcs are final: their Vias too)
                    via[2 * k] =
                        Via{child(via[2 * i + 1], 2 * i + 1, 0), child(via[2 * j], 2 * j, 0)};
                }
                const double down = w[2 * j + 1] + z_to_x;
                if (down < w[2 * k + 1]) {
                    w[2 * k + 1] = down;
                    // y -> z, z -> x
                    via[2 * k + 1] =
                        Via{child(via[2 * j + 1], 2 * j + 1, 0), child(via[2 * i], 2 * i, 0)};
                }
            }
        }
    }
}

void CchMetric::perfect() {
    const CchTopology& top = *topology_;
    const auto first_up = top.first_up();
    const auto heads = top.heads();
    perfect_ = weight_;
    sim::reserve_huge(perfect_via_, via_.size());
    perfect_via_ = via_;  // the basic weight is the first candidate
    dropped_.assign(weight_.size(), 0);
    const double* b = weight_.data();
    double* p = perfect_.data();
    Via* via = perfect_via_.data();
    const Via* bv = via_.data();
    // Top-down: when x is reached, every arc between two of its upward neighbours u < y is
    // perfect (both ends above x). The distance x -> y leaves x by some basic arc x -> u and
    // continues above x, so it is min over u of basic(x -> u) + perfect(u -> y); reading only
    // basic weights of x's own arcs makes the order among them irrelevant.
    for (std::uint32_t x = static_cast<std::uint32_t>(top.node_count()); x-- > 0;) {
        const std::uint32_t end = first_up[x + 1];
        for (std::uint32_t i = first_up[x]; i < end; ++i) {
            const std::uint32_t u = heads[i];
            std::uint32_t k = first_up[u];
            for (std::uint32_t j = i + 1; j < end; ++j) {
                const std::uint32_t y = heads[j];
                while (heads[k] != y) {
                    ++k;
                }
                // arc k = (u, y): up u -> y, down y -> u
                if (b[2 * i] + p[2 * k] < p[2 * j]) {  // x -> u -> y
                    p[2 * j] = b[2 * i] + p[2 * k];
                    via[2 * j] =
                        Via{child(bv[2 * i], 2 * i, 0), child(via[2 * k], 2 * k, kPerfectBit)};
                }
                if (p[2 * k + 1] + b[2 * i + 1] < p[2 * j + 1]) {  // y -> u -> x
                    p[2 * j + 1] = p[2 * k + 1] + b[2 * i + 1];
                    via[2 * j + 1] = Via{child(via[2 * k + 1], 2 * k + 1, kPerfectBit),
                                         child(bv[2 * i + 1], 2 * i + 1, 0)};
                }
                if (b[2 * j] + p[2 * k + 1] < p[2 * i]) {  // x -> y -> u
                    p[2 * i] = b[2 * j] + p[2 * k + 1];
                    via[2 * i] = Via{child(bv[2 * j], 2 * j, 0),
                                     child(via[2 * k + 1], 2 * k + 1, kPerfectBit)};
                }
                if (p[2 * k] + b[2 * j + 1] < p[2 * i + 1]) {  // u -> y -> x
                    p[2 * i + 1] = p[2 * k] + b[2 * j + 1];
                    via[2 * i + 1] = Via{child(via[2 * k], 2 * k, kPerfectBit),
                                         child(bv[2 * j + 1], 2 * j + 1, 0)};
                }
            }
        }
        // x's arcs are final: drop the arc directions that another path over two arcs of an
        // intermediate or upper triangle matches (Dibbelt et al., section 4.3): arc j = (x, y)
        // through u (x < u < y), and arc i = (x, u) through y (u < y)
        for (std::uint32_t i = first_up[x]; i < end; ++i) {
            const std::uint32_t u = heads[i];
            std::uint32_t k = first_up[u];
            for (std::uint32_t j = i + 1; j < end; ++j) {
                const std::uint32_t y = heads[j];
                while (heads[k] != y) {
                    ++k;
                }
                if (matched(p[2 * i], p[2 * k], p[2 * j])) {  // x -> u -> y
                    dropped_[2 * j] = 1;
                }
                if (matched(p[2 * k + 1], p[2 * i + 1], p[2 * j + 1])) {  // y -> u -> x
                    dropped_[2 * j + 1] = 1;
                }
                if (matched(p[2 * j], p[2 * k + 1], p[2 * i])) {  // x -> y -> u
                    dropped_[2 * i] = 1;
                }
                if (matched(p[2 * k], p[2 * j + 1], p[2 * i + 1])) {  // u -> y -> x
                    dropped_[2 * i + 1] = 1;
                }
            }
        }
    }
}

void CchMetric::build_query_graph() {
    const CchTopology& top = *topology_;
    const std::size_t n = top.node_count();
    for (unsigned dir = 0; dir < 2; ++dir) {
        auto& first = q_first_[dir];
        auto& weights = q_weight_[dir];
        auto& heads = q_head_[dir];
        auto& slots = q_slot_[dir];
        first.assign(n + 1, 0);
        // walked at random by every query: huge pages spare most of its TLB misses
        sim::reserve_huge(weights, top.arc_count());
        sim::reserve_huge(heads, top.arc_count());
        weights.clear();
        heads.clear();
        slots.clear();
        for (std::uint32_t x = 0; x < n; ++x) {
            for (std::uint32_t a = top.first_up(x); a < top.first_up(x + 1); ++a) {
                const std::uint32_t slot = 2 * a + dir;
                const double w = query_weight(slot);
                if (w == kUnreachable || (!dropped_.empty() && dropped_[slot] != 0)) {
                    continue;
                }
                weights.push_back(w);
                heads.push_back(top.head(a));
                slots.push_back(slot);
            }
            first[x + 1] = static_cast<std::uint32_t>(heads.size());
        }
    }
}

void CchMetric::unpack(std::span<const std::uint32_t> slots, std::vector<EdgeId>& out,
                       UnpackScratch& scratch) const {
    // items: (1 << 32 | tagged slot) still to expand, or an original edge id; each pass
    // expands every slot of the list once, in order, into the next list
    constexpr std::uint64_t kSlot = std::uint64_t{1} << 32;
    const std::uint32_t tag = perfect_via_.empty() ? 0u : kPerfectBit;
    auto& list = scratch.list;
    auto& next = scratch.next;
    list.clear();
    for (const std::uint32_t slot : slots) {
        list.push_back(kSlot | (slot | tag));
    }
    const auto via_of = [this](std::uint32_t tagged) {
        return (tagged & kPerfectBit) != 0 ? &perfect_via_[tagged & ~kPerfectBit] : &via_[tagged];
    };
    bool expanded = true;
    while (expanded) {
        expanded = false;
        next.clear();
        for (const std::uint64_t item : list) {
            if ((item & kSlot) == 0) {
                next.push_back(item);
                continue;
            }
            const auto tagged = static_cast<std::uint32_t>(item);
            const Via v = *via_of(tagged);
            if (v.first == kOriginal) {
                next.push_back(v.second);
                continue;
            }
            // a child slot's own pair is asked for now, a pass before it is read: this loop
            // branches on what it reads, and a mispredicted branch squashes the misses issued
            // after it. (A separate prefetch loop over each pass's list was as good on the grid
            // city and cost Monaco's path queries about a fifth.)
            for (const std::uint32_t c : {v.first, v.second}) {
                if ((c & (kEdgeBit | kPerfectBit)) == kEdgeBit) {
                    next.push_back(c & ~kEdgeBit);
                } else {
                    next.push_back(kSlot | c);
                    __builtin_prefetch(via_of(c));
                    expanded = true;
                }
            }
        }
        list.swap(next);
    }
    out.reserve(out.size() + list.size());
    for (const std::uint64_t item : list) {
        out.push_back(static_cast<EdgeId>(item));
    }
}

std::size_t CchMetric::memory_bytes() const {
    return (weight_.size() + perfect_.size()) * sizeof(double) +
           (via_.size() + perfect_via_.size()) * sizeof(Via) +
           (q_first_[0].size() + q_first_[1].size()) * sizeof(std::uint32_t) +
           query_arc_count() * (sizeof(double) + 2 * sizeof(std::uint32_t)) + dropped_.size();
}

}  // namespace swarm::routing
