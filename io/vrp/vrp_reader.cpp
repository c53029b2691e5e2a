#include "io/vrp/vrp_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "io/printable.hpp"

namespace swarm::io {

namespace {

std::string format_what(const std::string& file, std::size_t line, const std::string& field,
                        const std::string& message) {
    std::string out = printable(file);
    if (line > 0) {
        out.append(":");
        out.append(std::to_string(line));
    }
    out.append(": error: ");
    if (!field.empty()) {
        out.append(field);
        out.append(": ");
    }
    out.append(printable(message));
    return out;
}

}  // namespace

VrpFileError::VrpFileError(std::string file, std::size_t line, std::string field,
                           const std::string& message, bool io)
    : std::runtime_error(format_what(file, line, field, message)),
      file_(std::move(file)),
      line_(line),
      field_(std::move(field)),
      io_(io) {}

namespace vrp_detail {

Lines split_lines(std::string_view text, const std::string& source) {
    Lines out;
    const std::size_t max_lines = (kMaxVrpNodes * 8) + 1000;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        out.lines.push_back(line);
        if (out.lines.size() > max_lines) {
            throw VrpFileError(source, out.lines.size(), "",
                               "more than " + std::to_string(max_lines) + " lines");
        }
        if (end == text.size()) {
            break;
        }
        start = end + 1;
    }
    return out;
}

std::vector<std::string_view> tokens(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    auto space = [](char c) {
        return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
    };
    while (i < line.size()) {
        while (i < line.size() && space(line[i])) {
            ++i;
        }
        const std::size_t start = i;
        while (i < line.size() && !space(line[i])) {
            ++i;
        }
        if (i > start) {
            out.push_back(line.substr(start, i - start));
        }
    }
    return out;
}

double number(std::string_view token, const std::string& source, std::size_t line,
              const std::string& field) {
    double v = 0.0;
    const char* first = token.data();
    const char* last = token.data() + token.size();
    if (!token.empty() && *first == '+') {
        ++first;
    }
    const auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || ptr != last || !std::isfinite(v)) {
        throw VrpFileError(source, line, field,
                           "expected a finite number, got \"" + std::string(token) + "\"");
    }
    return v;
}

std::int64_t integer(std::string_view token, const std::string& source, std::size_t line,
                     const std::string& field, std::int64_t lo, std::int64_t hi) {
    const double v = number(token, source, line, field);
    if (v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi)) {
        throw VrpFileError(source, line, field,
                           "expected a whole number from " + std::to_string(lo) + " to " +
                               std::to_string(hi) + ", got \"" + std::string(token) + "\"");
    }
    return static_cast<std::int64_t>(v);
}

}  // namespace vrp_detail

using namespace vrp_detail;

VrpFormat detect_vrp_format(std::string_view text) {
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        const auto t = tokens(line);
        if (t.empty()) {
            continue;
        }
        const bool key = line.find(':') != std::string_view::npos || t[0] == "NAME" ||
                         t[0] == "TYPE" || t[0] == "DIMENSION" || t[0] == "NODE_COORD_SECTION";
        return key ? VrpFormat::kVrplib : VrpFormat::kSolomon;
    }
    return VrpFormat::kSolomon;
}

