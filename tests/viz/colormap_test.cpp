#include "viz/colormap.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <tuple>
#include <vector>

using namespace swarm::viz;

TEST_CASE("state colours are distinct from each other and from the map colours") {
    std::set<std::tuple<int, int, int>> seen;
    for (const Rgb c : kStateColour) {
        seen.insert({c.r, c.g, c.b});
        CHECK_FALSE(c == kRoad);
        CHECK_FALSE(c == kClosedRoad);
        CHECK_FALSE(c == kBackground);
    }
    CHECK(seen.size() == kStateColours);
    CHECK(std::string(state_name(7)) == "broken");
    CHECK(std::string(state_name(99)) == "unknown");
}

TEST_CASE("WCAG contrast: the formula, and every map colour >= 3:1 on the background") {
    CHECK(contrast_ratio({0, 0, 0}, {255, 255, 255}) == doctest::Approx(21.0));
    CHECK(contrast_ratio({255, 255, 255}, {255, 255, 255}) == doctest::Approx(1.0));
    CHECK(contrast_ratio({118, 118, 118}, {255, 255, 255}) == doctest::Approx(4.54).epsilon(0.01));
    // graphics (WCAG 1.4.11): roads, closures, depots up and down, every vehicle state
    std::vector<Rgb> map = {kRoad, kClosedRoad, kDepot, kDownDepot};
    map.insert(map.end(), kStateColour.begin(), kStateColour.end());
    for (const Rgb c : map) {
        INFO("colour " << int(c.r) << "," << int(c.g) << "," << int(c.b));
        CHECK(contrast_ratio(c, kBackground) >= 3.0);
    }
    // the value ramp, end to end
    for (int i = 0; i <= 100; ++i) {
        CHECK(contrast_ratio(value_colour(0.01 * i), kBackground) >= 3.0);
    }
    CHECK(value_colour(1.0) == viridis(1.0));
    CHECK(contrast_ratio(viridis(0.0), kBackground) < 3.0);  // why the ramp starts later
    // the downed depot was dark red (120, 0, 0): 1.6:1, invisible (issue 17)
    CHECK(contrast_ratio({120, 0, 0}, kBackground) < 2.0);
    CHECK_FALSE(kDownDepot == kClosedRoad);
}

TEST_CASE("viridis runs from purple to yellow and clamps") {
    CHECK(viridis(0.0) == Rgb{68, 1, 84});
    CHECK(viridis(1.0) == Rgb{253, 231, 37});
    CHECK(viridis(-5.0) == viridis(0.0));
    CHECK(viridis(7.0) == viridis(1.0));
    CHECK(viridis(std::nan("")) == viridis(0.0));
    const Rgb mid = viridis(0.5);
    CHECK(mid.g > viridis(0.25).g);
}

TEST_CASE("value range ignores non-finite values and widens constants") {
    const std::vector<float> v = {3.0F, std::nanf(""), -1.0F, 7.0F};
    const ValueRange r = value_range(v);
    CHECK(r.min == -1.0F);
    CHECK(r.max == 7.0F);
    CHECK(normalise(3.0F, r) == doctest::Approx(0.5));
    CHECK(normalise(100.0F, r) == 1.0);
    const std::vector<float> flat = {2.0F, 2.0F};
    CHECK(value_range(flat).max == 3.0F);
    CHECK(value_range({}).max == 1.0F);
}

TEST_CASE("agent colours pack the state colour or the ramp value per agent") {
    CHECK(pack(Rgb{1, 2, 3}) == 0xFF030201U);
    const std::vector<std::uint8_t> state = {0, 3, 7, 200};
    std::vector<std::uint32_t> out;
    agent_colours(state, ColourMode::kState, {}, {}, out);
    REQUIRE(out.size() == 4);
    CHECK(out[1] == pack(kStateColour[3]));
    CHECK(out[2] == pack(kStateColour[7]));
    CHECK(out[3] == pack(kStateColour[kStateColours - 1]));  // unknown codes: the last colour
    const std::vector<float> load = {0.0F, 5.0F, 10.0F, 2.5F};
    agent_colours(state, ColourMode::kValue, load, {0.0F, 10.0F}, out);
    CHECK(out[0] == pack(value_colour(0.0)));
    CHECK(out[2] == pack(value_colour(1.0)));
    // values missing for some agents: by state
    agent_colours(state, ColourMode::kValue, std::vector<float>{1.0F}, {0.0F, 1.0F}, out);
    CHECK(out[1] == pack(kStateColour[3]));
}
