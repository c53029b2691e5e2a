#include "agents/fleet/fleet_board.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "agents/fleet/barrier_phase.hpp"
#include "sim/state_archive.hpp"

namespace swarm::agents {

FleetBoard::FleetBoard(world::BoundingBox bounds, double cell_m, std::size_t vehicles,
                       std::size_t spots, std::size_t types)
    : grid_(bounds, cell_m, vehicles),
      spots_(static_cast<std::uint32_t>(spots)),
      lanes_(types >= 1 && types <= kMaxLanes ? static_cast<std::uint32_t>(types) : 1) {
    if (spots >= 0xFFFFFFFFu) {
        throw std::invalid_argument("fleet board: too many spots");
    }
    queues_.resize(spots * lanes_);
    waiting_.resize(spots);
}

void FleetBoard::join(std::uint32_t v, std::uint32_t s, sim::Tick t) {
    if (s >= spots_ || lane_of(v) >= lanes_) {
        throw std::out_of_range("fleet board: spot " + std::to_string(s) + " of " +
                                std::to_string(spots_) + ", type " +
                                std::to_string(entries_[v].type) + " of " + std::to_string(lanes_));
    }
    Queue& q = queues_[(std::size_t{s} * lanes_) + lane_of(v)];
    Link& l = rank_[v];
    l.prev = q.tail;
    l.next = kNone;
    l.since = t;
    if (waiting_[s]++ == 0) {
        grid_.place(spot_point(s), entries_[v].position);
    }
    if (q.tail == kNone) {
        q.head = v;
    } else {
        rank_[q.tail].next = v;
    }
    q.tail = v;
    spot_[v] = s;
}

void FleetBoard::leave(std::uint32_t v) {
    const std::uint32_t s = spot_[v];
    Queue& q = queues_[(std::size_t{s} * lanes_) + lane_of(v)];
    Link& l = rank_[v];
    (l.prev == kNone ? q.head : rank_[l.prev].next) = l.next;
    (l.next == kNone ? q.tail : rank_[l.next].prev) = l.prev;
    if (--waiting_[s] == 0) {
        grid_.remove(spot_point(s));
    }
    l = Link{};
    spot_[v] = kNoSpot;
}

void FleetBoard::place_all() {
    const auto n = static_cast<std::uint32_t>(entries_.size());
    grid_.reset(entries_.size() + spots_);
    std::fill(queues_.begin(), queues_.end(), Queue{});
    std::fill(waiting_.begin(), waiting_.end(), 0);
    std::vector<std::uint32_t> waiting;
    for (std::uint32_t v = 0; v < n; ++v) {
        if (spot_[v] == kNoSpot) {
            grid_.place(v, entries_[v].position);
        } else {
            waiting.push_back(v);
        }
    }
    // each rank in the order (since, index): the order its vehicles joined in
    std::stable_sort(waiting.begin(), waiting.end(), [this](std::uint32_t a, std::uint32_t b) {
        return rank_[a].since < rank_[b].since;
    });
    for (const std::uint32_t v : waiting) {
        join(v, spot_[v], rank_[v].since);
    }
}

void FleetBoard::rebuild(std::span<const Entry> entries, std::span<const std::uint32_t> spots,
                         sim::Tick t) {
    entries_.assign(entries.begin(), entries.end());
    spot_.assign(entries_.size(), kNoSpot);
    rank_.assign(entries_.size(), Link{});
    for (std::uint32_t v = 0; v < spots.size(); ++v) {
        // only a vehicle without orders waits (a rank's keys grow from its head)
        if (entries_[v].plan_size == 0 && spots[v] != kNoSpot) {
            spot_[v] = spots[v] & ~kToBack;
            rank_[v].since = t;
        }
    }
    place_all();
}

void FleetBoard::update(std::span<const std::uint32_t> vehicles, std::span<const Entry> rows,
                        sim::Executor* executor, std::span<const std::uint32_t> spots,
                        sim::Tick t) {
    auto spot_of = [&](std::uint32_t i) {
        return spots.empty() || rows[i].plan_size != 0 || spots[i] == kNoSpot ? kNoSpot
                                                                              : spots[i] & ~kToBack;
    };
    auto to_back = [&](std::uint32_t i) { return !spots.empty() && (spots[i] & kToBack) != 0; };
    // rows, vehicles still waiting where they waited, and moves within a cell (most moves
    // between rebuilds), in parallel: each writes its own row and grid slot. Ranks and
    // moves between cells change shared lists: after, in order
    constexpr std::size_t kRange = 4096;
    const PhaseRecords<std::uint32_t> across = run_local<std::uint32_t>(
        executor, vehicles.size(), kRange,
        [&](std::uint32_t first, std::uint32_t last, std::vector<std::uint32_t>& out) {
            for (std::uint32_t i = first; i < last; ++i) {
                const std::uint32_t v = vehicles[i];
                entries_[v] = rows[i];
                const std::uint32_t was = spot_[v];
                const std::uint32_t now = spot_of(i);
                if (was != now || (now != kNoSpot && to_back(i)) ||
                    (now == kNoSpot && !grid_.move_in_cell(v, rows[i].position))) {
                    out.push_back(i);
                }
            }
        });
    across.for_each([&](std::uint32_t i) {
        const std::uint32_t v = vehicles[i];
        const std::uint32_t now = spot_of(i);
        if (spot_[v] != kNoSpot) {
            leave(v);
        } else if (now != kNoSpot) {
            grid_.remove(v);
        }
        if (now == kNoSpot) {
            grid_.place(v, rows[i].position);
        } else {
            join(v, now, t);
        }
    });
}

std::vector<std::uint32_t> FleetBoard::rank(std::uint32_t s) const {
    std::vector<std::uint32_t> out;
    walk(s, [&out](std::uint32_t v) {
        out.push_back(v);
        return true;
    });
    return out;
}

// a new member of Entry is state to save: add it below, then the size here
static_assert(sizeof(FleetBoard::Entry) == sizeof(Point) + sizeof(sim::Tick) + 8,
              "FleetBoard::Entry changed: save and load the new member");
static_assert(sizeof(FleetBoard) == (5 * sizeof(std::vector<FleetBoard::Entry>)) +
                                        sizeof(world::PointGrid) + sizeof(sim::Tick) +
                                        (2 * sizeof(std::uint32_t)),
              "FleetBoard changed: save and load the new member (the grid and ranks are "
              "rebuilt)");

void FleetBoard::save(sim::StateArchive& ar) const {
    ar.put_value("built_at", built_at_);
    const auto s = ar.scope("rows");
    std::vector<double> x;
    std::vector<double> y;
    for (const Entry& e : entries_) {
        x.push_back(e.position.x);
        y.push_back(e.position.y);
    }
    ar.put("x", x);
    ar.put("y", y);
    ar.put_field("state", entries_, &Entry::state);
    ar.put_field("plan_size", entries_, &Entry::plan_size);
    ar.put_field("type", entries_, &Entry::type);
    ar.put_field("free_at", entries_, &Entry::free_at);
    ar.put_field("free_node", entries_, &Entry::free_node);
    // the ranks: where each vehicle waits and since when (their order is (since, index))
    ar.put("spot", spot_);
    ar.put_field("since", rank_, &Link::since);
}

void FleetBoard::load(const sim::StateArchive& ar, std::size_t vehicles) {
    ar.get_value("built_at", built_at_);
    const auto s = ar.scope("rows");
    const std::size_t n = ar.count("x");
    if (n != 0 && n != vehicles) {
        ar.field_error("x", "holds " + std::to_string(n) + " rows; this run has 0 or " +
                                std::to_string(vehicles));
    }
    std::vector<double> x;
    std::vector<double> y;
    ar.get("x", x, n);
    ar.get("y", y, n);
    std::vector<Entry> entries(n);
    for (std::size_t v = 0; v < n; ++v) {
        entries[v].position = {x[v], y[v]};
    }
    ar.get_field("state", entries, &Entry::state);
    ar.get_field("plan_size", entries, &Entry::plan_size);
    ar.get_field("type", entries, &Entry::type);
    ar.get_field("free_at", entries, &Entry::free_at);
    ar.get_field("free_node", entries, &Entry::free_node);
    entries_ = std::move(entries);
    ar.get("spot", spot_, n);
    rank_.assign(n, Link{});
    ar.get_field("since", rank_, &Link::since);
    for (std::uint32_t v = 0; v < n; ++v) {
        if (spot_[v] != kNoSpot &&
            (spot_[v] >= spots_ || lane_of(v) >= lanes_ || entries_[v].plan_size != 0)) {
            ar.field_error("spot", "vehicle " + std::to_string(v) + " waits at spot " +
                                       std::to_string(spot_[v]) + " (" + std::to_string(spots_) +
                                       " spots; only a vehicle without orders waits)");
        }
        if (rank_[v].since < 0) {
            ar.field_error("since", "vehicle " + std::to_string(v) + " waits since tick " +
                                        std::to_string(rank_[v].since));
        }
    }
    place_all();
}

std::size_t FleetBoard::memory_bytes() const {
    return (entries_.capacity() * sizeof(Entry)) + grid_.memory_bytes() +
           (spot_.capacity() * sizeof(std::uint32_t)) + (rank_.capacity() * sizeof(Link)) +
           (queues_.capacity() * sizeof(Queue)) + (waiting_.capacity() * sizeof(std::uint32_t));
}

}  // namespace swarm::agents
