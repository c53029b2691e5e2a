// The HDF5 trace writer: one writer thread behind a bounded queue. The simulation thread fills
// a TraceFrame (a snapshot of one sample) and pushes it; the writer thread makes every HDF5
// call (the library is serial: only that thread touches the file, under h5::hdf5_mutex()).
// When the queue is full, push() blocks the simulation (back-pressure: the trace never drops
// samples and memory stays bounded at capacity frames). The file is written under a
// temporary name beside the target (PATH.<pid>.partial, io/output/output_file.hpp) in SWMR
// mode and flushed every `flush_seconds` (or after a frame bound that grows from `first_flush`
// to `flush_every` frames), so a killed run leaves that file readable up to the last flush (open it
// with h5py.File(path, "r", swmr=True)); close() drains the queue, sets the root attribute complete
// = 1, flushes the file to disk and renames it onto PATH. A write error (a full disk) stops the
// writing, not the run: later frames are dropped, the file is cut back to the last successful
// flush, marked incomplete = 1 with the cause, and left under its partial name; close() then
// throws. The per-agent chunks are shuffled and deflated on the writer thread and written
// pre-filtered (h5::ChunkRows), so HDF5 does no filtering of its own. The positions, states, loads
// and energies go into the legs table: a run's producer (schema 3.3) packs a row per vehicle
// that changed since the previous frame, every vehicle at a keyframe, naming network nodes
// (position/points: the nodes, written at creation); from frames of positions (schema 3.2) the
// writer makes a still row per vehicle whose position, state, load or energy changed, naming
// its points (each stored once, flushed with the rows). Layout: docs/trace-format.md.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "io/output/output_file.hpp"
#include "io/trace/byte_buffer.hpp"
#include "io/trace/trace_format.hpp"
#include "sim/cpu_usage.hpp"

