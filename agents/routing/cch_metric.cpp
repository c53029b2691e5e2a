#include "agents/routing/cch_metric.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

namespace swarm::routing {

CchMetric::CchMetric(std::shared_ptr<const CchTopology> topology, const RouteView& view)
    : topology_(std::move(topology)) {
    if (!topology_) {
        throw std::invalid_argument("CchMetric: no topology");
    }
    customize(view);
}

void CchMetric::customize(const RouteView& view) {
    const CchTopology& top = *topology_;
    const world::RoadNetwork& net = top.network();
    detail::check_view(net, view);
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
    customize_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void CchMetric::unpack(std::uint32_t slot, std::vector<EdgeId>& out) const {
    const CchTopology& top = *topology_;
    // explicit stack, last pushed = next driven
    std::vector<std::uint32_t> stack{slot};
    while (!stack.empty()) {
        const std::uint32_t s = stack.back();
        stack.pop_back();
        const std::uint32_t v = via_[s];
        if ((v & kShortcut) == 0) {
            out.push_back(v);
            continue;
        }
        const std::uint32_t z = v & ~kShortcut;
        const std::uint32_t arc = s / 2;
        const std::uint32_t zx = top.find_arc(z, top.tail(arc));
        const std::uint32_t zy = top.find_arc(z, top.head(arc));
        if ((s & 1u) == 0) {
            // x -> z (down on (z, x)), then z -> y (up on (z, y))
            stack.push_back(2 * zy);
            stack.push_back(2 * zx + 1);
        } else {
            // y -> z (down on (z, y)), then z -> x (up on (z, x))
            stack.push_back(2 * zx);
            stack.push_back(2 * zy + 1);
        }
    }
}

std::size_t CchMetric::memory_bytes() const {
    return weight_.size() * sizeof(double) + via_.size() * sizeof(std::uint32_t);
}

}  // namespace swarm::routing
