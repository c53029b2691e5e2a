#include "agents/routing/router.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "agents/routing/astar_router.hpp"
#include "agents/routing/cch_metric.hpp"
#include "agents/routing/cch_router.hpp"
#include "agents/routing/cch_topology.hpp"
#include "agents/routing/dijkstra.hpp"
#include "agents/routing/landmarks.hpp"

namespace swarm::routing {

double override_ratio(const world::RoadNetwork& network, std::span<const float> travel_time_s) {
    if (travel_time_s.size() != network.edge_count()) {
        throw std::invalid_argument("override_ratio: travel_time_s size differs from edge count");
    }
    double ratio = kUnreachable;
    for (EdgeId e = 0; e < travel_time_s.size(); ++e) {
        const float t = travel_time_s[e];
        if (!(t >= 0.0f) || !std::isfinite(t)) {
            throw std::invalid_argument("override_ratio: travel times must be finite and >= 0");
        }
        const double free_flow = network.travel_time_s(e);
        if (free_flow > 0.0) {
            ratio = std::min(ratio, static_cast<double>(t) / free_flow);
        }
    }
    // one ulp of the division must not make the bound overestimate
    return ratio == kUnreachable ? 1.0 : ratio * (1.0 - 1e-12);
}

double static_time_ratio(const world::RoadNetwork& network, const RouteView& view) {
    double ratio = 1.0;
    if (!view.travel_time_s.empty()) {
        ratio = view.min_time_ratio >= 0.0 ? view.min_time_ratio
                                           : override_ratio(network, view.travel_time_s);
    }
    if (view.has_classes()) {
        // the smallest factor of any class bounds every edge's (a few dozen classes)
        const float smallest =
            *std::min_element(view.class_factor.begin(), view.class_factor.end());
        ratio *= static_cast<double>(smallest) * (1.0 - 1e-9);
    }
    return ratio;
}

RouteView make_view(const world::RoadNetwork& network, const world::EdgeMask* closed,
                    std::span<const float> travel_time_s) {
    RouteView view;
    view.closed = closed;
    view.travel_time_s = travel_time_s;
    view.min_time_ratio = travel_time_s.empty() ? 1.0 : override_ratio(network, travel_time_s);
    return view;
}

RouterFactory::RouterFactory(const world::RoadNetwork& network, const RouterOptions& options)
    : network_(&network), options_(options) {
    if (options.kind != RouterKind::kDijkstra && options.landmark_count > 0 &&
        network.node_count() > 0) {
        landmarks_ = std::make_shared<const Landmarks>(
            Landmarks::build(network, options.landmark_count, options.seed));
    }
    if (options.kind == RouterKind::kCch) {
        cch_topology_ = std::make_shared<const CchTopology>(network, options.seed);
        // customized once and queried most: worth the perfect customization
        cch_free_flow_ = std::make_shared<const CchMetric>(cch_topology_, RouteView{},
                                                           CchMetric::Mode::kPerfect);
        if (landmarks_) {
            // the rows by rank, shared by every CchRouter (their bounds prune the tree walks)
            cch_landmarks_ =
                std::make_shared<const Landmarks>(landmarks_->reordered(cch_topology_->order()));
        }
    }
}

RouterFactory::~RouterFactory() = default;
RouterFactory::RouterFactory(RouterFactory&&) noexcept = default;
RouterFactory& RouterFactory::operator=(RouterFactory&&) noexcept = default;

std::unique_ptr<Router> RouterFactory::make() const {
    switch (options_.kind) {
        case RouterKind::kDijkstra:
            return std::make_unique<DijkstraRouter>(*network_);
        case RouterKind::kCch:
            return make_cch();
        case RouterKind::kAStar:
            break;
    }
    return std::make_unique<AStarRouter>(*network_, landmarks_);
}

std::unique_ptr<CchRouter> RouterFactory::make_cch() const {
    if (options_.kind != RouterKind::kCch) {
        throw std::logic_error("RouterFactory::make_cch: the factory was not made for kCch");
    }
    return std::make_unique<CchRouter>(cch_free_flow_, landmarks_, cch_landmarks_);
}

void Router::travel_time_matrix(std::span<const NodeId> sources, std::span<const NodeId> targets,
                                std::span<double> out, const RouteView& view) {
    if (out.size() != sources.size() * targets.size()) {
        throw std::invalid_argument("travel_time_matrix: out size differs from sources x targets");
    }
    for (std::size_t i = 0; i < sources.size(); ++i) {
        travel_times(sources[i], targets, out.subspan(i * targets.size(), targets.size()), view);
    }
}

std::unique_ptr<Router> make_router(const world::RoadNetwork& network,
                                    const RouterOptions& options) {
    return RouterFactory(network, options).make();
}

RouteCheck check_route(const world::RoadNetwork& network, NodeId from, NodeId to,
                       std::span<const EdgeId> edges, const RouteView& view) {
    RouteCheck check;
    NodeId at = from;
    for (const EdgeId e : edges) {
        if (e >= network.edge_count() || network.source(e) != at ||
            (view.closed != nullptr && view.closed->test(e))) {
            return check;
        }
        check.travel_time_s += edge_time_at(network, view, e, check.travel_time_s);
        check.length_m += network.length_m(e);
        at = network.target(e);
    }
    check.valid = at == to;
    return check;
}

void Router::check_view(const world::RoadNetwork& network, const RouteView& view) {
    detail::check_view(network, view);
}

void detail::check_view(const world::RoadNetwork& network, const RouteView& view) {
    if (view.closed != nullptr && view.closed->size() != network.edge_count()) {
        throw std::invalid_argument("RouteView: closed mask size differs from edge count");
    }
    if (!view.travel_time_s.empty() && view.travel_time_s.size() != network.edge_count()) {
        throw std::invalid_argument("RouteView: travel_time_s size differs from edge count");
    }
    if (view.has_classes()) {
        if (view.edge_class.size() != network.edge_count()) {
            throw std::invalid_argument("RouteView: edge_class size differs from edge count");
        }
        for (const float f : view.class_factor) {
            if (!(f > 0.0F) || !std::isfinite(f)) {
                throw std::invalid_argument("RouteView: class factors must be finite and > 0");
            }
        }
    }
    if (view.time_dependent() && (!(view.speed_factor > 0.0) || !std::isfinite(view.speed_factor) ||
                                  !std::isfinite(view.depart_s))) {
        throw std::invalid_argument(
            "RouteView: speed_factor must be finite and > 0, depart_s finite");
    }
}

void Router::check_node(const world::RoadNetwork& network, NodeId node) {
    if (node >= network.node_count()) {
        throw std::out_of_range("router: node id out of range");
    }
}

}  // namespace swarm::routing
