// A recursive-descent JSON reader (RFC 8259 grammar; \u escapes kept to the BMP).
#include "cli/json_reader.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace swarm::cli {

JsonValue::JsonValue() = default;
JsonValue::~JsonValue() = default;
JsonValue::JsonValue(const JsonValue&) = default;
JsonValue::JsonValue(JsonValue&&) noexcept = default;
JsonValue& JsonValue::operator=(const JsonValue&) = default;
JsonValue& JsonValue::operator=(JsonValue&&) noexcept = default;

const JsonValue* JsonValue::find(std::string_view key) const {
    for (const auto& [k, v] : members) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

namespace {

class Parser {
  public:
    explicit Parser(std::string_view text) : s_(text) {}

    JsonValue document() {
        JsonValue v = value(0);
        skip_space();
        if (pos_ != s_.size()) {
            fail("unexpected text after the document");
        }
        return v;
    }

  private:
    // nesting deeper than this is refused rather than risking the stack
    static constexpr int kMaxDepth = 256;

    [[noreturn]] void fail(const std::string& what) const {
        std::size_t line = 1;
        for (std::size_t i = 0; i < pos_ && i < s_.size(); ++i) {
            if (s_[i] == '\n') {
                ++line;
            }
        }
        throw JsonError("line " + std::to_string(line) + ": " + what);
    }
    void skip_space() {
        while (pos_ < s_.size() &&
               (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) {
            ++pos_;
        }
    }
    bool literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) == word) {
            pos_ += word.size();
            return true;
        }
        return false;
    }
    void expect(char c) {
        skip_space();
        if (pos_ >= s_.size() || s_[pos_] != c) {
            fail(std::string("expected '") + c + "'");
        }
        ++pos_;
    }

    JsonValue value(int depth) {
        if (depth > kMaxDepth) {
            fail("nesting too deep");
        }
        skip_space();
        if (pos_ >= s_.size()) {
            fail("unexpected end of input");
        }
        JsonValue v;
        const char c = s_[pos_];
        if (c == '{') {
            v.kind = JsonValue::Kind::kObject;
            ++pos_;
            skip_space();
            if (pos_ < s_.size() && s_[pos_] == '}') {
                ++pos_;
                return v;
            }
            while (true) {
                skip_space();
                if (pos_ >= s_.size() || s_[pos_] != '"') {
                    fail("expected a member name");
                }
                std::string key = string();
                expect(':');
                v.members.emplace_back(std::move(key), value(depth + 1));
                skip_space();
                if (pos_ < s_.size() && s_[pos_] == ',') {
                    ++pos_;
                    continue;
                }
                expect('}');
                return v;
            }
        }
        if (c == '[') {
            v.kind = JsonValue::Kind::kArray;
            ++pos_;
            skip_space();
            if (pos_ < s_.size() && s_[pos_] == ']') {
                ++pos_;
                return v;
            }
            while (true) {
                v.items.push_back(value(depth + 1));
                skip_space();
                if (pos_ < s_.size() && s_[pos_] == ',') {
                    ++pos_;
                    continue;
                }
                expect(']');
                return v;
            }
        }
        if (c == '"') {
            v.kind = JsonValue::Kind::kString;
            v.text = string();
            return v;
        }
        if (literal("true") || literal("false")) {
            v.kind = JsonValue::Kind::kBool;
            v.boolean = s_[pos_ - 1] == 'e' && s_[pos_ - 2] == 'u';
            return v;
        }
        if (literal("null")) {
            return v;
        }
        v.kind = JsonValue::Kind::kNumber;
        v.number = number();
        return v;
    }

    double number() {
        const std::size_t start = pos_;
        if (pos_ < s_.size() && s_[pos_] == '-') {
            ++pos_;
        }
        const auto digits = [&] {
            const std::size_t from = pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
                ++pos_;
            }
            return pos_ - from;
        };
        if (digits() == 0) {
            fail("expected a value");
        }
        if (pos_ < s_.size() && s_[pos_] == '.') {
            ++pos_;
            if (digits() == 0) {
                fail("expected digits after '.'");
            }
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) {
                ++pos_;
            }
            if (digits() == 0) {
                fail("expected an exponent");
            }
        }
        const std::string text(s_.substr(start, pos_ - start));
        return std::strtod(text.c_str(), nullptr);
    }

    std::string string() {
        ++pos_;  // the opening quote
        std::string out;
        while (true) {
            if (pos_ >= s_.size()) {
                fail("unterminated string");
            }
            const char c = s_[pos_++];
            if (c == '"') {
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                fail("control character in a string");
            }
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size()) {
                fail("unterminated string");
            }
            const char e = s_[pos_++];
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    out += e;
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    if (pos_ + 4 > s_.size()) {
                        fail("short \\u escape");
                    }
                    const std::string hex(s_.substr(pos_, 4));
                    char* end = nullptr;
                    const unsigned long cp = std::strtoul(hex.c_str(), &end, 16);
                    if (end != hex.c_str() + 4) {
                        fail("bad \\u escape");
                    }
                    pos_ += 4;
                    // UTF-8 of a BMP code point (surrogate pairs are not joined)
                    if (cp < 0x80) {
                        out += static_cast<char>(cp);
                    } else if (cp < 0x800) {
                        out += static_cast<char>(0xC0 | (cp >> 6));
                        out += static_cast<char>(0x80 | (cp & 0x3F));
                    } else {
                        out += static_cast<char>(0xE0 | (cp >> 12));
                        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                        out += static_cast<char>(0x80 | (cp & 0x3F));
                    }
                    break;
                }
                default:
                    fail(std::string("bad escape '\\") + e + "'");
            }
        }
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

void flatten_into(const JsonValue& v, const std::string& prefix,
                  std::vector<std::pair<std::string, double>>& out) {
    switch (v.kind) {
        case JsonValue::Kind::kNumber:
            out.emplace_back(prefix, v.number);
            break;
        case JsonValue::Kind::kNull:
            out.emplace_back(prefix, std::numeric_limits<double>::quiet_NaN());
            break;
        case JsonValue::Kind::kObject:
            for (const auto& [key, member] : v.members) {
                flatten_into(member, prefix.empty() ? key : prefix + "." + key, out);
            }
            break;
        default:
            break;
    }
}

}  // namespace

JsonValue parse_json(std::string_view text) {
    return Parser(text).document();
}

std::vector<std::pair<std::string, double>> flatten_numbers(const JsonValue& v) {
    std::vector<std::pair<std::string, double>> out;
    flatten_into(v, "", out);
    return out;
}

}  // namespace swarm::cli
