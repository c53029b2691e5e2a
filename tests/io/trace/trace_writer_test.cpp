// TraceWriter + TraceObserver: a short fleet run written and read back (round trip), and a
// writer killed with SIGKILL leaves a partial file readable up to its last flush; when it flushes.
#include "io/trace/trace_writer.hpp"

#include <doctest/doctest.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>

#include "io/trace/hdf5_util.hpp"
#include "io/trace/trace_reader.hpp"
#include "tests/io/trace/trace_test_util.hpp"

namespace {

using namespace swarm;
using swarm::io::testing::TracedRun;

using swarm::io::testing::temp_path;

// the sum of `values` rounded once to the nearest double (Shewchuk's exact partials, as
// Python's math.fsum; finite values whose sum does not overflow)
double exact_sum(const std::vector<double>& values) {
    std::vector<double> partials;  // non-overlapping, increasing magnitude: their sum is exact
    for (double x : values) {
        std::size_t kept = 0;
        for (double y : partials) {
            if (std::fabs(x) < std::fabs(y)) {
                std::swap(x, y);
            }
            const double hi = x + y;
            const double lo = y - (hi - x);
            if (lo != 0.0) {
                partials[kept++] = lo;
            }
            x = hi;
        }
        partials.resize(kept);
        partials.push_back(x);
    }
    // from the largest down, stopping where the rest cannot change the rounding (fsum's tail)
    double hi = 0.0;
    std::size_t n = partials.size();
    if (n > 0) {
        hi = partials[--n];
        double lo = 0.0;
        while (n > 0) {
            const double x = hi;
            const double y = partials[--n];
            hi = x + y;
            lo = y - (hi - x);
            if (lo != 0.0) {
                break;
            }
        }
        // half-way cases: round to even with the sign of the next partial
        if (n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0))) {
            const double y = lo * 2.0;
            const double x = hi + y;
            if (y == x - hi) {
                hi = x;
            }
        }
    }
    return hi;
}

// every frame of the trace equals what the recorder saw at that sample (position, state,
// load, energy, and the fleet's busy share and energy), and the state-change rows are
// exactly the vehicles whose state differs from the previous frame's
void check_every_frame(const io::TraceReader& reader, const io::testing::RecordingObserver& seen) {
    REQUIRE(reader.samples() == seen.ticks.size());
    const io::TraceSeries busy = reader.observable("busy_fraction");
    const io::TraceSeries energy = reader.observable("energy");
    REQUIRE(busy.value.size() == reader.samples());
    std::multiset<std::tuple<double, std::uint32_t, double>> expected_rows;
    for (std::size_t k = 0; k < reader.samples(); ++k) {
        const io::TraceFrameData f = reader.frame(k);
        CHECK(f.step == seen.ticks[k]);
        CHECK(f.position == seen.positions[k]);
        CHECK(f.state == seen.states[k]);
        CHECK(f.load == seen.loads[k]);
        CHECK(f.energy == seen.energies[k]);
        std::size_t serving = 0;
        for (const std::int8_t s : seen.states[k]) {
            serving += agents::serving(static_cast<agents::VehicleState>(s)) ? 1U : 0U;
        }
        CHECK(busy.value[k] == doctest::Approx(static_cast<double>(serving) /
                                               static_cast<double>(seen.states[k].size())));
        // the fleet's energy: the exact sum of the vehicles' energies, rounded once
        CHECK(energy.value[k] == exact_sum(seen.energies_kwh[k]));
        for (std::size_t v = 0; k > 0 && v < f.state.size(); ++v) {
            if (seen.states[k][v] != seen.states[k - 1][v]) {
                expected_rows.insert({f.time, static_cast<std::uint32_t>(v), seen.states[k][v]});
            }
        }
    }
    std::multiset<std::tuple<double, std::uint32_t, double>> rows;
    for (const io::TraceEvent& e : reader.events()) {
        if (e.kind == static_cast<std::int16_t>(io::TraceEventKind::kVehicleState)) {
            rows.insert({e.time, e.agent, e.value});
        }
    }
    CHECK(rows.size() == expected_rows.size());
    CHECK(rows == expected_rows);
}

}  // namespace

