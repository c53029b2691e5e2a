// libFuzzer target for the VRP instance readers (io/vrp): Solomon and VRPLIB text, detected
// as `swarmsim vrp` detects them. A reader may refuse an input only with io::VrpFileError;
// an instance it accepts must pass the planner's own validation.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.hpp"
#include "io/vrp/vrp_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace swarm;
    const std::string_view text = fuzz::as_text(data, size);
    try {
        const planning::VrpInstance in = io::detect_vrp_format(text) == io::VrpFormat::kVrplib
                                             ? io::parse_vrplib(text, "input.vrp")
                                             : io::parse_solomon(text, "input.txt");
        // what the reader accepts, the planner accepts: validate() says why not, "" if fine
        const std::string problem = planning::validate(in);
        if (!problem.empty()) {
            fuzz::unexpected("the VRP reader", std::runtime_error("accepted an instance that "
                                                                  "validate() refuses: " +
                                                                  problem));
        }
    } catch (const io::VrpFileError&) {
        // refused with file, line and field: fine
    } catch (const std::exception& e) {
        fuzz::unexpected("the VRP reader", e);
    }
    return 0;
}
