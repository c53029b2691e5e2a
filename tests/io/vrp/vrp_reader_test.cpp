// Solomon and VRPLIB readers: good files, and bad ones named by file, line and field.
#include "io/vrp/vrp_reader.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

using namespace swarm;
using namespace swarm::io;

namespace {

const std::string kSolomon = R"(C-TINY

VEHICLE
NUMBER     CAPACITY
  3         50

CUSTOMER
CUST NO.   XCOORD.   YCOORD.    DEMAND   READY TIME   DUE DATE   SERVICE TIME

    0      10        10          0          0        100          0
    4      13        14          5         10         20          2
    7      10        20         10          0         50          3
)";

const std::string kVrplibTw = R"(NAME : tiny-tw
COMMENT : hand made
TYPE : VRPTW
DIMENSION : 3
VEHICLES : 2
CAPACITY : 50
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 10 10
2 13 14
3 10 20
DEMAND_SECTION
1 0
2 5
3 10
TIME_WINDOW_SECTION
1 0 100
2 10 20
3 0 50
SERVICE_TIME_SECTION
1 0
2 2
3 3
DEPOT_SECTION
1
-1
EOF
)";

// the error's what() when parsing fails, "" when it does not
template <class Parse>
std::string error_of(Parse parse, const std::string& text) {
    try {
        (void)parse(text, "bad.vrp");
    } catch (const VrpFileError& e) {
        return e.what();
    }
    return "";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("solomon: a good file") {
    const planning::VrpInstance in = parse_solomon(kSolomon, "tiny.txt");
    CHECK(in.name == "C-TINY");
    CHECK(in.vehicles == 3);
    CHECK(in.capacity == 50.0);
    REQUIRE(in.nodes.size() == 3);
    CHECK(in.nodes[0].due == 100.0);
    CHECK(in.nodes[1].number == 4);
    CHECK(in.nodes[1].demand == 5.0);
    CHECK(in.nodes[2].service == 3.0);
    CHECK(in.distance(0, 1) == 5.0);
    CHECK(detect_vrp_format(kSolomon) == VrpFormat::kSolomon);
    // CRLF line ends are fine
    std::string crlf;
    for (const char c : kSolomon) {
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    }
    CHECK(parse_solomon(crlf, "crlf.txt").nodes.size() == 3);
}

TEST_CASE("solomon: bad input names the line and the field") {
    auto parse = [](const std::string& t, const std::string& s) { return parse_solomon(t, s); };
    CHECK(
        error_of(parse, replace(kSolomon, "13        14          5", "13        1x4          5")) ==
        "bad.vrp:11: error: YCOORD.: expected a finite number, got \"1x4\"");
    CHECK(error_of(parse,
                   replace(kSolomon, "10         20          2", "30         20          2")) ==
          "bad.vrp:11: error: DUE DATE: must be >= READY TIME");
    CHECK(
        error_of(parse, replace(kSolomon, "5         10         20", "-5         10         20")) ==
        "bad.vrp:11: error: DEMAND: must be >= 0");
    CHECK(error_of(parse, replace(kSolomon, "    7      10", "    4      10")) ==
          "bad.vrp:12: error: CUST NO.: customer 4 appears twice");
    CHECK(error_of(parse, replace(kSolomon, "  3         50", "  0         50")) ==
          "bad.vrp:5: error: NUMBER: expected a whole number from 1 to 20000, got \"0\"");
    CHECK(error_of(parse, replace(kSolomon, "  3         50", "  3")) ==
          "bad.vrp:5: error: VEHICLE: expected 2 values (NUMBER CAPACITY), got 1");
    CHECK(error_of(parse, replace(kSolomon, "0          3\n", "0\n"))
              .find("bad.vrp:12: error: CUSTOMER: expected 7 values") == 0);
    CHECK(error_of(parse, replace(kSolomon, "CUSTOMER\n", "CUSTOMERS?\n")) ==
          "bad.vrp:7: error: expected the CUSTOMER section");
    CHECK(error_of(parse, "") == "bad.vrp: error: empty file: expected a Solomon VRPTW instance");
    CHECK(error_of(parse, "R1\n\nVEHICLE\nNUMBER CAPACITY\n") ==
          "bad.vrp: error: NUMBER: missing: the file ends in the VEHICLE section");
    // escape sequences from the file are not printed raw
    CHECK(error_of(parse, replace(kSolomon, "13        14", "13        \x1b[2J")).find("\\x1b") !=
          std::string::npos);
}

TEST_CASE("vrplib: VRPTW and CVRP") {
    const planning::VrpInstance in = parse_vrplib(kVrplibTw, "tiny.vrp");
    CHECK(detect_vrp_format(kVrplibTw) == VrpFormat::kVrplib);
    CHECK(in.name == "tiny-tw");
    CHECK(in.vehicles == 2);
    REQUIRE(in.nodes.size() == 3);
    CHECK(in.nodes[0].number == 0);  // node 1, numbered as in VRPLIB solutions
    CHECK(in.nodes[1].number == 1);
    CHECK(in.nodes[1].ready == 10.0);
    CHECK(in.nodes[2].due == 50.0);
    CHECK(in.nodes[2].service == 3.0);
    // the same as the Solomon file
    const planning::VrpInstance sol = parse_solomon(kSolomon, "tiny.txt");
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(in.nodes[i].x == sol.nodes[i].x);
        CHECK(in.nodes[i].due == sol.nodes[i].due);
    }
    const std::string cvrp =
        "NAME: c\nTYPE: CVRP\nDIMENSION: 3\nCAPACITY: 10\nEDGE_WEIGHT_TYPE: EUC_2D\n"
        "NODE_COORD_SECTION\n1 0 0\n2 3 4\n3 0 1\nDEMAND_SECTION\n1 0\n2 4\n3 6\n"
        "DEPOT_SECTION\n 3\n -1\nEOF\n";
    const planning::VrpInstance c = parse_vrplib(cvrp, "c.vrp");
    CHECK(c.vehicles == 2);         // no VEHICLES: one per customer at most
    CHECK(c.nodes[0].number == 2);  // the depot is node 3
    CHECK(c.nodes[0].x == 0.0);
    CHECK(c.nodes[0].y == 1.0);
    CHECK(std::isinf(c.nodes[1].due));
    CHECK(c.nodes[1].number == 0);
    CHECK(c.nodes[1].demand == 0.0);
    CHECK(c.nodes[2].demand == 4.0);
}

