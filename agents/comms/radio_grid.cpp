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

RadioGrid::RadioGrid(double range_m)
    : range_m_(range_m), range2_(range_m * range_m), inv_cell_(1.0 / (range_m * kCellSlack)) {
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
    positions_.assign(positions.begin(), positions.end());
    conditions_version_ = conditions.version();

    // who is on air, and the corner of the box around them
    cell_of_.assign(n, kOffAir);
    origin_ = {0.0, 0.0};
    bool first = true;
    for (std::size_t i = 0; i < n; ++i) {
        const world::Point p = positions[i];
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
            throw std::invalid_argument("radio grid: position of agent " + std::to_string(i) +
                                        " is not finite");
        }
        const bool listening = (online.empty() || online[i] != 0) &&
                               (!conditions.any_blackout() || conditions.radio_ok(p));
        if (!listening) {
            continue;
        }
        cell_of_[i] = 0;  // on air; the real key follows
        origin_.x = first ? p.x : std::min(origin_.x, p.x);
        origin_.y = first ? p.y : std::min(origin_.y, p.y);
        first = false;
    }

    // cell of every on-air agent and the extent of the grid
    width_ = 0;
    height_ = 0;
    std::size_t on_air = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (cell_of_[i] == kOffAir) {
            continue;
        }
        // cells beyond 2^32 - 3 per axis are clamped: still correct, only slower
        const double fx = std::floor((positions[i].x - origin_.x) * inv_cell_);
        const double fy = std::floor((positions[i].y - origin_.y) * inv_cell_);
        const auto cx = static_cast<std::uint32_t>(std::min(fx, 4294967293.0));
        const auto cy = static_cast<std::uint32_t>(std::min(fy, 4294967293.0));
        cell_of_[i] = key(cx, cy);
        width_ = std::max(width_, cx + 1);
        height_ = std::max(height_, cy + 1);
        ++on_air;
    }
    sorted_index_.resize(on_air);
    sorted_pos_.resize(on_air);
    sorted_cell_.resize(on_air);
    cell_keys_.clear();
    cell_start_.clear();
    const std::uint64_t cells = std::uint64_t{width_} * height_;
    dense_ = cells <= (4 * std::uint64_t{on_air}) + 1024;

    if (dense_) {
        // counting sort by cell; ascending agent order within a cell comes for free
        cell_start_.assign(cells + 1, 0);
        const auto dense_index = [width = width_](std::uint64_t k) {
            return (static_cast<std::size_t>(k >> 32) * width) + static_cast<std::uint32_t>(k);
        };
        for (std::size_t i = 0; i < n; ++i) {
            if (cell_of_[i] != kOffAir) {
                ++cell_start_[dense_index(cell_of_[i]) + 1];
            }
        }
        for (std::size_t c = 0; c < cells; ++c) {
            cell_start_[c + 1] += cell_start_[c];
        }
        std::vector<std::uint32_t> fill(cell_start_.begin(), cell_start_.end() - 1);
        for (std::size_t i = 0; i < n; ++i) {
            if (cell_of_[i] != kOffAir) {
                const std::uint32_t k = fill[dense_index(cell_of_[i])]++;
                sorted_index_[k] = static_cast<AgentIndex>(i);
                sorted_pos_[k] = positions[i];
                sorted_cell_[k] = cell_of_[i];
            }
        }
        return;
    }

    // sparse: sort by (cell key, index) and keep the occupied cells
    struct Entry {
        std::uint64_t cell;
        AgentIndex index;
    };
    std::vector<Entry> entries;
    entries.reserve(on_air);
    for (std::size_t i = 0; i < n; ++i) {
        if (cell_of_[i] != kOffAir) {
            entries.push_back({cell_of_[i], static_cast<AgentIndex>(i)});
        }
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.cell != b.cell ? a.cell < b.cell : a.index < b.index;
    });
    for (std::size_t k = 0; k < entries.size(); ++k) {
        sorted_index_[k] = entries[k].index;
        sorted_pos_[k] = positions[entries[k].index];
        sorted_cell_[k] = entries[k].cell;
        if (cell_keys_.empty() || cell_keys_.back() != entries[k].cell) {
            cell_keys_.push_back(entries[k].cell);
            cell_start_.push_back(static_cast<std::uint32_t>(k));
        }
    }
    cell_start_.push_back(static_cast<std::uint32_t>(entries.size()));
}

void RadioGrid::neighbours(AgentIndex i, std::vector<AgentIndex>& out) const {
    out.clear();
    for_each_neighbour(i, [&out](AgentIndex j) { out.push_back(j); });
    std::sort(out.begin(), out.end());
}

AgentGraph RadioGrid::graph() const {
    // two passes over the on-air agents in cell order (consecutive queries read the same
    // cells, and each agent's own data sits in the sorted arrays): degrees, then lists
    AgentGraph g;
    g.offsets_.assign(size() + 1, 0);
    const std::size_t slots = sorted_index_.size();
    for (std::size_t k = 0; k < slots; ++k) {
        std::size_t degree = 0;
        visit(sorted_index_[k], sorted_pos_[k], sorted_cell_[k],
              [&degree](AgentIndex) { ++degree; });
        g.offsets_[sorted_index_[k] + 1] = degree;
    }
    for (std::size_t i = 0; i < size(); ++i) {
        g.offsets_[i + 1] += g.offsets_[i];
    }
    g.targets_.resize(g.offsets_.back());
    for (std::size_t k = 0; k < slots; ++k) {
        const AgentIndex i = sorted_index_[k];
        std::size_t at = g.offsets_[i];
        visit(i, sorted_pos_[k], sorted_cell_[k], [&](AgentIndex j) { g.targets_[at++] = j; });
        std::sort(g.targets_.begin() + static_cast<std::ptrdiff_t>(g.offsets_[i]),
                  g.targets_.begin() + static_cast<std::ptrdiff_t>(at));
    }
    return g;
}

}  // namespace swarm::comms
