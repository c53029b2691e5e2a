// io/scenario problem files (scenario_problem.cpp): a Solomon instance on the complete graph of
// its points and a VROOM JSON problem on a map, as scenarios that load and run; the parts of
// VROOM that are not modelled are refused, naming the field.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agents/fleet/fleet_run.hpp"
#include "io/scenario/scenario.hpp"

namespace {

namespace fs = std::filesystem;
using namespace swarm;

class Dir {
  public:
    Dir() {
        std::string p = (fs::temp_directory_path() / "swarm_problem_XXXXXX").string();
        REQUIRE(mkdtemp(p.data()) != nullptr);
        path_ = p;
    }
    ~Dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    Dir(const Dir&) = delete;
    Dir& operator=(const Dir&) = delete;
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name, std::ios::binary) << text;
        return path_ / name;
    }

  private:
    fs::path path_;
};

// a depot and four customers, 2 vehicles of capacity 20; windows in minutes
const std::string kSolomon = R"(TINY

VEHICLE
NUMBER     CAPACITY
  2         20

CUSTOMER
CUST NO.   XCOORD.   YCOORD.    DEMAND   READY TIME   DUE DATE   SERVICE TIME

    0          10      10           0       0         200           0
    1          12      10          5       0          60           5
    2          10      15          5       30         90           5
    3          5       10          10      0          120          5
    4          10      4           8       60         150          5
)";

// a 5 x 5 grid of streets every 0.001 degree around (43.73 N, 7.42 E)
std::string grid_graphml() {
    std::string out = R"(<?xml version="1.0"?>
<graphml>
  <key id="lon" for="node" attr.name="lon"/>
  <key id="lat" for="node" attr.name="lat"/>
  <graph edgedefault="undirected">
)";
    for (int r = 0; r < 5; ++r) {
        for (int c = 0; c < 5; ++c) {
            out += "<node id=\"" + std::to_string(r * 5 + c) + "\"><data key=\"lon\">" +
                   std::to_string(7.42 + 0.001 * c) + "</data><data key=\"lat\">" +
                   std::to_string(43.73 + 0.001 * r) + "</data></node>\n";
        }
    }
    for (int r = 0; r < 5; ++r) {
        for (int c = 0; c < 5; ++c) {
            const int n = r * 5 + c;
            if (c + 1 < 5) {
                out += "<edge source=\"" + std::to_string(n) + "\" target=\"" +
                       std::to_string(n + 1) + "\"/>\n";
            }
            if (r + 1 < 5) {
                out += "<edge source=\"" + std::to_string(n) + "\" target=\"" +
                       std::to_string(n + 5) + "\"/>\n";
            }
        }
    }
    return out + "</graph>\n</graphml>\n";
}

const std::string kVroom = R"({
  "vehicles": [
    {"id": 1, "start": [7.420, 43.730], "end": [7.420, 43.730], "capacity": [4], "time_window": [0, 7200]},
    {"id": 2, "start": [7.424, 43.734], "capacity": [6]}
  ],
  "jobs": [
    {"id": 10, "location": [7.421, 43.731], "service": 120, "delivery": [2], "time_windows": [[600, 1800]]},
    {"id": 11, "location": [7.423, 43.733], "service": 120, "delivery": [1]},
    {"id": 12, "location": [7.424, 43.732], "service": 120, "amount": [3], "priority": 5}
  ]
})";

agents::FleetKpis run(const io::Scenario& s) {
    agents::FleetRunOptions o;
    o.seed = 1;
    o.threads = 1;
    agents::FleetRun r(s.spec, o);
    sim::RunLimits limits;
    limits.until = s.spec.time.from_seconds(s.run.duration_s);
    r.run(limits);
    return r.finish(limits.until);
}

std::string error_of(const fs::path& file, std::vector<std::string> overrides = {}) {
    try {
        (void)io::load_scenario(file, {.overrides = std::move(overrides)});
    } catch (const io::ScenarioError& e) {
        return e.message();
    }
    return "";
}

}  // namespace