TEST_CASE("trace round trip: frames equal what the observer saw, observables the KPIs") {
    const std::string path = temp_path("roundtrip");
    TracedRun t;
    const agents::testing::RunResult r = t.write(path, 1.0);
    const io::TraceReader reader(path);
    CHECK(reader.complete());
    CHECK(reader.agents() == t.run->model().vehicle_count());
    REQUIRE(reader.samples() == t.recorder->ticks.size());
    // samples at 1, 2, ..., 59 minutes (the run ends before the one at 60)
    REQUIRE(reader.samples() == 59);
    for (const std::size_t k : {std::size_t{0}, std::size_t{17}, std::size_t{58}}) {
        CHECK(reader.frame(k).time == doctest::Approx(60.0 * static_cast<double>(k + 1)));
    }
    check_every_frame(reader, *t.recorder);
    // counters at the last sample equal the KPI observer's at the same sample
    const agents::KpiSummary& last = t.run->kpis().latest().summary;
    const io::TraceSeries delivered = reader.observable("delivered");
    REQUIRE(delivered.value.size() == 59);
    CHECK(delivered.value.back() == static_cast<double>(last.delivered));
    CHECK(reader.observable("created").value.back() == static_cast<double>(last.created));
    CHECK(reader.observable("backlog").value.back() == static_cast<double>(last.backlog));
    CHECK(reader.observable("failed").value.back() == static_cast<double>(last.failed));
    // Q(k) of every complete interval, as the KPI series has it
    const io::TraceSeries q = reader.observable("service_level");
    const std::vector<double> expected = r.kpis.series.service_levels(q.value.size());
    CHECK(q.value.size() == 59);
    CHECK(q.value == expected);
    CHECK(reader.observable("utilisation").value.size() == 59);
    // events: one creation per order, one delivery per delivered order
    std::size_t created = 0;
    std::size_t deliveries = 0;
    double last_time = 0.0;
    bool sorted_per_kind = true;
    for (const io::TraceEvent& e : reader.events()) {
        created += e.kind == static_cast<std::int16_t>(io::TraceEventKind::kOrderCreated);
        if (e.kind == static_cast<std::int16_t>(io::TraceEventKind::kDelivered)) {
            ++deliveries;
            sorted_per_kind = sorted_per_kind && e.time >= last_time;
            last_time = e.time;
        }
    }
    CHECK(created == last.created);
    CHECK(deliveries == last.delivered);
    CHECK(r.kpi.delivered >= last.delivered);
    CHECK(sorted_per_kind);
    CHECK(reader.scenario_text().find("small-city") != std::string::npos);
    CHECK(reader.seed() == 11);
    CHECK(reader.threads() == 2);
    CHECK(reader.parameter_string("swarmsim_version").size() > 0);
    std::filesystem::remove(path);
}

// reports, at each sample, every vehicle v "talking" to v + 1 (mod n) once per minute of
// simulated time so far, in reverse order and split in two rows, as a comms layer might
class TestLinks final : public io::LinkSource {
  public:
    explicit TestLinks(std::uint32_t n) : n_(n) {}
    void collect_links(sim::Tick t, std::vector<io::TraceLink>& out) override {
        const auto minutes = static_cast<std::uint32_t>(t / 60'000'000);
        for (std::uint32_t v = n_; v-- > 0;) {
            out.push_back({v, (v + 1) % n_, minutes, 100});
            out.push_back({v, (v + 1) % n_, 1, 28});
        }
    }

  private:
    std::uint32_t n_;
};

