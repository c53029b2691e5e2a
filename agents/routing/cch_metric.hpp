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
    // [query_first(dir)[x], query_first(dir)[x + 1]) into the arrays below (separate, so that
    // a walk streams 12 bytes per arc); slot is the supergraph arc slot (2 * arc + dir), read
    // only to unpack a path. Heads ascend per rank.
    std::span<const std::uint32_t> query_first(unsigned dir) const { return q_first_[dir]; }
    std::span<const double> query_weights(unsigned dir) const { return q_weight_[dir]; }
    std::span<const std::uint32_t> query_heads(unsigned dir) const { return q_head_[dir]; }
    std::span<const std::uint32_t> query_slots(unsigned dir) const { return q_slot_[dir]; }
    // directed arcs kept for queries, both directions
    std::size_t query_arc_count() const { return q_head_[0].size() + q_head_[1].size(); }

    // static_time_ratio() of the view customized for: scales free-flow lower bounds (the
    // router's landmark pruning) so that they stay admissible for this metric
    double bound_ratio() const { return bound_ratio_; }

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

    // appends the original edges of arc directions (their query weights, one after the other)
    // in driving order. Expands level by level, so that the reads of one level are
    // independent (overlapping cache misses), not one dependent read per step; `scratch` is
    // the caller's to keep, to avoid allocations per call.
    struct UnpackScratch {
        std::vector<std::uint64_t> list;
        std::vector<std::uint64_t> next;
    };
    void unpack(std::span<const std::uint32_t> slots, std::vector<EdgeId>& out,
                UnpackScratch& scratch) const;
    void unpack(std::uint32_t slot, std::vector<EdgeId>& out) const {
        UnpackScratch scratch;
        unpack(std::span(&slot, 1), out, scratch);
    }

    double customization_seconds() const { return customize_s_; }
    std::size_t memory_bytes() const;

  private:
    // what realises a slot's weight: two children driven one after the other, or (first ==
    // kOriginal) the original edge `second`; stored whole so that unpacking never searches.
    // A child is a slot, read at its perfect weight (perfect_via_) when tagged with
    // kPerfectBit, else at its basic one (via_); or, tagged with kEdgeBit, the original edge
    // that child slot stands for, so that unpacking reads no Via just to find an edge (about
    // half of a path's reads, all of them cache misses on a large network).
    struct Via {
        std::uint32_t first;
        std::uint32_t second;
    };
    static constexpr std::uint32_t kOriginal = CchTopology::kNone;
    static constexpr std::uint32_t kPerfectBit = 0x80000000u;
    static constexpr std::uint32_t kEdgeBit = 0x40000000u;  // slots and edge ids stay below
    // the child that stands for `slot` (whose Via is final): its edge when it is one, else the
    // slot with `tag`
    static std::uint32_t child(const Via& via, std::uint32_t slot, std::uint32_t tag) {
        return via.first == kOriginal ? (kEdgeBit | via.second) : (slot | tag);
    }

    void basic();
    void perfect();
    void build_query_graph();

    std::shared_ptr<const CchTopology> topology_;
    Mode mode_;
    std::vector<double> weight_;  // basic, 2 per arc
    std::vector<Via> via_;        // of the basic weight (slots of a lower triangle, or an edge)
    // kPerfect: distances, and what realises them: the basic Via when the basic weight is the
    // distance, else two slots through an intermediate or upper triangle: for an up slot the
    // first read at its basic weight and the second at its perfect one (tagged), for a down
    // slot the reverse
    std::vector<double> perfect_;
    std::vector<Via> perfect_via_;
    std::vector<char> dropped_;  // per slot: a two-arc path matches it (left out of queries)
    std::vector<std::uint32_t> q_first_[2];
    std::vector<double> q_weight_[2];
    std::vector<std::uint32_t> q_head_[2];
    std::vector<std::uint32_t> q_slot_[2];
    double bound_ratio_ = 1.0;
    double customize_s_ = 0.0;
};

}  // namespace swarm::routing
