#include "io/trace/trace_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <mutex>
#include <new>

#include "io/trace/hdf5_util.hpp"
#include "io/trace/trace_checks.hpp"
#include "io/trace/trace_legs.hpp"

namespace swarm::io {

namespace {

using checked::dims_text;
using checked::Dset;
using checked::fail;
using checked::hdf5_reason;
using checked::link_names;
using checked::Malformed;
using checked::open_checked;
using checked::Want;
using h5::Handle;

const auto& kElements = kTraceAgentElements;

// A SWMR reader retries a metadata block whose checksum fails (a writer may be half-way
// through it), sleeping twice as long each time: HDF5's default of 100 attempts hung the
// visualizer for hours on a trace with flipped bytes. A killed writer's file needs none.
constexpr unsigned kSwmrReadAttempts = 4;
// the resolved scenario a trace records: its file is at most 4 MiB (scenario.hpp), resolving
// adds little; a larger claim is a damaged file
constexpr std::size_t kMaxScenarioTextBytes = std::size_t{64} << 20U;

template <class F>
auto guarded(const std::string& file, const std::string& context, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const TraceError&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw TraceFormatError(file, context + "out of memory");
    } catch (const std::exception& e) {
        throw TraceFormatError(file, context + e.what());
    }
}

bool is_standard_element(const std::string& n) {
    return n == "id" || n == "box" ||
           std::any_of(std::begin(kElements), std::end(kElements),
                       [&n](const char* e) { return n == e; });
}

// a scalar attribute as a count, -1 when absent
std::int64_t count_attr(hid_t obj, const char* name, const std::string& where) {
    if (!h5::has_attr(obj, name)) {
        return -1;
    }
    const std::int64_t v = h5::read_attr_i64(obj, name);
    if (v < 0) {
        throw Malformed(where + "@" + name + " = " + std::to_string(v) + " (a count must be >= 0)");
    }
    return v;
}

}  // namespace
struct TraceReader::Impl {
    Handle file;
    std::vector<std::string> extra_values;   // checked at open
    std::unique_ptr<detail::LegTable> legs;  // schema 3: the positions
    bool leg_values = false;  // schema 3.1: the legs rows hold the states, loads and energies
};

TraceReader::TraceReader(const std::string& path, bool allow_partial)
    : path_(path), impl_(std::make_unique<Impl>()) {
    const std::lock_guard lock(h5::hdf5_mutex());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
        throw TraceError(path, "cannot open it (missing or unreadable)");
    }
    if (!std::filesystem::is_regular_file(status)) {
        // a FIFO would block, a device never end
        throw TraceError(path, "not a regular file");
    }
    if (std::FILE* probe = std::fopen(path.c_str(), "rb")) {
        std::fclose(probe);
    } else {
        throw TraceError(path, "cannot open it (missing or unreadable)");
    }
    if (H5Fis_hdf5(path.c_str()) <= 0) {
        throw TraceFormatError(path, "not an HDF5 file");
    }
    // strictly first (one attempt per metadata block); then in SWMR read mode, which a file
    // whose writer was killed needs (it is still flagged open for writing)
    impl_->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!impl_->file.valid()) {
        const Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
        if (fapl.valid() && H5Pset_metadata_read_attempts(fapl, kSwmrReadAttempts) >= 0) {
            impl_->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl));
        }
    }
    if (!impl_->file.valid()) {
        throw TraceFormatError(path, "cannot open the HDF5 file (damaged?)");
    }
    open(allow_partial);
}

