// Customization of a CchTopology for one metric: the up and down weight of every supergraph
// arc under a RouteView (the same edge_time() and closures every router uses), found by
// enumerating lower triangles bottom-up. Keeps, per arc and direction, what realises the
// weight (an original edge, or the middle node of a triangle) so paths unpack to EdgeIds.
//
// Perfect customization (Mode::kPerfect; Dibbelt et al., section 4.3) then lowers every arc
// weight to the true distance between its ends (through intermediate and upper triangles,
// top-down) and drops every arc direction that a two-arc path of an intermediate or upper
// triangle matches (both legs > 0; the proof is at matched() in cch_metric.cpp); queries run
// on the arcs left. On the 100k grid city it costs about 2x the basic customization, keeps
// half of the arc directions and makes path queries about 2x faster: worth it for the
// factory's free-flow metric (customized once), not for metrics re-customized per closure,
// where the basic customization's time counts.
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

    // The graphs queries search, one per direction (0: forward, up weights; 1: backward, down
    // weights): per rank x, the upward arcs (x, head) kept in that direction, ids
    // [query_first(dir)[x], query_first(dir)[x + 1]) into query_arcs(dir); slot is the
    // supergraph arc slot (2 * arc + dir) for unpacking. Heads ascend per rank.
    struct QueryArc {
        double weight;
        std::uint32_t head;
        std::uint32_t slot;
    };
    std::span<const std::uint32_t> query_first(unsigned dir) const { return q_first_[dir]; }
    std::span<const QueryArc> query_arcs(unsigned dir) const { return q_arcs_[dir]; }
    // directed arcs kept for queries, both directions
    std::size_t query_arc_count() const { return q_arcs_[0].size() + q_arcs_[1].size(); }

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
    // what realises a slot's weight: two slots driven one after the other, or (first ==
    // kOriginal) the original edge `second`; stored whole so that unpacking never searches
    struct Via {
        std::uint32_t first;
        std::uint32_t second;
    };
    static constexpr std::uint32_t kOriginal = CchTopology::kNone;

    void basic();
    void perfect();
    void build_query_graph();

    std::shared_ptr<const CchTopology> topology_;
    Mode mode_;
    std::vector<double> weight_;  // basic, 2 per arc
    std::vector<Via> via_;        // of the basic weight (slots of a lower triangle, or an edge)
    // kPerfect: distances, and what realises them: first == kNone for the basic weight, else
    // two slots through an intermediate or upper triangle: for an up slot the first is read
    // at its basic weight and the second at its perfect one, for a down slot the reverse
    std::vector<double> perfect_;
    std::vector<Via> perfect_via_;
    std::vector<char> dropped_;  // per slot: a two-arc path matches it (left out of queries)
    std::vector<std::uint32_t> q_first_[2];
    std::vector<QueryArc> q_arcs_[2];
    double customize_s_ = 0.0;
};

}  // namespace swarm::routing
