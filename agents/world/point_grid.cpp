#include "agents/world/point_grid.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace swarm::world {

namespace {

// the largest cell index per axis: keys stay exact and cx + 1 cannot wrap
constexpr double kMaxCell = 4294967293.0;

}  // namespace

PointGrid::PointGrid(BoundingBox bounds, double cell_m, std::size_t expected_points)
    : bounds_(bounds), cell_m_(cell_m) {
    if (!(cell_m > 0.0) || !std::isfinite(cell_m)) {
        throw std::invalid_argument("point grid: cell side must be > 0 and finite, got " +
                                    std::to_string(cell_m));
    }
    if (!std::isfinite(bounds.min.x) || !std::isfinite(bounds.min.y) ||
        !std::isfinite(bounds.max.x) || !std::isfinite(bounds.max.y) ||
        bounds.max.x < bounds.min.x || bounds.max.y < bounds.min.y) {
        throw std::invalid_argument("point grid: the box is empty or not finite");
    }
    const double fx = std::floor((bounds.max.x - bounds.min.x) / cell_m) + 1.0;
    const double fy = std::floor((bounds.max.y - bounds.min.y) / cell_m) + 1.0;
    nx_ = static_cast<std::uint32_t>(std::min(fx, kMaxCell + 1.0));
    ny_ = static_cast<std::uint32_t>(std::min(fy, kMaxCell + 1.0));
    const double cells = static_cast<double>(nx_) * static_cast<double>(ny_);
    dense_ = cells <= (4.0 * static_cast<double>(expected_points)) + 1024.0;
    if (dense_) {
        cells_.resize(static_cast<std::size_t>(nx_) * ny_);
    }
}

std::uint32_t PointGrid::cell_x(double x) const {
    const double c = std::floor((x - bounds_.min.x) / cell_m_);
    return static_cast<std::uint32_t>(std::clamp(c, 0.0, static_cast<double>(nx_ - 1)));
}

std::uint32_t PointGrid::cell_y(double y) const {
    const double c = std::floor((y - bounds_.min.y) / cell_m_);
    return static_cast<std::uint32_t>(std::clamp(c, 0.0, static_cast<double>(ny_ - 1)));
}

const PointGrid::Cell* PointGrid::cell(std::uint64_t key) const {
    if (dense_) {
        return &cells_[key];
    }
    const auto it = sparse_cells_.find(key);
    return it == sparse_cells_.end() ? nullptr : &it->second;
}

void PointGrid::reset(std::size_t n) {
    if (n >= 0xFFFFFFFFu) {
        throw std::invalid_argument("point grid: too many points");
    }
    nodes_.assign(n, Node{});
    for (Cell& c : cells_) {
        c.clear();
    }
    sparse_cells_.clear();
    piles_.clear();
    free_piles_.clear();
    pile_index_.clear();
    last_pile_ = kNoPile;
}

PointGrid::PileKey PointGrid::pile_key(Point p, std::uint32_t tag) {
    return {std::bit_cast<std::uint64_t>(p.x), std::bit_cast<std::uint64_t>(p.y), tag};
}

