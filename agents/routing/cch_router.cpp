#include "agents/routing/cch_router.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace swarm::routing {

namespace {
constexpr std::uint32_t kNone = CchTopology::kNone;
// The first walk prunes at this multiple of the pair's landmark bound. When the route it finds
// is slower than that, another walk prunes at that route's time; when it finds none, at a 5 %
// higher limit (twice at most, then at no limit). On the grid city 1.01 to 1.02 scanned the
// fewest arcs (docs/routing.md).
constexpr double kFirstLimit = 1.01;
constexpr double kLimitGrowth = 1.05;
// nodes with fewer query arcs are relaxed without computing their bound (cheaper)
constexpr std::uint32_t kBoundMinArcs = 4;
}  // namespace

CchRouter::CchRouter(std::shared_ptr<const CchMetric> free_flow,
                     std::shared_ptr<const Landmarks> landmarks,
                     std::shared_ptr<const Landmarks> ranked)
    : topology_(free_flow ? free_flow->shared_topology() : nullptr),
      free_flow_(std::move(free_flow)),
      ranked_(std::move(ranked)),
      fallback_(free_flow_ ? free_flow_->topology().network()
                           : throw std::invalid_argument("CchRouter: no metric"),
                std::move(landmarks)),
      label_(topology_->node_count(), {kUnreachable, kUnreachable}),
      bucket_first_(topology_->node_count(), 0),
      bucket_stamp_(topology_->node_count(), 0) {
    for (WalkLog& log : log_) {
        log.tail.resize(topology_->tree_height());
        log.start.resize(topology_->tree_height());
    }
    const Landmarks* lm = fallback_.landmarks();
    if (!ranked_ && lm != nullptr && lm->count() > 0) {
        ranked_ = std::make_shared<const Landmarks>(lm->reordered(topology_->order()));
    }
    if (ranked_ && (ranked_->count() == 0 ||
                    (lm != nullptr && ranked_->nodes().size() != lm->nodes().size()))) {
        ranked_.reset();
    }
}

void CchRouter::check_metric(const CchMetric& metric) const {
    if (metric.shared_topology() != topology_) {
        throw std::invalid_argument("CchRouter: the metric belongs to another topology");
    }
}

double CchRouter::set_bounds(std::uint32_t from, std::uint32_t to, const CchMetric& metric) {
    Bounds& b = bounds_;
    b.active = 0;
    if (!ranked_) {
        return 0.0;
    }
    const Landmarks& lm = *ranked_;  // rows by rank
    b.slack = lm.slack_s();
    b.scale = metric.bound_ratio();
    // rank every landmark by its bound on from -> to, keep the best few (as ALT does)
    std::array<std::pair<double, std::uint32_t>, 64> ranked{};
    const std::size_t count = std::min<std::size_t>(lm.count(), ranked.size());
    for (std::uint32_t i = 0; i < count; ++i) {
        const double a = static_cast<double>(lm.to_landmark(from, i)) -
                         static_cast<double>(lm.to_landmark(to, i));
        const double c = static_cast<double>(lm.from_landmark(to, i)) -
                         static_cast<double>(lm.from_landmark(from, i));
        // NaN (both unreachable) ranks last
        const double d = std::max(a == a ? a : -kUnreachable, c == c ? c : -kUnreachable);
        ranked[i] = {d, i};
    }
    const std::size_t keep = std::min(Bounds::kMax, count);
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                      ranked.begin() + static_cast<std::ptrdiff_t>(count),
                      [](const auto& x, const auto& y) {
                          return x.first != y.first ? x.first > y.first : x.second < y.second;
                      });
    for (std::size_t k = 0; k < keep; ++k) {
        const std::uint32_t i = ranked[k].second;
        b.index[k] = i;
        b.to_t[k] = lm.to_landmark(to, i);
        b.from_t[k] = lm.from_landmark(to, i);
        b.to_s[k] = lm.to_landmark(from, i);
        b.from_s[k] = lm.from_landmark(from, i);
    }
    b.active = keep;
    return ranked[0].first > b.slack ? b.scale * (ranked[0].first - b.slack) : 0.0;
}