namespace swarm::io {

// fixed facts of the run, written once into parameters/ and h5md/
struct TraceHeader {
    std::uint32_t agents = 0;  // particles/agents rows (vehicles)
    std::uint32_t depots = 0;
    std::string scenario_text;  // the fully resolved scenario, verbatim
    std::string scenario_name;
    std::uint64_t seed = 0;
    std::uint64_t threads = 0;  // per process
    // processes of a run across MPI ranks (docs/distributed.md): parameters@ranks when > 1
    std::uint64_t ranks = 1;
    std::uint64_t network_nodes = 0;
    std::uint64_t network_edges = 0;
    // the road network's node coordinates (index = node id): when given, the file is schema
    // 3.3, its position/points these nodes (written when it is created), and every frame
    // brings its legs rows packed (TraceFrame::packed_legs), naming nodes; empty: schema 3.2
    // (3.1, 3.0 with TraceOptions), the writer making the rows from the frames' positions
    std::vector<agents::Point> nodes;
    std::int64_t ticks_per_second = 1'000'000;
    double sample_interval_s = 0.0;
    double kpi_interval_s = 0.0;
    std::string author = "swarmsim user";
    // a fork's trace (swarmsim fork): the checkpoint it continues and its time; written as
    // parameters@forked_from and @fork_time_s when forked_from is not empty
    std::string forked_from;
    double fork_time_s = 0.0;
    // further per-agent float32 elements, particles/agents/<name>/value (an AgentValueSource
    // fills them; trace_observer.hpp): fixed when the file is created. A name must be a
    // plain HDF5 link name ([A-Za-z0-9_.-], not starting with '.'), unique, and not one of
    // the standard elements (position, state, load, energy, box): TraceError otherwise.
    std::vector<std::string> agent_values;
};

struct TraceOptions {
    // push() blocks while queue_capacity frames, or frames of queue_bytes (their rows, values,
    // events and links: one frame always passes), wait for the writer: deep enough to ride
    // out the writer's flushes. The writer is woken when a quarter of queue_capacity frames
    // (at most 64) or a sixteenth of queue_bytes wait: each wake-up costs a switch of threads
    // and a cold cache, which at 10,000 agents and 1 s sampling cost as much as a frame's
    // writing (8 frames a wake-up: about +2 points of CPU over 64, docs/trace-cost.md
    // "Session 29")
    std::size_t queue_capacity = 256;
    std::size_t queue_bytes = std::size_t{64} << 20U;
    // The file is flushed (every appended row made readable after a kill) every
    // flush_seconds of wall time, and once after first_flush frames, so that a short run or an
    // early write error still keeps its first samples. flush_every > 0 adds a frame bound
    // after that: twice first_flush frames, then twice as many at each flush up to flush_every
    // (first_flush above flush_every is flush_every). 0 (the default): none, so that a run
    // with fast frames pays one flush per flush_seconds and not one per so many frames (each
    // rewrites every open chunk and writes the file's metadata: the five more flushes of the
    // old frame bound, 1024 at most, in a 1 h run at 10,000 agents and 1 s sampling cost about
    // a point of CPU on the benchmark's host, docs/trace-cost.md "Session 31").
    std::size_t flush_every = 0;
    std::size_t first_flush = 64;
    double flush_seconds = 5.0;
    // zlib level of every dataset (0: no filters at all). The per-agent chunks are shuffled
    // and deflated by the writer itself (H5Dwrite_chunk): with row_deflate (default) by a
    // fast encoder that only looks for repeats of the previous sample (files ~1.5x larger
    // than a general encoder's), else by libdeflate at this level.
    int deflate = 1;
    bool row_deflate = true;
    // per-agent datasets: chunks of chunk_frames samples x agent_block agents, so that an
    // agent's unchanged values sit next to each other and compress fast and small
    std::size_t chunk_frames = 32;
    std::size_t agent_block = 1024;
    // particles/agents/position/legs: every frame that is a multiple of this (the first one
    // too) has a row for every vehicle, so that a reader seeking frame k starts at the
    // keyframe before it, not at the start (schema 3.0)
    std::size_t keyframe_frames = 1024;
    // write schema 3.0 (kTraceDenseRowsVersion): state, load and energy as dense [T][N]
    // values (particles/agents/<name>/value) and legs rows with a frame column, instead of
    // schema 3.1 and 3.2's legs rows that carry them. For tests that compare them and
    // readers' tests of 3.0 files; a run writes 3.2.
    bool dense_rows = false;
    // write schema 3.1 (kTraceCoordinateRowsVersion): legs rows that carry their four float64
    // coordinates, no points table, instead of schema 3.2's rows that name their points. For
    // readers' tests of 3.1 files; a run writes 3.2. (dense_rows wins: 3.0 has coordinates.)
    bool coordinate_rows = false;
    // an existing regular file at the path is replaced (the CLI's --force); otherwise it is
    // refused, and anything but a regular file always is (a device, directory, FIFO, link)
    bool replace = false;
    // bytes held free on the trace's file system (io::SpaceReserve) and given back when a
    // write fails, so that a full disk still leaves a readable file marked incomplete
    std::uint64_t space_reserve = 1ULL << 20U;
    // test hook: the n-th write of the per-agent data fails as on a full disk (0: never): a
    // chunk of a dense per-agent value, or (schema 3.1, 3.2) a frame's rows of the legs table
    std::uint64_t fail_chunk_write = 0;
};

// one KPI interval that has just completed: observables on the KPI grid
struct TraceKpiInterval {
    std::int64_t end_tick = 0;
    double end_s = 0.0;
    double service_level = 1.0;   // Q(k)
    double utilisation = 0.0;     // busy / accounted vehicle time in k
    std::int64_t due = 0;         // orders due in k
    std::int64_t deliveries = 0;  // deliveries that happened in k
    double cost = 0.0;            // the cost KPI so far, at the sample that completed k
    // what Q(k) counts (agents::ServiceCounts)
    std::int64_t served = 0;
    std::int64_t lost = 0;
    std::int64_t lapsed = 0;
    // leading indicators at the sample that completed k (agents::OpenOrderKpis)
    std::int64_t unassigned = 0;
    double oldest_unassigned_age_s = 0.0;  // NaN when none is unassigned
    std::int64_t at_risk = 0;
    std::int64_t overdue = 0;
};

// the per-sample observables (counts are cumulative since the start)
struct TraceScalars {
    std::int64_t created = 0;
    std::int64_t delivered = 0;
    std::int64_t delivered_on_time = 0;
    std::int64_t delivered_late = 0;
    std::int64_t failed = 0;
    std::int64_t backlog = 0;    // open orders
    double busy_fraction = 0.0;  // vehicles serving orders / vehicles
    double energy_kwh = 0.0;     // energy on board, all vehicles
    double veh_km = 0.0;         // distance driven so far, all vehicles (a completer's sum)
};

// one sample, filled by the simulation thread, consumed by the writer thread
struct TraceFrame {
    std::int64_t step = 0;  // tick
    double time = 0.0;      // seconds
    // schema 3.0 to 3.2: agents x 2 (x, y) metres (float32: mm at 30 km); the writer records a
    // vehicle whose position (or state, load, energy) differs from the previous frame's as a
    // still row of the legs table. Empty in schema 3.3 (packed_legs instead)
    std::vector<float> position;
    std::vector<std::int8_t> state;
    std::vector<float> load;
    std::vector<float> energy;  // kWh
    // TraceHeader::agent_values, one block of agents values per name in that order; reset
    // to NaN by acquire()
    std::vector<float> values;
    TraceScalars scalars;
    std::vector<TraceKpiInterval> intervals;
    std::vector<TraceEvent> events;
    // the scenario's labels of the disruptions first written in this frame, in run order
    // (entry i names the rows with order = disruptions before this frame + i): the writer
    // records them all as /events@disruption_labels at close
    std::vector<std::string> disruption_labels;
    // who talked to whom since the previous frame (connectivity/); any order, duplicates
    // allowed: the writer sorts by (from, to) and sums duplicates
    std::vector<TraceLink> links;
    // schema 3.3 (TraceHeader::nodes): the frame's rows of position/legs, packed as the file
    // stores them (h5::leg_type(true, 2), 38 bytes each, from and to naming nodes), ascending
    // by agent; every agent's at a keyframe (the writer's frame index a multiple of
    // TraceWriter::keyframe_frames()). The writer appends them as they are.
    ByteBuffer packed_legs;  // resized, not zeroed: the rows are packed into it next
    std::size_t packed_leg_rows = 0;
    // what the frame holds, about: its rows, values, events and links (TraceOptions::queue_bytes)
    [[nodiscard]] std::size_t bytes() const;
};

// Work a producer moves off the simulation thread: called on the writer thread for every
// frame, in push order, before the frame is written (TraceObserver sorts the events there).
class FrameCompleter {
  public:
    virtual ~FrameCompleter() = default;
    virtual void complete(TraceFrame& frame) = 0;
};

struct TraceWriterStats {
    std::uint64_t frames = 0;
    std::uint64_t events = 0;
    std::uint64_t links = 0;
    std::uint64_t flushes = 0;
    std::uint64_t producer_waits = 0;  // pushes that blocked on a full queue
    double writer_cpu_s = 0.0;         // CPU time of the writer thread (HDF5, compression)
    // the writer thread's getrusage(RUSAGE_THREAD) at its end: user and system time, page
    // faults (minor: no I/O), context switches (voluntary: it waited; involuntary: preempted)
    double writer_open_cpu_s = 0.0;  // of writer_cpu_s: creating the file, before any frame
    sim::CpuUsage writer_usage;
    std::uint64_t dropped = 0;  // frames pushed after a write error (not written)
};

class TraceWriter {
  public:
    // creates the file (under its temporary name) and its layout on the writer thread; throws
    // TraceError, also when the path is refused (TraceOptions::replace)
    TraceWriter(std::string path, TraceHeader header, TraceOptions options = {});
    TraceWriter(const TraceWriter&) = delete;
    TraceWriter& operator=(const TraceWriter&) = delete;
    // closes if close() was not called (errors are swallowed there: call close())
    ~TraceWriter();