TraceReader::TraceReader(const TraceImage& image, const std::string& name, bool allow_partial)
    : path_(name), impl_(std::make_unique<Impl>()) {
    const std::lock_guard lock(h5::hdf5_mutex());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    if (image.data == nullptr || image.size == 0) {
        throw TraceFormatError(name, "not an HDF5 file (empty)");
    }
    // the core (memory) driver over a copy of the image, read-only (H5LTopen_file_image's
    // in-place mode leaks its callback data in HDF5 1.10)
    const Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
    if (fapl.valid() && H5Pset_fapl_core(fapl, 1U << 16U, 0) >= 0 &&
        H5Pset_file_image(fapl, const_cast<void*>(image.data),  // NOLINT: HDF5 copies it
                          image.size) >= 0) {
        impl_->file = Handle(H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl));
    }
    if (!impl_->file.valid()) {
        throw TraceFormatError(name, "not an HDF5 file, or a damaged one");
    }
    open(allow_partial);
}

void TraceReader::open(bool allow_partial) {
    const hid_t f = impl_->file;
    try {
        if (!h5::has_link(f, "h5md") || !h5::has_link(f, "h5md/modules/swarmsim_trace")) {
            // absent, or unreadable (a failed lookup leaves its reason)
            const std::string why = hdf5_reason();
            throw TraceFormatError(
                path_, why.empty() ? "not a swarmsim trace (no h5md/modules/swarmsim_trace group)"
                                   : "damaged: cannot read its groups (" + why + ")");
        }
        {
            const Handle m(H5Gopen2(f, "h5md/modules/swarmsim_trace", H5P_DEFAULT));
            if (!m.valid()) {
                fail("h5md/modules/swarmsim_trace: not a group");
            }
            const std::vector<int> v =
                h5::has_attr(m, "version") ? h5::read_attr_ints(m, "version") : std::vector<int>{};
            if (v.size() != 2) {
                throw TraceFormatError(path_, "bad swarmsim_trace version attribute");
            }
            schema_ = {v[0], v[1]};
            if (v[0] > kTraceSchemaVersion[0] || v[0] < kTraceOldestReadMajor) {
                const std::string found = std::to_string(v[0]) + "." + std::to_string(v[1]);
                throw TraceFormatError(
                    path_, "unsupported trace schema version " + found + " (this build reads " +
                               std::to_string(kTraceOldestReadMajor) + ".x to " +
                               std::to_string(kTraceSchemaVersion[0]) + ".x" +
                               (v[0] < kTraceOldestReadMajor
                                    ? "; a trace is reproducible: run its scenario again to "
                                      "write it in this schema)"
                                    : ")"));
            }
        }
        complete_ = h5::has_attr(f, "complete") && h5::read_attr_i64(f, "complete") == 1;
        if (!complete_ && !allow_partial && h5::has_attr(f, "incomplete") &&
            h5::read_attr_i64(f, "incomplete") == 1) {
            // the writer failed (a full disk) and cut the file back to its last flush
            const std::string why = h5::has_attr(f, "incomplete_reason")
                                        ? h5::read_attr_string(f, "incomplete_reason")
                                        : std::string("no reason recorded");
            throw TraceFormatError(path_, "incomplete trace: writing it failed (" + why +
                                              "); pass allow_partial to read the samples kept");
        }
        if (!complete_ && !allow_partial) {
            throw TraceFormatError(path_,
                                   "partial trace: no complete = 1 attribute (the writer did not "
                                   "close it; pass allow_partial to read the flushed samples)");
        }
        check_layout();
    } catch (const TraceError&) {
        impl_->file.reset();
        throw;
    } catch (const std::exception& e) {
        impl_->file.reset();
        throw TraceFormatError(path_, e.what());
    }
}