inline double CchRouter::bound(std::uint32_t x, unsigned dir) const {
    const Bounds& b = bounds_;
    const float* row = ranked_->row(x);
    // ALT: d(x, t) >= d(x, L) - d(t, L) and d(L, t) - d(L, x); d(s, x) likewise. Infinite
    // terms are right (x cannot reach t); NaN terms fail the comparison and drop out.
    double best = 0.0;
    for (std::size_t k = 0; k < b.active; ++k) {
        const std::size_t i = b.index[k];
        const double to_l = static_cast<double>(row[2 * i]);
        const double from_l = static_cast<double>(row[2 * i + 1]);
        const double u = dir == 0 ? to_l - b.to_t[k] : b.to_s[k] - to_l;
        const double v = dir == 0 ? b.from_t[k] - from_l : from_l - b.from_s[k];
        if (u > best) {
            best = u;
        }
        if (v > best) {
            best = v;
        }
    }
    return best > b.slack ? b.scale * (best - b.slack) : 0.0;
}

template <bool kPath>
double CchRouter::search(std::uint32_t s, std::uint32_t t, const CchMetric& metric) {
    stats_ = {};
    bounds_.active = 0;
    const bool prune = topology_->depth(s) + topology_->depth(t) >= prune_min_depth_;
    const double lower = prune ? set_bounds(s, t, metric) : 0.0;
    double limit = lower > 0.0 ? kFirstLimit * lower : kUnreachable;
    int grown = 0;
    for (;;) {
        const double best = walk<kPath>(s, t, metric, limit);
        if (best <= limit) {
            return best;
        }
        // the limit was below the fastest time: walk again, pruning only what cannot beat the
        // route found (a real one), or at a higher limit when none was found (the walk left
        // every label reset)
        if (best == kUnreachable && grown < 2) {
            ++grown;
            limit *= kLimitGrowth;
        } else {
            limit = best;
        }
    }
}

// Relaxes x's upward arcs in one direction (0: forward, up weights; 1: backward, down).
// Pruned when nothing through x can beat the best meeting found so far or stay within the
// limit: the label plus a lower bound on the rest is a lower bound on any route through x, and
// every node of a fastest route within the limit passes both tests, so a walk finds it (exact
// for every result <= limit).
template <bool kPath>
inline void CchRouter::relax(std::uint32_t x, unsigned dir, const CchMetric& metric, double limit,
                             bool bounded) {
    const double best = best_;
    const auto first = metric.query_first(dir);
    std::array<double, 2>* label = label_.data();
    const double dx = label[x][dir];
    if (dx >= best || dx > limit) {
        return;  // most nodes of a walk (unreached, or pruned before)
    }
    // the next node on this tree path: its arcs and bound row start a new stream, a cache miss
    // each that overlaps with this node's work when asked for now
    if (const std::uint32_t next = topology_->parent(x); next != kNone) {
        __builtin_prefetch(metric.query_weights(dir).data() + first[next]);
        __builtin_prefetch(metric.query_heads(dir).data() + first[next]);
        if (bounded) {
            __builtin_prefetch(ranked_->row(next));
        }
    }
    const std::uint32_t begin = first[x];
    const std::uint32_t end = first[x + 1];
    if (bounded && end - begin >= kBoundMinArcs) {
        const double h = dx + bound(x, dir);
        if (h >= best || h > limit) {
            return;
        }
    }
    ++stats_.settled;
    const double* weight = metric.query_weights(dir).data();
    const std::uint32_t* head = metric.query_heads(dir).data();
    std::uint32_t* log_head = nullptr;
    std::uint32_t logged = 0;
    if constexpr (kPath) {
        WalkLog& log = log_[dir];
        if (log.size + (end - begin) > log.head.size()) {
            log.head.resize(2 * (log.size + (end - begin)));
        }
        log.tail[log.relaxed] = x;
        log.start[log.relaxed] = log.size;
        ++log.relaxed;
        log_head = log.head.data();
        logged = log.size;
    }
    // Without branches on the labels (about one arc in six improves one, unpredictably): the
    // label is rewritten either way, and a path's log entry written and kept only when it
    // improved. y lies above both x and the other side's labelled nodes: a label from each
    // side is a route, found long before the walks join, which prunes them early. Only an
    // improved label can beat best_ (the pair of labels it replaces was checked when the later
    // of the two was set), so the meeting test needs no improvement test: the same meetings as
    // when it was inside one.
    double best_route = best_;
    std::uint32_t meet = meet_;
    if constexpr (kPath) {
        // the meetings are looked for among the improved labels only, after the loop: the
        // log holds exactly those, in arc order, so the same meetings (the first strictly
        // better one) at about a sixth of the tests, and no chain of minima through the arc
        // loop (5.7 % fewer instructions per path query on the grid city; a time-only query
        // has no log to read them from)
        const std::uint32_t first_logged = logged;
        for (std::uint32_t a = begin; a < end; ++a) {
            const double via = dx + weight[a];
            const std::uint32_t y = head[a];
            const double old = label[y][dir];
            const bool better = via < old;
            label[y][dir] = better ? via : old;
            log_head[logged] = y;
            logged += better ? 1u : 0u;
        }
        log_[dir].size = logged;
        for (std::uint32_t i = first_logged; i < logged; ++i) {
            const std::uint32_t y = log_head[i];
            if (const double route = label[y][0] + label[y][1]; route < best_route) {
                best_route = route;
                meet = y;
            }
        }
    } else {
        for (std::uint32_t a = begin; a < end; ++a) {
            const double via = dx + weight[a];
            const std::uint32_t y = head[a];
            const double old = label[y][dir];
            label[y][dir] = via < old ? via : old;
            if (const double route = via + label[y][dir ^ 1]; route < best_route) {
                best_route = route;
                meet = y;
            }
        }
    }
    best_ = best_route;
    meet_ = meet;
}

