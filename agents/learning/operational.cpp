#include "agents/learning/operational.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace swarm::learning {
namespace {
constexpr double kDay = 86400.0;
constexpr double kTwoPi = 6.283185307179586;

// a bump around `peak` of half-width `width`, on the 24-hour circle
double bump(double t, double peak, double width) {
    double d = std::fabs(std::fmod(t - peak + 1.5 * kDay, kDay) - 0.5 * kDay);
    return d >= width ? 0.0 : 0.5 * (1.0 + std::cos(3.141592653589793 * d / width));
}
}  // namespace

CongestionField::CongestionField(const CongestionSpec& spec, std::uint64_t seed) : spec_(spec) {
    if (!(spec.area_m > 0.0) || spec.zones == 0 || !(spec.max_level >= 1.0) ||
        !(spec.max_rush >= 0.0) || !(spec.noise >= 0.0)) {
        throw std::invalid_argument(
            "congestion: area_m > 0, zones > 0, max_level >= 1, max_rush >= 0, noise >= 0");
    }
    sim::RandomStream rng(seed, 0, 0xC0C0);
    zones_.resize(std::size_t{spec.zones} * spec.zones);
    for (auto& z : zones_) {
        z.level = rng.uniform(1.0, spec.max_level);
        z.rush = rng.uniform(0.0, spec.max_rush);
        z.peak_s = rng.uniform(7.0, 9.5) * 3600.0;
        z.width_s = rng.uniform(1.0, 2.5) * 3600.0;
    }
}

std::uint32_t CongestionField::zone_of(world::Point p) const {
    auto cell = [&](double v) {
        const double c = std::floor(v / spec_.area_m * spec_.zones);
        return static_cast<std::uint32_t>(std::clamp(c, 0.0, double(spec_.zones - 1)));
    };
    return cell(p.y) * spec_.zones + cell(p.x);
}

double CongestionField::factor(world::Point p, double t) const {
    const Zone& z = zones_[zone_of(p)];
    // morning peak and an evening peak nine hours later
    const double rush =
        bump(t, z.peak_s, z.width_s) + 0.8 * bump(t, z.peak_s + 9 * 3600.0, z.width_s);
    return z.level * (1.0 + z.rush * rush);
}

double CongestionField::observe(world::Point p, double t, double free_flow_s,
                                sim::RandomStream& rng) const {
    return free_flow_s * factor(p, t) * std::exp(rng.normal(0.0, spec_.noise));
}

void CongestionField::features(world::Point p, double t, float* out) const {
    zone_features(zone_of(p), t, out);
}

void CongestionField::zone_features(std::uint32_t zone, double t, float* out) const {
    const std::uint32_t zones = spec_.zones * spec_.zones;
    std::fill(out, out + zones, 0.0F);
    out[zone] = 1.0F;
    out[zones] = static_cast<float>(std::sin(kTwoPi * t / kDay));
    out[zones + 1] = static_cast<float>(std::cos(kTwoPi * t / kDay));
    out[zones + 2] = static_cast<float>(std::sin(2.0 * kTwoPi * t / kDay));
    out[zones + 3] = static_cast<float>(std::cos(2.0 * kTwoPi * t / kDay));
}

Dataset make_travel_time_data(const CongestionField& field, const CongestionSpec& spec,
                              std::size_t samples, std::uint64_t seed) {
    sim::RandomStream rng(seed, 0, 0x7A7E);
    Dataset d;
    d.features = field.feature_count();
    d.targets = 1;
    d.x.resize(samples * d.features);
    d.y.resize(samples);
    for (std::size_t i = 0; i < samples; ++i) {
        const world::Point p{rng.uniform(0.0, spec.area_m), rng.uniform(0.0, spec.area_m)};
        const double t = rng.uniform(0.0, kDay);
        field.features(p, t, d.x.data() + i * d.features);
        d.y[i] = static_cast<float>(std::log(field.observe(p, t, 1.0, rng)));
    }
    return d;
}

DegradationModel::DegradationModel(const DegradationSpec& spec) : spec_(spec) {
    if (!(spec.wear_per_hour > 0.0) || !(spec.base_hazard >= 0.0) || !(spec.wear_hazard >= 0.0) ||
        !(spec.sensor_noise >= 0.0)) {
        throw std::invalid_argument(
            "degradation: wear_per_hour > 0, hazards and sensor_noise >= 0");
    }
}

double DegradationModel::hazard(const ComponentState& s) const {
    return spec_.base_hazard + spec_.wear_hazard * s.wear * s.wear * s.wear;
}

bool DegradationModel::advance(ComponentState& s, double hours, double utilisation,
                               sim::RandomStream& rng) const {
    const double h = hazard(s);
    // one draw for the breakdown, one for the wear increment, always
    const bool broke = rng.uniform() < 1.0 - std::exp(-h * hours);
    const double grow = spec_.wear_per_hour * hours * utilisation * rng.uniform(0.5, 1.5);
    if (broke) {
        s = ComponentState{};
        return true;
    }
    s.wear = std::min(1.0, s.wear + grow);
    s.hours += hours;
    return false;
}

void DegradationModel::signals(const ComponentState& s, double utilisation, sim::RandomStream& rng,
                               float* out) const {
    out[0] = static_cast<float>(s.wear + rng.normal(0.0, spec_.sensor_noise));  // vibration
    out[1] = static_cast<float>(0.5 * s.wear + 0.3 * utilisation +
                                rng.normal(0.0, spec_.sensor_noise));  // temperature
    out[2] = static_cast<float>(s.hours / 1000.0);
}

Dataset make_breakdown_data(const DegradationSpec& spec, std::uint32_t vehicles,
                            std::uint32_t steps, std::uint32_t horizon, std::uint64_t seed) {
    const DegradationModel model(spec);
    Dataset d;
    d.features = DegradationModel::kSignals;
    d.classes = 2;
    d.x.assign(std::size_t{vehicles} * steps * d.features, 0.0F);
    d.labels.assign(std::size_t{vehicles} * steps, 0U);
    std::vector<std::uint32_t> broke_at;
    for (std::uint32_t v = 0; v < vehicles; ++v) {
        sim::RandomStream rng(seed, v, 0xDE6A);
        ComponentState s;
        // wear of a vehicle's fleet life so far: start somewhere along it
        s.wear = rng.uniform(0.0, 0.8);
        s.hours = s.wear / spec.wear_per_hour;
        broke_at.clear();
        const std::size_t first = std::size_t{v} * steps;
        for (std::uint32_t k = 0; k < steps; ++k) {
            const double u = rng.uniform(0.3, 1.0);
            model.signals(s, u, rng, d.x.data() + (first + k) * d.features);
            if (model.advance(s, 1.0, u, rng)) {
                broke_at.push_back(k);
            }
        }
        // label 1: the component breaks during one of the steps k .. k + horizon - 1
        std::size_t b = 0;
        for (std::uint32_t k = 0; k < steps; ++k) {
            while (b < broke_at.size() && broke_at[b] < k) {
                ++b;
            }
            d.labels[first + k] = b < broke_at.size() && broke_at[b] < k + horizon ? 1U : 0U;
        }
    }
    return d;
}

}  // namespace swarm::learning
