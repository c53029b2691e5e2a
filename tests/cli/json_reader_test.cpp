#include "cli/json_reader.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

using swarm::cli::flatten_numbers;
using swarm::cli::JsonError;
using swarm::cli::JsonValue;
using swarm::cli::parse_json;

TEST_CASE("json reader parses nested documents") {
    const JsonValue v = parse_json(
        R"({"a": 1.5e2, "s": "x\"y\u00e9\n", "b": [true, false, null], "o": {"k": -3}})");
    REQUIRE(v.kind == JsonValue::Kind::kObject);
    CHECK(v.find("a")->number == 150.0);
    CHECK(v.find("s")->text == "x\"y\xc3\xa9\n");
    CHECK(v.find("b")->items.size() == 3);
    CHECK(v.find("b")->items[0].boolean);
    CHECK_FALSE(v.find("b")->items[1].boolean);
    CHECK(v.find("b")->items[2].kind == JsonValue::Kind::kNull);
    CHECK(v.find("o")->find("k")->number == -3.0);
    CHECK(v.find("missing") == nullptr);
}

TEST_CASE("json flatten lists numeric leaves with dotted keys in order") {
    const JsonValue v =
        parse_json(R"({"x": 1, "by": {"a": 2, "b": null}, "list": [1, 2], "name": "n", "y": 3})");
    const auto flat = flatten_numbers(v);
    REQUIRE(flat.size() == 4);
    CHECK(flat[0].first == "x");
    CHECK(flat[1].first == "by.a");
    CHECK(flat[1].second == 2.0);
    CHECK(flat[2].first == "by.b");
    CHECK(std::isnan(flat[2].second));
    CHECK(flat[3].first == "y");
}

TEST_CASE("json reader names the line of malformed input") {
    CHECK_THROWS_WITH_AS((void)parse_json("{\n\"a\": 1,\n}"), "line 3: expected a member name",
                         JsonError);
    CHECK_THROWS_AS((void)parse_json("[1, 2"), JsonError);
    CHECK_THROWS_AS((void)parse_json("{\"a\": 01x}"), JsonError);
    CHECK_THROWS_AS((void)parse_json("\"open"), JsonError);
    CHECK_THROWS_AS((void)parse_json("{} extra"), JsonError);
    CHECK_THROWS_AS((void)parse_json(""), JsonError);
    CHECK_THROWS_AS((void)parse_json(std::string(1000, '[')), JsonError);
}
