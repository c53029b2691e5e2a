// FleetModel: the FleetBoard at barriers. A rebuild computes the rows of the vehicles that
// changed since the last one (FleetState::touch) or are still on a leg, in parallel chunks
// over the run's executor, and moves only those between the board's cells (docs/fleet.md).
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <iterator>
#include <string>

#include "agents/fleet/barrier_phase.hpp"
#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_protocol_host.hpp"

namespace swarm::agents {

using sim::Tick;

static_assert(std::endian::native == std::endian::little, "take_changed reads flags by words");

void FleetModel::take_changed(std::uint8_t follower, std::vector<std::uint32_t>& out) {
    // only the blocks noted for this follower (FleetState::flag), each block one word of
    // eight flags: most vehicles did not change since the follower's last look, most blocks
    // neither, and a noted block is one load, not a scan
    static_assert(FleetState::kBlock == sizeof(std::uint64_t), "a block is one word of flags");
    const std::uint64_t mask = 0x0101010101010101ull * follower;  // one bit: kTrace or kBoard
    std::uint8_t* changed = world_.vehicles.changed.data();
    const std::size_t n = world_.vehicles.changed.size();
    const std::size_t whole = n / FleetState::kBlock;  // blocks of eight vehicles
    std::vector<std::uint64_t>& blocks = world_.vehicles.blocks_of(follower);
    // one word of block bits at a time into a buffer (512 vehicles at most), then appended
    // whole: no per-vehicle growth check, nothing zeroed first
    std::array<std::uint32_t, 64 * FleetState::kBlock> found;
    for (std::size_t w = 0; w < blocks.size(); ++w) {
        std::uint64_t bits = blocks[w];
        if (bits == 0) {
            continue;
        }
        blocks[w] = 0;
        std::size_t k = 0;
        while (bits != 0) {
            const std::size_t b = w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
            bits &= bits - 1;
            const std::size_t v = b * FleetState::kBlock;
            if (b >= whole) {
                // the last, partial block (or none: mark_all_blocks notes whole words)
                for (std::size_t u = v; u < n; ++u) {
                    if ((changed[u] & follower) != 0) {
                        found[k++] = static_cast<std::uint32_t>(u);
                        changed[u] = static_cast<std::uint8_t>(changed[u] & ~follower);
                    }
                }
                continue;
            }
            std::uint64_t word = 0;
            std::memcpy(&word, changed + v, sizeof word);
            std::uint64_t mine = word & mask;
            if (mine == 0) {
                continue;
            }
            // the set flags of the word, lowest first (little-endian: byte i is bits 8i..8i+7)
            while (mine != 0) {
                const auto i = static_cast<std::size_t>(std::countr_zero(mine)) / 8;
                found[k++] = static_cast<std::uint32_t>(v + i);
                mine &= mine - 1;  // one bit per byte: the follower's
            }
            word &= ~mask;
            std::memcpy(changed + v, &word, sizeof word);
        }
        out.insert(out.end(), found.begin(), found.begin() + static_cast<std::ptrdiff_t>(k));
    }
}

FleetBoard::Entry FleetModel::board_row(std::uint32_t v, Tick t) const {
    FleetBoard::Entry e;
    e.position = position_at(v, t);
    e.state = world_.vehicles.hot[v].state;
    e.plan_size = world_.vehicles.plan[v].size;
    e.type = world_.vehicles.hot[v].type;
    if (needs_.plan_estimates) {
        const VehicleView me = view(v, t);
        const PlanEstimate est = estimate_plan(spec_, me, nullptr, t);
        e.free_at = est.finish;
        e.free_node = world_.vehicles.plan[v].size > 0 ? est.end : me.position;
    }
    return e;
}

std::uint32_t FleetModel::board_spot(std::uint32_t v) const {
    // a spot per depot: idle vehicles are at home (one elsewhere stands alone on the board)
    const std::uint32_t home = world_.vehicles.warm[v].home;
    return world_.vehicles.hot[v].state == VehicleState::kIdle &&
                   world_.vehicles.plan[v].size == 0 && world_.vehicles.hot[v].moving == 0 &&
                   world_.vehicles.hot[v].node == depot_node_[home]
               ? home
               : FleetBoard::kNoSpot;
}

void FleetModel::rebuild_board(Tick t) {
    // Rows are pure functions of each vehicle's state: computed in parallel, in chunks.
    // Without plan estimates (which depend on t for every vehicle) only the vehicles touched
    // since the last rebuild and those still on a leg get new rows.
    const bool full = needs_.plan_estimates || world_.board.size() != world_.vehicles.size();
    board_refresh_.clear();
    if (full) {
        board_refresh_.resize(world_.vehicles.size());
        for (std::uint32_t v = 0; v < world_.vehicles.size(); ++v) {
            board_refresh_[v] = v;
        }
        take_changed(FleetState::kBoardFollower, world_.board_moving);  // clears the flags
    } else {
        take_changed(FleetState::kBoardFollower, board_changed_);
        // and those still driving at the last rebuild (flagged again only when the leg ends):
        // both lists are in increasing order, so a linear merge, not a sort
        std::set_union(board_changed_.begin(), board_changed_.end(), world_.board_moving.begin(),
                       world_.board_moving.end(), std::back_inserter(board_refresh_));
        board_changed_.clear();
    }
    // local: each row is a pure function of its vehicle's state; apply: the board's cells
    // and ranks (a full refresh of a built board updates it too: the ranks keep their order)
    board_scratch_.resize(board_refresh_.size());
    board_spots_.resize(board_refresh_.size());
    board_driving_.resize(board_refresh_.size());
    sim::Executor* executor = engine_ != nullptr ? &engine_->executor() : nullptr;
    for_each_phase_range(
        executor, board_refresh_.size(), phase_chunk_,
        [this, t](std::size_t /*range*/, std::size_t first, std::size_t last) {
            for (std::size_t i = first; i < last; ++i) {
                board_scratch_[i] = board_row(board_refresh_[i], t);
                const std::uint32_t v = board_refresh_[i];
                board_spots_[i] = board_spot(v);
                // the next rebuild's list of those still driving, read here while the
                // vehicle's record is in cache (a serial pass after the update cost a tenth
                // of the rebuild)
                const VehicleHot& hot = world_.vehicles.hot[v];
                board_driving_[i] = static_cast<std::uint8_t>(hot.moving != 0 && hot.leg_end > t);
                // passed on an offer: to the back of its rank
                std::uint8_t& changed = world_.vehicles.changed[v];
                if ((changed & FleetState::kToBack) != 0) {
                    changed = static_cast<std::uint8_t>(changed & ~FleetState::kToBack);
                    if (board_spots_[i] != FleetBoard::kNoSpot) {
                        board_spots_[i] |= FleetBoard::kToBack;
                    }
                }
            }
        });
    if (world_.board.size() != world_.vehicles.size()) {
        world_.board.rebuild(board_scratch_, board_spots_, t);
    } else {
        world_.board.update(board_refresh_, board_scratch_, executor, board_spots_, t);
    }
    world_.board_moving.clear();
    for (std::size_t i = 0; i < board_refresh_.size(); ++i) {
        if (board_driving_[i] != 0) {
            world_.board_moving.push_back(board_refresh_[i]);
        }
    }
    if (full && !needs_.plan_estimates) {
        // the first build listed every vehicle; later ones list only what changed, so the
        // fleet-sized lists would hold some 44 B per vehicle for nothing
        std::vector<FleetBoard::Entry>().swap(board_scratch_);
        std::vector<std::uint32_t>().swap(board_refresh_);
        std::vector<std::uint32_t>().swap(board_spots_);
        std::vector<std::uint8_t>().swap(board_driving_);
    }
    if (check_board_) {
        for (std::uint32_t v = 0; v < world_.vehicles.size(); ++v) {
            const FleetBoard::Entry want = board_row(v, t);
            const FleetBoard::Entry& got = world_.board.entry(v);
            if (want.position.x != got.position.x || want.position.y != got.position.y ||
                want.state != got.state || want.plan_size != got.plan_size ||
                want.type != got.type || want.free_at != got.free_at ||
                want.free_node != got.free_node || world_.board.spot(v) != board_spot(v)) {
                throw FleetModelError("fleet: the board's row of vehicle " + std::to_string(v) +
                                      " is stale at tick " + std::to_string(t) +
                                      " (a change that did not touch the vehicle)");
            }
        }
    }
    world_.board.set_built_at(t);
    share_knowledge(t);
    free_unused_views();
    protocol_->on_board(*host_, t);
}

}  // namespace swarm::agents
