// The communication model's fixed parameters (immutable for a run) and the link model that
// turns a message size into a delay and a loss decision. Units: metres, seconds, bits per
// second, bytes; probabilities in [0, 1].
#pragma once

#include <cstdint>

#include "sim/random.hpp"
#include "sim/time.hpp"

namespace swarm::comms {

// Defaults: an 802.11p-class vehicle radio (a few hundred metres, 6 Mbit/s, milliseconds)
// and a cellular uplink to the cloud (tens of milliseconds round trip).
struct CommsSpec {
    double radio_range_m = 250.0;
    double radio_latency_s = 0.002;       // one hop, before transmission time
    double radio_bandwidth_bps = 6.0e6;   // bits per second
    double radio_loss = 0.02;             // base probability a radio message is lost
    double cloud_rtt_s = 0.08;            // round trip; each direction costs half
    double cloud_bandwidth_bps = 10.0e6;  // bits per second, each direction
    double cloud_loss = 0.005;            // base probability a cloud message is lost
    std::uint32_t header_bytes = 64;      // added to every message's payload on the wire

    // Throws std::invalid_argument naming the first bad field ("comms spec: radio_range_m
    // must be > 0 and finite"). Latencies must be at least one tick of `time`, because the
    // smallest of them is the kernel's lookahead.
    void validate(const sim::TimeScale& time = {}) const;
};

enum class Link : std::uint8_t {
    kRadio,  // agent to agent within radio range, one hop
    kCloud,  // agent to cloud or cloud to agent, one direction
};
const char* to_string(Link link);

// Delay and loss of single messages. Pure functions of the spec and the arguments.
class LinkModel {
  public:
    // validates the spec (throws std::invalid_argument)
    LinkModel(const CommsSpec& spec, sim::TimeScale time);

    [[nodiscard]] const CommsSpec& spec() const { return spec_; }
    [[nodiscard]] const sim::TimeScale& time() const { return time_; }

    // payload plus the per-message header: the bytes that travel and are counted
    [[nodiscard]] std::uint64_t wire_bytes(std::uint64_t payload_bytes) const {
        return payload_bytes + spec_.header_bytes;
    }
    // fixed part of the delay: radio latency, or half the cloud round trip
    [[nodiscard]] sim::Tick latency(Link link) const {
        return link == Link::kRadio ? radio_latency_ : cloud_latency_;
    }
    // latency + wire_bytes * 8 / bandwidth, each part rounded to the nearest tick
    [[nodiscard]] sim::Tick delay(Link link, std::uint64_t payload_bytes) const;
    // the smallest delay any message can have: a valid kernel lookahead
    [[nodiscard]] sim::Tick min_delay() const {
        return radio_latency_ < cloud_latency_ ? radio_latency_ : cloud_latency_;
    }

    // 1 - (1 - base loss of the link) * (1 - extra_loss); extra_loss from CommsConditions
    [[nodiscard]] double loss_probability(Link link, double extra_loss = 0.0) const;
    // Whether one message is lost. Takes exactly one draw from rng whatever the
    // probability, so the stream's position never depends on the conditions.
    bool lost(Link link, double extra_loss, sim::RandomStream& rng) const {
        return rng.uniform() < loss_probability(link, extra_loss);
    }

  private:
    CommsSpec spec_;
    sim::TimeScale time_;
    sim::Tick radio_latency_ = 0;
    sim::Tick cloud_latency_ = 0;
};

}  // namespace swarm::comms
