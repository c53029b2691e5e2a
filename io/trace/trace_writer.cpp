#include "io/trace/trace_writer.hpp"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <limits>
#include <span>
#include <sstream>
#include <tuple>
#include <utility>

#include "io/trace/hdf5_util.hpp"
#include "io/trace/trace_layout.hpp"
#include "io/trace/trace_legs.hpp"

#ifndef SWARM_VERSION
#define SWARM_VERSION "unknown"
#endif

namespace swarm::io {

using detail::check_value_names;
using detail::create_layout;
using detail::kIntervalScalars;
using detail::kSampleCounts;
using detail::kSampleScalars;
using detail::LegRows;
using detail::ScalarSpec;

namespace {

using h5::Appendable;
using h5::Handle;

// a data set on the sample grid and the per-agent one, as the writer appends to them; one
// whose step and time are another element's (schema 3.5: hard links) appends its values only
struct Series {
    Appendable step;
    Appendable time;
    Appendable value;
    bool own_time = true;
};

struct AgentSeries {
    Appendable step;
    Appendable time;
    h5::ChunkRows value;
    bool own_time = true;
};

AgentSeries open_agent_series(hid_t parent, const std::string& path, const TraceOptions& o,
                              bool own_time) {
    const Handle g(h5::check(H5Gopen2(parent, path.c_str(), H5P_DEFAULT), "cannot open a group"));
    return {own_time ? Appendable::open(g, "step", H5T_NATIVE_INT64) : Appendable{},
            own_time ? Appendable::open(g, "time", H5T_NATIVE_DOUBLE) : Appendable{},
            h5::ChunkRows::open(g, "value", o.deflate, o.row_deflate), own_time};
}

Series open_series(hid_t parent, const std::string& path, hid_t mem_type, bool own_time) {
    const Handle g(h5::check(H5Gopen2(parent, path.c_str(), H5P_DEFAULT), "cannot open a group"));
    return {own_time ? Appendable::open(g, "step", H5T_NATIVE_INT64) : Appendable{},
            own_time ? Appendable::open(g, "time", H5T_NATIVE_DOUBLE) : Appendable{},
            Appendable::open(g, "value", mem_type), own_time};
}

template <class S>
void append_time(S& s, std::int64_t step, double time) {
    if constexpr (requires { s.own_time; }) {
        if (!s.own_time) {
            return;  // another element's (schema 3.5)
        }
    }
    s.step.append(&step, 1);
    s.time.append(&time, 1);
}

// particles/agents/position: the frame grid and the legs table
struct PositionSeries {
    Appendable step;
    Appendable time;
    Appendable legs_per_frame;
    Appendable points;  // schema 3.2 (open only then)
    Appendable legs;
};

}  // namespace

struct TraceWriter::File {
    Handle file;
    PositionSeries position;
    bool dense_rows = false;          // schema 3.0 (TraceOptions::dense_rows)
    bool points = false;              // schema 3.2, 3.3: position/points
    bool packed = false;              // schema 3.3: the frames bring their rows packed
    AgentSeries state, load, energy;  // schema 3.0 only
    Handle leg_mem_type;
    Handle point_mem_type;
    LegRows leg_rows;
    std::uint64_t* fail_countdown = nullptr;  // TraceOptions::fail_chunk_write
    std::uint32_t frame_index = 0;            // of the next frame written
    std::size_t keyframe_frames = 1;
    std::size_t agents = 0;
    std::vector<AgentSeries> values;  // TraceHeader::agent_values
    std::vector<Series> sample_scalars;
    std::vector<Series> interval_scalars;
    Appendable events;
    Handle event_mem_type;
    Series links_per_sample;
    Appendable links;
    Handle link_mem_type;

