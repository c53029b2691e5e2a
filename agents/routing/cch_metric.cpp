#include "agents/routing/cch_metric.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

namespace swarm::routing {

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
    const std::size_t slots = 2 * top.arc_count();
    weight_.assign(slots, kUnreachable);
    via_.assign(slots, CchTopology::kNone);
    // input arcs: the fastest open original edge per arc and direction (parallel edges)
    for (EdgeId e = 0; e < net.edge_count(); ++e) {
        const std::uint32_t slot = top.edge_slot(e);
        if (slot == CchTopology::kNone || (view.closed != nullptr && view.closed->test(e))) {
            continue;
        }
        const double t = edge_time(net, view, e);
        if (t < weight_[slot]) {
            weight_[slot] = t;
            via_[slot] = e;
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
    std::uint32_t* via = via_.data();
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
                    via[2 * k] = kShortcut | z;
                }
                const double down = w[2 * j + 1] + z_to_x;
                if (down < w[2 * k + 1]) {
                    w[2 * k + 1] = down;
                    via[2 * k + 1] = kShortcut | z;
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
    perfect_via_.assign(weight_.size(), CchTopology::kNone);
    dropped_.assign(weight_.size(), 0);
    const double* b = weight_.data();
    double* p = perfect_.data();
    std::uint32_t* via = perfect_via_.data();
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
                    via[2 * j] = u;
                }
                if (p[2 * k + 1] + b[2 * i + 1] < p[2 * j + 1]) {  // y -> u -> x
                    p[2 * j + 1] = p[2 * k + 1] + b[2 * i + 1];
                    via[2 * j + 1] = u;
                }
                if (b[2 * j] + p[2 * k + 1] < p[2 * i]) {  // x -> y -> u
                    p[2 * i] = b[2 * j] + p[2 * k + 1];
                    via[2 * i] = y;
                }
                if (p[2 * k] + b[2 * j + 1] < p[2 * i + 1]) {  // u -> y -> x
                    p[2 * i + 1] = p[2 * k] + b[2 * j + 1];
                    via[2 * i + 1] = y;
                }
            }
        }
        // x's arcs are final: drop a direction that x -> u -> y (both up) or y -> u -> x (both
        // down) matches through a lower-span arc pair; by induction on the span, a path of
        // kept arcs of the same weight remains, so up-down queries stay exact
        for (std::uint32_t i = first_up[x]; i < end; ++i) {
            const std::uint32_t u = heads[i];
            std::uint32_t k = first_up[u];
            for (std::uint32_t j = i + 1; j < end; ++j) {
                const std::uint32_t y = heads[j];
                while (heads[k] != y) {
                    ++k;
                }
                if (p[2 * i] + p[2 * k] <= p[2 * j]) {
                    dropped_[2 * j] = 1;
                }
                if (p[2 * k + 1] + p[2 * i + 1] <= p[2 * j + 1]) {
                    dropped_[2 * j + 1] = 1;
                }
            }
        }
    }
}

void CchMetric::build_query_graph() {
    const CchTopology& top = *topology_;
    const std::size_t n = top.node_count();
    q_first_.assign(n + 1, 0);
    q_head_.clear();
    q_weight_.clear();
    q_arc_.clear();
    for (std::uint32_t x = 0; x < n; ++x) {
        for (std::uint32_t a = top.first_up(x); a < top.first_up(x + 1); ++a) {
            double up = query_weight(2 * a);
            double down = query_weight(2 * a + 1);
            if (!dropped_.empty()) {
                up = dropped_[2 * a] != 0 ? kUnreachable : up;
                down = dropped_[2 * a + 1] != 0 ? kUnreachable : down;
            }
            if (up == kUnreachable && down == kUnreachable) {
                continue;
            }
            q_head_.push_back(top.head(a));
            q_weight_.push_back(up);
            q_weight_.push_back(down);
            q_arc_.push_back(a);
        }
        q_first_[x + 1] = static_cast<std::uint32_t>(q_head_.size());
    }
}

void CchMetric::unpack(std::uint32_t slot, std::vector<EdgeId>& out, UnpackStack& stack) const {
    const CchTopology& top = *topology_;
    // explicit stack, last pushed = next driven; second: the slot's perfect weight
    stack.clear();
    stack.emplace_back(slot, !perfect_via_.empty());
    // the slot for u -> w between two ranks joined by an arc
    const auto slot_of = [&](std::uint32_t from, std::uint32_t to) {
        return from < to ? 2 * top.find_arc(from, to) : 2 * top.find_arc(to, from) + 1;
    };
    while (!stack.empty()) {
        const auto [s, perfect] = stack.back();
        stack.pop_back();
        const std::uint32_t arc = s / 2;
        const std::uint32_t x = top.tail(arc);
        const std::uint32_t y = top.head(arc);
        const bool up = (s & 1u) == 0;
        if (perfect && perfect_via_[s] != CchTopology::kNone) {
            const std::uint32_t u = perfect_via_[s];
            if (up) {
                // x -> u basic, then u -> y perfect
                stack.emplace_back(slot_of(u, y), true);
                stack.emplace_back(slot_of(x, u), false);
            } else {
                // y -> u perfect, then u -> x basic
                stack.emplace_back(slot_of(u, x), false);
                stack.emplace_back(slot_of(y, u), true);
            }
            continue;
        }
        const std::uint32_t v = via_[s];
        if ((v & kShortcut) == 0) {
            out.push_back(v);
            continue;
        }
        const std::uint32_t z = v & ~kShortcut;
        if (up) {
            // x -> z, then z -> y
            stack.emplace_back(slot_of(z, y), false);
            stack.emplace_back(slot_of(x, z), false);
        } else {
            // y -> z, then z -> x
            stack.emplace_back(slot_of(z, x), false);
            stack.emplace_back(slot_of(y, z), false);
        }
    }
}

std::size_t CchMetric::memory_bytes() const {
    return (weight_.size() + perfect_.size() + q_weight_.size()) * sizeof(double) +
           (via_.size() + perfect_via_.size() + q_first_.size() + q_head_.size() + q_arc_.size()) *
               sizeof(std::uint32_t) +
           dropped_.size();
}

}  // namespace swarm::routing
