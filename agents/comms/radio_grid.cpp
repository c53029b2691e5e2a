#include "agents/comms/radio_grid.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace swarm::comms {

namespace {

// Cells are this much wider than the range: two points at distance exactly `range` can
// then never land two cells apart through rounding of (x - origin) / cell.
constexpr double kCellSlack = 1.0 + 1e-9;

}  // namespace

RadioGrid::RadioGrid(double range_m) : range_m_(range_m) {
    if (!(range_m > 0.0) || !std::isfinite(range_m)) {
        throw std::invalid_argument("radio grid: range must be > 0 and finite, got " +
                                    std::to_string(range_m));
    }
}

void RadioGrid::rebuild(std::span<const world::Point> positions, const CommsConditions& conditions,
                        std::span<const std::uint8_t> online) {
    const std::size_t n = positions.size();
    if (!online.empty() && online.size() != n) {
        throw std::invalid_argument("radio grid: " + std::to_string(online.size()) +
                                    " online flags for " + std::to_string(n) + " agents");
    }
    if (n >= kUnreachable) {
        throw std::invalid_argument("radio grid: too many agents");
    }
    conditions_version_ = conditions.version();

    // who is on air, and the box around them
    std::vector<std::uint8_t> listening(n, 0);
    world::BoundingBox box{{0.0, 0.0}, {0.0, 0.0}};
    on_air_count_ = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const world::Point p = positions[i];
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
            throw std::invalid_argument("radio grid: position of agent " + std::to_string(i) +
                                        " is not finite");
        }
        if ((!online.empty() && online[i] == 0) ||
            (conditions.any_blackout() && !conditions.radio_ok(p))) {
            continue;
        }
        listening[i] = 1;
        if (on_air_count_++ == 0) {
            box = {p, p};
        }
        box.min = {std::min(box.min.x, p.x), std::min(box.min.y, p.y)};
        box.max = {std::max(box.max.x, p.x), std::max(box.max.y, p.y)};
    }
    // the grid of the last rebuild serves again (its cells keep their memory) while it
    // covers the agents and is neither too small nor far too large for them; points outside
    // its box would still be found (border cells), only slower
    const double cell = range_m_ * kCellSlack;
    const double budget = (4.0 * static_cast<double>(on_air_count_)) + 1024.0;
    const bool fits = grid_.size() > 0 && grid_.covers(box.min) && grid_.covers(box.max) &&
                      grid_.dense() == (static_cast<double>(grid_.cell_count()) <= budget) &&
                      static_cast<double>(grid_.cell_count()) <= 4.0 * budget;
    if (!fits) {
        // a margin of a tenth of the box (and a cell) on every side, so that small moves
        // keep the grid
        const double mx = (0.1 * (box.max.x - box.min.x)) + cell;
        const double my = (0.1 * (box.max.y - box.min.y)) + cell;
        const world::BoundingBox padded{{box.min.x - mx, box.min.y - my},
                                        {box.max.x + mx, box.max.y + my}};
        grid_ = world::PointGrid(padded, cell, on_air_count_);
    }
    grid_.reset(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (listening[i] != 0) {
            grid_.place(static_cast<std::uint32_t>(i), positions[i]);
        }
    }
}

void RadioGrid::neighbours(AgentIndex i, std::vector<AgentIndex>& out) const {
    out.clear();
    for_each_neighbour(i, [&out](AgentIndex j) { out.push_back(j); });
    std::sort(out.begin(), out.end());
}

AgentGraph RadioGrid::graph() const {
    // two passes over the on-air agents cell by cell (consecutive queries read the same
    // cells): degrees, then the sorted lists
    AgentGraph g;
    g.offsets_.assign(size() + 1, 0);
    grid_.for_each_placed([&](std::uint32_t i, world::Point p) {
        std::size_t degree = 0;
        visit(i, p, [&degree](AgentIndex) { ++degree; });
        g.offsets_[i + 1] = degree;
    });
    for (std::size_t i = 0; i < size(); ++i) {
        g.offsets_[i + 1] += g.offsets_[i];
    }
    g.targets_.resize(g.offsets_.back());
    grid_.for_each_placed([&](std::uint32_t i, world::Point p) {
        std::size_t at = g.offsets_[i];
        visit(i, p, [&](AgentIndex j) { g.targets_[at++] = j; });
        std::sort(g.targets_.begin() + static_cast<std::ptrdiff_t>(g.offsets_[i]),
                  g.targets_.begin() + static_cast<std::ptrdiff_t>(at));
    });
    return g;
}

}  // namespace swarm::comms