    // `path`: the temporary file, new and empty (PendingOutput); `countdown`: the test hook
    // of TraceOptions::fail_chunk_write
    File(const std::string& path, const TraceHeader& h, const TraceOptions& options,
         std::uint64_t* countdown)
        : dense_rows(options.dense_rows),
          points(detail::legs_minor(options) >= 2),
          packed(detail::schema_minor(h, options) == 3),
          leg_rows(detail::legs_minor(options), packed) {
        const Handle fapl(h5::check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"));
        // the 1.10 format: needed for SWMR (readable while written, and after a kill)
        h5::check_status(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST),
                         "H5Pset_libver_bounds");
        file = Handle(h5::check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl),
                                "cannot create the file"));
        create_layout(file, h, options);
        h5::check_status(H5Fstart_swmr_write(file), "cannot start SWMR writing");
        {
            const Handle g(h5::check(H5Gopen2(file, "particles/agents/position", H5P_DEFAULT),
                                     "cannot open a group"));
            // LegRows packs them
            leg_mem_type = h5::leg_type(true, detail::legs_minor(options));
            point_mem_type = h5::point_type(true);  // agents::Point on little-endian
            position = {Appendable::open(g, "step", H5T_NATIVE_INT64),
                        Appendable::open(g, "time", H5T_NATIVE_DOUBLE),
                        Appendable::open(g, "legs_per_frame", H5T_NATIVE_INT64),
                        points ? Appendable::open(g, "points", point_mem_type) : Appendable{},
                        Appendable::open(g, "legs", leg_mem_type)};
        }
        keyframe_frames = std::max<std::size_t>(1, options.keyframe_frames);
        agents = h.agents;
        // schema 3.5: the elements on the frame grid share position's step and time, the
        // KPI-interval ones the first one's (trace_layout.cpp)
        const bool shared = detail::shares_time_axes(h, options);
        if (dense_rows) {
            state = open_agent_series(file, "particles/agents/state", options, true);
            load = open_agent_series(file, "particles/agents/load", options, true);
            energy = open_agent_series(file, "particles/agents/energy", options, true);
        }
        for (const std::string& name : h.agent_values) {
            values.push_back(open_agent_series(file, "particles/agents/" + name, options, !shared));
        }
        for (const ScalarSpec& s : kSampleScalars) {
            sample_scalars.push_back(open_series(file, std::string("observables/") + s.name,
                                                 s.integer ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE,
                                                 !shared));
        }
        for (const ScalarSpec& s : kIntervalScalars) {
            interval_scalars.push_back(open_series(file, std::string("observables/") + s.name,
                                                   s.integer ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE,
                                                   !shared || interval_scalars.empty()));
        }
        event_mem_type = h5::event_type(true);  // h5::pack_events: nothing to convert
        events = Appendable::open(file, "events", event_mem_type);
        links_per_sample =
            open_series(file, "connectivity/links_per_sample", H5T_NATIVE_INT64, !shared);
        link_mem_type = h5::link_type(false);
        links = Appendable::open(file, "connectivity/links", link_mem_type);
        set_batches();
        // every series' whole chunks (and a filtered legs table's: sampling of 5 s and more,
        // trace_layout.cpp) are encoded as they fill, as their open ones are for the flushes
        // (io::PlaneDeflater), not by libdeflate: /events' cost about a third of libdeflate's
        // instructions for chunks about half larger, and the scalar series' whole chunks,
        // which libdeflate set up for a few KB each, cost only their last step. At 10 s
        // sampling the trace cost +30 % CPU over the run with libdeflate on /events and the
        // legs, +12.5 % without (trace_bench --interleave 60 --sample 10, docs/trace-cost.md
        // "Session 23")
        for (Appendable* a : all()) {
            a->set_plane_chunks(true);
        }
        if (packed) {
            // the rows name nodes: the points are the network's, written once, now (the
            // file's first flush makes them durable before any row)
            position.points.append(h.nodes.data(), h.nodes.size());
            position.points.commit();
        }
        if (*countdown > 0) {
            fail_countdown = countdown;
            for (AgentSeries* s : agent_series()) {
                s->value.fail_after(countdown);
            }
        }
    }

    // the rows of every dataset, all committed (right after commit())
    std::vector<hsize_t> rows() {
        std::vector<hsize_t> out;
        for (Appendable* a : all()) {
            out.push_back(a->size());
        }
        for (AgentSeries* s : agent_series()) {
            out.push_back(s->value.size());
        }
        return out;
    }

    // every dataset cut back to rows() as it was
    void truncate(const std::vector<hsize_t>& rows) {
        std::size_t i = 0;
        for (Appendable* a : all()) {
            a->truncate(rows.at(i++));
        }
        for (AgentSeries* s : agent_series()) {
            s->value.truncate(rows.at(i++));
        }
    }

    std::vector<AgentSeries*> agent_series() {
        std::vector<AgentSeries*> out;
        if (dense_rows) {
            out = {&state, &load, &energy};
        }
        for (AgentSeries& s : values) {
            out.push_back(&s);
        }
        return out;
    }

    // every appendable, for batching and commits
    std::vector<Appendable*> all() {
        std::vector<Appendable*> out;
        const auto add = [&](Series& s) {
            if (s.own_time) {
                out.push_back(&s.step);
                out.push_back(&s.time);
            }
            out.push_back(&s.value);
        };
        add(links_per_sample);
        out.push_back(&position.step);
        out.push_back(&position.time);
        if (points) {
            // committed before the legs and their counts, which name them: a file cut short
            // between two commits (a kill) never holds a row whose point it lacks
            out.push_back(&position.points);
        }
        out.push_back(&position.legs_per_frame);
        out.push_back(&position.legs);
        for (AgentSeries* s : agent_series()) {
            if (s->own_time) {
                out.push_back(&s->step);
                out.push_back(&s->time);
            }
        }
        for (Series& s : sample_scalars) {
            add(s);
        }
        for (Series& s : interval_scalars) {
            add(s);
        }
        out.push_back(&events);
        out.push_back(&links);
        return out;
    }

    // batches: per-agent values one chunk row slab at a time, everything else in bulk
    void set_batches() {
        for (Appendable* a : all()) {
            a->set_batch(1024);
        }
        events.set_batch(4096);
        position.legs.set_batch(512);  // a look for whole chunks (trace_layout.cpp) every 512 rows
        links.set_batch(4096);
    }

    // `last`: the file's last commit, whose open chunks stay as written
    void commit(bool last = false) {
        for (Appendable* a : all()) {
            a->commit(last);
        }
        for (AgentSeries* s : agent_series()) {
            s->value.commit();
        }
    }

    void write(const TraceFrame& f) {
        for (AgentSeries* s : agent_series()) {
            append_time(*s, f.step, f.time);
        }
        append_time(position, f.step, f.time);
        const std::uint32_t index = frame_index++;
        // the test hook of TraceOptions::fail_chunk_write: in schema 3.1, 3.2 (no dense
        // per-agent rows) each frame's rows count as one write of the per-agent data
        if (!dense_rows && fail_countdown != nullptr && *fail_countdown > 0 &&
            --*fail_countdown == 0) {
            throw std::runtime_error(std::string("cannot write a chunk: ") + std::strerror(ENOSPC) +
                                     " (simulated: TraceOptions::fail_chunk_write)");
        }
        // the rows go straight into position/legs' pending records; their new points (schema
        // 3.2) into position/points, committed before the legs (all())
        leg_rows.add(f, index, index % keyframe_frames == 0, agents, position.legs);
        const auto n_legs = static_cast<std::int64_t>(leg_rows.size());
        position.legs_per_frame.append(&n_legs, 1);
        if (points && !leg_rows.new_points().empty()) {
            position.points.append(leg_rows.new_points().data(), leg_rows.new_points().size());
        }
        if (dense_rows) {
            state.value.append(f.state.data());
            load.value.append(f.load.data());
            energy.value.append(f.energy.data());
        }
        const std::size_t n = agents;
        for (std::size_t i = 0; i < values.size(); ++i) {
            values[i].value.append(f.values.data() + i * n);
        }
        const TraceScalars& c = f.scalars;
        // in kSampleScalars order
        const std::int64_t ints[kSampleCounts] = {
            c.created, c.delivered, c.delivered_on_time, c.delivered_late, c.failed, c.backlog};
        const double reals[] = {c.busy_fraction, c.energy_kwh, c.veh_km};
        static_assert(std::size(ints) + std::size(reals) == std::size(kSampleScalars));
        for (std::size_t i = 0; i < sample_scalars.size(); ++i) {
            append_time(sample_scalars[i], f.step, f.time);
            sample_scalars[i].value.append(
                i < kSampleCounts ? static_cast<const void*>(&ints[i]) : &reals[i - kSampleCounts],
                1);
        }
        for (const TraceKpiInterval& k : f.intervals) {
            for (Series& s : interval_scalars) {
                append_time(s, k.end_tick, k.end_s);
            }
            interval_scalars[0].value.append(&k.service_level, 1);
            interval_scalars[1].value.append(&k.utilisation, 1);
            interval_scalars[2].value.append(&k.due, 1);
            interval_scalars[3].value.append(&k.deliveries, 1);
            interval_scalars[4].value.append(&k.cost, 1);
            interval_scalars[5].value.append(&k.served, 1);
            interval_scalars[6].value.append(&k.lost, 1);
            interval_scalars[7].value.append(&k.lapsed, 1);
            interval_scalars[8].value.append(&k.unassigned, 1);
            interval_scalars[9].value.append(&k.oldest_unassigned_age_s, 1);
            interval_scalars[10].value.append(&k.at_risk, 1);
            interval_scalars[11].value.append(&k.overdue, 1);
        }
        events.append_with(f.events.size(),
                           [&f](unsigned char* out) { h5::pack_events(f.events, out); });
        append_time(links_per_sample, f.step, f.time);
        const auto n_links = static_cast<std::int64_t>(f.links.size());
        links_per_sample.value.append(&n_links, 1);
        links.append(f.links.data(), f.links.size());
    }
};

