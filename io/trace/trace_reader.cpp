#include "io/trace/trace_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "io/trace/hdf5_util.hpp"

namespace swarm::io {

namespace {

using h5::Handle;

const auto& kElements = kTraceAgentElements;

std::vector<hsize_t> dims_of(hid_t dset) {
    const Handle space(h5::check(H5Dget_space(dset), "H5Dget_space"));
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> d(static_cast<std::size_t>(rank > 0 ? rank : 0));
    H5Sget_simple_extent_dims(space, d.data(), nullptr);
    return d;
}

// reads rows [first, first + count) of a dataset into `out` (sized by the caller)
void read_rows(hid_t dset, hid_t mem_type, hsize_t first, hsize_t count, void* out) {
    std::vector<hsize_t> d = dims_of(dset);
    if (d.empty()) {
        h5::check_status(H5Dread(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out),
                         "cannot read a dataset");
        return;
    }
    std::vector<hsize_t> start(d.size(), 0);
    start[0] = first;
    d[0] = count;
    const Handle fspace(h5::check(H5Dget_space(dset), "H5Dget_space"));
    h5::check_status(
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, d.data(), nullptr),
        "H5Sselect_hyperslab");
    const Handle mspace(h5::check(H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr),
                                  "H5Screate_simple"));
    h5::check_status(H5Dread(dset, mem_type, mspace, fspace, H5P_DEFAULT, out),
                     "cannot read a dataset");
}

Handle open_dset(hid_t file, const std::string& path) {
    return Handle(h5::check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "cannot open a dataset"));
}

// the names of the links in group `path` (none when it does not exist)
std::vector<std::string> link_names(hid_t file, const char* path) {
    std::vector<std::string> names;
    const Handle g(H5Gopen2(file, path, H5P_DEFAULT));
    if (!g.valid()) {
        return names;
    }
    H5G_info_t info;
    if (H5Gget_info(g, &info) < 0) {
        return names;
    }
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t n =
            H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (n <= 0) {
            continue;
        }
        std::string name(static_cast<std::size_t>(n) + 1, '\0');
        H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                           H5P_DEFAULT);
        name.resize(static_cast<std::size_t>(n));
        names.push_back(name);
    }
    return names;
}

}  // namespace

struct TraceReader::Impl {
    Handle file;
};