TEST_CASE("problems: a Solomon instance runs on the complete graph of its points") {
    const Dir dir;
    const fs::path file = dir.write("tiny.txt", kSolomon);
    const io::Scenario s = io::load_scenario(file);
    REQUIRE(s.network != nullptr);
    CHECK(s.network->node_count() == 5);
    CHECK(s.network->edge_count() == 20);
    // 1 unit = 1 km, 1 time unit = 1 min: 60 km/h
    CHECK(s.network->max_speed_mps() == doctest::Approx(1000.0 / 60.0));
    CHECK(s.spec.depot_count() == 1);
    CHECK(s.spec.vehicle_count() == 2);
    CHECK(s.spec.types[0].capacity == 20);
    REQUIRE(s.spec.shifts.size() == 2);
    CHECK(s.spec.shifts[0].end_s == 200.0 * 60.0);
    CHECK(s.run.duration_s == 200.0 * 60.0);
    CHECK(s.spec.demand.customer_service_s == 300.0);
    REQUIRE(s.spec.replay.orders.size() == 4);
    CHECK(s.order_refs == std::vector<std::string>{"1", "2", "3", "4"});
    const agents::ReplayOrder& o2 = s.spec.replay.orders[1];
    CHECK(o2.customer == 2);
    CHECK(o2.size == 5);
    CHECK(o2.release_s == 0.0);
    CHECK(o2.earliest_s == 30.0 * 60.0);
    CHECK(o2.latest_s == (90.0 + 5.0) * 60.0);  // the due date bounds the service start
    const agents::FleetKpis k = run(s);
    CHECK(k.summary.created == 4);
    CHECK(k.summary.delivered == 4);
    // the problem brings its own graph: no map
    CHECK(error_of(file, {"network.file=\"x.pbf\""})
              .starts_with("network: this problem runs on the complete graph of its own points"));
}

TEST_CASE("problems: a VROOM problem runs on the map given with --set network.file") {
    const Dir dir;
    const fs::path map = dir.write("map.graphml", grid_graphml());
    const fs::path file = dir.write("p.json", kVroom);
    CHECK(error_of(file).starts_with("a VROOM problem's locations are longitude/latitude"));
    const io::Scenario s =
        io::load_scenario(file, {.overrides = {"network.file=\"" + map.string() + "\""}});
    CHECK(s.spec.depot_count() == 2);  // two start locations
    CHECK(s.spec.vehicle_count() == 2);
    CHECK(s.vehicle_names == std::vector<std::string>{"1", "2"});
    CHECK(s.spec.types[s.spec.fleets[0].type].capacity == 4);
    CHECK(s.spec.types[s.spec.fleets[1].type].capacity == 6);
    REQUIRE(s.spec.shifts.size() == 2);
    CHECK(s.spec.shifts[0].end_s == 7200.0);
    CHECK(!s.spec.shifts[1].bounded());
    CHECK(s.spec.demand.customer_service_s == 120.0);
    REQUIRE(s.spec.replay.orders.size() == 3);
    // each job from the depot nearest to it: 10 from the first, 11 and 12 from the second
    CHECK(s.spec.replay.first == std::vector<std::uint32_t>{0, 1, 3});
    CHECK(s.order_refs == std::vector<std::string>{"10", "11", "12"});
    CHECK(s.spec.replay.orders[0].earliest_s == 600.0);
    CHECK(s.spec.replay.orders[0].latest_s == 1800.0 + 120.0);
    CHECK(s.spec.replay.orders[2].size == 3);
    CHECK(s.spec.replay.orders[2].priority == 5);
    const agents::FleetKpis k = run(s);
    CHECK(k.summary.created == 3);
    CHECK(k.summary.delivered == 3);
}