// schema 3.3: every vehicle's row at a keyframe; otherwise a row for every vehicle whose leg,
// state, load or energy (float32 bits) differs from its last row, and for few others (the model
// flagged them for a change the row does not hold: TraceObserver packs every flagged vehicle's)
TEST_CASE("the legs rows of a run hold every vehicle whose row changed, and few others") {
    const std::string path = temp_path("legs_news");
    TracedRun t;
    io::TraceOptions o;
    o.keyframe_frames = 16;
    (void)t.write(path, 1.0, o);
    const std::size_t agents = t.run->model().vehicle_count();
    std::vector<io::TracePointLegRow> rows;
    std::vector<std::int64_t> per_frame;
    std::vector<agents::Point> points;
    {
        const std::lock_guard lock(io::h5::hdf5_mutex());
        const io::h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
        REQUIRE(f.valid());
        const io::h5::Handle legs(H5Dopen2(f, "particles/agents/position/legs", H5P_DEFAULT));
        const io::h5::Handle counts(
            H5Dopen2(f, "particles/agents/position/legs_per_frame", H5P_DEFAULT));
        const io::h5::Handle pts(H5Dopen2(f, "particles/agents/position/points", H5P_DEFAULT));
        REQUIRE(legs.valid());
        REQUIRE(counts.valid());
        REQUIRE(pts.valid());
        const io::h5::Handle legs_space(H5Dget_space(legs));
        const io::h5::Handle counts_space(H5Dget_space(counts));
        const io::h5::Handle points_space(H5Dget_space(pts));
        rows.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(legs_space)));
        per_frame.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(counts_space)));
        points.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(points_space)));
        REQUIRE(H5Dread(pts, io::h5::point_type(false), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                        points.data()) >= 0);
        const io::h5::Handle mem = io::h5::leg_type(false, 2);
        REQUIRE(H5Dread(legs, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) >= 0);
        REQUIRE(H5Dread(counts, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                        per_frame.data()) >= 0);
    }
    // schema 3.3: the points are the network's nodes, which the rows name
    const auto nodes = t.run->model().spec().net().positions();
    REQUIRE(points.size() == nodes.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        CHECK(std::bit_cast<std::uint64_t>(points[i].x) ==
              std::bit_cast<std::uint64_t>(nodes[i].x));
        CHECK(std::bit_cast<std::uint64_t>(points[i].y) ==
              std::bit_cast<std::uint64_t>(nodes[i].y));
    }
    for (const io::TracePointLegRow& r : rows) {
        REQUIRE(r.from < points.size());
        REQUIRE(r.to < points.size());
    }
    const auto same = [](const io::TracePointLegRow& a, const io::TracePointLegRow& b) {
        const auto bits = [](float x) { return std::bit_cast<std::uint32_t>(x); };
        return a.moving == b.moving && a.state == b.state && bits(a.load) == bits(b.load) &&
               bits(a.energy) == bits(b.energy) && a.from == b.from && a.to == b.to &&
               a.start == b.start && a.end == b.end;
    };
    REQUIRE(per_frame.size() == t.recorder->ticks.size());
    std::vector<io::TracePointLegRow> last(agents);
    std::size_t at = 0;
    std::size_t news = 0;
    std::size_t repeats = 0;
    for (std::size_t k = 0; k < per_frame.size(); ++k) {
        const auto n = static_cast<std::size_t>(per_frame[k]);
        REQUIRE(at + n <= rows.size());
        if (k % 16 == 0) {
            REQUIRE(n == agents);
        }
        for (std::size_t i = at; i < at + n; ++i) {
            const io::TracePointLegRow& r = rows[i];
            REQUIRE(r.agent < agents);
            CHECK((i == at || rows[i - 1].agent < r.agent));  // ascending, each once
            if (k % 16 != 0) {
                (same(r, last[r.agent]) ? repeats : news) += 1;
            }
            last[r.agent] = r;
        }
        // and every vehicle whose values differ from the previous frame's has a row
        for (std::size_t v = 0; k % 16 != 0 && v < agents; ++v) {
            const auto bits = [](float x) { return std::bit_cast<std::uint32_t>(x); };
            if (t.recorder->states[k][v] != t.recorder->states[k - 1][v] ||
                bits(t.recorder->loads[k][v]) != bits(t.recorder->loads[k - 1][v]) ||
                bits(t.recorder->energies[k][v]) != bits(t.recorder->energies[k - 1][v])) {
                const auto* first = rows.data() + at;
                CHECK(std::any_of(first, first + n,
                                  [&](const io::TracePointLegRow& r) { return r.agent == v; }));
            }
        }
        at += n;
    }
    CHECK(at == rows.size());
    CHECK(news > 0);
    // a run of the benchmark city repeats 3.4 % (docs/trace-cost.md, session 28)
    CHECK(repeats * 10 < news);
    MESSAGE("rows that repeat the vehicle's last: ", repeats, " of ", repeats + news);
    std::filesystem::remove(path);
}

TEST_CASE("link sources feed connectivity through the observer") {
    const std::string path = temp_path("observer_links");
    TracedRun t;
    const auto n = static_cast<std::uint32_t>(t.run->model().vehicle_count());
    TestLinks source(n);
    t.links = &source;
    (void)t.write(path, 0.25);
    const io::TraceReader reader(path);
    REQUIRE(reader.samples() > 2);
    const std::vector<io::TraceLink> l = reader.links(2);  // the sample at 3 minutes
    REQUIRE(l.size() == n);
    for (std::uint32_t v = 0; v < n; ++v) {
        CHECK(l[v] == io::TraceLink{v, (v + 1) % n, 3 + 1, 128});
    }
    std::filesystem::remove(path);
}

