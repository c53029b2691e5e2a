#include "agents/comms/comms_spec.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

using namespace swarm;
using comms::CommsSpec;
using comms::Link;
using comms::LinkModel;

TEST_CASE("defaults are valid and give the documented lookahead") {
    const CommsSpec spec;
    CHECK_NOTHROW(spec.validate());
    const LinkModel link(spec, sim::TimeScale{});
    CHECK(link.latency(Link::kRadio) == 2000);   // 2 ms
    CHECK(link.latency(Link::kCloud) == 40000);  // half of 80 ms
    CHECK(link.min_delay() == 2000);
    CHECK(std::string(comms::to_string(Link::kCloud)) == "cloud");
}

TEST_CASE("delay is latency plus wire bytes over bandwidth") {
    const CommsSpec spec;  // 6 Mbit/s radio, 10 Mbit/s cloud, 64-byte header
    const LinkModel link(spec, sim::TimeScale{});
    CHECK(link.wire_bytes(686) == 750);
    // 750 bytes = 6000 bits = 1 ms at 6 Mbit/s
    CHECK(link.delay(Link::kRadio, 686) == 2000 + 1000);
    // 1250 bytes = 10000 bits = 1 ms at 10 Mbit/s, plus 40 ms one way
    CHECK(link.delay(Link::kCloud, 1186) == 40000 + 1000);
    // an empty payload still carries its header: 512 bits at 6 Mbit/s = 85.33 us -> 85
    CHECK(link.delay(Link::kRadio, 0) == 2000 + 85);
    // a 1 MB model over the radio: 8,000,512 bits / 6e6 = 1.3334187 s
    CHECK(link.delay(Link::kRadio, 1'000'000) == 2000 + 1'333'419);

    SUBCASE("a coarser time scale rounds each part to whole ticks") {
        const LinkModel ms(spec, sim::TimeScale{1000});  // 1 tick = 1 ms
        CHECK(ms.delay(Link::kRadio, 686) == 2 + 1);
        CHECK(ms.delay(Link::kCloud, 1186) == 40 + 1);
    }
    SUBCASE("delay grows linearly with size") {
        for (std::uint64_t bytes = 0; bytes < 100'000; bytes += 7'499) {
            const double expected_s =
                0.002 + (static_cast<double>(bytes + 64) * 8.0 / spec.radio_bandwidth_bps);
            CHECK(std::llabs(link.delay(Link::kRadio, bytes) - std::llround(expected_s * 1e6)) <=
                  1);
        }
    }
}

TEST_CASE("invalid specs name the field") {
    const auto message = [](const CommsSpec& s, const sim::TimeScale& t = {}) {
        try {
            s.validate(t);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("valid");
    };
    CommsSpec s;
    s.radio_range_m = 0.0;
    CHECK(message(s) == "comms spec: radio_range_m must be > 0 and finite");
    s = {};
    s.radio_bandwidth_bps = std::numeric_limits<double>::infinity();
    CHECK(message(s).find("radio_bandwidth_bps") != std::string::npos);
    s = {};
    s.radio_loss = 1.5;
    CHECK(message(s) == "comms spec: radio_loss must be in [0, 1]");
    s = {};
    s.cloud_loss = std::nan("");
    CHECK(message(s) == "comms spec: cloud_loss must be in [0, 1]");
    s = {};
    s.cloud_rtt_s = -1.0;
    CHECK(message(s).find("cloud_rtt_s") != std::string::npos);
    s = {};
    s.cloud_bandwidth_bps = 0.0;
    CHECK(message(s).find("cloud_bandwidth_bps") != std::string::npos);
    s = {};
    s.radio_latency_s = 0.0004;  // below one 1 ms tick
    CHECK(message(s, sim::TimeScale{1000}).find("at least one tick") != std::string::npos);
    CHECK(message(s) == "valid");  // fine at 1 us ticks
    s.radio_latency_s = 0.0;
    CHECK_THROWS_AS(LinkModel(s, sim::TimeScale{}), std::invalid_argument);
}

TEST_CASE("loss probability combines base and extra loss") {
    CommsSpec spec;
    spec.radio_loss = 0.1;
    spec.cloud_loss = 0.0;
    const LinkModel link(spec, sim::TimeScale{});
    CHECK(link.loss_probability(Link::kRadio) == doctest::Approx(0.1));
    CHECK(link.loss_probability(Link::kRadio, 0.5) == doctest::Approx(0.55));
    CHECK(link.loss_probability(Link::kCloud) == 0.0);
    CHECK(link.loss_probability(Link::kCloud, 1.0) == 1.0);
}

TEST_CASE("seeded loss draws match the probability and always take one draw") {
    CommsSpec spec;
    spec.radio_loss = 0.1;
    spec.cloud_loss = 0.0;
    const LinkModel link(spec, sim::TimeScale{});
    // 20 seeds x 20000 draws: mean within 4 standard errors of p
    const int draws = 20'000;
    for (double extra : {0.0, 0.3}) {
        const double p = link.loss_probability(Link::kRadio, extra);
        long lost_total = 0;
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            sim::RandomStream rng(seed, 5, 9);
            int lost = 0;
            for (int d = 0; d < draws; ++d) {
                lost += link.lost(Link::kRadio, extra, rng) ? 1 : 0;
            }
            CHECK(rng.draws() == static_cast<std::uint64_t>(draws));
            const double se = std::sqrt(p * (1 - p) / draws);
            CHECK(std::fabs((lost / static_cast<double>(draws)) - p) < 4.5 * se);
            lost_total += lost;
        }
        const double n = 20.0 * draws;
        CHECK(std::fabs((static_cast<double>(lost_total) / n) - p) <
              4.0 * std::sqrt(p * (1 - p) / n));
    }
    // certain outcomes still consume exactly one draw each
    sim::RandomStream rng(3, 1);
    CHECK_FALSE(link.lost(Link::kCloud, 0.0, rng));
    CHECK(link.lost(Link::kCloud, 1.0, rng));
    CHECK(rng.draws() == 2);
    // the same seed gives the same decisions
    sim::RandomStream a(11, 2);
    sim::RandomStream b(11, 2);
    for (int d = 0; d < 1000; ++d) {
        CHECK(link.lost(Link::kRadio, 0.2, a) == link.lost(Link::kRadio, 0.2, b));
    }
}