TEST_CASE("problems: VROOM shipments are orders loaded at their pick-up, mixed with jobs") {
    const Dir dir;
    const fs::path map = dir.write("map.graphml", grid_graphml());
    // job 10 near the first depot; shipment 5 picked up near the second depot (which
    // dispatches it) and delivered near the first, its pickup window opening at 300 s
    const fs::path file = dir.write("s.json", R"({
  "vehicles": [
    {"id": 1, "start": [7.420, 43.730], "capacity": [4]},
    {"id": 2, "start": [7.424, 43.734], "capacity": [4]}
  ],
  "jobs": [{"id": 10, "location": [7.421, 43.731], "service": 60}],
  "shipments": [
    {"amount": [2], "priority": 3,
     "pickup": {"id": 5, "location": [7.423, 43.734], "service": 90,
                "time_windows": [[300, 1200]]},
     "delivery": {"id": 6, "location": [7.420, 43.731], "service": 30,
                  "time_windows": [[0, 3000]]}}
  ]
})");
    const io::Scenario s =
        io::load_scenario(file, {.overrides = {"network.file=\"" + map.string() + "\""}});
    const agents::OrderReplay& r = s.spec.replay;
    REQUIRE(r.orders.size() == 2);
    CHECK(s.order_refs == std::vector<std::string>{"10", "shipment-5"});
    CHECK(r.first == std::vector<std::uint32_t>{0, 1, 2});
    CHECK(!r.orders[0].has_pickup());
    const agents::ReplayOrder& sh = r.orders[1];
    REQUIRE(sh.has_pickup());
    CHECK(sh.depot == 1);
    CHECK(sh.size == 2);
    CHECK(sh.priority == 3);
    CHECK(sh.pickup_earliest_s == 300.0);
    CHECK(sh.pickup_latest_s == 1200.0);
    CHECK(sh.pickup_service_s == 90);
    CHECK(sh.service_s == 30);
    CHECK(sh.latest_s == 3030.0);
    CHECK(sh.pickup != sh.customer);
    agents::FleetRunOptions o;
    o.seed = 1;
    o.threads = 1;
    agents::FleetRun run(s.spec, o);
    sim::RunLimits limits;
    limits.until = s.spec.time.from_seconds(s.run.duration_s);
    run.run(limits);
    CHECK(run.finish(limits.until).summary.delivered == 2);
    const agents::Order& shipped = run.model().depot(1).book.orders()[0];
    CHECK(shipped.picked_up_at >= s.spec.time.from_seconds(390.0));
    CHECK(shipped.on_time());
}

TEST_CASE("problems: each job and customer keeps its own service time") {
    const Dir dir;
    const fs::path map = dir.write("map.graphml", grid_graphml());
    std::string json = kVroom;
    json.replace(json.find("\"service\": 120, \"delivery\": [1]"), 14, "\"service\": 45");
    const io::Scenario s = io::load_scenario(
        dir.write("p.json", json), {.overrides = {"network.file=\"" + map.string() + "\""}});
    CHECK(s.warnings.empty());  // no more "the longest is used"
    CHECK(s.spec.demand.customer_service_s == 120.0);
    CHECK(s.spec.replay.orders[0].service_s == agents::kDemandService);
    CHECK(s.spec.replay.orders[1].service_s == 45);
    CHECK(s.spec.replay.orders[2].service_s == agents::kDemandService);
    // Solomon: customer 3 takes 2 minutes, the others the longest (5 minutes, the default)
    std::string solomon = kSolomon;
    const std::size_t at = solomon.find("0          120          5");
    solomon.replace(at, 25, "0          120          2");
    const io::Scenario v = io::load_scenario(dir.write("tiny.txt", solomon));
    CHECK(v.warnings.empty());
    CHECK(v.spec.demand.customer_service_s == 300.0);
    CHECK(v.spec.replay.orders[2].service_s == 120);
    CHECK(v.spec.replay.orders[0].service_s == agents::kDemandService);
    CHECK(run(v).summary.delivered == 4);
}

