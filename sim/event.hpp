#pragma once
// Events and their total order. An event is 64 bytes: one cache line.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "sim/time.hpp"

namespace swarm::sim {

using LpId = std::uint32_t;
using EventType = std::uint16_t;

// LpId used as the source of events injected from outside the model (barrier actions).
inline constexpr LpId kExternalLp = 0xFFFF'FFFFu;

// Small typed message body carried inside the event (no allocation per event).
struct Payload {
    static constexpr std::size_t kBytes = 32;
    alignas(8) unsigned char bytes[kBytes] = {};

    template <class T>
    static Payload of(const T& value) {
        static_assert(std::is_trivially_copyable_v<T>, "payloads are copied as bytes");
        static_assert(sizeof(T) <= kBytes, "payload too large: keep bulk data in model state");
        Payload p;
        std::memcpy(p.bytes, &value, sizeof(T));
        return p;
    }
    template <class T>
    [[nodiscard]] T as() const {
        static_assert(std::is_trivially_copyable_v<T>, "payloads are copied as bytes");
        static_assert(sizeof(T) <= kBytes, "payload too large");
        T value;
        std::memcpy(&value, bytes, sizeof(T));
        return value;
    }
};

struct Event {
    Tick time = 0;
    std::uint64_t seq = 0;  // source LP's send counter: unique with src
    LpId src = 0;
    LpId dst = 0;
    std::uint32_t generation = 0;  // slot generation, for cancel
    EventType type = 0;
    std::uint8_t priority = 0;  // lower runs first among equal times
    std::uint8_t flags = 0;
    Payload payload;
};
static_assert(sizeof(Event) == 64, "Event is meant to fill exactly one cache line");

inline constexpr std::uint8_t kEventCancelled = 1;

// The total order every executor follows: (time, priority, source LP, source sequence).
[[nodiscard]] inline bool event_before(const Event& a, const Event& b) {
    if (a.time != b.time) {
        return a.time < b.time;
    }
    if (a.priority != b.priority) {
        return a.priority < b.priority;
    }
    if (a.src != b.src) {
        return a.src < b.src;
    }
    return a.seq < b.seq;
}

// Opaque handle to a self-scheduled event, valid until it runs or is cancelled.
struct EventHandle {
    std::uint32_t slot = 0xFFFF'FFFFu;
    std::uint32_t generation = 0;
    [[nodiscard]] bool valid() const { return slot != 0xFFFF'FFFFu; }
};

}  // namespace swarm::sim
