// trace_test_writer OUT [--stall | --every-kind | --dense-rows | --coordinate-rows]: writes one
// simulated hour of the small fleet city to OUT. With --stall it instead writes, flushes, prints
// "flushed N" and keeps writing frames until it is killed (the SIGKILL test of
// trace_python_test.py); with
// --every-kind it writes half an hour with one disruption of every kind (kind k at 60 (k + 1)
// s). The plain run also writes OUT.positions: the model's positions at every frame
// (FleetModel::position_at, float32 x, y per vehicle, frame after frame), which trace.py must
// rebuild from the legs table bit for bit, and OUT.rows: frame after frame the vehicles' states
// (int8), then loads and energies (float32), which trace.py must give bit for bit. --dense-rows
// writes the plain run in schema 3.0 (TraceOptions::dense_rows: dense states, loads and energies),
// --coordinate-rows in schema 3.1 (TraceOptions::coordinate_rows: legs rows with coordinates).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "tests/io/trace/trace_test_util.hpp"

namespace {

// particles/agents/wear/value[k][v] = v + k (the k-th sample), for the h5py checks
class Wear final : public swarm::io::AgentValueSource {
  public:
    [[nodiscard]] std::vector<std::string> value_names() const override { return {"wear"}; }
    void collect_values(swarm::sim::Tick /*t*/, std::span<const std::span<float>> out) override {
        for (std::size_t v = 0; v < out[0].size(); ++v) {
            out[0][v] = static_cast<float>(v + samples_);
        }
        ++samples_;
    }

  private:
    std::size_t samples_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    using namespace swarm;
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: trace_test_writer OUT [--stall | --every-kind | --dense-rows | "
                     "--coordinate-rows]\n");
        return 2;
    }
    const std::string out = argv[1];
    const bool stall = argc > 2 && std::string(argv[2]) == "--stall";
    io::TraceOptions replacing;  // the Python test's own file, from an earlier run of it
    replacing.replace = true;
    // schema 3.0 (dense states, loads and energies) for the readers' tests of such files
    replacing.dense_rows = argc > 2 && std::string(argv[2]) == "--dense-rows";
    // schema 3.1 (legs rows with coordinates, no points table), the same
    replacing.coordinate_rows = argc > 2 && std::string(argv[2]) == "--coordinate-rows";
    try {
        if (argc > 2 && std::string(argv[2]) == "--every-kind") {
            io::testing::TracedRun t([](agents::FleetSpec& spec) {
                spec.disruptions =
                    agents::testing::every_disruption_kind(*spec.network, 60.0, 60.0);
            });
            t.write(out, 0.5, replacing);
            return 0;
        }
        if (!stall) {
            io::testing::TracedRun t;
            Wear wear;
            t.values = &wear;
            const auto r = t.write(out, 1.0, replacing);
            std::ofstream positions(out + ".positions", std::ios::binary);
            for (const std::vector<double>& frame : t.recorder->positions) {
                for (const double x : frame) {
                    const auto f = static_cast<float>(x);
                    positions.write(reinterpret_cast<const char*>(&f), sizeof f);
                }
            }
            std::ofstream rows(out + ".rows", std::ios::binary);
            const auto& rec = *t.recorder;
            for (std::size_t k = 0; k < rec.states.size(); ++k) {
                rows.write(reinterpret_cast<const char*>(rec.states[k].data()),
                           static_cast<std::streamsize>(rec.states[k].size()));
                rows.write(reinterpret_cast<const char*>(rec.loads[k].data()),
                           static_cast<std::streamsize>(rec.loads[k].size() * sizeof(float)));
                rows.write(reinterpret_cast<const char*>(rec.energies[k].data()),
                           static_cast<std::streamsize>(rec.energies[k].size() * sizeof(float)));
            }
            if (!positions || !rows) {
                std::fprintf(stderr, "trace_test_writer: cannot write %s.positions or .rows\n",
                             out.c_str());
                return 1;
            }
            std::printf("delivered %llu created %llu\n",
                        static_cast<unsigned long long>(r.kpi.delivered),
                        static_cast<unsigned long long>(r.kpi.created));
            return 0;
        }
        io::TraceHeader h;
        h.agents = 40;
        io::TraceOptions o = replacing;
        o.flush_every = 10;
        o.flush_seconds = 1e9;
        io::TraceWriter w(out, h, o);
        for (int i = 0;; ++i) {
            auto f = w.acquire();
            f->step = i;
            f->time = static_cast<double>(i);
            for (std::size_t v = 0; v < 40; ++v) {
                f->position[2 * v] = static_cast<float>(i);
                f->position[2 * v + 1] = static_cast<float>(v);
            }
            w.push(std::move(f));
            if (i == 29) {
                // the writer thread flushes every 10 frames: wait until 30 are on disk (a fixed
                // sleep was too short on a loaded machine)
                while (w.flushed_frames() < 30 && !w.failed()) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
                std::printf("flushed %llu\n", static_cast<unsigned long long>(w.flushed_frames()));
                std::fflush(stdout);
            }
            if (i >= 29) {
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "trace_test_writer: %s\n", e.what());
        return 1;
    }
}
