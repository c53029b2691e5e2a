#include "agents/learning/operational.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <stdexcept>

#include "agents/learning/model.hpp"

using namespace swarm;
using namespace swarm::learning;

namespace {

// plain SGD over the whole set, cycling through it
std::vector<float> fit(const ModelSpec& spec, const Dataset& d, float lr, int steps) {
    std::vector<float> w(spec.parameters());
    sim::RandomStream rng(5, 0);
    init_weights(spec, w, rng);
    Scratch scratch;
    std::vector<std::uint32_t> rows(64);
    for (int s = 0; s < steps; ++s) {
        for (auto& r : rows) {
            r = static_cast<std::uint32_t>(rng.below(d.size()));
        }
        sgd_step(spec, w, d, rows, lr, scratch);
    }
    return w;
}

}  // namespace

TEST_CASE("the congestion field is seeded and peaks at rush hour") {
    const CongestionSpec spec;
    const CongestionField a(spec, 1);
    const CongestionField b(spec, 1);
    const CongestionField c(spec, 2);
    const world::Point p{1200.0, 3400.0};
    CHECK(a.factor(p, 8 * 3600.0) == b.factor(p, 8 * 3600.0));
    CHECK(a.factor(p, 8 * 3600.0) != c.factor(p, 8 * 3600.0));
    double peak = 0.0;
    for (double h = 6.0; h < 11.0; h += 0.25) {
        peak = std::max(peak, a.factor(p, h * 3600.0));
    }
    CHECK(a.factor(p, 3 * 3600.0) >= 1.0);
    CHECK(peak > a.factor(p, 3 * 3600.0));
    CHECK(a.factor(p, 3 * 3600.0) == a.factor(p, (3 + 24) * 3600.0));
    CHECK_THROWS_AS(CongestionField({0.0, 4, 1.6, 1.0, 0.1}, 1), std::invalid_argument);
}

TEST_CASE("a linear model learns part of the travel-time field from observations") {
    const CongestionSpec spec;
    const CongestionField field(spec, 3);
    const Dataset train = make_travel_time_data(field, spec, 8000, 1);
    const Dataset test = make_travel_time_data(field, spec, 2000, 2);
    double mean = std::accumulate(test.y.begin(), test.y.end(), 0.0) / double(test.size());
    double var = 0.0;
    for (float y : test.y) {
        var += 0.5 * (y - mean) * (y - mean);
    }
    var /= double(test.size());
    const ModelSpec lin{ModelKind::kLinear, field.feature_count(), 1, 0};
    const auto wl = fit(lin, train, 0.1F, 3000);
    const double linear_loss = evaluate(lin, wl, test).loss;
    MESSAGE("travel time: constant " << var << ", linear " << linear_loss);
    CHECK(linear_loss < 0.6 * var);  // the noise floor (sigma^2 / 2) is 0.25 of var
}

TEST_CASE("wear raises the hazard and signals predict breakdowns") {
    const DegradationSpec spec;
    const DegradationModel model(spec);
    ComponentState fresh;
    ComponentState worn{0.9, 2000.0};
    CHECK(model.hazard(worn) > 10.0 * model.hazard(fresh));
    // without hazard nothing breaks: 100 h of full use add about 100 x 0.004 of wear
    const DegradationModel no_hazard({spec.wear_per_hour, 0.0, 0.0, spec.sensor_noise});
    sim::RandomStream rng(1, 1);
    ComponentState s;
    for (int h = 0; h < 100; ++h) {
        CHECK(!no_hazard.advance(s, 1.0, 1.0, rng));
    }
    CHECK(s.wear > 0.3);
    CHECK(s.wear < 0.5);

    const Dataset train = make_breakdown_data(spec, 400, 200, 24, 1);
    const Dataset test = make_breakdown_data(spec, 100, 200, 24, 2);
    double positives = 0.0;
    for (auto l : test.labels) {
        positives += l;
    }
    const double p = positives / double(test.size());
    const double base = -(p * std::log(p) + (1.0 - p) * std::log(1.0 - p));
    const ModelSpec logistic{ModelKind::kLogistic, DegradationModel::kSignals, 2, 0};
    const auto w = fit(logistic, train, 0.5F, 4000);
    const double loss = evaluate(logistic, w, test).loss;
    MESSAGE("breakdown within 24 h: prevalence " << p << ", base-rate loss " << base
                                                 << ", logistic " << loss);
    CHECK(p > 0.02);
    CHECK(p < 0.5);
    CHECK(loss < 0.9 * base);
}
