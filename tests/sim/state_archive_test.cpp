#include "sim/state_archive.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using swarm::sim::CheckpointError;
using swarm::sim::ElementKind;
using swarm::sim::StateArchive;

namespace {
enum class Colour : std::uint8_t { kRed, kGreen };
struct Pair {
    std::uint32_t a = 0;
    std::uint32_t b = 0;
};
}  // namespace

TEST_CASE("a state archive gives back what was put, by scoped name and type") {
    StateArchive ar;
    {
        const auto s = ar.scope("fleet");
        const auto v = ar.scope("vehicles");
        ar.put("node", std::vector<std::uint32_t>{3, 1, 4});
        ar.put("colour", std::vector<Colour>{Colour::kGreen});
        ar.put("pairs", std::vector<Pair>{{1, 2}, {3, 4}});
        ar.put_value("now", std::int64_t{-7});
        ar.put_strings("labels", {"bridge", "", "flood"});
        ar.put_nested("routes", std::vector<std::vector<double>>{{1.5}, {}, {2.0, 3.0}});
    }
    CHECK(ar.has("fleet/vehicles/node"));
    CHECK(ar.arrays().at("fleet/vehicles/node").kind == ElementKind::kU32);
    CHECK(ar.arrays().at("fleet/vehicles/colour").kind == ElementKind::kU8);
    CHECK(ar.arrays().at("fleet/vehicles/pairs").kind == ElementKind::kRecord);

    const auto s = ar.scope("fleet/vehicles");
    std::vector<std::uint32_t> node;
    ar.get("node", node, 3);
    CHECK(node == std::vector<std::uint32_t>{3, 1, 4});
    std::vector<Pair> pairs;
    ar.get("pairs", pairs);
    REQUIRE(pairs.size() == 2);
    CHECK(pairs[1].b == 4);
    CHECK(ar.get_value<std::int64_t>("now") == -7);
    CHECK(ar.get_strings("labels") == std::vector<std::string>{"bridge", "", "flood"});
    std::vector<std::vector<double>> routes;
    ar.get_nested("routes", routes);
    CHECK(routes == std::vector<std::vector<double>>{{1.5}, {}, {2.0, 3.0}});
}

TEST_CASE("a missing, mistyped or mis-sized field is refused by name") {
    StateArchive ar;
    ar.put("x", std::vector<std::uint32_t>{1, 2});
    std::vector<std::uint32_t> u32;
    std::vector<float> f32;
    CHECK_THROWS_WITH_AS(ar.get("y", u32), "checkpoint field 'y' is missing", CheckpointError);
    CHECK_THROWS_WITH_AS(ar.get("x", f32),
                         "checkpoint field 'x' holds uint32 elements of 4 bytes; this build "
                         "expects float32 of 4",
                         CheckpointError);
    CHECK_THROWS_WITH_AS(ar.get("x", u32, 3),
                         "checkpoint field 'x' holds 2 elements; this run has 3", CheckpointError);
    CHECK_THROWS_AS(ar.put("x", std::vector<std::uint32_t>{}), CheckpointError);
}

TEST_CASE("the checksum sees one changed byte and one renamed field") {
    StateArchive a;
    a.put("x", std::vector<std::uint8_t>{1, 2, 3});
    StateArchive b;
    b.put("x", std::vector<std::uint8_t>{1, 2, 4});
    StateArchive c;
    c.put("y", std::vector<std::uint8_t>{1, 2, 3});
    StateArchive d;
    d.put("x", std::vector<std::uint8_t>{1, 2, 3});
    CHECK(a.checksum() != b.checksum());
    CHECK(a.checksum() != c.checksum());
    CHECK(a.checksum() == d.checksum());
}

TEST_CASE("nested offsets that do not index their values are refused") {
    StateArchive ar;
    ar.put("n/offsets", std::vector<std::uint64_t>{0, 5});
    ar.put("n/values", std::vector<std::uint8_t>{1, 2});
    std::vector<std::vector<std::uint8_t>> out;
    CHECK_THROWS_AS(ar.get_nested("n", out), CheckpointError);
}

namespace {
struct Row {
    std::uint32_t id = 0;
    double x = 0.0;  // padding between id and x: saved field-wise, not as a record
    bool on = false;
};
}  // namespace

TEST_CASE("structs are saved field-wise and values checked against the run's by name") {
    StateArchive ar;
    const std::vector<Row> rows = {{1, 0.5, true}, {2, -1.0, false}};
    {
        const auto s = ar.scope("rows");
        ar.put_field("id", rows, &Row::id);
        ar.put_field("x", rows, &Row::x);
        ar.put_field("on", rows, &Row::on);
        ar.put_value("count", std::uint64_t{2});
    }
    CHECK(ar.arrays().at("rows/x").kind == ElementKind::kF64);
    CHECK(ar.arrays().at("rows/on").kind == ElementKind::kU8);
    const auto s = ar.scope("rows");
    CHECK(ar.count("id") == 2);
    std::vector<Row> back(ar.count("id"));
    ar.get_field("id", back, &Row::id);
    ar.get_field("x", back, &Row::x);
    ar.get_field("on", back, &Row::on);
    CHECK(back[1].id == 2);
    CHECK(back[0].x == 0.5);
    CHECK(back[0].on);
    CHECK_FALSE(back[1].on);
    std::vector<Row> three(3);
    CHECK_THROWS_WITH_AS(ar.get_field("id", three, &Row::id),
                         "checkpoint field 'rows/id' holds 2 elements; this run has 3",
                         CheckpointError);
    ar.expect_value("count", std::uint64_t{2});
    CHECK_THROWS_WITH_AS(ar.expect_value("count", std::uint64_t{5}),
                         "checkpoint field 'rows/count' holds 2; this run has 5", CheckpointError);
    CHECK_THROWS_WITH_AS((void)ar.count("nope"), "checkpoint field 'rows/nope' is missing",
                         CheckpointError);
    CHECK_THROWS_WITH_AS(ar.field_error("x", "is not a speed"),
                         "checkpoint field 'rows/x' is not a speed", CheckpointError);
}
