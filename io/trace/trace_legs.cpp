#include "io/trace/trace_legs.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>

#include "io/trace/hdf5_util.hpp"
#include "io/trace/trace_checks.hpp"

namespace swarm::io::detail {

namespace {

using checked::Malformed;
using checked::open_checked;
using checked::Want;
using h5::Handle;

constexpr const char* kLegs = "particles/agents/position/legs";
constexpr const char* kPerFrame = "particles/agents/position/legs_per_frame";
constexpr const char* kPoints = "particles/agents/position/points";
// rows read at a time: the memory a reader spends beyond the agents' rows
constexpr std::uint64_t kBatchRows = 1U << 14U;
// ticks beyond this (2^61) could overflow the leg arithmetic: no run gets there
constexpr std::int64_t kMaxTick = std::int64_t{1} << 61U;
// coordinates beyond this (m) do not fit float32; a network's are far smaller
constexpr double kMaxCoordinate = 1e30;

std::string row_text(std::uint64_t row) {
    return std::string(kLegs) + " row " + std::to_string(row);
}

// the columns a reader converts by name, each present with the right class (schema 3.0:
// frame; 3.1 and 3.2: state, load and energy; 3.0 and 3.1: the coordinates; 3.2: the points)
void check_columns(const checked::Dset& d, int minor) {
    const Handle ft(H5Dget_type(d.id));
    struct Column {
        const char* name;
        H5T_class_t cls;
        unsigned minors;  // bit m: a column of schema 3.m
    };
    constexpr Column kColumns[] = {
        {"frame", H5T_INTEGER, 1U}, {"agent", H5T_INTEGER, 7U}, {"moving", H5T_INTEGER, 7U},
        {"state", H5T_INTEGER, 6U}, {"load", H5T_FLOAT, 6U},    {"energy", H5T_FLOAT, 6U},
        {"from_x", H5T_FLOAT, 3U},  {"from_y", H5T_FLOAT, 3U},  {"to_x", H5T_FLOAT, 3U},
        {"to_y", H5T_FLOAT, 3U},    {"from", H5T_INTEGER, 4U},  {"to", H5T_INTEGER, 4U},
        {"start", H5T_INTEGER, 7U}, {"end", H5T_INTEGER, 7U},
    };
    for (const Column& c : kColumns) {
        if ((c.minors & (1U << static_cast<unsigned>(minor))) == 0) {
            continue;
        }
        const int i = ft.valid() ? H5Tget_member_index(ft, c.name) : -1;
        if (i < 0 || H5Tget_member_class(ft, static_cast<unsigned>(i)) != c.cls) {
            throw Malformed(std::string(kLegs) + ": no " +
                            (c.cls == H5T_FLOAT ? "floating-point" : "integer") + " column '" +
                            c.name + "'");
        }
    }
}

// the bits of a float32 (a changed value: any other bits, NaN payloads and -0 included)
std::uint32_t bits(float x) {
    return std::bit_cast<std::uint32_t>(x);
}

bool tick_ok(std::int64_t t) {
    return t >= -kMaxTick && t <= kMaxTick;
}

bool coordinate_ok(double x) {
    return !std::isfinite(x) || std::abs(x) <= kMaxCoordinate;
}

}  // namespace

LegTable::LegTable(hid_t file, std::size_t agents, std::int64_t frames, int minor)
    : agents_(agents), minor_(std::clamp(minor, 0, 2)), values_(minor >= 1) {
    const checked::Dset legs = open_checked(file, kLegs, 1, Want::kCompound);
    check_columns(legs, minor_);
    if (minor_ >= 2) {
        read_points(file);
    }
    if (!h5::has_attr(legs.id, "keyframe_interval")) {
        throw Malformed(std::string(kLegs) + ": no keyframe_interval attribute");
    }
    const std::int64_t k = h5::read_attr_i64(legs.id, "keyframe_interval");
    if (k < 1) {
        throw Malformed(std::string(kLegs) + "@keyframe_interval = " + std::to_string(k) +
                        " (must be >= 1)");
    }
    keyframe_ = static_cast<std::size_t>(k);
    const checked::Dset per = open_checked(file, kPerFrame, 1, Want::kInteger);
    const std::uint64_t rows = legs.dims[0];
    const std::uint64_t n = per.dims[0];
    if (frames >= 0 && n != static_cast<std::uint64_t>(frames)) {
        throw Malformed(std::string(kPerFrame) + ": " + std::to_string(n) +
                        " rows, but the file has " + std::to_string(frames) + " frames (@frames)");
    }
    std::vector<std::int64_t> counts(static_cast<std::size_t>(n));
    checked::read_rows(per, H5T_NATIVE_INT64, 0, n, counts.data(), counts.size());
    offsets_.assign(1, 0);
    offsets_.reserve(counts.size() + 1);
    covered_ = 0;
    bool whole = true;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] < 0) {
            throw Malformed(std::string(kPerFrame) + ": row " + std::to_string(i) + " is " +
                            std::to_string(counts[i]) + " (a count must be >= 0)");
        }
        // saturating: a forged count cannot overflow
        const std::uint64_t c = static_cast<std::uint64_t>(counts[i]);
        const std::uint64_t at = offsets_.back();
        whole = whole && c <= rows - at;
        offsets_.push_back(at + std::min(c, rows - at));
        covered_ += whole ? 1U : 0U;
    }
    // the first frame is a keyframe: a row per agent (so that the agents' rows a reader
    // keeps are bounded by what the file holds)
    if (covered_ > 0 && offsets_[1] < agents_) {
        throw Malformed(std::string(kLegs) + ": frame 0 (a keyframe) has " +
                        std::to_string(offsets_[1]) + " rows for " + std::to_string(agents_) +
                        " agents");
    }
    if (frames >= 0 && (!whole || offsets_.back() != rows)) {
        throw Malformed(std::string(kLegs) + ": " + std::to_string(rows) + " rows, but " +
                        kPerFrame + " counts " + (whole ? "" : "more than ") +
                        std::to_string(offsets_.back()));
    }
}

