// Customization of a CchTopology for one metric: the up and down weight of every supergraph
// arc under a RouteView (the same edge_time() and closures every router uses), found by
// enumerating lower triangles bottom-up. Keeps, per arc and direction, what realises the
// weight (an original edge, or the middle node of a triangle) so paths unpack to EdgeIds.
//
// A metric is a value: build it once per view (free flow, a vehicle's known closures and
// learned times) and reuse it while that knowledge is unchanged; customize() again in place
// when it changes (a closure, a slowdown). Queries only read it, so one metric may serve many
// threads, but not while customize() runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "agents/routing/cch_topology.hpp"
#include "agents/routing/router.hpp"

namespace swarm::routing {

class CchMetric {
  public:
    // customizes for the view (its referenced data is read now, not kept)
    explicit CchMetric(std::shared_ptr<const CchTopology> topology, const RouteView& view = {});

    // recomputes every weight for a new view; throws std::invalid_argument like the routers
    // for a view of the wrong size
    void customize(const RouteView& view);

    const CchTopology& topology() const { return *topology_; }
    const std::shared_ptr<const CchTopology>& shared_topology() const { return topology_; }

    // weight of arc slot 2 * arc + dir (0: up, 1: down); +inf when closed or unconnected
    double weight(std::uint32_t slot) const { return weight_[slot]; }
    std::span<const double> weights() const { return weight_; }

    // appends the original edges of one arc direction in driving order
    void unpack(std::uint32_t slot, std::vector<EdgeId>& out) const;

    double customization_seconds() const { return customize_s_; }
    std::size_t memory_bytes() const;

  private:
    static constexpr std::uint32_t kShortcut = 0x80000000u;  // via: middle node (rank)

    std::shared_ptr<const CchTopology> topology_;
    std::vector<double> weight_;      // 2 per arc
    std::vector<std::uint32_t> via_;  // EdgeId, or kShortcut | middle rank, or kNone
    double customize_s_ = 0.0;
};

}  // namespace swarm::routing
