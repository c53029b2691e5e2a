#include "io/scenario/scenario_speed_profile.hpp"

#include <array>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swarm::io::detail {

namespace {

using Hours = routing::SpeedProfile::Hours;
constexpr std::size_t kHours = routing::SpeedProfile::kHours;
constexpr std::uintmax_t kMaxProfileBytes = 1u << 20;
const std::string kWhere = "network.speed_profile";

std::vector<std::string> class_names() {
    std::vector<std::string> names;
    for (std::size_t c = 0; c < world::kRoadClassCount; ++c) {
        names.emplace_back(world::to_string(static_cast<world::RoadClass>(c)));
    }
    return names;
}

// "7-10" (hours 7, 8 and 9) or "7" (hour 7 alone) as [from, to); false when malformed
bool hour_range(std::string_view key, std::size_t& from, std::size_t& to) {
    const auto number = [](std::string_view s, std::size_t& out) {
        if (s.empty() || s.size() > 2) {
            return false;
        }
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        return ec == std::errc{} && end == s.data() + s.size();
    };
    const std::size_t dash = key.find('-');
    if (dash == std::string_view::npos) {
        if (!number(key, from)) {
            return false;
        }
        to = from + 1;
    } else if (!number(key.substr(0, dash), from) || !number(key.substr(dash + 1), to)) {
        return false;
    }
    return from < to && to <= kHours;
}

// one class's hours from an array of 24 factors or a table of hour ranges; hours a table
// leaves out keep their value in `row`
void read_hours(const Reader& r, const toml::node& n, const std::string& name, Hours& row) {
    const auto factor = [&](const toml::node& v, const std::string& what) {
        return r.real_node(v, what, routing::SpeedProfile::kMinFactor,
                           routing::SpeedProfile::kMaxFactor, false);
    };
    if (const toml::array* a = n.as_array()) {
        if (a->size() != kHours) {
            r.fail(n, name + " has " + std::to_string(a->size()) +
                          (a->size() == 1 ? " value" : " values") +
                          "; give 24 (hours 0 to 23) or hour ranges, e.g. "
                          "{ 7-10 = 0.6, 16-19 = 0.7 }");
        }
        for (std::size_t h = 0; h < kHours; ++h) {
            row[h] = factor(*a->get(h), entry(name, h));
        }
        return;
    }
    const toml::table* t = n.as_table();
    if (t == nullptr) {
        r.fail(n, name + " must be an array of 24 factors or a table of hour ranges, not " +
                      type_name(n));
    }
    std::array<std::string, kHours> given_by{};
    for (auto&& [key, value] : *t) {
        const std::string k(key.str());
        const toml::source_region& at = key.source().begin.line > 0 ? key.source() : value.source();
        std::size_t from = 0;
        std::size_t to = 0;
        if (!hour_range(k, from, to)) {
            r.fail(at, name + ": '" + k +
                           "' is not an hour range; write FROM-TO in whole hours, "
                           "0 <= FROM < TO <= 24, TO excluded (7-10 is 7:00 to 10:00), or one "
                           "hour (8)");
        }
        const double f = factor(value, name + "." + k);
        for (std::size_t h = from; h < to; ++h) {
            if (!given_by[h].empty()) {
                r.fail(at, name + ": hour " + std::to_string(h) + " is in both '" + given_by[h] +
                               "' and '" + k + "'");
            }
            given_by[h] = k;
            row[h] = f;
        }
    }
}

// the profile file a string names, parsed (relative to the scenario's directory; from --set,
// to the working directory)
std::pair<toml::table, std::string> read_profile_file(const Reader& r, const toml::node& n,
                                                      const std::filesystem::path& scenario_file) {
    const std::string given = r.string_node(n, kWhere);
    if (given.empty()) {
        r.fail(n, kWhere + " must not be empty (a table, or the TOML file holding one)");
    }
    std::filesystem::path p(given);
    if (p.is_relative() && !Reader::from_flag(n.source())) {
        p = scenario_file.parent_path() / p;
    }
    const std::string shown = p.lexically_normal().string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) {
        r.fail(n, kWhere + " '" + shown + "' does not exist or is not a file");
    }
    if (std::filesystem::file_size(p, ec) > kMaxProfileBytes) {
        r.fail(n, kWhere + " '" + shown + "' is larger than 1 MiB: is it a speed profile?");
    }
    std::ifstream in(p, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
        r.fail(n, kWhere + " '" + shown + "' cannot be read");
    }
    return {parse_document(text.str(), shown), shown};
}

}  // namespace

std::optional<routing::SpeedProfile::Classes> read_speed_profile(
    const Reader& r, toml::table& network, const std::filesystem::path& scenario_file) {
    toml::node* n = network.get("speed_profile");
    if (n == nullptr) {
        return std::nullopt;
    }
    // a file: read with its own name in messages, then kept in the document as a table
    const Reader* reader = &r;
    std::optional<Reader> file_reader;
    if (n->is_string()) {
        auto [t, shown] = read_profile_file(r, *n, scenario_file);
        file_reader.emplace(shown);
        reader = &*file_reader;
        network.insert_or_assign("speed_profile", std::move(t));
        n = network.get("speed_profile");
    }
    if (!n->is_table()) {
        r.fail(*n, kWhere +
                       " must be a table (road class = factors by hour) or the name of a "
                       "TOML file holding one, not " +
                       type_name(*n));
    }
    const toml::table& t = *n->as_table();
    std::vector<std::string> allowed = class_names();
    allowed.emplace_back("all");
    allowed.emplace_back("description");
    reader->check_keys(t, kWhere, allowed);
    if (const toml::node* d = t.get("description"); d != nullptr) {
        (void)reader->string_node(*d, kWhere + ".description");
    }
    // every class starts from `all` (else factor 1), then its own hours
    Hours all{};
    all.fill(1.0);
    if (const toml::node* a = t.get("all"); a != nullptr) {
        read_hours(*reader, *a, kWhere + ".all", all);
    }
    routing::SpeedProfile::Classes classes{};
    bool flat = true;
    for (std::size_t c = 0; c < classes.size(); ++c) {
        classes[c] = all;
        const std::string name = world::to_string(static_cast<world::RoadClass>(c));
        if (const toml::node* h = t.get(name); h != nullptr) {
            read_hours(*reader, *h, kWhere + "." + name, classes[c]);
        }
        for (const double f : classes[c]) {
            flat = flat && f == 1.0;
        }
    }
    if (flat) {
        return std::nullopt;
    }
    return classes;
}

}  // namespace swarm::io::detail