// schema 3.2: position/points, [P] {x, y} float64, whole (its extent checked against the
// bytes the file holds, as every data set's), each point checked
void LegTable::read_points(hid_t file) {
    const checked::Dset d = open_checked(file, kPoints, 1, Want::kCompound);
    const Handle ft(H5Dget_type(d.id));
    for (const char* c : {"x", "y"}) {
        const int i = ft.valid() ? H5Tget_member_index(ft, c) : -1;
        if (i < 0 || H5Tget_member_class(ft, static_cast<unsigned>(i)) != H5T_FLOAT) {
            throw Malformed(std::string(kPoints) + ": no floating-point column '" + c + "'");
        }
    }
    const Handle mem = h5::point_type(false);
    static_assert(sizeof(agents::Point) == 16 && offsetof(agents::Point, y) == 8);
    points_.assign(static_cast<std::size_t>(d.dims[0]), agents::Point{});
    checked::read_rows(d, mem, 0, d.dims[0], points_.data(), points_.size());
    for (std::size_t i = 0; i < points_.size(); ++i) {
        if (!coordinate_ok(points_[i].x) || !coordinate_ok(points_[i].y)) {
            throw Malformed(std::string(kPoints) + " row " + std::to_string(i) +
                            ": a coordinate beyond 1e30 m");
        }
    }
}

