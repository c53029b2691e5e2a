#include "viz/colormap.hpp"

#include <algorithm>
#include <cmath>

namespace swarm::viz {

const char* state_name(std::size_t state) {
    static constexpr std::array<const char*, kStateColours> kNames = {
        "idle",      "to pick-up", "loading", "en route",   "delivering",
        "returning", "charging",   "broken",  "maintenance"};
    return state < kNames.size() ? kNames[state] : "unknown";
}

Rgb viridis(double u) {
    static constexpr std::array<Rgb, 9> kTable = {{{68, 1, 84},
                                                   {71, 44, 122},
                                                   {59, 81, 139},
                                                   {44, 113, 142},
                                                   {33, 144, 141},
                                                   {39, 173, 129},
                                                   {92, 200, 99},
                                                   {170, 220, 50},
                                                   {253, 231, 37}}};
    if (!std::isfinite(u)) {
        u = 0.0;
    }
    const double x = std::clamp(u, 0.0, 1.0) * static_cast<double>(kTable.size() - 1);
    const auto i = std::min(static_cast<std::size_t>(x), kTable.size() - 2);
    const double f = x - static_cast<double>(i);
    auto mix = [f](std::uint8_t a, std::uint8_t b) {
        return static_cast<std::uint8_t>(std::lround(a + (b - a) * f));
    };
    return {mix(kTable[i].r, kTable[i + 1].r), mix(kTable[i].g, kTable[i + 1].g),
            mix(kTable[i].b, kTable[i + 1].b)};
}

ValueRange value_range(std::span<const float> values) {
    bool any = false;
    ValueRange r{0.0F, 0.0F};
    for (const float v : values) {
        if (!std::isfinite(v)) {
            continue;
        }
        if (!any) {
            r = {v, v};
            any = true;
        }
        r.min = std::min(r.min, v);
        r.max = std::max(r.max, v);
    }
    if (!any) {
        return {0.0F, 1.0F};
    }
    if (r.max <= r.min) {
        r.max = r.min + 1.0F;
    }
    return r;
}

double normalise(float v, ValueRange r) {
    const double u = (static_cast<double>(v) - r.min) / (static_cast<double>(r.max) - r.min);
    return std::isfinite(u) ? std::clamp(u, 0.0, 1.0) : 0.0;
}

std::array<float, 3> to_float(Rgb c) {
    return {static_cast<float>(c.r) / 255.0F, static_cast<float>(c.g) / 255.0F,
            static_cast<float>(c.b) / 255.0F};
}

std::uint32_t pack(Rgb c) {
    // little-endian memory order r, g, b, a
    return std::uint32_t{c.r} | (std::uint32_t{c.g} << 8U) | (std::uint32_t{c.b} << 16U) |
           (0xFFU << 24U);
}

void agent_colours(std::span<const std::uint8_t> state, ColourMode mode,
                   std::span<const float> values, ValueRange range,
                   std::vector<std::uint32_t>& out) {
    const std::size_t n = state.size();
    out.resize(n);
    if (mode == ColourMode::kState || values.size() < n) {
        std::array<std::uint32_t, 256> by_state{};
        for (std::size_t s = 0; s < by_state.size(); ++s) {
            by_state[s] = pack(kStateColour[std::min(s, kStateColours - 1)]);
        }
        for (std::size_t i = 0; i < n; ++i) {
            out[i] = by_state[state[i]];
        }
        return;
    }
    std::array<std::uint32_t, 256> ramp{};
    for (std::size_t k = 0; k < ramp.size(); ++k) {
        ramp[k] = pack(value_colour(static_cast<double>(k) / 255.0));
    }
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = ramp[static_cast<std::size_t>(std::lround(normalise(values[i], range) * 255.0))];
    }
}

Rgb value_colour(double u) {
    if (!std::isfinite(u)) {
        u = 0.0;
    }
    return viridis(kRampStart + (1.0 - kRampStart) * std::clamp(u, 0.0, 1.0));
}

double relative_luminance(Rgb c) {
    const auto linear = [](std::uint8_t v) {
        const double s = v / 255.0;
        return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

double contrast_ratio(Rgb a, Rgb b) {
    const double la = relative_luminance(a);
    const double lb = relative_luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

}  // namespace swarm::viz