TraceReader::TraceReader(const std::string& path, bool allow_partial)
    : path_(path), impl_(std::make_unique<Impl>()) {
    const std::lock_guard lock(h5::hdf5_mutex());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    if (std::FILE* probe = std::fopen(path.c_str(), "rb")) {
        std::fclose(probe);
    } else {
        throw TraceError(path, "cannot open it (missing or unreadable)");
    }
    if (H5Fis_hdf5(path.c_str()) <= 0) {
        throw TraceError(path, "not an HDF5 file");
    }
    // SWMR read first: a file whose writer was killed is still flagged open for writing
    impl_->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT));
    if (!impl_->file.valid()) {
        impl_->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    }
    if (!impl_->file.valid()) {
        throw TraceError(path, "cannot open the HDF5 file");
    }
    const hid_t f = impl_->file;
    try {
        if (!h5::has_link(f, "h5md") || !h5::has_link(f, "h5md/modules/swarmsim_trace")) {
            throw TraceError(path, "not a swarmsim trace (no h5md/modules/swarmsim_trace group)");
        }
        {
            const Handle m(h5::check(H5Gopen2(f, "h5md/modules/swarmsim_trace", H5P_DEFAULT),
                                     "cannot open the module group"));
            const std::vector<int> v = h5::read_attr_ints(m, "version");
            if (v.size() != 2) {
                throw TraceError(path, "bad swarmsim_trace version attribute");
            }
            schema_ = {v[0], v[1]};
            if (v[0] != kTraceSchemaVersion[0]) {
                throw TraceError(path, "unsupported trace schema version " + std::to_string(v[0]) +
                                           "." + std::to_string(v[1]));
            }
        }
        complete_ = h5::has_attr(f, "complete") && h5::read_attr_i64(f, "complete") == 1;
        if (!complete_ && !allow_partial && h5::has_attr(f, "incomplete") &&
            h5::read_attr_i64(f, "incomplete") == 1) {
            // the writer failed (a full disk) and cut the file back to its last flush
            const std::string why = h5::has_attr(f, "incomplete_reason")
                                        ? h5::read_attr_string(f, "incomplete_reason")
                                        : std::string("no reason recorded");
            throw TraceError(path, "incomplete trace: writing it failed (" + why +
                                       "); pass allow_partial to read the samples kept");
        }
        if (!complete_ && !allow_partial) {
            throw TraceError(path,
                             "partial trace: no complete = 1 attribute (the writer did not "
                             "close it; pass allow_partial to read the flushed samples)");
        }
        std::size_t samples = SIZE_MAX;
        for (const char* e : kElements) {
            const std::string base = std::string("particles/agents/") + e;
            for (const char* part : {"/step", "/time", "/value"}) {
                if (!h5::has_link(f, base + part)) {
                    throw TraceError(path, "missing dataset " + base + part);
                }
                const Handle d = open_dset(f, base + part);
                const std::vector<hsize_t> dims = dims_of(d);
                samples = std::min<std::size_t>(samples, dims.at(0));
                if (std::string(part) == "/value") {
                    agents_ = dims.size() > 1 ? dims[1] : 0;
                }
            }
        }
        samples_ = samples == SIZE_MAX ? 0 : samples;
    } catch (const TraceError&) {
        impl_->file.reset();
        throw;
    } catch (const std::exception& e) {
        impl_->file.reset();
        throw TraceError(path, e.what());
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
    try {
        TraceFrameData fr;
        fr.position.resize(agents_ * 2);
        fr.state.resize(agents_);
        fr.load.resize(agents_);
        fr.energy.resize(agents_);
        const hid_t f = impl_->file;
        read_rows(open_dset(f, "particles/agents/position/step"), H5T_NATIVE_INT64, k, 1, &fr.step);
        read_rows(open_dset(f, "particles/agents/position/time"), H5T_NATIVE_DOUBLE, k, 1,
                  &fr.time);
        read_rows(open_dset(f, "particles/agents/position/value"), H5T_NATIVE_DOUBLE, k, 1,
                  fr.position.data());
        read_rows(open_dset(f, "particles/agents/state/value"), H5T_NATIVE_INT8, k, 1,
                  fr.state.data());
        read_rows(open_dset(f, "particles/agents/load/value"), H5T_NATIVE_FLOAT, k, 1,
                  fr.load.data());
        read_rows(open_dset(f, "particles/agents/energy/value"), H5T_NATIVE_FLOAT, k, 1,
                  fr.energy.data());
        return fr;
    } catch (const std::exception& e) {
        throw TraceError(path_,
                         std::string("reading frame ") + std::to_string(k) + ": " + e.what());
    }
}

std::vector<std::string> TraceReader::observables() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    return link_names(impl_->file, "observables");
}

std::vector<std::string> TraceReader::agent_values() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    std::vector<std::string> names;
    for (const std::string& n : link_names(impl_->file, "particles/agents")) {
        const bool standard = n == "id" || std::any_of(std::begin(kElements), std::end(kElements),
                                                       [&n](const char* e) { return n == e; });
        if (standard || !h5::has_link(impl_->file, "particles/agents/" + n + "/value")) {
            continue;
        }
        const Handle d = open_dset(impl_->file, "particles/agents/" + n + "/value");
        const std::vector<hsize_t> dims = dims_of(d);
        if (dims.size() == 2 && dims[0] >= samples_ && dims[1] == agents_) {
            names.push_back(n);
        }
    }
    return names;
}

std::vector<float> TraceReader::agent_value(const std::string& name, std::size_t k) const {
    if (k >= samples_) {
        throw TraceError(path_, "frame " + std::to_string(k) + " out of range (" +
                                    std::to_string(samples_) + " samples)");
    }
    const std::lock_guard lock(h5::hdf5_mutex());
    const std::string path = "particles/agents/" + name + "/value";
    if (!h5::has_link(impl_->file, path)) {
        throw TraceError(path_, "no per-agent value '" + name + "'");
    }
    try {
        std::vector<float> out(agents_);
        read_rows(open_dset(impl_->file, path), H5T_NATIVE_FLOAT, k, 1, out.data());
        return out;
    } catch (const std::exception& e) {
        throw TraceError(path_, "reading " + path + " row " + std::to_string(k) + ": " + e.what());
    }
}

