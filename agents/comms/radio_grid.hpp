// Who is within radio range of whom: a uniform grid over agent positions, rebuilt at each
// barrier (positions and conditions are frozen inside a window). Cells are a little larger
// than the range, so an agent's neighbours lie in its own cell and the eight around it.
// Agents are stored sorted by (cell row, cell column, index), so the three cells of a row
// are one contiguous run. When the box around the agents has few cells per agent the cell
// starts are a dense array (counting sort, O(1) lookup); otherwise (agents clustered on a
// huge map) only occupied cells are kept, as sorted keys searched by bisection. Either
// way memory is O(agents).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "agents/comms/agent_graph.hpp"
#include "agents/comms/conditions.hpp"
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
    [[nodiscard]] std::size_t size() const { return positions_.size(); }
    [[nodiscard]] bool on_air(AgentIndex i) const { return cell_of_[i] != kOffAir; }
    [[nodiscard]] std::size_t on_air_count() const { return sorted_index_.size(); }
    // whether the cell starts are a dense array (false: sparse keys, for clustered layouts)
    [[nodiscard]] bool dense() const { return dense_; }
    // the CommsConditions::version() the grid was built with
    [[nodiscard]] std::uint64_t conditions_version() const { return conditions_version_; }

    // On-air agents at distance <= range from i, ascending, without i; empty if i is off
    // air. `out` is cleared first (reuse it to avoid allocation).
    void neighbours(AgentIndex i, std::vector<AgentIndex>& out) const;
    // Calls fn(j) for the same agents as neighbours(), in grid order (deterministic but
    // not ascending), without allocating.
    template <class Fn>
    void for_each_neighbour(AgentIndex i, Fn&& fn) const;

    // the whole radio graph (off-air agents are isolated vertices)
    [[nodiscard]] AgentGraph graph() const;

  private:
    static constexpr std::uint64_t kOffAir = ~std::uint64_t{0};
    static std::uint64_t key(std::uint32_t cx, std::uint32_t cy) {
        return (std::uint64_t{cy} << 32) | cx;
    }
    // the neighbours of on-air agent i at p in cell `own`
    template <class Fn>
    void visit(AgentIndex i, world::Point p, std::uint64_t own, Fn&& fn) const;
    // [first, last) in sorted_* of the agents in cells x_lo..x_hi of row y
    [[nodiscard]] std::pair<std::uint32_t, std::uint32_t> row_run(std::uint32_t x_lo,
                                                                  std::uint32_t x_hi,
                                                                  std::uint32_t y) const;

    double range_m_;
    double range2_;
    double inv_cell_;  // 1 / cell side
    world::Point origin_;
    std::vector<world::Point> positions_;  // by agent
    std::vector<std::uint64_t> cell_of_;   // by agent: cell key or kOffAir
    bool dense_ = true;
    std::uint32_t width_ = 0;                 // cells per row
    std::uint32_t height_ = 0;                // rows
    std::vector<std::uint64_t> cell_keys_;    // sparse: occupied cells, ascending
    std::vector<std::uint32_t> cell_start_;   // into sorted_*, by cell, + 1 (dense: y*width+x)
    std::vector<AgentIndex> sorted_index_;    // on-air agents by (cell, index)
    std::vector<std::uint64_t> sorted_cell_;  // their cells, same order
    std::vector<world::Point> sorted_pos_;    // their positions, same order
    std::uint64_t conditions_version_ = 0;
};

inline std::pair<std::uint32_t, std::uint32_t> RadioGrid::row_run(std::uint32_t x_lo,
                                                                  std::uint32_t x_hi,
                                                                  std::uint32_t y) const {
    if (dense_) {
        const std::size_t row = static_cast<std::size_t>(y) * width_;
        const std::uint32_t hi = x_hi < width_ ? x_hi : width_ - 1;
        return {cell_start_[row + x_lo], cell_start_[row + hi + 1]};
    }
    const auto lo = std::lower_bound(cell_keys_.begin(), cell_keys_.end(), key(x_lo, y));
    const auto hi = std::upper_bound(lo, cell_keys_.end(), key(x_hi, y));
    return {cell_start_[static_cast<std::size_t>(lo - cell_keys_.begin())],
            cell_start_[static_cast<std::size_t>(hi - cell_keys_.begin())]};
}

template <class Fn>
void RadioGrid::for_each_neighbour(AgentIndex i, Fn&& fn) const {
    const std::uint64_t own = cell_of_[i];
    if (own != kOffAir) {
        visit(i, positions_[i], own, fn);
    }
}

template <class Fn>
void RadioGrid::visit(AgentIndex i, world::Point p, std::uint64_t own, Fn&& fn) const {
    const auto cx = static_cast<std::uint32_t>(own);
    const auto cy = static_cast<std::uint32_t>(own >> 32);
    const std::uint32_t x_lo = cx > 0 ? cx - 1 : 0;
    const std::uint32_t y_lo = cy > 0 ? cy - 1 : 0;
    const std::uint32_t y_hi = cy + 1 < height_ ? cy + 1 : cy;
    for (std::uint32_t y = y_lo; y <= y_hi; ++y) {
        const auto [first, last] = row_run(x_lo, cx + 1, y);
        for (std::uint32_t k = first; k < last; ++k) {
            const double dx = sorted_pos_[k].x - p.x;
            const double dy = sorted_pos_[k].y - p.y;
            if ((dx * dx) + (dy * dy) <= range2_ && sorted_index_[k] != i) {
                fn(sorted_index_[k]);
            }
        }
    }
}

}  // namespace swarm::comms