// Every data set the reader serves, against the header: the agent count
// (parameters@agents), the frame count (@frames of a complete file) and the schema's ranks
// and types. A partial file's series may differ in length by what the last flush caught:
// samples() is then the shortest.
void TraceReader::check_layout() {
    const hid_t f = impl_->file;
    std::int64_t header_agents = -1;
    if (h5::has_link(f, "parameters")) {
        const Handle p(H5Gopen2(f, "parameters", H5P_DEFAULT));
        if (!p.valid()) {
            fail("parameters: not a group");
        }
        header_agents = count_attr(p, "agents", "parameters");
    }
    // a complete file says how many frames and events it has (-1: it does not)
    const std::int64_t frames = complete_ ? count_attr(f, "frames", "") : -1;
    const std::int64_t event_rows = complete_ ? count_attr(f, "events", "") : -1;

    // schema 3: positions are a table of legs (trace_legs.hpp), not a [T][N][2] value; 3.1:
    // the legs rows carry the states, loads and energies too (no dense [T][N] values); 3.2:
    // they name their points (position/points) instead of carrying coordinates
    const bool legs = schema_[0] >= 3;
    const int legs_minor = !legs ? 0 : schema_[0] > 3 ? 2 : std::clamp(schema_[1], 0, 2);
    const bool leg_values = legs_minor >= 1;
    std::vector<std::string> elements(std::begin(kElements), std::end(kElements));
    if (leg_values) {
        elements.resize(1);  // position: the frame grid
    } else if (legs) {
        // the agents' width from the states when the header has no count
        std::swap(elements[0], elements[1]);
    }
    for (const std::string& n : link_names(f, "particles/agents")) {
        if (!is_standard_element(n) && h5::has_link(f, "particles/agents/" + n + "/value")) {
            impl_->extra_values.push_back(n);
            elements.push_back(n);
        }
    }
    if (leg_values && header_agents < 0) {
        // no dense rows to take the width from: particles/agents/id has one row per agent
        if (!h5::has_link(f, "particles/agents/id")) {
            fail("parameters@agents: missing, and no particles/agents/id to count the agents");
        }
        header_agents = static_cast<std::int64_t>(
            open_checked(f, "particles/agents/id", 1, Want::kInteger).dims[0]);
    }
    const bool from_header = header_agents >= 0;
    // the position rows' width when the header has no count
    hsize_t agents = header_agents >= 0 ? static_cast<hsize_t>(header_agents) : 0;
    bool agents_known = header_agents >= 0;
    hsize_t rows = 0;  // of a complete file: every per-agent series the same
    bool rows_known = false;
    std::size_t samples = std::numeric_limits<std::size_t>::max();
    for (const std::string& e : elements) {
        const std::string base = "particles/agents/" + e;
        const bool position = e == "position";
        const Want want = position || e == "load" || e == "energy" ? Want::kFloat
                          : e == "state"                           ? Want::kInteger
                                                                   : Want::kNumber;
        // a further per-agent value needs only its value rows (its step and time, when
        // there, are checked like the others')
        const bool standard = is_standard_element(e);
        std::vector<Dset> series;
        for (const char* part : {"/step", "/time"}) {
            if (standard || h5::has_link(f, base + part)) {
                series.push_back(open_checked(f, base + part, 1,
                                              part[1] == 's' ? Want::kInteger : Want::kFloat));
            }
        }
        if (position && legs) {
            // the frame grid only; the legs table is checked below
            for (const Dset& d : series) {
                if (frames >= 0 && d.dims[0] != static_cast<hsize_t>(frames)) {
                    throw Malformed(d.path + ": " + std::to_string(d.dims[0]) +
                                    " rows, but the file has " + std::to_string(frames) +
                                    " frames (@frames)");
                }
                samples = std::min<std::size_t>(samples, d.dims[0]);
            }
            continue;
        }
        series.push_back(open_checked(f, base + "/value", position ? 3 : 2, want));
        const Dset& value = series.back();
        if (!agents_known) {
            agents = value.dims[1];  // the first element's width
            agents_known = true;
        }
        if (value.dims[1] != agents || (position && value.dims[2] != 2)) {
            throw Malformed(base + "/value: expected [T][" + std::to_string(agents) + "]" +
                            (position ? "[2]" : "") + " (" +
                            (from_header ? "parameters@agents = " + std::to_string(agents)
                                         : std::string("as wide as the ") +
                                               (legs ? "state" : "position") + " rows") +
                            "), found " + dims_text(value.dims));
        }
        for (const Dset& d : series) {
            const hsize_t t = d.dims[0];
            if (frames >= 0 && t != static_cast<hsize_t>(frames)) {
                throw Malformed(d.path + ": " + std::to_string(t) + " rows, but the file has " +
                                std::to_string(frames) + " frames (@frames)");
            }
            if (complete_ && rows_known && t != rows) {
                throw Malformed(d.path + ": " + std::to_string(t) + " rows, where the other " +
                                "per-agent series have " + std::to_string(rows));
            }
            rows = t;
            rows_known = true;
            samples = std::min<std::size_t>(samples, t);
        }
    }
    agents_ = static_cast<std::size_t>(agents);
    impl_->leg_values = leg_values;
    if (legs) {
        impl_->legs = std::make_unique<detail::LegTable>(f, agents_, frames, legs_minor);
        samples = std::min(samples, impl_->legs->frames());
    }
    samples_ = samples;
    if (h5::has_link(f, "particles/agents/id")) {
        const Dset id = open_checked(f, "particles/agents/id", 1, Want::kInteger);
        if (id.dims[0] != agents_) {
            throw Malformed("particles/agents/id: expected [" + std::to_string(agents_) +
                            "] (one per agent), found " + dims_text(id.dims));
        }
    }
    for (const std::string& n : link_names(f, "observables")) {
        const std::string base = "observables/" + n;
        (void)open_checked(f, base + "/step", 1, Want::kInteger);
        (void)open_checked(f, base + "/time", 1, Want::kFloat);
        (void)open_checked(f, base + "/value", 1, Want::kNumber);
    }
    if (h5::has_link(f, "events")) {
        const Dset ev = open_checked(f, "events", 1, Want::kCompound);
        if (event_rows >= 0 && ev.dims[0] != static_cast<hsize_t>(event_rows)) {
            throw Malformed("events: " + std::to_string(ev.dims[0]) +
                            " rows, but @events = " + std::to_string(event_rows));
        }
    }
    if (h5::has_link(f, "connectivity/links_per_sample")) {
        const Dset n = open_checked(f, "connectivity/links_per_sample/value", 1, Want::kInteger);
        if (frames >= 0 && n.dims[0] != static_cast<hsize_t>(frames)) {
            throw Malformed("connectivity/links_per_sample/value: " + std::to_string(n.dims[0]) +
                            " rows, but the file has " + std::to_string(frames) +
                            " frames (@frames)");
        }
    }
    if (h5::has_link(f, "connectivity/links")) {
        (void)open_checked(f, "connectivity/links", 1, Want::kCompound);
    }
    if (h5::has_link(f, "parameters/scenario")) {
        (void)open_checked(f, "parameters/scenario", 0, Want::kString);
    }
}

