#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "io/trace/hdf5_util.hpp"
#include "io/trace/row_deflate.hpp"

// h5::Appendable: the scalar series and tables of a trace, appended in batches
namespace swarm::io::h5 {

namespace {

// One libdeflate compressor per level and thread, shared by the series opened on that thread
// (a trace's writer thread opens and writes all of them): a compressor is about 0.5 MB, which
// one per series (about 30 of them) made 15 MB of the writer's memory, faulted in page by page
// on first use and evicting the simulation's data from the shared caches.
std::shared_ptr<::libdeflate_compressor> shared_compressor(int level) {
    thread_local std::array<std::weak_ptr<::libdeflate_compressor>, 13> cache;
    const auto l = static_cast<std::size_t>(std::clamp(level, 1, 12));
    std::shared_ptr<::libdeflate_compressor> c = cache[l].lock();
    if (!c) {
        c.reset(libdeflate_alloc_compressor(static_cast<int>(l)), libdeflate_free_compressor);
        if (!c) {
            throw std::runtime_error("cannot allocate a deflate compressor");
        }
        cache[l] = c;
    }
    return c;
}

// The last few whole chunks libdeflate encoded on this thread, by their shuffled bytes: the
// step and time of every H5MD element on the frame grid (about 14 pairs in a trace) hold the
// same values, so the same chunk would be encoded 14 times over. An encoding depends only on
// the bytes and the level, so it is reused, bit for bit.
class RecentChunks {
  public:
    [[nodiscard]] const std::vector<unsigned char>* find(int level, const unsigned char* in,
                                                         std::size_t size) {
        for (Entry& e : entries_) {
            if (e.stamp != 0 && e.level == level && e.in.size() == size &&
                std::memcmp(e.in.data(), in, size) == 0) {
                e.stamp = ++clock_;
                return &e.out;
            }
        }
        return nullptr;
    }
    void add(int level, const unsigned char* in, std::size_t size, const unsigned char* out,
             std::size_t out_size) {
        Entry& e =
            *std::min_element(entries_.begin(), entries_.end(),
                              [](const Entry& a, const Entry& b) { return a.stamp < b.stamp; });
        e.level = level;
        e.in.assign(in, in + size);
        e.out.assign(out, out + out_size);
        e.stamp = ++clock_;
    }

