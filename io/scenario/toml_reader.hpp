// The TOML reading toolkit shared by the scenario loaders (fleet scenarios, learning
// scenarios): typed field access that writes defaults back into the document, precise
// "file:line:col" errors with did-you-mean suggestions, and `--set key.path=value`
// overrides. Private to io/scenario (it exposes toml++ types).
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/printable.hpp"
#include "io/scenario/scenario.hpp"

namespace swarm::io::detail {

inline constexpr std::string_view kOverridePrefix = "--set ";

inline std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

inline std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out;
}

inline std::string type_name(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        default:
            return "a date or time";
    }
}

// the closest candidate within a small edit distance, or ""
inline std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const std::string& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

inline std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    const std::string s = suggestion(word, candidates);
    return s.empty() ? std::string{} : " (did you mean '" + s + "'?)";
}

// Reads one document, reporting problems at the node they concern. Defaults are written
// into the document, so that it ends up fully resolved.
class Reader {
  public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    // a node from the command line (--set, or a flag such as --close) rather than the file:
    // its source path is the flag as written
    [[nodiscard]] static bool from_flag(const toml::source_region& at) {
        return at.path && at.path->starts_with("--");
    }

    [[noreturn]] void fail(const toml::source_region& at, const std::string& message) const {
        if (from_flag(at)) {
            throw ScenarioError(*at.path, 0, 0, message);
        }
        throw ScenarioError(file_, at.begin.line, at.begin.column, message);
    }
    [[noreturn]] void fail(const toml::node& at, const std::string& message) const {
        fail(at.source(), message);
    }
    // "file:line:col: warning: message" (or "--set ...: warning: message"), as fail() puts it
    // (control characters and bytes that are not UTF-8 printed escaped, as in errors)
    [[nodiscard]] std::string warning(const toml::source_region& at,
                                      const std::string& message) const {
        if (from_flag(at)) {
            return printable(*at.path + ": warning: " + message);
        }
        if (at.begin.line == 0) {
            return printable(file_ + ": warning: " + message);
        }
        return printable(file_ + ":" + std::to_string(at.begin.line) + ":" +
                         std::to_string(at.begin.column) + ": warning: " + message);
    }
    [[nodiscard]] std::string warning(const toml::node& at, const std::string& message) const {
        return warning(at.source(), message);
    }
    // whether the document gave this node (a default written in by the reader has no source)
    [[nodiscard]] static bool given(const toml::node* n) {
        return n != nullptr && (n->source().begin.line > 0 || from_flag(n->source()));
    }