TraceReader::~TraceReader() {
    const std::lock_guard lock(h5::hdf5_mutex());
    impl_.reset();
}

TraceFrameData TraceReader::frame(std::size_t k) const {
    if (k >= samples_) {
        throw TraceError(path_, "frame " + std::to_string(k) + " out of range (" +
                                    std::to_string(samples_) + " samples)");
    }
    const std::lock_guard lock(h5::hdf5_mutex());
    return guarded(path_, "reading frame " + std::to_string(k) + ": ", [&] {
        TraceFrameData fr;
        fr.position.resize(agents_ * 2);
        fr.state.resize(agents_);
        fr.load.resize(agents_);
        fr.energy.resize(agents_);
        const hid_t f = impl_->file;
        const auto row = [&](const char* path, int rank, Want want, hid_t mem, void* out,
                             std::size_t capacity) {
            // checked at open; the rows read are sized by the agents
            const Dset d = open_checked(f, path, rank, want, false);
            read_rows(d, mem, k, 1, out, capacity);
        };
        row("particles/agents/position/step", 1, Want::kInteger, H5T_NATIVE_INT64, &fr.step, 1);
        row("particles/agents/position/time", 1, Want::kFloat, H5T_NATIVE_DOUBLE, &fr.time, 1);
        if (impl_->legs) {
            impl_->legs->positions(f, k, fr.step, fr.position);
        } else {
            row("particles/agents/position/value", 3, Want::kFloat, H5T_NATIVE_DOUBLE,
                fr.position.data(), fr.position.size());
        }
        if (impl_->leg_values) {
            // schema 3.1: each vehicle's latest legs row as of frame k
            const std::vector<TraceLegRow>& rows = impl_->legs->rows();
            for (std::size_t v = 0; v < agents_; ++v) {
                fr.state[v] = rows[v].state;
                fr.load[v] = rows[v].load;
                fr.energy[v] = rows[v].energy;
            }
            return fr;
        }
        row("particles/agents/state/value", 2, Want::kInteger, H5T_NATIVE_INT8, fr.state.data(),
            fr.state.size());
        row("particles/agents/load/value", 2, Want::kFloat, H5T_NATIVE_FLOAT, fr.load.data(),
            fr.load.size());
        row("particles/agents/energy/value", 2, Want::kFloat, H5T_NATIVE_FLOAT, fr.energy.data(),
            fr.energy.size());
        return fr;
    });
}