TraceSeries TraceReader::observable(const std::string& name) const {
    const std::lock_guard lock(h5::hdf5_mutex());
    const std::string base = "observables/" + name;
    if (!h5::has_link(impl_->file, base + "/value")) {
        throw TraceError(path_, "no observable '" + name + "'");
    }
    try {
        const Handle step = open_dset(impl_->file, base + "/step");
        const Handle time = open_dset(impl_->file, base + "/time");
        const Handle value = open_dset(impl_->file, base + "/value");
        const hsize_t n =
            std::min({dims_of(step).at(0), dims_of(time).at(0), dims_of(value).at(0)});
        TraceSeries s;
        s.step.resize(n);
        s.time.resize(n);
        s.value.resize(n);
        if (n > 0) {
            read_rows(step, H5T_NATIVE_INT64, 0, n, s.step.data());
            read_rows(time, H5T_NATIVE_DOUBLE, 0, n, s.time.data());
            read_rows(value, H5T_NATIVE_DOUBLE, 0, n, s.value.data());
        }
        return s;
    } catch (const std::exception& e) {
        throw TraceError(path_, "reading observable '" + name + "': " + e.what());
    }
}

std::vector<TraceEvent> TraceReader::events() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    try {
        const Handle d = open_dset(impl_->file, "events");
        const hsize_t n = dims_of(d).at(0);
        std::vector<TraceEvent> out(static_cast<std::size_t>(n));
        if (n > 0) {
            // the file's own kind enum in memory too: the codes as written (event_kinds()
            // says what they are), not converted by name to this build's codes
            const Handle ft(h5::check(H5Dget_type(d), "H5Dget_type"));
            const int member = H5Tget_member_index(ft, "kind");
            const Handle kt(
                h5::check(H5Tget_member_type(ft, static_cast<unsigned>(member)), "no kind column"));
            const Handle native(
                h5::check(H5Tget_native_type(kt, H5T_DIR_ASCEND), "H5Tget_native_type"));
            if (H5Tget_size(native) != sizeof(std::int16_t)) {
                throw std::runtime_error("the kind column is not 16 bits wide");
            }
            const Handle t = h5::event_type(false, native);
            read_rows(d, t, 0, n, out.data());
        }
        return out;
    } catch (const std::exception& e) {
        throw TraceError(path_, std::string("reading /events: ") + e.what());
    }
}

