#include "agents/learning/dataset.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace swarm::learning {
namespace {

// the whole file, inflated when gzip'd (gzread passes plain files through)
std::vector<unsigned char> read_all(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr) {
        throw std::runtime_error(path + ": cannot open");
    }
    std::vector<unsigned char> data;
    unsigned char buf[1 << 16];
    int n = 0;
    while ((n = gzread(f, buf, sizeof buf)) > 0) {
        data.insert(data.end(), buf, buf + n);
    }
    const bool failed = n < 0;
    gzclose(f);
    if (failed) {
        throw std::runtime_error(path + ": read error (corrupt gzip?)");
    }
    return data;
}

std::uint32_t be32(const std::vector<unsigned char>& d, std::size_t at) {
    return (std::uint32_t{d[at]} << 24) | (std::uint32_t{d[at + 1]} << 16) |
           (std::uint32_t{d[at + 2]} << 8) | d[at + 3];
}

}  // namespace

Dataset Dataset::head(std::size_t n) const {
    Dataset d;
    d.features = features;
    d.classes = classes;
    d.targets = targets;
    n = std::min(n, size());
    d.x.assign(x.begin(), x.begin() + static_cast<long>(n * features));
    if (!labels.empty()) {
        d.labels.assign(labels.begin(), labels.begin() + static_cast<long>(n));
    }
    if (!y.empty()) {
        d.y.assign(y.begin(), y.begin() + static_cast<long>(n * targets));
    }
    return d;
}

Standardizer Standardizer::fit(const Dataset& data) {
    const std::size_t f = data.features;
    std::vector<double> sum(f, 0.0);
    std::vector<double> sq(f, 0.0);
    for (std::size_t i = 0; i < data.size(); ++i) {
        for (std::size_t k = 0; k < f; ++k) {
            const double v = data.x[i * f + k];
            sum[k] += v;
            sq[k] += v * v;
        }
    }
    Standardizer s;
    s.mean.resize(f);
    s.inv_std.resize(f);
    const double n = std::max<double>(1.0, double(data.size()));
    for (std::size_t k = 0; k < f; ++k) {
        const double m = sum[k] / n;
        const double sd = std::sqrt(std::max(0.0, sq[k] / n - m * m));
        s.mean[k] = static_cast<float>(m);
        s.inv_std[k] = sd < 1e-3 ? 1.0F : static_cast<float>(1.0 / sd);
    }
    return s;
}

void Standardizer::apply(Dataset& data) const {
    if (mean.size() != data.features) {
        throw std::invalid_argument("standardizer fitted on " + std::to_string(mean.size()) +
                                    " features applied to " + std::to_string(data.features));
    }
    const std::size_t f = data.features;
    for (std::size_t i = 0; i < data.size(); ++i) {
        for (std::size_t k = 0; k < f; ++k) {
            float& v = data.x[i * f + k];
            v = (v - mean[k]) * inv_std[k];
        }
    }
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path) {
    const auto img = read_all(images_path);
    const auto lab = read_all(labels_path);
    if (img.size() < 16 || be32(img, 0) != 0x803) {
        throw std::runtime_error(images_path + ": not an IDX image file (magic 0x00000803)");
    }
    if (lab.size() < 8 || be32(lab, 0) != 0x801) {
        throw std::runtime_error(labels_path + ": not an IDX label file (magic 0x00000801)");
    }
    const std::size_t count = be32(img, 4);
    const std::size_t pixels = std::size_t{be32(img, 8)} * be32(img, 12);
    if (pixels == 0 || img.size() != 16 + count * pixels) {
        throw std::runtime_error(images_path + ": size does not match its header (" +
                                 std::to_string(count) + " images of " + std::to_string(pixels) +
                                 " pixels)");
    }
    if (be32(lab, 4) != count || lab.size() != 8 + count) {
        throw std::runtime_error(labels_path + ": label count does not match " + images_path);
    }
    Dataset d;
    d.features = static_cast<std::uint32_t>(pixels);
    d.x.resize(count * pixels);
    for (std::size_t i = 0; i < d.x.size(); ++i) {
        d.x[i] = static_cast<float>(img[16 + i]) / 255.0F;
    }
    d.labels.resize(count);
    std::uint32_t max_label = 0;
    for (std::size_t i = 0; i < count; ++i) {
        d.labels[i] = lab[8 + i];
        max_label = std::max(max_label, d.labels[i]);
    }
    d.classes = max_label + 1;
    return d;
}

std::optional<std::string> fashion_mnist_dir() {
    namespace fs = std::filesystem;
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("SWARM_FASHION_MNIST")) {
        candidates.emplace_back(env);
    }
    candidates.emplace_back("/usr/share/datasets/fashion-mnist");
    for (const auto& dir : candidates) {
        std::error_code ec;
        if (fs::exists(fs::path(dir) / "train-images-idx3-ubyte.gz", ec) ||
            fs::exists(fs::path(dir) / "train-images-idx3-ubyte", ec)) {
            return dir;
        }
    }
    return std::nullopt;
}

Dataset load_fashion_mnist(bool train) {
    const auto dir = fashion_mnist_dir();
    if (!dir) {
        throw std::runtime_error(
            "Fashion-MNIST not found: install Debian's dataset-fashion-mnist or set "
            "SWARM_FASHION_MNIST");
    }
    const std::string prefix = *dir + (train ? "/train-" : "/t10k-");
    auto pick = [](const std::string& base) {
        return std::filesystem::exists(base + ".gz") ? base + ".gz" : base;
    };
    return load_idx(pick(prefix + "images-idx3-ubyte"), pick(prefix + "labels-idx1-ubyte"));
}

Dataset make_linear_data(std::size_t samples, std::uint32_t features, double noise,
                         std::uint64_t seed, std::vector<float>* truth) {
    sim::RandomStream rng(seed, 0, 0xDA7A);
    std::vector<float> w(features + 1);
    for (auto& v : w) {
        v = static_cast<float>(rng.uniform(-1.0, 1.0));
    }
    Dataset d;
    d.features = features;
    d.targets = 1;
    d.x.resize(samples * features);
    d.y.resize(samples);
    for (std::size_t i = 0; i < samples; ++i) {
        double t = w[features];
        for (std::uint32_t k = 0; k < features; ++k) {
            const auto v = static_cast<float>(rng.uniform(-1.0, 1.0));
            d.x[i * features + k] = v;
            t += double(w[k]) * v;
        }
        d.y[i] = static_cast<float>(t + rng.normal(0.0, noise));
    }
    if (truth != nullptr) {
        *truth = w;
    }
    return d;
}

Dataset make_blobs(std::size_t samples, std::uint32_t features, std::uint32_t classes,
                   double spread, std::uint64_t seed) {
    sim::RandomStream rng(seed, 0, 0xB10B);
    std::vector<float> centres(std::size_t{classes} * features);
    for (auto& c : centres) {
        c = static_cast<float>(rng.uniform(-1.0, 1.0));
    }
    Dataset d;
    d.features = features;
    d.classes = classes;
    d.x.resize(samples * features);
    d.labels.resize(samples);
    for (std::size_t i = 0; i < samples; ++i) {
        const auto c = static_cast<std::uint32_t>(i % classes);
        d.labels[i] = c;
        for (std::uint32_t k = 0; k < features; ++k) {
            d.x[i * features + k] = centres[std::size_t{c} * features + k] +
                                    static_cast<float>(rng.normal(0.0, spread));
        }
    }
    return d;
}

}  // namespace swarm::learning
