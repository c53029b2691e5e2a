#include "agents/learning/partition.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace swarm::learning {
namespace {

void shuffle(std::vector<std::uint32_t>& v, sim::RandomStream& rng) {
    for (std::size_t i = v.size(); i > 1; --i) {
        std::swap(v[i - 1], v[rng.below(i)]);
    }
}

// split `count` items by weights with the largest-remainder rule (sums exactly to count)
std::vector<std::size_t> apportion(const std::vector<double>& weights, std::size_t count) {
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    std::vector<std::size_t> out(weights.size(), 0);
    std::vector<std::pair<double, std::size_t>> rest;
    std::size_t given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const double exact = total > 0.0 ? weights[i] / total * double(count) : 0.0;
        out[i] = static_cast<std::size_t>(std::floor(exact));
        given += out[i];
        rest.emplace_back(exact - std::floor(exact), i);
    }
    // ties broken by index: deterministic
    std::sort(rest.begin(), rest.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (std::size_t k = 0; given < count; ++k, ++given) {
        ++out[rest[k % rest.size()].second];
    }
    return out;
}

}  // namespace

const char* to_string(PartitionKind kind) {
    switch (kind) {
        case PartitionKind::kIid:
            return "iid";
        case PartitionKind::kDirichlet:
            return "dirichlet";
        case PartitionKind::kShards:
            return "shards";
        case PartitionKind::kPowerLaw:
            return "power_law";
    }
    return "?";
}

PartitionKind partition_kind_from_string(const std::string& name) {
    for (auto k : {PartitionKind::kIid, PartitionKind::kDirichlet, PartitionKind::kShards,
                   PartitionKind::kPowerLaw}) {
        if (name == to_string(k)) {
            return k;
        }
    }
    throw std::invalid_argument("unknown partition '" + name +
                                "' (iid, dirichlet, shards, power_law)");
}

void PartitionSpec::validate() const {
    if (!(beta > 0.0) || !std::isfinite(beta)) {
        throw std::invalid_argument("partition: beta must be > 0");
    }
    if (shards == 0) {
        throw std::invalid_argument("partition: shards must be > 0");
    }
    if (!(alpha > 0.0) || !std::isfinite(alpha)) {
        throw std::invalid_argument("partition: alpha must be > 0");
    }
}

double gamma_draw(double shape, sim::RandomStream& rng) {
    if (shape < 1.0) {
        // G(a) = G(a + 1) * U^(1/a)
        return gamma_draw(shape + 1.0, rng) * std::pow(rng.uniform_open0(), 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
        const double x = rng.normal();
        const double v = std::pow(1.0 + c * x, 3.0);
        if (v <= 0.0) {
            continue;
        }
        const double u = rng.uniform_open0();
        if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) {
            return d * v;
        }
    }
}

Partition make_partition(const Dataset& data, std::uint32_t agents, const PartitionSpec& spec,
                         std::uint64_t seed) {
    spec.validate();
    if (agents == 0) {
        throw std::invalid_argument("partition: agents must be > 0");
    }
    const std::size_t n = data.size();
    sim::RandomStream rng(seed, 0, 0x9A27);
    std::vector<std::uint32_t> all(n);
    std::iota(all.begin(), all.end(), 0U);
    Partition parts(agents);
    auto deal = [&](const std::vector<std::uint32_t>& items, const std::vector<std::size_t>& sizes,
                    std::size_t from) {
        for (std::uint32_t a = 0; a < agents; ++a) {
            parts[a].insert(parts[a].end(), items.begin() + static_cast<long>(from),
                            items.begin() + static_cast<long>(from + sizes[a]));
            from += sizes[a];
        }
    };
    switch (spec.kind) {
        case PartitionKind::kIid: {
            shuffle(all, rng);
            deal(all, apportion(std::vector<double>(agents, 1.0), n), 0);
            break;
        }
        case PartitionKind::kPowerLaw: {
            shuffle(all, rng);
            std::vector<double> w(agents);
            for (auto& v : w) {
                v = std::pow(rng.uniform_open0(), -1.0 / spec.alpha);  // Pareto, x_m = 1
            }
            // every agent keeps at least one sample when there are enough
            std::vector<std::size_t> sizes(agents, n >= agents ? 1 : 0);
            const auto extra = apportion(w, n - (n >= agents ? agents : 0));
            for (std::uint32_t a = 0; a < agents; ++a) {
                sizes[a] += extra[a];
            }
            deal(all, sizes, 0);
            break;
        }
        case PartitionKind::kDirichlet: {
            if (data.classes == 0) {
                throw std::invalid_argument("partition: dirichlet needs a classification set");
            }
            std::vector<std::vector<std::uint32_t>> by_class(data.classes);
            for (std::uint32_t i = 0; i < n; ++i) {
                by_class[data.labels[i]].push_back(i);
            }
            std::vector<double> p(agents);
            for (auto& items : by_class) {
                shuffle(items, rng);
                for (auto& v : p) {
                    v = gamma_draw(spec.beta, rng);
                }
                deal(items, apportion(p, items.size()), 0);
            }
            break;
        }
        case PartitionKind::kShards: {
            if (data.classes == 0) {
                throw std::invalid_argument("partition: shards needs a classification set");
            }
            shuffle(all, rng);
            std::stable_sort(all.begin(), all.end(), [&](std::uint32_t a, std::uint32_t b) {
                return data.labels[a] < data.labels[b];
            });
            const std::size_t count = std::size_t{agents} * spec.shards;
            const auto sizes = apportion(std::vector<double>(count, 1.0), n);
            std::vector<std::size_t> start(count + 1, 0);
            for (std::size_t s = 0; s < count; ++s) {
                start[s + 1] = start[s] + sizes[s];
            }
            std::vector<std::uint32_t> order(count);
            std::iota(order.begin(), order.end(), 0U);
            shuffle(order, rng);
            for (std::size_t s = 0; s < count; ++s) {
                const auto shard = order[s];
                auto& dst = parts[s / spec.shards];
                dst.insert(dst.end(), all.begin() + static_cast<long>(start[shard]),
                           all.begin() + static_cast<long>(start[shard + 1]));
            }
            break;
        }
    }
    return parts;
}

}  // namespace swarm::learning
