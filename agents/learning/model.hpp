// Small Eigen models trained with SGD: linear regression, softmax (multinomial logistic)
// regression and a one-hidden-layer MLP. A model is only a spec (its shape); the weights
// live outside, as one float32 row of a ModelBank, so that thousands of agents' models are
// one contiguous matrix and averaging them is a streaming loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "agents/learning/dataset.hpp"
#include "sim/random.hpp"

namespace swarm::learning {

enum class ModelKind : std::uint8_t {
    kLinear,    // y = W x + b, loss 1/2 (y - t)^2 summed over outputs
    kLogistic,  // softmax(W x + b), cross-entropy (binary logistic is the 2-class case)
    kMlp,       // softmax(W2 relu(W1 x + b1) + b2), cross-entropy
};
const char* to_string(ModelKind kind);
// "linear", "logistic", "mlp"; std::invalid_argument otherwise
ModelKind model_kind_from_string(const std::string& name);

struct ModelSpec {
    ModelKind kind = ModelKind::kLogistic;
    std::uint32_t inputs = 1;
    std::uint32_t outputs = 1;  // regression targets, or classes
    std::uint32_t hidden = 0;   // MLP only

    // weights in a row: [W (outputs x inputs, row-major) | b] or [W1 | b1 | W2 | b2]
    [[nodiscard]] std::size_t parameters() const;
    // std::invalid_argument naming the bad field
    void validate() const;
};

struct Evaluation {
    double loss = 0.0;
    double accuracy = 0.0;  // fraction correct; 0 for regression
};

// Reusable buffers so that training allocates nothing per step.
struct Scratch {
    std::vector<float> batch_x;
    std::vector<float> batch_t;
    std::vector<float> a;  // activations
    std::vector<float> h;  // hidden layer
    std::vector<float> grad;
};

// Small random weights (Glorot-uniform for the weight matrices, zero biases), drawn from rng.
void init_weights(const ModelSpec& spec, std::span<float> w, sim::RandomStream& rng);

// Mean loss over the rows `rows` of data and its gradient into `grad` (size parameters()).
double loss_and_gradient(const ModelSpec& spec, std::span<const float> w, const Dataset& data,
                         std::span<const std::uint32_t> rows, std::span<float> grad,
                         Scratch& scratch);

// One SGD step on the given rows: w -= lr * grad. Returns the batch loss before the step.
double sgd_step(const ModelSpec& spec, std::span<float> w, const Dataset& data,
                std::span<const std::uint32_t> rows, float lr, Scratch& scratch);

// The model's outputs for n samples x (row-major, n x inputs) into out (n x outputs):
// regression values, or class probabilities for the classifiers.
void predict(const ModelSpec& spec, std::span<const float> w, const float* x, std::size_t n,
             float* out, Scratch& scratch);

// Loss and accuracy over rows [0, limit) of data (limit 0: all rows).
Evaluation evaluate(const ModelSpec& spec, std::span<const float> w, const Dataset& data,
                    std::size_t limit = 0);

}  // namespace swarm::learning
