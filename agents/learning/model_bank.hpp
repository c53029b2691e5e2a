// The weights of every agent in one contiguous float32 matrix, one row per agent. Hot
// loops (averaging, mixing) stream over rows; nothing here allocates after construction.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace swarm::sim {
class StateArchive;
}

namespace swarm::learning {

class ModelBank {
  public:
    ModelBank() = default;
    ModelBank(std::size_t agents, std::size_t parameters)
        : agents_(agents), parameters_(parameters), data_(agents * parameters, 0.0F) {}

    [[nodiscard]] std::size_t agents() const { return agents_; }
    [[nodiscard]] std::size_t parameters() const { return parameters_; }
    [[nodiscard]] std::span<float> row(std::size_t agent) {
        return {data_.data() + agent * parameters_, parameters_};
    }
    [[nodiscard]] std::span<const float> row(std::size_t agent) const {
        return {data_.data() + agent * parameters_, parameters_};
    }
    [[nodiscard]] float* data() { return data_.data(); }
    [[nodiscard]] const float* data() const { return data_.data(); }
    [[nodiscard]] std::size_t bytes() const { return data_.size() * sizeof(float); }

    // checkpoints, under the caller's scope: "weights" (agents x parameters, row by row) and
    // "parameters" (the row length, to reshape them). Loading needs the same shape, else a
    // sim::CheckpointError naming the field.
    void save(sim::StateArchive& ar) const;
    void load(const sim::StateArchive& ar);

  private:
    std::size_t agents_ = 0;
    std::size_t parameters_ = 0;
    std::vector<float> data_;
};

// Mean of the rows whose mask entry is non-zero (all rows for an empty mask), accumulated
// in double in row order, so the result is independent of threads.
std::vector<float> mean_row(const ModelBank& bank, std::span<const unsigned char> mask = {});

// Consensus distance: (1/m) sum_i ||x_i - xbar||^2 over the masked rows (Koloskova et al.).
double consensus_distance(const ModelBank& bank, std::span<const unsigned char> mask = {});

}  // namespace swarm::learning
