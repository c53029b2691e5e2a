#include "agents/routing/cch_router.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace swarm::routing {

namespace {
constexpr std::uint32_t kNone = CchTopology::kNone;
}  // namespace

CchRouter::CchRouter(std::shared_ptr<const CchMetric> free_flow,
                     std::shared_ptr<const Landmarks> landmarks)
    : topology_(free_flow ? free_flow->shared_topology() : nullptr),
      free_flow_(std::move(free_flow)),
      fallback_(free_flow_ ? free_flow_->topology().network()
                           : throw std::invalid_argument("CchRouter: no metric"),
                std::move(landmarks)),
      fwd_(topology_->node_count(), kUnreachable),
      bwd_(topology_->node_count(), kUnreachable),
      fwd_arc_(topology_->node_count(), kNone),
      bwd_arc_(topology_->node_count(), kNone),
      bucket_first_(topology_->node_count(), 0),
      bucket_stamp_(topology_->node_count(), 0) {}

void CchRouter::check_metric(const CchMetric& metric) const {
    if (metric.shared_topology() != topology_) {
        throw std::invalid_argument("CchRouter: the metric belongs to another topology");
    }
}

double CchRouter::search(std::uint32_t s, std::uint32_t t, const CchMetric& metric) {
    const auto parent = topology_->parents();
    stats_ = {};
    double best = kUnreachable;
    meet_ = kNone;
    // relaxes x's upward arcs in one direction (0: forward, up weights; 1: backward, down)
    const auto relax = [&](std::uint32_t x, std::vector<double>& dist,
                           std::vector<std::uint32_t>& arc_of, unsigned dir) {
        const double dx = dist[x];
        // pruned: nothing through x can beat the best meeting found so far
        if (dx >= best) {
            return;
        }
        const auto first = metric.query_first(dir);
        const CchMetric::QueryArc* arcs = metric.query_arcs(dir).data();
        for (std::uint32_t a = first[x], end = first[x + 1]; a < end; ++a) {
            const double d = dx + arcs[a].weight;
            const std::uint32_t y = arcs[a].head;
            if (d < dist[y]) {
                dist[y] = d;
                arc_of[y] = a;
                ++stats_.pushed;
            }
        }
    };
    fwd_[s] = 0.0;
    bwd_[t] = 0.0;
    // walk both tree paths in increasing rank: they join at the lowest common ancestor, and
    // only common ancestors can be meeting nodes
    std::uint32_t x = s;
    std::uint32_t y = t;
    while (x != kNone || y != kNone) {
        if (x == y) {
            stats_.settled += 2;
            if (fwd_[x] + bwd_[x] < best) {
                best = fwd_[x] + bwd_[x];
                meet_ = x;
            }
            relax(x, fwd_, fwd_arc_, 0);
            relax(x, bwd_, bwd_arc_, 1);
            x = parent[x];
            y = x;
        } else if (y == kNone || (x != kNone && x < y)) {
            ++stats_.settled;
            relax(x, fwd_, fwd_arc_, 0);
            x = parent[x];
        } else {
            ++stats_.settled;
            relax(y, bwd_, bwd_arc_, 1);
            y = parent[y];
        }
    }
    return best;
}

void CchRouter::clear(std::uint32_t s, std::uint32_t t) {
    const auto parent = topology_->parents();
    for (std::uint32_t x = s; x != kNone; x = parent[x]) {
        fwd_[x] = kUnreachable;
    }
    for (std::uint32_t x = t; x != kNone; x = parent[x]) {
        bwd_[x] = kUnreachable;
    }
}

Route CchRouter::fastest(NodeId from, NodeId to, const CchMetric& metric) {
    check_metric(metric);
    check_node(network(), from);
    check_node(network(), to);
    Route route;
    route.from = from;
    route.to = to;
    if (from == to) {
        stats_ = {};
        route.found = true;
        route.travel_time_s = 0.0;
        return route;
    }
    const CchTopology& top = *topology_;
    const std::uint32_t s = top.rank(from);
    const std::uint32_t t = top.rank(to);
    const double best = search(s, t, metric);
    if (best != kUnreachable) {
        // up arcs from s to the meeting node, then down arcs to t
        const auto up = metric.query_arcs(0);
        const auto down = metric.query_arcs(1);
        slots_.clear();
        for (std::uint32_t x = meet_; x != s;) {
            const std::uint32_t slot = up[fwd_arc_[x]].slot;
            slots_.push_back(slot);
            x = top.tail(slot / 2);
        }
        std::reverse(slots_.begin(), slots_.end());
        for (std::uint32_t x = meet_; x != t;) {
            const std::uint32_t slot = down[bwd_arc_[x]].slot;
            slots_.push_back(slot);
            x = top.tail(slot / 2);
        }
        for (const std::uint32_t slot : slots_) {
            metric.unpack(slot, route.edges, unpack_stack_);
        }
        route.found = true;
        route.travel_time_s = best;
        for (const EdgeId e : route.edges) {
            route.length_m += network().length_m(e);
        }
    }
    clear(s, t);
    return route;
}

double CchRouter::travel_time(NodeId from, NodeId to, const CchMetric& metric) {
    check_metric(metric);
    check_node(network(), from);
    check_node(network(), to);
    if (from == to) {
        stats_ = {};
        return 0.0;
    }
    const std::uint32_t s = topology_->rank(from);
    const std::uint32_t t = topology_->rank(to);
    const double best = search(s, t, metric);
    clear(s, t);
    return best;
}

