// The positions of a schema 3 trace (docs/trace-format.md): particles/agents/position/legs,
// one TraceLegRow per vehicle whose leg (schema 3.1: or state, load or energy) changed since
// the previous frame (every vehicle at a keyframe), and legs_per_frame, the rows each frame
// added. LegTable rebuilds frame k's positions (and in schema 3.1 the states, loads and
// energies: rows()) by carrying each vehicle's latest row forward from the keyframe at or
// before k (or from the frame it rebuilt last, when that lies between: replay costs the news;
// schema 3.2 rows name their points, read once from position/points)
// and computing FleetModel::position_at's arithmetic at the frame's tick (leg_row_position):
// the float32 positions schema 2 wrote, bit for bit. Internal to io/trace (TraceReader); every
// row is checked (3.0's frame column, agent, ticks, coordinates, 3.2's points), so a forged table
// is a Malformed naming it, never a crash, a hang or memory beyond the agents and one batch of
// rows. Callers hold h5::hdf5_mutex(). LegRows (below) makes each frame's rows for the writer.
#pragma once

#include <hdf5.h>

#include <bit>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "io/trace/hdf5_util.hpp"
#include "io/trace/trace_format.hpp"
#include "io/trace/trace_writer.hpp"

namespace swarm::io::detail {

class LegTable {
  public:
    // checks the table and reads legs_per_frame (and in schema 3.2 the points). `frames`: a
    // complete file's frame count (-1: a partial file, whose legs and counts may disagree by
    // what the last flush caught); `minor`: the schema 3 minor version (0: rows with a frame
    // column; 1: with state, load and energy instead; 2: those, naming their points)
    LegTable(hid_t file, std::size_t agents, std::int64_t frames, int minor);

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
    void read_points(hid_t file);

    std::size_t agents_;
    int minor_;
    bool values_;
    std::vector<agents::Point> points_;  // schema 3.2: position/points
    std::size_t keyframe_ = 1;
    std::vector<std::uint64_t> offsets_;  // offsets_[k]: the first row of frame k
    std::size_t covered_ = 0;
    std::vector<TraceLegRow> state_;  // each vehicle's latest row; agent = kTraceNoId: none
    std::int64_t at_ = -1;            // the frame state_ holds (-1: none)
};

// The writer's side (TraceWriter::File) for frames of positions (schema 3.0 to 3.2; a run's
// producer packs its own rows, schema 3.3): a still row at a vehicle's float32 position (cast
// back to float32 by readers: the same bits) when it, or (3.1, 3.2) the vehicle's state, load
// or energy (float32 bits), differs from its last row, compared with copies of the last rows;
// every vehicle at a keyframe. Schema 3.2 rows name their points (indices into
// position/points, each point stored once, numbered in order of first appearance: a float32
// position's the first time a row stands at those exact bits); 3.1 rows carry the
// coordinates; schema 3.0 (dense_rows) rows have a frame column and no state, load and energy
// (written densely beside them).
class LegRows {
  public:
    // `minor`: the schema 3 minor version of the rows (trace_layout.hpp legs_minor); `packed`:
    // schema 3.3, the frames bring their rows packed (TraceFrame::packed_legs)
    LegRows(int minor, bool packed) : minor_(minor), packed_(packed) {}

    // appends the rows of frame number `frame` of `f` (all of them at a keyframe) to `table`
    // (position/legs), packed as the file stores them (h5::leg_type(true, minor): HDF5
    // converts nothing) straight into its pending records; schema 3.3: the frame's own rows,
    // as they are (std::runtime_error when their bytes do not add up, or a keyframe lacks a
    // row per agent: a producer's fault, which ends the file as a failed write does)
    void add(const TraceFrame& f, std::uint32_t frame, bool keyframe, std::size_t agents,
             h5::Appendable& table);
    // the rows the last add() appended
    [[nodiscard]] std::size_t size() const { return size_; }
    // schema 3.2: the points the frame's rows named first (append them before the rows)
    [[nodiscard]] const std::vector<agents::Point>& new_points() const { return new_points_; }

  private:
    static_assert(std::endian::native == std::endian::little, "rows are packed little-endian");
    static constexpr std::size_t kPackedBytes32 = kPackedLegBytes;  // schema 3.2
    static constexpr std::size_t kPackedBytes31 = 62;               // schema 3.1
    static constexpr std::size_t kPackedBytes30 = 57;               // schema 3.0
    std::uint32_t position_point(float x, float y);

    void add_packed(const TraceFrame& f, std::uint32_t frame, bool keyframe, std::size_t agents,
                    h5::Appendable& table);

    int minor_;
    bool packed_;
    std::size_t size_ = 0;
    // the rows of the frame, the previous frame's positions and each vehicle's state, load
    // and energy (bits) in its last row (schema 3.1, 3.2)
    std::vector<std::uint32_t> rows_;
    std::vector<float> last_;
    std::vector<std::int8_t> state_;
    std::vector<std::uint32_t> load_;
    std::vector<std::uint32_t> energy_;
    // schema 3.2: the points so far, by a float32 position's bits, and this frame's new ones
    std::unordered_map<std::uint64_t, std::uint32_t> position_point_;
    std::uint32_t points_ = 0;
    std::vector<agents::Point> new_points_;
};

}  // namespace swarm::io::detail