  private:
    struct Entry {
        std::uint64_t stamp = 0;  // 0: empty; else the last use (least recently used goes)
        int level = 0;
        std::vector<unsigned char> in, out;
    };
    std::array<Entry, 4> entries_;
    std::uint64_t clock_ = 0;
};

RecentChunks& recent_chunks() {
    thread_local RecentChunks recent;
    return recent;
}

}  // namespace

Appendable::Appendable(hid_t parent, const char* name, hid_t file_type, hid_t mem_type,
                       std::vector<hsize_t> row, hsize_t chunk_rows, int deflate, hsize_t row_block)
    : mem_type_(mem_type), row_(std::move(row)) {
    std::vector<hsize_t> dims = {0};
    std::vector<hsize_t> max = {H5S_UNLIMITED};
    std::vector<hsize_t> chunk = {chunk_rows < 1 ? 1 : chunk_rows};
    for (const hsize_t r : row_) {
        dims.push_back(r);
        max.push_back(r);
        // the first row dimension (agents) may be split into blocks
        const hsize_t c = chunk.size() == 1 && row_block > 0 ? std::min(r, row_block) : r;
        chunk.push_back(c < 1 ? 1 : c);
    }
    const int rank = static_cast<int>(dims.size());
    const Handle space(check(H5Screate_simple(rank, dims.data(), max.data()), "H5Screate"));
    const Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"));
    check_status(H5Pset_chunk(dcpl, rank, chunk.data()), "H5Pset_chunk");
    check_status(H5Pset_obj_track_times(dcpl, 0), "H5Pset_obj_track_times");
    // rows are always written whole before they are visible: no fill pass over new chunks
    check_status(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
    if (deflate > 0) {  // level 0: no filters at all (raw chunks)
        check_status(H5Pset_shuffle(dcpl), "H5Pset_shuffle");
        check_status(H5Pset_deflate(dcpl, static_cast<unsigned>(deflate)), "H5Pset_deflate");
    }
    // a cache that holds a few chunks, so partly filled chunks are not recompressed per row
    std::size_t chunk_bytes = H5Tget_size(file_type);
    for (const hsize_t c : chunk) {
        chunk_bytes *= c;
    }
    const Handle dapl(check(H5Pcreate(H5P_DATASET_ACCESS), "H5Pcreate"));
    const std::size_t cache =
        chunk_bytes * 4 > (std::size_t{1} << 20) ? chunk_bytes * 4 : std::size_t{1} << 20;
    check_status(H5Pset_chunk_cache(dapl, 521, cache, 1.0), "H5Pset_chunk_cache");
    dset_ = Handle(check(H5Dcreate2(parent, name, file_type, space, H5P_DEFAULT, dcpl, dapl),
                         "cannot create a dataset"));
}

namespace {

// a dataset opened with a chunk cache of `bytes` (10007 slots, whole chunks kept first)
Handle open_with_cache(hid_t parent, const char* name, std::size_t bytes) {
    const Handle dapl(check(H5Pcreate(H5P_DATASET_ACCESS), "H5Pcreate"));
    check_status(H5Pset_chunk_cache(dapl, 10007, bytes, 1.0), "H5Pset_chunk_cache");
    return Handle(check(H5Dopen2(parent, name, dapl), "cannot open a dataset"));
}

}  // namespace

Appendable Appendable::open(hid_t parent, const char* name, hid_t mem_type) {
    Appendable a;
    a.mem_type_ = mem_type;
    // Opened without a chunk cache, which only the records that H5Dwrite puts into filtered
    // chunks need (opened again below): records without filters go straight to the file (a
    // cache would hold them back until a flush, which then grows the file by up to the cache
    // at once, past the room the writer keeps under a file size limit), and the pre-filtered
    // series write whole chunks themselves (H5Dwrite_chunk)
    a.dset_ = open_with_cache(parent, name, 0);
    const Handle dcpl(check(H5Dget_create_plist(a.dset_), "H5Dget_create_plist"));
    const bool unfiltered = H5Pget_nfilters(dcpl) == 0;
    const Handle space(check(H5Dget_space(a.dset_), "H5Dget_space"));
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank > 0 ? rank : 1));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    a.size_ = dims[0];
    a.row_.assign(dims.begin() + 1, dims.end());
    // scalar records, shuffle then deflate: whole chunks are written pre-filtered
    hsize_t chunk = 0;
    if (rank == 1 && H5Pget_chunk(dcpl, 1, &chunk) == 1 && chunk > 0 &&
        H5Pget_nfilters(dcpl) == 2 &&
        H5Pget_filter2(dcpl, 0, nullptr, nullptr, nullptr, 0, nullptr, nullptr) ==
            H5Z_FILTER_SHUFFLE) {
        unsigned flags = 0;
        std::size_t n_values = 1;
        unsigned level = 0;
        if (H5Pget_filter2(dcpl, 1, &flags, &n_values, &level, 0, nullptr, nullptr) ==
                H5Z_FILTER_DEFLATE &&
            n_values >= 1) {
            a.file_type_ = Handle(check(H5Dget_type(a.dset_), "H5Dget_type"));
            a.chunk_rows_ = chunk;
            a.compressor_ = shared_compressor(static_cast<int>(level));
            a.level_ = std::clamp(static_cast<int>(level), 1, 12);
            a.same_type_ = H5Tequal(a.file_type_, mem_type) > 0;
        }
    }
    // scalar records without filters: whole chunks are written raw (H5Dwrite_chunk of the
    // chunk's bytes, as HDF5 would lay them out: about a tenth of an H5Dwrite's instructions)
    if (unfiltered && rank == 1 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
        H5Pget_chunk(dcpl, 1, &chunk) == 1 && chunk > 0) {
        a.file_type_ = Handle(check(H5Dget_type(a.dset_), "H5Dget_type"));
        a.chunk_rows_ = chunk;
        a.raw_ = true;
        a.same_type_ = H5Tequal(a.file_type_, mem_type) > 0;
    } else if (unfiltered) {
        Handle type(check(H5Dget_type(a.dset_), "H5Dget_type"));
        if (H5Tequal(type, mem_type) <= 0) {  // the same type: HDF5 converts nothing
            a.packed_type_ = std::move(type);
        }
    } else if (a.chunk_rows_ == 0) {
        // filtered records through H5Dwrite: a chunk cache that holds every chunk of a few
        // rows (rows are written one at a time into chunks that span many rows, each
        // compressed once when evicted or flushed)
        std::size_t cache = std::size_t{1} << 20;
        std::vector<hsize_t> chunks(dims.size());
        if (rank > 1 && H5Pget_chunk(dcpl, rank, chunks.data()) == rank) {
            const Handle type(check(H5Dget_type(a.dset_), "H5Dget_type"));
            // bytes of one chunk row slab (all chunks across a row), twice
            std::size_t slab = H5Tget_size(type) * chunks[0];
            for (std::size_t i = 1; i < dims.size(); ++i) {
                slab *= ((dims[i] + chunks[i] - 1) / chunks[i]) * chunks[i];
            }
            cache = std::max(cache, 2 * slab);
        }
        a.dset_ = open_with_cache(parent, name, cache);
    }
    a.load_open_chunk();
    return a;
}

