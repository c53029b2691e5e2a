// The layout of a trace file (docs/trace-format.md): the groups and data sets the writer
// creates before the first sample, and the scalar observables it appends. Internal to
// io/trace (the writer and its layout).
#pragma once

#include <hdf5.h>

#include <string>
#include <vector>

#include "io/trace/trace_writer.hpp"

namespace swarm::io::detail {

// the scalar observables on the sample grid, and those on the KPI grid
struct ScalarSpec {
    const char* name;
    bool integer;
    const char* unit;
};
inline constexpr ScalarSpec kSampleScalars[] = {
    {"created", true, nullptr},
    {"delivered", true, nullptr},
    {"delivered_on_time", true, nullptr},
    {"delivered_late", true, nullptr},
    {"failed", true, nullptr},
    {"backlog", true, nullptr},
    {"busy_fraction", false, nullptr},
    {"energy", false, "kWh"},
    {"veh_km", false, "km"},
};
constexpr std::size_t kSampleCounts = 6;  // the integer ones, first
// once per KPI interval: Q(k) and its counts, and the leading indicators at its end
inline constexpr ScalarSpec kIntervalScalars[] = {
    {"service_level", false, nullptr},
    {"utilisation", false, nullptr},
    {"due", true, nullptr},
    {"deliveries", true, nullptr},
    {"cost", false, nullptr},
    {"served", true, nullptr},
    {"lost", true, nullptr},
    {"lapsed", true, nullptr},
    {"unassigned", true, nullptr},
    {"oldest_unassigned_age", false, "s"},
    {"at_risk", true, nullptr},
    {"overdue", true, nullptr},
};

// the tables of rows, particles/agents/position/legs and /events, are deflated
// (TraceOptions::deflate) when frames are at least this far apart
// (TraceHeader::sample_interval_s), else unfiltered: at faster sampling the writer's CPU is
// what the trace costs most (trace_layout.cpp, docs/trace-format.md)
inline constexpr double kRowsDeflatedFromSeconds = 5.0;

// the minor version of the schema 3 legs table `o` writes: 0 (dense_rows), 1
// (coordinate_rows) or 2 (a run's: rows that name points)
inline int legs_minor(const TraceOptions& o) {
    return o.dense_rows ? 0 : o.coordinate_rows ? 1 : 2;
}

// the schema 3 minor version a writer with this header and options writes: the legs rows'
// (legs_minor), or 3 when the header gives the network's nodes (a run's: rows naming nodes,
// packed by the producer) and no older layout was asked for
inline int schema_minor(const TraceHeader& h, const TraceOptions& o) {
    const int rows = legs_minor(o);
    return rows == 2 && !h.nodes.empty() ? 3 : rows;
}

// whether the elements sampled on one time grid share its step and time (schema 3.5: a run's
// trace; the older layouts, which tests write for their readers, have their own)
inline bool shares_time_axes(const TraceHeader& h, const TraceOptions& o) {
    return schema_minor(h, o) == 3;
}

// creates every group, data set and attribute of an empty trace in `file`
void create_layout(hid_t file, const TraceHeader& h, const TraceOptions& o);
// refuses names of per-agent values that are empty, not [A-Za-z0-9_], or declared twice
void check_value_names(const std::string& path, const std::vector<std::string>& names);

}  // namespace swarm::io::detail
