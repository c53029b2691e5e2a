// How the scenario keys test (scenario_keys_test.cpp) walks each documented key: the value
// it changes the key to, the setup that lets the key act in a short run, or why it is skipped.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace swarm::testing {

struct Walk {
    std::string value;               // the changed value (TOML); "" = derived from the doc
    std::string entry;               // the [[section]] entry changed; "" = the section's usual
    std::vector<std::string> setup;  // set in both runs: what the key needs to act in 15 min
    int base = 0;                    // walked on kBase (0), kDisrupted (1), kRecovering (2)
    std::string skip;                // not walked, and why

    [[nodiscard]] Walk on(std::string e) const {
        Walk w = *this;
        w.entry = std::move(e);
        return w;
    }
    [[nodiscard]] Walk given(std::vector<std::string> s) const {
        Walk w = *this;
        w.setup = std::move(s);
        return w;
    }
    [[nodiscard]] Walk with_disruptions() const {
        Walk w = *this;
        w.base = 1;
        return w;
    }
    [[nodiscard]] Walk recovering() const {
        Walk w = *this;
        w.base = 2;
        return w;
    }
};

// a key the test walks with the value derived from its documented default and range
Walk derived();
// a then b
std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b);

// every walked key ("section.key") and how
const std::map<std::string, Walk>& walks();

}  // namespace swarm::testing