std::vector<TraceKindInfo> TraceReader::event_kinds() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    try {
        const Handle d = open_dset(impl_->file, "events");
        const std::vector<std::string> names = h5::read_attr_strings(d, "kinds");
        std::vector<TraceKindInfo> kinds(names.size());
        for (std::size_t i = 0; i < names.size(); ++i) {
            kinds[i].name = names[i];
        }
        if (h5::has_attr(d, "kind_roles")) {
            // schema 1.6: the file's own table
            const auto column = [&](const char* attr) {
                std::vector<std::string> v = h5::read_attr_strings(d, attr);
                if (v.size() != names.size()) {
                    throw std::runtime_error(std::string("attribute ") + attr + " has " +
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
            const std::vector<int> pairs = h5::read_attr_ints(d, "kind_pairs");
            if (pairs.size() != names.size()) {
                throw std::runtime_error("attribute kind_pairs does not match kinds");
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
    } catch (const std::exception& e) {
        throw TraceError(path_, std::string("reading the /events kinds: ") + e.what());
    }
}

std::vector<std::int64_t> TraceReader::links_per_sample() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    std::vector<std::int64_t> counts;
    if (!h5::has_link(impl_->file, "connectivity/links_per_sample/value")) {
        return counts;  // a trace from before schema 1.1
    }
    try {
        const Handle d = open_dset(impl_->file, "connectivity/links_per_sample/value");
        counts.resize(static_cast<std::size_t>(dims_of(d).at(0)));
        if (!counts.empty()) {
            read_rows(d, H5T_NATIVE_INT64, 0, counts.size(), counts.data());
        }
        return counts;
    } catch (const std::exception& e) {
        throw TraceError(path_, std::string("reading connectivity/links_per_sample: ") + e.what());
    }
}

std::vector<TraceLink> TraceReader::all_links() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    if (!h5::has_link(impl_->file, "connectivity/links")) {
        return {};
    }
    try {
        const Handle d = open_dset(impl_->file, "connectivity/links");
        std::vector<TraceLink> out(static_cast<std::size_t>(dims_of(d).at(0)));
        if (!out.empty()) {
            const Handle t = h5::link_type(false);
            read_rows(d, t, 0, out.size(), out.data());
        }
        return out;
    } catch (const std::exception& e) {
        throw TraceError(path_, std::string("reading connectivity/links: ") + e.what());
    }
}

std::vector<TraceLink> TraceReader::links(std::size_t k) const {
    const std::vector<std::int64_t> counts = links_per_sample();
    if (counts.empty()) {
        return {};
    }
    if (k >= counts.size()) {
        throw TraceError(path_, "links of sample " + std::to_string(k) + ": the trace has " +
                                    std::to_string(counts.size()) + " samples");
    }
    std::int64_t first = 0;
    for (std::size_t i = 0; i < k; ++i) {
        first += counts[i];
    }
    const std::lock_guard lock(h5::hdf5_mutex());
    try {
        const Handle d = open_dset(impl_->file, "connectivity/links");
        const auto rows = static_cast<std::int64_t>(dims_of(d).at(0));
        // a killed writer may have flushed the counts but not all rows (or the reverse)
        const std::int64_t n = std::max<std::int64_t>(0, std::min(counts[k], rows - first));
        std::vector<TraceLink> out(static_cast<std::size_t>(n));
        if (n > 0) {
            const Handle t = h5::link_type(false);
            read_rows(d, t, static_cast<hsize_t>(first), static_cast<hsize_t>(n), out.data());
        }
        return out;
    } catch (const std::exception& e) {
        throw TraceError(path_, std::string("reading connectivity/links: ") + e.what());
    }
}

std::string TraceReader::scenario_text() const {
    const std::lock_guard lock(h5::hdf5_mutex());
    try {
        const Handle d = open_dset(impl_->file, "parameters/scenario");
        Handle t(h5::check(H5Tcopy(H5T_C_S1), "H5Tcopy"));
        H5Tset_size(t, H5T_VARIABLE);
        H5Tset_cset(t, H5T_CSET_UTF8);
        char* p = nullptr;
        h5::check_status(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p), "cannot read");
        std::string s = p != nullptr ? p : "";
        H5free_memory(p);
        return s;
    } catch (const std::exception& e) {
        throw TraceError(path_, std::string("reading parameters/scenario: ") + e.what());
    }
}

std::string TraceReader::parameter_string(const std::string& name) const {
    const std::lock_guard lock(h5::hdf5_mutex());
    try {
        const Handle g(
            h5::check(H5Gopen2(impl_->file, "parameters", H5P_DEFAULT), "no parameters group"));
        return h5::read_attr_string(g, name.c_str());
    } catch (const std::exception& e) {
        throw TraceError(path_, "parameter '" + name + "': " + e.what());
    }
}

double TraceReader::parameter_number(const std::string& name) const {
    const std::lock_guard lock(h5::hdf5_mutex());
    try {
        const Handle g(
            h5::check(H5Gopen2(impl_->file, "parameters", H5P_DEFAULT), "no parameters group"));
        return h5::read_attr_f64(g, name.c_str());
    } catch (const std::exception& e) {
        throw TraceError(path_, "parameter '" + name + "': " + e.what());
    }
}

std::uint64_t TraceReader::seed() const {
    return static_cast<std::uint64_t>(parameter_number("seed"));
}

std::uint64_t TraceReader::threads() const {
    return static_cast<std::uint64_t>(parameter_number("threads"));
}

}  // namespace swarm::io
