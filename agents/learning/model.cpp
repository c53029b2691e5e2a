#include "agents/learning/model.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace swarm::learning {
namespace {

using MatR = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapR = Eigen::Map<MatR>;
using CMapR = Eigen::Map<const MatR>;
using CVec = Eigen::Map<const Eigen::VectorXf>;

// offsets of the blocks inside one weight row
struct Layout {
    std::size_t w1 = 0, b1 = 0, w2 = 0, b2 = 0, total = 0;
};

Layout layout(const ModelSpec& s) {
    Layout l;
    if (s.kind == ModelKind::kMlp) {
        l.w1 = 0;
        l.b1 = std::size_t{s.hidden} * s.inputs;
        l.w2 = l.b1 + s.hidden;
        l.b2 = l.w2 + std::size_t{s.outputs} * s.hidden;
        l.total = l.b2 + s.outputs;
    } else {
        l.w1 = 0;
        l.b1 = std::size_t{s.outputs} * s.inputs;
        l.total = l.b1 + s.outputs;
    }
    return l;
}

void gather(const Dataset& data, std::span<const std::uint32_t> rows, std::vector<float>& out) {
    out.resize(rows.size() * data.features);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto src = data.row(rows[r]);
        std::copy(src.begin(), src.end(), out.begin() + static_cast<long>(r * data.features));
    }
}

// row-wise softmax in place; returns nothing, keeps numerically safe by the row maximum
void softmax_rows(MapR& a) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
        const float m = a.row(i).maxCoeff();
        a.row(i) = (a.row(i).array() - m).exp();
        a.row(i) /= a.row(i).sum();
    }
}

// Forward pass on a gathered batch: fills scratch.a (B x outputs; probabilities for the
// classifiers) and, for the MLP, scratch.h (B x hidden, after ReLU).
void forward(const ModelSpec& s, std::span<const float> w, const float* xb, Eigen::Index n,
             Scratch& scratch) {
    const Layout l = layout(s);
    const CMapR x(xb, n, s.inputs);
    scratch.a.resize(static_cast<std::size_t>(n) * s.outputs);
    MapR a(scratch.a.data(), n, s.outputs);
    if (s.kind == ModelKind::kMlp) {
        scratch.h.resize(static_cast<std::size_t>(n) * s.hidden);
        MapR h(scratch.h.data(), n, s.hidden);
        const CMapR w1(w.data() + l.w1, s.hidden, s.inputs);
        const CVec b1(w.data() + l.b1, s.hidden);
        const CMapR w2(w.data() + l.w2, s.outputs, s.hidden);
        const CVec b2(w.data() + l.b2, s.outputs);
        h.noalias() = x * w1.transpose();
        h.rowwise() += b1.transpose();
        h = h.cwiseMax(0.0F);
        a.noalias() = h * w2.transpose();
        a.rowwise() += b2.transpose();
    } else {
        const CMapR w1(w.data() + l.w1, s.outputs, s.inputs);
        const CVec b1(w.data() + l.b1, s.outputs);
        a.noalias() = x * w1.transpose();
        a.rowwise() += b1.transpose();
    }
    if (s.kind != ModelKind::kLinear) {
        softmax_rows(a);
    }
}

// loss of a forward-passed batch; turns scratch.a into dLoss/dLogits (not yet / n)
double loss_and_delta(const ModelSpec& s, const Dataset& data, std::span<const std::uint32_t> rows,
                      Scratch& scratch) {
    const auto n = static_cast<Eigen::Index>(rows.size());
    MapR a(scratch.a.data(), n, s.outputs);
    double loss = 0.0;
    if (s.kind == ModelKind::kLinear) {
        for (Eigen::Index i = 0; i < n; ++i) {
            const float* t =
                data.y.data() + std::size_t{rows[static_cast<std::size_t>(i)]} * s.outputs;
            for (Eigen::Index k = 0; k < a.cols(); ++k) {
                a(i, k) -= t[k];
                loss += 0.5 * double(a(i, k)) * double(a(i, k));
            }
        }
    } else {
        for (Eigen::Index i = 0; i < n; ++i) {
            const auto label =
                static_cast<Eigen::Index>(data.labels[rows[static_cast<std::size_t>(i)]]);
            loss -= std::log(std::max(double(a(i, label)), 1e-12));
            a(i, label) -= 1.0F;
        }
    }
    return loss;
}

}  // namespace

const char* to_string(ModelKind kind) {
    switch (kind) {
        case ModelKind::kLinear:
            return "linear";
        case ModelKind::kLogistic:
            return "logistic";
        case ModelKind::kMlp:
            return "mlp";
    }
    return "?";
}

ModelKind model_kind_from_string(const std::string& name) {
    for (auto k : {ModelKind::kLinear, ModelKind::kLogistic, ModelKind::kMlp}) {
        if (name == to_string(k)) {
            return k;
        }
    }
    throw std::invalid_argument("unknown model '" + name + "' (linear, logistic, mlp)");
}

std::size_t ModelSpec::parameters() const {
    return layout(*this).total;
}

void ModelSpec::validate() const {
    if (inputs == 0) {
        throw std::invalid_argument("model: inputs must be > 0");
    }
    if (outputs == 0) {
        throw std::invalid_argument("model: outputs must be > 0");
    }
    if (kind != ModelKind::kLinear && outputs < 2) {
        throw std::invalid_argument("model: a classifier needs outputs (classes) >= 2");
    }
    if (kind == ModelKind::kMlp && hidden == 0) {
        throw std::invalid_argument("model: mlp needs hidden > 0");
    }
}