void Appendable::append(const void* data, hsize_t count) {
    if (count > 0) {
        unsigned char* out = extend(count);  // sets record_bytes_ on the first call
        std::memcpy(out, data, static_cast<std::size_t>(count) * record_bytes_);
        appended(count);
    }
}

unsigned char* Appendable::extend(hsize_t count) {
    if (record_bytes_ == 0) {
        record_bytes_ = H5Tget_size(mem_type_);
        for (const hsize_t r : row_) {
            record_bytes_ *= r;
        }
    }
    const std::size_t at = buffer_.size();
    buffer_.resize(at + static_cast<std::size_t>(count) * record_bytes_);
    return buffer_.data() + at;
}

void Appendable::appended(hsize_t count) {
    pending_ += count;
    if (pending_ >= batch_) {
        drain(chunk_rows_ == 0);
    }
}

void Appendable::commit(bool last) {
    last_ = last;
    drain(true);
    last_ = false;
}

void Appendable::drain(bool all) {
    if (chunk_rows_ > 0) {
        // whole chunks, then (all) the open one, each written pre-filtered: a flush leaves
        // HDF5 no chunk of ours to compress. The records of the whole ones leave the buffer
        // at once afterwards (a keyframe's rows are many chunks)
        while (open_ + pending_ >= chunk_rows_) {
            write_chunk(chunk_rows_);
        }
        drop_written();
        if (all && pending_ > 0) {
            write_chunk(open_ + pending_);
        }
        return;
    }
    if (all && pending_ > 0) {
        write_rows(pending_);
    }
}

void Appendable::drop_written() {
    if (head_ > 0) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
}

void Appendable::consume(hsize_t count) {
    size_ += count;
    pending_ -= count;
    buffer_.erase(buffer_.begin(),
                  buffer_.begin() + static_cast<std::ptrdiff_t>(count * record_bytes_));
}

void Appendable::write_rows(hsize_t count) {
    std::vector<hsize_t> dims = {size_ + count};
    std::vector<hsize_t> start = {size_};
    std::vector<hsize_t> n = {count};
    for (const hsize_t r : row_) {
        dims.push_back(r);
        start.push_back(0);
        n.push_back(r);
    }
    check_status(H5Dset_extent(dset_, dims.data()), "cannot extend a dataset");
    const Handle fspace(check(H5Dget_space(dset_), "H5Dget_space"));
    check_status(
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, n.data(), nullptr),
        "H5Sselect_hyperslab");
    const Handle mspace(
        check(H5Screate_simple(static_cast<int>(n.size()), n.data(), nullptr), "H5Screate"));
    if (packed_type_.valid()) {
        // converted here, into buffers sized by the records (write_chunk does the same)
        std::size_t elements = static_cast<std::size_t>(count);
        for (const hsize_t r : row_) {
            elements *= static_cast<std::size_t>(r);
        }
        const std::size_t file_size = H5Tget_size(packed_type_);
        const std::size_t mem_size = H5Tget_size(mem_type_);
        const std::size_t wider = std::max(file_size, mem_size);
        converted_.resize(elements * wider);
        std::memcpy(converted_.data(), buffer_.data(), elements * mem_size);
        background_.assign(elements * wider, 0);
        check_status(H5Tconvert(mem_type_, packed_type_, elements, converted_.data(),
                                background_.data(), H5P_DEFAULT),
                     "cannot convert records");
        check_status(H5Dwrite(dset_, packed_type_, mspace, fspace, H5P_DEFAULT, converted_.data()),
                     "cannot write a dataset");
    } else {
        check_status(H5Dwrite(dset_, mem_type_, mspace, fspace, H5P_DEFAULT, buffer_.data()),
                     "cannot write a dataset");
    }
    consume(count);
}

