#include "agents/learning/model_bank.hpp"

#include <cstdint>
#include <string>

#include "sim/state_archive.hpp"

namespace swarm::learning {
namespace {
bool counted(std::span<const unsigned char> mask, std::size_t i) {
    return mask.empty() || mask[i] != 0;
}
}  // namespace

std::vector<float> mean_row(const ModelBank& bank, std::span<const unsigned char> mask) {
    std::vector<double> sum(bank.parameters(), 0.0);
    std::size_t m = 0;
    for (std::size_t i = 0; i < bank.agents(); ++i) {
        if (!counted(mask, i)) {
            continue;
        }
        const auto r = bank.row(i);
        for (std::size_t k = 0; k < r.size(); ++k) {
            sum[k] += r[k];
        }
        ++m;
    }
    std::vector<float> mean(bank.parameters(), 0.0F);
    if (m > 0) {
        for (std::size_t k = 0; k < mean.size(); ++k) {
            mean[k] = static_cast<float>(sum[k] / double(m));
        }
    }
    return mean;
}

double consensus_distance(const ModelBank& bank, std::span<const unsigned char> mask) {
    const auto mean = mean_row(bank, mask);
    double total = 0.0;
    std::size_t m = 0;
    for (std::size_t i = 0; i < bank.agents(); ++i) {
        if (!counted(mask, i)) {
            continue;
        }
        const auto r = bank.row(i);
        for (std::size_t k = 0; k < r.size(); ++k) {
            const double d = double(r[k]) - mean[k];
            total += d * d;
        }
        ++m;
    }
    return m == 0 ? 0.0 : total / double(m);
}

void ModelBank::save(sim::StateArchive& ar) const {
    ar.put_value("parameters", std::uint64_t{parameters_});
    ar.put("weights", data_);
}

void ModelBank::load(const sim::StateArchive& ar) {
    std::vector<float> w;
    ar.get("weights", w, data_.size());  // names the field when the fleet size differs
    const auto p = ar.get_value<std::uint64_t>("parameters");
    if (p != parameters_) {
        throw sim::CheckpointError("checkpoint model bank: rows of " + std::to_string(p) +
                                   " parameters; this run's models have " +
                                   std::to_string(parameters_));
    }
    data_ = std::move(w);
}

}  // namespace swarm::learning
