#pragma once
// A small JSON reader for the documents swarmsim itself writes (run --json summaries read
// back by the batch runner). Not a general library: numbers become doubles, and the only
// query is flatten(), which lists every numeric leaf under dotted keys.
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

struct JsonValue {
    enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
    // declared here, defaulted in the .cpp: members holds pairs of this still incomplete
    // type, whose implicit special members clang with libstdc++ refuses to instantiate
    JsonValue();
    ~JsonValue();
    JsonValue(const JsonValue&);
    JsonValue(JsonValue&&) noexcept;
    JsonValue& operator=(const JsonValue&);
    JsonValue& operator=(JsonValue&&) noexcept;

    Kind kind = Kind::kNull;
    bool boolean = false;
    double number = 0.0;
    std::string text;
    std::vector<JsonValue> items;                            // arrays
    std::vector<std::pair<std::string, JsonValue>> members;  // objects, in document order

    // the member `key` of an object, or nullptr
    [[nodiscard]] const JsonValue* find(std::string_view key) const;
};

// parses one JSON document; throws JsonError("line L: ...") on malformed input
[[nodiscard]] JsonValue parse_json(std::string_view text);

// Every number and null under `v` as (dotted.key, value), in document order; null becomes
// NaN (our writers emit null for undefined ratios); arrays, strings and booleans are skipped.
[[nodiscard]] std::vector<std::pair<std::string, double>> flatten_numbers(const JsonValue& v);

}  // namespace swarm::cli
