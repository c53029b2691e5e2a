// libFuzzer target for the CSV reader (io/csv) behind the scenario's [inputs] tables: it may
// refuse an input only with io::CsvError, and what it accepts is a table whose every row has
// the header's width and whose cells have positions inside the input.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.hpp"
#include "io/csv/csv_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace swarm;
    const std::string_view text = fuzz::as_text(data, size);
    try {
        const io::CsvTable t = io::parse_csv(text, "input.csv");
        for (const auto& row : t.rows) {
            if (row.size() != t.header.size()) {
                fuzz::unexpected("the CSV reader",
                                 std::runtime_error("accepted a row of another width"));
            }
            for (const io::CsvCell& c : row) {
                if (c.line == 0 || c.column == 0 || c.column > text.size() + 1) {
                    fuzz::unexpected("the CSV reader",
                                     std::runtime_error("a cell without a position in the input"));
                }
            }
        }
    } catch (const io::CsvError&) {
        // refused with line and column: fine
    } catch (const std::exception& e) {
        fuzz::unexpected("the CSV reader", e);
    }
    return 0;
}
