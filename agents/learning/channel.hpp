// The one seam between learning and the communication model: every model exchange asks
// it for wire bytes, delay and loss. Until agents/comms lands this mirrors the fields of
// comms::CommsSpec with the same formulas; afterwards it wraps comms::LinkModel.
#pragma once

#include <cstdint>
#include <stdexcept>

#include "sim/random.hpp"

namespace swarm::learning {

enum class LinkKind : std::uint8_t { kRadio, kCloud };

struct ChannelSpec {
    double radio_latency_s = 0.002;
    double radio_bandwidth_bps = 6.0e6;
    double radio_loss = 0.0;
    double cloud_rtt_s = 0.08;  // each direction costs half
    double cloud_bandwidth_bps = 10.0e6;
    double cloud_loss = 0.0;
    std::uint32_t header_bytes = 64;

    void validate() const {
        if (!(radio_latency_s >= 0.0) || !(cloud_rtt_s >= 0.0)) {
            throw std::invalid_argument("channel: latencies must be >= 0");
        }
        if (!(radio_bandwidth_bps > 0.0) || !(cloud_bandwidth_bps > 0.0)) {
            throw std::invalid_argument("channel: bandwidths must be > 0");
        }
        if (!(radio_loss >= 0.0 && radio_loss <= 1.0) ||
            !(cloud_loss >= 0.0 && cloud_loss <= 1.0)) {
            throw std::invalid_argument("channel: loss probabilities must be in [0, 1]");
        }
    }
};

class Channel {
  public:
    explicit Channel(const ChannelSpec& spec) : spec_(spec) { spec_.validate(); }

    [[nodiscard]] std::uint64_t wire_bytes(std::uint64_t payload) const {
        return payload + spec_.header_bytes;
    }
    // latency + wire bytes * 8 / bandwidth, in seconds
    [[nodiscard]] double delay_s(LinkKind link, std::uint64_t payload) const {
        const double bits = 8.0 * double(wire_bytes(payload));
        return link == LinkKind::kRadio
                   ? spec_.radio_latency_s + bits / spec_.radio_bandwidth_bps
                   : 0.5 * spec_.cloud_rtt_s + bits / spec_.cloud_bandwidth_bps;
    }
    // exactly one draw whatever the probability
    [[nodiscard]] bool lost(LinkKind link, sim::RandomStream& rng) const {
        return rng.uniform() < (link == LinkKind::kRadio ? spec_.radio_loss : spec_.cloud_loss);
    }

  private:
    ChannelSpec spec_;
};

}  // namespace swarm::learning