void CchRouter::fill_buckets(std::span<const NodeId> targets, const CchMetric& metric) {
    const CchTopology& top = *topology_;
    const auto first = metric.query_first(1);
    const CchMetric::QueryArc* arcs = metric.query_arcs(1).data();
    const auto parent = top.parents();
    entries_.clear();
    for (std::uint32_t i = 0; i < targets.size(); ++i) {
        const std::uint32_t t = top.rank(targets[i]);
        bwd_[t] = 0.0;
        for (std::uint32_t x = t; x != kNone; x = parent[x]) {
            ++stats_.settled;
            const double dx = bwd_[x];
            if (dx == kUnreachable) {
                continue;
            }
            entries_.push_back({x, i, dx});
            for (std::uint32_t a = first[x], end = first[x + 1]; a < end; ++a) {
                const double d = dx + arcs[a].weight;
                if (d < bwd_[arcs[a].head]) {
                    bwd_[arcs[a].head] = d;
                    ++stats_.pushed;
                }
            }
        }
        for (std::uint32_t x = t; x != kNone; x = parent[x]) {
            bwd_[x] = kUnreachable;
        }
    }
    std::sort(entries_.begin(), entries_.end(), [](const BucketEntry& a, const BucketEntry& b) {
        return a.node != b.node ? a.node < b.node : a.target < b.target;
    });
    if (++bucket_generation_ == 0) {
        std::fill(bucket_stamp_.begin(), bucket_stamp_.end(), 0u);
        bucket_generation_ = 1;
    }
    for (std::uint32_t k = 0; k < entries_.size(); ++k) {
        const std::uint32_t x = entries_[k].node;
        if (bucket_stamp_[x] != bucket_generation_) {
            bucket_stamp_[x] = bucket_generation_;
            bucket_first_[x] = k;
        }
    }
}

void CchRouter::scan_buckets(NodeId from, std::span<double> out, const CchMetric& metric) {
    const CchTopology& top = *topology_;
    const auto first = metric.query_first(0);
    const CchMetric::QueryArc* arcs = metric.query_arcs(0).data();
    const auto parent = top.parents();
    std::fill(out.begin(), out.end(), kUnreachable);
    const std::uint32_t s = top.rank(from);
    fwd_[s] = 0.0;
    for (std::uint32_t x = s; x != kNone; x = parent[x]) {
        ++stats_.settled;
        const double dx = fwd_[x];
        if (dx == kUnreachable) {
            continue;
        }
        if (bucket_stamp_[x] == bucket_generation_) {
            for (std::size_t k = bucket_first_[x]; k < entries_.size() && entries_[k].node == x;
                 ++k) {
                double& o = out[entries_[k].target];
                o = std::min(o, dx + entries_[k].dist);
            }
        }
        for (std::uint32_t a = first[x], end = first[x + 1]; a < end; ++a) {
            const double d = dx + arcs[a].weight;
            if (d < fwd_[arcs[a].head]) {
                fwd_[arcs[a].head] = d;
                ++stats_.pushed;
            }
        }
    }
    for (std::uint32_t x = s; x != kNone; x = parent[x]) {
        fwd_[x] = kUnreachable;
    }
}

void CchRouter::travel_times(NodeId from, std::span<const NodeId> targets, std::span<double> out,
                             const CchMetric& metric, double max_time_s) {
    check_metric(metric);
    check_node(network(), from);
    if (out.size() != targets.size()) {
        throw std::invalid_argument("travel_times: out and targets differ in size");
    }
    for (const NodeId t : targets) {
        check_node(network(), t);
    }
    stats_ = {};
    fill_buckets(targets, metric);
    scan_buckets(from, out, metric);
    for (double& o : out) {
        if (o > max_time_s) {
            o = kUnreachable;
        }
    }
}

void CchRouter::travel_time_matrix(std::span<const NodeId> sources, std::span<const NodeId> targets,
                                   std::span<double> out, const CchMetric& metric) {
    check_metric(metric);
    if (out.size() != sources.size() * targets.size()) {
        throw std::invalid_argument("travel_time_matrix: out size differs from sources x targets");
    }
    for (const NodeId n : sources) {
        check_node(network(), n);
    }
    for (const NodeId n : targets) {
        check_node(network(), n);
    }
    stats_ = {};
    fill_buckets(targets, metric);
    for (std::size_t i = 0; i < sources.size(); ++i) {
        scan_buckets(sources[i], out.subspan(i * targets.size(), targets.size()), metric);
    }
}

Route CchRouter::fastest(NodeId from, NodeId to, const RouteView& view) {
    if (is_free_flow(view)) {
        return fastest(from, to, *free_flow_);
    }
    Route route = fallback_.fastest(from, to, view);
    stats_ = fallback_.last_stats();
    return route;
}

double CchRouter::travel_time(NodeId from, NodeId to, const RouteView& view) {
    if (is_free_flow(view)) {
        return travel_time(from, to, *free_flow_);
    }
    const double time = fallback_.travel_time(from, to, view);
    stats_ = fallback_.last_stats();
    return time;
}

void CchRouter::travel_times(NodeId from, std::span<const NodeId> targets, std::span<double> out,
                             const RouteView& view, double max_time_s) {
    if (is_free_flow(view)) {
        travel_times(from, targets, out, *free_flow_, max_time_s);
        return;
    }
    fallback_.travel_times(from, targets, out, view, max_time_s);
    stats_ = fallback_.last_stats();
}

void CchRouter::travel_time_matrix(std::span<const NodeId> sources, std::span<const NodeId> targets,
                                   std::span<double> out, const RouteView& view) {
    if (is_free_flow(view)) {
        travel_time_matrix(sources, targets, out, *free_flow_);
        return;
    }
    Router::travel_time_matrix(sources, targets, out, view);
}

}  // namespace swarm::routing