void Appendable::truncate(hsize_t rows) {
    // Cutting back to `rows` inside a chunk, HDF5 reads that chunk (to fill what is cut off);
    // a chunk whose write failed (a full disk) may then hold anything. When it is the open
    // chunk, whose records from its first are still here, it is cut off whole first (nothing
    // read) and its records up to `rows` written again.
    drop_written();                       // a failed drain may have written whole chunks before
    const hsize_t start = size_ - open_;  // the open chunk's first record
    if (write_failed_ && chunk_rows_ > 0 && rows % chunk_rows_ != 0 && rows > start &&
        rows - start <= open_ + pending_ && rows / chunk_rows_ == start / chunk_rows_) {
        buffer_.resize(static_cast<std::size_t>(rows - start) * record_bytes_);
        check_status(H5Dset_extent(dset_, &start), "cannot cut a dataset back");
        size_ = start;
        open_ = 0;
        pending_ = rows - start;
        std::fill(shuffled_.begin(), shuffled_.end(), 0);
        shuffled_rows_ = 0;
        write_chunk(pending_);
        write_failed_ = false;
        return;
    }
    pending_ = 0;
    buffer_.clear();
    open_ = 0;
    std::fill(shuffled_.begin(), shuffled_.end(), 0);
    shuffled_rows_ = 0;
    std::vector<hsize_t> dims = {rows};
    dims.insert(dims.end(), row_.begin(), row_.end());
    check_status(H5Dset_extent(dset_, dims.data()), "cannot cut a dataset back");
    size_ = rows;
    load_open_chunk();
}

void Appendable::load_open_chunk() {
    if (chunk_rows_ == 0 || size_ % chunk_rows_ == 0) {
        return;
    }
    // the records of the file's open chunk, which the next write of that chunk rewrites
    record_bytes_ = H5Tget_size(mem_type_);
    open_ = size_ % chunk_rows_;
    const hsize_t start = size_ - open_;
    buffer_.resize(static_cast<std::size_t>(open_) * record_bytes_);
    const Handle fspace(check(H5Dget_space(dset_), "H5Dget_space"));
    check_status(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, nullptr, &open_, nullptr),
                 "H5Sselect_hyperslab");
    const Handle mspace(check(H5Screate_simple(1, &open_, nullptr), "H5Screate"));
    check_status(H5Dread(dset_, mem_type_, mspace, fspace, H5P_DEFAULT, buffer_.data()),
                 "cannot read a dataset");
}

// HDF5's shuffle filter over a whole chunk
void shuffle_chunk(const unsigned char* in, std::size_t bytes, std::size_t size,
                   unsigned char* out) {
    const std::size_t n = bytes / size;
    shuffle_bytes(in, n, size, out, n);
    // HDF5 leaves a tail shorter than an element as it is
    std::memcpy(out + n * size, in + n * size, bytes - n * size);
}