std::vector<double> TraceReader::sample_times() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    return guarded(path_, "reading the sample times: ", [&] {
        const char* path = "particles/agents/position/time";
        const Dset d = open_checked(impl_->file, path, 1, Want::kFloat);
        std::vector<double> t(samples_);
        read_rows(d, H5T_NATIVE_DOUBLE, 0, samples_, t.data(), t.size());
        return t;
    });
}

std::vector<std::string> TraceReader::observables() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    return guarded(path_, "", [&] { return link_names(impl_->file, "observables"); });
}

std::vector<std::string> TraceReader::agent_values() const {
    return impl_->extra_values;
}

std::vector<float> TraceReader::agent_value(const std::string& name, std::size_t k) const {
    if (k >= samples_) {
        throw TraceError(path_, "frame " + std::to_string(k) + " out of range (" +
                                    std::to_string(samples_) + " samples)");
    }
    if (std::find(impl_->extra_values.begin(), impl_->extra_values.end(), name) ==
        impl_->extra_values.end()) {
        throw TraceError(path_, "no per-agent value '" + name + "'");
    }
    const std::lock_guard lock(h5::hdf5_mutex());
    const std::string path = "particles/agents/" + name + "/value";
    return guarded(path_, "reading " + path + " row " + std::to_string(k) + ": ", [&] {
        const Dset d = open_checked(impl_->file, path, 2, Want::kNumber, false);
        std::vector<float> out(agents_);
        read_rows(d, H5T_NATIVE_FLOAT, k, 1, out.data(), out.size());
        return out;
    });
}

TraceSeries TraceReader::observable(const std::string& name) const {
    const std::lock_guard lock(h5::hdf5_mutex());
    const std::string base = "observables/" + name;
    if (!h5::has_link(impl_->file, base + "/value")) {
        throw TraceError(path_, "no observable '" + name + "'");
    }
    return guarded(path_, "reading observable '" + name + "': ", [&] {
        const Dset step = open_checked(impl_->file, base + "/step", 1, Want::kInteger);
        const Dset time = open_checked(impl_->file, base + "/time", 1, Want::kFloat);
        const Dset value = open_checked(impl_->file, base + "/value", 1, Want::kNumber);
        const hsize_t n = std::min({step.dims[0], time.dims[0], value.dims[0]});
        TraceSeries s;
        s.step.resize(n);
        s.time.resize(n);
        s.value.resize(n);
        read_rows(step, H5T_NATIVE_INT64, 0, n, s.step.data(), n);
        read_rows(time, H5T_NATIVE_DOUBLE, 0, n, s.time.data(), n);
        read_rows(value, H5T_NATIVE_DOUBLE, 0, n, s.value.data(), n);
        return s;
    });
}

