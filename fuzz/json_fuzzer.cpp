// libFuzzer target for the batch runner's JSON reading (cli/json_reader, nlohmann-json): it reads
// back the `run --json` summaries of a batch and may refuse input only with cli::JsonError.
#include <cstddef>
#include <cstdint>

#include "cli/json_reader.hpp"
#include "fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const swarm::cli::Json doc = swarm::cli::parse_json(swarm::fuzz::as_text(data, size));
        (void)swarm::cli::flatten_numbers(doc);
        (void)(doc.is_object() && doc.contains("kpis"));
    } catch (const swarm::cli::JsonError&) {
        // refused with a line number: fine
    } catch (const std::exception& e) {
        swarm::fuzz::unexpected("parse_json", e);
    }
    return 0;
}
