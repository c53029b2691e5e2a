// Data sets held in memory: features as a row-major float32 matrix, one sample a row, with
// integer class labels or real regression targets. Fashion-MNIST comes from Debian's
// dataset-fashion-mnist package (gzip'd IDX files); synthetic sets are seeded generators.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/random.hpp"

namespace swarm::learning {

struct Dataset {
    std::uint32_t features = 0;
    std::uint32_t classes = 0;          // 0 for regression
    std::uint32_t targets = 0;          // regression outputs per sample (0 for classification)
    std::vector<float> x;               // samples x features, row-major
    std::vector<std::uint32_t> labels;  // classification: one class a sample
    std::vector<float> y;               // regression: samples x targets, row-major

    [[nodiscard]] std::size_t size() const { return features == 0 ? 0 : x.size() / features; }
    [[nodiscard]] std::span<const float> row(std::size_t i) const {
        return {x.data() + i * features, features};
    }
    // the first n samples (or all), e.g. to keep a test fast
    [[nodiscard]] Dataset head(std::size_t n) const;
};

// Per-feature standardisation (x - mean) / std fitted on a training set and applied to the
// training and test sets alike; constant features (std < 1e-3) are only centred. Makes
// plain SGD well conditioned on raw pixels.
struct Standardizer {
    std::vector<float> mean;
    std::vector<float> inv_std;
    static Standardizer fit(const Dataset& data);
    void apply(Dataset& data) const;
};

// Reads an IDX image file (magic 0x803) and its label file (0x801), gzip'd or not; pixels
// scaled to [0, 1]. std::runtime_error naming the file and what is wrong.
Dataset load_idx(const std::string& images_path, const std::string& labels_path);

// The directory of Debian's Fashion-MNIST IDX files (env SWARM_FASHION_MNIST overrides),
// or nothing when they are not installed.
std::optional<std::string> fashion_mnist_dir();
// train-* (60,000) or t10k-* (10,000) from fashion_mnist_dir(); runtime_error if absent
Dataset load_fashion_mnist(bool train);

// Linear-regression data: x ~ U(-1, 1)^features, y = w* x + b* + N(0, noise^2), with w*, b*
// drawn from the same seed (returned in truth: [w* | b*]).
Dataset make_linear_data(std::size_t samples, std::uint32_t features, double noise,
                         std::uint64_t seed, std::vector<float>* truth = nullptr);
// Gaussian blobs: one centre per class drawn in [-1, 1]^features, samples around it with
// standard deviation `spread`; labels cycle 0..classes-1.
Dataset make_blobs(std::size_t samples, std::uint32_t features, std::uint32_t classes,
                   double spread, std::uint64_t seed);

}  // namespace swarm::learning
