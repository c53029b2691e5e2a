// io/scenario [inputs] (scenario_inputs.cpp): depots, vehicles and orders from CSV tables,
// every bad cell refused at file:line:column with the column's name, --set inputs.*, and the
// replay run end to end (orders at their release times, windows and shifts honoured, the
// same result for any thread count).
#include <doctest/doctest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agents/fleet/fleet_run.hpp"
#include "io/scenario/scenario.hpp"
#include "sim/executor.hpp"

namespace {

namespace fs = std::filesystem;
using namespace swarm;

class Dir {
  public:
    Dir() {
        std::string p = (fs::temp_directory_path() / "swarm_inputs_XXXXXX").string();
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
    [[nodiscard]] std::string file(const std::string& name) const {
        return (path_ / name).lexically_normal().string();
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

// a 10 x 10 grid city (100 m blocks, x/y 0..900), one van type, two depots from a table
const std::string kScenario = R"(schema_version = 1
[run]
duration_s = 7200.0
sample_interval_s = 600.0
[network]
generator = "grid_city"
rows = 10
cols = 10
[inputs]
depots = "depots.csv"
vehicles = "vehicles.csv"
orders = "orders.csv"
[demand]
due_s = 1800.0
[[vehicle_types]]
id = "van"
capacity = 4
)";

const std::string kDepots =
    "id,x_m,y_m,docks,stock_units\n"
    "west,100,400,2,1000\n"
    "east,800,400,2,1000\n";

const std::string kVehicles =
    "id,type,home_depot,shift_start_s,shift_end_s,capacity_units,battery_kwh\n"
    "w1,van,west,,,,\n"
    "w2,van,west,600,3600,6,\n"
    "e1,van,east,0,7200,,30\n"
    "e2,van,east,00:30,,6,\n";

const std::string kOrders =
    "id,depot,x_m,y_m,size_units,release_s,earliest_s,latest_s,priority\n"
    "o1,west,300,700,1,60,,,\n"
    "o2,west,200,100,2,120,1500,2400,2\n"
    "o3,east,700,800,1,30,,,\n"
    "o4,east,600,100,3,900,900,1200,\n"
    "o5,west,0,0,1,60,,,1\n";

struct Files {
    Dir dir;
    Files(const std::string& depots = kDepots, const std::string& vehicles = kVehicles,
          const std::string& orders = kOrders, const std::string& scenario = kScenario) {
        dir.write("s.toml", scenario);
        dir.write("depots.csv", depots);
        dir.write("vehicles.csv", vehicles);
        dir.write("orders.csv", orders);
    }
    [[nodiscard]] io::Scenario load(std::vector<std::string> overrides = {}) const {
        io::ScenarioOptions options;
        options.overrides = std::move(overrides);
        return io::load_scenario(dir.path() / "s.toml", options);
    }
    // the error message of loading, with the directory taken out; "" when it loads
    [[nodiscard]] std::string error(std::vector<std::string> overrides = {}) const {
        try {
            (void)load(std::move(overrides));
        } catch (const io::ScenarioError& e) {
            std::string w = e.what();
            const std::string d = dir.path().string() + "/";
            for (std::size_t p; (p = w.find(d)) != std::string::npos;) {
                w.erase(p, d.size());
            }
            return w;
        }
        return "";
    }
};

// one line of a table replaced (line 1 is the header)
std::string with_line(const std::string& table, std::size_t line, const std::string& text) {
    std::size_t begin = 0;
    for (std::size_t i = 1; i < line; ++i) {
        begin = table.find('\n', begin) + 1;
    }
    const std::size_t end = table.find('\n', begin);
    return table.substr(0, begin) + text + table.substr(end);
}

}  // namespace

TEST_CASE("inputs: depots, vehicles and orders from tables") {
    const Files f;
    const io::Scenario s = f.load();
    REQUIRE(s.spec.depots.size() == 2);
    CHECK(s.depot_ids == std::vector<std::string>{"west", "east"});
    CHECK(s.spec.depots[0].initial_stock == 1000);
    CHECK(s.spec.depots[0].node == agents::nearest_node(*s.network, {100.0, 400.0}));
    // replay mode: no drawn demand
    CHECK(s.spec.depots[0].demand_per_hour == 0.0);
    CHECK(s.spec.depots[1].demand_per_hour == 0.0);
    // one group per vehicle; own capacities and batteries as types of their own
    REQUIRE(s.spec.vehicle_count() == 4);
    CHECK(s.vehicle_names == std::vector<std::string>{"w1", "w2", "e1", "e2"});
    REQUIRE(s.spec.types.size() == 3);  // van, van (6 units), van (30 kWh)
    CHECK(s.spec.types[s.spec.fleets[1].type].capacity == 6);
    CHECK(s.spec.fleets[3].type == s.spec.fleets[1].type);  // the same derived type
    CHECK(s.spec.types[s.spec.fleets[2].type].battery_kwh == 30.0);
    CHECK(s.type_ids[s.spec.fleets[1].type] == "van");
    REQUIRE(s.spec.shifts.size() == 4);
    CHECK(!s.spec.shifts[0].bounded());
    CHECK(s.spec.shifts[1].start_s == 600.0);
    CHECK(s.spec.shifts[1].end_s == 3600.0);
    CHECK(s.spec.shifts[3].start_s == 1800.0);  // 00:30 with demand.start_hour 0
    // grouped by depot, by release time; windows defaulted from release and demand.due_s
    const agents::OrderReplay& r = s.spec.replay;
    REQUIRE(r.orders.size() == 5);
    CHECK(r.first == std::vector<std::uint32_t>{0, 3, 5});
    CHECK(s.order_refs == std::vector<std::string>{"o1", "o5", "o2", "o3", "o4"});
    CHECK(r.orders[0].earliest_s == 60.0);
    CHECK(r.orders[0].latest_s == 60.0 + 1800.0);
    CHECK(r.orders[2].earliest_s == 1500.0);
    CHECK(r.orders[2].latest_s == 2400.0);
    CHECK(r.orders[2].size == 2);
    CHECK(r.orders[2].priority == 2);
    CHECK(r.orders[4].customer == agents::nearest_node(*s.network, {600.0, 100.0}));
}

TEST_CASE("inputs: mixed mode keeps the drawn demand; --set swaps a table") {
    const Files f;
    CHECK(f.load({"inputs.orders_mode=\"mixed\""}).spec.depots[0].demand_per_hour == 60.0);
    f.dir.write("other.csv", "id,depot,x_m,y_m,release_s\nz,east,0,0,5\n");
    // from --set, a relative path is relative to the working directory
    const io::Scenario s = f.load({"inputs.orders=\"" + f.dir.file("other.csv") + "\""});
    CHECK(s.order_refs == std::vector<std::string>{"z"});
    CHECK(f.error({"inputs.orders=\"missing.csv\""}) ==
          "missing.csv: error: cannot read the file: it does not exist");
    CHECK(f.error({"inputs.orderz=\"x.csv\""}).find("unknown key 'orderz' in inputs") !=
          std::string::npos);
}

TEST_CASE("inputs: every bad cell is refused at file:line:column, naming the column") {
    struct Case {
        const char* table;  // which file is broken
        std::size_t line;
        const char* text;
        const char* error;
    };
    const std::vector<Case> cases = {
        // depots
        {"depots", 2, "we st,100,400,2,1000",
         "depots.csv:2:1: error: column 'id' = 'we st': an id is letters, digits, '_' or '-'"},
        {"depots", 3, "west,800,400,2,1000",
         "depots.csv:3:1: error: column 'id' = 'west': this depot id is used twice"},
        {"depots", 2, "west,abc,400,2,1000",
         "depots.csv:2:6: error: column 'x_m' = 'abc': not a number"},
        {"depots", 2, "west,100,,2,1000",
         "depots.csv:2:10: error: column 'y_m' is empty: a value is required"},
        {"depots", 2, "west,100,400,0,1000",
         "depots.csv:2:14: error: column 'docks' = '0': must be >= 1"},
        {"depots", 2, "west,100,400,2.5,1000",
         "depots.csv:2:14: error: column 'docks' = '2.5': not a whole number"},
        {"depots", 2, "west,100,400,2,-1",
         "depots.csv:2:16: error: column 'stock_units' = '-1': must be >= 0"},
        {"depots", 2, "west,100,400,2",
         "depots.csv:2:14: error: this row has 4 fields, the header 5"},
        // vehicles
        {"vehicles", 2, "w1,truck,west,,,,",
         "vehicles.csv:2:4: error: column 'type' = 'truck': no vehicle type with this id"},
        {"vehicles", 2, "w1,van,wset,,,,",
         "vehicles.csv:2:8: error: column 'home_depot' = 'wset': no depot with this id (did you "
         "mean 'west'?)"},
        {"vehicles", 3, "w1,van,west,,,,",
         "vehicles.csv:3:1: error: column 'id' = 'w1': this vehicle id is used twice"},
        {"vehicles", 2, "w1,van,west,-5,,,",
         "vehicles.csv:2:13: error: column 'shift_start_s' = '-5': must be >= 0 (seconds from the "
         "start of the simulation)"},
        {"vehicles", 2, "w1,van,west,8h,,,",
         "vehicles.csv:2:13: error: column 'shift_start_s' = '8h': not a number"},
        {"vehicles", 2, "w1,van,west,08:61,,,",
         "vehicles.csv:2:13: error: column 'shift_start_s' = '08:61': not a number of seconds or a "
         "clock time hh:mm[:ss]"},
        {"vehicles", 2, "w1,van,west,600,600,,",
         "vehicles.csv:2:17: error: column 'shift_end_s' = '600': the shift must end after it "
         "starts (shift_start_s = 600 s)"},
        {"vehicles", 2, "w1,van,west,,,0,",
         "vehicles.csv:2:15: error: column 'capacity_units' = '0': must be >= 1"},
        {"vehicles", 2, "w1,van,west,,,,0",
         "vehicles.csv:2:16: error: column 'battery_kwh' = '0': must be >= 1e-09"},
        {"vehicles", 2, ",van,west,,,,",
         "vehicles.csv:2:1: error: column 'id' is empty: a value is required"},
        // orders
        {"orders", 2, "o1,north,300,700,1,60,,,",
         "orders.csv:2:4: error: column 'depot' = 'north': no depot with this id"},
        {"orders", 3, "o1,west,200,100,2,120,1500,2400,2",
         "orders.csv:3:1: error: column 'id' = 'o1': this order id is used twice (first on line "
         "2)"},
        {"orders", 2, "o1,west,300,700,0,60,,,",
         "orders.csv:2:17: error: column 'size_units' = '0': must be >= 1"},
        {"orders", 2, "o1,west,300,700,7,60,,,",
         "orders.csv:2:17: error: column 'size_units' = '7': larger than every vehicle's capacity "
         "(at most 6 units)"},
        {"orders", 2, "o1,west,300,700,1,,,,",
         "orders.csv:2:19: error: column 'release_s' is empty: a value is required"},
        {"orders", 2, "o1,west,300,700,1,soon,,,",
         "orders.csv:2:19: error: column 'release_s' = 'soon': not a number"},
        {"orders", 2, "o1,west,300,700,1,nan,,,",
         "orders.csv:2:19: error: column 'release_s' = 'nan': must be finite"},
        {"orders", 2, "o1,west,300,700,1,60,900,600,",
         "orders.csv:2:22: error: column 'earliest_s' = '900': after latest_s = 600 s (an empty "
         "window)"},
        {"orders", 2, "o1,west,300,700,1,60,,30,",
         "orders.csv:2:23: error: column 'latest_s' = '30': before release_s = 60 s (due before "
         "the order exists)"},
        {"orders", 2, "o1,west,300,700,1,60,,,high",
         "orders.csv:2:24: error: column 'priority' = 'high': not a whole number"},
        {"orders", 2, "o1,west,300,700,1,60,,,101",
         "orders.csv:2:24: error: column 'priority' = '101': must be <= 100"},
        {"orders", 2, "o1,west,300,700,1,60,,,-1",
         "orders.csv:2:24: error: column 'priority' = '-1': must be >= 0"},
        {"orders", 2, "o1,west,3e9,700,1,60,,,",
         "orders.csv:2:9: error: column 'x_m' = '3e9': must be <= 100000000"},
        {"orders", 2, "o1,west,300,700,1,60,,,,",
         "orders.csv:2:25: error: this row has 10 fields, the header 9"},
        {"orders", 2, "o1,west,300,\"7\"00,1,60,,,",
         "orders.csv:2:16: error: text after a quoted field's closing '\"' (quote the whole field, "
         "\"\" for a quote inside)"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.table);
        CAPTURE(c.text);
        const std::string t = c.table;
        const Files f(t == "depots" ? with_line(kDepots, c.line, c.text) : kDepots,
                      t == "vehicles" ? with_line(kVehicles, c.line, c.text) : kVehicles,
                      t == "orders" ? with_line(kOrders, c.line, c.text) : kOrders);
        CHECK(f.error().substr(0, std::string(c.error).size()) == c.error);
    }
}

TEST_CASE("inputs: headers are checked before any row") {
    const auto depots = [](const std::string& table) {
        return Files(table, kVehicles, kOrders).error();
    };
    CHECK(
        depots("id,x_m,y_m,dockz\nwest,1,2,3\n")
            .starts_with("depots.csv:1:12: error: unknown column 'dockz' (did you mean 'docks'?)"));
    CHECK(depots("name,x_m,y_m\nwest,1,2\n")
              .starts_with("depots.csv:1:1: error: unknown column 'name'"));
    CHECK(depots("id,x_m,y_m,lat,lon\nwest,1,2,3,4\n") ==
          "depots.csv:1:1: error: give positions as lat/lon or as x_m/y_m columns, not both");
    CHECK(depots("id,x_m\nwest,1\n") ==
          "depots.csv:1:1: error: missing column 'y_m' in the header");
    CHECK(depots("id,x_m,y_m\n") ==
          "depots.csv:1:1: error: the depots table has a header but no depot");
    CHECK(Files(kDepots, "id,type,shift_start_s\nv,van,0\n", kOrders).error() ==
          "vehicles.csv:1:1: error: missing column 'home_depot' in the header");
    CHECK(Files(kDepots, kVehicles, "id,depot,x_m,y_m\n").error() ==
          "orders.csv:1:1: error: missing column 'release_s' in the header");
}

TEST_CASE("inputs: orders released after the run are warned about") {
    const Files f(kDepots, kVehicles, with_line(kOrders, 3, "o2,west,200,100,2,7200,,,"));
    const io::Scenario s = f.load();
    REQUIRE(s.warnings.size() == 1);
    CHECK(s.warnings[0].ends_with(
        "orders.csv:3:19: warning: 1 of 5 orders are released at or after the end of the run "
        "(run.duration_s = 7200 s, clock times counted from demand.start_hour = 0): they never "
        "appear"));
    CHECK(Files().load().warnings.empty());
}

const std::string kServiceOrders =
    "id,depot,x_m,y_m,release_s,latest_s,service_s,priority\n"
    "a,west,300,700,5,3600,60,0\n"
    "b,west,200,100,5,3600,900,100\n"
    "c,east,700,800,5,3600,,\n"
    "d,east,600,100,5,3600,0,7\n";

TEST_CASE("inputs: per-order hand-over times and priorities") {
    const io::Scenario s = Files(kDepots, kVehicles, kServiceOrders).load();
    const agents::OrderReplay& r = s.spec.replay;
    REQUIRE(r.orders.size() == 4);
    CHECK(s.order_refs == std::vector<std::string>{"a", "b", "c", "d"});
    // the demand's own (60 s, given or empty) is kept as such; the others in whole seconds
    CHECK(r.orders[0].service_s == agents::kDemandService);
    CHECK(r.orders[1].service_s == 900);
    CHECK(r.orders[2].service_s == agents::kDemandService);
    CHECK(r.orders[3].service_s == 0);
    CHECK(r.orders[1].priority == 100);
    CHECK(r.orders[3].priority == 7);
    // a fractional default is kept exactly; any other fraction is refused
    const std::string frac = "id,depot,x_m,y_m,release_s,service_s\na,west,0,0,5,60.5\n";
    CHECK(Files(kDepots, kVehicles, frac)
              .load({"demand.customer_service_s=60.5"})
              .spec.replay.orders[0]
              .service_s == agents::kDemandService);
    const struct {
        const char* cell;
        const char* error;
    } bad[] = {
        {"12.5",
         "orders.csv:2:14: error: column 'service_s' = '12.5': a whole number of seconds expected "
         "(or demand.customer_service_s = 60 s)"},
        {"-1", "orders.csv:2:14: error: column 'service_s' = '-1': must be >= 0"},
        {"65535", "orders.csv:2:14: error: column 'service_s' = '65535': must be <= 65534"},
        {"soon", "orders.csv:2:14: error: column 'service_s' = 'soon': not a number"},
    };
    for (const auto& b : bad) {
        CAPTURE(b.cell);
        const std::string orders =
            "id,depot,x_m,y_m,release_s,service_s\na,west,0,0,5," + std::string(b.cell) + "\n";
        CHECK(Files(kDepots, kVehicles, orders).error().substr(0, std::string(b.error).size()) ==
              b.error);
    }
}

TEST_CASE("inputs: lat/lon need a geographic map") {
    const Files f("id,lat,lon\nwest,43.73,7.42\n", "id,type,home_depot\nv,van,west\n",
                  "id,depot,x_m,y_m,release_s\na,west,0,0,5\n");
    CHECK(
        f.error().starts_with("depots.csv:2:6: error: depots.csv:2 'west': latitude/longitude "
                              "need a map read from geographic coordinates"));
}

TEST_CASE("inputs: a replay runs end to end, windows and shifts honoured, for any thread count") {
    const Files f;
    const io::Scenario s = f.load();
    auto run = [](const io::Scenario& sc, std::size_t threads) {
        agents::FleetRunOptions o;
        o.seed = 3;
        o.threads = threads;
        o.serial_below_events = 0;
        o.sample_interval = sc.spec.time.from_seconds(600.0);
        auto r = std::make_unique<agents::FleetRun>(sc.spec, o);
        const sim::Tick until = sc.spec.time.from_seconds(7200.0);
        sim::RunLimits limits;
        limits.until = until;
        r->run(limits);
        r->engine().sample_now();
        const agents::FleetKpis k = r->finish(until);
        return std::make_pair(std::move(r), k);
    };
    const auto [one, k1] = run(s, 1);
    const auto [three, k3] = run(s, 3);
    CHECK(k1.hash == k3.hash);
    CHECK(k1.summary.created == 5);
    CHECK(k1.summary.delivered == 5);
    const agents::FleetModel& m = one->model();
    const auto ticks = [&](double seconds) { return s.spec.time.from_seconds(seconds); };
    for (std::uint32_t d = 0; d < 2; ++d) {
        for (const agents::Order& o : m.depot(d).book.orders()) {
            REQUIRE(o.ref < s.spec.replay.orders.size());
            const agents::ReplayOrder& r = s.spec.replay.orders[o.ref];
            CAPTURE(s.order_refs[o.ref]);
            CHECK(o.created == ticks(r.release_s));
            CHECK(o.ready == ticks(r.earliest_s));
            CHECK(o.due == ticks(r.latest_s));
            CHECK(o.delivered_at >= o.ready + o.service_time);
            // no vehicle took an order before its shift started
            const agents::VehicleShift& sh = s.spec.shifts[o.vehicle];
            CHECK(o.first_assigned_at >= ticks(sh.start_s));
        }
    }
    // each order's own hand-over time: the vehicle spends it at the customer, for any thread
    // count (b takes 900 s: delivered no sooner than 900 s after the vehicle got there)
    const io::Scenario own = Files(kDepots, kVehicles, kServiceOrders).load();
    const auto [own1, o1] = run(own, 1);
    const auto [own2, o2] = run(own, 2);
    CHECK(o1.hash == o2.hash);
    CHECK(o1.summary.delivered == 4);
    for (std::uint32_t d = 0; d < 2; ++d) {
        for (const agents::Order& o : own1->model().depot(d).book.orders()) {
            const agents::ReplayOrder& r = own.spec.replay.orders[o.ref];
            CAPTURE(own.order_refs[o.ref]);
            CHECK(o.service_time ==
                  ticks(r.service_s == agents::kDemandService ? 60.0 : r.service_s));
            CHECK(o.delivered_at >= o.ready + o.service_time);
        }
    }
}

TEST_CASE("inputs: orders with a pick-up location") {
    // p1 picked up mid-town after 300 s, p2 without a depot (east is nearest its pick-up), p3
    // loaded at its depot
    const std::string orders =
        "id,depot,x_m,y_m,release_s,latest_s,pickup_x_m,pickup_y_m,pickup_earliest_s,"
        "pickup_latest_s,pickup_service_s\n"
        "p1,west,300,700,60,3600,500,500,300,,120\n"
        "p2,,600,100,60,3600,700,200,,,\n"
        "p3,west,200,100,60,3600,,,,,\n";
    const Files f(kDepots, kVehicles, orders);
    const io::Scenario s = f.load();
    const agents::OrderReplay& r = s.spec.replay;
    REQUIRE(r.orders.size() == 3);
    // grouped by depot: west (p1, p3), east (p2)
    CHECK(s.order_refs == std::vector<std::string>{"p1", "p3", "p2"});
    CHECK(r.first == std::vector<std::uint32_t>{0, 2, 3});
    const world::RoadNetwork& net = s.spec.net();
    CHECK(r.orders[0].has_pickup());
    // snapped to the node nearest (500, 500) (the grid is jittered)
    CHECK(std::abs(net.position(r.orders[0].pickup).x - 500.0) < 20.0);
    CHECK(std::abs(net.position(r.orders[0].pickup).y - 500.0) < 20.0);
    CHECK(r.orders[0].pickup_earliest_s == 300.0);
    CHECK(r.orders[0].pickup_service_s == 120);
    CHECK(!r.orders[1].has_pickup());
    CHECK(r.orders[2].has_pickup());
    CHECK(r.orders[2].depot == 1);
    CHECK(r.orders[2].pickup_earliest_s == 0.0);
    // runs: all delivered, p1 loaded after its pick-up window opened plus its service
    agents::FleetRunOptions o;
    o.seed = 1;
    agents::FleetRun run(s.spec, o);
    sim::RunLimits limits;
    limits.until = s.spec.time.from_seconds(s.run.duration_s);
    run.run(limits);
    CHECK(run.finish(limits.until).summary.delivered == 3);
    const agents::Order& p1 = run.model().depot(0).book.orders()[0];
    REQUIRE(p1.ref == 0);
    CHECK(p1.picked_up_at >= s.spec.time.from_seconds(420.0));

    struct Case {
        const char* text;
        const char* error;
    };
    const std::vector<Case> cases = {
        {"p1,west,300,700,60,3600,abc,500,300,,120",
         "orders.csv:2:25: error: column 'pickup_x_m' = 'abc': not a number"},
        {"p1,west,300,700,60,3600,500,,300,,120",
         "orders.csv:2:29: error: column 'pickup_y_m' is empty: a value is required"},
        {"p1,west,300,700,60,3600,500,500,9h,,120",
         "orders.csv:2:33: error: column 'pickup_earliest_s' = '9h': not a number"},
        {"p1,west,300,700,60,3600,500,500,4000,,120",
         "orders.csv:2:33: error: column 'pickup_earliest_s' = '4000': after latest_s = 3600 s "
         "(loaded after the delivery is due)"},
        {"p1,west,300,700,60,3600,500,500,300,200,120",
         "orders.csv:2:37: error: column 'pickup_latest_s' = '200': before pickup_earliest_s = "
         "300 s (an empty window)"},
        {"p1,west,300,700,60,3600,500,500,300,,1.5",
         "orders.csv:2:38: error: column 'pickup_service_s' = '1.5': a whole number of seconds "
         "expected"},
        {"p1,west,300,700,60,3600,500,500,300,,-1",
         "orders.csv:2:38: error: column 'pickup_service_s' = '-1': must be >= 0"},
        {"p3,west,200,100,60,3600,,,300,,",
         "orders.csv:2:27: error: column 'pickup_earliest_s' = '300': a pick-up time without a "
         "pick-up location"},
        {"p3,,200,100,60,3600,,,,,",
         "orders.csv:2:4: error: column 'depot' is empty: a value is "
         "required"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        const Files bad(kDepots, kVehicles, with_line(orders, 2, c.text));
        CHECK(bad.error().substr(0, std::string(c.error).size()) == c.error);
    }
    const auto header = [](const std::string& h) {
        return Files(kDepots, kVehicles, h + "\n").error();
    };
    CHECK(header("id,depot,x_m,y_m,release_s,pickup_x_m") ==
          "orders.csv:1:1: error: missing column 'pickup_y_m' in the header");
    CHECK(header("id,depot,x_m,y_m,release_s,pickup_x_m,pickup_y_m,pickup_lat,pickup_lon") ==
          "orders.csv:1:1: error: give pickup positions as pickup_lat/pickup_lon or as "
          "pickup_x_m/pickup_y_m columns, not both");
    CHECK(header("id,x_m,y_m,release_s") ==
          "orders.csv:1:1: error: missing column 'depot' in the header");
}