// what the file holds after the last successful flush: where a write error cuts it back to
struct TraceWriter::Checkpoint {
    std::vector<hsize_t> rows;  // File::rows()
    std::uint64_t frames = 0;
    std::uint64_t events = 0;
    double time = std::numeric_limits<double>::quiet_NaN();  // of the last frame
};

TraceWriter::TraceWriter(std::string path, TraceHeader header, TraceOptions options)
    : path_(std::move(path)), header_(std::move(header)), options_(options) {
    check_value_names(path_, header_.agent_values);
    if (!header_.nodes.empty() && header_.nodes.size() != header_.network_nodes) {
        throw TraceError(path_, "the header gives " + std::to_string(header_.nodes.size()) +
                                    " node coordinates for a network of " +
                                    std::to_string(header_.network_nodes) + " nodes");
    }
    h5::no_cleanup_at_exit();
    try {
        output_ = std::make_unique<PendingOutput>(path_, options_.replace);
    } catch (const OutputError& e) {
        throw TraceError(path_, e.reason());
    }
    // a file size limit fails a write with EFBIG, after which HDF5 cannot even mark the file:
    // stop short of it by the reserve (at most a quarter of the limit)
    if (rlimit lim{}; getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
        const std::uint64_t limit = lim.rlim_cur;
        size_budget_ = limit - std::min<std::uint64_t>(options_.space_reserve, limit / 4);
    }
    reserve_ = std::make_unique<SpaceReserve>(
        std::filesystem::absolute(output_->temp_path()).parent_path().string(),
        options_.space_reserve);
    fail_countdown_ = options_.fail_chunk_write;
    thread_ = std::thread([this] { run(); });
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return opened_ || error_ != nullptr; });
    if (error_ != nullptr) {
        lock.unlock();
        thread_.join();
        closed_ = true;
        std::rethrow_exception(error_);
    }
}