TEST_CASE("a SIGKILLed writer leaves a partial file readable up to the last flush") {
    const std::string path = temp_path("killed");
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // child: 20 frames with a flush every 5, report, then keep writing until killed
        close(fds[0]);
        io::TraceHeader h;
        h.agents = 50;
        io::TraceOptions o;
        o.flush_every = 5;
        o.flush_seconds = 1e9;
        io::TraceWriter w(path, h, o);
        for (int i = 0;; ++i) {
            auto f = w.acquire();
            f->step = i;
            f->time = i;
            f->state.assign(50, static_cast<std::int8_t>(i % 8));
            w.push(std::move(f));
            if (i == 19) {
                // until 20 frames are on disk (a fixed sleep was too short on a loaded machine)
                while (w.flushed_frames() < 20 && !w.failed()) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
                const char ok = 'k';
                if (write(fds[1], &ok, 1) != 1) {
                    _exit(1);
                }
            }
            if (i >= 19) {
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        }
    }
    close(fds[1]);
    char c = 0;
    REQUIRE(read(fds[0], &c, 1) == 1);
    close(fds[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status));
    // the file is under its temporary name; nothing was put at the path
    CHECK_FALSE(std::filesystem::exists(path));
    const std::string partial = io::partial_path(path, pid);
    CHECK_THROWS_WITH_AS(io::TraceReader{partial}, doctest::Contains("partial trace"),
                         io::TraceError);
    const io::TraceReader reader(partial, true);
    CHECK_FALSE(reader.complete());
    CHECK(reader.samples() >= 20);
    const io::TraceFrameData f = reader.frame(19);
    CHECK(f.step == 19);
    CHECK(f.state.at(0) == 19 % 8);
    std::filesystem::remove(partial);
}

TEST_CASE("every chunk codec reads back the frames the observer saw") {
    io::TraceOptions libdeflate;
    libdeflate.row_deflate = false;
    io::TraceOptions raw;
    raw.deflate = 0;
    io::TraceOptions odd;  // partial last agent block and chunk rows across a flush
    odd.agent_block = 7;
    odd.chunk_frames = 5;
    odd.flush_every = 3;
    for (const io::TraceOptions& o : {libdeflate, raw, odd}) {
        const std::string path = temp_path("codec");
        TracedRun t;
        (void)t.write(path, 0.5, o);
        const io::TraceReader reader(path);
        check_every_frame(reader, *t.recorder);
        std::filesystem::remove(path);
    }
}

namespace {

// a disruption from at_s for duration_s
agents::DisruptionSpec timed(const char* id, agents::DisruptionKind kind, double at_s,
                             double duration_s) {
    agents::DisruptionSpec d;
    d.id = id;
    d.action.kind = kind;
    d.action.label = agents::to_string(kind);
    d.at_s = at_s;
    d.duration_s = duration_s;
    return d;
}

}  // namespace

// the observer copies only the vehicles the model flags as changed: breakdowns (at a
// barrier, parked or on the road), a depot fire, closed roads and charging must all show
TEST_CASE("every frame equals the fleet through breakdowns closures and charging") {
    TracedRun t([&](agents::FleetSpec& spec) {
        agents::DisruptionSpec attrition =
            timed("attrition", agents::DisruptionKind::kBreakVehicles, 1200.0, 1800.0);
        attrition.action.fraction = 0.3;
        spec.disruptions.push_back(attrition);
        agents::DisruptionSpec fire =
            timed("fire", agents::DisruptionKind::kDepotDown, 1500.0, 1200.0);
        fire.action.depot = 1;
        spec.disruptions.push_back(fire);
        agents::DisruptionSpec closure =
            timed("closure", agents::DisruptionKind::kCloseRoads, 900.0, 1800.0);
        for (world::EdgeId e = 0; e < spec.net().edge_count(); e += 7) {
            closure.action.edges.push_back(e);
        }
        spec.disruptions.push_back(closure);
    });
    const std::string path = temp_path("disrupted");
    const agents::testing::RunResult r = t.write(path, 1.5);
    CHECK(r.kpi.breakdowns > 0);
    const io::TraceReader reader(path);
    check_every_frame(reader, *t.recorder);
    std::filesystem::remove(path);
}

