#pragma once
// JSON documents swarmsim itself writes (run --json summaries read back by the batch runner),
// parsed with nlohmann-json (objects keep their document order: ordered_json). The one query
// the batch runner needs is flatten_numbers(), which lists every numeric leaf under dotted keys.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swarm::cli {

class JsonError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

using Json = nlohmann::ordered_json;

// parses one JSON document; throws JsonError("line L, column C: ...") on malformed input
[[nodiscard]] Json parse_json(std::string_view text);

// Every number and null under `v` as (dotted.key, value), in document order; null becomes
// NaN (our writers emit null for undefined ratios); arrays, strings and booleans are skipped.
[[nodiscard]] std::vector<std::pair<std::string, double>> flatten_numbers(const Json& v);

}  // namespace swarm::cli
