#include "io/checkpoint/checkpoint_file.hpp"

#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "io/output/output_file.hpp"
#include "io/printable.hpp"
#include "io/trace/hdf5_util.hpp"

#ifndef SWARM_VERSION
#define SWARM_VERSION "unknown"
#endif

namespace swarm::io {

namespace {

using h5::check;
using h5::check_status;
using h5::Handle;
using sim::CheckpointError;
using sim::ElementKind;
using sim::StateArray;

// the attribute that marks a data set as kRecord elements (uint8 [count][record_bytes])
constexpr const char* kRecordAttr = "record_bytes";
// a hostile file's claims end here: a real checkpoint has a few hundred arrays in a few
// levels of groups
constexpr std::uint64_t kMaxObjects = std::uint64_t{1} << 16U;
constexpr int kMaxDepth = 32;
constexpr std::size_t kMaxName = 4096;

CheckpointError error(const std::string& path, const std::string& what) {
    return CheckpointError("checkpoint file '" + path + "': " + what);
}

// a kind's types: in the file (little-endian), in memory, and the other byte order (a file
// written on a big-endian machine reads the same, converted)
struct KindTypes {
    hid_t file;
    hid_t memory;
    hid_t swapped;
};

KindTypes types_of(ElementKind kind) {
    switch (kind) {
        case ElementKind::kI8:
            return {H5T_STD_I8LE, H5T_NATIVE_INT8, H5T_STD_I8BE};
        case ElementKind::kU8:
            return {H5T_STD_U8LE, H5T_NATIVE_UINT8, H5T_STD_U8BE};
        case ElementKind::kI16:
            return {H5T_STD_I16LE, H5T_NATIVE_INT16, H5T_STD_I16BE};
        case ElementKind::kU16:
            return {H5T_STD_U16LE, H5T_NATIVE_UINT16, H5T_STD_U16BE};
        case ElementKind::kI32:
            return {H5T_STD_I32LE, H5T_NATIVE_INT32, H5T_STD_I32BE};
        case ElementKind::kU32:
            return {H5T_STD_U32LE, H5T_NATIVE_UINT32, H5T_STD_U32BE};
        case ElementKind::kI64:
            return {H5T_STD_I64LE, H5T_NATIVE_INT64, H5T_STD_I64BE};
        case ElementKind::kU64:
            return {H5T_STD_U64LE, H5T_NATIVE_UINT64, H5T_STD_U64BE};
        case ElementKind::kF32:
            return {H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, H5T_IEEE_F32BE};
        case ElementKind::kF64:
            return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, H5T_IEEE_F64BE};
        case ElementKind::kRecord:
            break;
    }
    return {H5T_STD_U8LE, H5T_NATIVE_UINT8, H5T_STD_U8BE};  // records: bytes
}

// the element size of a numeric kind (0: a record, whose size is its own)
std::size_t kind_bytes(ElementKind kind) {
    switch (kind) {
        case ElementKind::kI8:
        case ElementKind::kU8:
            return 1;
        case ElementKind::kI16:
        case ElementKind::kU16:
            return 2;
        case ElementKind::kI32:
        case ElementKind::kU32:
        case ElementKind::kF32:
            return 4;
        case ElementKind::kI64:
        case ElementKind::kU64:
        case ElementKind::kF64:
            return 8;
        case ElementKind::kRecord:
            break;
    }
    return 0;
}

constexpr std::array<ElementKind, 10> kNumericKinds = {
    ElementKind::kI8,  ElementKind::kU8,  ElementKind::kI16, ElementKind::kU16, ElementKind::kI32,
    ElementKind::kU32, ElementKind::kI64, ElementKind::kU64, ElementKind::kF32, ElementKind::kF64};

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
    return buf;
}

// ---- writing ----

// what a file cannot hold: refused before anything is created
void check_archive(const sim::StateArchive& state) {
    const auto& arrays = state.arrays();
    for (const auto& entry : arrays) {
        const std::string& name = entry.first;
        const StateArray& a = entry.second;
        const auto bad = [&](const std::string& why) {
            return CheckpointError("checkpoint field '" + name + "' cannot be written: " + why);
        };
        std::size_t start = 0;
        for (;;) {
            const std::size_t end = name.find('/', start);
            const std::string part = name.substr(start, end - start);
            if (part.empty() || part == "." || part == "..") {
                throw bad("its name has an empty, '.' or '..' component");
            }
            if (end == std::string::npos) {
                break;
            }
            if (arrays.find(name.substr(0, end)) != arrays.end()) {
                throw bad("'" + name.substr(0, end) +
                          "' is an array too: a file cannot hold an array and a group of the "
                          "same name");
            }
            start = end + 1;
        }
        if (a.kind == ElementKind::kRecord ? a.element_bytes == 0
                                           : a.element_bytes != kind_bytes(a.kind)) {
            throw bad(std::string(sim::to_string(a.kind)) + " elements of " +
                      std::to_string(a.element_bytes) + " bytes");
        }
    }
}