// The writer's own encoding (the row codec, the series' chunks deflated and written pre-filtered,
// the open ones again at every flush, the rows the observer packs) against
// HDF5 writing the same run unfiltered: every value the same. Vehicles break down (go still),
// are repaired and move again; frequent flushes leave chunks open many times.
TEST_CASE("a trace's values are the same through the writer's codecs as through plain HDF5") {
    const auto with_attrition = [](agents::FleetSpec& spec) {
        agents::DisruptionSpec d =
            timed("attrition", agents::DisruptionKind::kBreakVehicles, 600.0, 900.0);
        d.action.fraction = 0.4;
        spec.disruptions.push_back(d);
    };
    io::TraceOptions coded;
    coded.flush_every = 3;
    coded.chunk_frames = 4;
    io::TraceOptions plain;
    plain.deflate = 0;
    const std::string a_path = temp_path("coded");
    const std::string b_path = temp_path("plain");
    TracedRun a(with_attrition);
    TracedRun b(with_attrition);
    (void)a.write(a_path, 1.0, coded);
    (void)b.write(b_path, 1.0, plain);
    const io::TraceReader ra(a_path);
    const io::TraceReader rb(b_path);
    REQUIRE(ra.samples() == rb.samples());
    REQUIRE(ra.samples() > 40);
    std::vector<io::TraceFrameData> frames;
    for (std::size_t k = 0; k < ra.samples(); ++k) {
        CAPTURE(k);
        frames.push_back(ra.frame(k));
        const io::TraceFrameData& fa = frames.back();
        const io::TraceFrameData fb = rb.frame(k);
        CHECK(fa.step == fb.step);
        CHECK(fa.position == fb.position);
        CHECK(fa.state == fb.state);
        CHECK(fa.load == fb.load);
        CHECK(fa.energy == fb.energy);
    }
    // some vehicle stood still from one frame to the next, then moved again
    bool idle_then_moving = false;
    for (std::size_t k = 1; k + 1 < frames.size(); ++k) {
        for (std::size_t v = 0; v < frames[k].state.size(); ++v) {
            const auto x = [&](std::size_t i) { return frames[i].position[2 * v]; };
            idle_then_moving = idle_then_moving || (x(k - 1) == x(k) && x(k + 1) != x(k));
        }
    }
    CHECK(idle_then_moving);
    REQUIRE(ra.observables() == rb.observables());
    for (const std::string& name : ra.observables()) {
        CAPTURE(name);
        const io::TraceSeries sa = ra.observable(name);
        const io::TraceSeries sb = rb.observable(name);
        CHECK(sa.step == sb.step);
        CHECK(sa.time == sb.time);
        REQUIRE(sa.value.size() == sb.value.size());
        for (std::size_t i = 0; i < sa.value.size(); ++i) {  // bit for bit, NaN too
            CHECK(std::memcmp(&sa.value[i], &sb.value[i], sizeof(double)) == 0);
        }
    }
    const std::vector<io::TraceEvent> ea = ra.events();
    const std::vector<io::TraceEvent> eb = rb.events();
    REQUIRE(ea.size() == eb.size());
    for (std::size_t i = 0; i < ea.size(); ++i) {
        CHECK(std::tie(ea[i].time, ea[i].kind, ea[i].agent, ea[i].edge, ea[i].order, ea[i].value) ==
              std::tie(eb[i].time, eb[i].kind, eb[i].agent, eb[i].edge, eb[i].order, eb[i].value));
    }
    std::filesystem::remove(a_path);
    std::filesystem::remove(b_path);
}

// ---- outputs written safely (issue 21): what is at the path, write errors, interruptions

namespace {

// a root attribute of a closed trace as int64 (-1 when absent), read with the C API
std::int64_t root_attr(const std::string& path, const char* name) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    std::int64_t v = -1;
    if (H5Aexists(f, name) > 0) {
        const hid_t a = H5Aopen(f, name, H5P_DEFAULT);
        REQUIRE(H5Aread(a, H5T_NATIVE_INT64, &v) >= 0);
        H5Aclose(a);
    }
    H5Fclose(f);
    return v;
}

// n frames of `agents` agents, frame i at step i with every state i % 8
void push_frames(io::TraceWriter& w, int from, int to, std::size_t agents) {
    for (int i = from; i < to; ++i) {
        auto f = w.acquire();
        f->step = i;
        f->time = i;
        f->state.assign(agents, static_cast<std::int8_t>(i % 8));
        f->scalars.created = i;
        w.push(std::move(f));
    }
}

bool partial_left(const std::string& path) {
    return std::filesystem::exists(io::partial_path(path, getpid()));
}

}  // namespace