std::vector<TraceEvent> TraceReader::events() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    return guarded(path_, "reading /events: ", [&] {
        const Dset d = open_checked(impl_->file, "events", 1, Want::kCompound);
        const hsize_t n = d.dims[0];
        std::vector<TraceEvent> out(static_cast<std::size_t>(n));
        if (n > 0) {
            // the file's own kind enum in memory too: the codes as written (event_kinds()
            // says what they are), not converted by name to this build's codes
            const Handle ft(h5::check(H5Dget_type(d.id), "H5Dget_type"));
            const int member = H5Tget_member_index(ft, "kind");
            if (member < 0) {
                throw Malformed("events: no kind column");
            }
            const Handle kt(
                h5::check(H5Tget_member_type(ft, static_cast<unsigned>(member)), "no kind column"));
            const Handle native(
                h5::check(H5Tget_native_type(kt, H5T_DIR_ASCEND), "H5Tget_native_type"));
            if (H5Tget_size(native) != sizeof(std::int16_t)) {
                throw Malformed("events: the kind column is not 16 bits wide");
            }
            const Handle t = h5::event_type(false, native);
            read_rows(d, t, 0, n, out.data(), out.size());
        }
        return out;
    });
}

std::vector<TraceKindInfo> TraceReader::event_kinds() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    return guarded(path_, "reading the /events kinds: ", [&] {
        const Dset d = open_checked(impl_->file, "events", 1, Want::kCompound);
        const std::vector<std::string> names = h5::read_attr_strings(d.id, "kinds");
        std::vector<TraceKindInfo> kinds(names.size());
        for (std::size_t i = 0; i < names.size(); ++i) {
            kinds[i].name = names[i];
        }
        if (h5::has_attr(d.id, "kind_roles")) {
            // schema 1.6: the file's own table
            const auto column = [&](const char* attr) {
                std::vector<std::string> v = h5::read_attr_strings(d.id, attr);
                if (v.size() != names.size()) {
                    throw Malformed(std::string("events@") + attr + " has " +
                                    std::to_string(v.size()) + " entries for " +
                                    std::to_string(names.size()) + " kinds");
                }
                return v;
            };
            const std::vector<std::string> labels = column("kind_labels");
            const std::vector<std::string> disruptions = column("kind_disruptions");
            const std::vector<std::string> roles = column("kind_roles");
            const std::vector<std::string> targets = column("kind_targets");
            const std::vector<std::string> values = column("kind_values");
            const std::vector<int> pairs = h5::read_attr_ints(d.id, "kind_pairs");
            if (pairs.size() != names.size()) {
                throw Malformed("events@kind_pairs does not match events@kinds");
            }
            for (std::size_t i = 0; i < names.size(); ++i) {
                kinds[i].label = labels[i];
                kinds[i].disruption = disruptions[i];
                kinds[i].role = roles[i];
                kinds[i].target = targets[i];
                kinds[i].value = values[i];
                kinds[i].pair = pairs[i] >= 0 && static_cast<std::size_t>(pairs[i]) < names.size()
                                    ? static_cast<std::int16_t>(pairs[i])
                                    : std::int16_t{-1};
            }
            return kinds;
        }
        // before 1.6: the kinds this build knows, by their names in the file
        const std::vector<TraceKindInfo>& own = trace_event_kinds();
        const auto find = [](const std::vector<TraceKindInfo>& in, const std::string& name) {
            return std::find_if(in.begin(), in.end(),
                                [&](const TraceKindInfo& k) { return k.name == name; });
        };
        for (TraceKindInfo& k : kinds) {
            const auto it = find(own, k.name);
            if (it == own.end()) {
                continue;  // unknown here: a name without a meaning
            }
            k = *it;
            k.pair = -1;
            if (it->pair >= 0) {
                const auto p = find(kinds, own[static_cast<std::size_t>(it->pair)].name);
                k.pair = p == kinds.end() ? std::int16_t{-1}
                                          : static_cast<std::int16_t>(p - kinds.begin());
            }
        }
        return kinds;
    });
}

