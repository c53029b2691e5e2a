#include "cli/json_reader.hpp"

#include <limits>

namespace swarm::cli {

namespace {

// deeper documents are refused (ours nest a few levels): the parse and the flattening
// stay far from the stack's end whatever the input
constexpr std::size_t kMaxDepth = 256;

void flatten_into(const Json& v, const std::string& prefix,
                  std::vector<std::pair<std::string, double>>& out) {
    for (const auto& [key, value] : v.items()) {
        const std::string name = prefix.empty() ? key : prefix + "." + key;
        if (value.is_number()) {
            out.emplace_back(name, value.get<double>());
        } else if (value.is_null()) {
            out.emplace_back(name, std::numeric_limits<double>::quiet_NaN());
        } else if (value.is_object()) {
            flatten_into(value, name, out);
        }
    }
}

}  // namespace

Json parse_json(std::string_view text) {
    std::size_t depth = 0;
    bool too_deep = false;
    // counts nesting while parsing, and stops at kMaxDepth
    const Json::parser_callback_t limit = [&](int d, Json::parse_event_t event, Json& /*j*/) {
        if (event == Json::parse_event_t::object_start ||
            event == Json::parse_event_t::array_start) {
            depth = static_cast<std::size_t>(d) + 1;
            if (depth > kMaxDepth) {
                too_deep = true;
                throw JsonError("nested more than " + std::to_string(kMaxDepth) + " levels deep");
            }
        }
        return true;
    };
    try {
        return Json::parse(text.begin(), text.end(), limit);
    } catch (const Json::parse_error& e) {
        // "[json.exception.parse_error.101] parse error at line 3, column 1: ..." without the
        // library's tag
        std::string what = e.what();
        const std::string tag = "parse error at ";
        if (const std::size_t at = what.find(tag); at != std::string::npos) {
            what = what.substr(at + tag.size());
        }
        throw JsonError(what);
    } catch (const JsonError&) {
        throw;
    } catch (const Json::exception& e) {
        throw JsonError(e.what());
    }
}

std::vector<std::pair<std::string, double>> flatten_numbers(const Json& v) {
    std::vector<std::pair<std::string, double>> out;
    if (v.is_object()) {
        flatten_into(v, "", out);
    }
    return out;
}

}  // namespace swarm::cli
