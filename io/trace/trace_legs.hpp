// The positions of a schema 3 trace (docs/trace-format.md): particles/agents/position/legs,
// one TraceLegRow per vehicle whose leg (schema 3.1: or state, load or energy) changed since
// the previous frame (every vehicle at a keyframe), and legs_per_frame, the rows each frame
// added. LegTable rebuilds frame k's positions (and, schema 3.1, the states, loads and
// energies: rows()) by carrying each vehicle's latest row forward from the keyframe at or before k
// (or from the frame it rebuilt last, when that lies between: replay costs the news) and
// computing FleetModel::position_at's arithmetic at the frame's tick (leg_row_position): the
// float32 positions schema 2 wrote, bit for bit. Internal to io/trace (TraceReader); every
// row is checked (3.0's frame column, agent, ticks, coordinates), so a forged table is a Malformed
// naming it, never a crash, a hang or memory beyond the agents and one batch of rows. Callers hold
// h5::hdf5_mutex().
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <vector>

#include "io/trace/trace_format.hpp"

namespace swarm::io::detail {

class LegTable {
  public:
    // checks the table and reads legs_per_frame. `frames`: a complete file's frame count
    // (-1: a partial file, whose legs and counts may disagree by what the last flush caught);
    // `values`: schema 3.1's rows (state, load and energy, no frame column), else 3.0's
    LegTable(hid_t file, std::size_t agents, std::int64_t frames, bool values);

    // the frames whose rows the table holds whole (a partial file may hold fewer)
    [[nodiscard]] std::size_t frames() const { return covered_; }
    [[nodiscard]] std::size_t keyframe_interval() const { return keyframe_; }
    // frame k's positions at tick t (agents x 2, float32 values as double)
    void positions(hid_t file, std::size_t k, std::int64_t t, std::vector<double>& out);
    // every vehicle's latest row as of the frame positions() rebuilt last (index = agent):
    // in schema 3.1 its state, load and energy there
    [[nodiscard]] const std::vector<TraceLegRow>& rows() const { return state_; }

  private:
    void apply(hid_t file, std::size_t first, std::size_t last);

    std::size_t agents_;
    bool values_;
    std::size_t keyframe_ = 1;
    std::vector<std::uint64_t> offsets_;  // offsets_[k]: the first row of frame k
    std::size_t covered_ = 0;
    std::vector<TraceLegRow> state_;  // each vehicle's latest row; agent = kTraceNoId: none
    std::int64_t at_ = -1;            // the frame state_ holds (-1: none)
};

}  // namespace swarm::io::detail