// the group at `path` ("" is the root), made with its parents when new
hid_t group_at(hid_t file, std::map<std::string, Handle>& groups, const std::string& path) {
    if (path.empty()) {
        return file;
    }
    if (const auto it = groups.find(path); it != groups.end()) {
        return it->second;
    }
    const std::size_t slash = path.rfind('/');
    const hid_t parent =
        group_at(file, groups, slash == std::string::npos ? "" : path.substr(0, slash));
    const std::string leaf = slash == std::string::npos ? path : path.substr(slash + 1);
    return groups.emplace(path, h5::create_group(parent, leaf.c_str())).first->second;
}

void write_array(hid_t parent, const std::string& leaf, const StateArray& a) {
    const bool record = a.kind == ElementKind::kRecord;
    const KindTypes t = types_of(a.kind);
    std::vector<hsize_t> dims = {a.count};
    if (record) {
        dims.push_back(a.element_bytes);
    }
    const Handle space(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                             "H5Screate_simple"));
    // contiguous: no filters, so a reader can check a data set's bytes against the file's size
    const Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"));
    check_status(H5Pset_layout(dcpl, H5D_CONTIGUOUS), "H5Pset_layout");
    check_status(H5Pset_obj_track_times(dcpl, 0), "H5Pset_obj_track_times");
    const Handle d(
        check(H5Dcreate2(parent, leaf.c_str(), t.file, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
              "cannot create a data set"));
    if (a.count > 0) {
        check_status(H5Dwrite(d, t.memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.bytes.data()),
                     "cannot write a data set");
    }
    if (record) {
        h5::attr_u64(d, kRecordAttr, a.element_bytes);
    }
}

void write_file(const std::string& temp, const sim::StateArchive& state) {
    // no creation times (the same state gives the same file); the HDF5 1.8 formats, whose
    // metadata carry checksums, up to 1.10's
    const Handle fcpl(check(H5Pcreate(H5P_FILE_CREATE), "H5Pcreate"));
    check_status(H5Pset_obj_track_times(fcpl, 0), "H5Pset_obj_track_times");
    const Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"));
    check_status(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110),
                 "H5Pset_libver_bounds");
    Handle file(
        check(H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, fcpl, fapl), "cannot create the file"));
    // fixed-length strings: no global heap in a checkpoint (hdf5_util.hpp)
    h5::attr_string(file, "format", kCheckpointFormat);
    h5::attr_i64(file, "format_version", kCheckpointVersion);
    h5::attr_string(file, "swarmsim_version", SWARM_VERSION);
    h5::attr_u64(file, "checksum", state.checksum());
    {
        std::map<std::string, Handle> groups;
        for (const auto& [name, a] : state.arrays()) {
            const std::size_t slash = name.rfind('/');
            const hid_t parent =
                group_at(file, groups, slash == std::string::npos ? "" : name.substr(0, slash));
            write_array(parent, slash == std::string::npos ? name : name.substr(slash + 1), a);
        }
    }
    // a failure to write the last metadata shows here
    check_status(H5Fclose(file.release()), "cannot close the file");
}

// ---- reading ----

class Reader {
  public:
    Reader(std::string path, std::uint64_t file_size)
        : path_(std::move(path)), file_size_(file_size) {}

    void header(hid_t file) {
        try {
            read_header(file);
        } catch (const CheckpointError&) {
            throw;
        } catch (const std::runtime_error& e) {
            throw error(path_, std::string("its root's attributes: ") + e.what() + " (damaged?)");
        }
    }