std::vector<std::string> TraceReader::disruption_labels() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    return guarded(path_, "reading the disruption labels: ", [&] {
        const Dset d = open_checked(impl_->file, "events", 1, Want::kCompound);
        if (!h5::has_attr(d.id, "disruption_labels")) {
            return std::vector<std::string>{};
        }
        return h5::read_attr_strings(d.id, "disruption_labels");
    });
}

std::vector<std::int64_t> TraceReader::links_per_sample() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    const char* path = "connectivity/links_per_sample/value";
    if (!h5::has_link(impl_->file, path)) {
        return {};  // a trace from before schema 1.1
    }
    return guarded(path_, "", [&] {
        const Dset d = open_checked(impl_->file, path, 1, Want::kInteger);
        std::vector<std::int64_t> counts(static_cast<std::size_t>(d.dims[0]));
        read_rows(d, H5T_NATIVE_INT64, 0, d.dims[0], counts.data(), counts.size());
        for (std::size_t k = 0; k < counts.size(); ++k) {
            if (counts[k] < 0) {
                throw Malformed(std::string(path) + ": row " + std::to_string(k) + " is " +
                                std::to_string(counts[k]) + " (a count must be >= 0)");
            }
        }
        return counts;
    });
}

std::vector<TraceLink> TraceReader::all_links() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    if (!h5::has_link(impl_->file, "connectivity/links")) {
        return {};
    }
    return guarded(path_, "", [&] {
        const Dset d = open_checked(impl_->file, "connectivity/links", 1, Want::kCompound);
        std::vector<TraceLink> out(static_cast<std::size_t>(d.dims[0]));
        const Handle t = h5::link_type(false);
        read_rows(d, t, 0, d.dims[0], out.data(), out.size());
        return out;
    });
}

std::vector<TraceLink> TraceReader::links(std::size_t k) const {
    const std::vector<std::int64_t> counts = links_per_sample();  // each >= 0
    if (counts.empty()) {
        return {};
    }
    if (k >= counts.size()) {
        throw TraceError(path_, "links of sample " + std::to_string(k) + ": the trace has " +
                                    std::to_string(counts.size()) + " samples");
    }
    const std::lock_guard lock(h5::hdf5_mutex());
    if (!h5::has_link(impl_->file, "connectivity/links")) {
        return {};
    }
    return guarded(path_, "", [&] {
        const Dset d = open_checked(impl_->file, "connectivity/links", 1, Want::kCompound);
        const hsize_t rows = d.dims[0];
        // a killed writer may have flushed the counts but not all rows (or the reverse):
        // what the rows hold of them (saturating: no overflow on forged counts)
        hsize_t first = 0;
        for (std::size_t i = 0; i < k && first < rows; ++i) {
            first += std::min(static_cast<hsize_t>(counts[i]), rows - first);
        }
        const hsize_t n = std::min(static_cast<hsize_t>(counts[k]), rows - first);
        std::vector<TraceLink> out(static_cast<std::size_t>(n));
        const Handle t = h5::link_type(false);
        read_rows(d, t, first, n, out.data(), out.size());
        return out;
    });
}

std::string TraceReader::scenario_text() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    return guarded(path_, "reading parameters/scenario: ", [&] {
        const Dset d = open_checked(impl_->file, "parameters/scenario", 0, Want::kString);
        // fixed-length (hdf5_util.hpp): a variable-length one is refused unread
        const Handle t(H5Dget_type(d.id));
        const std::size_t n = t.valid() ? H5Tget_size(t) : 0;
        if (!t.valid() || H5Tis_variable_str(t) != 0) {
            fail("parameters/scenario: not a fixed-length string");
        }
        if (n > kMaxScenarioTextBytes) {
            fail("parameters/scenario: a string of " + std::to_string(n) +
                 " bytes, more than the " + std::to_string(kMaxScenarioTextBytes) + " read");
        }
        std::string s(n, '\0');
        if (H5Dread(d.id, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s.data()) < 0) {
            fail("parameters/scenario: cannot read it");
        }
        s.resize(std::min(s.find('\0'), s.size()));
        return s;
    });
}