// rows of frames [first, last] into state_ (each row checked)
void LegTable::apply(hid_t file, std::size_t first, std::size_t last) {
    const checked::Dset legs = open_checked(file, kLegs, 1, Want::kCompound, false);
    const Handle mem = h5::leg_type(false, minor_);
    std::vector<TraceLegRow> batch;
    std::vector<TracePointLegRow> named;  // schema 3.2: as read, before the points' lookup
    std::size_t frame = first;
    const std::uint64_t end = offsets_[last + 1];
    for (std::uint64_t row = offsets_[first]; row < end;) {
        const std::uint64_t n = std::min(kBatchRows, end - row);
        batch.assign(static_cast<std::size_t>(n), TraceLegRow{});
        if (minor_ >= 2) {
            named.assign(static_cast<std::size_t>(n), TracePointLegRow{});
            checked::read_rows(legs, mem, row, n, named.data(), named.size());
            for (std::size_t i = 0; i < named.size(); ++i) {
                const TracePointLegRow& p = named[i];
                if (p.from >= points_.size() || p.to >= points_.size()) {
                    throw Malformed(row_text(row + i) + ": point " +
                                    std::to_string(std::max(p.from, p.to)) + ", but " + kPoints +
                                    " holds " + std::to_string(points_.size()));
                }
                TraceLegRow& r = batch[i];
                r.agent = p.agent;
                r.moving = p.moving;
                r.state = p.state;
                r.load = p.load;
                r.energy = p.energy;
                r.from_x = points_[p.from].x;
                r.from_y = points_[p.from].y;
                r.to_x = points_[p.to].x;
                r.to_y = points_[p.to].y;
                r.start = p.start;
                r.end = p.end;
            }
        } else {
            checked::read_rows(legs, mem, row, n, batch.data(), batch.size());
        }
        for (const TraceLegRow& r : batch) {
            while (row >= offsets_[frame + 1]) {
                ++frame;
            }
            if (!values_ && r.frame != frame) {
                throw Malformed(row_text(row) + ": frame " + std::to_string(r.frame) + ", but " +
                                kPerFrame + " puts it in frame " + std::to_string(frame));
            }
            if (r.agent >= agents_) {
                throw Malformed(row_text(row) + ": agent " + std::to_string(r.agent) +
                                " (the trace has " + std::to_string(agents_) + ")");
            }
            if (r.moving != 0 && (!tick_ok(r.start) || !tick_ok(r.end))) {
                throw Malformed(row_text(row) + ": leg ticks " + std::to_string(r.start) + " to " +
                                std::to_string(r.end) + " out of range");
            }
            if (!coordinate_ok(r.from_x) || !coordinate_ok(r.from_y) || !coordinate_ok(r.to_x) ||
                !coordinate_ok(r.to_y)) {
                throw Malformed(row_text(row) + ": a coordinate beyond 1e30 m");
            }
            state_[r.agent] = r;
            ++row;
        }
    }
}

void LegTable::positions(hid_t file, std::size_t k, std::int64_t t, std::vector<double>& out) {
    if (k >= covered_) {
        throw Malformed(std::string(kLegs) + ": frame " + std::to_string(k) + " beyond the " +
                        std::to_string(covered_) + " frames it holds");
    }
    if (!tick_ok(t)) {
        throw Malformed("particles/agents/position/step: frame " + std::to_string(k) + " at tick " +
                        std::to_string(t) + ", out of range");
    }
    const std::size_t key = k - k % keyframe_;
    const std::int64_t at = at_;
    at_ = -1;  // until this succeeds
    if (at >= static_cast<std::int64_t>(key) && at <= static_cast<std::int64_t>(k)) {
        if (static_cast<std::size_t>(at) < k) {
            apply(file, static_cast<std::size_t>(at) + 1, k);
        }
    } else {
        TraceLegRow none;
        none.agent = kTraceNoId;
        state_.assign(agents_, none);
        apply(file, key, key);
        for (std::size_t v = 0; v < agents_; ++v) {
            if (state_[v].agent == kTraceNoId) {
                throw Malformed(std::string(kLegs) + ": keyframe " + std::to_string(key) +
                                " has no row for agent " + std::to_string(v));
            }
        }
        if (key < k) {
            apply(file, key + 1, k);
        }
    }
    out.resize(2 * agents_);
    for (std::size_t v = 0; v < agents_; ++v) {
        const std::array<float, 2> p = leg_row_position(state_[v], t);
        out[2 * v] = p[0];
        out[2 * v + 1] = p[1];
    }
    at_ = static_cast<std::int64_t>(k);
}

