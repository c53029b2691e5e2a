#include "io/trace/hdf5_util.hpp"

#include <H5DSpublic.h>
#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "io/trace/row_deflate.hpp"
#include "io/trace/trace_format.hpp"

namespace swarm::io::h5 {

std::mutex& hdf5_mutex() {
    static std::mutex m;
    return m;
}

void no_cleanup_at_exit() {
    static std::once_flag once;
    std::call_once(once, [] {
        const std::lock_guard lock(hdf5_mutex());
        H5dont_atexit();  // fails harmlessly when the library is initialised already
    });
}

void Handle::reset() {
    if (id_ < 0) {
        return;
    }
    switch (H5Iget_type(id_)) {
        case H5I_FILE:
            H5Fclose(id_);
            break;
        case H5I_GROUP:
            H5Gclose(id_);
            break;
        case H5I_DATASET:
            H5Dclose(id_);
            break;
        case H5I_DATASPACE:
            H5Sclose(id_);
            break;
        case H5I_DATATYPE:
            H5Tclose(id_);
            break;
        case H5I_ATTR:
            H5Aclose(id_);
            break;
        case H5I_GENPROP_LST:
            H5Pclose(id_);
            break;
        default:
            break;
    }
    id_ = H5I_INVALID_HID;
}

namespace {

// the errno a file driver recorded on HDF5's error stack ("..., errno = 28, error message =
// 'No space left on device', ..."), 0 when none
extern "C" herr_t find_errno(unsigned /*n*/, const H5E_error2_t* err, void* data) {
    const char* p = err->desc != nullptr ? std::strstr(err->desc, "errno = ") : nullptr;
    if (p != nullptr) {
        *static_cast<int*>(data) = std::atoi(p + 8);
    }
    return 0;
}

[[noreturn]] void fail(const char* what) {
    int err = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_errno, &err);
    if (err > 0) {
        throw std::runtime_error(std::string(what) + ": " + std::strerror(err));
    }
    throw std::runtime_error(what);
}

}  // namespace

hid_t check(hid_t id, const char* what) {
    if (id < 0) {
        fail(what);
    }
    return id;
}

void check_status(herr_t status, const char* what) {
    if (status < 0) {
        fail(what);
    }
}

Handle create_group(hid_t parent, const char* name) {
    // no creation timestamps: the same run must give the same file
    const Handle gcpl(check(H5Pcreate(H5P_GROUP_CREATE), "H5Pcreate"));
    check_status(H5Pset_obj_track_times(gcpl, 0), "H5Pset_obj_track_times");
    return Handle(
        check(H5Gcreate2(parent, name, H5P_DEFAULT, gcpl, H5P_DEFAULT), "cannot create a group"));
}

// a fixed-length UTF-8 string type of `size` bytes (at least one), padded with NULs
Handle fixed_string_type(std::size_t size) {
    Handle t(check(H5Tcopy(H5T_C_S1), "H5Tcopy"));
    check_status(H5Tset_size(t, std::max<std::size_t>(size, 1)), "H5Tset_size");
    check_status(H5Tset_strpad(t, H5T_STR_NULLPAD), "H5Tset_strpad");
    check_status(H5Tset_cset(t, H5T_CSET_UTF8), "H5Tset_cset");
    return t;
}

namespace {

void write_attr(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, hid_t space,
                const void* data) {
    if (H5Aexists(obj, name) > 0) {
        check_status(H5Adelete(obj, name), "cannot replace an attribute");
    }
    const Handle a(check(H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT),
                         "cannot create an attribute"));
    check_status(H5Awrite(a, mem_type, data), "cannot write an attribute");
}

template <class T>
void scalar_attr(hid_t obj, const char* name, hid_t type, T value) {
    const Handle space(check(H5Screate(H5S_SCALAR), "H5Screate"));
    write_attr(obj, name, type, type, space, &value);
}

}  // namespace

void attr_string(hid_t obj, const char* name, const std::string& value) {
    const Handle t = fixed_string_type(value.size());
    const Handle space(check(H5Screate(H5S_SCALAR), "H5Screate"));
    std::string padded = value;
    padded.resize(std::max<std::size_t>(value.size(), 1), '\0');
    write_attr(obj, name, t, t, space, padded.data());
}

