#pragma once
// Integer simulation time. Ticks are exact and totally ordered; seconds are for humans.
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace swarm::sim {

using Tick = std::int64_t;

inline constexpr Tick kTickNever = std::numeric_limits<Tick>::max();

// How many ticks make one second. 1 tick = 1 microsecond unless a scenario says otherwise.
struct TimeScale {
    std::int64_t ticks_per_second = 1'000'000;

    [[nodiscard]] double to_seconds(Tick t) const {
        return static_cast<double>(t) / static_cast<double>(ticks_per_second);
    }
    // rounds to the nearest tick; refuses values that do not fit
    [[nodiscard]] Tick from_seconds(double seconds) const {
        const double ticks = std::round(seconds * static_cast<double>(ticks_per_second));
        if (!std::isfinite(ticks) || std::fabs(ticks) >= 9.2e18) {
            throw std::out_of_range("time in seconds does not fit in 64-bit ticks");
        }
        return static_cast<Tick>(ticks);
    }
};

// a + b without wrapping past kTickNever (used for window ends near "forever")
[[nodiscard]] constexpr Tick saturating_add(Tick a, Tick b) {
    return (b > 0 && a > kTickNever - b) ? kTickNever : a + b;
}

// a * n for a >= 0 without wrapping past kTickNever (segments of n lookaheads)
[[nodiscard]] constexpr Tick saturating_mul(Tick a, std::uint64_t n) {
    return (n > 0 && a > 0 &&
            static_cast<std::uint64_t>(a) > static_cast<std::uint64_t>(kTickNever) / n)
               ? kTickNever
               : static_cast<Tick>(static_cast<std::uint64_t>(a) * n);
}

}  // namespace swarm::sim
