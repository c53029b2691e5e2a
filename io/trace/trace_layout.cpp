#include "io/trace/trace_layout.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <limits>
#include <sstream>
#include <tuple>
#include <utility>

#include "io/trace/hdf5_util.hpp"

#ifndef SWARM_VERSION
#define SWARM_VERSION "unknown"
#endif

namespace swarm::io::detail {

namespace {

using h5::Appendable;
using h5::Handle;

constexpr hsize_t kTimeChunk = 1024;
constexpr hsize_t kEventChunk = 4096;
// rows of a chunk of particles/agents/position/legs: unfiltered (152 KB of 38-byte rows; 128
// rows until session 22, 512 until session 27: each chunk written costs HDF5 and the kernel a
// call, docs/trace-cost-history-23-28.md "Session 27"), deflated (31 KB raw)
constexpr hsize_t kLegChunk = 4096;
constexpr hsize_t kLegDeflatedChunk = 512;
// rows of a chunk of particles/agents/position/points (16 bytes each: 8 KB)
constexpr hsize_t kPointChunk = 512;
constexpr std::size_t kChunkTargetBytes = 256 * 1024;

// frames per chunk for records of `row_bytes`: about kChunkTargetBytes per chunk
hsize_t chunk_rows(std::size_t row_bytes) {
    const std::size_t rows = kChunkTargetBytes / std::max<std::size_t>(row_bytes, 1);
    return static_cast<hsize_t>(std::clamp<std::size_t>(rows, 1, 1024));
}

// an H5MD time-dependent element: {step, time, value}

// creates group/name/{step,time,value} (closed again: SWMR starts afterwards). `time` is the
// HDF5 dimension scale of the first axis of step and value (netCDF/xarray: a coordinate);
// value's further axes get `axis_scales`, one per axis of `row`. With `time_from` (a group of
// an element sampled at the same times: schema 3.5) step and time are hard links to its step
// and time, as H5MD allows, written once for all the elements that share them.
void create_series(hid_t parent, const char* name, hid_t file_type, hid_t mem_type,
                   const std::vector<hsize_t>& row, std::size_t row_bytes, const char* unit,
                   int deflate, hsize_t frames_per_chunk = 0, hsize_t agent_block = 0,
                   const std::vector<hid_t>& axis_scales = {}, hid_t time_from = H5I_INVALID_HID) {
    const Handle g = h5::create_group(parent, name);
    {
        const Appendable value(g, "value", file_type, mem_type, row,
                               frames_per_chunk > 0 ? frames_per_chunk : chunk_rows(row_bytes),
                               deflate, agent_block);
        if (unit != nullptr) {
            h5::attr_string(value.id(), "unit", unit);
        }
        if (time_from != H5I_INVALID_HID) {
            for (const char* axis : {"step", "time"}) {
                h5::check_status(H5Lcreate_hard(time_from, axis, g, axis, H5P_DEFAULT, H5P_DEFAULT),
                                 "cannot link a time axis");
            }
            const Handle time(
                h5::check(H5Dopen2(g, "time", H5P_DEFAULT), "cannot open a time axis"));
            h5::attach_scale(value.id(), time, 0);
        } else {
            const Appendable step(g, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, {}, kTimeChunk,
                                  deflate);
            const Appendable time(g, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, kTimeChunk,
                                  deflate);
            h5::attr_string(time.id(), "unit", "s");
            h5::make_scale(time.id(), "time");
            h5::attach_scale(step.id(), time.id(), 0);
            h5::attach_scale(value.id(), time.id(), 0);
        }
        for (std::size_t axis = 0; axis < row.size() && axis < axis_scales.size(); ++axis) {
            h5::attach_scale(value.id(), axis_scales[axis], static_cast<unsigned>(axis + 1));
        }
    }
}

// a fixed dimension scale: name[values.size()] (the scales of the agent and x/y axes)
template <class T>
Handle create_scale(hid_t parent, const char* name, hid_t file_type, hid_t mem_type,
                    const std::vector<T>& values) {
    const hsize_t n = values.size();
    const Handle space(h5::check(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"));
    const Handle dcpl(h5::check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"));
    h5::check_status(H5Pset_obj_track_times(dcpl, 0), "H5Pset_obj_track_times");
    Handle d(h5::check(H5Dcreate2(parent, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                       "cannot create a dimension scale"));
    if (n > 0) {
        h5::check_status(H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                         "cannot write a dimension scale");
    }
    h5::make_scale(d, name);
    return d;
}

// particles/agents/position (schema 3.2; 3.1 with coordinate_rows, 3.0 with dense_rows): the
// frame grid (step, time), the legs table (whose rows carry the vehicles' states, loads and
// energies from 3.1 on, and name their points in 3.2), the rows each frame added to it
// (legs_per_frame, on the frame grid) and (3.2) the points the rows name
void create_positions(hid_t agents, int deflate, std::size_t keyframe_frames,
                      double sample_interval_s, int minor) {
    const Handle g = h5::create_group(agents, "position");
    const Appendable step(g, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, {}, kTimeChunk, deflate);
    const Appendable time(g, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, kTimeChunk, deflate);
    h5::attr_string(time.id(), "unit", "s");
    const Appendable per_frame(g, "legs_per_frame", H5T_STD_I64LE, H5T_NATIVE_INT64, {}, kTimeChunk,
                               deflate);
    const Handle ft = h5::leg_type(true, minor);
    const Handle mt = h5::leg_type(false, minor);
    // Its rows are float64 coordinates and ticks whose low bytes do not repeat: shuffle +
    // deflate level 1 keeps 55% of them for 60% more writer CPU. With frames every few
    // seconds (the writer's CPU matters, each frame's rows are few) it is unfiltered, in
    // small chunks written straight to the file (h5::Appendable::open), so that the file
    // grows by what a frame wrote and at most one chunk more, well inside the room the
    // writer keeps under a file size limit; with rarer frames (nearly every moving vehicle
    // has a new leg at each) it is shuffled and deflated, by the writer's plane encoding
    // (TraceWriter::File: libdeflate cost more CPU than the rest of the trace together).
    const bool filtered = sample_interval_s >= kRowsDeflatedFromSeconds;
    const Appendable legs(g, "legs", ft, mt, {}, filtered ? kLegDeflatedChunk : kLegChunk,
                          filtered ? deflate : 0);
    h5::attr_i64(legs.id(), "keyframe_interval",
                 static_cast<std::int64_t>(std::max<std::size_t>(1, keyframe_frames)));
    h5::attr_string(legs.id(), "unit", "m");
    h5::attr_string(legs.id(), "tick_unit", "parameters@ticks_per_second");
    if (minor >= 1) {
        h5::attr_string(legs.id(), "energy_unit", "kWh");
    }
    if (minor >= 2) {
        // each point once, appended as rows first name it: a few per vehicle and frame at
        // most, usually none (unfiltered, like the legs at fast sampling: float64 coordinates)
        const Handle pf = h5::point_type(true);
        const Handle pm = h5::point_type(false);
        const Appendable points(g, "points", pf, pm, {}, kPointChunk, filtered ? deflate : 0);
        h5::attr_string(points.id(), "unit", "m");
    }
    h5::make_scale(time.id(), "time");
    h5::attach_scale(step.id(), time.id(), 0);
    h5::attach_scale(per_frame.id(), time.id(), 0);
}

}  // namespace

void create_layout(hid_t file, const TraceHeader& h, const TraceOptions& o) {
    const int deflate = o.deflate;
    // schema 3.5 (a run's trace): the elements on one time grid share its step and time
    const bool shared = shares_time_axes(h, o);
    Handle frame_grid;  // particles/agents/position: the frame grid's step and time
    const auto frames = static_cast<hsize_t>(std::max<std::size_t>(1, o.chunk_frames));
    const auto block = static_cast<hsize_t>(std::max<std::size_t>(1, o.agent_block));
    h5::attr_i64(file, "complete", 0);
    // h5md: version, author, creator, our module
    {
        const Handle md = h5::create_group(file, "h5md");
        h5::attr_ints(md, "version", {kH5mdVersion[0], kH5mdVersion[1]});
        const Handle author = h5::create_group(md, "author");
        h5::attr_string(author, "name", h.author);
        const Handle creator = h5::create_group(md, "creator");
        h5::attr_string(creator, "name", "swarmsim");
        h5::attr_string(creator, "version", SWARM_VERSION);
        const Handle modules = h5::create_group(md, "modules");
        const Handle ours = h5::create_group(modules, "swarmsim_trace");
        const int minor = schema_minor(h, o);
        const std::array<int, 2> v = minor == 0   ? kTraceDenseRowsVersion
                                     : minor == 1 ? kTraceCoordinateRowsVersion
                                     : minor == 2 ? kTracePointRowsVersion
                                                  : kTraceSchemaVersion;
        h5::attr_ints(ours, "version", {v[0], v[1]});
    }
    // particles/agents: box, the agents' ids and the elements. Every axis of a per-agent
    // value is labelled by a dimension scale (xarray wants all or none): time (the element's
    // own) and id (particles/agents/id, H5MD's element of particle ids: vehicle v is row v).
    // The positions (schema 3.1: with the states, loads and energies) are a table of legs
    // (create_positions), not [T][N] values.
    {
        const Handle particles = h5::create_group(file, "particles");
        const Handle agents = h5::create_group(particles, "agents");
        const Handle box = h5::create_group(agents, "box");
        h5::attr_ints(box, "dimension", {2});
        h5::attr_strings(box, "boundary", {"none", "none"});
        std::vector<std::uint32_t> ids(h.agents);
        for (std::uint32_t v = 0; v < h.agents; ++v) {
            ids[v] = v;
        }
        const Handle id = create_scale(agents, "id", H5T_STD_U32LE, H5T_NATIVE_UINT32, ids);
        const hsize_t n = h.agents;
        create_positions(agents, deflate, o.keyframe_frames, h.sample_interval_s, legs_minor(o));
        frame_grid =
            Handle(h5::check(H5Gopen2(agents, "position", H5P_DEFAULT), "cannot open a group"));
        if (o.dense_rows) {  // schema 3.0; 3.1's legs rows carry these
            create_series(agents, "state", H5T_STD_I8LE, H5T_NATIVE_INT8, {n}, h.agents, nullptr,
                          deflate, frames, block, {id});
            create_series(agents, "load", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {n}, h.agents * 4,
                          nullptr, deflate, frames, block, {id});
            create_series(agents, "energy", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {n}, h.agents * 4,
                          "kWh", deflate, frames, block, {id});
        }
        for (const std::string& name : h.agent_values) {
            create_series(agents, name.c_str(), H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {n}, h.agents * 4,
                          nullptr, deflate, frames, block, {id},
                          shared ? frame_grid.get() : H5I_INVALID_HID);
        }
    }
    // observables: on the frame grid (schema 3.5: sharing position's step and time) and on the
    // KPI intervals' (sharing the first one's)
    {
        const Handle obs = h5::create_group(file, "observables");
        for (const ScalarSpec& s : kSampleScalars) {
            create_series(obs, s.name, s.integer ? H5T_STD_I64LE : H5T_IEEE_F64LE,
                          s.integer ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, {}, 8, s.unit, deflate,
                          0, 0, {}, shared ? frame_grid.get() : H5I_INVALID_HID);
        }
        Handle interval_grid;
        for (const ScalarSpec& s : kIntervalScalars) {
            create_series(obs, s.name, s.integer ? H5T_STD_I64LE : H5T_IEEE_F64LE,
                          s.integer ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, {}, 8, s.unit, deflate,
                          0, 0, {}, interval_grid.get());
            if (shared && !interval_grid.valid()) {
                interval_grid =
                    Handle(h5::check(H5Gopen2(obs, s.name, H5P_DEFAULT), "cannot open a group"));
            }
        }
    }
    // connectivity: links per sample (from, to, messages, bytes) in one table, and the
    // number of rows each sample added (H5MD time series) so a reader can slice per sample
    {
        const Handle c = h5::create_group(file, "connectivity");
        create_series(c, "links_per_sample", H5T_STD_I64LE, H5T_NATIVE_INT64, {}, 8, nullptr,
                      deflate, 0, 0, {}, shared ? frame_grid.get() : H5I_INVALID_HID);
        const Handle ft = h5::link_type(true);
        const Appendable links(c, "links", ft, H5T_NATIVE_INT64, {}, kEventChunk, deflate);
        h5::attr_string(links.id(), "bytes_unit", "byte");
    }
    // parameters
    {
        const Handle p = h5::create_group(file, "parameters");
        h5::attr_u64(p, "seed", h.seed);
        h5::attr_u64(p, "threads", h.threads);
        if (h.ranks > 1) {  // schema 2.1; absent: one process
            h5::attr_u64(p, "ranks", h.ranks);
        }
        h5::attr_string(p, "swarmsim_version", SWARM_VERSION);
        h5::attr_u64(p, "network_nodes", h.network_nodes);
        h5::attr_u64(p, "network_edges", h.network_edges);
        h5::attr_u64(p, "agents", h.agents);
        h5::attr_u64(p, "depots", h.depots);
        h5::attr_i64(p, "ticks_per_second", h.ticks_per_second);
        h5::attr_f64(p, "sample_interval_s", h.sample_interval_s);
        h5::attr_f64(p, "kpi_interval_s", h.kpi_interval_s);
        h5::attr_string(p, "scenario_name", h.scenario_name);
        if (!h.forked_from.empty()) {
            h5::attr_string(p, "forked_from", h.forked_from);
            h5::attr_f64(p, "fork_time_s", h.fork_time_s);
        }
        // the resolved scenario as a scalar fixed-length UTF-8 string dataset (hdf5_util.hpp)
        const Handle t = h5::fixed_string_type(h.scenario_text.size());
        const Handle space(h5::check(H5Screate(H5S_SCALAR), "H5Screate"));
        const Handle dcpl(h5::check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"));
        h5::check_status(H5Pset_obj_track_times(dcpl, 0), "H5Pset_obj_track_times");
        const Handle d(
            h5::check(H5Dcreate2(p, "scenario", t, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                      "cannot create parameters/scenario"));
        std::string text = h.scenario_text;
        text.resize(std::max<std::size_t>(text.size(), 1), '\0');
        h5::check_status(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data()),
                         "cannot write parameters/scenario");
    }
    // events: an extendible compound table
    {
        const Handle ft = h5::event_type(true);
        // unfiltered at fast sampling, as the legs are: the plane encoding of the order and
        // state rows cost about a point of CPU over the benchmark run (a third of a 10 MB
        // table's bytes saved; docs/trace-cost.md "Session 29")
        const int event_deflate = h.sample_interval_s >= kRowsDeflatedFromSeconds ? deflate : 0;
        const Appendable ev(file, "events", ft, H5T_NATIVE_DOUBLE, {}, kEventChunk, event_deflate);
        // the kinds table (docs/trace-format.md): one entry per code in each attribute
        std::vector<std::string> names, labels, disruptions, roles, targets, values;
        std::vector<int> pairs;
        for (const TraceKindInfo& k : trace_event_kinds()) {
            names.push_back(k.name);
            labels.push_back(k.label);
            disruptions.push_back(k.disruption);
            roles.push_back(k.role);
            targets.push_back(k.target);
            pairs.push_back(k.pair);
            values.push_back(k.value);
        }
        h5::attr_strings(ev.id(), "kinds", names);
        h5::attr_strings(ev.id(), "kind_labels", labels);
        h5::attr_strings(ev.id(), "kind_disruptions", disruptions);
        h5::attr_strings(ev.id(), "kind_roles", roles);
        h5::attr_strings(ev.id(), "kind_targets", targets);
        h5::attr_ints(ev.id(), "kind_pairs", pairs);
        h5::attr_strings(ev.id(), "kind_values", values);
        h5::attr_string(ev.id(), "time_unit", "s");
    }
}

// the extra per-agent names: plain link names, unique, none of the standard elements
void check_value_names(const std::string& path, const std::vector<std::string>& names) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string& name = names[i];
        const std::string what = "per-agent value '" + name + "': ";
        const bool plain = !name.empty() && name.front() != '.' &&
                           std::all_of(name.begin(), name.end(), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                                      c == '_' || c == '-' || c == '.';
                           });
        if (!plain) {
            throw TraceError(path, what +
                                       "not a valid name (letters, digits, '_', '-', '.'; not "
                                       "empty, not starting with '.')");
        }
        const bool standard = name == "box" || name == "id" ||
                              std::find(kTraceAgentElements.begin(), kTraceAgentElements.end(),
                                        name) != kTraceAgentElements.end();
        if (standard) {
            throw TraceError(path, what + "clashes with a standard element of particles/agents");
        }
        if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), name) !=
            names.begin() + static_cast<std::ptrdiff_t>(i)) {
            throw TraceError(path, what + "declared twice");
        }
    }
}

}  // namespace swarm::io::detail
