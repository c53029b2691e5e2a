#pragma once
// Counter-based random numbers: every draw is a pure function of (run seed, stream key,
// draw index), so no draw depends on which thread ran what or in which order.
#include <Random123/philox.h>

#include <cmath>
#include <cstdint>

namespace swarm::sim {

__extension__ using Uint128 = unsigned __int128;  // GCC/Clang builtin, fine under -pedantic

// Philox4x32-10 (Salmon et al., SC'11): a 128-bit block per counter value. Draw d of a
// stream reads word (d % 2) of block (d / 2); the last block is cached so that
// consecutive draws cost one Philox call per two 64-bit numbers.
class RandomStream {
  public:
    // seed: the run seed (the Philox key); stream: e.g. the LP id; substream: a model-chosen
    // tag that separates independent uses of the same LP (demand, failures, ...). Stream and
    // substream each own a counter word, so distinct (stream, substream) never collide.
    RandomStream(std::uint64_t seed, std::uint32_t stream, std::uint32_t substream = 0,
                 std::uint64_t first_draw = 0)
        : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
          stream_(stream),
          substream_(substream),
          draws_(first_draw) {}

    // the number of draws taken so far (saved by the kernel between events)
    [[nodiscard]] std::uint64_t draws() const { return draws_; }

    std::uint64_t next_u64() {
        const std::uint64_t block = draws_ >> 1;
        if (block != cached_block_ || !cache_valid_) {
            refill(block);
        }
        const std::uint64_t word = (draws_ & 1) == 0 ? (std::uint64_t{out_[1]} << 32) | out_[0]
                                                     : (std::uint64_t{out_[3]} << 32) | out_[2];
        ++draws_;
        return word;
    }

    // uniform in [0, 1), 53 random bits
    double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
    // uniform in (0, 1], safe for log()
    double uniform_open0() { return (static_cast<double>(next_u64() >> 11) + 1.0) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

    // uniform integer in [0, n) without modulo bias (Lemire's multiply-shift with rejection)
    std::uint64_t below(std::uint64_t n) {
        if (n == 0) {
            return 0;
        }
        Uint128 m = static_cast<Uint128>(next_u64()) * n;
        auto low = static_cast<std::uint64_t>(m);
        if (low < n) {
            const std::uint64_t threshold = (0 - n) % n;
            while (low < threshold) {
                m = static_cast<Uint128>(next_u64()) * n;
                low = static_cast<std::uint64_t>(m);
            }
        }
        return static_cast<std::uint64_t>(m >> 64);
    }

    double exponential(double mean) { return -mean * std::log(uniform_open0()); }
    bool bernoulli(double p) { return uniform() < p; }

    // standard normal by Box-Muller (uses exactly two draws, keeps the count predictable)
    double normal(double mean = 0.0, double stddev = 1.0) {
        const double u1 = uniform_open0();
        const double u2 = uniform();
        return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }

  private:
    void refill(std::uint64_t block) {
        using Philox = r123::Philox4x32;
        const Philox::ctr_type ctr = {{static_cast<std::uint32_t>(block),
                                       static_cast<std::uint32_t>(block >> 32), stream_,
                                       substream_}};
        const Philox::ctr_type out = Philox{}(ctr, key_);
        for (int i = 0; i < 4; ++i) {
            out_[i] = out[static_cast<unsigned>(i)];
        }
        cached_block_ = block;
        cache_valid_ = true;
    }

    r123::Philox4x32::key_type key_;
    std::uint32_t stream_;
    std::uint32_t substream_;
    std::uint64_t draws_;
    std::uint64_t cached_block_ = 0;
    bool cache_valid_ = false;
    std::uint32_t out_[4] = {};
};

}  // namespace swarm::sim