TraceWriter::~TraceWriter() {
    {
        // not closed by its owner (the run failed): the file is not passed off as complete
        const std::lock_guard lock(mutex_);
        abandoned_ = !closed_;
    }
    try {
        close();
    } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw
    }
}

const std::string& TraceWriter::temp_path() const {
    return output_->temp_path();
}

void TraceWriter::mark_interrupted() {
    const std::lock_guard lock(mutex_);
    interrupted_ = true;
}

bool TraceWriter::packs_legs() const {
    return detail::schema_minor(header_, options_) == 3;
}

std::size_t TraceWriter::keyframe_frames() const {
    return std::max<std::size_t>(1, options_.keyframe_frames);
}

namespace {

// links in a canonical order, duplicates summed: the file never depends on who reported first
void canonical_links(std::vector<TraceLink>& links) {
    if (links.empty()) {
        return;
    }
    std::sort(links.begin(), links.end(), [](const TraceLink& a, const TraceLink& b) {
        return std::tie(a.from, a.to) < std::tie(b.from, b.to);
    });
    std::size_t out = 0;
    for (std::size_t i = 0; i < links.size(); ++i) {
        if (out > 0 && links[out - 1].from == links[i].from && links[out - 1].to == links[i].to) {
            links[out - 1].messages += links[i].messages;
            links[out - 1].bytes += links[i].bytes;
        } else {
            links[out++] = links[i];
        }
    }
    links.resize(out);
}

// the calling (writer) thread's CPU, faults and context switches so far
void record_thread_usage(TraceWriterStats& s) {
    s.writer_cpu_s = sim::thread_cpu_seconds();
    s.writer_usage = sim::cpu_usage(RUSAGE_THREAD);
}

// /events@disruption_labels (schema 1.8): the scenario's label of each disruption the run
// applied, indexed by the rows' `order`; absent when it applied none
void write_disruption_labels(hid_t file, const std::vector<std::string>& labels) {
    if (labels.empty()) {
        return;
    }
    const Handle ev(h5::check(H5Dopen2(file, "events", H5P_DEFAULT), "cannot open /events"));
    h5::attr_strings(ev, "disruption_labels", labels);
}

}  // namespace