TEST_CASE("the writer refuses a device, a directory, a link and an existing file") {
    io::TraceHeader h;
    h.agents = 3;
    // a character device: refused, untouched (never replaced by a file)
    CHECK_THROWS_WITH_AS(io::TraceWriter("/dev/null", h),
                         doctest::Contains("is a character device, not a regular file"),
                         io::TraceError);
    CHECK(std::filesystem::is_character_file("/dev/null"));
    const std::string dir = temp_path("outdir");
    std::filesystem::create_directory(dir);
    CHECK_THROWS_WITH_AS(io::TraceWriter(dir, h), doctest::Contains("is a directory"),
                         io::TraceError);
    CHECK(std::filesystem::is_directory(dir));
    // an existing file: kept without replace, replaced with it
    const std::string path = temp_path("existing");
    std::ofstream(path) << "precious\n";
    CHECK_THROWS_WITH_AS(io::TraceWriter(path, h), doctest::Contains("pass --force"),
                         io::TraceError);
    CHECK(std::filesystem::file_size(path) == 9);
    // a symbolic link, to a file or to a device: refused even with replace
    const std::string link = temp_path("link");
    std::filesystem::create_symlink(path, link);
    io::TraceOptions replace;
    replace.replace = true;
    CHECK_THROWS_WITH_AS(io::TraceWriter(link, h, replace),
                         doctest::Contains("is a symbolic link to a regular file"), io::TraceError);
    std::filesystem::remove(link);
    std::filesystem::create_symlink("/dev/null", link);
    CHECK_THROWS_WITH_AS(io::TraceWriter(link, h, replace),
                         doctest::Contains("is a symbolic link to a character device"),
                         io::TraceError);
    CHECK(std::filesystem::is_symlink(link));
    CHECK(std::filesystem::file_size(path) == 9);
    for (const std::string& p : {std::string("/dev/null"), dir, path, link}) {
        CHECK_FALSE(partial_left(p));
    }
    {
        io::TraceWriter w(path, h, replace);
        // written beside the target, which stays as it was until close()
        CHECK(w.temp_path() == io::partial_path(path, getpid()));
        push_frames(w, 0, 3, 3);
        CHECK(std::filesystem::file_size(path) == 9);
        w.close();
    }
    CHECK_FALSE(partial_left(path));
    const io::TraceReader reader(path);
    CHECK(reader.samples() == 3);
    CHECK(root_attr(path, "interrupted") == -1);
    std::filesystem::remove(link);
    std::filesystem::remove(path);
    std::filesystem::remove(dir);
}

TEST_CASE("a write error cuts the trace back to its last flush and marks it incomplete") {
    const std::string path = temp_path("full_disk");
    io::TraceHeader h;
    h.agents = 5;
    io::TraceOptions o;
    o.flush_every = 10;
    o.flush_seconds = 1e9;
    o.chunk_frames = 4;
    // schema 3.1: each frame's rows of the legs table count as one write (no dense per-agent
    // chunks without agent values); flushes at 10 and 20 frames, the 23rd frame fails
    o.fail_chunk_write = 23;
    io::TraceWriter w(path, h, o);
    push_frames(w, 0, 100, 5);  // never throws: the run goes on
    CHECK(w.failed());
    std::string message;
    try {
        w.close();
    } catch (const io::TraceError& e) {
        message = e.what();
    }
    CHECK(message.find("'" + path + "'") != std::string::npos);
    CHECK(message.find("No space left on device") != std::string::npos);
    CHECK(message.find("marked incomplete") != std::string::npos);
    CHECK(w.stats().dropped > 0);
    // nothing at the path; the rows of the last flush under the partial name, no zero rows
    CHECK_FALSE(std::filesystem::exists(path));
    const std::string partial = io::partial_path(path, getpid());
    REQUIRE(std::filesystem::exists(partial));
    CHECK(message.find(partial) != std::string::npos);
    CHECK(root_attr(partial, "complete") == 0);
    CHECK(root_attr(partial, "incomplete") == 1);
    CHECK_THROWS_WITH_AS(io::TraceReader{partial}, doctest::Contains("incomplete"), io::TraceError);
    const io::TraceReader reader(partial, true);
    const std::size_t kept = reader.samples();
    CHECK(kept % 10 == 0);
    CHECK(kept > 0);
    CHECK(root_attr(partial, "frames") == static_cast<std::int64_t>(kept));
    const io::TraceSeries created = reader.observable("created");
    REQUIRE(created.value.size() == kept);
    for (std::size_t k = 0; k < kept; ++k) {
        CHECK(created.value[k] == static_cast<double>(k));
        const io::TraceFrameData f = reader.frame(k);
        CHECK(f.step == static_cast<std::int64_t>(k));
        CHECK(f.state.at(4) == static_cast<std::int8_t>(k % 8));
    }
    std::filesystem::remove(partial);
}

