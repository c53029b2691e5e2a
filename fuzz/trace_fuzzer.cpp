// libFuzzer target for the HDF5 trace reader (io/trace/trace_reader): the input is written
// to a file (the reader takes a path) and read as the visualizer's replay does: the header,
// the first and last frames, every observable and extra agent value, events, kinds, links
// and parameters. The reader may refuse a file only with io::TraceError.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.hpp"
#include "io/trace/trace_reader.hpp"

namespace {

void read_everything(const std::string& path) {
    const swarm::io::TraceReader r(path, /*allow_partial=*/true);
    const std::size_t samples = r.samples();
    for (const std::size_t k : {std::size_t{0}, samples / 2, samples == 0 ? 0 : samples - 1}) {
        if (k < samples) {
            (void)r.frame(k);
            (void)r.links(k);
        }
    }
    // one past the end is refused, not read
    try {
        (void)r.frame(samples);
    } catch (const swarm::io::TraceError&) {
    }
    for (const std::string& name : r.observables()) {
        (void)r.observable(name);
    }
    for (const std::string& name : r.agent_values()) {
        if (samples > 0) {
            (void)r.agent_value(name, samples - 1);
        }
    }
    (void)r.events();
    (void)r.event_kinds();
    (void)r.all_links();
    (void)r.links_per_sample();
    (void)r.scenario_text();
    (void)r.seed();
    (void)r.threads();
    (void)r.parameter_string("swarmsim_version");
    (void)r.parameter_string("scenario_name");
    (void)r.parameter_number("sample_interval_s");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path =
        swarm::fuzz::temp_dir().write("input.h5", swarm::fuzz::as_text(data, size)).string();
    try {
        read_everything(path);
    } catch (const swarm::io::TraceError&) {
        // refused with the file named: fine
    } catch (const std::exception& e) {
        swarm::fuzz::unexpected("TraceReader", e);
    }
    return 0;
}
