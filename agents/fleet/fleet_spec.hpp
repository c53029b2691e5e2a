// The immutable description of a fleet scenario: depots, vehicle types, fleets, demand and
// allocation parameters on one road network. Built once, shared by const& (MuJoCo's mjModel).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agents/comms/comms_spec.hpp"
#include "agents/fleet/disruption.hpp"
#include "agents/fleet/fleet_inputs.hpp"
#include "agents/learning/model_exchange.hpp"
#include "agents/learning/operational.hpp"
#include "agents/routing/speed_profile.hpp"
#include "agents/world/road_network.hpp"
#include "sim/time.hpp"

namespace swarm::agents {

using world::NodeId;
using world::Point;

// A service time law in seconds: exponential with the given mean, or fixed.
struct ServiceLaw {
    enum class Kind : std::uint8_t { kExponential, kFixed };
    Kind kind = Kind::kExponential;
    double mean_s = 60.0;
};

struct DepotSpec {
    NodeId node = world::kNoNode;
    std::uint32_t docks = 2;
    ServiceLaw dock_service{ServiceLaw::Kind::kExponential, 60.0};
    std::uint32_t charging_points = 2;
    double charge_power_kw = 50.0;
    std::uint64_t initial_stock = 1'000'000;  // units
    double demand_per_hour = 60.0;            // mean order arrivals per hour (over a day with kDay)
};

enum class VehicleKind : std::uint8_t { kGround, kDrone };

struct VehicleType {
    std::string name = "van";
    VehicleKind kind = VehicleKind::kGround;
    double speed_factor = 1.0;    // ground: share of each road's speed
    double cruise_mps = 15.0;     // drone: straight-line speed
    std::uint32_t capacity = 10;  // units
    double kwh_per_km = 0.2;
    double battery_kwh = 60.0;
};

// `count` vehicles of type `type` based at depot `home`.
struct FleetGroup {
    std::uint32_t type = 0;
    std::uint32_t count = 0;
    std::uint32_t home = 0;
    // the scenario fleet it belongs to (one fleet homed at "*" is a group per depot); the
    // KPIs report per id, or per vehicle type when empty
    std::string id;
};

// How a depot's order rate varies over time (logistics::RateProfile): constant, or the
// day profile (quiet nights, peaks at 8-10 h and 15-17 h; simulated time 0 is midnight).
enum class DemandProfile : std::uint8_t { kDay, kFlat };

// Orders a depot creates (logistics::DemandProcess): a non-homogeneous Poisson process with
// the depot's demand_per_hour times the profile's factor; size uniform over the integers in
// [1, max_size] units, to a customer node drawn uniformly from the depot's demand zone,
// ready at creation and due `due_s` after it.
struct DemandSpec {
    double zone_radius_m = 1500.0;  // customer nodes within this radius of their depot
    std::uint32_t max_size = 3;
    double due_s = 45.0 * 60.0;
    double customer_service_s = 60.0;  // hand-over time at the customer
    DemandProfile profile = DemandProfile::kDay;
    double start_hour = 0.0;              // kDay: the hour of day at simulated time 0
    double kpi_interval_s = 15.0 * 60.0;  // grid of the KPI series (Q(t), utilisation)
};

struct AllocationParams {
    std::string policy = "nearest_bid";
    double offer_radius_m = 3000.0;
    std::uint32_t max_offers = 4;  // K vehicles offered each order
    double bid_window_s = 0.0;     // 0: three lookaheads
    double retry_backoff_s = 30.0;
    std::uint32_t max_plan = 3;     // orders a vehicle may hold at once
    double detour_factor = 1.4;     // road distance / straight-line distance, for estimates
    double board_interval_s = 5.0;  // how often the FleetBoard snapshot is rebuilt
    double board_cell_m = 500.0;    // FleetBoard grid cell size
    double energy_reserve = 0.15;   // share of battery never planned away
    double charge_threshold = 0.5;  // charge at home when energy is below this share
};

// The cloud dispatcher (policy "cloud"): a central LP that re-plans in batches
// (agents/fleet/central_planner.hpp, docs/central-planner.md). A solve takes
// solve_base_s + solve_per_order_s x open orders + solve_per_eval_s x plan evaluations.
struct CloudParams {
    double solve_base_s = 1.0;          // fixed cost of one solve
    double solve_per_order_s = 0.0;     // plus this per open order in the batch
    double solve_per_eval_s = 6.62e-6;  // plus this per plan evaluation the planner did
    std::uint32_t candidates = 64;      // vehicles considered per order (nearest); 0: all
    double timeout_s = 120.0;           // a depot asks again when no award came back
};

// What the cost KPI charges (currency units).
struct CostParams {
    double per_km = 0.60;
    double per_kwh = 0.30;
    double per_late_minute = 0.50;  // per minute past due: late deliveries, held orders
    double per_late_order = 5.00;   // once per order past due undelivered (a broken promise)
    double per_failed_order = 25.0;
    double per_breakdown = 0.0;  // towing and repair of a vehicle that broke on the road
    double per_service = 0.0;    // one planned maintenance visit
};

// What the vehicles learn from operations and do with it (docs/fleet-learning.md). A mode
// is an index into the registry of model exchanges (model_exchanges.hpp); the built-ins:
enum class LearningMode : std::uint8_t {
    kOff,     // no models: routes on free-flow times, no predictive maintenance
    kLocal,   // each vehicle trains on its own observations only
    kGossip,  // ... and averages weights with a radio neighbour each round (push-pull)
    kFedAvg,  // ... and the cloud averages every connected vehicle's weights each round
};
const char* to_string(LearningMode mode);
// a registered exchange by name ("off", "local", "gossip", "fedavg", ...);
// std::invalid_argument listing them otherwise
LearningMode learning_mode_from_string(const std::string& name);

struct FleetLearningSpec {
    // the hidden world the vehicles observe
    bool congestion = false;  // travel times carry a congestion field (area, time of day)
    learning::CongestionSpec congestion_field;  // area_m 0: the network's extent
    bool wear = false;  // components wear with use and break down (DegradationModel)
    learning::DegradationSpec degradation;
    double initial_wear_max = 0.8;   // vehicles start with wear uniform in [0, this]
    double repair_s = 4.0 * 3600.0;  // a breakdown keeps the vehicle off the road this long
    // learning
    LearningMode mode = LearningMode::kOff;
    double round_s = 60.0;              // sensing, training and exchange period
    std::uint32_t steps_per_round = 4;  // SGD steps per model and round
    std::uint32_t batch = 32;
    double learning_rate = 0.05;
    std::uint32_t memory = 512;       // samples a vehicle keeps per model (oldest dropped)
    double horizon_s = 2.0 * 3600.0;  // risk label: breaks down within this long
    // acting on the models
    bool route_on_predictions = true;    // ground vehicles route on predicted travel times
    bool predictive_maintenance = true;  // service when the predicted risk crosses the threshold
    double risk_threshold = 0.3;
    double service_s = 1800.0;         // planned maintenance at the home depot
    std::uint32_t eval_samples = 256;  // hidden-truth samples each model is scored on
    std::uint32_t eval_every = 10;     // rounds between scorings (models that changed only)
    // how models travel (agents/learning): compression, signatures, tampering on the
    // channel, Byzantine vehicles and the FedAvg server's aggregator
    learning::ExchangeSpec exchange;

