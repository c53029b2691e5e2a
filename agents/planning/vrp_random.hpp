// A small deterministic generator for the VRP solvers (splitmix64): the same seed gives the
// same stream on every platform and standard library, unlike std:: distributions.
#pragma once

#include <cstdint>

namespace swarm::planning {

class Rng {
  public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // uniform in [0, 1)
    double u01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // uniform in (0, 1]: safe to take the logarithm of
    double u01_open() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }
    // uniform in [0, n) for n >= 1 (the slight modulo bias is irrelevant here)
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }

  private:
    std::uint64_t state_;
};

}  // namespace swarm::planning
