#include "io/trace/trace_checks.hpp"

#include <algorithm>
#include <limits>

namespace swarm::io::checked {

namespace {

using h5::Handle;

// The extent of a data set may not claim more bytes than its stored bytes can hold: deflate
// expands at most 1032:1 (a 258-byte match per 2 bits), raw chunks 1:1, and a chunk the file
// does not hold reads as fill values. A hostile file claiming [1e12] rows in 100 bytes is
// refused before any buffer is sized from it.
constexpr unsigned long long kMaxInflate = 1032;
constexpr unsigned long long kSlackBytes = 4096;
// groups with more links than this, or link names longer, are not a trace's
constexpr hsize_t kMaxGroupLinks = 1U << 16U;
constexpr std::size_t kMaxNameBytes = 1024;

const char* want_text(Want w) {
    switch (w) {
        case Want::kInteger:
            return "an integer type";
        case Want::kFloat:
            return "a floating-point type";
        case Want::kNumber:
            return "a numeric type";
        case Want::kCompound:
            return "a compound (table row) type";
        case Want::kString:
            return "a string";
    }
    return "?";
}

std::string type_text(H5T_class_t c, std::size_t size) {
    const std::string bits = std::to_string(size * 8) + "-bit ";
    switch (c) {
        case H5T_INTEGER:
            return bits + "integer";
        case H5T_FLOAT:
            return bits + "float";
        case H5T_STRING:
            return "string";
        case H5T_COMPOUND:
            return "compound (" + std::to_string(size) + " bytes)";
        case H5T_ENUM:
            return "enum";
        case H5T_VLEN:
            return "variable-length sequence";
        case H5T_ARRAY:
            return "array type";
        default:
            return "type class " + std::to_string(static_cast<int>(c));
    }
}

bool type_fits(Want w, H5T_class_t c) {
    switch (w) {
        case Want::kInteger:
            return c == H5T_INTEGER;
        case Want::kFloat:
            return c == H5T_FLOAT;
        case Want::kNumber:
            return c == H5T_INTEGER || c == H5T_FLOAT;
        case Want::kCompound:
            return c == H5T_COMPOUND;
        case Want::kString:
            return c == H5T_STRING;
    }
    return false;
}

// A transfer list whose type-conversion buffer fits `elements` values (none when the default
// serves). HDF5 allocates and zeroes that buffer on every read that converts (a compound row,
// a float read as double): 1 MiB by default, which made reading a frame's few rows of the legs
// table cost a megabyte's memset and page faults (80 % of a replay's frame reads).
Handle conversion_buffer(hid_t dset, hid_t mem_type, unsigned long long elements) {
    constexpr unsigned long long kDefaultBytes = 1ULL << 20U;  // HDF5's H5D_TEMP_BUF_SIZE
    const Handle file_type(H5Dget_type(dset));
    const std::size_t file_size = file_type.valid() ? H5Tget_size(file_type) : 0;
    const std::size_t mem_size = H5Tget_size(mem_type);
    const unsigned long long widest = std::max(file_size, mem_size);
    if (widest == 0 || elements > kDefaultBytes / widest) {
        return Handle{};
    }
    Handle xfer(H5Pcreate(H5P_DATASET_XFER));
    if (!xfer.valid() ||
        H5Pset_buffer(xfer, static_cast<std::size_t>(elements * widest), nullptr, nullptr) < 0) {
        return Handle{};
    }
    return xfer;
}

}  // namespace

// the innermost message of the HDF5 error stack ("inflate() failed", "incorrect metadata
// checksum ..."), to say why a call failed
std::string hdf5_reason() {
    std::string out;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned /*n*/, const H5E_error2_t* e, void* data) -> herr_t {
            auto* s = static_cast<std::string*>(data);
            if (s->empty() && e->desc != nullptr && e->desc[0] != '\0') {
                *s = e->desc;
            }
            return 0;
        },
        &out);
    return out;
}

[[noreturn]] void fail(const std::string& what) {
    const std::string why = hdf5_reason();
    throw Malformed(why.empty() ? what : what + " (" + why + ")");
}

std::string dims_text(const std::vector<hsize_t>& d) {
    if (d.empty()) {
        return "a scalar";
    }
    std::string s;
    for (const hsize_t n : d) {
        s += '[';
        s += std::to_string(n);
        s += ']';
    }
    return s;
}