    [[nodiscard]] bool active() const { return congestion || wear; }
    [[nodiscard]] bool learns() const { return active() && mode != LearningMode::kOff; }
};

// Thresholds of the time to recover (on the service level Q(t), in [0, 1]).
struct ResilienceParams {
    double failure_threshold = 0.80;
    double recovery_threshold = 0.95;
};

struct FleetSpec {
    const world::RoadNetwork* network = nullptr;  // must outlive the spec
    // time-of-day speeds by road class (network.speed_profile, docs/routing.md), made for
    // `network`; empty: none, every travel time is static. Read on clock_s().
    routing::SpeedProfile speed_profile;
    sim::TimeScale time{};
    double lookahead_s = 0.020;  // radio latency, the kernel's lookahead
    std::vector<DepotSpec> depots;
    std::vector<VehicleType> types;
    std::vector<FleetGroup> fleets;
    DemandSpec demand;
    AllocationParams allocation;
    // radio and cloud link (agents/comms, docs/comms.md); a radio message takes at least
    // the kernel lookahead
    comms::CommsSpec comms;
    std::uint32_t gossip_fanout = 8;  // nearest radio peers a vehicle pushes road news to
    CloudParams cloud;
    CostParams cost;
    ResilienceParams resilience;
    FleetLearningSpec learning;
    std::vector<DisruptionSpec> disruptions;  // applied in declaration order when simultaneous
    // orders replayed from a table (with or beside the demand processes) and vehicle shifts
    // by vehicle index (empty: every vehicle always on duty); fleet_inputs.hpp
    OrderReplay replay;
    std::vector<VehicleShift> shifts;

    [[nodiscard]] const world::RoadNetwork& net() const { return *network; }
    // the clock time (seconds since midnight of the first day) at simulated second sim_s:
    // simulated time 0 is demand.start_hour o'clock
    [[nodiscard]] double clock_s(double sim_s) const { return sim_s + demand.start_hour * 3600.0; }
    [[nodiscard]] std::uint32_t depot_count() const {
        return static_cast<std::uint32_t>(depots.size());
    }
    [[nodiscard]] std::uint32_t vehicle_count() const;
    [[nodiscard]] sim::Tick lookahead() const { return time.from_seconds(lookahead_s); }
    [[nodiscard]] sim::Tick bid_window() const;
    // The shortest time from an auction's offer to its bid back at the depot: two radio
    // delays (each at least the lookahead). A bid window shorter than this hears no bid.
    [[nodiscard]] sim::Tick bid_round_trip() const;
    // The shortest time from a depot's request to the cloud to the winner's accept back at
    // the depot: request and award over the cloud link, the accept over the radio, plus
    // `solve` (one tick when a solve under way ends at once). A cloud timeout shorter than
    // award_round_trip() revokes every award; one shorter than
    // award_round_trip(one_order_solve()) revokes all but those of solves under way.
    [[nodiscard]] sim::Tick award_round_trip(sim::Tick solve = 1) const;
    // the cloud's solve of a batch of one order: three plan evaluations per candidate
    // vehicle (its plan; its plan with the order, by its own test and jointly loaded)
    [[nodiscard]] sim::Tick one_order_solve() const;
    // throws std::invalid_argument naming the first problem, including settings that leave
    // the fleet inert (no order could ever be allocated)
    void validate() const;
};

// Depots on the nodes nearest to a regular rows x cols lattice over the network's bounds,
// each with a copy of `prototype` (benchmarks and tests).
std::vector<DepotSpec> depots_on_lattice(const world::RoadNetwork& network, std::uint32_t rows,
                                         std::uint32_t cols, const DepotSpec& prototype);

// the node nearest to p (linear scan; setup only)
NodeId nearest_node(const world::RoadNetwork& network, Point p);

}  // namespace swarm::agents