TEST_CASE("vrplib: bad input names the line and the field") {
    auto parse = [](const std::string& t, const std::string& s) { return parse_vrplib(t, s); };
    CHECK(error_of(parse, replace(kVrplibTw, "EUC_2D", "GEO")) ==
          "bad.vrp:7: error: EDGE_WEIGHT_TYPE: \"GEO\" is not supported: only EUC_2D "
          "(Euclidean, not rounded)");
    CHECK(error_of(parse, replace(kVrplibTw, "VEHICLES : 2", "DISTANCE : 20"))
              .find("bad.vrp:5: error: DISTANCE: unsupported specification key") == 0);
    CHECK(error_of(parse, replace(kVrplibTw, "2 13 14", "2 13")) ==
          "bad.vrp:10: error: NODE_COORD_SECTION: expected a node id and 2 value(s), got 2 "
          "field(s)");
    CHECK(error_of(parse, replace(kVrplibTw, "3 10 20", "4 10 20")) ==
          "bad.vrp:11: error: NODE_COORD_SECTION: node id: expected a whole number from 1 to 3, "
          "got \"4\"");
    CHECK(error_of(parse, replace(kVrplibTw, "2 10 20", "2 30 20")) ==
          "bad.vrp:18: error: TIME_WINDOW_SECTION: node 2: the due time is before the ready "
          "time");
    CHECK(error_of(parse, replace(kVrplibTw, "2 5\n", "2 -5\n")) ==
          "bad.vrp:14: error: DEMAND_SECTION: node 2: must be >= 0");
    CHECK(error_of(parse, replace(kVrplibTw, "CAPACITY : 50\n", "")) ==
          "bad.vrp: error: CAPACITY: missing");
    CHECK(error_of(parse, replace(kVrplibTw, "1\n-1\n", "1\n2\n-1\n"))
              .find("bad.vrp:26: error: DEPOT_SECTION: more than one depot") == 0);
    CHECK(error_of(parse, replace(kVrplibTw, "DIMENSION : 3", "DIMENSION : 4")) ==
          "bad.vrp:12: error: NODE_COORD_SECTION: expected a node id and 2 value(s), got 1 "
          "field(s)");
    // a file cannot ask for unbounded memory
    CHECK(error_of(parse, replace(kVrplibTw, "DIMENSION : 3", "DIMENSION : 100000000")) ==
          "bad.vrp:4: error: DIMENSION: expected a whole number from 2 to 20000, got "
          "\"100000000\"");
    CHECK(error_of(parse, replace(kVrplibTw, "TYPE : VRPTW", "TYPE : PDPTW"))
              .find("bad.vrp:3: error: TYPE:") == 0);
    CHECK(error_of(parse, "NODE_COORD_SECTION\n1 0 0\n") ==
          "bad.vrp:1: error: NODE_COORD_SECTION: comes before DIMENSION");
}

TEST_CASE("read_vrp: files, detection and I/O errors") {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("swarm_vrp_reader_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "a.txt") << kSolomon;
        std::ofstream(dir / "b.vrp") << kVrplibTw;
    }
    VrpFormat f = VrpFormat::kVrplib;
    CHECK(read_vrp(dir / "a.txt", &f).name == "C-TINY");
    CHECK(f == VrpFormat::kSolomon);
    CHECK(read_vrp(dir / "b.vrp", &f).name == "tiny-tw");
    CHECK(f == VrpFormat::kVrplib);
    try {
        (void)read_vrp(dir / "missing.txt");
        FAIL("no error");
    } catch (const VrpFileError& e) {
        CHECK(e.io());
        CHECK(std::string(e.what()).find("missing.txt: error: no such file") != std::string::npos);
    }
    try {
        (void)read_vrp(dir);
        FAIL("no error");
    } catch (const VrpFileError& e) {
        CHECK(e.io());
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("vrplib: lines of only form feeds or vertical tabs are blank (fuzz_vrp regression)") {
    const std::string text = replace(kVrplibTw, "COMMENT : hand made\n", "\v\n\f \n");
    CHECK(parse_vrplib(text, "blank.vrp").nodes.size() == 3);
    CHECK(error_of(parse_vrplib, "NAME :\n\v\nEOF\n") != "");
}
