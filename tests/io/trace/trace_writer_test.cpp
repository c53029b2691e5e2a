// TraceWriter + TraceObserver: short fleet runs written and read back (round trip, the legs
// rows, links, every codec, breakdowns and closures, positions in any order). The file itself
// (paths, write errors, kills, flushes) is in trace_writer_output_test.cpp.
#include "io/trace/trace_writer.hpp"

#include <doctest/doctest.h>
#include <hdf5.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
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
// load, energy, and the fleet's busy share and energy); /events has no state rows (schema
// 3.4: the frames' states are the legs rows')
void check_every_frame(const io::TraceReader& reader, const io::testing::RecordingObserver& seen) {
    REQUIRE(reader.samples() == seen.ticks.size());
    const io::TraceSeries busy = reader.observable("busy_fraction");
    const io::TraceSeries energy = reader.observable("energy");
    REQUIRE(busy.value.size() == reader.samples());
    std::size_t changes = 0;
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
            changes += seen.states[k][v] != seen.states[k - 1][v] ? 1U : 0U;
        }
    }
    CHECK(changes > 0);  // the frames above saw states change
    for (const io::TraceEvent& e : reader.events()) {
        CHECK(e.kind != static_cast<std::int16_t>(io::TraceEventKind::kVehicleState));
    }
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
            // deflated from 5 s between frames on (trace_layout.hpp), as /events is
            const hid_t dcpl = H5Dget_create_plist(d);
            CHECK(H5Pget_nfilters(dcpl) == (every >= 5.0 ? 2 : 0));
            H5Pclose(dcpl);
            const hid_t events = H5Dopen2(f, "events", H5P_DEFAULT);
            const hid_t events_dcpl = H5Dget_create_plist(events);
            CHECK(H5Pget_nfilters(events_dcpl) == (every >= 5.0 ? 2 : 0));
            H5Pclose(events_dcpl);
            H5Dclose(events);
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