void TraceWriter::close() {
    {
        std::unique_lock lock(mutex_);
        if (closed_) {
            return;
        }
        closing_ = true;
        cv_.notify_all();
    }
    thread_.join();
    closed_ = true;
    reserve_->release();
    stats_.producer_waits = waits_;
    if (error_) {
        output_->keep();  // under its partial name, marked incomplete (abandon())
        std::rethrow_exception(error_);
    }
    try {
        output_->commit();
    } catch (const OutputError& e) {
        throw TraceError(path_, e.reason());
    }
}

std::string TraceWriter::abandon(std::unique_ptr<File>& file, const Checkpoint& good,
                                 const std::string& reason) {
    const std::string& temp = output_->temp_path();
    try {
        if (file) {
            file->truncate(good.rows);
            file.reset();
        }
        const Handle f(H5Fopen(temp.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
        h5::check(f, "cannot reopen it");
        h5::attr_i64(f, "complete", 0);
        h5::attr_i64(f, "incomplete", 1);
        h5::attr_string(f, "incomplete_reason", reason);
        h5::attr_u64(f, "frames", good.frames);
        h5::attr_u64(f, "events", good.events);
        write_disruption_labels(f, disruption_labels_);
        h5::check_status(H5Fflush(f, H5F_SCOPE_GLOBAL), "cannot flush");
        std::ostringstream kept;
        kept << "the trace is incomplete: its first " << good.frames << " samples";
        if (good.frames > 0) {
            kept << " (to t = " << good.time << " s)";
        }
        kept << " are kept in '" << temp << "', marked incomplete";
        return kept.str();
    } catch (const std::exception& e) {
        file.reset();
        return "what was written is left in '" + temp +
               "', possibly unreadable (it could not be marked incomplete: " + e.what() + ")";
    }
}

void TraceWriter::run() {
    using Clock = std::chrono::steady_clock;
    // frames fewer than a wake batch are written after this at the latest
    constexpr auto kIdleWake = std::chrono::milliseconds(50);
    std::unique_ptr<File> file;
    Checkpoint good;  // the file as of the last successful flush
    std::string failure;
    try {
        {
            const std::lock_guard h5lock(h5::hdf5_mutex());
            H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
            file =
                std::make_unique<File>(output_->temp_path(), header_, options_, &fail_countdown_);
            h5::check_status(H5Fflush(file->file, H5F_SCOPE_GLOBAL), "cannot flush");
            good.rows = file->rows();
        }
        stats_.writer_open_cpu_s = sim::thread_cpu_seconds();
        {
            const std::lock_guard lock(mutex_);
            opened_ = true;
        }
        cv_.notify_all();
        std::size_t since_flush = 0;
        // frames before the next flush (TraceOptions::first_flush, then doubling to
        // flush_every, or none after the first when flush_every is 0)
        constexpr std::size_t kNoBound = std::numeric_limits<std::size_t>::max();
        const std::size_t most = options_.flush_every == 0 ? kNoBound : options_.flush_every;
        std::size_t flush_bound = std::clamp<std::size_t>(options_.first_flush, 1, most);
        auto last_flush = Clock::now();
        double last_time = std::numeric_limits<double>::quiet_NaN();
        for (;;) {
            std::unique_ptr<TraceFrame> frame;
            FrameCompleter* completer = nullptr;
            {
                std::unique_lock lock(mutex_);
                if (queue_.empty()) {
                    writer_waiting_ = true;
                    cv_.wait_for(lock, kIdleWake, [this] { return writer_due() || closing_; });
                    writer_waiting_ = false;
                }
                if (queue_.empty()) {
                    if (closing_) {
                        break;  // closing and drained
                    }
                    continue;
                }
                frame = std::move(queue_.front());
                queue_.pop_front();
                queued_bytes_ -= frame->bytes();  // as push() counted it: not changed since
                ++in_flight_;
                completer = completer_;
                completing_ = completer != nullptr;
                if (producer_waiting_) {
                    lock.unlock();
                    cv_.notify_all();
                }
            }
            if (completer != nullptr) {
                try {
                    completer->complete(*frame);
                } catch (...) {
                    const std::lock_guard lock(mutex_);
                    completing_ = false;
                    throw;
                }
                bool notify = false;
                {
                    const std::lock_guard lock(mutex_);
                    completing_ = false;
                    notify = releasing_;
                }
                if (notify) {
                    cv_.notify_all();
                }
            }
            canonical_links(frame->links);
            {
                const std::lock_guard h5lock(h5::hdf5_mutex());
                file->write(*frame);
                if (size_budget_ > 0) {
                    struct stat st {};
                    if (fstat(output_->fd(), &st) == 0 &&
                        static_cast<std::uint64_t>(st.st_size) > size_budget_) {
                        throw std::runtime_error(
                            "the file size limit (ulimit -f) is near: stopped at " +
                            std::to_string(st.st_size) + " bytes to leave room to close it");
                    }
                }
                ++stats_.frames;
                stats_.events += frame->events.size();
                stats_.links += frame->links.size();
                disruption_labels_.insert(disruption_labels_.end(),
                                          frame->disruption_labels.begin(),
                                          frame->disruption_labels.end());
                last_time = frame->time;
                ++since_flush;
                const double secs =
                    std::chrono::duration<double>(Clock::now() - last_flush).count();
                if (since_flush >= flush_bound || secs >= options_.flush_seconds) {
                    file->commit();
                    h5::check_status(H5Fflush(file->file, H5F_SCOPE_GLOBAL), "cannot flush");
                    good = {file->rows(), stats_.frames, stats_.events, last_time};
                    ++stats_.flushes;
                    flushed_frames_.store(stats_.frames);
                    since_flush = 0;
                    flush_bound =
                        options_.flush_every == 0 ? kNoBound : std::min(2 * flush_bound, most);
                    last_flush = Clock::now();
                }
            }
            bool idle = false;
            {
                const std::lock_guard lock(mutex_);
                free_.push_back(std::move(frame));
                --in_flight_;
                idle = idle_waiting_ && queue_.empty() && in_flight_ == 0;
            }
            if (idle) {
                cv_.notify_all();
            }
        }
        const std::lock_guard h5lock(h5::hdf5_mutex());
        file->commit(true);
        h5::check_status(H5Fflush(file->file, H5F_SCOPE_GLOBAL), "cannot flush");
        good = {file->rows(), stats_.frames, stats_.events, last_time};
        ++stats_.flushes;
        flushed_frames_.store(stats_.frames);
        bool interrupted = false;
        bool abandoned = false;
        {
            const std::lock_guard lock(mutex_);
            interrupted = interrupted_;
            abandoned = abandoned_;
        }
        if (abandoned) {
            throw std::runtime_error("the run ended without closing the trace (it failed)");
        }
        // close, then reopen without SWMR to mark the file complete
        file.reset();
        {
            const Handle f(H5Fopen(output_->temp_path().c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
            h5::check(f, "cannot reopen to mark it complete");
            h5::attr_i64(f, "complete", 1);
            h5::attr_u64(f, "frames", stats_.frames);
            h5::attr_u64(f, "events", stats_.events);
            write_disruption_labels(f, disruption_labels_);
            if (interrupted) {
                h5::attr_i64(f, "interrupted", 1);
            }
            h5::check_status(H5Fflush(f, H5F_SCOPE_GLOBAL), "cannot flush");
        }
        record_thread_usage(stats_);
    } catch (const TraceError& e) {
        failure = e.what();
        // the cause without the "trace file 'PATH': " that the TraceError below adds again
        const std::string prefix = TraceError(path_, "").what();
        if (failure.rfind(prefix, 0) == 0) {
            failure = failure.substr(prefix.size());
        }
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (!failure.empty()) {
        bool opened = false;
        {
            const std::lock_guard lock(mutex_);
            opened = opened_;
            failed_ = true;  // producers stop waiting and drop their frames from here on
        }
        cv_.notify_all();
        std::string message = failure;
        // the room kept for this: what was flushed can be cut back, closed and marked
        reserve_->release();
        const std::lock_guard h5lock(h5::hdf5_mutex());
        if (opened) {
            // a failure in the run's writing: what was flushed stays, cut back and marked
            message += "; " + abandon(file, good, failure);
        }
        file.reset();  // after an error: release the handles under the lock
        const std::lock_guard lock(mutex_);
        error_ = std::make_exception_ptr(TraceError(path_, message));
    }
    {
        const std::lock_guard lock(mutex_);
        finished_ = true;
    }
    cv_.notify_all();
}

}  // namespace swarm::io