    // every key of t must be in `allowed`
    void check_keys(const toml::table& t, const std::string& where,
                    const std::vector<std::string>& allowed) const {
        for (auto&& [key, node] : t) {
            const std::string k(key.str());
            if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
                const std::string in = where.empty() ? "" : " in " + where;
                fail(key.source().begin.line > 0 ? key.source() : node.source(),
                     "unknown key '" + k + "'" + in + did_you_mean(k, allowed));
            }
        }
    }

    static std::string path(const std::string& where, std::string_view key) {
        return where.empty() ? std::string(key) : where + "." + std::string(key);
    }

    std::int64_t integer(toml::table& t, const std::string& where, std::string_view key,
                         std::int64_t def, std::int64_t lo, std::int64_t hi) const {
        toml::node* n = t.get(key);
        if (n == nullptr) {
            t.insert_or_assign(key, def);
            return def;
        }
        return integer_node(*n, path(where, key), lo, hi);
    }
    std::int64_t required_integer(const toml::table& t, const std::string& where,
                                  std::string_view key, std::int64_t lo, std::int64_t hi) const {
        const toml::node* n = t.get(key);
        if (n == nullptr) {
            fail(t, where + ": missing key '" + std::string(key) + "'");
        }
        return integer_node(*n, path(where, key), lo, hi);
    }
    std::int64_t integer_node(const toml::node& n, const std::string& name, std::int64_t lo,
                              std::int64_t hi) const {
        if (!n.is_integer()) {
            fail(n, name + " must be an integer, not " + type_name(n));
        }
        const std::int64_t v = n.as_integer()->get();
        if (v < lo) {
            fail(n, name + " must be >= " + std::to_string(lo));
        }
        if (v > hi) {
            fail(n, name + " must be <= " + std::to_string(hi));
        }
        return v;
    }

    // lo_open: the lower bound itself is refused (> lo instead of >= lo)
    double real(toml::table& t, const std::string& where, std::string_view key, double def,
                double lo, double hi, bool lo_open = false) const {
        toml::node* n = t.get(key);
        if (n == nullptr) {
            t.insert_or_assign(key, def);
            return def;
        }
        return real_node(*n, path(where, key), lo, hi, lo_open);
    }
    double required_real(const toml::table& t, const std::string& where, std::string_view key,
                         double lo, double hi, bool lo_open = false) const {
        const toml::node* n = t.get(key);
        if (n == nullptr) {
            fail(t, where + ": missing key '" + std::string(key) + "'");
        }
        return real_node(*n, path(where, key), lo, hi, lo_open);
    }
    double real_node(const toml::node& n, const std::string& name, double lo, double hi,
                     bool lo_open) const {
        if (!n.is_number()) {
            fail(n, name + " must be a number, not " + type_name(n));
        }
        const double v = n.value<double>().value_or(0.0);
        if (!std::isfinite(v)) {
            fail(n, name + " must be finite");
        }
        if (lo_open ? v <= lo : v < lo) {
            fail(n, name + " must be " + (lo_open ? "> " : ">= ") + number_text(lo));
        }
        if (v > hi) {
            fail(n, name + " must be <= " + number_text(hi));
        }
        return v;
    }

    bool boolean(toml::table& t, const std::string& where, std::string_view key, bool def) const {
        toml::node* n = t.get(key);
        if (n == nullptr) {
            t.insert_or_assign(key, def);
            return def;
        }
        if (!n->is_boolean()) {
            fail(*n, path(where, key) + " must be true or false, not " + type_name(*n));
        }
        return n->as_boolean()->get();
    }

    std::string string(toml::table& t, const std::string& where, std::string_view key,
                       const std::string& def) const {
        toml::node* n = t.get(key);
        if (n == nullptr) {
            t.insert_or_assign(key, def);
            return def;
        }
        return string_node(*n, path(where, key));
    }
    std::string required_string(const toml::table& t, const std::string& where,
                                std::string_view key) const {
        const toml::node* n = t.get(key);
        if (n == nullptr) {
            fail(t, where + ": missing key '" + std::string(key) + "'");
        }
        return string_node(*n, path(where, key));
    }
    std::string string_node(const toml::node& n, const std::string& name) const {
        if (!n.is_string()) {
            fail(n, name + " must be a string, not " + type_name(n));
        }
        return n.as_string()->get();
    }

    // a string from a fixed set
    std::string choice(toml::table& t, const std::string& where, std::string_view key,
                       const std::string& def, const std::vector<std::string>& allowed) const {
        const std::string v = string(t, where, key, def);
        if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
            fail(*t.get(key), path(where, key) + " must be one of " + join(allowed) + ", not '" +
                                  v + "'" + did_you_mean(v, allowed));
        }
        return v;
    }

    // a sub-table, created empty when absent
    toml::table& table(toml::table& parent, const std::string& where, std::string_view key) const {
        toml::node* n = parent.get(key);
        if (n == nullptr) {
            parent.insert_or_assign(key, toml::table{});
            n = parent.get(key);
        }
        if (!n->is_table()) {
            fail(*n, path(where, key) + " must be a table, not " + type_name(*n));
        }
        return *n->as_table();
    }

    // an array of tables; `min_size` entries at least
    toml::array& tables(toml::table& parent, std::string_view key, std::size_t min_size,
                        std::int64_t max_size) const {
        toml::node* n = parent.get(key);
        if (n == nullptr) {
            if (min_size > 0) {
                fail(parent, "missing '" + std::string(key) + "' (add at least one [[" +
                                 std::string(key) + "]] table)");
            }
            parent.insert_or_assign(key, toml::array{});
            n = parent.get(key);
        }
        if (!n->is_array() || !n->as_array()->is_array_of_tables()) {
            if (!(n->is_array() && n->as_array()->empty())) {
                fail(*n, std::string(key) + " must be an array of tables ([[" + std::string(key) +
                             "]]), not " + type_name(*n));
            }
        }
        toml::array& a = *n->as_array();
        if (a.size() < min_size) {
            fail(*n, std::string(key) + " needs at least " + std::to_string(min_size) + " entry");
        }
        if (static_cast<std::int64_t>(a.size()) > max_size) {
            fail(*n, std::string(key) + " has " + std::to_string(a.size()) + " entries; at most " +
                         std::to_string(max_size) + " are allowed");
        }
        return a;
    }

    // an id: non-empty, letters, digits, '_' and '-', unique within `seen`
    std::string id(const toml::table& t, const std::string& where,
                   std::vector<std::string>& seen) const {
        const std::string v = required_string(t, where, "id");
        const toml::node& n = *t.get("id");
        const bool ok = !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
        });
        if (!ok) {
            fail(n, where + ".id must be letters, digits, '_' or '-', not '" + v + "'");
        }
        if (v == "*") {
            fail(n, where + ".id '*' is reserved");
        }
        if (std::find(seen.begin(), seen.end(), v) != seen.end()) {
            fail(n, where + ".id '" + v + "' is used twice");
        }
        seen.push_back(v);
        return v;
    }

    // the index of `ref` in `ids`, or a did-you-mean error at `n`
    std::uint32_t reference(const toml::node& n, const std::string& name, const std::string& ref,
                            const std::vector<std::string>& ids, const char* what) const {
        const auto it = std::find(ids.begin(), ids.end(), ref);
        if (it == ids.end()) {
            fail(n, name + ": no " + what + " with id '" + ref + "'" + did_you_mean(ref, ids));
        }
        return static_cast<std::uint32_t>(it - ids.begin());
    }

    [[nodiscard]] const std::string& file() const { return file_; }

  private:
    std::string file_;
};

