// VRPLIB (TSPLIB-style) CVRP and VRPTW instances with EUC_2D coordinates.
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include "io/vrp/vrp_reader.hpp"

namespace swarm::io {

using namespace vrp_detail;

namespace {

struct Section {
    const char* name;
    std::size_t values;  // after the node id
};

constexpr Section kSections[] = {{"NODE_COORD_SECTION", 2},
                                 {"DEMAND_SECTION", 1},
                                 {"TIME_WINDOW_SECTION", 2},
                                 {"SERVICE_TIME_SECTION", 1}};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

planning::VrpInstance parse_vrplib(std::string_view text, const std::string& source) {
    const std::vector<std::string_view> lines = split_lines(text, source).lines;
    planning::VrpInstance in;
    std::optional<std::size_t> dimension;
    std::optional<double> capacity;
    std::optional<std::int64_t> vehicles;
    double service_all = 0.0;
    // by node id - 1: x, y; demand; ready, due; service
    std::map<std::string, std::vector<std::vector<double>>> data;
    std::map<std::string, std::size_t> section_line;
    std::optional<std::size_t> depot;
    std::size_t i = 0;
    auto need_dimension = [&](std::size_t ln, const std::string& field) {
        if (!dimension) {
            throw VrpFileError(source, ln, field, "comes before DIMENSION");
        }
        return *dimension;
    };
    while (i < lines.size()) {
        const std::size_t ln = i + 1;
        const std::string_view line = trim(lines[i]);
        ++i;
        if (line.empty()) {
            continue;
        }
        if (line == "EOF") {
            break;
        }
        const auto t = tokens(line);
        if (t.empty()) {
            continue;  // only form feeds, vertical tabs or carriage returns
        }
        const std::string head(t[0]);
        const Section* sec = nullptr;
        for (const Section& s : kSections) {
            if (head == s.name) {
                sec = &s;
            }
        }
        if (sec != nullptr) {
            const std::size_t n = need_dimension(ln, head);
            if (data.count(head) != 0) {
                throw VrpFileError(source, ln, head, "appears twice");
            }
            section_line[head] = ln;
            std::vector<std::vector<double>>& rows = data[head];
            rows.assign(n, {});
            for (std::size_t k = 0; k < n; ++k, ++i) {
                if (i >= lines.size()) {
                    throw VrpFileError(source, 0, head,
                                       "ends after " + std::to_string(k) + " of " +
                                           std::to_string(n) + " rows (DIMENSION)");
                }
                const auto r = tokens(lines[i]);
                if (r.size() != sec->values + 1) {
                    throw VrpFileError(source, i + 1, head,
                                       "expected a node id and " + std::to_string(sec->values) +
                                           " value(s), got " + std::to_string(r.size()) +
                                           " field(s)");
                }
                const auto id = static_cast<std::size_t>(integer(
                    r[0], source, i + 1, head + ": node id", 1, static_cast<std::int64_t>(n)));
                if (!rows[id - 1].empty()) {
                    throw VrpFileError(source, i + 1, head + ": node id",
                                       "node " + std::to_string(id) + " appears twice");
                }
                std::vector<double>& row = rows[id - 1];
                for (std::size_t v = 1; v < r.size(); ++v) {
                    row.push_back(number(r[v], source, i + 1, head));
                }
                if (head != "NODE_COORD_SECTION" && row[0] < 0.0) {
                    throw VrpFileError(source, i + 1, head,
                                       "node " + std::to_string(id) + ": must be >= 0");
                }
                if (head == "TIME_WINDOW_SECTION" && row[1] < row[0]) {
                    throw VrpFileError(
                        source, i + 1, head,
                        "node " + std::to_string(id) + ": the due time is before the ready time");
                }
            }
            continue;
        }
        if (head == "DEPOT_SECTION") {
            const std::size_t n = need_dimension(ln, head);
            for (;; ++i) {
                if (i >= lines.size()) {
                    throw VrpFileError(source, 0, head, "not ended by -1");
                }
                const auto r = tokens(lines[i]);
                if (r.empty()) {
                    continue;
                }
                if (r.size() != 1) {
                    throw VrpFileError(source, i + 1, head, "expected one node id per line");
                }
                if (r[0] == "-1") {
                    ++i;
                    break;
                }
                const auto id = static_cast<std::size_t>(
                    integer(r[0], source, i + 1, head, 1, static_cast<std::int64_t>(n)));
                if (depot) {
                    throw VrpFileError(source, i + 1, head,
                                       "more than one depot: only single-depot instances are "
                                       "supported");
                }
                depot = id - 1;
            }
            continue;
        }
        // a specification line: KEY : value (the colon may touch either side)
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            throw VrpFileError(source, ln, head,
                               "expected \"KEY : value\" or a section name (NODE_COORD_SECTION, "
                               "DEMAND_SECTION, DEPOT_SECTION, TIME_WINDOW_SECTION, "
                               "SERVICE_TIME_SECTION)");
        }
        const std::string key(trim(line.substr(0, colon)));
        const std::string_view value = trim(line.substr(colon + 1));
        if (key == "NAME") {
            in.name = std::string(value);
        } else if (key == "COMMENT") {
            // free text
        } else if (key == "TYPE") {
            if (value != "CVRP" && value != "VRPTW" && value != "CVRPTW") {
                throw VrpFileError(
                    source, ln, key,
                    "\"" + std::string(value) + "\" is not supported (CVRP, VRPTW or CVRPTW)");
            }
        } else if (key == "DIMENSION") {
            dimension = static_cast<std::size_t>(
                integer(value, source, ln, key, 2, static_cast<std::int64_t>(kMaxVrpNodes)));
        } else if (key == "CAPACITY") {
            capacity = number(value, source, ln, key);
            if (!(*capacity > 0.0)) {
                throw VrpFileError(source, ln, key, "must be positive");
            }
        } else if (key == "VEHICLES") {
            vehicles = integer(value, source, ln, key, 1, static_cast<std::int64_t>(kMaxVrpNodes));
        } else if (key == "SERVICE_TIME") {
            service_all = number(value, source, ln, key);
            if (service_all < 0.0) {
                throw VrpFileError(source, ln, key, "must be >= 0");
            }
        } else if (key == "EDGE_WEIGHT_TYPE") {
            if (value != "EUC_2D") {
                throw VrpFileError(source, ln, key,
                                   "\"" + std::string(value) +
                                       "\" is not supported: only EUC_2D (Euclidean, not rounded)");
            }
        } else {
            throw VrpFileError(source, ln, key,
                               "unsupported specification key (known: NAME, COMMENT, TYPE, "
                               "DIMENSION, CAPACITY, VEHICLES, SERVICE_TIME, EDGE_WEIGHT_TYPE)");
        }
    }
    if (!dimension) {
        throw VrpFileError(source, 0, "DIMENSION", "missing");
    }
    if (!capacity) {
        throw VrpFileError(source, 0, "CAPACITY", "missing");
    }
    for (const char* required : {"NODE_COORD_SECTION", "DEMAND_SECTION"}) {
        if (data.count(required) == 0) {
            throw VrpFileError(source, 0, required, "missing");
        }
    }
    if (!depot) {
        throw VrpFileError(source, 0, "DEPOT_SECTION", "missing (or lists no depot)");
    }
    const std::size_t n = *dimension;
    for (const auto& [name, rows] : data) {
        for (std::size_t k = 0; k < n; ++k) {
            if (rows[k].empty()) {
                throw VrpFileError(source, section_line[name], name,
                                   "node " + std::to_string(k + 1) + " is missing");
            }
        }
    }
    in.capacity = *capacity;
    // without VEHICLES the fleet is not limited: one vehicle per customer at most
    in.vehicles =
        static_cast<std::uint32_t>(vehicles ? *vehicles : static_cast<std::int64_t>(n - 1));
    const auto has = [&](const char* s) { return data.count(s) != 0; };
    auto node = [&](std::size_t k) {
        planning::VrpNode v;
        v.number = static_cast<std::int64_t>(k);  // node id - 1
        v.x = data["NODE_COORD_SECTION"][k][0];
        v.y = data["NODE_COORD_SECTION"][k][1];
        v.demand = data["DEMAND_SECTION"][k][0];
        v.service = has("SERVICE_TIME_SECTION") ? data["SERVICE_TIME_SECTION"][k][0]
                                                : (k == *depot ? 0.0 : service_all);
        if (has("TIME_WINDOW_SECTION")) {
            v.ready = data["TIME_WINDOW_SECTION"][k][0];
            v.due = data["TIME_WINDOW_SECTION"][k][1];
        }
        return v;
    };
    in.nodes.push_back(node(*depot));
    for (std::size_t k = 0; k < n; ++k) {
        if (k != *depot) {
            in.nodes.push_back(node(k));
        }
    }
    if (in.name.empty()) {
        in.name = source;
    }
    if (const std::string problem = planning::validate(in); !problem.empty()) {
        throw VrpFileError(source, 0, "", problem);
    }
    return in;
}

}  // namespace swarm::io
