#include "viz/script.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "io/scenario/road_names.hpp"

namespace swarm::viz {

namespace {

struct ActionName {
    std::string_view name;
    VizCommand::Kind kind;
    bool needs_arg;
};

// the mouse's actions by their script names; cloud_down/cloud_up as the scenario kinds say it
constexpr std::array<ActionName, 9> kActions = {{
    {"depot_down", VizCommand::Kind::kDepotDown, true},
    {"depot_up", VizCommand::Kind::kDepotUp, true},
    {"cloud_cut", VizCommand::Kind::kCutCloudLink, false},
    {"cloud_down", VizCommand::Kind::kCutCloudLink, false},
    {"cloud_restore", VizCommand::Kind::kRestoreCloudLink, false},
    {"cloud_up", VizCommand::Kind::kRestoreCloudLink, false},
    {"break", VizCommand::Kind::kBreakFleetShare, true},
    {"close", VizCommand::Kind::kCloseRoad, true},
    {"reopen", VizCommand::Kind::kReopenRoad, true},
}};

const ActionName* find_action(std::string_view name) {
    for (const ActionName& a : kActions) {
        if (a.name == name) {
            return &a;
        }
    }
    return nullptr;
}

bool parse_number(std::string_view s, double& out) {
    if (s.empty()) {
        return false;
    }
    const std::string text(s);
    char* end = nullptr;
    out = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size() && std::isfinite(out);
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.size() <= 10 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// the closest name within 2 edits (or a third of the word), as the CLI suggests commands
std::string closest(std::string_view word, const std::vector<std::string>& names) {
    const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
    std::size_t best_d = std::numeric_limits<std::size_t>::max();
    std::string best;
    for (const std::string& n : names) {
        const std::size_t d = io::edit_distance(word, n);
        if (d < best_d) {
            best_d = d;
            best = n;
        }
    }
    return best_d <= limit ? best : std::string();
}

}  // namespace

namespace {

ScriptStep parse_unchecked(std::string_view text) {
    ScriptStep s;
    s.text = std::string(text);
    const std::size_t c1 = text.find(':');
    if (c1 == std::string_view::npos) {
        throw std::invalid_argument("expected TIME:ACTION[:ARG], e.g. 600:depot_down:0 (actions: " +
                                    std::string(kScriptActions) + ")");
    }
    if (!parse_number(text.substr(0, c1), s.at_s) || s.at_s < 0.0) {
        throw std::invalid_argument("'" + std::string(text.substr(0, c1)) +
                                    "' is not a time in simulated seconds >= 0");
    }
    const std::string_view rest = text.substr(c1 + 1);
    const std::size_t c2 = rest.find(':');
    s.action = std::string(rest.substr(0, c2));
    s.arg = c2 == std::string_view::npos ? std::string() : std::string(rest.substr(c2 + 1));
    const ActionName* a = find_action(s.action);
    if (a == nullptr) {
        std::vector<std::string> names;
        for (const ActionName& n : kActions) {
            names.emplace_back(n.name);
        }
        const std::string near = closest(s.action, names);
        throw std::invalid_argument("unknown action '" + s.action + "'" +
                                    (near.empty() ? "" : ", did you mean '" + near + "'?") +
                                    " (actions: " + std::string(kScriptActions) + ")");
    }
    if (a->needs_arg && s.arg.empty()) {
        throw std::invalid_argument("'" + s.action + "' needs an argument: " + s.action +
                                    (a->kind == VizCommand::Kind::kBreakFleetShare ? ":SHARE"
                                     : s.action.rfind("depot", 0) == 0             ? ":DEPOT"
                                                                                   : ":ROAD"));
    }
    if (!a->needs_arg && c2 != std::string_view::npos) {
        throw std::invalid_argument("'" + s.action + "' takes no argument");
    }
    return s;
}

ScriptedCommand resolve_unchecked(const ScriptStep& step, const io::Scenario& scenario) {
    ScriptedCommand out;
    out.at_s = step.at_s;
    out.text = step.text;
    if (step.at_s > scenario.run.duration_s) {
        throw std::invalid_argument(
            "time " + std::to_string(static_cast<long long>(step.at_s)) +
            " s is after the run's end (" +
            std::to_string(static_cast<long long>(scenario.run.duration_s)) + " s)");
    }
    const ActionName* a = find_action(step.action);
    if (a == nullptr) {
        throw std::invalid_argument("unknown action '" + step.action + "'");
    }
    VizCommand& c = out.command;
    c.kind = a->kind;
    switch (a->kind) {
        case VizCommand::Kind::kDepotDown:
        case VizCommand::Kind::kDepotUp: {
            const std::vector<std::string>& ids = scenario.depot_ids;
            const auto it = std::find(ids.begin(), ids.end(), step.arg);
            if (it != ids.end()) {
                c.target = static_cast<std::uint32_t>(it - ids.begin());
            } else if (all_digits(step.arg) && std::stoull(step.arg) < ids.size()) {
                c.target = static_cast<std::uint32_t>(std::stoull(step.arg));
            } else {
                const std::string near = closest(step.arg, ids);
                std::string list;
                for (const std::string& id : ids) {
                    list += (list.empty() ? "" : ", ") + id;
                }
                throw std::invalid_argument("no depot '" + step.arg + "'" +
                                            (near.empty() ? "" : ", did you mean '" + near + "'?") +
                                            " (depots: " + list + ", or an index 0.." +
                                            std::to_string(ids.empty() ? 0 : ids.size() - 1) + ")");
            }
            break;
        }
        case VizCommand::Kind::kBreakFleetShare: {
            double share = 0.0;
            const bool percent = !step.arg.empty() && step.arg.back() == '%';
            const std::string_view number =
                percent ? std::string_view(step.arg).substr(0, step.arg.size() - 1)
                        : std::string_view(step.arg);
            if (!parse_number(number, share)) {
                throw std::invalid_argument("'" + step.arg +
                                            "' is not a share of the fleet (0.2 or 20%)");
            }
            share = percent ? share / 100.0 : share;
            if (!(share > 0.0 && share <= 1.0)) {
                throw std::invalid_argument(
                    "the share of the fleet must be in (0, 1] (0% .. 100%), "
                    "not " +
                    step.arg);
            }
            c.share = share;
            break;
        }
        case VizCommand::Kind::kCloseRoad:
        case VizCommand::Kind::kReopenRoad: {
            const world::RoadNetwork& net = *scenario.network;
            if (all_digits(step.arg)) {
                const std::uint64_t e = std::stoull(step.arg);
                if (e >= net.edge_count()) {
                    throw std::invalid_argument("edge " + step.arg + " is not in the network (" +
                                                std::to_string(net.edge_count()) + " edges)");
                }
                c.target = static_cast<std::uint32_t>(e);  // that street, both ways, as a click
            } else {
                const io::Road road = io::find_road(net, step.arg);  // RoadNotFound: a suggestion
                c.edges.assign(road.edges.begin(), road.edges.end());
                c.target = road.edges.front();
                c.label = step.arg;
            }
            break;
        }
        case VizCommand::Kind::kCutCloudLink:
        case VizCommand::Kind::kRestoreCloudLink:
            break;
    }
    return out;
}

}  // namespace

ScriptStep parse_step(std::string_view text) {
    try {
        return parse_unchecked(text);
    } catch (const std::invalid_argument& e) {
        throw ScriptError("--do '" + std::string(text) + "': " + e.what());
    }
}

ScriptStep close_step(std::string_view road) {
    ScriptStep s;
    s.flag = "--close";
    s.text = std::string(road);
    s.action = "close";
    s.arg = std::string(road);
    return s;
}

ScriptedCommand resolve_step(const ScriptStep& step, const io::Scenario& scenario) {
    try {
        return resolve_unchecked(step, scenario);
    } catch (const std::invalid_argument& e) {
        throw ScriptError(step.flag + " '" + step.text + "': " + e.what());
    }
}

}  // namespace swarm::viz
