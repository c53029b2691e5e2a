// The one spatial index of the house: points with ids 0..n-1 in a uniform grid of cells,
// each cell an array of (position, id) slots, so that a query reads contiguous memory and
// moving k points costs O(k), not O(n) (an idle vehicle costs nothing). The fleet's board and the
// radio graph of the learning swarm both stand on it. Cells come from a box and a side; points
// outside the box go to its border cells, so every query is still exact. When the box would need
// many more cells than there are points (clustered layouts), occupied cells are kept in a hash map
// instead of an array. Nothing an answer returns depends on the order of points within a cell:
// for_each_within visits cells in row-major order and callers that need an order sort; nearest()
// orders by a total order (distance, tie key, id).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "agents/world/road_network.hpp"

namespace swarm::world {

class PointGrid {
  public:
    PointGrid() = default;
    // cells of side cell_m (> 0, finite) over bounds; dense (an array of cells) unless the
    // box needs more than 4 * expected_points + 1024 cells. Throws std::invalid_argument on
    // a bad side or box.
    PointGrid(BoundingBox bounds, double cell_m, std::size_t expected_points);

    // ids 0..n-1, none placed (keeps the cells)
    void reset(std::size_t n);
    // puts point `id` at p, or moves it there (O(1))
    void place(std::uint32_t id, Point p);
    // moves placed point `id` to p when p lies in its cell and returns true; otherwise
    // changes nothing and returns false. Calls for distinct ids may run at once (each writes
    // its own slot) while nothing places or removes points.
    bool move_in_cell(std::uint32_t id, Point p);
    // takes point `id` off the grid (nothing when it is not placed)
    void remove(std::uint32_t id);
    [[nodiscard]] bool placed(std::uint32_t id) const { return nodes_[id].cell != kNoCell; }
    // where point `id` is (it must be placed)
    [[nodiscard]] Point position(std::uint32_t id) const {
        return (*cell(nodes_[id].cell))[nodes_[id].slot].p;
    }
    [[nodiscard]] std::size_t size() const { return nodes_.size(); }
    [[nodiscard]] bool dense() const { return dense_; }
    [[nodiscard]] double cell_m() const { return cell_m_; }

    // fn(id, position) for every placed point within distance r of p (inclusive)
    template <class Fn>
    void for_each_within(Point p, double r, Fn&& fn) const;

    // fn(id, position) for every placed point, cell by cell (neighbouring points close
    // together in time, for queries from each of them)
    template <class Fn>
    void for_each_placed(Fn&& fn) const {
        const auto visit = [&](const Cell& c) {
            for (const Slot& s : c) {
                fn(s.id, s.p);
            }
        };
        for (const Cell& c : cells_) {
            visit(c);
        }
        for (const auto& [key, c] : sparse_cells_) {
            visit(c);
        }
    }
    // whether p lies in the box the cells were laid over
    [[nodiscard]] bool covers(Point p) const {
        return p.x >= bounds_.min.x && p.x <= bounds_.max.x && p.y >= bounds_.min.y &&
               p.y <= bounds_.max.y;
    }
    [[nodiscard]] std::size_t cell_count() const { return static_cast<std::size_t>(nx_) * ny_; }

    // placed points within r of p accepted by usable(id), nearest first, at most out.size()
    // (<= 64) of them; returns how many were written. Ties in distance go to the lower
    // tie_key(id), then the lower id.
    template <class Usable, class TieKey>
    std::size_t nearest(Point p, double r, Usable&& usable, std::span<std::uint32_t> out,
                        TieKey&& tie_key) const;

    // the best candidates of a nearest() query so far, sorted by (distance^2, key, id)
    class Best {
      public:
        explicit Best(std::size_t k) : k_(k < kMaxK ? k : kMaxK) {}
        // offers a candidate; false when the list is full and it is not better than the
        // last (so that a caller walking candidates in increasing order can stop)
        bool offer(double d2, std::uint64_t key, std::uint32_t id) {
            const Cand cand{d2, key, id};
            if (n_ == k_ && !less(cand, best_[n_ - 1])) {
                return false;
            }
            std::size_t j = n_ < k_ ? n_++ : k_ - 1;
            while (j > 0 && less(cand, best_[j - 1])) {
                best_[j] = best_[j - 1];
                --j;
            }
            best_[j] = cand;
            return true;
        }
        [[nodiscard]] bool full() const { return n_ == k_; }
        [[nodiscard]] double worst_d2() const { return best_[n_ - 1].d2; }
        std::size_t write(std::span<std::uint32_t> out) const {
            for (std::size_t i = 0; i < n_; ++i) {
                out[i] = best_[i].id;
            }
            return n_;
        }

      private:
        static constexpr std::size_t kMaxK = 64;
        struct Cand {
            double d2;
            std::uint64_t key;
            std::uint32_t id;
        };
        static bool less(const Cand& a, const Cand& b) {
            return a.d2 < b.d2 ||
                   (a.d2 == b.d2 && (a.key < b.key || (a.key == b.key && a.id < b.id)));
        }
        Cand best_[kMaxK] = {};
        std::size_t k_;
        std::size_t n_ = 0;
    };
    // the ring search of nearest() with the candidates chosen by the caller:
    // visit(id, d2, best) for placed points within r of p, rings of cells outwards, until no
    // further ring can hold a candidate better than best's last (a point may stand for
    // several candidates at its position, which visit offers). At most out.size() (<= 64).
    template <class Visit>
    std::size_t nearest_by(Point p, double r, std::span<std::uint32_t> out, Visit&& visit) const;