    // every data set under `group` (at `prefix`) into out_
    void walk(hid_t group, const std::string& prefix, int depth) {
        H5G_info_t info{};
        if (H5Gget_info(group, &info) < 0) {
            throw error(path_, "cannot list the group '" + printable(prefix) + "' (damaged?)");
        }
        if (info.nlinks > kMaxObjects - objects_) {
            throw error(path_,
                        "more than " + std::to_string(kMaxObjects) + " groups and data sets");
        }
        objects_ += info.nlinks;
        for (hsize_t i = 0; i < info.nlinks; ++i) {
            const std::string name = link_name(group, i);
            const std::string full = prefix.empty() ? name : prefix + "/" + name;
            H5L_info_t link{};
            check_status(
                H5Lget_info_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, &link, H5P_DEFAULT),
                "cannot read a link");
            if (link.type != H5L_TYPE_HARD) {
                throw error(path_, "'" + printable(full) +
                                       "' is a soft or external link: a checkpoint holds only "
                                       "groups and data sets");
            }
            const Handle obj(H5Oopen(group, name.c_str(), H5P_DEFAULT));
            if (!obj.valid()) {
                throw error(path_, "cannot open '" + printable(full) + "' (damaged?)");
            }
            const H5I_type_t type = H5Iget_type(obj);
            if (type == H5I_GROUP) {
                if (depth >= kMaxDepth) {
                    throw error(path_, "'" + printable(full) + "' is more than " +
                                           std::to_string(kMaxDepth) + " groups deep");
                }
                walk(obj, full, depth + 1);
            } else if (type == H5I_DATASET) {
                try {
                    read_array(obj, full);
                } catch (const CheckpointError&) {
                    throw;
                } catch (const std::runtime_error& e) {
                    throw error(path_, "data set '" + printable(full) + "': " + e.what());
                }
            } else {
                throw error(path_, "'" + printable(full) + "' is neither a group nor a data set");
            }
        }
    }

    sim::StateArchive finish() {
        const std::uint64_t got = out_.checksum();
        if (got != checksum_) {
            throw error(path_, "checksum mismatch: its root says " + hex(checksum_) +
                                   ", its contents give " + hex(got) +
                                   " (the file was changed or damaged)");
        }
        return std::move(out_);
    }

  private:
    void read_header(hid_t file) {
        if (!h5::has_attr(file, "format")) {
            throw error(path_, h5::has_link(file, "h5md")
                                   ? "a swarmsim trace, not a checkpoint"
                                   : "not a swarmsim checkpoint (no 'format' attribute at its "
                                     "root)");
        }
        const std::string format = h5::read_attr_string(file, "format");
        if (format != kCheckpointFormat) {
            throw error(path_,
                        "not a swarmsim checkpoint (its format is '" + printable(format) + "')");
        }
        for (const char* name : {"format_version", "checksum"}) {
            if (!h5::has_attr(file, name)) {
                throw error(path_, std::string("no '") + name + "' attribute at its root");
            }
        }
        const std::int64_t version = h5::read_attr_i64(file, "format_version");
        if (version != kCheckpointVersion) {
            const std::string by = h5::has_attr(file, "swarmsim_version")
                                       ? printable(h5::read_attr_string(file, "swarmsim_version"))
                                       : "unknown";
            throw error(path_, "checkpoint format version " + std::to_string(version) +
                                   " (written by swarmsim " + by + "); this swarmsim (" +
                                   SWARM_VERSION + ") reads version " +
                                   std::to_string(kCheckpointVersion));
        }
        checksum_ = h5::read_attr_u64(file, "checksum");
    }

    std::string link_name(hid_t group, hsize_t i) const {
        const ssize_t n =
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (n <= 0 || static_cast<std::size_t>(n) > kMaxName) {
            throw error(path_, "a link name of " + std::to_string(n) + " bytes");
        }
        std::string name(static_cast<std::size_t>(n) + 1, '\0');
        check(H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                                 name.size(), H5P_DEFAULT),
              "cannot read a link name");
        name.resize(static_cast<std::size_t>(n));
        return name;
    }

    void read_array(hid_t d, const std::string& name) {
        const auto bad = [&](const std::string& what) {
            return error(path_, "data set '" + printable(name) + "': " + what);
        };
        const Handle space(check(H5Dget_space(d), "H5Dget_space"));
        const int rank = H5Sget_simple_extent_ndims(space);
        if (H5Sget_simple_extent_type(space) != H5S_SIMPLE || rank < 1 || rank > 2) {
            throw bad("not a one- or two-dimensional array");
        }
        std::array<hsize_t, 2> dims{};
        check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), "H5Sget_simple_extent_dims");
        const Handle type(check(H5Dget_type(d), "H5Dget_type"));
        StateArray a;
        const bool record = h5::has_attr(d, kRecordAttr);
        if (record) {
            const std::uint64_t size = h5::read_attr_u64(d, kRecordAttr);
            const KindTypes bytes = types_of(ElementKind::kRecord);
            if (rank != 2 ||
                (H5Tequal(type, bytes.file) <= 0 && H5Tequal(type, bytes.swapped) <= 0)) {
                throw bad("a record array must be uint8 [count][record_bytes]");
            }
            if (size == 0 || size != dims[1] || size > UINT32_MAX) {
                throw bad("records of " + std::to_string(size) + " bytes in rows of " +
                          std::to_string(dims[1]));
            }
            a.kind = ElementKind::kRecord;
            a.element_bytes = static_cast<std::uint32_t>(size);
        } else {
            if (rank != 1) {
                throw bad("a two-dimensional array without the '" + std::string(kRecordAttr) +
                          "' attribute");
            }
            bool known = false;
            for (const ElementKind k : kNumericKinds) {
                const KindTypes t = types_of(k);
                if (H5Tequal(type, t.file) > 0 || H5Tequal(type, t.swapped) > 0) {
                    a.kind = k;
                    a.element_bytes = static_cast<std::uint32_t>(kind_bytes(k));
                    known = true;
                    break;
                }
            }
            if (!known) {
                throw bad("its elements are of a type a checkpoint does not use (" +
                          type_text(type) + ")");
            }
        }
        a.count = dims[0];
        // sizes the file must cover before anything is allocated: contiguous bytes inside it
        if (a.count > file_size_ / a.element_bytes) {
            throw bad(std::to_string(a.count) + " elements of " + std::to_string(a.element_bytes) +
                      " bytes: more than the file's " + std::to_string(file_size_) + " bytes");
        }
        const std::uint64_t bytes = a.count * a.element_bytes;
        bytes_ += bytes;
        if (bytes_ > file_size_) {
            throw bad("the data sets hold more bytes than the file's " +
                      std::to_string(file_size_));
        }
        const Handle dcpl(check(H5Dget_create_plist(d), "H5Dget_create_plist"));
        if (H5Pget_layout(dcpl) != H5D_CONTIGUOUS || H5Pget_external_count(dcpl) != 0) {
            throw bad("not stored contiguously in the file (a checkpoint's data sets are)");
        }
        if (bytes > 0) {
            const hsize_t stored = H5Dget_storage_size(d);
            const haddr_t offset = H5Dget_offset(d);
            if (stored != bytes || offset == HADDR_UNDEF || offset > file_size_ ||
                bytes > file_size_ - offset) {
                throw bad(std::to_string(bytes) + " bytes, stored as " + std::to_string(stored) +
                          " at an offset outside the file's " + std::to_string(file_size_) +
                          " bytes (truncated?)");
            }
            a.bytes.resize(bytes);
            check_status(
                H5Dread(d, types_of(a.kind).memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.bytes.data()),
                "cannot read it");
        }
        out_.insert(name, std::move(a));
    }

    static std::string type_text(hid_t type) {
        const char* cls = "another class";
        switch (H5Tget_class(type)) {
            case H5T_INTEGER:
                cls = "integer";
                break;
            case H5T_FLOAT:
                cls = "floating point";
                break;
            case H5T_STRING:
                cls = "string";
                break;
            case H5T_COMPOUND:
                cls = "compound";
                break;
            case H5T_ENUM:
                cls = "enum";
                break;
            default:
                break;
        }
        return std::string(cls) + ", " + std::to_string(H5Tget_size(type)) + " bytes";
    }

    std::string path_;
    std::uint64_t file_size_ = 0;
    std::uint64_t checksum_ = 0;
    std::uint64_t objects_ = 0;
    std::uint64_t bytes_ = 0;
    sim::StateArchive out_;
};

}  // namespace

