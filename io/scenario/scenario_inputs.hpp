// Scenario [inputs]: the planner's own depots, vehicles and orders as CSV tables
// (docs/inputs.md). Paths are relative to the scenario file (from --set, to the working
// directory). Every bad cell is a ScenarioError at the CSV file's line and column, naming
// the column. Private to io/scenario (it takes toml++ types).
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/csv/csv_reader.hpp"
#include "io/scenario/scenario.hpp"
#include "io/scenario/toml_reader.hpp"

namespace swarm::io::detail {

// A scenario made from a problem file (VROOM JSON, Solomon, VRPLIB; scenario_problem.cpp): its
// tables in memory by the path [inputs] names them with, and the network when the problem
// brings its own (the complete Euclidean graph of a Solomon/VRPLIB instance)
struct ProblemData {
    std::map<std::string, CsvTable> tables;
    std::unique_ptr<world::RoadNetwork> network;
    std::vector<std::string> warnings;
};

// builds a scenario from a document (scenario.cpp), with a problem's data when given
Scenario build_scenario(toml::table& root, const std::filesystem::path& name,
                        const ScenarioOptions& options, ProblemData* problem);

// a problem file as a scenario (scenario_problem.cpp); nullopt when `file` is not one
std::optional<Scenario> load_problem(const std::filesystem::path& file,
                                     const ScenarioOptions& options);

class InputTables {
  public:
    // reads and checks [inputs] and loads the tables it names (no network needed)
    InputTables(const Reader& r, toml::table& root, const std::filesystem::path& scenario,
                const std::map<std::string, CsvTable>* given = nullptr);

    [[nodiscard]] bool has_depots() const { return !depots_file_.empty(); }
    [[nodiscard]] bool has_vehicles() const { return !vehicles_file_.empty(); }
    [[nodiscard]] bool has_orders() const { return !orders_file_.empty(); }

    // the depots table's rows appended to s.spec.depots and s.depot_ids (positions pending)
    void read_depots(Scenario& s, double default_demand);
    // the vehicles table's rows appended to s.spec.fleets (one group each; per-vehicle
    // capacity and battery as types of their own) with their shifts; after the [[fleets]]
    void read_vehicles(Scenario& s);
    // orders: checked against depots and vehicles; no network needed (positions pending).
    // Replay mode turns every depot's drawn demand off.
    void read_orders(Scenario& s);
    // the depots' and orders' positions snapped on the network, the replay list built
    void place(const world::RoadNetwork& net, Scenario& s);

  private:
    // a position given in a table, to be snapped
    struct Place {
        std::string file;
        std::uint32_t line = 0;
        std::uint32_t column = 0;
        std::string what;  // "depots.csv:3 'north'"
        bool geographic = false;
        double a = 0.0;  // lat or x
        double b = 0.0;  // lon or y
    };
    struct PendingOrder {
        agents::ReplayOrder order;
        std::size_t row = 0;          // file order, the tie-break among equal release times
        std::optional<Place> pickup;  // a pick-up location of its own
    };
    // an order without a depot column: dispatched by the depot nearest its pick-up location
    static constexpr std::uint32_t kNearestDepot = 0xFFFF'FFFFu;
    world::NodeId snap(const Place& p, const world::RoadNetwork& net, Scenario& s) const;
    // a table from its file, or the one given in memory under that path
    [[nodiscard]] CsvTable table(const std::filesystem::path& file) const;

    const std::map<std::string, CsvTable>* given_ = nullptr;
    std::filesystem::path depots_file_;
    std::filesystem::path vehicles_file_;
    std::filesystem::path orders_file_;
    bool mixed_ = false;
    std::size_t first_csv_depot_ = 0;
    std::vector<Place> depot_places_;
    std::vector<Place> order_places_;
    std::vector<PendingOrder> orders_;
    std::vector<std::string> order_ids_;
};

}  // namespace swarm::io::detail