    [[nodiscard]] std::size_t memory_bytes() const;

  private:
    static constexpr std::uint64_t kNoCell = ~std::uint64_t{0};
    struct Slot {
        Point p;
        std::uint32_t id = 0;
    };
    using Cell = std::vector<Slot>;
    struct Node {
        std::uint64_t cell = kNoCell;
        std::uint32_t slot = 0;  // index in its cell
    };
    [[nodiscard]] std::uint32_t cell_x(double x) const;
    [[nodiscard]] std::uint32_t cell_y(double y) const;
    [[nodiscard]] std::uint64_t cell_key(std::uint32_t cx, std::uint32_t cy) const {
        return dense_ ? (std::uint64_t{cy} * nx_) + cx : (std::uint64_t{cy} << 32) | cx;
    }
    // the cell, or nullptr for an empty sparse one
    [[nodiscard]] const Cell* cell(std::uint64_t key) const;

    BoundingBox bounds_{};
    double cell_m_ = 1.0;
    std::uint32_t nx_ = 1;
    std::uint32_t ny_ = 1;
    bool dense_ = true;
    std::vector<Node> nodes_;                               // by id
    std::vector<Cell> cells_;                               // dense: by cell
    std::unordered_map<std::uint64_t, Cell> sparse_cells_;  // sparse: occupied cells
};

template <class Fn>
void PointGrid::for_each_within(Point p, double r, Fn&& fn) const {
    const double r2 = r * r;
    const std::uint32_t x0 = cell_x(p.x - r);
    const std::uint32_t x1 = cell_x(p.x + r);
    const std::uint32_t y0 = cell_y(p.y - r);
    const std::uint32_t y1 = cell_y(p.y + r);
    for (std::uint32_t cy = y0; cy <= y1; ++cy) {
        for (std::uint32_t cx = x0; cx <= x1; ++cx) {
            const Cell* c = cell(cell_key(cx, cy));
            if (c == nullptr) {
                continue;
            }
            for (const Slot& s : *c) {
                const double dx = s.p.x - p.x;
                const double dy = s.p.y - p.y;
                if (dx * dx + dy * dy <= r2) {
                    fn(s.id, s.p);
                }
            }
        }
    }
}

template <class Usable, class TieKey>
std::size_t PointGrid::nearest(Point p, double r, Usable&& usable, std::span<std::uint32_t> out,
                               TieKey&& tie_key) const {
    return nearest_by(p, r, out, [&](std::uint32_t id, double d2, Best& best) {
        if (usable(id)) {
            best.offer(d2, static_cast<std::uint64_t>(tie_key(id)), id);
        }
    });
}

template <class Visit>
std::size_t PointGrid::nearest_by(Point p, double r, std::span<std::uint32_t> out,
                                  Visit&& visit) const {
    if (out.empty() || nodes_.empty()) {
        return 0;
    }
    Best best(out.size());
    const double r2 = r * r;
    auto visit_cell = [&](std::int64_t x, std::int64_t y) {
        const Cell* c =
            cell(cell_key(static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y)));
        if (c == nullptr) {
            return;
        }
        for (const Slot& s : *c) {
            const double dx = s.p.x - p.x;
            const double dy = s.p.y - p.y;
            const double d2 = dx * dx + dy * dy;
            if (d2 <= r2) {
                visit(s.id, d2, best);
            }
        }
    };
    // rings of cells around p's cell, out to the cells the radius touches. A point in ring
    // rho lies at least (rho - 1) cells away along one axis (points outside the box sit in
    // border cells, which only moves them outwards), so once the k-th best is nearer than
    // that, no further ring can change the answer: a query costs the points near p, not all
    // within r (the depots' offers among thousands of vehicles)
    const std::int64_t cx = cell_x(p.x);
    const std::int64_t cy = cell_y(p.y);
    const std::int64_t x0 = cell_x(p.x - r);
    const std::int64_t x1 = cell_x(p.x + r);
    const std::int64_t y0 = cell_y(p.y - r);
    const std::int64_t y1 = cell_y(p.y + r);
    const std::int64_t rings = std::max({cx - x0, x1 - cx, cy - y0, y1 - cy});
    for (std::int64_t rho = 0; rho <= rings; ++rho) {
        if (best.full() && rho >= 2) {
            // a thousandth of a cell short, for the rounding of floor() at cell borders
            const double gap = (static_cast<double>(rho - 1) - 1e-3) * cell_m_;
            if (best.worst_d2() < gap * gap) {
                break;
            }
        }
        const std::int64_t lo_x = std::max(cx - rho, x0);
        const std::int64_t hi_x = std::min(cx + rho, x1);
        if (cy - rho >= y0) {
            for (std::int64_t x = lo_x; x <= hi_x; ++x) {
                visit_cell(x, cy - rho);
            }
        }
        if (rho > 0 && cy + rho <= y1) {
            for (std::int64_t x = lo_x; x <= hi_x; ++x) {
                visit_cell(x, cy + rho);
            }
        }
        const std::int64_t lo_y = std::max(cy - rho + 1, y0);
        const std::int64_t hi_y = std::min(cy + rho - 1, y1);
        if (rho > 0 && cx - rho >= x0) {
            for (std::int64_t y = lo_y; y <= hi_y; ++y) {
                visit_cell(cx - rho, y);
            }
        }
        if (rho > 0 && cx + rho <= x1) {
            for (std::int64_t y = lo_y; y <= hi_y; ++y) {
                visit_cell(cx + rho, y);
            }
        }
    }
    return best.write(out);
}

}  // namespace swarm::world