// schema 3.3: the producer packs the rows; a frame whose bytes do not add up, or a keyframe
// without a row per agent, ends the file as a failed write does, naming the frame
TEST_CASE("a schema 3.3 frame with the wrong legs rows leaves an incomplete file naming it") {
    io::TraceHeader h;
    h.agents = 2;
    h.network_nodes = 3;
    h.nodes = {{0.0, 0.0}, {1.0, 0.0}, {2.0, 0.0}};
    {
        io::TraceHeader wrong = h;
        wrong.network_nodes = 4;
        CHECK_THROWS_WITH_AS(io::TraceWriter(temp_path("nodes"), wrong),
                             doctest::Contains("3 node coordinates for a network of 4 nodes"),
                             io::TraceError);
    }
    const auto row = [](std::uint32_t agent, std::uint32_t node, unsigned char* out) {
        const std::uint8_t moving = 0;
        const std::int8_t state = 0;
        const float load = 0.0F;
        const float kwh = 1.0F;
        const std::int64_t tick = 0;
        return io::h5::put_packed(out, agent, moving, state, load, kwh, node, node, tick, tick);
    };
    struct Case {
        const char* name;
        std::size_t rows;  // in frame 0, a keyframe
        std::size_t bytes;
        const char* says;
    };
    for (const Case& c : {Case{"keyframe", 1, io::kPackedLegBytes, "frame 0 is a keyframe with 1"},
                          Case{"bytes", 2, io::kPackedLegBytes, "frame 0 brings 38 bytes for 2"}}) {
        CAPTURE(c.name);
        const std::string path = temp_path("packed_rows");
        io::TraceWriter w(path, h);
        REQUIRE(w.packs_legs());
        auto f = w.acquire();
        CHECK(f->position.empty());  // schema 3.3: no per-agent arrays to fill
        f->packed_leg_rows = c.rows;
        f->packed_legs.resize(c.bytes);
        row(0, 2, f->packed_legs.data());
        w.push(std::move(f));
        std::string message;
        try {
            w.close();
        } catch (const io::TraceError& e) {
            message = e.what();
        }
        CHECK(message.find(c.says) != std::string::npos);
        const std::string partial = io::partial_path(path, getpid());
        CHECK(std::filesystem::exists(partial));
        CHECK(root_attr(partial, "incomplete") == 1);
        std::filesystem::remove(partial);
    }
    // and a right one reads back: the points are the nodes, the rows name them
    const std::string path = temp_path("packed_ok");
    {
        io::TraceWriter w(path, h);
        auto f = w.acquire();
        f->packed_leg_rows = 2;
        f->packed_legs.resize(2 * io::kPackedLegBytes);
        row(1, 2, row(0, 1, f->packed_legs.data()));
        w.push(std::move(f));
        w.close();
    }
    const io::TraceReader reader(path);
    CHECK(reader.schema_version() == io::kTraceSchemaVersion);
    const io::TraceFrameData f = reader.frame(0);
    REQUIRE(f.position.size() == 4);
    CHECK(f.position[0] == 1.0);
    CHECK(f.position[2] == 2.0);
    CHECK(f.energy.at(1) == 1.0F);
    std::filesystem::remove(path);
}

TEST_CASE("an interrupted run's trace is complete and marked interrupted") {
    const std::string path = temp_path("interrupted");
    io::TraceHeader h;
    h.agents = 2;
    {
        io::TraceWriter w(path, h);
        push_frames(w, 0, 5, 2);
        w.mark_interrupted();
        w.close();
    }
    CHECK(root_attr(path, "complete") == 1);
    CHECK(root_attr(path, "interrupted") == 1);
    CHECK(io::TraceReader(path).samples() == 5);
    std::filesystem::remove(path);
}

TEST_CASE("a writer its owner never closed leaves no file at the path") {
    const std::string path = temp_path("abandoned");
    io::TraceHeader h;
    h.agents = 2;
    {
        io::TraceWriter w(path, h);
        push_frames(w, 0, 5, 2);
    }  // e.g. the run threw
    CHECK_FALSE(std::filesystem::exists(path));
    const std::string partial = io::partial_path(path, getpid());
    REQUIRE(std::filesystem::exists(partial));
    CHECK(root_attr(partial, "complete") == 0);
    CHECK(root_attr(partial, "incomplete") == 1);
    CHECK(io::TraceReader(partial, true).samples() == 5);
    std::filesystem::remove(partial);
}