    // a recycled (or new) frame sized for the agents (schema 3.3: no per-agent arrays but the
    // values), its lists cleared; one whose packed_legs holds `packed_bytes` without growing
    // if the pool has one (a keyframe's rows: their buffer is not allocated again, nor its
    // pages faulted in, at every keyframe)
    [[nodiscard]] std::unique_ptr<TraceFrame> acquire(std::size_t packed_bytes = 0);
    // queues a frame; blocks while the queue is full; after a write error the frame is
    // dropped (failed() says so; close() throws)
    void push(std::unique_ptr<TraceFrame> frame);
    // the run stopped early (a signal): close() marks the file interrupted = 1
    void mark_interrupted();
    // drains the queue, writes complete = 1, closes the file and renames it into place;
    // throws TraceError on failure, naming the cause and the partial file left behind
    void close();
    // a write failed (the file is or will be left incomplete); safe from any thread
    [[nodiscard]] bool failed() const { return failed_.load(); }

    // One completer at a time, set before its first frame is pushed, kept by reference until
    // release_completer() returns (which waits until the frames already pushed went through
    // it; the completer's owner calls it before going away).
    void set_completer(FrameCompleter& completer);
    void release_completer(const FrameCompleter& completer);
    // blocks until every frame pushed so far went through the writer (completed and written,
    // not necessarily flushed) or the writer failed: for a benchmark that measures the
    // writer's CPU in slices of a run (trace_bench --interleave)
    void wait_idle();