// A period or delay the model turns into ticks must be at least one tick: a shorter one
// rounds to 0 ticks (a barrier or timer that never advances the clock). `key` in `t`.
inline void at_least_one_tick(const Reader& r, const toml::table& t, const std::string& where,
                              std::string_view key, double seconds, const RunSettings& run) {
    const double tick_s = static_cast<double>(run.tick_us) * 1e-6;
    if (seconds < tick_s * 0.5) {
        r.fail(*t.get(key), Reader::path(where, key) + " = " + number_text(seconds) +
                                " s is shorter than one tick (" + number_text(tick_s) +
                                " s, run.tick_us)");
    }
}

inline std::string entry(std::string_view array, std::size_t i) {
    return std::string(array) + "[" + std::to_string(i) + "]";
}

// ---- overrides ----

[[noreturn]] inline void override_error(const std::string& text, const std::string& message) {
    throw ScenarioError(std::string(kOverridePrefix) + text, 0, 0, message);
}

inline void apply_override(toml::table& root, const std::string& text) {
    const std::size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
        override_error(text, "an override is key.path=value");
    }
    const std::string key_path = text.substr(0, eq);
    const std::string value_text = text.substr(eq + 1);
    std::vector<std::string> keys;
    for (std::size_t start = 0;;) {
        const std::size_t dot = key_path.find('.', start);
        keys.push_back(key_path.substr(start, dot - start));
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    for (const std::string& k : keys) {
        if (k.empty()) {
            override_error(text, "empty key in '" + key_path + "'");
        }
    }

    // the value: a TOML value, or else the text as a string (paths need no quotes)
    toml::table parsed;
    bool is_toml = false;
    try {
        parsed = toml::parse("v = " + value_text, std::string(kOverridePrefix) + text);
        is_toml = parsed.size() == 1 && parsed.contains("v");
    } catch (const toml::parse_error&) {
        is_toml = false;
    }
    if (!is_toml) {
        // as a TOML basic string, so that the node keeps the override as its source
        std::string quoted = "v = \"";
        for (const char c : value_text) {
            if (c == '"' || c == '\\') {
                quoted += '\\';
                quoted += c;
            } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                quoted += buf;
            } else {
                quoted += c;
            }
        }
        quoted += '"';
        try {
            parsed = toml::parse(quoted, std::string(kOverridePrefix) + text);
        } catch (const toml::parse_error& e) {
            override_error(text, "bad value: " + std::string(e.description()));
        }
    }

    // walk: tables by key, arrays of tables by the entries' id
    toml::table* at = &root;
    std::string walked;
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
        const std::string& k = keys[i];
        toml::node* n = at->get(k);
        walked += (walked.empty() ? "" : ".") + k;
        if (n == nullptr) {
            at->insert_or_assign(k, toml::table{});
            at = at->get(k)->as_table();
            continue;
        }
        if (n->is_table()) {
            at = n->as_table();
            continue;
        }
        if (n->is_array() && n->as_array()->is_array_of_tables()) {
            const std::string& id = keys[i + 1];
            std::vector<std::string> ids;
            toml::table* found = nullptr;
            for (toml::node& e : *n->as_array()) {
                const auto v = e.as_table()->get_as<std::string>("id");
                if (v != nullptr) {
                    ids.push_back(v->get());
                    if (v->get() == id) {
                        found = e.as_table();
                    }
                }
            }
            if (found == nullptr) {
                override_error(text, "no entry of '" + walked + "' has id '" + id + "'" +
                                         did_you_mean(id, ids) + " (ids: " + join(ids) + ")");
            }
            if (i + 2 >= keys.size()) {
                override_error(text, "'" + walked + "." + id + "' needs a key after the id");
            }
            at = found;
            walked += "." + id;
            ++i;
            continue;
        }
        if (n->is_array()) {
            override_error(text, "'" + walked + "' is an array; address [[" + walked +
                                     "]] entries by id, e.g. " + walked + ".<id>.key");
        }
        override_error(text, "'" + walked + "' is " + type_name(*n) + ", not a table");
    }
    // switching the network's source replaces it: a file drops the generator and its
    // parameters, a generator drops the file
    if (keys.size() == 2 && keys[0] == "network" && (keys[1] == "file" || keys[1] == "generator")) {
        std::vector<std::string> drop;
        for (auto&& [k, v] : *at) {
            const bool keep = k.str() == "landmarks" || k.str() == "router" ||
                              k.str() == "speed_profile" ||
                              (keys[1] == "generator" && k.str() != "file");
            if (!keep) {
                drop.emplace_back(k.str());
            }
        }
        for (const std::string& k : drop) {
            at->erase(k);
        }
    }
    // a table or a plain array is replaced by a value of its kind (an area, a list of
    // edges); [[tables]] are changed entry by entry, and a scalar never replaces either
    toml::node* existing = at->get(keys.back());
    if (existing != nullptr && (existing->is_table() || existing->is_array())) {
        const toml::node& v = *parsed.get("v");
        const bool tables = existing->is_array() && existing->as_array()->is_array_of_tables();
        const bool same_kind = existing->is_table() ? v.is_table() : v.is_array() && !tables;
        if (!same_kind) {
            override_error(
                text,
                "'" + key_path + "' is " + type_name(*existing) +
                    (tables ? "; address its entries by id, e.g. " + key_path + ".<id>.key"
                            : "; set one of its keys, or all of it as " + type_name(*existing)));
        }
    }
    parsed.get("v")->visit([&](auto&& v) { at->insert_or_assign(keys.back(), std::move(v)); });
}