// schema 3: the positions are rebuilt from the legs table, bit for bit the model's at every
// frame (sampled every 2 s, the table unfiltered, and every 5 s, deflated: vehicles caught
// mid-leg), whichever frame is read first: in order (each frame applies the rows since the
// last one read), backwards and at random (each from the keyframe before it), with the states,
// loads and energies (schema 3.1); and the table holds only the rows that changed
TEST_CASE("positions rebuilt from the legs table equal the model's, read in any order") {
    for (const double every : {2.0, 5.0}) {
        CAPTURE(every);
        TracedRun t([every](agents::FleetSpec& spec) { spec.demand.kpi_interval_s = every; });
        t.sample_seconds = every;
        const std::string path = temp_path("legs");
        io::TraceOptions o;
        o.keyframe_frames = 16;
        t.write(path, 0.5, o);
        const io::testing::RecordingObserver& seen = *t.recorder;
        const io::TraceReader reader(path);
        REQUIRE(reader.samples() == seen.ticks.size());
        REQUIRE(reader.samples() > 300);
        std::vector<std::size_t> order(reader.samples());
        for (std::size_t k = 0; k < order.size(); ++k) {
            order[k] = k;
        }
        const auto check = [&](const std::vector<std::size_t>& ks) {
            for (const std::size_t k : ks) {
                CAPTURE(k);
                const io::TraceFrameData f = reader.frame(k);
                REQUIRE(f.step == seen.ticks[k]);
                REQUIRE(f.position == seen.positions[k]);
                // schema 3.1: the states, loads and energies from the same rows
                REQUIRE(f.state == seen.states[k]);
                REQUIRE(f.load == seen.loads[k]);
                REQUIRE(f.energy == seen.energies[k]);
            }
        };
        check(order);
        // backwards and at random: a sample of the frames (each jump rebuilds from a keyframe,
        // which under ThreadSanitizer made the whole set take minutes)
        std::vector<std::size_t> some;
        for (std::size_t k = order.size(); k-- > 0;) {
            if (k % 7 == 0 || k + 1 == order.size()) {
                some.push_back(k);
            }
        }
        check(some);
        std::mt19937 rng(3);
        std::shuffle(order.begin(), order.end(), rng);
        order.resize(64);
        check(order);
        // some vehicles move between frames, and fewer rows than vehicles x frames
        std::size_t moved = 0;
        for (std::size_t k = 1; k < seen.positions.size(); ++k) {
            moved += seen.positions[k] != seen.positions[k - 1] ? 1U : 0U;
        }
        CHECK(moved > reader.samples() / 2);
        {
            const std::lock_guard lock(io::h5::hdf5_mutex());
            const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
            const hid_t d = H5Dopen2(f, "particles/agents/position/legs", H5P_DEFAULT);
            const hid_t space = H5Dget_space(d);
            const auto rows = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
            // deflated from 5 s between frames on (trace_layout.hpp)
            const hid_t dcpl = H5Dget_create_plist(d);
            CHECK(H5Pget_nfilters(dcpl) == (every >= 5.0 ? 2 : 0));
            H5Pclose(dcpl);
            H5Sclose(space);
            H5Dclose(d);
            H5Fclose(f);
            const std::size_t keyframes = (reader.samples() + 15) / 16;
            CHECK(rows >= keyframes * reader.agents());
            CHECK(rows < reader.samples() * reader.agents() / 2);
        }
        std::filesystem::remove(path);
    }
}

TEST_CASE("flushes come after first_flush frames, then twice as many each time up to flush_every") {
    const std::string path = temp_path("flush_policy");
    io::TraceHeader h;
    h.agents = 5;
    io::TraceOptions o;
    o.first_flush = 2;
    o.flush_every = 8;
    o.flush_seconds = 1e9;
    o.replace = true;
    {
        io::TraceWriter w(path, h, o);
        push_frames(w, 0, 30, 5);
        w.close();
        // after frames 2, 6, 14, 22 and 30 (2, 4, 8, 8, 8 apart), and at close
        CHECK(w.stats().flushes == 6);
    }
    // first_flush above flush_every: every flush_every frames (5, 10, ... 30), and at close
    o.first_flush = 64;
    o.flush_every = 5;
    {
        io::TraceWriter w(path, h, o);
        push_frames(w, 0, 30, 5);
        w.close();
        CHECK(w.stats().flushes == 7);
    }
    std::filesystem::remove(path);
}

TEST_CASE("wait_idle returns once every frame pushed went through the writer") {
    const std::string path = temp_path("wait_idle");
    io::TraceHeader h;
    h.agents = 4;
    io::TraceOptions o;
    o.replace = true;
    o.flush_seconds = 1e9;
    // counts the frames it sees on the writer thread and gives them the arrays the file needs
    struct Counting : io::FrameCompleter {
        std::atomic<int> frames{0};
        std::size_t agents = 0;
        void complete(io::TraceFrame& f) override {
            f.position.assign(2 * agents, 0.0F);
            f.load.assign(agents, 0.0F);
            f.energy.assign(agents, 0.0F);
            ++frames;
        }
    } counting;
    counting.agents = h.agents;
    io::TraceWriter w(path, h, o);
    w.set_completer(counting);
    // fewer frames than a wake-up batch: without wait_idle the writer would sleep on them
    push_frames(w, 0, 3, h.agents);
    w.wait_idle();
    CHECK(counting.frames.load() == 3);
    push_frames(w, 3, 20, h.agents);
    w.wait_idle();
    CHECK(counting.frames.load() == 20);
    w.wait_idle();  // nothing pushed since: returns at once
    w.release_completer(counting);
    w.close();
    CHECK(w.stats().frames == 20);
    std::filesystem::remove(path);
}