template <bool kPath>
double CchRouter::walk(std::uint32_t s, std::uint32_t t, const CchMetric& metric, double limit) {
    const auto parent = topology_->parents();
    best_ = kUnreachable;
    meet_ = kNone;
    if constexpr (kPath) {
        for (WalkLog& log : log_) {
            log.size = 0;
            log.relaxed = 0;
        }
    }
    const bool bounded = bounds_.active > 0 && limit != kUnreachable;
    label_[s][0] = 0.0;
    label_[t][1] = 0.0;
    // walk both tree paths in increasing rank: they join at the lowest common ancestor, and
    // only common ancestors can be meeting nodes (relax() finds meetings as labels improve;
    // s and t themselves, when one is an ancestor of the other, are found here). A label is
    // read only up to its node's own relaxation (later nodes lie above it), so each is reset
    // right after: the walk leaves every label at +inf, with no second pass over the paths.
    std::array<double, 2>* label = label_.data();
    std::uint32_t x = s;
    std::uint32_t y = t;
    while (x != kNone || y != kNone) {
        if (x == y) {
            if (label[x][0] + label[x][1] < best_) {
                best_ = label[x][0] + label[x][1];
                meet_ = x;
            }
            relax<kPath>(x, 0, metric, limit, bounded);
            relax<kPath>(x, 1, metric, limit, bounded);
            label[x] = {kUnreachable, kUnreachable};
            x = parent[x];
            y = x;
        } else if (y == kNone || (x != kNone && x < y)) {
            relax<kPath>(x, 0, metric, limit, bounded);
            label[x][0] = kUnreachable;
            x = parent[x];
        } else {
            relax<kPath>(y, 1, metric, limit, bounded);
            label[y][1] = kUnreachable;
            y = parent[y];
        }
    }
    return best_;
}

double CchRouter::walk_back(std::uint32_t t, const CchMetric& metric, double limit) {
    // label_ holds the source's whole forward walk: every node of t's tree path with a forward
    // label is a common ancestor, so meetings need no join test
    best_ = kUnreachable;
    meet_ = kNone;
    const bool bounded = bounds_.active > 0 && limit != kUnreachable;
    label_[t][1] = 0.0;
    for (std::uint32_t x = t; x != kNone; x = topology_->parent(x)) {
        if (label_[x][0] + label_[x][1] < best_) {
            best_ = label_[x][0] + label_[x][1];
            meet_ = x;
        }
        relax<false>(x, 1, metric, limit, bounded);
    }
    return best_;
}

void CchRouter::clear_back(std::uint32_t t) {
    for (std::uint32_t x = t; x != kNone; x = topology_->parent(x)) {
        label_[x][1] = kUnreachable;
    }
}

