// Small RAII and helper layer over the HDF5 C API, for io/trace and io/checkpoint. HDF5 here is the
// serial build (not thread-safe): every call runs with hdf5_mutex() held, by one thread.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "io/trace/byte_buffer.hpp"
#include "io/trace/row_deflate.hpp"

struct libdeflate_compressor;

namespace swarm::io {
struct TraceEvent;
}

namespace swarm::io::h5 {

// the process-wide lock around all HDF5 calls of this library
std::mutex& hdf5_mutex();

// Before the first HDF5 call of a process that writes: no library cleanup at exit. A file
// whose close failed (a full disk) stays in HDF5's tables, and HDF5 1.10's own cleanup at
// exit crashes on it; the writer closes what it opened itself.
void no_cleanup_at_exit();

// owns an hid_t and closes it with the right H5*close
class Handle {
  public:
    Handle() = default;
    explicit Handle(hid_t id) : id_(id) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = o.id_;
            o.id_ = H5I_INVALID_HID;
        }
        return *this;
    }
    ~Handle() { reset(); }
    void reset();
    // gives up ownership (to close it with a checked H5*close)
    [[nodiscard]] hid_t release() {
        const hid_t id = id_;
        id_ = H5I_INVALID_HID;
        return id;
    }
    [[nodiscard]] hid_t get() const { return id_; }
    [[nodiscard]] bool valid() const { return id_ >= 0; }
    operator hid_t() const { return id_; }  // NOLINT(google-explicit-constructor)

  private:
    hid_t id_ = H5I_INVALID_HID;
};

// throws std::runtime_error(what) when id < 0 (or status < 0); when the failure came from
// the system (a write that hit a full disk), ": " and its strerror text are appended
hid_t check(hid_t id, const char* what);
void check_status(herr_t status, const char* what);

Handle create_group(hid_t parent, const char* name);
// Strings are written with a fixed length (UTF-8, NUL-padded to the longest): kept in the
// object header, not in the global heap, which a reader of untrusted files then never has to
// touch (libhdf5 1.10 crashes or loops forever on a damaged one). The readers refuse a
// variable-length string unread.
Handle fixed_string_type(std::size_t size);  // `size` bytes (at least one), NUL-padded
void attr_string(hid_t obj, const char* name, const std::string& value);
void attr_strings(hid_t obj, const char* name, const std::vector<std::string>& values);
void attr_ints(hid_t obj, const char* name, const std::vector<int>& values);
void attr_u64(hid_t obj, const char* name, std::uint64_t value);
void attr_i64(hid_t obj, const char* name, std::int64_t value);
void attr_f64(hid_t obj, const char* name, double value);

// HDF5 dimension scales (H5DS, hdf5_hl): `scale` becomes one, named `name` (netCDF and
// xarray call it a coordinate); attach_scale labels axis `axis` of `dset` with it
void make_scale(hid_t scale, const char* name);
void attach_scale(hid_t dset, hid_t scale, unsigned axis);

bool has_attr(hid_t obj, const char* name);
bool has_link(hid_t parent, const std::string& path);
std::string read_attr_string(hid_t obj, const char* name);
std::vector<std::string> read_attr_strings(hid_t obj, const char* name);
std::vector<int> read_attr_ints(hid_t obj, const char* name);
std::int64_t read_attr_i64(hid_t obj, const char* name);
std::uint64_t read_attr_u64(hid_t obj, const char* name);
double read_attr_f64(hid_t obj, const char* name);