void attr_strings(hid_t obj, const char* name, const std::vector<std::string>& values) {
    std::size_t width = 1;
    for (const std::string& v : values) {
        width = std::max(width, v.size());
    }
    const Handle t = fixed_string_type(width);
    const hsize_t n = values.size();
    const Handle space(check(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"));
    std::string packed(values.size() * width, '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
        packed.replace(i * width, values[i].size(), values[i]);
    }
    write_attr(obj, name, t, t, space, packed.data());
}

void attr_ints(hid_t obj, const char* name, const std::vector<int>& values) {
    const hsize_t n = values.size();
    const Handle space(check(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"));
    write_attr(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, space, values.data());
}

void attr_u64(hid_t obj, const char* name, std::uint64_t value) {
    scalar_attr(obj, name, H5T_NATIVE_UINT64, value);
}
void attr_i64(hid_t obj, const char* name, std::int64_t value) {
    scalar_attr(obj, name, H5T_NATIVE_INT64, value);
}
void attr_f64(hid_t obj, const char* name, double value) {
    scalar_attr(obj, name, H5T_NATIVE_DOUBLE, value);
}

bool has_attr(hid_t obj, const char* name) {
    return H5Aexists(obj, name) > 0;
}

void make_scale(hid_t scale, const char* name) {
    check_status(H5DSset_scale(scale, name), "cannot make a dimension scale");
}

void attach_scale(hid_t dset, hid_t scale, unsigned axis) {
    check_status(H5DSattach_scale(dset, scale, axis), "cannot attach a dimension scale");
}

bool has_link(hid_t parent, const std::string& path) {
    // walk the path so that a missing intermediate group is "no", not an error
    std::size_t end = 0;
    while (end != std::string::npos) {
        end = path.find('/', end + 1);
        const std::string prefix = path.substr(0, end);
        if (H5Lexists(parent, prefix.c_str(), H5P_DEFAULT) <= 0) {
            return false;
        }
    }
    return true;
}

namespace {

// attributes read back are small: a header's numbers and tables of names
constexpr std::size_t kMaxAttrPoints = std::size_t{1} << 16U;
constexpr std::size_t kMaxAttrBytes = std::size_t{16} << 20U;

// the number of values of attribute `a`: exactly `max` for a scalar (max = 1), else at most
// `max`, so that no buffer is sized from a damaged file's claim
std::size_t attr_points(hid_t a, const char* name, std::size_t max) {
    const Handle space(check(H5Aget_space(a), "H5Aget_space"));
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n < 0 || static_cast<std::size_t>(n) > max || (max == 1 && n != 1)) {
        throw std::runtime_error(
            std::string("attribute ") + name + " has " + std::to_string(n) + " values, expected " +
            (max == 1 ? std::string("one") : "at most " + std::to_string(max)));
    }
    return static_cast<std::size_t>(n);
}

}  // namespace

namespace {

// the bytes of a fixed-length string attribute; a variable-length one is refused unread: it
// would send HDF5 into the global heap, where libhdf5 1.10 crashes or loops forever on a
// damaged file
std::string read_fixed_strings(hid_t a, const char* name, std::size_t points, std::size_t& width) {
    const Handle ft(check(H5Aget_type(a), "H5Aget_type"));
    if (H5Tget_class(ft) != H5T_STRING || H5Tis_variable_str(ft) != 0) {
        throw std::runtime_error(std::string("attribute ") + name +
                                 " is not a fixed-length string");
    }
    width = H5Tget_size(ft);
    if (width == 0 || width > kMaxAttrBytes / std::max<std::size_t>(points, 1)) {
        throw std::runtime_error(std::string("attribute ") + name + " holds strings of " +
                                 std::to_string(width) + " bytes, more than the " +
                                 std::to_string(kMaxAttrBytes) + " bytes read");
    }
    std::string bytes(points * width, '\0');
    if (!bytes.empty()) {
        check_status(H5Aread(a, ft, bytes.data()), "cannot read an attribute");
    }
    return bytes;
}

// one string of a packed array: up to its first NUL
std::string unpad(const std::string& bytes, std::size_t at, std::size_t width) {
    const std::size_t end = std::min(bytes.find('\0', at), at + width);
    return bytes.substr(at, end - at);
}

}  // namespace

std::string read_attr_string(hid_t obj, const char* name) {
    const Handle a(check(H5Aopen(obj, name, H5P_DEFAULT), "cannot open an attribute"));
    attr_points(a, name, 1);
    std::size_t width = 0;
    const std::string bytes = read_fixed_strings(a, name, 1, width);
    return unpad(bytes, 0, width);
}

std::vector<std::string> read_attr_strings(hid_t obj, const char* name) {
    const Handle a(check(H5Aopen(obj, name, H5P_DEFAULT), "cannot open an attribute"));
    const std::size_t n = attr_points(a, name, kMaxAttrPoints);
    std::size_t width = 0;
    const std::string bytes = read_fixed_strings(a, name, n, width);
    std::vector<std::string> v;
    v.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        v.push_back(unpad(bytes, i * width, width));
    }
    return v;
}

std::vector<int> read_attr_ints(hid_t obj, const char* name) {
    const Handle a(check(H5Aopen(obj, name, H5P_DEFAULT), "cannot open an attribute"));
    std::vector<int> v(attr_points(a, name, kMaxAttrPoints));
    check_status(H5Aread(a, H5T_NATIVE_INT, v.data()), "cannot read an attribute");
    return v;
}

std::int64_t read_attr_i64(hid_t obj, const char* name) {
    const Handle a(check(H5Aopen(obj, name, H5P_DEFAULT), "cannot open an attribute"));
    attr_points(a, name, 1);
    std::int64_t v = 0;
    check_status(H5Aread(a, H5T_NATIVE_INT64, &v), "cannot read an attribute");
    return v;
}

std::uint64_t read_attr_u64(hid_t obj, const char* name) {
    const Handle a(check(H5Aopen(obj, name, H5P_DEFAULT), "cannot open an attribute"));
    attr_points(a, name, 1);
    std::uint64_t v = 0;
    check_status(H5Aread(a, H5T_NATIVE_UINT64, &v), "cannot read an attribute");
    return v;
}

double read_attr_f64(hid_t obj, const char* name) {
    const Handle a(check(H5Aopen(obj, name, H5P_DEFAULT), "cannot open an attribute"));
    attr_points(a, name, 1);
    double v = 0;
    check_status(H5Aread(a, H5T_NATIVE_DOUBLE, &v), "cannot read an attribute");
    return v;
}

ChunkRows::ChunkRows(ChunkRows&& o) noexcept {
    *this = std::move(o);
}

ChunkRows& ChunkRows::operator=(ChunkRows&& o) noexcept {
    if (this != &o) {
        dset_ = std::move(o.dset_);
        base_ = o.base_;
        filled_ = o.filled_;
        written_ = o.written_;
        frames_ = o.frames_;
        block_ = o.block_;
        agents_ = o.agents_;
        agent_bytes_ = o.agent_bytes_;
        type_size_ = o.type_size_;
        filtered_ = o.filtered_;
        row_dims_ = std::move(o.row_dims_);
        slab_ = std::move(o.slab_);
        chunk_ = std::move(o.chunk_);
        shuffled_ = std::move(o.shuffled_);
        packed_ = std::move(o.packed_);
        streams_ = std::move(o.streams_);
        if (compressor_ != nullptr) {
            libdeflate_free_compressor(compressor_);
        }
        compressor_ = std::exchange(o.compressor_, nullptr);
        fail_countdown_ = o.fail_countdown_;
    }
    return *this;
}

ChunkRows::~ChunkRows() {
    if (compressor_ != nullptr) {
        libdeflate_free_compressor(compressor_);
    }
}

ChunkRows ChunkRows::open(hid_t parent, const char* name, int deflate, bool row_codec) {
    ChunkRows c;
    c.dset_ = Handle(check(H5Dopen2(parent, name, H5P_DEFAULT), "cannot open a dataset"));
    const Handle space(check(H5Dget_space(c.dset_), "H5Dget_space"));
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 2 || rank > 8) {
        throw std::runtime_error(std::string(name) + ": not a per-agent dataset");
    }
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    std::vector<hsize_t> chunk(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    const Handle dcpl(check(H5Dget_create_plist(c.dset_), "H5Dget_create_plist"));
    check(H5Pget_chunk(dcpl, rank, chunk.data()), "H5Pget_chunk");
    const Handle type(check(H5Dget_type(c.dset_), "H5Dget_type"));
    c.type_size_ = H5Tget_size(type);
    c.base_ = dims[0];
    c.frames_ = chunk[0];
    c.agents_ = dims[1];
    c.block_ = chunk[1];
    c.row_dims_.assign(dims.begin() + 1, dims.end());
    c.agent_bytes_ = c.type_size_;
    for (std::size_t i = 2; i < dims.size(); ++i) {
        if (chunk[i] != dims[i]) {
            throw std::runtime_error(std::string(name) + ": chunks must span the inner axes");
        }
        c.agent_bytes_ *= dims[i];
    }
    c.filtered_ = H5Pget_nfilters(dcpl) > 0;
    if (c.filtered_ && !row_codec) {
        c.compressor_ = libdeflate_alloc_compressor(std::clamp(deflate, 1, 12));
        if (c.compressor_ == nullptr) {
            throw std::runtime_error("cannot allocate a deflate compressor");
        }
    }
    if (c.filtered_ && row_codec) {
        const std::size_t width =
            static_cast<std::size_t>(c.block_) * c.agent_bytes_ / c.type_size_;
        for (hsize_t a0 = 0; a0 < c.agents_; a0 += c.block_) {
            c.streams_.emplace_back(c.type_size_, width);
        }
    } else {
        c.slab_.resize(static_cast<std::size_t>(c.frames_ * c.agents_) * c.agent_bytes_);
        c.chunk_.resize(static_cast<std::size_t>(c.frames_ * c.block_) * c.agent_bytes_);
    }
    return c;
}

void ChunkRows::append(const void* row) {
    const std::size_t row_bytes = static_cast<std::size_t>(agents_) * agent_bytes_;
    if (!streams_.empty()) {
        const auto* bytes = static_cast<const unsigned char*>(row);
        for (std::size_t b = 0; b < streams_.size(); ++b) {
            const hsize_t a0 = b * block_;
            const hsize_t a1 = std::min(a0 + block_, agents_);
            const std::size_t used = static_cast<std::size_t>(a1 - a0) * agent_bytes_;
            streams_[b].add_row(bytes + a0 * agent_bytes_, used);
        }
    } else if (row_bytes > 0) {  // no agents: only the extent grows
        std::memcpy(slab_.data() + filled_ * row_bytes, row, row_bytes);
    }
    if (++filled_ == frames_) {
        write_chunks();
        base_ += frames_;
        filled_ = 0;
        written_ = 0;
        for (RowDeflater& stream : streams_) {
            stream.clear();
        }
    }
}

void ChunkRows::commit() {
    if (filled_ > written_) {
        write_chunks();
        written_ = filled_;
    }
}

void ChunkRows::injected_failure() {
    if (fail_countdown_ != nullptr && *fail_countdown_ > 0 && --*fail_countdown_ == 0) {
        throw std::runtime_error(std::string("cannot write a chunk: ") + std::strerror(ENOSPC) +
                                 " (simulated: TraceOptions::fail_chunk_write)");
    }
}

void ChunkRows::truncate(hsize_t rows) {
    std::array<hsize_t, 8> dims{};
    dims[0] = rows;
    std::copy(row_dims_.begin(), row_dims_.end(), dims.begin() + 1);
    check_status(H5Dset_extent(dset_, dims.data()), "cannot cut a dataset back");
    base_ = rows;
    filled_ = 0;
    written_ = 0;
}

void ChunkRows::write_chunks() {
    // rank <= 3 (open() checked the inner axes)
    std::array<hsize_t, 8> dims{};
    dims[0] = base_ + filled_;
    std::copy(row_dims_.begin(), row_dims_.end(), dims.begin() + 1);
    check_status(H5Dset_extent(dset_, dims.data()), "cannot extend a dataset");
    if (agents_ == 0) {
        return;
    }
    const std::size_t row_bytes = static_cast<std::size_t>(agents_) * agent_bytes_;
    const std::size_t block_bytes = static_cast<std::size_t>(block_) * agent_bytes_;
    std::array<hsize_t, 8> offset{};
    offset[0] = base_;
    if (!streams_.empty()) {
        for (std::size_t b = 0; b < streams_.size(); ++b) {
            streams_[b].finish(static_cast<std::size_t>(frames_), packed_);
            offset[1] = b * block_;
            injected_failure();
            check_status(H5Dwrite_chunk(dset_, H5P_DEFAULT, 0, offset.data(), packed_.size(),
                                        packed_.data()),
                         "cannot write a chunk");
        }
        return;
    }
    for (hsize_t a0 = 0; a0 < agents_; a0 += block_) {
        // the chunk as HDF5 lays it out: frames_ rows of block_ agents, row-major; agents
        // past the end (last block) and rows not yet appended are zeros
        const std::size_t used =
            static_cast<std::size_t>(std::min(block_, agents_ - a0)) * agent_bytes_;
        for (hsize_t r = 0; r < filled_; ++r) {
            unsigned char* out = chunk_.data() + r * block_bytes;
            std::memcpy(out, slab_.data() + r * row_bytes + a0 * agent_bytes_, used);
            std::memset(out + used, 0, block_bytes - used);
        }
        std::memset(chunk_.data() + filled_ * block_bytes, 0, (frames_ - filled_) * block_bytes);
        const void* data = chunk_.data();
        std::size_t size = chunk_.size();
        if (filtered_) {
            shuffled_.resize(chunk_.size());
            if (type_size_ == 1) {
                shuffled_.swap(chunk_);
            } else {
                shuffle_chunk(chunk_.data(), chunk_.size(), type_size_, shuffled_.data());
            }
            packed_.resize(libdeflate_zlib_compress_bound(compressor_, shuffled_.size()));
            size = libdeflate_zlib_compress(compressor_, shuffled_.data(), shuffled_.size(),
                                            packed_.data(), packed_.size());
            if (type_size_ == 1) {
                shuffled_.swap(chunk_);
            }
            if (size == 0) {
                throw std::runtime_error("deflate failed");
            }
            data = packed_.data();
        }
        offset[1] = a0;
        injected_failure();
        check_status(H5Dwrite_chunk(dset_, H5P_DEFAULT, 0, offset.data(), size, data),
                     "cannot write a chunk");
    }
}

Handle event_kind_type() {
    Handle t(check(H5Tenum_create(H5T_NATIVE_INT16), "H5Tenum_create"));
    const std::vector<TraceKindInfo>& kinds = trace_event_kinds();
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        const auto v = static_cast<std::int16_t>(i);
        check_status(H5Tenum_insert(t, kinds[i].name.c_str(), &v), "H5Tenum_insert");
    }
    return t;
}

Handle event_type(bool file_layout, hid_t kind_type) {
    const Handle own = kind_type < 0 ? event_kind_type() : Handle{};
    const hid_t kind = kind_type < 0 ? own.get() : kind_type;
    if (!file_layout) {
        Handle t(check(H5Tcreate(H5T_COMPOUND, sizeof(TraceEvent)), "H5Tcreate"));
        H5Tinsert(t, "time", offsetof(TraceEvent, time), H5T_NATIVE_DOUBLE);
        H5Tinsert(t, "kind", offsetof(TraceEvent, kind), kind);
        H5Tinsert(t, "agent", offsetof(TraceEvent, agent), H5T_NATIVE_UINT32);
        H5Tinsert(t, "edge", offsetof(TraceEvent, edge), H5T_NATIVE_UINT32);
        H5Tinsert(t, "order", offsetof(TraceEvent, order), H5T_NATIVE_UINT64);
        H5Tinsert(t, "value", offsetof(TraceEvent, value), H5T_NATIVE_DOUBLE);
        return t;
    }
    // packed little-endian layout in the file: 8 + 2 + 4 + 4 + 8 + 8 = 34 bytes
    Handle t(check(H5Tcreate(H5T_COMPOUND, 34), "H5Tcreate"));
    H5Tinsert(t, "time", 0, H5T_IEEE_F64LE);
    H5Tinsert(t, "kind", 8, kind);
    H5Tinsert(t, "agent", 10, H5T_STD_U32LE);
    H5Tinsert(t, "edge", 14, H5T_STD_U32LE);
    H5Tinsert(t, "order", 18, H5T_STD_U64LE);
    H5Tinsert(t, "value", 26, H5T_IEEE_F64LE);
    return t;
}

void pack_events(const std::vector<TraceEvent>& events, unsigned char* out) {
    static_assert(std::endian::native == std::endian::little, "rows are packed little-endian");
    unsigned char* p = out;
    for (const TraceEvent& e : events) {
        p = put_packed(p, e.time, e.kind, e.agent, e.edge, e.order, e.value);
    }
}

Handle link_type(bool file_layout) {
    if (!file_layout) {
        Handle t(check(H5Tcreate(H5T_COMPOUND, sizeof(TraceLink)), "H5Tcreate"));
        H5Tinsert(t, "from", offsetof(TraceLink, from), H5T_NATIVE_UINT32);
        H5Tinsert(t, "to", offsetof(TraceLink, to), H5T_NATIVE_UINT32);
        H5Tinsert(t, "messages", offsetof(TraceLink, messages), H5T_NATIVE_UINT32);
        H5Tinsert(t, "bytes", offsetof(TraceLink, bytes), H5T_NATIVE_UINT64);
        return t;
    }
    // packed little-endian: 4 + 4 + 4 + 8 = 20 bytes
    Handle t(check(H5Tcreate(H5T_COMPOUND, 20), "H5Tcreate"));
    H5Tinsert(t, "from", 0, H5T_STD_U32LE);
    H5Tinsert(t, "to", 4, H5T_STD_U32LE);
    H5Tinsert(t, "messages", 8, H5T_STD_U32LE);
    H5Tinsert(t, "bytes", 12, H5T_STD_U64LE);
    return t;
}

Handle leg_type(bool file_layout, int minor) {
    struct Column {
        const char* name;
        std::size_t memory;  // offset in TraceLegRow (minor 0, 1) or TracePointLegRow (2)
        hid_t native;
        hid_t file;
        std::size_t bytes;
        unsigned minors;  // bit m: a column of schema 3.m
    };
    using R = TraceLegRow;
    using P = TracePointLegRow;
    const bool points = minor >= 2;
    const auto at = [points](std::size_t row, std::size_t point_row) {
        return points ? point_row : row;
    };
    const Column columns[] = {
        {"frame", offsetof(R, frame), H5T_NATIVE_UINT32, H5T_STD_U32LE, 4, 1U},
        {"agent", at(offsetof(R, agent), offsetof(P, agent)), H5T_NATIVE_UINT32, H5T_STD_U32LE, 4,
         7U},
        {"moving", at(offsetof(R, moving), offsetof(P, moving)), H5T_NATIVE_UINT8, H5T_STD_U8LE, 1,
         7U},
        {"state", at(offsetof(R, state), offsetof(P, state)), H5T_NATIVE_INT8, H5T_STD_I8LE, 1, 6U},
        {"load", at(offsetof(R, load), offsetof(P, load)), H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, 4, 6U},
        {"energy", at(offsetof(R, energy), offsetof(P, energy)), H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
         4, 6U},
        {"from_x", offsetof(R, from_x), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 8, 3U},
        {"from_y", offsetof(R, from_y), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 8, 3U},
        {"to_x", offsetof(R, to_x), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 8, 3U},
        {"to_y", offsetof(R, to_y), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 8, 3U},
        {"from", offsetof(P, from), H5T_NATIVE_UINT32, H5T_STD_U32LE, 4, 4U},
        {"to", offsetof(P, to), H5T_NATIVE_UINT32, H5T_STD_U32LE, 4, 4U},
        {"start", at(offsetof(R, start), offsetof(P, start)), H5T_NATIVE_INT64, H5T_STD_I64LE, 8,
         7U},
        {"end", at(offsetof(R, end), offsetof(P, end)), H5T_NATIVE_INT64, H5T_STD_I64LE, 8, 7U},
    };
    const unsigned bit = 1U << static_cast<unsigned>(std::clamp(minor, 0, 2));
    const auto used = [bit](const Column& c) { return (c.minors & bit) != 0; };
    // packed: 3.0 4 + 4 + 1 + 4 x 8 + 2 x 8 = 57 bytes; 3.1 4 + 1 + 1 + 4 + 4 + 6 x 8 = 62;
    // 3.2 4 + 1 + 1 + 4 + 4 + 4 + 4 + 2 x 8 = 38
    std::size_t packed = 0;
    for (const Column& c : columns) {
        packed += used(c) ? c.bytes : 0;
    }
    Handle t(check(H5Tcreate(H5T_COMPOUND, file_layout ? packed
                                           : points    ? sizeof(TracePointLegRow)
                                                       : sizeof(TraceLegRow)),
                   "H5Tcreate"));
    std::size_t offset = 0;
    for (const Column& c : columns) {
        if (!used(c)) {
            continue;
        }
        check_status(
            H5Tinsert(t, c.name, file_layout ? offset : c.memory, file_layout ? c.file : c.native),
            "H5Tinsert");
        offset += c.bytes;
    }
    return t;
}

Handle point_type(bool file_layout) {
    Handle t(check(H5Tcreate(H5T_COMPOUND, 16), "H5Tcreate"));
    check_status(H5Tinsert(t, "x", 0, file_layout ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE),
                 "H5Tinsert");
    check_status(H5Tinsert(t, "y", 8, file_layout ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE),
                 "H5Tinsert");
    return t;
}

}  // namespace swarm::io::h5