std::uint32_t LegRows::position_point(float x, float y) {
    const std::uint64_t key = std::uint64_t{bits(x)} | std::uint64_t{bits(y)} << 32U;
    const auto [it, added] = position_point_.try_emplace(key, points_);
    if (added) {
        ++points_;
        new_points_.push_back({static_cast<double>(x), static_cast<double>(y)});
    }
    return it->second;
}

void LegRows::add_packed(const TraceFrame& f, std::uint32_t frame, bool keyframe,
                         std::size_t agents, h5::Appendable& table) {
    const std::size_t rows = f.packed_leg_rows;
    if (f.packed_legs.size() != rows * kPackedLegBytes) {
        throw std::runtime_error("frame " + std::to_string(frame) + " brings " +
                                 std::to_string(f.packed_legs.size()) + " bytes for " +
                                 std::to_string(rows) + " legs rows of " +
                                 std::to_string(kPackedLegBytes));
    }
    if (keyframe && rows != agents) {
        throw std::runtime_error("frame " + std::to_string(frame) + " is a keyframe with " +
                                 std::to_string(rows) + " legs rows for " + std::to_string(agents) +
                                 " agents");
    }
    table.append_with(rows, [&f](unsigned char* out) {
        std::memcpy(out, f.packed_legs.data(), f.packed_legs.size());
    });
    size_ = rows;
}

void LegRows::add(const TraceFrame& f, std::uint32_t frame, bool keyframe, std::size_t agents,
                  h5::Appendable& table) {
    if (packed_) {
        add_packed(f, frame, keyframe, agents, table);
        return;
    }
    const std::int8_t* state = f.state.data();
    const float* load = f.load.data();
    const float* energy = f.energy.data();
    const bool values = minor_ >= 1;
    static_assert(kPackedBytes32 == 4 + 1 + 1 + 4 + 4 + 4 + 4 + 8 + 8 &&
                  kPackedBytes31 == 14 + 48 && kPackedBytes30 == 9 + 48);
    new_points_.clear();
    // packed as the file stores them (h5::leg_type(true, minor_)): HDF5 converts nothing
    const auto head = [&](unsigned char* out, std::uint32_t v, std::uint8_t moving) {
        return values ? h5::put_packed(out, v, moving, state[v], load[v], energy[v])
                      : h5::put_packed(out, frame, v, moving);
    };
    // a still row at each vehicle's float32 position, when it or (schema 3.1, 3.2) the
    // state, load or energy differs from the vehicle's last row
    const float* p = f.position.data();
    if (last_.size() != 2 * agents) {
        last_.assign(2 * agents, 0.0F);
        if (values) {
            state_.assign(agents, 0);
            load_.assign(agents, 0);
            energy_.assign(agents, 0);
        }
        keyframe = true;
    }
    rows_.clear();
    for (std::uint32_t v = 0; v < agents; ++v) {
        if (keyframe || std::memcmp(p + 2 * v, &last_[2 * v], 2 * sizeof(float)) != 0 ||
            (values && (state[v] != state_[v] || bits(load[v]) != load_[v] ||
                        bits(energy[v]) != energy_[v]))) {
            rows_.push_back(v);
        }
    }
    std::memcpy(last_.data(), p, 2 * agents * sizeof(float));
    size_ = rows_.size();
    constexpr std::uint8_t kStill = 0;
    constexpr std::int64_t kNoTick = 0;
    table.append_with(size_, [&](unsigned char* out) {
        for (const std::uint32_t v : rows_) {
            if (values) {
                state_[v] = state[v];
                load_[v] = bits(load[v]);
                energy_[v] = bits(energy[v]);
            }
            out = head(out, v, kStill);
            const float x = p[2 * v];
            const float y = p[2 * v + 1];
            if (minor_ >= 2) {
                const std::uint32_t at = position_point(x, y);
                out = h5::put_packed(out, at, at, kNoTick, kNoTick);
            } else {
                const auto dx = static_cast<double>(x);
                const auto dy = static_cast<double>(y);
                out = h5::put_packed(out, dx, dy, dx, dy, kNoTick, kNoTick);
            }
        }
    });
}

}  // namespace swarm::io::detail