void Appendable::write_chunk(hsize_t records) {
    const std::size_t n = static_cast<std::size_t>(chunk_rows_);
    const std::size_t file_size = H5Tget_size(file_type_);
    if (raw_ && same_type_ && open_ == 0 && records == chunk_rows_) {
        // a whole raw chunk, its records already in the file's layout: as they are
        put_chunk(records, buffer_.data() + head_, n * file_size);
        return;
    }
    // the chunk's first `records` records (the open ones, then pending ones) in the file's
    // type (packed, little-endian), as H5Dwrite would convert them, then zeros (outside the
    // extent, never read), shuffled unless raw. Only the records not yet in shuffled_ are
    // converted and shuffled into place: an open chunk rewritten at every commit costs what
    // was appended
    const auto used = static_cast<std::size_t>(records);
    if (shuffled_.size() != n * file_size) {
        shuffled_.assign(n * file_size, 0);
        shuffled_rows_ = 0;
    }
    if (shuffled_rows_ == 0 && planes_) {
        planes_->clear();
    }
    const std::size_t from = shuffled_rows_;
    const std::size_t count = used - from;
    if (raw_ && same_type_) {
        std::memcpy(shuffled_.data() + from * file_size,
                    buffer_.data() + head_ + from * record_bytes_, count * file_size);
    } else if (same_type_) {  // H5Tconvert would copy them as they are (~20k instructions)
        shuffle_bytes(buffer_.data() + head_ + from * record_bytes_, count, file_size,
                      shuffled_.data() + from, n);
    } else {
        const std::size_t wider = std::max(file_size, record_bytes_);
        converted_.resize(count * wider);
        std::memcpy(converted_.data(), buffer_.data() + head_ + from * record_bytes_,
                    count * record_bytes_);
        background_.assign(count * wider, 0);  // for compound types
        check_status(H5Tconvert(mem_type_, file_type_, count, converted_.data(), background_.data(),
                                H5P_DEFAULT),
                     "cannot convert records");
        if (raw_) {
            std::memcpy(shuffled_.data() + from * file_size, converted_.data(), count * file_size);
        } else {
            shuffle_bytes(converted_.data(), count, file_size, shuffled_.data() + from, n);
        }
    }
    shuffled_rows_ = used;
    if (raw_) {
        put_chunk(records, shuffled_.data(), shuffled_.size());
        return;
    }
    // An open chunk is encoded as it fills (io::PlaneDeflater: each record's bytes once, runs
    // and literals), and so is a whole one with set_plane_chunks; otherwise a whole chunk (or
    // the file's last commit's) gets libdeflate at the dataset's level
    const bool whole = records == chunk_rows_ || last_;
    const unsigned char* chunk = nullptr;
    std::size_t size = 0;
    if (whole && !plane_chunks_) {
        RecentChunks& recent = recent_chunks();
        const std::vector<unsigned char>* encoded =
            recent.find(level_, shuffled_.data(), shuffled_.size());
        if (encoded == nullptr) {
            packed_.resize(libdeflate_zlib_compress_bound(compressor_.get(), shuffled_.size()));
            size = libdeflate_zlib_compress(compressor_.get(), shuffled_.data(), shuffled_.size(),
                                            packed_.data(), packed_.size());
            if (size == 0) {
                throw std::runtime_error("deflate failed");
            }
            recent.add(level_, shuffled_.data(), shuffled_.size(), packed_.data(), size);
            chunk = packed_.data();
        } else {
            size = encoded->size();
            chunk = encoded->data();
        }
    } else {
        if (!planes_) {
            planes_.emplace(file_size, n);
        }
        planes_->finish(shuffled_.data(), used, packed_);
        size = packed_.size();
        chunk = packed_.data();
    }
    put_chunk(records, chunk, size);
}

void Appendable::put_chunk(hsize_t records, const unsigned char* chunk, std::size_t size) {
    const hsize_t offset = size_ - open_;
    const hsize_t dims = offset + records;
    check_status(H5Dset_extent(dset_, &dims), "cannot extend a dataset");
    if (H5Dwrite_chunk(dset_, H5P_DEFAULT, 0, &offset, size, chunk) < 0) {
        write_failed_ = true;
        check_status(-1, "cannot write a chunk");
    }
    // the records that were pending are in the file now; a whole chunk leaves the buffer
    const hsize_t fresh = records - open_;
    size_ += fresh;
    pending_ -= fresh;
    open_ = records;
    if (records == chunk_rows_) {
        head_ += static_cast<std::size_t>(records) * record_bytes_;  // drain() drops them
        open_ = 0;
        // the next chunk's zeros past its records: libdeflate and raw chunks write them (a
        // PlaneDeflater reads only the records); none to clear when nothing was copied in (a
        // raw chunk written from the buffer as it was)
        if (shuffled_rows_ > 0 && (raw_ || !plane_chunks_)) {
            std::fill(shuffled_.begin(), shuffled_.end(), 0);
        }
        shuffled_rows_ = 0;
    }
}

}  // namespace swarm::io::h5
