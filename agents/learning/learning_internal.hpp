// Shared by the learning driver's translation units (learning_sim.cpp, the exchanges in
// learning_exchange.cpp): random substreams, chunked parallel loops, bucket sort.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sim/executor.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace swarm::learning::detail {

// substreams: one per purpose, so adding draws to one never shifts another
enum Tag : std::uint32_t {
    kTagInit = 0x4C00,
    kTagChurn,
    kTagBatch,
    kTagPeer,
    kTagLoss,
    kTagAttack,
    kTagIntruder,
    kTagRoles,
    kTagFedAvg,
    kTagMove,
    kTagTamper,  // whether a message is altered in transit
    kTagPoison,  // what the attacker puts in its place
    kTagReplay,  // which old update an outsider replays
};

// the stream of (agent, purpose) in a round: each round owns 2^32 draws
inline sim::RandomStream stream(std::uint64_t seed, std::uint32_t agent, Tag tag,
                                std::uint32_t round) {
    return {seed, agent, tag, std::uint64_t{round} << 32};
}

inline constexpr std::size_t kChunk = 64;

// ticks of the comms model (delays are compared with the round period in seconds)
inline constexpr sim::TimeScale kTime{};

// fn(i) for i in [0, n) on the executor, in chunks of kChunk agents
template <class Fn>
void parallel(sim::Executor& ex, std::size_t n, Fn&& fn) {
    sim::for_each_range(ex, n, kChunk, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            fn(i);
        }
    });
}

// the comms::MessageCounters lane of parallel()'s call for index i (its chunk's), and the
// lanes of a loop over n
inline std::size_t lane_of(std::size_t i) {
    return i / kChunk;
}
inline std::size_t lanes(std::size_t n) {
    return (n + kChunk - 1) / kChunk;
}

inline constexpr std::uint32_t kNoBucket = ~std::uint32_t{0};

// Stable counting sort of the indices i with key[i] != kNoBucket by key (< buckets):
// bucket b holds order[start[b] .. start[b + 1]), indices ascending.
inline void bucket_sort(std::span<const std::uint32_t> key, std::uint32_t buckets,
                        std::vector<std::uint32_t>& start, std::vector<std::uint32_t>& order) {
    start.assign(std::size_t{buckets} + 1, 0);
    for (const std::uint32_t k : key) {
        if (k != kNoBucket) {
            ++start[k + 1];
        }
    }
    for (std::uint32_t b = 0; b < buckets; ++b) {
        start[b + 1] += start[b];
    }
    order.resize(start[buckets]);
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (std::uint32_t i = 0; i < key.size(); ++i) {
        if (key[i] != kNoBucket) {
            order[fill[key[i]]++] = i;
        }
    }
}

}  // namespace swarm::learning::detail
