#include "io/scenario/scenario_fork.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

namespace swarm::io {

namespace {

// every leaf of a document as "a.b[2].c" -> its TOML text
void flatten(const toml::node& node, const std::string& key,
             std::map<std::string, std::string>& out) {
    if (const toml::table* t = node.as_table()) {
        for (const auto& [k, v] : *t) {
            flatten(v, key.empty() ? std::string(k.str()) : key + "." + std::string(k.str()), out);
        }
    } else if (const toml::array* a = node.as_array();
               a != nullptr && std::any_of(a->begin(), a->end(),
                                           [](const toml::node& n) { return n.is_table(); })) {
        for (std::size_t i = 0; i < a->size(); ++i) {
            flatten(*a->get(i), key + "[" + std::to_string(i) + "]", out);
        }
    } else if (const auto* str = node.as_string()) {
        out[key] = str->get();
    } else {
        std::ostringstream s;
        node.visit([&s](const auto& v) { s << v; });
        out[key] = s.str();
    }
}

std::map<std::string, std::string> leaves(std::string_view text, const char* which) {
    try {
        std::map<std::string, std::string> out;
        flatten(toml::parse(text), "", out);
        return out;
    } catch (const toml::parse_error& e) {
        return {
            {"", std::string(which) + " scenario is not TOML: " + std::string(e.description())}};
    }
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

// keys that steer only what happens from now on
bool legal_key(std::string_view key) {
    static const char* const kExact[] = {"run.duration_s",
                                         "run.threads",
                                         "run.sample_interval_s",
                                         "policies.allocation",
                                         "policies.offer_radius_m",
                                         "policies.max_offers",
                                         "policies.bid_window_s",
                                         "policies.retry_backoff_s",
                                         "policies.detour_factor",
                                         "policies.energy_reserve",
                                         "policies.charge_threshold",
                                         "description"};
    for (const char* k : kExact) {
        if (key == k) {
            return true;
        }
    }
    // the learning's decisions, training steps and how models travel and are combined (the
    // exchange's roles and keys are made from the spec and seed, not saved)
    static const char* const kLearning[] = {
        "learning.steps_per_round",        "learning.batch",          "learning.learning_rate",
        "learning.route_on_predictions",   "learning.risk_threshold", "learning.service_s",
        "learning.predictive_maintenance", "learning.compression",    "learning.topk_fraction"};
    for (const char* k : kLearning) {
        if (key == k) {
            return true;
        }
    }
    for (const char* prefix : {"comms.", "cloud.", "output.", "learning.aggregator.",
                               "learning.identity.", "learning.attack."}) {
        if (key.starts_with(prefix)) {
            return true;
        }
    }
    return false;
}

std::string why_not(std::string_view key) {
    if (key.starts_with("policies.board")) {
        return "the board is rebuilt on the grid the run started with";
    }
    if (key.starts_with("policies.max_plan")) {
        return "vehicles hold plans made under the old limit";
    }
    if (key.starts_with("learning.round_s")) {
        return "learning rounds run on the grid the run started with";
    }
    if (key.starts_with("learning.wear") || key.starts_with("learning.congestion")) {
        return "wear and congestion are the world the vehicles learned from";
    }
    if (key.starts_with("learning")) {
        return "the models' memories, labels and scores were made under it";
    }
    if (key.starts_with("run.seed")) {
        return "every random stream is the seed's; fork from a checkpoint of that seed";
    }
    if (key.starts_with("run.") || key.starts_with("time")) {
        return "the clock and lookahead are part of the saved state";
    }
    return "the map, depots, fleet, demand and inputs made the saved state";
}

}  // namespace

std::vector<std::string> fork_problems(std::string_view before, std::string_view after,
                                       double at_s) {
    const auto old_leaves = leaves(before, "the checkpoint's");
    const auto new_leaves = leaves(after, "the fork's");
    std::vector<std::string> problems;
    for (const auto* m : {&old_leaves, &new_leaves}) {
        if (const auto it = m->find(""); it != m->end()) {
            problems.push_back(it->second);
        }
    }
    if (!problems.empty()) {
        return problems;
    }
    std::size_t old_disruptions = 0;
    for (const auto& [k, v] : old_leaves) {
        if (k.starts_with("disruptions[")) {
            old_disruptions = std::max<std::size_t>(old_disruptions,
                                                    std::stoul(k.substr(12, k.find(']') - 12)) + 1);
        }
    }
    std::vector<std::string> keys;
    for (const auto& [k, v] : old_leaves) {
        const auto it = new_leaves.find(k);
        if (it == new_leaves.end() || it->second != v) {
            keys.push_back(k);
        }
    }
    for (const auto& [k, v] : new_leaves) {
        if (!old_leaves.contains(k)) {
            keys.push_back(k);
        }
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::vector<std::size_t> added_checked;
    for (const std::string& k : keys) {
        if (k.starts_with("disruptions[")) {
            const std::size_t i = std::stoul(k.substr(12, k.find(']') - 12));
            if (i < old_disruptions) {
                problems.push_back(k +
                                   " cannot change mid-run: the disruptions of the run "
                                   "before the fork are part of its state (add new ones)");
                continue;
            }
            if (std::find(added_checked.begin(), added_checked.end(), i) != added_checked.end()) {
                continue;
            }
            added_checked.push_back(i);
            const std::string base = "disruptions[" + std::to_string(i) + "].";
            if (const auto a = new_leaves.find(base + "after");
                a != new_leaves.end() && !a->second.empty()) {
                problems.push_back(base +
                                   "after: a disruption added by a fork starts at a "
                                   "time of its own (at_s), not after another");
            }
            const auto at = new_leaves.find(base + "at_s");
            double start = 0.0;
            if (at != new_leaves.end()) {
                std::istringstream(at->second) >> start;
            }
            if (start < at_s) {
                problems.push_back(base + "at_s = " + number(start) +
                                   ": a disruption added by a fork starts at or after the "
                                   "fork's time (" +
                                   number(at_s) + " s)");
            }
            continue;
        }
        if (k == "learning.mode") {
            // from one way of sharing models to another: what each vehicle learned goes on;
            // a run without models has none to go on from, one with them cannot drop them
            const auto mode = [](const std::map<std::string, std::string>& m) {
                const auto it = m.find("learning.mode");
                return it == m.end() ? std::string("off") : it->second;
            };
            const std::string from = mode(old_leaves);
            const std::string to = mode(new_leaves);
            if (from == "off" || to == "off") {
                problems.push_back("learning.mode cannot change mid-run from '" + from + "' to '" +
                                   to +
                                   "': a run without models has none to go on from, and one "
                                   "with them cannot drop them (a fork may change between "
                                   "local, gossip, fedavg and the other exchanges that learn)");
            }
            continue;
        }
        if (!legal_key(k)) {
            problems.push_back(k + " cannot change mid-run: " + why_not(k));
        }
    }
    return problems;
}

}  // namespace swarm::io
