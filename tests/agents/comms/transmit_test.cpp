#include "agents/comms/transmit.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

using namespace swarm;
using comms::CommsConditions;
using comms::DropReason;
using comms::LinkModel;

TEST_CASE("a radio message is delayed, lost or blacked out and always takes one draw") {
    comms::CommsSpec spec;
    spec.radio_loss = 0.0;
    const LinkModel link(spec, sim::TimeScale{});
    CommsConditions cond;
    sim::RandomStream rng(1, 2);

    auto d = comms::send_radio(link, cond, {0, 0}, {100, 0}, 686, rng);
    CHECK(d.delivered());
    CHECK(d.delay == 3000);
    CHECK(d.wire_bytes == 750);
    CHECK(rng.draws() == 1);

    const auto black = cond.add_blackout(world::Region::circle({100, 0}, 5));
    d = comms::send_radio(link, cond, {0, 0}, {100, 0}, 686, rng);
    CHECK(d.dropped == DropReason::kBlackout);
    CHECK(d.wire_bytes == 750);  // the sender still spent them
    CHECK(rng.draws() == 2);
    d = comms::send_radio(link, cond, {100, 0}, {0, 0}, 686, rng);
    CHECK(d.dropped == DropReason::kBlackout);
    cond.remove(black);

    cond.add_loss_spike({1.0, world::Region::circle({0, 0}, 5), comms::LinkSet::kRadio});
    d = comms::send_radio(link, cond, {0, 0}, {100, 0}, 10, rng);
    CHECK(d.dropped == DropReason::kLoss);
    d = comms::send_radio(link, cond, {50, 0}, {100, 0}, 10, rng);
    CHECK(d.delivered());
    CHECK(rng.draws() == 5);
    CHECK(std::string(comms::to_string(DropReason::kLoss)) == "loss");
}

TEST_CASE("a cloud message needs the cloud link and ignores radio blackouts") {
    comms::CommsSpec spec;
    spec.cloud_loss = 0.0;
    const LinkModel link(spec, sim::TimeScale{});
    CommsConditions cond;
    cond.add_blackout(world::Region::circle({0, 0}, 1000));
    sim::RandomStream rng(1, 3);
    auto d = comms::send_cloud(link, cond, {0, 0}, 1186, rng);
    CHECK(d.delivered());
    CHECK(d.delay == 41000);
    cond.set_cloud_up(false);
    d = comms::send_cloud(link, cond, {0, 0}, 1186, rng);
    CHECK(d.dropped == DropReason::kCloudDown);
    CHECK(std::string(comms::to_string(d.dropped)) == "cloud down");
    cond.set_cloud_up(true);
    cond.add_loss_spike({1.0, std::nullopt, comms::LinkSet::kCloud});
    d = comms::send_cloud(link, cond, {0, 0}, 1186, rng);
    CHECK(d.dropped == DropReason::kLoss);
    CHECK(rng.draws() == 3);
}

TEST_CASE("loss statistics through send_radio follow base and spike loss") {
    comms::CommsSpec spec;
    spec.radio_loss = 0.05;
    const LinkModel link(spec, sim::TimeScale{});
    CommsConditions cond;
    cond.add_loss_spike({0.2, std::nullopt, comms::LinkSet::kRadio});
    sim::RandomStream rng(42, 7);
    const int n = 40'000;
    int lost = 0;
    for (int k = 0; k < n; ++k) {
        lost += comms::send_radio(link, cond, {0, 0}, {10, 0}, 100, rng).delivered() ? 0 : 1;
    }
    const double p = 1.0 - (0.95 * 0.8);  // 0.24
    const double se = std::sqrt(p * (1 - p) / n);
    CHECK(std::fabs((lost / static_cast<double>(n)) - p) < 4.0 * se);
}