// Applies the overrides, then checks what every scenario document starts with:
// schema_version = 1 (first: a future version may mean something else by the same keys),
// only the known top-level keys, and a string description.
inline void begin_document(const Reader& r, toml::table& root,
                           const std::vector<std::string>& overrides,
                           const std::vector<std::string>& top_keys) {
    for (const std::string& text : overrides) {
        apply_override(root, text);
    }
    const toml::node* version = root.get("schema_version");
    if (version == nullptr) {
        throw ScenarioError(r.file(), 0, 0,
                            "missing key 'schema_version' (add schema_version = 1)");
    }
    if (!version->is_integer() || version->as_integer()->get() != 1) {
        r.fail(*version, "schema_version must be 1 (this swarmsim reads version 1)");
    }
    r.check_keys(root, "", top_keys);
    if (const toml::node* d = root.get("description"); d != nullptr && !d->is_string()) {
        r.fail(*d, "description must be a string, not " + type_name(*d));
    }
}

// TOML text to a table; syntax errors become ScenarioErrors at their position
inline toml::table parse_document(std::string_view text, const std::string& name) {
    try {
        return toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        throw ScenarioError(name, e.source().begin.line, e.source().begin.column,
                            std::string(e.description()));
    }
}

// what a path that is not a regular file is, for messages ("a directory", "a FIFO")
inline std::string file_kind(std::filesystem::file_type t) {
    switch (t) {
        case std::filesystem::file_type::directory:
            return "a directory";
        case std::filesystem::file_type::character:
            return "a character device";
        case std::filesystem::file_type::block:
            return "a block device";
        case std::filesystem::file_type::fifo:
            return "a FIFO";
        case std::filesystem::file_type::socket:
            return "a socket";
        default:
            return "not a regular file";
    }
}

// The whole file as text, or a ScenarioError without position: io() when the file cannot be
// read (missing, not a regular file: a device or FIFO would never end), not io() when it is
// larger than kMaxScenarioBytes (checked before reading, and again while reading).
inline std::string read_document(const std::filesystem::path& file) {
    const auto io_error = [&](const std::string& why) {
        return ScenarioError(file.string(), 0, 0, "cannot read the scenario file (" + why + ")",
                             true);
    };
    std::error_code ec;
    const std::filesystem::file_status st = std::filesystem::status(file, ec);
    if (st.type() == std::filesystem::file_type::not_found) {
        throw io_error("no such file");
    }
    if (ec) {
        throw io_error(ec.message());
    }
    if (st.type() != std::filesystem::file_type::regular) {
        throw io_error(file_kind(st.type()));
    }
    const std::string too_large = "the scenario file is larger than " +
                                  std::to_string(kMaxScenarioBytes >> 20) +
                                  " MiB: is it a scenario?";
    const std::uintmax_t size = std::filesystem::file_size(file, ec);
    if (!ec && size > kMaxScenarioBytes) {
        throw ScenarioError(file.string(), 0, 0, too_large);
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw io_error("cannot open it");
    }
    std::string text;
    char chunk[65536];
    while (in) {
        in.read(chunk, sizeof chunk);
        text.append(chunk, static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxScenarioBytes) {
            throw ScenarioError(file.string(), 0, 0, too_large);
        }
    }
    if (in.bad()) {
        throw io_error("read error");
    }
    return text;
}

}  // namespace swarm::io::detail
