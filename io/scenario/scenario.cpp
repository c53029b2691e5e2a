// TOML scenario loader: parse, override, check, build. See docs/scenarios.md.
#include "io/scenario/scenario.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <utility>

#include "agents/fleet/messages.hpp"
#include "agents/fleet/model_exchanges.hpp"
#include "agents/fleet/protocol.hpp"
#include "agents/world/generators.hpp"
#include "agents/world/region.hpp"
#include "io/network/network_loader.hpp"
#include "io/printable.hpp"
#include "io/scenario/scenario_checks.hpp"
#include "io/scenario/scenario_disruptions.hpp"
#include "io/scenario/scenario_inputs.hpp"
#include "io/scenario/scenario_learning.hpp"
#include "io/scenario/scenario_places.hpp"
#include "io/scenario/scenario_speed_profile.hpp"
#include "io/scenario/toml_reader.hpp"

namespace swarm::io {

namespace {

using namespace detail;

std::string format_what(const std::string& file, std::uint32_t line, std::uint32_t column,
                        const std::string& message) {
    if (line == 0) {
        return file + ": error: " + message;
    }
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": error: " + message;
}

// ---- sections ----

const std::vector<std::string> kTopKeys = {
    "schema_version", "description", "run",         "output",   "network", "depots",
    "vehicle_types",  "fleets",      "demand",      "policies", "comms",   "cloud",
    "cost",           "resilience",  "disruptions", "learning", "inputs"};

void read_run(const Reader& r, toml::table& root, RunSettings& run) {
    toml::table& t = r.table(root, "", "run");
    r.check_keys(t, "run",
                 {"seed", "duration_s", "threads", "tick_us", "sample_interval_s", "lookahead_s"});
    run.seed = static_cast<std::uint64_t>(
        r.integer(t, "run", "seed", 1, 0, std::numeric_limits<std::int64_t>::max()));
    run.duration_s = r.real(t, "run", "duration_s", 3600.0, 0.0, kMaxDurationS, true);
    run.threads = static_cast<std::uint32_t>(r.integer(t, "run", "threads", 0, 0, kMaxThreads));
    run.tick_us = r.integer(t, "run", "tick_us", 1, 1, 1'000'000);
    if (1'000'000 % run.tick_us != 0) {
        r.fail(*t.get("tick_us"),
               "run.tick_us must divide 1000000 (a whole number of ticks "
               "per second)");
    }
    run.sample_interval_s = r.real(t, "run", "sample_interval_s", 900.0, 0.0, kMaxDurationS, true);
    at_least_one_tick(r, t, "run", "duration_s", run.duration_s, run);
    if (run.duration_s / run.sample_interval_s > 1e7) {
        r.fail(*t.get("sample_interval_s"),
               "run.sample_interval_s is too small: more than 10,000,000 samples");
    }
    at_least_one_tick(r, t, "run", "sample_interval_s", run.sample_interval_s, run);
    run.lookahead_s = r.real(t, "run", "lookahead_s", 0.020, 0.0, 60.0, true);
    const double tick_s = static_cast<double>(run.tick_us) * 1e-6;
    if (run.lookahead_s < tick_s) {
        // (the default lookahead too: then the tick is the key to change)
        const bool given = Reader::given(t.get("lookahead_s"));
        r.fail(*t.get(given ? "lookahead_s" : "tick_us"),
               "run.lookahead_s" + std::string(given ? "" : " (default 0.02 s)") +
                   " must be at least one tick (" + number_text(tick_s) +
                   " s, run.tick_us = " + std::to_string(run.tick_us) + ")");
    }
}

void read_output(const Reader& r, toml::table& root, const RunSettings& run, OutputSettings& o) {
    toml::table& t = r.table(root, "", "output");
    r.check_keys(t, "output", {"trace", "sample_interval_s", "positions", "events", "kpis"});
    o.trace = r.string(t, "output", "trace", "");
    o.sample_interval_s = r.real(t, "output", "sample_interval_s", 60.0, 0.0, kMaxDurationS, true);
    if (run.duration_s / o.sample_interval_s > 1e7) {
        r.fail(*t.get("sample_interval_s"),
               "output.sample_interval_s is too small: more than 10,000,000 samples");
    }
    at_least_one_tick(r, t, "output", "sample_interval_s", o.sample_interval_s, run);
    o.positions = r.boolean(t, "output", "positions", true);
    o.events = r.boolean(t, "output", "events", false);
    o.kpis = r.boolean(t, "output", "kpis", true);
    // what `run` refuses with this trace (and with -o PATH, which only it knows about)
    for (const auto& [key, on] : {std::pair{"positions", o.positions}, {"kpis", o.kpis}}) {
        if (!o.trace.empty() && !on) {
            r.fail(*t.get(key), "output." + std::string(key) +
                                    " cannot be turned off yet: every trace records positions "
                                    "and KPIs (output.trace is set)");
        }
    }
}

std::unique_ptr<world::RoadNetwork> read_network(const Reader& r, toml::table& root,
                                                 const std::filesystem::path& scenario_file,
                                                 bool build, NetworkSettings& ns,
                                                 std::vector<std::string>& warnings) {
    toml::table& t = r.table(root, "", "network");
    const bool has_file = t.contains("file");
    const bool has_generator = t.contains("generator");
    if (has_file && has_generator) {
        r.fail(*t.get("generator"), "network: give either file or generator, not both");
    }
    if (!has_file && !has_generator) {
        r.fail(t, "network: missing key 'file' or 'generator'");
    }
    ns.landmarks = static_cast<std::uint32_t>(r.integer(t, "network", "landmarks", 8, 0, 64));
    ns.max_snap_m = r.real(t, "network", "max_snap_m", 500.0, 0.0, 1e7, true);
    ns.router = r.choice(t, "network", "router", "alt", {"alt", "cch", "dijkstra"});
    ns.speed_profile = read_speed_profile(r, t, scenario_file);
    if (has_file) {
        r.check_keys(t, "network", {"file", "landmarks", "max_snap_m", "router", "speed_profile"});
        const std::string given = r.string(t, "network", "file", "");
        const toml::node& n = *t.get("file");
        if (given.empty()) {
            r.fail(n, "network.file must not be empty");
        }
        // relative to the scenario's directory; from --set, relative to the working directory
        std::filesystem::path p(given);
        const bool from_override = n.source().path && n.source().path->starts_with("--set");
        if (p.is_relative() && !from_override) {
            p = scenario_file.parent_path() / p;
        }
        ns.file = p.lexically_normal().string();
        if (!build) {
            return nullptr;
        }
        std::error_code ec;
        if (!std::filesystem::is_regular_file(p, ec)) {
            r.fail(n, "network.file '" + ns.file + "' does not exist or is not a file");
        }
        try {
            LoadReport report;
            auto net = std::make_unique<world::RoadNetwork>(load_network(p, &report));
            if (report.geographic) {
                ns.origin = GeoOrigin{report.origin_lon, report.origin_lat};
            }
            for (const std::string& w : report.warnings) {
                warnings.push_back(r.warning(n, "network.file '" + ns.file + "': " + w));
            }
            return net;
        } catch (const NetworkFileError& e) {
            r.fail(n, "network.file '" + ns.file + "': " + e.message());
        } catch (const std::exception& e) {
            r.fail(n, "network.file '" + ns.file + "': " + e.what());
        }
    }
    ns.generator =
        r.choice(t, "network", "generator", "grid_city", {"grid_city", "random_geometric"});
    if (ns.generator == "grid_city") {
        r.check_keys(
            t, "network",
            {"generator", "landmarks", "max_snap_m", "router", "speed_profile", "rows", "cols",
             "spacing_m", "jitter", "arterial_every", "street_speed_mps", "arterial_speed_mps",
             "one_way_fraction", "removed_fraction", "seed", "river_col", "bridge_rows"});
        world::GridCityParams g;
        g.rows = static_cast<std::size_t>(r.integer(t, "network", "rows", 10, 2, kMaxGridSide));
        g.cols = static_cast<std::size_t>(r.integer(t, "network", "cols", 10, 2, kMaxGridSide));
        if (static_cast<std::int64_t>(g.rows * g.cols) > kMaxGeneratedNodes) {
            r.fail(*t.get("cols"), "network.rows x network.cols = " + std::to_string(g.rows) +
                                       " x " + std::to_string(g.cols) +
                                       " must be <= " + std::to_string(kMaxGeneratedNodes) +
                                       " nodes (building one takes about 1 kB a node)");
        }
        g.spacing_m = r.real(t, "network", "spacing_m", 100.0, 1.0, 100'000.0);
        g.jitter = r.real(t, "network", "jitter", 0.1, 0.0, 0.45);
        g.arterial_every =
            static_cast<std::size_t>(r.integer(t, "network", "arterial_every", 5, 0, 1'000'000));
        g.street_speed_mps = r.real(t, "network", "street_speed_mps", 13.89, 0.0, 100.0, true);
        g.arterial_speed_mps = r.real(t, "network", "arterial_speed_mps", 19.44, 0.0, 100.0, true);
        g.one_way_fraction = r.real(t, "network", "one_way_fraction", 0.05, 0.0, 1.0);
        g.removed_fraction = r.real(t, "network", "removed_fraction", 0.02, 0.0, 0.9);
        g.seed = static_cast<std::uint64_t>(
            r.integer(t, "network", "seed", 1, 0, std::numeric_limits<std::int64_t>::max()));
        g.river_col = static_cast<std::size_t>(
            r.integer(t, "network", "river_col", 0, 0, static_cast<std::int64_t>(g.cols) - 1));
        if (const toml::node* bn = t.get("bridge_rows"); bn != nullptr) {
            const toml::array* arr = bn->as_array();
            if (arr == nullptr || arr->empty()) {
                r.fail(*bn, "network.bridge_rows must be a non-empty array of row numbers");
            }
            for (const toml::node& b : *arr) {
                g.bridge_rows.push_back(static_cast<std::size_t>(r.integer_node(
                    b, "network.bridge_rows[]", 0, static_cast<std::int64_t>(g.rows) - 1)));
            }
            if (g.river_col == 0) {
                r.fail(*bn, "network.bridge_rows needs a river (network.river_col > 0)");
            }
        } else if (g.river_col > 0) {
            r.fail(*t.get("river_col"),
                   "network.river_col needs bridge_rows (the river's bridges)");
        }
        return build ? std::make_unique<world::RoadNetwork>(world::make_grid_city(g)) : nullptr;
    }
    r.check_keys(t, "network",
                 {"generator", "landmarks", "max_snap_m", "router", "speed_profile", "nodes",
                  "mean_spacing_m", "mean_degree", "speed_mps", "seed"});
    world::RandomGeometricParams g;
    g.nodes =
        static_cast<std::size_t>(r.integer(t, "network", "nodes", 1000, 2, kMaxGeneratedNodes));
    g.mean_spacing_m = r.real(t, "network", "mean_spacing_m", 100.0, 1.0, 100'000.0);
    g.mean_degree = r.real(t, "network", "mean_degree", 6.0, 1.0, 50.0);
    g.speed_mps = r.real(t, "network", "speed_mps", 13.89, 0.0, 100.0, true);
    g.seed = static_cast<std::uint64_t>(
        r.integer(t, "network", "seed", 1, 0, std::numeric_limits<std::int64_t>::max()));
    return build ? std::make_unique<world::RoadNetwork>(world::make_random_geometric(g)) : nullptr;
}

void read_demand(const Reader& r, toml::table& root, const RunSettings& run, agents::DemandSpec& d,
                 double& per_depot) {
    toml::table& t = r.table(root, "", "demand");
    r.check_keys(t, "demand",
                 {"profile", "start_hour", "per_depot_per_hour", "zone_radius_m", "max_size",
                  "due_s", "customer_service_s"});
    d.profile = r.choice(t, "demand", "profile", "day", {"day", "flat"}) == "day"
                    ? agents::DemandProfile::kDay
                    : agents::DemandProfile::kFlat;
    d.start_hour = r.real(t, "demand", "start_hour", 0.0, 0.0, 24.0);
    per_depot = r.real(t, "demand", "per_depot_per_hour", 60.0, 0.0, 1e6);
    d.zone_radius_m = r.real(t, "demand", "zone_radius_m", 1500.0, 0.0, 1e6, true);
    d.max_size = static_cast<std::uint32_t>(r.integer(t, "demand", "max_size", 3, 1, 65'535));
    d.due_s = r.real(t, "demand", "due_s", 2700.0, 0.0, kMaxDurationS, true);
    at_least_one_tick(r, t, "demand", "due_s", d.due_s, run);
    d.customer_service_s = r.real(t, "demand", "customer_service_s", 60.0, 0.0, 86400.0);
}

void read_policies(const Reader& r, toml::table& root, const RunSettings& run,
                   agents::AllocationParams& a) {
    toml::table& t = r.table(root, "", "policies");
    r.check_keys(t, "policies",
                 {"allocation", "offer_radius_m", "max_offers", "bid_window_s", "retry_backoff_s",
                  "max_plan", "detour_factor", "board_interval_s", "board_cell_m", "energy_reserve",
                  "charge_threshold"});
    a.policy = r.choice(t, "policies", "allocation", "nearest_bid", agents::protocol_names());
    a.offer_radius_m = r.real(t, "policies", "offer_radius_m", 3000.0, 0.0, 1e6, true);
    a.max_offers = static_cast<std::uint32_t>(r.integer(t, "policies", "max_offers", 4, 1, 64));
    a.bid_window_s = r.real(t, "policies", "bid_window_s", 0.0, 0.0, 3600.0);
    a.retry_backoff_s = r.real(t, "policies", "retry_backoff_s", 30.0, 0.0, 86400.0, true);
    a.max_plan =
        static_cast<std::uint32_t>(r.integer(t, "policies", "max_plan", 3, 1, agents::kMaxPlan));
    a.detour_factor = r.real(t, "policies", "detour_factor", 1.4, 1.0, 10.0);
    a.board_interval_s = r.real(t, "policies", "board_interval_s", 5.0, 0.0, 86400.0, true);
    at_least_one_tick(r, t, "policies", "retry_backoff_s", a.retry_backoff_s, run);
    at_least_one_tick(r, t, "policies", "board_interval_s", a.board_interval_s, run);
    a.board_cell_m = r.real(t, "policies", "board_cell_m", 500.0, 0.0, 1e6, true);
    a.energy_reserve = r.real(t, "policies", "energy_reserve", 0.15, 0.0, 0.99);
    a.charge_threshold = r.real(t, "policies", "charge_threshold", 0.5, 0.0, 1.0);
}

void read_comms(const Reader& r, toml::table& root, const RunSettings& run,
                agents::FleetSpec& spec) {
    toml::table& t = r.table(root, "", "comms");
    r.check_keys(
        t, "comms",
        {"radio_range_m", "radio_latency_s", "radio_bandwidth_bps", "radio_loss", "cloud_rtt_s",
         "cloud_bandwidth_bps", "cloud_loss", "header_bytes", "gossip_fanout"});
    comms::CommsSpec& c = spec.comms;
    c.radio_range_m = r.real(t, "comms", "radio_range_m", 1000.0, 0.0, 1e6, true);
    // the radio latency is the kernel's lookahead unless given
    c.radio_latency_s = r.real(t, "comms", "radio_latency_s", run.lookahead_s, 0.0, 60.0, true);
    if (c.radio_latency_s < run.lookahead_s) {
        r.fail(*t.get("radio_latency_s"), "comms.radio_latency_s must be >= run.lookahead_s (" +
                                              number_text(run.lookahead_s) +
                                              "): no message is faster than the lookahead");
    }
    c.radio_bandwidth_bps = r.real(t, "comms", "radio_bandwidth_bps", 6.0e6, 0.0, 1e12, true);
    c.radio_loss = r.real(t, "comms", "radio_loss", 0.0, 0.0, 1.0);
    c.cloud_rtt_s = r.real(t, "comms", "cloud_rtt_s", 0.150, 0.0, 600.0, true);
    if (c.cloud_rtt_s / 2.0 < run.lookahead_s) {
        r.fail(*t.get("cloud_rtt_s"), "comms.cloud_rtt_s must be >= two run.lookahead_s");
    }
    c.cloud_bandwidth_bps = r.real(t, "comms", "cloud_bandwidth_bps", 2.0e6, 0.0, 1e12, true);
    c.cloud_loss = r.real(t, "comms", "cloud_loss", 0.0, 0.0, 1.0);
    c.header_bytes =
        static_cast<std::uint32_t>(r.integer(t, "comms", "header_bytes", 40, 0, 65536));
    spec.gossip_fanout =
        static_cast<std::uint32_t>(r.integer(t, "comms", "gossip_fanout", 8, 1, 64));

    toml::table& cl = r.table(root, "", "cloud");
    r.check_keys(
        cl, "cloud",
        {"solve_base_s", "solve_per_order_s", "solve_per_eval_s", "candidates", "timeout_s"});
    spec.cloud.solve_base_s = r.real(cl, "cloud", "solve_base_s", 1.0, 0.0, 3600.0);
    spec.cloud.solve_per_order_s = r.real(cl, "cloud", "solve_per_order_s", 0.0, 0.0, 60.0);
    spec.cloud.solve_per_eval_s = r.real(cl, "cloud", "solve_per_eval_s", 6.62e-6, 0.0, 1.0);
    spec.cloud.candidates =
        static_cast<std::uint32_t>(r.integer(cl, "cloud", "candidates", 64, 0, 1000000));
    spec.cloud.timeout_s = r.real(cl, "cloud", "timeout_s", 120.0, 0.0, 86400.0, true);
    at_least_one_tick(r, cl, "cloud", "timeout_s", spec.cloud.timeout_s, run);

    toml::table& co = r.table(root, "", "cost");
    r.check_keys(co, "cost",
                 {"per_km", "per_kwh", "per_late_minute", "per_late_order", "per_failed_order",
                  "per_breakdown", "per_service"});
    spec.cost.per_breakdown = r.real(co, "cost", "per_breakdown", 0.0, 0.0, 1e9);
    spec.cost.per_service = r.real(co, "cost", "per_service", 0.0, 0.0, 1e9);
    spec.cost.per_km = r.real(co, "cost", "per_km", 0.60, 0.0, 1e6);
    spec.cost.per_kwh = r.real(co, "cost", "per_kwh", 0.30, 0.0, 1e6);
    spec.cost.per_late_minute = r.real(co, "cost", "per_late_minute", 0.50, 0.0, 1e6);
    spec.cost.per_late_order = r.real(co, "cost", "per_late_order", 5.0, 0.0, 1e9);
    spec.cost.per_failed_order = r.real(co, "cost", "per_failed_order", 25.0, 0.0, 1e9);

    toml::table& re = r.table(root, "", "resilience");
    r.check_keys(re, "resilience", {"failure_threshold", "recovery_threshold"});
    spec.resilience.failure_threshold =
        r.real(re, "resilience", "failure_threshold", 0.80, 0.0, 1.0);
    spec.resilience.recovery_threshold =
        r.real(re, "resilience", "recovery_threshold", 0.95, 0.0, 1.0);
    if (spec.resilience.failure_threshold > spec.resilience.recovery_threshold) {
        r.fail(*re.get("failure_threshold"),
               "resilience.failure_threshold must not exceed resilience.recovery_threshold");
    }
}

// [learning] with [learning.congestion] and [learning.wear], then how models travel
// (scenario_learning.cpp; docs/fleet-learning.md)
void read_learning(const Reader& r, toml::table& root, const RunSettings& run,
                   agents::FleetLearningSpec& l) {
    toml::table& t = r.table(root, "", "learning");
    r.check_keys(t, "learning",
                 {"mode",
                  "round_s",
                  "steps_per_round",
                  "batch",
                  "learning_rate",
                  "memory",
                  "horizon_s",
                  "route_on_predictions",
                  "predictive_maintenance",
                  "risk_threshold",
                  "service_s",
                  "eval_samples",
                  "eval_every",
                  "congestion",
                  "wear",
                  "compression",
                  "topk_fraction",
                  "attack",
                  "aggregator",
                  "identity"});
    l.mode = agents::learning_mode_from_string(
        r.choice(t, "learning", "mode", "off", agents::model_exchange_names()));
    l.round_s = r.real(t, "learning", "round_s", 60.0, 0.0, 86400.0, true);
    at_least_one_tick(r, t, "learning", "round_s", l.round_s, run);
    l.steps_per_round =
        static_cast<std::uint32_t>(r.integer(t, "learning", "steps_per_round", 4, 0, 1000));
    l.batch = static_cast<std::uint32_t>(r.integer(t, "learning", "batch", 32, 1, 4096));
    l.learning_rate = r.real(t, "learning", "learning_rate", 0.05, 0.0, 10.0, true);
    l.memory = static_cast<std::uint32_t>(r.integer(t, "learning", "memory", 512, 1, 1'000'000));
    if (l.memory < l.batch) {
        r.fail(*t.get("memory"), "learning.memory must be >= learning.batch");
    }
    l.horizon_s = r.real(t, "learning", "horizon_s", 7200.0, 0.0, 30.0 * 86400.0, true);
    if (l.horizon_s < l.round_s) {
        r.fail(*t.get("horizon_s"), "learning.horizon_s must be >= learning.round_s");
    }
    l.route_on_predictions = r.boolean(t, "learning", "route_on_predictions", true);
    l.predictive_maintenance = r.boolean(t, "learning", "predictive_maintenance", true);
    l.risk_threshold = r.real(t, "learning", "risk_threshold", 0.3, 0.0, 1.0, true);
    if (l.risk_threshold >= 1.0) {
        r.fail(*t.get("risk_threshold"), "learning.risk_threshold must be < 1");
    }
    l.service_s = r.real(t, "learning", "service_s", 1800.0, 0.0, 30.0 * 86400.0, true);
    at_least_one_tick(r, t, "learning", "service_s", l.service_s, run);
    l.eval_samples =
        static_cast<std::uint32_t>(r.integer(t, "learning", "eval_samples", 256, 1, 100'000));
    l.eval_every =
        static_cast<std::uint32_t>(r.integer(t, "learning", "eval_every", 10, 1, 1'000'000));

    toml::table& c = r.table(t, "learning", "congestion");
    r.check_keys(c, "learning.congestion",
                 {"enabled", "zones", "max_level", "max_rush", "noise", "area_m"});
    l.congestion = r.boolean(c, "learning.congestion", "enabled", false);
    l.congestion_field.zones =
        static_cast<std::uint32_t>(r.integer(c, "learning.congestion", "zones", 4, 1, 16));
    l.congestion_field.max_level = r.real(c, "learning.congestion", "max_level", 1.6, 1.0, 100.0);
    l.congestion_field.max_rush = r.real(c, "learning.congestion", "max_rush", 1.0, 0.0, 100.0);
    l.congestion_field.noise = r.real(c, "learning.congestion", "noise", 0.1, 0.0, 5.0);
    l.congestion_field.area_m = r.real(c, "learning.congestion", "area_m", 0.0, 0.0, 1e8);

    toml::table& w = r.table(t, "learning", "wear");
    r.check_keys(w, "learning.wear",
                 {"enabled", "wear_per_hour", "base_hazard", "wear_hazard", "sensor_noise",
                  "initial_wear_max", "repair_s"});
    l.wear = r.boolean(w, "learning.wear", "enabled", false);
    l.degradation.wear_per_hour =
        r.real(w, "learning.wear", "wear_per_hour", 0.004, 0.0, 100.0, true);
    l.degradation.base_hazard = r.real(w, "learning.wear", "base_hazard", 1e-4, 0.0, 1e6);
    l.degradation.wear_hazard = r.real(w, "learning.wear", "wear_hazard", 0.05, 0.0, 1e6);
    l.degradation.sensor_noise = r.real(w, "learning.wear", "sensor_noise", 0.05, 0.0, 10.0);
    l.initial_wear_max = r.real(w, "learning.wear", "initial_wear_max", 0.8, 0.0, 1.0);
    l.repair_s = r.real(w, "learning.wear", "repair_s", 4.0 * 3600.0, 0.0, 30.0 * 86400.0, true);
    at_least_one_tick(r, w, "learning.wear", "repair_s", l.repair_s, run);
    read_learning_exchange(r, t, l);
}

// min_size 0: the depots come from an [inputs] table
void read_depots(const Reader& r, toml::table& root, double default_demand, Scenario& s,
                 std::size_t min_size) {
    toml::array& a = r.tables(root, "depots", min_size, kMaxDepots);
    for (std::size_t i = 0; i < a.size(); ++i) {
        toml::table& t = *a[i].as_table();
        const std::string w = entry("depots", i);
        r.check_keys(t, w,
                     {"id", "node", "x", "y", "lat", "lon", "docks", "dock_service",
                      "charging_points", "charge_power_kw", "stock", "demand_per_hour"});
        agents::DepotSpec d;
        s.depot_ids.push_back("");
        std::vector<std::string> seen(s.depot_ids.begin(), s.depot_ids.end() - 1);
        s.depot_ids.back() = r.id(t, w, seen);
        // the node: by id, or the one nearest to x/y (metres) or lat/lon (scenario_places)
        read_depot_position(r, t, w, d);
        d.docks = static_cast<std::uint32_t>(r.integer(t, w, "docks", 2, 1, 10'000));
        toml::table& law = r.table(t, w, "dock_service");
        const std::string lw = w + ".dock_service";
        r.check_keys(law, lw, {"law", "mean_s"});
        d.dock_service.kind =
            r.choice(law, lw, "law", "exponential", {"exponential", "fixed"}) == "fixed"
                ? agents::ServiceLaw::Kind::kFixed
                : agents::ServiceLaw::Kind::kExponential;
        d.dock_service.mean_s = r.real(law, lw, "mean_s", 60.0, 0.0, 86400.0);
        d.charging_points =
            static_cast<std::uint32_t>(r.integer(t, w, "charging_points", 2, 1, 10'000));
        d.charge_power_kw = r.real(t, w, "charge_power_kw", 50.0, 0.0, 10'000.0, true);
        d.initial_stock = static_cast<std::uint64_t>(
            r.integer(t, w, "stock", 1'000'000, 0, 1'000'000'000'000'000LL));
        d.demand_per_hour = r.real(t, w, "demand_per_hour", default_demand, 0.0, 1e6);
        s.spec.depots.push_back(d);
    }
}

void read_types(const Reader& r, toml::table& root, Scenario& s) {
    toml::array& a = r.tables(root, "vehicle_types", 1, 256);
    for (std::size_t i = 0; i < a.size(); ++i) {
        toml::table& t = *a[i].as_table();
        const std::string w = entry("vehicle_types", i);
        r.check_keys(
            t, w,
            {"id", "kind", "speed_factor", "cruise_mps", "capacity", "kwh_per_km", "battery_kwh"});
        agents::VehicleType v;
        std::vector<std::string> seen = s.type_ids;
        v.name = r.id(t, w, seen);
        s.type_ids.push_back(v.name);
        v.kind = r.choice(t, w, "kind", "ground", {"ground", "drone"}) == "drone"
                     ? agents::VehicleKind::kDrone
                     : agents::VehicleKind::kGround;
        v.speed_factor = r.real(t, w, "speed_factor", 1.0, 0.0, 10.0, true);
        v.cruise_mps = r.real(t, w, "cruise_mps", 15.0, 0.0, 200.0, true);
        v.capacity = static_cast<std::uint32_t>(r.integer(t, w, "capacity", 10, 1, 1'000'000));
        v.kwh_per_km = r.real(t, w, "kwh_per_km", 0.2, 0.0, 100.0);
        v.battery_kwh = r.real(t, w, "battery_kwh", 60.0, 0.0, 100'000.0, true);
        s.spec.types.push_back(v);
    }
}

void read_fleets(const Reader& r, toml::table& root, Scenario& s, std::size_t min_size) {
    toml::array& a = r.tables(root, "fleets", min_size, 100'000);
    std::int64_t total = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        toml::table& t = *a[i].as_table();
        const std::string w = entry("fleets", i);
        r.check_keys(t, w, {"id", "type", "count", "home"});
        std::vector<std::string> seen = s.fleet_ids;
        const std::string id = r.id(t, w, seen);
        s.fleet_ids.push_back(id);
        const std::string type = r.required_string(t, w, "type");
        const std::uint32_t ti =
            r.reference(*t.get("type"), w + ".type", type, s.type_ids, "vehicle type");
        const std::int64_t count = r.required_integer(t, w, "count", 1, kMaxVehiclesPerFleet);
        total += count;
        if (total > kMaxVehicles) {
            r.fail(*t.get("count"),
                   "fleets: more than " + std::to_string(kMaxVehicles) + " vehicles in all");
        }
        const std::string home = r.required_string(t, w, "home");
        if (home == "*") {
            // spread over every depot, the remainder to the first ones
            const auto depots = static_cast<std::int64_t>(s.spec.depots.size());
            for (std::int64_t d = 0; d < depots; ++d) {
                const std::int64_t n = count / depots + (d < count % depots ? 1 : 0);
                if (n > 0) {
                    s.spec.fleets.push_back(
                        {ti, static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(d), id});
                }
            }
        } else {
            const std::uint32_t hi =
                r.reference(*t.get("home"), w + ".home", home, s.depot_ids, "depot");
            s.spec.fleets.push_back({ti, static_cast<std::uint32_t>(count), hi, id});
        }
    }
}

Scenario build(toml::table& root, const std::filesystem::path& name, const ScenarioOptions& o,
               detail::ProblemData* problem) {
    Reader r(name.string());
    begin_document(r, root, o.overrides, kTopKeys);
    add_road_flags(root, o.road_flags);

    Scenario s;
    s.source = name.string();
    read_run(r, root, s.run);
    read_output(r, root, s.run, s.output);
    double per_depot = 60.0;
    read_demand(r, root, s.run, s.spec.demand, per_depot);
    read_policies(r, root, s.run, s.spec.allocation);
    // everything cheap is checked before the network is built
    // the planner's own tables ([inputs]) beside or instead of [[depots]] and [[fleets]]
    InputTables inputs(r, root, name, problem != nullptr ? &problem->tables : nullptr);
    read_depots(r, root, per_depot, s, inputs.has_depots() ? 0 : 1);
    inputs.read_depots(s, per_depot);
    read_types(r, root, s);
    read_fleets(r, root, s, inputs.has_vehicles() ? 0 : 1);
    inputs.read_vehicles(s);
    inputs.read_orders(s);
    read_comms(r, root, s.run, s.spec);
    read_learning(r, root, s.run, s.spec.learning);
    s.spec.time.ticks_per_second = 1'000'000 / s.run.tick_us;
    s.spec.lookahead_s = s.run.lookahead_s;
    s.spec.demand.kpi_interval_s = s.run.sample_interval_s;
    // delays that must fit the clock, then settings under which no order could ever be
    // allocated, before anything is built
    check_time_spans(r, root, nullptr, s);
    check_fleet_not_inert(r, root, s);
    if (problem != nullptr && problem->network != nullptr) {
        // the problem's own graph (a Solomon/VRPLIB instance's points)
        if (const toml::node* n = root.get("network"); n != nullptr) {
            r.fail(*n,
                   "network: this problem runs on the complete graph of its own points "
                   "(Euclidean distances); it has no map coordinates");
        }
        s.network_settings.generator = "problem";
        root.insert_or_assign("network", toml::table{});  // what the checks read: nothing
        if (o.build_network) {
            s.network = std::move(problem->network);
        }
    } else {
        s.network = read_network(r, root, name, o.build_network, s.network_settings, s.warnings);
    }
    if (problem != nullptr) {
        s.warnings.insert(s.warnings.end(), problem->warnings.begin(), problem->warnings.end());
    }
    if (s.network != nullptr) {
        refuse_single_node(r, root, *s.network);
        check_coordinates(r, root, *s.network, s);
        place_depots(r, root, *s.network, s);
        inputs.place(*s.network, s);
    }
    // roads, areas and edges are resolved on the network when there is one
    read_disruptions(r, root, s.network.get(), s);
    if (s.network != nullptr) {
        check_time_spans(r, root, s.network.get(), s);
    }
    warn_dead_settings(r, root, s);

    s.spec.network = s.network.get();
    if (s.network != nullptr && s.network_settings.speed_profile) {
        s.spec.speed_profile = routing::SpeedProfile(*s.network_settings.speed_profile, *s.network);
    }
    if (s.network != nullptr) {
        try {
            s.spec.validate();
        } catch (const std::exception& e) {
            throw ScenarioError(r.file(), 0, 0, e.what());
        }
    }
    std::ostringstream out;
    out << root;
    s.resolved_toml = out.str();
    return s;
}

}  // namespace

ScenarioError::ScenarioError(std::string file, std::uint32_t line, std::uint32_t column,
                             std::string message, bool io)
    : std::runtime_error(format_what(printable(file), line, column, printable(message))),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(printable(message)),
      io_(io) {}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

Scenario parse_scenario(std::string_view text, const std::filesystem::path& name,
                        const ScenarioOptions& options) {
    toml::table root = parse_document(text, name.string());
    return build(root, name, options, nullptr);
}

namespace detail {

Scenario build_scenario(toml::table& root, const std::filesystem::path& name,
                        const ScenarioOptions& options, ProblemData* problem) {
    return build(root, name, options, problem);
}

}  // namespace detail

Scenario load_scenario(const std::filesystem::path& file, const ScenarioOptions& options) {
    // a VROOM, Solomon or VRPLIB problem runs as a scenario (docs/inputs.md)
    if (std::optional<Scenario> s = detail::load_problem(file, options)) {
        return std::move(*s);
    }
    return parse_scenario(read_document(file), file, options);
}

}  // namespace swarm::io