void CchRouter::read_back(unsigned dir, std::uint32_t start, const CchMetric& metric) {
    const WalkLog& log = log_[dir];
    const auto first = metric.query_first(dir);
    const auto heads = metric.query_heads(dir);
    const auto slots = metric.query_slots(dir);
    std::uint32_t k = log.size;
    std::uint32_t r = log.relaxed;
    // a label was set by its last improvement, made by a node relaxed earlier: one pass back
    for (std::uint32_t y = meet_; y != start;) {
        while (k > 0 && log.head[--k] != y) {
        }
        if (log.head[k] != y || r == 0) {
            throw std::logic_error("CchRouter: a path's arc is missing from the walk's log");
        }
        while (log.start[r - 1] > k) {
            --r;
        }
        const std::uint32_t x = log.tail[r - 1];
        const auto end = heads.begin() + first[x + 1];
        const auto arc = std::lower_bound(heads.begin() + first[x], end, y);
        if (arc == end || *arc != y) {
            throw std::logic_error("CchRouter: a path's arc is missing from its tail's arcs");
        }
        slots_.push_back(slots[static_cast<std::size_t>(arc - heads.begin())]);
        y = x;
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
    const double best = search<true>(s, t, metric);
    if (best != kUnreachable) {
        // up arcs from s to the meeting node, then down arcs to t
        slots_.clear();
        read_back(0, s, metric);
        std::reverse(slots_.begin(), slots_.end());
        read_back(1, t, metric);
        metric.unpack(slots_, route.edges, unpack_scratch_);
        route.found = true;
        route.travel_time_s = best;
        const auto lengths = network().lengths_m();
        double length = 0.0;
        for (const EdgeId e : route.edges) {
            length += lengths[e];
        }
        route.length_m = length;
    }
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
    return search<false>(s, t, metric);
}

void CchRouter::fill_buckets(std::span<const NodeId> targets, const CchMetric& metric) {
    const CchTopology& top = *topology_;
    const auto first = metric.query_first(1);
    const double* weight = metric.query_weights(1).data();
    const std::uint32_t* head = metric.query_heads(1).data();
    const auto parent = top.parents();
    entries_.clear();
    for (std::uint32_t i = 0; i < targets.size(); ++i) {
        const std::uint32_t t = top.rank(targets[i]);
        label_[t][1] = 0.0;
        for (std::uint32_t x = t; x != kNone; x = parent[x]) {
            ++stats_.settled;
            const double dx = label_[x][1];
            if (dx == kUnreachable) {
                continue;
            }
            entries_.push_back({x, i, dx});
            for (std::uint32_t a = first[x], end = first[x + 1]; a < end; ++a) {
                const double d = dx + weight[a];
                if (d < label_[head[a]][1]) {
                    label_[head[a]][1] = d;
                }
            }
        }
        for (std::uint32_t x = t; x != kNone; x = parent[x]) {
            label_[x][1] = kUnreachable;
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
    const double* weight = metric.query_weights(0).data();
    const std::uint32_t* head = metric.query_heads(0).data();
    const auto parent = top.parents();
    std::fill(out.begin(), out.end(), kUnreachable);
    const std::uint32_t s = top.rank(from);
    label_[s][0] = 0.0;
    for (std::uint32_t x = s; x != kNone; x = parent[x]) {
        ++stats_.settled;
        const double dx = label_[x][0];
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
            const double d = dx + weight[a];
            if (d < label_[head[a]][0]) {
                label_[head[a]][0] = d;
            }
        }
    }
    for (std::uint32_t x = s; x != kNone; x = parent[x]) {
        label_[x][0] = kUnreachable;
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
    if (!ranked_ || 2 * topology_->depth(topology_->rank(from)) < prune_min_depth_) {
        fill_buckets(targets, metric);
        scan_buckets(from, out, metric);
        for (double& o : out) {
            if (o > max_time_s) {
                o = kUnreachable;
            }
        }
        return;
    }
    // with bounds: the source's forward walk once, whole, then per target a backward walk
    // pruned like a point-to-point query's (about half of one); cheaper than filling buckets
    // with every target's whole walk (docs/routing.md)
    const std::uint32_t s = topology_->rank(from);
    label_[s][0] = 0.0;
    best_ = kUnreachable;
    for (std::uint32_t x = s; x != kNone; x = topology_->parent(x)) {
        relax<false>(x, 0, metric, kUnreachable, false);
    }
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const std::uint32_t t = topology_->rank(targets[i]);
        if (t == s) {
            out[i] = 0.0;
            continue;
        }
        const double lower = set_bounds(s, t, metric);
        if (lower > max_time_s) {
            out[i] = kUnreachable;
            continue;
        }
        double limit = lower > 0.0 ? kFirstLimit * lower : kUnreachable;
        for (int grown = 0;;) {
            const double best = walk_back(t, metric, limit);
            clear_back(t);
            if (best <= limit) {
                out[i] = best > max_time_s ? kUnreachable : best;
                break;
            }
            if (best == kUnreachable && grown < 2) {
                ++grown;
                limit *= kLimitGrowth;
            } else {
                limit = best;
            }
        }
    }
    for (std::uint32_t x = s; x != kNone; x = topology_->parent(x)) {
        label_[x][0] = kUnreachable;
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
