#include "tests/io/scenario/scenario_key_walks.hpp"

namespace swarm::testing {

Walk derived();
std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

namespace {
Walk change(std::string value) {
    Walk w;
    w.value = std::move(value);
    return w;
}

Walk skipped(std::string why) {
    Walk w;
    w.skip = std::move(why);
    return w;
}

// learning that trains and acts within the run (models, wear, breakdowns, services)
// (risk_threshold: the risk models of a quarter of an hour predict little risk)
const std::vector<std::string> kLearning = {
    "learning.mode=\"local\"",     "learning.congestion.enabled=true", "learning.wear.enabled=true",
    "learning.round_s=60",         "learning.horizon_s=120",           "learning.batch=8",
    "learning.wear.base_hazard=3", "learning.risk_threshold=0.005",    "learning.service_s=120"};
// ... exchanged through the cloud (the exchange keys: attacks, aggregators, signatures)
const std::vector<std::string> kExchange = [] {
    std::vector<std::string> v = kLearning;
    v.front() = "learning.mode=\"fedavg\"";
    return v;
}();
// Q(t) on a fine grid, with orders due within the run
const std::vector<std::string> kQ = {"run.duration_s=1800", "run.sample_interval_s=150",
                                     "demand.due_s=600"};

}  // namespace

Walk derived() {
    return change("");
}

const std::map<std::string, Walk>& walks() {
    static const std::map<std::string, Walk> w = {
        {"schema_version", skipped("only 1 is valid")},
        {"description", change("\"another text\"")},
        {"inputs", skipped("names CSV files (docs/inputs.md): what they give is checked in "
                           "tests/io/scenario/scenario_inputs_test.cpp and the replay's effect "
                           "in tests/agents/fleet/fleet_model_replay_test.cpp")},
        {"run.threads", change("2")},
        {"run.tick_us", change("1000")},
        {"run.lookahead_s", change("0.015")},
        {"output.trace", change("\"keys.h5\"")},
        {"network.file", change("@dimacs")},  // a small .gr/.co pair the test writes
        {"network.generator", change("\"random_geometric\"")},
        {"network.landmarks", change("2")},
        {"network.max_snap_m", change("10000.0")},
        {"network.router", change("\"cch\"")},
        {"network.speed_profile", change("{ all = { 0-24 = 0.5 } }")},
        {"network.rows", change("8")},
        {"network.cols", change("8")},
        {"network.jitter", change("0.3")},
        {"network.arterial_every", change("3")},
        {"network.one_way_fraction", change("0.3")},
        {"network.removed_fraction", change("0.2")},
        {"network.seed", change("9")},
        {"network.river_col",
         change("3").given({"network.river_col=5", "network.bridge_rows=[2]"})},
        {"network.bridge_rows",
         change("[7]").given({"network.river_col=5", "network.bridge_rows=[2]"})},
        {"network.nodes", change("150").given({"network.nodes=100"})},
        {"network.mean_spacing_m", derived().given({"network.nodes=100"})},
        {"network.mean_degree", derived().given({"network.nodes=100"})},
        {"network.speed_mps", derived().given({"network.nodes=100"})},
        {"depots.id", change("\"z\"").on("b")},
        {"depots.node", change("5")},
        {"depots.x", change("300.0").on("b")},
        {"depots.y", change("300.0").on("b")},
        {"depots.lat", skipped("needs a map read from longitude/latitude: "
                               "tests/io/scenario/scenario_places_test.cpp")},
        {"depots.lon", skipped("needs a map read from longitude/latitude: "
                               "tests/io/scenario/scenario_places_test.cpp")},
        {"depots.docks", change("1")},
        {"depots.dock_service", change("{ law = \"fixed\", mean_s = 20.0 }")},
        {"depots.charging_points", change("1").given({"depots.a.charge_power_kw=5.0"})},
        {"depots.charge_power_kw", change("5.0")},
        {"depots.stock", change("10")},
        {"depots.demand_per_hour", change("20.0")},
        {"vehicle_types.id", change("\"lorry\"").on("spare")},
        {"vehicle_types.kind", change("\"drone\"")},
        {"vehicle_types.speed_factor", change("0.5")},
        {"vehicle_types.cruise_mps", change("5.0").on("drone")},
        {"vehicle_types.capacity", change("2")},
        {"vehicle_types.kwh_per_km", change("0.5")},
        {"vehicle_types.battery_kwh", change("4.0")},
        {"fleets.id", change("\"others\"")},
        {"fleets.type", change("\"drone\"")},
        {"fleets.count", change("3")},
        {"fleets.home", change("\"b\"")},
        {"demand.profile", change("\"day\"")},
        {"demand.start_hour", change("8.5")},
        {"demand.per_depot_per_hour", change("40.0")},
        {"demand.zone_radius_m", change("300.0")},
        {"demand.due_s", change("300.0")},
        {"demand.customer_service_s", change("10.0")},
        {"policies.allocation", change("\"cloud\"")},
        {"policies.offer_radius_m", change("150.0")},
        {"policies.max_offers", change("1")},
        {"policies.bid_window_s", change("2.0")},
        {"policies.retry_backoff_s", change("5.0")},
        {"policies.max_plan", change("1")},
        {"policies.detour_factor", change("3.0")},
        {"policies.board_interval_s", change("60.0")},
        {"policies.board_cell_m", change("50.0")},
        {"policies.energy_reserve", change("0.6")},
        {"policies.charge_threshold", change("0.9")},
        {"comms.radio_range_m", change("100.0")},
        {"comms.radio_latency_s", change("0.025")},
        {"comms.radio_bandwidth_bps", change("100000.0")},
        {"comms.radio_loss", change("0.4")},
        {"comms.cloud_rtt_s", change("2.0")},
        {"comms.cloud_bandwidth_bps", change("1000.0")},
        {"comms.cloud_loss", change("0.4")},
        {"comms.header_bytes", change("4000")},
        {"comms.gossip_fanout", change("1")},
        {"cloud.solve_base_s", change("20.0")},
        {"cloud.solve_per_order_s", change("2.0")},
        {"cloud.solve_per_eval_s", change("0.05")},
        {"cloud.candidates", change("1")},
        {"cloud.timeout_s", change("5.0").given({"comms.cloud_loss=0.3"})},
        {"cost.per_late_minute", derived().given({"demand.due_s=120"})},
        {"cost.per_late_order", derived().given({"demand.due_s=120"})},
        {"cost.per_failed_order", derived().given({"depots.a.stock=3"})},
        {"cost.per_breakdown", derived().with_disruptions()},
        {"cost.per_service", derived().given(kLearning)},
        // Q dips to 0.83 while the depot is down (lost orders) and to 0.67 near the end
        {"resilience.failure_threshold", change("0.9").given(kQ).recovering()},
        {"resilience.recovery_threshold",
         skipped("the walk's runs recover in one interval or not at all; thresholds are "
                 "walked in tests/agents/logistics/kpi_test.cpp (time_to_recover)")},
        {"learning.mode", change("\"gossip\"").given(kLearning)},
        {"learning.memory", change("8").given(kLearning)},
        {"learning.horizon_s", change("600").given(kLearning)},
        {"learning.eval_every", change("3").given(kLearning)},
        {"learning.eval_samples", change("512").given(kLearning)},
        {"learning.congestion.max_rush", change("2.0").given(kLearning)},
        // routes differ once the travel-time models have learnt strong area factors
        {"learning.route_on_predictions",
         derived().given({"learning.congestion.max_level=4", "learning.learning_rate=0.5",
                          "learning.steps_per_round=20"})},
        {"learning.predictive_maintenance", derived().given(kLearning)},
        {"learning.risk_threshold", change("0.5").given(kLearning)},
        {"learning.service_s", change("300.0").given(kLearning)},
        {"learning.wear.wear_hazard", change("50.0")},
        {"learning.congestion.zones", change("2").given(kLearning)},
        {"learning.congestion.area_m", change("500.0").given(kLearning)},
        {"learning.wear.repair_s", change("60.0").given(kLearning)},
        {"learning.wear.initial_wear_max", change("0.1").given(kLearning)},
        {"learning.compression", change("\"q8\"").given(kExchange)},
        {"learning.topk_fraction", derived().given(kExchange)},
        {"learning.attack.kind", change("\"sign_flip\"")
                                     .given(with(kExchange, {"learning.attack.kind=\"gaussian\"",
                                                             "learning.attack.fraction=0.25"}))},
        {"learning.attack.fraction",
         change("0.5").given(with(
             kExchange, {"learning.attack.kind=\"sign_flip\"", "learning.attack.fraction=0.25"}))},
        {"learning.attack.scale",
         derived().given(with(kExchange, {"learning.attack.fraction=0.25"}))},
        {"learning.attack.sigma",
         derived().given(with(kExchange, {"learning.attack.fraction=0.25"}))},
        {"learning.attack.z", derived().given(with(kExchange, {"learning.attack.fraction=0.25"}))},
        {"learning.attack.epsilon",
         derived().given(with(kExchange, {"learning.attack.fraction=0.25"}))},
        {"learning.aggregator.kind", change("\"median\"").given(kExchange)},
        {"learning.aggregator.trim", derived().given(kExchange)},
        {"learning.aggregator.krum_f", change("5").given(kExchange)},
        {"learning.aggregator.clip_quantile", derived().given(kExchange)},
        // 1: every upload beyond the clipping radius is dropped
        {"learning.aggregator.screen_factor", change("1.0").given(kExchange)},
        {"learning.identity.sign", derived().given(kExchange)},
        {"learning.identity.tamper_rate", derived().given(kExchange)},
        {"learning.congestion.enabled", change("false")},
        {"learning.wear.enabled", change("false").given({"learning.mode=\"local\""})},
        {"learning.wear.wear_per_hour", derived().given(kLearning)},
        {"learning.wear.base_hazard", derived().given(kLearning)},
        {"learning.wear.sensor_noise", derived().given(kLearning)},
        {"disruptions.id", change("\"surge2\"").on("surge")},
        {"disruptions.kind", change("\"reopen_roads\"")},
        {"disruptions.label", change("\"x\"").on("jam")},
        {"disruptions.at_s", change("260.0")},
        {"disruptions.window_end_s", change("500.0")},
        {"disruptions.probability", change("0.0")},
        {"disruptions.duration_s", change("60.0")},
        {"disruptions.after", change("\"slow\"").on("docks")},
        {"disruptions.after_delay_s", change("200.0").on("docks")},
        {"disruptions.after_end", change("true").on("docks")},
        {"disruptions.announced", change("true").on("cut")},
        {"disruptions.edges", change("[20, 21]").on("cut")},
        {"disruptions.road", change("\"Avenue 6\"").on("slow")},
        {"disruptions.roads", change("[\"Street 6\"]").on("shut")},
        {"disruptions.area", change("{ x = 200.0, y = 200.0, radius_m = 250.0 }")},
        {"disruptions.speed_factor", change("0.9").on("slow")},
        {"disruptions.depot", change("\"a\"").on("stock")},
        {"disruptions.stock", change("0").on("stock")},
        {"disruptions.docks", change("3").on("docks")},
        {"disruptions.vehicles", change("[4]").on("break")},
        {"disruptions.fraction", change("0.8").on("attrition")},
        {"disruptions.mtbf_s", change("100.0").on("fail")},
        {"disruptions.mttr_s", change("60.0").on("fail")},
        {"disruptions.loss", change("0.95").on("spike")},
        {"disruptions.multiplier", change("6.0").on("surge")},
    };
    return w;
}

}  // namespace swarm::testing