// A chunked dataset extendible along its first axis (H5S_UNLIMITED), shuffle + deflate.
// `row` is the shape of one record (empty for a scalar per record).
class Appendable {
  public:
    Appendable() = default;
    Appendable(hid_t parent, const char* name, hid_t file_type, hid_t mem_type,
               std::vector<hsize_t> row, hsize_t chunk_rows, int deflate, hsize_t row_block = 0);
    // opens an existing one (after H5Fstart_swmr_write, which wants no open datasets)
    static Appendable open(hid_t parent, const char* name, hid_t mem_type);
    // appends `count` records from `data` (count x row elements of mem_type): buffered,
    // written by commit() or once `batch` records are pending (one extend + write per batch:
    // HDF5's per-call cost, not the bytes, dominates small appends). An opened series of
    // scalar records with shuffle + deflate writes every chunk itself (converted to the file
    // type, shuffled, deflated by libdeflate and written with H5Dwrite_chunk: the same chunk
    // as through HDF5's pipeline, at a fraction of zlib's CPU time), the open one too: it
    // keeps that chunk's records and writes it again, whole, at each commit until it is full,
    // so a flush has nothing to compress. An opened series of scalar records without filters
    // writes its chunks raw the same way (whole ones straight from the buffer when the records
    // are in the file's type). The rest go through H5Dwrite.
    void append(const void* data, hsize_t count);
    // appends `count` records that pack(out) writes at `out` (count x the record's bytes of
    // mem_type, to be filled whole), as append() does without copying them: the records are
    // packed into the pending ones in place
    template <class Pack>
    void append_with(hsize_t count, Pack&& pack) {
        if (count > 0) {
            pack(extend(count));
            appended(count);
        }
    }
    // writes the pending records (before a flush, so that the file holds every append). A
    // pre-filtered series' open chunk, rewritten at every commit until full, is encoded by an
    // io::PlaneDeflater, which encodes each record's bytes once as the chunk fills (runs and
    // literals, no set-up cost), unless `last` (the file's last commit), when it gets libdeflate
    // as a full chunk does
    void commit(bool last = false);
    void set_batch(hsize_t records) { batch_ = records < 1 ? 1 : records; }
    // whole chunks encoded as they fill, like the open one (io::PlaneDeflater: runs and
    // literals only), not by libdeflate: a fraction of the CPU for larger chunks
    void set_plane_chunks(bool on) { plane_chunks_ = on; }
    // drops the pending records and cuts the dataset back to `rows` (after a write error)
    void truncate(hsize_t rows);
    [[nodiscard]] hid_t id() const { return dset_.get(); }
    // records appended, committed or not
    [[nodiscard]] hsize_t size() const { return size_ + pending_; }

  private:
    // room for `count` records after the pending ones, and then those records made pending
    unsigned char* extend(hsize_t count);
    void appended(hsize_t count);
    // writes the first `count` pending records through H5Dwrite
    void write_rows(hsize_t count);
    // writes the open chunk's first `records` records (the open ones, then pending ones) as
    // one pre-filtered chunk
    void write_chunk(hsize_t records);
    // writes the open chunk (its first `records` records: the open ones, then pending ones) as
    // `size` bytes at `chunk`, filtered as the dataset's filters would, and moves on
    void put_chunk(hsize_t records, const unsigned char* chunk, std::size_t size);
    // a pre-filtered series whose file ends inside a chunk: reads that chunk's records back
    void load_open_chunk();
    // drops the first `count` pending records (written)
    void consume(hsize_t count);
    // drops the records of the whole chunks written (head_ bytes) from the buffer
    void drop_written();
    // the pending records written: those up to the end of the open chunk and every whole
    // chunk, and with `all` the rest too
    void drain(bool all);

    Handle dset_;
    hid_t mem_type_ = H5I_INVALID_HID;
    std::vector<hsize_t> row_;
    hsize_t size_ = 0;  // committed
    hsize_t batch_ = 1;
    hsize_t pending_ = 0;
    hsize_t open_ = 0;               // committed records of the open chunk, kept first in buffer_
    bool last_ = false;              // in commit(true)
    std::size_t shuffled_rows_ = 0;  // records of the open chunk already in shuffled_
    std::size_t record_bytes_ = 0;
    // the open chunk's records from its first (after head_ bytes of whole chunks written in
    // the current drain()), then the pending ones
    ByteBuffer buffer_;  // growth leaves the new bytes unwritten (they are written next)
    std::size_t head_ = 0;
    // the whole chunks written pre-filtered (open() sets them up when it can)
    Handle file_type_;
    bool same_type_ = false;     // the records are already in the file's type: nothing to convert
    int level_ = 1;              // the deflate level of whole chunks
    bool plane_chunks_ = false;  // set_plane_chunks
    bool raw_ = false;           // chunks without filters (written as HDF5 lays them out)
    bool write_failed_ = false;  // a chunk write failed (truncate() then rewrites it)
    hsize_t chunk_rows_ = 0;
    // an unfiltered series (records written through H5Dwrite): the file's type, into which
    // the records are converted first, so that HDF5 has nothing to convert (for a compound
    // type it would calloc a 1 MB conversion buffer at every write)
    Handle packed_type_;
    // shared by the series opened on the same thread (one per level: hdf5_appendable.cpp), so
    // an Appendable is written on the thread that opened it
    std::shared_ptr<::libdeflate_compressor> compressor_;
    // the open chunk's encoder (made on the first chunk written; with set_plane_chunks, every
    // chunk's)
    std::optional<io::PlaneDeflater> planes_;
    std::vector<unsigned char> converted_, background_, shuffled_, packed_;
};

// HDF5's shuffle filter over a whole chunk of `bytes` bytes of elements of `size` bytes
void shuffle_chunk(const unsigned char* in, std::size_t bytes, std::size_t size,
                   unsigned char* out);

