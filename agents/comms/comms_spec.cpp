#include "agents/comms/comms_spec.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace swarm::comms {

namespace {

void require(bool ok, const char* field, const std::string& what) {
    if (!ok) {
        throw std::invalid_argument(std::string("comms spec: ") + field + " " + what);
    }
}

bool positive_finite(double v) {
    return v > 0.0 && std::isfinite(v);
}

bool probability(double v) {
    return v >= 0.0 && v <= 1.0;  // false for NaN
}

}  // namespace

void CommsSpec::validate(const sim::TimeScale& time) const {
    require(positive_finite(radio_range_m), "radio_range_m", "must be > 0 and finite");
    require(positive_finite(radio_latency_s), "radio_latency_s", "must be > 0 and finite");
    require(time.from_seconds(radio_latency_s) >= 1, "radio_latency_s",
            "must be at least one tick (it bounds the lookahead)");
    require(positive_finite(radio_bandwidth_bps), "radio_bandwidth_bps", "must be > 0 and finite");
    require(probability(radio_loss), "radio_loss", "must be in [0, 1]");
    require(positive_finite(cloud_rtt_s), "cloud_rtt_s", "must be > 0 and finite");
    require(time.from_seconds(cloud_rtt_s / 2.0) >= 1, "cloud_rtt_s",
            "must be at least two ticks (half of it bounds the lookahead)");
    require(positive_finite(cloud_bandwidth_bps), "cloud_bandwidth_bps", "must be > 0 and finite");
    require(probability(cloud_loss), "cloud_loss", "must be in [0, 1]");
}

const char* to_string(Link link) {
    return link == Link::kRadio ? "radio" : "cloud";
}

LinkModel::LinkModel(const CommsSpec& spec, sim::TimeScale time) : spec_(spec), time_(time) {
    spec_.validate(time_);
    radio_latency_ = time_.from_seconds(spec_.radio_latency_s);
    cloud_latency_ = time_.from_seconds(spec_.cloud_rtt_s / 2.0);
}

sim::Tick LinkModel::delay(Link link, std::uint64_t payload_bytes) const {
    const double bandwidth =
        link == Link::kRadio ? spec_.radio_bandwidth_bps : spec_.cloud_bandwidth_bps;
    const double bits = static_cast<double>(wire_bytes(payload_bytes)) * 8.0;
    return latency(link) + time_.from_seconds(bits / bandwidth);
}

double LinkModel::loss_probability(Link link, double extra_loss) const {
    const double base = link == Link::kRadio ? spec_.radio_loss : spec_.cloud_loss;
    return 1.0 - ((1.0 - base) * (1.0 - extra_loss));
}

}  // namespace swarm::comms