void init_weights(const ModelSpec& spec, std::span<float> w, sim::RandomStream& rng) {
    const Layout l = layout(spec);
    std::fill(w.begin(), w.end(), 0.0F);
    auto fill = [&](std::size_t from, std::size_t count, std::uint32_t fan_in,
                    std::uint32_t fan_out) {
        const double r = std::sqrt(6.0 / double(fan_in + fan_out));
        for (std::size_t i = 0; i < count; ++i) {
            w[from + i] = static_cast<float>(rng.uniform(-r, r));
        }
    };
    if (spec.kind == ModelKind::kMlp) {
        fill(l.w1, std::size_t{spec.hidden} * spec.inputs, spec.inputs, spec.hidden);
        fill(l.w2, std::size_t{spec.outputs} * spec.hidden, spec.hidden, spec.outputs);
    } else if (spec.kind == ModelKind::kLogistic) {
        // a convex model: zero is the customary start and keeps runs comparable
    } else {
        fill(l.w1, std::size_t{spec.outputs} * spec.inputs, spec.inputs, spec.outputs);
    }
}

double loss_and_gradient(const ModelSpec& s, std::span<const float> w, const Dataset& data,
                         std::span<const std::uint32_t> rows, std::span<float> grad,
                         Scratch& scratch) {
    const Layout l = layout(s);
    const auto n = static_cast<Eigen::Index>(rows.size());
    std::fill(grad.begin(), grad.end(), 0.0F);
    if (n == 0) {
        return 0.0;
    }
    gather(data, rows, scratch.batch_x);
    forward(s, w, scratch.batch_x.data(), n, scratch);
    const double loss = loss_and_delta(s, data, rows, scratch) / double(n);
    const float inv = 1.0F / static_cast<float>(n);
    const CMapR x(scratch.batch_x.data(), n, s.inputs);
    MapR delta(scratch.a.data(), n, s.outputs);
    if (s.kind == ModelKind::kMlp) {
        MapR h(scratch.h.data(), n, s.hidden);
        MapR gw2(grad.data() + l.w2, s.outputs, s.hidden);
        Eigen::Map<Eigen::VectorXf> gb2(grad.data() + l.b2, s.outputs);
        gw2.noalias() = inv * (delta.transpose() * h);
        gb2 = inv * delta.colwise().sum().transpose();
        // back through W2 and the ReLU (h > 0 where the unit was active)
        const CMapR w2(w.data() + l.w2, s.outputs, s.hidden);
        MatR dh = (delta * w2).cwiseProduct((h.array() > 0.0F).cast<float>().matrix());
        MapR gw1(grad.data() + l.w1, s.hidden, s.inputs);
        Eigen::Map<Eigen::VectorXf> gb1(grad.data() + l.b1, s.hidden);
        gw1.noalias() = inv * (dh.transpose() * x);
        gb1 = inv * dh.colwise().sum().transpose();
    } else {
        MapR gw(grad.data() + l.w1, s.outputs, s.inputs);
        Eigen::Map<Eigen::VectorXf> gb(grad.data() + l.b1, s.outputs);
        gw.noalias() = inv * (delta.transpose() * x);
        gb = inv * delta.colwise().sum().transpose();
    }
    return loss;
}

double sgd_step(const ModelSpec& spec, std::span<float> w, const Dataset& data,
                std::span<const std::uint32_t> rows, float lr, Scratch& scratch) {
    scratch.grad.resize(w.size());
    const double loss = loss_and_gradient(spec, w, data, rows, scratch.grad, scratch);
    for (std::size_t i = 0; i < w.size(); ++i) {
        w[i] -= lr * scratch.grad[i];
    }
    return loss;
}

void predict(const ModelSpec& spec, std::span<const float> w, const float* x, std::size_t n,
             float* out, Scratch& scratch) {
    forward(spec, w, x, static_cast<Eigen::Index>(n), scratch);
    std::copy(scratch.a.begin(), scratch.a.begin() + static_cast<long>(n * spec.outputs), out);
}

Evaluation evaluate(const ModelSpec& s, std::span<const float> w, const Dataset& data,
                    std::size_t limit) {
    const std::size_t total = limit == 0 ? data.size() : std::min(limit, data.size());
    Evaluation e;
    if (total == 0) {
        return e;
    }
    Scratch scratch;
    std::vector<std::uint32_t> rows;
    constexpr std::size_t kChunk = 512;
    std::size_t correct = 0;
    for (std::size_t from = 0; from < total; from += kChunk) {
        const std::size_t n = std::min(kChunk, total - from);
        rows.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            rows[i] = static_cast<std::uint32_t>(from + i);
        }
        gather(data, rows, scratch.batch_x);
        forward(s, w, scratch.batch_x.data(), static_cast<Eigen::Index>(n), scratch);
        if (s.kind != ModelKind::kLinear) {
            const CMapR a(scratch.a.data(), static_cast<Eigen::Index>(n), s.outputs);
            for (std::size_t i = 0; i < n; ++i) {
                Eigen::Index best = 0;
                a.row(static_cast<Eigen::Index>(i)).maxCoeff(&best);
                correct += static_cast<std::size_t>(best) == data.labels[from + i] ? 1U : 0U;
            }
        }
        e.loss += loss_and_delta(s, data, rows, scratch);
    }
    e.loss /= double(total);
    e.accuracy = s.kind == ModelKind::kLinear ? 0.0 : double(correct) / double(total);
    return e;
}

}  // namespace swarm::learning