std::string TraceReader::parameter_string(const std::string& name) const {
    const std::lock_guard lock(h5::hdf5_mutex());
    return guarded(path_, "parameter '" + name + "': ", [&] {
        const Handle g(
            h5::check(H5Gopen2(impl_->file, "parameters", H5P_DEFAULT), "no parameters group"));
        return h5::read_attr_string(g, name.c_str());
    });
}

double TraceReader::parameter_number(const std::string& name) const {
    const std::lock_guard lock(h5::hdf5_mutex());
    return guarded(path_, "parameter '" + name + "': ", [&] {
        const Handle g(
            h5::check(H5Gopen2(impl_->file, "parameters", H5P_DEFAULT), "no parameters group"));
        return h5::read_attr_f64(g, name.c_str());
    });
}

namespace {

// a count stored as a number (no float-to-integer overflow on a damaged value)
std::uint64_t as_count(const std::string& file, const char* name, double v) {
    if (!(v >= 0.0 && v < 18446744073709551616.0)) {
        throw TraceFormatError(file, std::string("parameter '") + name +
                                         "' = " + std::to_string(v) + " is not a count");
    }
    return static_cast<std::uint64_t>(v);
}

}  // namespace

std::uint64_t TraceReader::seed() const {
    return as_count(path_, "seed", parameter_number("seed"));
}

std::uint64_t TraceReader::threads() const {
    return as_count(path_, "threads", parameter_number("threads"));
}

std::uint64_t TraceReader::ranks() const {
    bool present = false;
    {
        const std::lock_guard lock(h5::hdf5_mutex());
        present = guarded(path_, "parameters: ", [&] {
            const Handle g(
                h5::check(H5Gopen2(impl_->file, "parameters", H5P_DEFAULT), "no parameters group"));
            return h5::has_attr(g, "ranks");
        });
    }
    return present ? as_count(path_, "ranks", parameter_number("ranks")) : 1;
}

void TraceReader::read_all() const {
    for (std::size_t k = 0; k < samples_; ++k) {
        (void)frame(k);
        for (const std::string& name : impl_->extra_values) {
            (void)agent_value(name, k);
        }
    }
    (void)sample_times();
    for (const std::string& name : observables()) {
        (void)observable(name);
    }
    (void)events();
    (void)event_kinds();
    (void)links_per_sample();
    (void)all_links();
    (void)scenario_text();
}

void TraceReader::read_replay_parts() const {
    // each part on its own: one the reader refuses is the caller's to meet when it reads it
    const auto part = [](auto&& read) {
        try {
            read();
        } catch (const TraceError&) {
        }
    };
    for (const std::size_t k : {std::size_t{0}, samples_ / 2, samples_ - 1}) {
        if (k < samples_) {
            part([&] { (void)frame(k); });
            part([&] { (void)links(k); });
            for (const std::string& name : impl_->extra_values) {
                part([&] { (void)agent_value(name, k); });
            }
        }
    }
    part([&] { (void)sample_times(); });
    part([&] {
        for (const std::string& name : observables()) {
            part([&] { (void)observable(name); });
        }
    });
    part([&] { (void)events(); });
    part([&] { (void)event_kinds(); });
    part([&] { (void)disruption_labels(); });
    part([&] { (void)all_links(); });
    part([&] { (void)scenario_text(); });
    for (const char* name : {"swarmsim_version", "scenario_name"}) {
        part([&] { (void)parameter_string(name); });
    }
    part([&] { (void)parameter_number("sample_interval_s"); });
    part([&] { (void)seed(); });
    part([&] { (void)threads(); });
    part([&] { (void)ranks(); });
}

}  // namespace swarm::io
