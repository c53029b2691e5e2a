#include "io/csv/csv_reader.hpp"

#include <doctest/doctest.h>

#include <string>

using swarm::io::CsvError;
using swarm::io::parse_csv;

namespace {

// the error's "line:column: message" for bad text
std::string error_of(const std::string& text) {
    try {
        (void)parse_csv(text, "t.csv");
    } catch (const CsvError& e) {
        return std::to_string(e.line()) + ":" + std::to_string(e.column()) + ": " + e.message();
    }
    return "no error";
}

}  // namespace

TEST_CASE("csv: fields, quotes, line ends and positions") {
    const auto t =
        parse_csv("\xEF\xBB\xBFid,name,size\r\n1,\"a, \"\"b\"\"\",3\r\n\n2,plain,4", "t.csv");
    REQUIRE(t.header.size() == 3);
    CHECK(t.header[0].text == "id");
    CHECK(t.header[0].column == 1);
    CHECK(t.column("size") == 2);
    CHECK(t.column("nope") == -1);
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0][1].text == "a, \"b\"");
    CHECK(t.rows[0][1].line == 2);
    CHECK(t.rows[0][1].column == 3);
    CHECK(t.rows[0][2].column == 14);
    CHECK(t.rows[1][0].line == 4);  // the blank line counted
    CHECK(t.rows[1][2].text == "4");
    CHECK(t.rows[1][2].column == 9);
}

TEST_CASE("csv: a quoted line break keeps the following cells' lines right") {
    const auto t = parse_csv("a,b\n\"x\ny\",2\n3,4\n", "t.csv");
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0][0].text == "x\ny");
    CHECK(t.rows[0][1].line == 3);
    CHECK(t.rows[0][1].column == 4);
    CHECK(t.rows[1][0].line == 4);
}

TEST_CASE("csv: empty fields and a trailing comma") {
    const auto t = parse_csv("a,b\n,\n", "t.csv");
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0][0].text.empty());
    CHECK(t.rows[0][1].text.empty());
    CHECK(t.rows[0][1].column == 2);
}

TEST_CASE("csv: every malformation is refused at its place") {
    CHECK(error_of("") == "0:0: the file is empty: it needs a header row");
    CHECK(error_of("a,,c\n") == "1:3: header column 2 has no name");
    CHECK(error_of("a,b,a\n") == "1:5: column 'a' is in the header twice");
    CHECK(error_of("a,b\n1,2,3\n") == "2:5: this row has 3 fields, the header 2");
    CHECK(error_of("a,b\n1\n") == "2:1: this row has 1 fields, the header 2");
    CHECK(error_of("a,b\n1,x\"y\n") ==
          "2:4: a '\"' inside an unquoted field (quote the whole field, \"\" for a quote inside)");
    CHECK(error_of("a,b\n1,\"xy\"z\n") ==
          "2:7: text after a quoted field's closing '\"' (quote the whole field, \"\" for a "
          "quote inside)");
    CHECK(error_of("a,b\n1,\"open\n2,3\n") ==
          "2:3: a quoted field is not closed (a '\"' is missing)");
}

TEST_CASE("csv: a missing file is an I/O error naming it") {
    try {
        (void)swarm::io::read_csv("/nonexistent/orders.csv");
        FAIL("no error");
    } catch (const CsvError& e) {
        CHECK(e.io());
        CHECK(std::string(e.what()) ==
              "/nonexistent/orders.csv: error: cannot read the file: it does not exist");
    }
}