void PointGrid::place(std::uint32_t id, Point p, std::uint32_t pile_tag) {
    if (move_in_cell(id, p, pile_tag)) {
        return;
    }
    remove(id);
    const std::uint64_t key = cell_key(cell_x(p.x), cell_y(p.y));
    Cell& c = dense_ ? cells_[key] : sparse_cells_[key];
    Node& n = nodes_[id];
    n.cell = key;
    if (pile_tag == kNoPile) {
        n.slot = static_cast<std::uint32_t>(c.size());
        c.push_back({p, id, kNoPile});
        return;
    }
    // the pile of the last call first: a full build places a depot's vehicles one after another
    const PileKey pk = pile_key(p, pile_tag);
    if (last_pile_ < piles_.size() && piles_[last_pile_].tag == pile_tag &&
        pile_key(piles_[last_pile_].p, pile_tag) == pk) {
        std::vector<std::uint32_t>& ids = piles_[last_pile_].ids;
        ids.insert(std::lower_bound(ids.begin(), ids.end(), id), id);
        n.pile = last_pile_;
        return;
    }
    const auto [it, fresh] = pile_index_.try_emplace(pk, 0);
    if (fresh) {
        if (free_piles_.empty()) {
            it->second = static_cast<std::uint32_t>(piles_.size());
            piles_.emplace_back();
        } else {
            it->second = free_piles_.back();
            free_piles_.pop_back();
        }
        Pile& pile = piles_[it->second];
        pile.p = p;
        pile.cell = key;
        pile.slot = static_cast<std::uint32_t>(c.size());
        pile.tag = pile_tag;
        c.push_back({p, 0, it->second});
    }
    std::vector<std::uint32_t>& ids = piles_[it->second].ids;
    ids.insert(std::lower_bound(ids.begin(), ids.end(), id), id);
    n.pile = it->second;
    last_pile_ = it->second;
}

bool PointGrid::move_in_cell(std::uint32_t id, Point p, std::uint32_t pile_tag) {
    const Node& n = nodes_[id];
    if (n.cell == kNoCell) {
        return false;
    }
    if (n.pile != kNoPile) {
        const Pile& pile = piles_[n.pile];
        return pile.tag == pile_tag && pile_key(pile.p, pile_tag) == pile_key(p, pile_tag);
    }
    if (pile_tag != kNoPile || n.cell != cell_key(cell_x(p.x), cell_y(p.y))) {
        return false;
    }
    // find(), not operator[]: a lookup that never inserts is safe beside other lookups
    Cell& c = dense_ ? cells_[n.cell] : sparse_cells_.find(n.cell)->second;
    c[n.slot].p = p;
    return true;
}

void PointGrid::erase_slot(std::uint64_t key, std::uint32_t index) {
    Cell& c = dense_ ? cells_[key] : sparse_cells_[key];
    // the last slot fills the hole
    c[index] = c.back();
    const Slot& moved = c[index];
    if (moved.pile == kNoPile) {
        nodes_[moved.id].slot = index;
    } else {
        piles_[moved.pile].slot = index;
    }
    c.pop_back();
    if (!dense_ && c.empty()) {
        sparse_cells_.erase(key);
    }
}

void PointGrid::remove(std::uint32_t id) {
    Node& n = nodes_[id];
    if (n.cell == kNoCell) {
        return;
    }
    if (n.pile == kNoPile) {
        erase_slot(n.cell, n.slot);
    } else {
        Pile& pile = piles_[n.pile];
        pile.ids.erase(std::lower_bound(pile.ids.begin(), pile.ids.end(), id));
        if (pile.ids.empty()) {
            erase_slot(pile.cell, pile.slot);
            pile_index_.erase(pile_key(pile.p, pile.tag));
            pile.tag = kNoPile;  // not the last call's pile any more
            free_piles_.push_back(n.pile);
        }
    }
    n = Node{};
}

std::size_t PointGrid::memory_bytes() const {
    std::size_t bytes = (nodes_.capacity() * sizeof(Node)) + (cells_.capacity() * sizeof(Cell));
    for (const Cell& c : cells_) {
        bytes += c.capacity() * sizeof(Slot);
    }
    for (const auto& [key, c] : sparse_cells_) {
        bytes += sizeof(key) + sizeof(Cell) + 16 + (c.capacity() * sizeof(Slot));
    }
    bytes += (piles_.capacity() * sizeof(Pile)) + (free_piles_.capacity() * sizeof(std::uint32_t)) +
             (pile_index_.size() * (sizeof(PileKey) + sizeof(std::uint32_t) + 16));
    for (const Pile& pile : piles_) {
        bytes += pile.ids.capacity() * sizeof(std::uint32_t);
    }
    return bytes;
}

}  // namespace swarm::world
