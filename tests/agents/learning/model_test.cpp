#include "agents/learning/model.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

using namespace swarm;
using namespace swarm::learning;

namespace {

// central finite differences of the batch loss against the analytic gradient
void check_gradient(const ModelSpec& spec, const Dataset& data) {
    sim::RandomStream rng(3, 0);
    std::vector<float> w(spec.parameters());
    for (auto& v : w) {
        v = static_cast<float>(rng.uniform(-0.5, 0.5));
    }
    std::vector<std::uint32_t> rows(16);
    std::iota(rows.begin(), rows.end(), 0U);
    std::vector<float> grad(w.size()), dummy(w.size());
    Scratch scratch;
    loss_and_gradient(spec, w, data, rows, grad, scratch);
    for (std::size_t k = 0; k < w.size(); k += 7) {
        const float keep = w[k];
        const float h = 1e-2F;
        w[k] = keep + h;
        const double up = loss_and_gradient(spec, w, data, rows, dummy, scratch);
        w[k] = keep - h;
        const double down = loss_and_gradient(spec, w, data, rows, dummy, scratch);
        w[k] = keep;
        CHECK(grad[k] == doctest::Approx((up - down) / (2.0 * h)).epsilon(0.02).scale(1e-2));
    }
}

}  // namespace

TEST_CASE("parameter counts follow the layouts") {
    CHECK(ModelSpec{ModelKind::kLinear, 5, 1, 0}.parameters() == 6);
    CHECK(ModelSpec{ModelKind::kLogistic, 784, 10, 0}.parameters() == 7850);
    CHECK(ModelSpec{ModelKind::kMlp, 4, 3, 8}.parameters() == 4 * 8 + 8 + 8 * 3 + 3);
    CHECK_THROWS_AS(ModelSpec({ModelKind::kMlp, 4, 3, 0}).validate(), std::invalid_argument);
    CHECK_THROWS_AS(model_kind_from_string("cnn"), std::invalid_argument);
}

TEST_CASE("analytic gradients match finite differences") {
    check_gradient({ModelKind::kLinear, 6, 2, 0}, [] {
        Dataset d = make_linear_data(32, 6, 0.1, 1);
        d.targets = 2;
        d.y.resize(64);
        for (std::size_t i = 0; i < 64; ++i) {
            d.y[i] = static_cast<float>(i % 5) * 0.3F;
        }
        return d;
    }());
    check_gradient({ModelKind::kLogistic, 5, 3, 0}, make_blobs(32, 5, 3, 0.7, 2));
    check_gradient({ModelKind::kMlp, 5, 3, 6}, make_blobs(32, 5, 3, 0.7, 2));
}

TEST_CASE("SGD recovers a linear model and separates blobs") {
    std::vector<float> truth;
    const Dataset lin = make_linear_data(2000, 4, 0.01, 7, &truth);
    const ModelSpec ls{ModelKind::kLinear, 4, 1, 0};
    std::vector<float> w(ls.parameters(), 0.0F);
    Scratch scratch;
    std::vector<std::uint32_t> rows(32);
    for (int step = 0; step < 2000; ++step) {
        for (std::size_t r = 0; r < rows.size(); ++r) {
            rows[r] = static_cast<std::uint32_t>((std::size_t(step) * 32 + r) % lin.size());
        }
        sgd_step(ls, w, lin, rows, 0.1F, scratch);
    }
    for (std::size_t k = 0; k < w.size(); ++k) {
        CHECK(w[k] == doctest::Approx(truth[k]).epsilon(0.02).scale(0.02));
    }
    CHECK(evaluate(ls, w, lin).loss < 1e-3);

    const Dataset blobs = make_blobs(900, 10, 3, 0.5, 8);
    const ModelSpec ms{ModelKind::kMlp, 10, 3, 16};
    std::vector<float> m(ms.parameters());
    sim::RandomStream rng(1, 0);
    init_weights(ms, m, rng);
    const double before = evaluate(ms, m, blobs).loss;
    for (int step = 0; step < 300; ++step) {
        for (std::size_t r = 0; r < rows.size(); ++r) {
            rows[r] = static_cast<std::uint32_t>((std::size_t(step) * 32 + r) % blobs.size());
        }
        sgd_step(ms, m, blobs, rows, 0.2F, scratch);
    }
    const auto after = evaluate(ms, m, blobs);
    CHECK(after.loss < before);
    CHECK(after.accuracy > 0.95);
}
