#include "cli/json_reader.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

using swarm::cli::flatten_numbers;
using swarm::cli::Json;
using swarm::cli::JsonError;
using swarm::cli::parse_json;

TEST_CASE("json reader parses nested documents") {
    const Json v = parse_json(
        R"({"a": 1.5e2, "s": "x\"y\u00e9\n", "b": [true, false, null], "o": {"k": -3}})");
    REQUIRE(v.is_object());
    CHECK(v["a"].get<double>() == 150.0);
    CHECK(v["s"].get<std::string>() == "x\"y\xc3\xa9\n");
    CHECK(v["b"].size() == 3);
    CHECK(v["b"][0].get<bool>());
    CHECK_FALSE(v["b"][1].get<bool>());
    CHECK(v["b"][2].is_null());
    CHECK(v["o"]["k"].get<double>() == -3.0);
    CHECK_FALSE(v.contains("missing"));
}

TEST_CASE("json flatten lists numeric leaves with dotted keys in document order") {
    const Json v =
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

TEST_CASE("json reader names the line and column of malformed input") {
    CHECK_THROWS_WITH_AS(
        (void)parse_json("{\n\"a\": 1,\n}"),
        "line 3, column 1: syntax error while parsing object key - unexpected '}'; expected "
        "string literal",
        JsonError);
    CHECK_THROWS_AS((void)parse_json("[1, 2"), JsonError);
    CHECK_THROWS_AS((void)parse_json("{\"a\": 01x}"), JsonError);
    CHECK_THROWS_AS((void)parse_json("\"open"), JsonError);
    CHECK_THROWS_AS((void)parse_json("{} extra"), JsonError);
    CHECK_THROWS_AS((void)parse_json(""), JsonError);
    CHECK_THROWS_WITH_AS((void)parse_json(std::string(1000, '[')),
                         "nested more than 256 levels deep", JsonError);
    CHECK_NOTHROW((void)parse_json(std::string(200, '[') + std::string(200, ']')));
}