// Opens data set `path` and checks its rank, its type's class and that the file holds enough
// bytes for its extent; Malformed naming the data set, what was expected and found.
Dset open_checked(hid_t file, const std::string& path, int rank, Want want, bool check_extent) {
    if (!h5::has_link(file, path)) {
        throw Malformed("missing data set " + path);
    }
    Dset d;
    d.path = path;
    d.id = Handle(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
    if (!d.id.valid()) {
        fail(path + ": cannot open the data set");
    }
    const Handle space(H5Dget_space(d.id));
    const int r = space.valid() ? H5Sget_simple_extent_ndims(space) : -1;
    if (r < 0 || r > H5S_MAX_RANK) {
        fail(path + ": unreadable data space");
    }
    d.dims.resize(static_cast<std::size_t>(r));
    if (r > 0 && H5Sget_simple_extent_dims(space, d.dims.data(), nullptr) < 0) {
        fail(path + ": unreadable data space");
    }
    if (r != rank) {
        throw Malformed(path + ": expected rank " + std::to_string(rank) + ", found " +
                        dims_text(d.dims));
    }
    const Handle type(H5Dget_type(d.id));
    const H5T_class_t cls = type.valid() ? H5Tget_class(type) : H5T_NO_CLASS;
    const std::size_t size = type.valid() ? H5Tget_size(type) : 0;
    if (!type_fits(want, cls) || size == 0) {
        throw Malformed(path + ": expected " + want_text(want) + ", found " +
                        (size == 0 ? std::string("an unreadable type") : type_text(cls, size)));
    }
    if (!check_extent) {
        return d;
    }
    // the bytes its extent needs, against the bytes the file holds for it
    unsigned long long logical = size;
    bool overflow = false;
    for (const hsize_t n : d.dims) {
        overflow =
            overflow || (n != 0 && logical > std::numeric_limits<unsigned long long>::max() / n);
        logical = overflow ? logical : logical * n;
    }
    const unsigned long long stored = H5Dget_storage_size(d.id);
    const unsigned long long bound =
        stored > (std::numeric_limits<unsigned long long>::max() - kSlackBytes) / kMaxInflate
            ? std::numeric_limits<unsigned long long>::max()
            : stored * kMaxInflate + kSlackBytes;
    if (overflow || logical > bound) {
        throw Malformed(path + ": its extent " + dims_text(d.dims) + " needs " +
                        (overflow ? std::string("more than 2^64") : std::to_string(logical)) +
                        " bytes, but the file holds " + std::to_string(stored) +
                        " bytes of it (a damaged or forged size)");
    }
    return d;
}

// Reads rows [first, first + count) of a data set of rank >= 1 into `out`, which holds
// `capacity` elements of mem_type: the selection is checked against it (never written past).
void read_rows(const Dset& d, hid_t mem_type, hsize_t first, hsize_t count, void* out,
               std::size_t capacity) {
    const hid_t dset = d.id;
    const std::vector<hsize_t>& dims = d.dims;
    const std::string& path = d.path;
    if (dims.empty() || first > dims[0] || count > dims[0] - first) {
        throw Malformed(path + ": rows " + std::to_string(first) + " + " + std::to_string(count) +
                        " outside its extent " + dims_text(dims));
    }
    unsigned long long elements = count;
    for (std::size_t i = 1; i < dims.size(); ++i) {
        elements =
            dims[i] != 0 && elements > capacity / dims[i] ? capacity + 1ULL : elements * dims[i];
    }
    if (elements > capacity) {
        throw Malformed(path + ": " + dims_text(dims) + " rows wider than expected (" +
                        std::to_string(capacity) + " values for " + std::to_string(count) +
                        " rows)");
    }
    if (elements == 0) {
        return;
    }
    std::vector<hsize_t> start(dims.size(), 0);
    std::vector<hsize_t> n = dims;
    start[0] = first;
    n[0] = count;
    const Handle fspace(H5Dget_space(dset));
    if (!fspace.valid() ||
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, n.data(), nullptr) < 0) {
        fail(path + ": cannot select rows");
    }
    const Handle mspace(H5Screate_simple(static_cast<int>(n.size()), n.data(), nullptr));
    const Handle xfer = conversion_buffer(dset, mem_type, elements);
    if (!mspace.valid() ||
        H5Dread(dset, mem_type, mspace, fspace, xfer.valid() ? xfer.get() : H5P_DEFAULT, out) < 0) {
        fail(path + ": cannot read " +
             (count == 1
                  ? "row " + std::to_string(first)
                  : "rows " + std::to_string(first) + " to " + std::to_string(first + count - 1)));
    }
}

// the names of the links in group `path` (none when it does not exist)
std::vector<std::string> link_names(hid_t file, const char* path) {
    std::vector<std::string> names;
    if (!h5::has_link(file, path)) {
        return names;
    }
    const Handle g(H5Gopen2(file, path, H5P_DEFAULT));
    if (!g.valid()) {
        fail(std::string(path) + ": not a group");
    }
    H5G_info_t info;
    if (H5Gget_info(g, &info) < 0) {
        fail(std::string(path) + ": unreadable group");
    }
    if (info.nlinks > kMaxGroupLinks) {
        throw Malformed(std::string(path) + ": " + std::to_string(info.nlinks) +
                        " members (at most " + std::to_string(kMaxGroupLinks) + ")");
    }
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t n =
            H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (n <= 0 || static_cast<std::size_t>(n) > kMaxNameBytes) {
            fail(std::string(path) + ": unreadable member name");
        }
        std::string name(static_cast<std::size_t>(n) + 1, '\0');
        if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                               H5P_DEFAULT) != n) {
            fail(std::string(path) + ": unreadable member name");
        }
        name.resize(static_cast<std::size_t>(n));
        names.push_back(name);
    }
    return names;
}

}  // namespace swarm::io::checked