planning::VrpInstance read_vrp(const std::filesystem::path& file, VrpFormat* format) {
    const std::string name = file.string();
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (ec || !std::filesystem::exists(status)) {
        throw VrpFileError(name, 0, "", "no such file", true);
    }
    if (!std::filesystem::is_regular_file(status)) {
        throw VrpFileError(name, 0, "", "not a regular file", true);
    }
    const std::uintmax_t size = std::filesystem::file_size(file, ec);
    if (ec) {
        throw VrpFileError(name, 0, "", "cannot read its size: " + ec.message(), true);
    }
    if (size > kMaxVrpFileBytes) {
        throw VrpFileError(name, 0, "",
                           "larger than " + std::to_string(kMaxVrpFileBytes >> 20) +
                               " MiB: not a VRP instance this reader accepts");
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    if (!in || !(text << in.rdbuf())) {
        if (size > 0) {
            throw VrpFileError(name, 0, "", "cannot read the file", true);
        }
    }
    const std::string content = text.str();
    const VrpFormat f = detect_vrp_format(content);
    if (format != nullptr) {
        *format = f;
    }
    return f == VrpFormat::kVrplib ? parse_vrplib(content, name) : parse_solomon(content, name);
}

namespace {

// the next non-blank line at or after i (returns lines.size() at the end)
std::size_t next_line(const std::vector<std::string_view>& lines, std::size_t i) {
    while (i < lines.size() && tokens(lines[i]).empty()) {
        ++i;
    }
    return i;
}

}  // namespace

planning::VrpInstance parse_solomon(std::string_view text, const std::string& source) {
    const std::vector<std::string_view> lines = split_lines(text, source).lines;
    planning::VrpInstance in;
    std::size_t i = next_line(lines, 0);
    if (i == lines.size()) {
        throw VrpFileError(source, 0, "", "empty file: expected a Solomon VRPTW instance");
    }
    in.name = std::string(tokens(lines[i])[0]);
    // VEHICLE, its column names, then NUMBER and CAPACITY
    auto expect = [&](std::string_view word, const char* what) {
        i = next_line(lines, i + 1);
        if (i == lines.size() || tokens(lines[i])[0] != word) {
            throw VrpFileError(source, i == lines.size() ? 0 : i + 1, "",
                               std::string("expected ") + what);
        }
    };
    expect("VEHICLE", "the VEHICLE section");
    expect("NUMBER", "the VEHICLE column names NUMBER CAPACITY");
    i = next_line(lines, i + 1);
    if (i == lines.size()) {
        throw VrpFileError(source, 0, "NUMBER", "missing: the file ends in the VEHICLE section");
    }
    {
        const auto t = tokens(lines[i]);
        if (t.size() != 2) {
            throw VrpFileError(
                source, i + 1, "VEHICLE",
                "expected 2 values (NUMBER CAPACITY), got " + std::to_string(t.size()));
        }
        in.vehicles = static_cast<std::uint32_t>(
            integer(t[0], source, i + 1, "NUMBER", 1, static_cast<std::int64_t>(kMaxVrpNodes)));
        in.capacity = number(t[1], source, i + 1, "CAPACITY");
        if (!(in.capacity > 0.0)) {
            throw VrpFileError(source, i + 1, "CAPACITY", "must be positive");
        }
    }
    expect("CUSTOMER", "the CUSTOMER section");
    expect("CUST", "the CUSTOMER column names (CUST NO. XCOORD. ...)");
    static const char* const kField[] = {"CUST NO.",   "XCOORD.",  "YCOORD.",     "DEMAND",
                                         "READY TIME", "DUE DATE", "SERVICE TIME"};
    std::set<std::int64_t> numbers;
    for (i = next_line(lines, i + 1); i < lines.size(); i = next_line(lines, i + 1)) {
        const std::size_t ln = i + 1;
        const auto t = tokens(lines[i]);
        if (t.size() != 7) {
            throw VrpFileError(source, ln, "CUSTOMER",
                               "expected 7 values (CUST NO. XCOORD. YCOORD. DEMAND READY TIME "
                               "DUE DATE SERVICE TIME), got " +
                                   std::to_string(t.size()));
        }
        if (in.nodes.size() >= kMaxVrpNodes) {
            throw VrpFileError(source, ln, "CUSTOMER",
                               "more than " + std::to_string(kMaxVrpNodes - 1) + " customers");
        }
        planning::VrpNode n;
        n.number = integer(t[0], source, ln, kField[0], 0, std::int64_t{1} << 40);
        n.x = number(t[1], source, ln, kField[1]);
        n.y = number(t[2], source, ln, kField[2]);
        n.demand = number(t[3], source, ln, kField[3]);
        n.ready = number(t[4], source, ln, kField[4]);
        n.due = number(t[5], source, ln, kField[5]);
        n.service = number(t[6], source, ln, kField[6]);
        if (!numbers.insert(n.number).second) {
            throw VrpFileError(source, ln, kField[0],
                               "customer " + std::to_string(n.number) + " appears twice");
        }
        if (n.demand < 0.0) {
            throw VrpFileError(source, ln, kField[3], "must be >= 0");
        }
        if (n.ready < 0.0) {
            throw VrpFileError(source, ln, kField[4], "must be >= 0");
        }
        if (n.due < n.ready) {
            throw VrpFileError(source, ln, kField[5], "must be >= READY TIME");
        }
        if (n.service < 0.0) {
            throw VrpFileError(source, ln, kField[6], "must be >= 0");
        }
        in.nodes.push_back(n);
    }
    if (in.nodes.empty()) {
        throw VrpFileError(source, 0, "CUSTOMER", "no rows: expected the depot and customers");
    }
    if (const std::string problem = planning::validate(in); !problem.empty()) {
        throw VrpFileError(source, 0, "", problem);
    }
    return in;
}

}  // namespace swarm::io