    // schema 3.3 (TraceHeader::nodes, no older layout asked for): the frames bring their legs
    // rows packed (TraceFrame::packed_legs; acquire() leaves the per-agent position, state,
    // load and energy arrays empty), every agent's in a frame whose index is a multiple of
    // keyframe_frames()
    [[nodiscard]] bool packs_legs() const;
    [[nodiscard]] std::size_t keyframe_frames() const;
    [[nodiscard]] const std::string& path() const { return path_; }
    // where the file is written until close() renames it (PATH.<pid>.partial)
    [[nodiscard]] const std::string& temp_path() const;
    [[nodiscard]] const TraceHeader& header() const { return header_; }
    // valid after close()
    [[nodiscard]] const TraceWriterStats& stats() const { return stats_; }
    // frames on disk so far (flushed, so a kill keeps them); safe from any thread
    [[nodiscard]] std::uint64_t flushed_frames() const { return flushed_frames_.load(); }

  private:
    struct File;
    struct Checkpoint;
    void run();
    std::string abandon(std::unique_ptr<File>& file, const Checkpoint& good,
                        const std::string& reason);
    // the writer is due (under mutex_): enough frames or bytes wait, or someone waits on it
    [[nodiscard]] bool writer_due() const;
    [[nodiscard]] bool queue_full() const;

    std::string path_;
    TraceHeader header_;
    TraceOptions options_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::unique_ptr<TraceFrame>> queue_;
    std::size_t queued_bytes_ = 0;  // frame_bytes() of the frames in queue_
    std::vector<std::unique_ptr<TraceFrame>> free_;
    FrameCompleter* completer_ = nullptr;
    bool completing_ = false;    // the writer thread is in completer_->complete()
    bool releasing_ = false;     // release_completer() waits: no wake-up batching
    bool idle_waiting_ = false;  // wait_idle() waits: no wake-up batching
    std::size_t in_flight_ = 0;  // frames taken off the queue and not yet written
    bool finished_ = false;      // the writer thread has returned
    bool closing_ = false;
    bool producer_waiting_ = false;
    bool writer_waiting_ = false;  // the writer thread waits for frames: push() wakes it once
    bool opened_ = false;
    bool closed_ = false;
    bool interrupted_ = false;
    bool abandoned_ = false;  // destroyed without close(): kept as a partial file
    std::atomic<bool> failed_{false};
    std::atomic<std::uint64_t> flushed_frames_{0};
    std::unique_ptr<PendingOutput> output_;
    std::unique_ptr<SpaceReserve> reserve_;  // given back on a failure, and at close
    std::uint64_t fail_countdown_ = 0;
    // under a file size limit (ulimit -f): the size the file stops at, leaving room to close
    // and mark it (0: no limit)
    std::uint64_t size_budget_ = 0;
    std::exception_ptr error_;
    TraceWriterStats stats_;
    std::vector<std::string> disruption_labels_;  // writer thread only
    std::uint64_t waits_ = 0;
    std::thread thread_;
};

}  // namespace swarm::io