void write_checkpoint(const std::filesystem::path& file, const sim::StateArchive& state,
                      bool replace) {
    check_archive(state);
    const std::string path = file.string();
    h5::no_cleanup_at_exit();
    PendingOutput out(path, replace);  // removes its temporary file unless committed
    {
        const std::lock_guard lock(h5::hdf5_mutex());
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        try {
            write_file(out.temp_path(), state);
        } catch (const std::runtime_error& e) {
            throw OutputError(path, std::string("cannot write the checkpoint: ") + e.what());
        }
    }
    out.commit();
}

sim::StateArchive read_checkpoint(const std::filesystem::path& file) {
    const std::string path = file.string();
    const std::lock_guard lock(h5::hdf5_mutex());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        throw error(path, "cannot open it: " + error_text(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        // a FIFO would block, a device never end
        throw error(path, "not a regular file");
    }
    if (::access(path.c_str(), R_OK) != 0) {
        throw error(path, "cannot read it: " + error_text(errno));
    }
    if (H5Fis_hdf5(path.c_str()) <= 0) {
        throw error(path, "not an HDF5 file");
    }
    const Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!f.valid()) {
        throw error(path, "cannot open it as an HDF5 file (truncated or damaged)");
    }
    Reader reader(path, static_cast<std::uint64_t>(st.st_size));
    try {
        reader.header(f);
        reader.walk(f, "", 0);
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::runtime_error& e) {
        throw error(path, e.what());
    }
    return reader.finish();
}

void check_checkpoint_in_child(const std::filesystem::path& file,
                               const ChildCheckOptions& options) {
    ChildCheckOptions o = options;
    o.file = CheckedFile::kCheckpoint;
    o.allow_partial = false;
    const std::string path = file.string();
    const ChildVerdict v = check_in_child(path, o);
    switch (v.outcome) {
        case ChildVerdict::Outcome::kAccepted:
            return;
        case ChildVerdict::Outcome::kRefused:
        case ChildVerdict::Outcome::kUnreadable:
            throw error(path, v.message);
        case ChildVerdict::Outcome::kDamaged:
            break;
    }
    throw error(path, "damaged checkpoint: " + v.message);
}

}  // namespace swarm::io
