// libFuzzer target for the HDF5 trace reader (io/trace/trace_reader): the input is written
// to a file (the reader takes a path) and read as the visualizer's replay does
// (TraceReader::read_replay_parts, what swarmsim-trace-check reads too): the header, the
// first, middle and last frames, every observable and extra agent value, events, kinds, links
// and parameters. The reader may refuse a file only with io::TraceError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.hpp"
#include "io/trace/trace_reader.hpp"

namespace {

void read_everything(const std::string& path) {
    const swarm::io::TraceReader r(path, /*allow_partial=*/true);
    r.read_replay_parts();
    // one past the end is refused, not read
    try {
        (void)r.frame(r.samples());
    } catch (const swarm::io::TraceError&) {
    }
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
