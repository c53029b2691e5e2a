// Who is within radio range of whom, rebuilt at each barrier (positions and conditions are
// frozen inside a window). It stands on the house's one spatial index (world::PointGrid)
// over the on-air agents, with cells a little larger than the range, so that an agent's
// neighbours lie in its own cell and the eight around it; clustered agents on a huge map
// get a sparse grid. Either way memory is O(agents).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "agents/comms/agent_graph.hpp"
#include "agents/comms/conditions.hpp"
#include "agents/world/point_grid.hpp"
#include "agents/world/road_network.hpp"

namespace swarm::comms {

class RadioGrid {
  public:
    // throws std::invalid_argument unless range_m is > 0 and finite
    explicit RadioGrid(double range_m);

    // Agent i is on air when online[i] != 0 (an empty span: everyone is online) and
    // conditions.radio_ok(positions[i]). Off-air agents neither hear nor are heard.
    // Throws std::invalid_argument if online is non-empty and of another size, or a
    // position is not finite.
    void rebuild(std::span<const world::Point> positions, const CommsConditions& conditions,
                 std::span<const std::uint8_t> online = {});

    [[nodiscard]] double range_m() const { return range_m_; }
    [[nodiscard]] std::size_t size() const { return grid_.size(); }
    [[nodiscard]] bool on_air(AgentIndex i) const { return grid_.placed(i); }
    [[nodiscard]] std::size_t on_air_count() const { return on_air_count_; }
    // whether the cells are a dense array (false: a map of occupied cells, for clustered
    // layouts)
    [[nodiscard]] bool dense() const { return grid_.dense(); }
    // the CommsConditions::version() the grid was built with
    [[nodiscard]] std::uint64_t conditions_version() const { return conditions_version_; }

    // On-air agents at distance <= range from i, ascending, without i; empty if i is off
    // air. `out` is cleared first (reuse it to avoid allocation).
    void neighbours(AgentIndex i, std::vector<AgentIndex>& out) const;
    // Calls fn(j) for the same agents as neighbours(), in grid order (deterministic but
    // not ascending), without allocating.
    template <class Fn>
    void for_each_neighbour(AgentIndex i, Fn&& fn) const {
        if (on_air(i)) {
            visit(i, grid_.position(i), fn);
        }
    }

    // the whole radio graph (off-air agents are isolated vertices)
    [[nodiscard]] AgentGraph graph() const;

  private:
    // the neighbours of on-air agent i at p
    template <class Fn>
    void visit(AgentIndex i, world::Point p, Fn&& fn) const {
        grid_.for_each_within(p, range_m_, [&](std::uint32_t j, world::Point) {
            if (j != i) {
                fn(static_cast<AgentIndex>(j));
            }
        });
    }

    double range_m_;
    world::PointGrid grid_;
    std::size_t on_air_count_ = 0;
    std::uint64_t conditions_version_ = 0;
};

}  // namespace swarm::comms