// The per-agent [T][N](...) datasets, written a chunk row at a time with H5Dwrite_chunk:
// each chunk is shuffled and deflated here (a standard zlib stream) and handed to HDF5
// pre-filtered, so the library does no filtering and no chunk caching. The file is the same
// as if H5Dwrite had gone through the dataset's shuffle + deflate pipeline (deflate level 0:
// a dataset without filters, raw chunks). With the row codec every appended row is encoded
// at once into each agent block's RowDeflater (no raw rows kept); otherwise rows gather in a
// slab of `chunk_frames` rows, compressed by libdeflate when full. commit() writes the partly
// filled chunks too (rewritten once full), so that a flush leaves every appended row in the
// file.
class ChunkRows {
  public:
    ChunkRows() = default;
    ChunkRows(const ChunkRows&) = delete;
    ChunkRows& operator=(const ChunkRows&) = delete;
    ChunkRows(ChunkRows&&) noexcept;
    ChunkRows& operator=(ChunkRows&&) noexcept;
    ~ChunkRows();
    // opens parent/name (an Appendable-created dataset with a [T][N] or [T][N][c] shape,
    // chunked chunk_frames x block (x c)); `deflate`: the level it was created with;
    // row_codec: deflate each row as it comes with a RowDeflater (fast) rather than the chunks
    // with libdeflate at that level
    static ChunkRows open(hid_t parent, const char* name, int deflate, bool row_codec);
    // one row: N x c elements of the dataset's (native, same-size) type
    void append(const void* row);
    void commit();
    // cuts the dataset back to `rows` (after a write error: nothing is appended afterwards)
    void truncate(hsize_t rows);
    // test hook: when *countdown reaches 0 (decremented per chunk write), the write fails as
    // on a full disk (TraceOptions::fail_chunk_write)
    void fail_after(std::uint64_t* countdown) { fail_countdown_ = countdown; }
    [[nodiscard]] hsize_t size() const { return base_ + filled_; }

  private:
    void write_chunks();
    void injected_failure();

    Handle dset_;
    hsize_t base_ = 0;     // rows in complete slabs
    hsize_t filled_ = 0;   // rows in the current slab
    hsize_t written_ = 0;  // rows of the current slab already in the file
    hsize_t frames_ = 1;   // chunk rows
    hsize_t block_ = 1;    // agents per chunk
    hsize_t agents_ = 0;
    std::size_t agent_bytes_ = 0;  // bytes per agent per row
    std::size_t type_size_ = 1;
    bool filtered_ = false;
    std::vector<hsize_t> row_dims_;    // N (, c)
    std::vector<unsigned char> slab_;  // frames_ rows (not with the row codec)
    std::vector<unsigned char> chunk_, shuffled_, packed_;
    std::vector<io::RowDeflater> streams_;  // the row codec's, per agent block
    ::libdeflate_compressor* compressor_ = nullptr;
    std::uint64_t* fail_countdown_ = nullptr;
};

// the H5T enum over int16 of the /events kinds, and the compound row type (with kind_type as
// the kind member's type when given: a file's own enum, read without conversion by name)
Handle event_kind_type();
Handle event_type(bool file_layout, hid_t kind_type = H5I_INVALID_HID);
// the rows packed as event_type(true) lays them out (34 bytes each), so that a write in that
// type converts nothing (H5Tconvert of the compound cost about 100 instructions a row)
// writes the fields one after the other, as a packed little-endian record of the file's layout
// (no padding; HDF5 then converts nothing), and returns the byte after them
template <class... Fields>
unsigned char* put_packed(unsigned char* out, const Fields&... fields) {
    ((std::memcpy(out, &fields, sizeof fields), out += sizeof fields), ...);
    return out;
}

inline constexpr std::size_t kPackedEventBytes = 34;
// the events packed at `out` (events.size() x kPackedEventBytes bytes)
void pack_events(const std::vector<TraceEvent>& events, unsigned char* out);
// the compound row type of connectivity/links (TraceLink)
Handle link_type(bool file_layout);
// the compound of particles/agents/position/legs rows of schema 3.`minor`: packed
// little-endian in the file, in memory TraceLegRow's layout (3.0: frame, agent, moving, the
// leg's coordinates and ticks; 3.1: agent, moving, state, load, energy, coordinates, ticks) or
// TracePointLegRow's (3.2: the coordinates replaced by the points `from` and `to`, uint32)
Handle leg_type(bool file_layout, int minor);
// the compound {x, y} float64 of particles/agents/position/points (schema 3.2), 16 bytes in
// the file and in memory (agents::Point's layout)
Handle point_type(bool file_layout);

}  // namespace swarm::io::h5
