// Customization of a CchTopology for one metric: the up and down weight of every supergraph
// arc under a RouteView (the same edge_time() and closures every router uses), found by
// enumerating lower triangles bottom-up. Keeps, per arc and direction, what realises the
// weight (an original edge, or the middle node of a triangle) so paths unpack to EdgeIds.
//
// Perfect customization (Mode::kPerfect; Dibbelt et al., section 4.3) then lowers every arc
// weight to the true distance between its ends (through intermediate and upper triangles,
// top-down) and drops arc directions that a path over lower-span arcs matches; queries run on
// the arcs left. On the 100k grid city it costs about 3.5x the basic customization, keeps 62%
// of the arcs and makes queries 1.3x (with path) to 1.9x (time only) faster: worth it for the
// factory's free-flow metric (customized once), not for metrics re-customized per closure.
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
#include <utility>
#include <vector>

#include "agents/routing/cch_topology.hpp"
#include "agents/routing/router.hpp"

namespace swarm::routing {

class CchMetric {
  public:
    enum class Mode : std::uint8_t { kPerfect, kBasic };

    // customizes for the view (its referenced data is read now, not kept)
    explicit CchMetric(std::shared_ptr<const CchTopology> topology, const RouteView& view = {},
                       Mode mode = Mode::kBasic);

    // recomputes every weight for a new view; throws std::invalid_argument like the routers
    // for a view of the wrong size, and for a time-dependent view (no static metric)
    void customize(const RouteView& view);
    Mode mode() const { return mode_; }

    // the graph queries walk: per rank, the upward arcs kept, ids [query_first(r),
    // query_first(r + 1)); each with its head, up and down weight (2 per arc, +inf when that
    // direction was dropped) and its supergraph arc (for unpacking)
    std::span<const std::uint32_t> query_first() const { return q_first_; }
    std::span<const std::uint32_t> query_heads() const { return q_head_; }
    std::span<const double> query_weights() const { return q_weight_; }
    std::span<const std::uint32_t> query_arcs() const { return q_arc_; }

    const CchTopology& topology() const { return *topology_; }
    const std::shared_ptr<const CchTopology>& shared_topology() const { return topology_; }

    // basic weight of arc slot 2 * arc + dir (0: up, 1: down); +inf when closed or unconnected
    double weight(std::uint32_t slot) const { return weight_[slot]; }
    std::span<const double> weights() const { return weight_; }
    // the weight queries use: the perfect one (the distance between the arc's ends), or the
    // basic one in kBasic
    double query_weight(std::uint32_t slot) const {
        return perfect_.empty() ? weight_[slot] : perfect_[slot];
    }

    // appends the original edges of one arc direction (its query weight) in driving order;
    // `stack` is scratch the caller may keep to avoid an allocation per call
    using UnpackStack = std::vector<std::pair<std::uint32_t, bool>>;
    void unpack(std::uint32_t slot, std::vector<EdgeId>& out, UnpackStack& stack) const;
    void unpack(std::uint32_t slot, std::vector<EdgeId>& out) const {
        UnpackStack stack;
        unpack(slot, out, stack);
    }

    double customization_seconds() const { return customize_s_; }
    std::size_t memory_bytes() const;

  private:
    static constexpr std::uint32_t kShortcut = 0x80000000u;  // via: middle node (rank)

    void basic();
    void perfect();
    void build_query_graph();

    std::shared_ptr<const CchTopology> topology_;
    Mode mode_;
    std::vector<double> weight_;      // basic, 2 per arc
    std::vector<std::uint32_t> via_;  // EdgeId, or kShortcut | middle rank, or kNone
    // kPerfect: distances, and what realises them: kNone = the basic weight, else middle u
    // (up x -> y = basic x -> u + perfect u -> y; down y -> x = perfect y -> u + basic u -> x)
    std::vector<double> perfect_;
    std::vector<std::uint32_t> perfect_via_;
    std::vector<char> dropped_;  // per slot: a lower-span path matches it
    std::vector<std::uint32_t> q_first_;
    std::vector<std::uint32_t> q_head_;
    std::vector<double> q_weight_;
    std::vector<std::uint32_t> q_arc_;
    double customize_s_ = 0.0;
};

}  // namespace swarm::routing