TEST_CASE("problems: what VROOM allows and swarmsim does not model is refused, naming it") {
    const Dir dir;
    const fs::path map = dir.write("map.graphml", grid_graphml());
    const std::vector<std::string> net = {"network.file=\"" + map.string() + "\""};
    const auto refused = [&](const std::string& json) {
        return error_of(dir.write("bad.json", json), net);
    };
    const std::string v = R"("vehicles": [{"id": 1, "start": [7.42, 43.73]}])";
    CHECK(refused("{" + v + R"(, "jobs": [], "shipments": [{"amount": [1]}]})") ==
          "shipments[0]: a shipment needs a \"pickup\" and a \"delivery\"");
    const std::string stop = R"({"location": [7.42, 43.73]})";
    CHECK(
        refused("{" + v + R"(, "shipments": [{"pickup": {"id": 1}, "delivery": )" + stop + "}]}") ==
        "shipments[0].pickup: a shipment's pickup needs a \"location\" ([longitude, latitude])");
    CHECK(refused("{" + v + R"(, "shipments": [{"pickup": )" + stop +
                  R"(, "delivery": {"location": [7.42, 43.73], "setup": 30}}]})") ==
          "shipments[0].delivery.setup: setup times are not modelled (give them in service)");
    CHECK(refused("{" + v + R"(, "shipments": [{"pickup": )" + stop + R"(, "delivery": )" + stop +
                  R"(, "amount": [1, 2]}]})") ==
          "shipments[0].amount: only one amount dimension is modelled (vehicle capacity in units)");
    CHECK(refused("{" + v + R"(, "shipments": [{"pickup": {"location": [7.42, 43.73], )" +
                  R"("service": 2.5}, "delivery": )" + stop + "}]}") ==
          "shipments[0].pickup.service: must be a whole number of seconds in [0, 65534]");
    CHECK(refused("{" + v + R"(, "shipments": [{"pickup": )" + stop + R"(, "delivery": )" + stop +
                  R"(, "priority": 101}]})") ==
          "shipments[0].priority: must be a whole number in [0, 100]");
    CHECK(refused("{" + v + R"(, "shipments": {}})") == "shipments: must be an array");
    CHECK(refused("{" + v + R"(, "jobs": [{"id": 1, "location": [7.42, 43.73], "pickup": [2]}]})")
              .starts_with("jobs[0].pickup: a job's pick-up is not modelled"));
    CHECK(refused("{" + v + R"(, "jobs": [{"id": 1, "location_index": 3}]})") ==
          "jobs[0]: a job needs a \"location\" ([longitude, latitude])");
    CHECK(refused("{" + v +
                  R"(, "jobs": [{"id": 1, "location": [7.42, 43.73], "delivery": [1, 2]}]})") ==
          "jobs[0].delivery: only one amount dimension is modelled (vehicle capacity in units)");
    CHECK(refused(
              "{" + v +
              R"(, "jobs": [{"id": 1, "location": [7.42, 43.73], "time_windows": [[50, 10]]}]})") ==
          "jobs[0].time_windows[0]: a time window is [start, end] in seconds, 0 <= start <= end");
    CHECK(refused(R"({"vehicles": [{"id": 1}], "jobs": []})") ==
          "vehicles[0]: a vehicle needs a \"start\" location (its home depot)");
    CHECK(refused("{" + v + R"(, "jobs": [{"id": 1, "location": [200, 43.73]}]})") ==
          "jobs[0].location: [200, 43.73] is not a longitude, latitude");
    CHECK(refused("{" + v + "}") ==
          "jobs: a VROOM problem needs a non-empty \"jobs\" or \"shipments\" array");
    CHECK(refused("{" + v +
                  R"(, "jobs": [{"id": 1, "location": [7.42, 43.73], "priority": 101}]})") ==
          "jobs[0].priority: must be a whole number in [0, 100]");
    CHECK(
        refused("{" + v + R"(, "jobs": [{"id": 1, "location": [7.42, 43.73], "service": 1.5}]})") ==
        "jobs[0].service: must be a whole number of seconds in [0, 65534]");
    CHECK(refused("{" + v +
                  R"(, "jobs": [{"id": 1, "location": [7.42, 43.73], "service": 70000}]})") ==
          "jobs[0].service: must be a whole number of seconds in [0, 65534]");
    CHECK(refused("{\"vehicles\": [").starts_with("not JSON: line 1, column 15"));
    // a job far from every road of the map
    CHECK(refused("{" + v + R"(, "jobs": [{"id": 7, "location": [7.50, 43.73]}]})")
              .find("'7' at lat 43.73, lon 7.5 is") != std::string::npos);
}
