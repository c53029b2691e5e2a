#include "agents/comms/conditions.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace swarm;
using comms::CommsConditions;
using comms::Link;
using comms::LinkSet;
using comms::LossSpike;
using world::Region;

TEST_CASE("a fresh state has no blackouts or spikes and the cloud up") {
    const CommsConditions c;
    CHECK(c.radio_ok({0, 0}));
    CHECK(c.loss_at({0, 0}) == 0.0);
    CHECK(c.loss_at({0, 0}, Link::kCloud) == 0.0);
    CHECK(c.cloud_up());
    CHECK(c.version() == 0);
}

TEST_CASE("blackouts silence the radio inside their region until lifted") {
    CommsConditions c;
    const auto a = c.add_blackout(Region::circle({0, 0}, 100));
    const auto b = c.add_blackout(Region::polygon({{500, 0}, {600, 0}, {600, 100}, {500, 100}}));
    CHECK(a != b);
    CHECK_FALSE(c.radio_ok({50, 50}));
    CHECK_FALSE(c.radio_ok({550, 50}));
    CHECK(c.radio_ok({300, 0}));
    const auto v = c.version();
    CHECK(c.remove(a));
    CHECK(c.version() > v);
    CHECK(c.radio_ok({50, 50}));
    CHECK_FALSE(c.radio_ok({550, 50}));
    CHECK_FALSE(c.remove(a));  // already lifted
    CHECK(c.blackout_count() == 1);
}

TEST_CASE("loss spikes combine as independent losses where they apply") {
    CommsConditions c;
    const auto everywhere = c.add_loss_spike({0.5, std::nullopt, LinkSet::kRadio});
    c.add_loss_spike({0.2, Region::circle({0, 0}, 10), LinkSet::kBoth});
    c.add_loss_spike({0.4, std::nullopt, LinkSet::kCloud});
    CHECK(c.spike_count() == 3);
    CHECK(c.loss_at({100, 100}) == doctest::Approx(0.5));
    CHECK(c.loss_at({0, 0}) == doctest::Approx(1.0 - (0.5 * 0.8)));
    CHECK(c.loss_at({100, 100}, Link::kCloud) == doctest::Approx(0.4));
    CHECK(c.loss_at({0, 0}, Link::kCloud) == doctest::Approx(1.0 - (0.6 * 0.8)));
    // a message with one end in the region counts the regional spike once
    CHECK(c.radio_loss_between({0, 0}, {100, 100}) == doctest::Approx(1.0 - (0.5 * 0.8)));
    CHECK(c.radio_loss_between({1, 0}, {0, 1}) == doctest::Approx(1.0 - (0.5 * 0.8)));
    CHECK(c.radio_loss_between({100, 0}, {100, 100}) == doctest::Approx(0.5));
    CHECK(c.remove(everywhere));
    CHECK(c.loss_at({100, 100}) == 0.0);
    CHECK_THROWS_AS(c.add_loss_spike({1.5, std::nullopt, LinkSet::kRadio}), std::invalid_argument);
    CHECK_THROWS_AS(c.add_loss_spike({-0.1, std::nullopt, LinkSet::kRadio}), std::invalid_argument);
}

TEST_CASE("the cloud link goes down and up and bumps the version only on change") {
    CommsConditions c;
    c.set_cloud_up(false);
    CHECK_FALSE(c.cloud_up());
    const auto v = c.version();
    c.set_cloud_up(false);
    CHECK(c.version() == v);
    c.set_cloud_up(true);
    CHECK(c.cloud_up());
    CHECK(c.version() == v + 1);
}
