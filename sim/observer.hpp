#pragma once
// Observers see the simulation without being part of it: at window ends, at sample times
// (windows are cut there, so the state they read is consistent) and, if they ask, per event.
// Sample times are a grid (Engine::set_sampling, or the observer's own) plus the end of a run
// when the driver asks for it (Engine::sample_now), strictly increasing: no instant twice.
#include <cstddef>
#include <cstdint>

#include "sim/event.hpp"

namespace swarm::sim {

class Engine;

struct WindowInfo {
    std::uint64_t index = 0;   // 0-based window number
    Tick begin = 0;            // first event time in the window
    Tick end = 0;              // events with time < end were processed
    std::uint64_t events = 0;  // events processed in this window
};

class Observer {
  public:
    virtual ~Observer() = default;
    // on the thread that called Engine::run, between windows
    virtual void on_window_end(const Engine& /*engine*/, const WindowInfo& /*window*/) {}
    // every event before t has run, none at or after t has
    virtual void on_sample(const Engine& /*engine*/, Tick /*t*/) {}
    // per-event records are opt-in: they run on worker threads, concurrently for
    // different partitions, so the observer keeps one buffer per partition
    [[nodiscard]] virtual bool wants_events() const { return false; }
    virtual void on_event(std::size_t /*partition*/, const Event& /*event*/) {}
};

}  // namespace swarm::sim
