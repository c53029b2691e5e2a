// Learning scenario files: one TOML document (schema_version = 1) describing a
// decentralized-learning run: the data, the model, the protocol and its overlay, comms,
// churn, attack, defence and identities. Same conventions as fleet scenarios (unknown keys,
// types and ranges are errors with file:line:col; `--set key.path=value` overrides; the
// resolved document is kept). Field reference: docs/learning.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "agents/learning/dataset.hpp"
#include "agents/learning/learning_spec.hpp"
#include "io/scenario/scenario.hpp"

namespace swarm::io {

struct LearningData {
    std::string source = "fashion_mnist";  // "fashion_mnist", "blobs" or "linear"
    std::uint32_t train_samples = 0;       // the first n training samples (0: all)
    bool standardize = true;               // per-feature (x - mean) / std, fitted on train
    // synthetic sets
    std::uint32_t samples = 10'000;  // training samples (the test set gets a fifth of that)
    std::uint32_t features = 10;
    std::uint32_t classes = 4;  // blobs
    double spread = 0.5;        // blobs: standard deviation around the class centres
    double noise = 0.1;         // linear: target noise
};

struct LearningScenario {
    std::string source;
    std::uint32_t threads = 0;  // 0: all cores
    LearningData data;
    learning::LearningSpec spec;  // model.inputs/outputs are filled in by load_learning_data
    std::string resolved_toml;
};

// Reads, overrides and checks; throws ScenarioError naming file, line and field.
LearningScenario load_learning_scenario(const std::filesystem::path& file,
                                        const ScenarioOptions& options = {});
LearningScenario parse_learning_scenario(std::string_view text, const std::filesystem::path& name,
                                         const ScenarioOptions& options = {});

// Loads (or generates) the data sets the scenario names and sets the model's input and
// output sizes from them. std::runtime_error when a data file is missing or corrupt.
struct LoadedData {
    learning::Dataset train;
    learning::Dataset test;
};
LoadedData load_learning_data(LearningScenario& scenario);

}  // namespace swarm::io
