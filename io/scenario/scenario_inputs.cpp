#include "io/scenario/scenario_inputs.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "io/network/geo.hpp"
#include "io/printable.hpp"

namespace swarm::io::detail {

namespace {

// A CSV table's columns checked against what its kind allows, and its cells read as typed
// values; every failure names the file, line, column and the column's name.
class Columns {
  public:
    Columns(const CsvTable& t, const std::vector<std::string>& allowed,
            const std::vector<std::string>& required)
        : t_(t) {
        for (const CsvCell& h : t.header) {
            if (std::find(allowed.begin(), allowed.end(), h.text) == allowed.end()) {
                throw ScenarioError(t.file, h.line, h.column,
                                    "unknown column '" + h.text + "'" +
                                        did_you_mean(h.text, allowed) +
                                        " (columns: " + join(allowed) + ")");
            }
        }
        for (const std::string& c : required) {
            if (t.column(c) < 0) {
                const std::uint32_t line = t.header.empty() ? 0 : t.header[0].line;
                throw ScenarioError(t.file, line, line > 0 ? 1 : 0,
                                    "missing column '" + c + "' in the header");
            }
        }
    }

    [[nodiscard]] bool has(std::string_view name) const { return t_.column(name) >= 0; }
    [[nodiscard]] std::size_t rows() const { return t_.rows.size(); }
    [[nodiscard]] const CsvTable& table() const { return t_; }

    // the cell, or nullptr when the column is absent or the cell empty
    [[nodiscard]] const CsvCell* cell(std::size_t row, std::string_view name) const {
        const int c = t_.column(name);
        if (c < 0 || t_.rows[row][static_cast<std::size_t>(c)].text.empty()) {
            return nullptr;
        }
        return &t_.rows[row][static_cast<std::size_t>(c)];
    }
    [[nodiscard]] const CsvCell& any_cell(std::size_t row, std::string_view name) const {
        const int c = t_.column(name);
        return t_.rows[row][static_cast<std::size_t>(std::max(c, 0))];
    }

    [[noreturn]] void fail(const CsvCell& c, std::string_view column,
                           const std::string& why) const {
        throw ScenarioError(t_.file, c.line, c.column,
                            "column '" + std::string(column) + "' = '" + c.text + "': " + why);
    }
    [[noreturn]] void missing(std::size_t row, std::string_view column) const {
        const CsvCell& c = any_cell(row, column);
        throw ScenarioError(t_.file, c.line, c.column,
                            "column '" + std::string(column) + "' is empty: a value is required");
    }

    [[nodiscard]] std::string text(std::size_t row, std::string_view name) const {
        const CsvCell* c = cell(row, name);
        if (c == nullptr) {
            missing(row, name);
        }
        return c->text;
    }

    [[nodiscard]] double real(std::size_t row, std::string_view name, double fallback, double lo,
                              double hi, bool required = false) const {
        const CsvCell* c = cell(row, name);
        if (c == nullptr) {
            if (required) {
                missing(row, name);
            }
            return fallback;
        }
        const double v = number(*c, name);
        if (!(v >= lo)) {
            fail(*c, name, "must be >= " + number_text(lo));
        }
        if (!(v <= hi)) {
            fail(*c, name, "must be <= " + number_text(hi));
        }
        return v;
    }

    [[nodiscard]] std::int64_t integer(std::size_t row, std::string_view name,
                                       std::int64_t fallback, std::int64_t lo,
                                       std::int64_t hi) const {
        const CsvCell* c = cell(row, name);
        if (c == nullptr) {
            return fallback;
        }
        const std::string_view s = trimmed(c->text);
        std::int64_t v = 0;
        const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
        if (res.ec != std::errc() || res.ptr != s.data() + s.size()) {
            fail(*c, name, "not a whole number");
        }
        if (v < lo) {
            fail(*c, name, "must be >= " + std::to_string(lo));
        }
        if (v > hi) {
            fail(*c, name, "must be <= " + std::to_string(hi));
        }
        return v;
    }

    // seconds of simulated time: a number of seconds, or a clock time hh:mm[:ss] of the
    // first day (simulated time 0 is demand.start_hour o'clock)
    [[nodiscard]] std::optional<double> time_s(std::size_t row, std::string_view name,
                                               double start_hour) const {
        const CsvCell* c = cell(row, name);
        if (c == nullptr) {
            return std::nullopt;
        }
        const std::string_view s = trimmed(c->text);
        double v = 0.0;
        if (s.find(':') != std::string_view::npos) {
            int part[3] = {0, 0, 0};
            std::size_t n = 0;
            std::size_t i = 0;
            while (i <= s.size() && n < 3) {
                const std::size_t j = std::min(s.find(':', i), s.size());
                const std::string_view f = s.substr(i, j - i);
                const auto res = std::from_chars(f.data(), f.data() + f.size(), part[n]);
                if (f.empty() || f.size() > 2 || res.ec != std::errc() ||
                    res.ptr != f.data() + f.size()) {
                    fail(*c, name, "not a number of seconds or a clock time hh:mm[:ss]");
                }
                ++n;
                i = j + 1;
                if (j == s.size()) {
                    break;
                }
            }
            if (n < 2 || i <= s.size() || part[0] > 48 || part[1] > 59 || part[2] > 59) {
                fail(*c, name, "not a number of seconds or a clock time hh:mm[:ss]");
            }
            v = part[0] * 3600.0 + part[1] * 60.0 + part[2] - start_hour * 3600.0;
            if (v < 0.0) {
                fail(*c, name,
                     "a clock time before the simulation starts (demand.start_hour = " +
                         number_text(start_hour) + ")");
            }
        } else {
            v = number(*c, name);
            if (!(v >= 0.0)) {
                fail(*c, name, "must be >= 0 (seconds from the start of the simulation)");
            }
        }
        if (!(v <= kMaxDurationS)) {
            fail(*c, name, "must be <= " + number_text(kMaxDurationS) + " s");
        }
        return v;
    }

    // exactly one position per row: lat/lon columns or x_m/y_m columns
    void position(std::size_t row, bool& geographic, double& a, double& b, std::uint32_t& line,
                  std::uint32_t& column) const {
        read_position(row, "", geographic, a, b, line, column);
    }
    // an optional second position (a pick-up location): the columns prefix + lat/lon or
    // prefix + x_m/y_m; false when the row leaves them empty
    bool optional_position(std::size_t row, const std::string& prefix, bool& geographic, double& a,
                           double& b, std::uint32_t& line, std::uint32_t& column) const {
        const bool ll = has(prefix + "lat");
        const std::string ka = prefix + (ll ? "lat" : "x_m");
        const std::string kb = prefix + (ll ? "lon" : "y_m");
        if (!has(ka) || (cell(row, ka) == nullptr && cell(row, kb) == nullptr)) {
            return false;
        }
        read_position(row, prefix, geographic, a, b, line, column);
        return true;
    }
    // the columns prefix + lat/lon (when the header has prefix + lat) or prefix + x_m/y_m
    void read_position(std::size_t row, const std::string& prefix, bool& geographic, double& a,
                       double& b, std::uint32_t& line, std::uint32_t& column) const {
        geographic = has(prefix + "lat");
        const std::string ka = prefix + (geographic ? "lat" : "x_m");
        const std::string kb = prefix + (geographic ? "lon" : "y_m");
        a = geographic ? real(row, ka, 0.0, -90.0, 90.0, true)
                       : real(row, ka, 0.0, -1e8, 1e8, true);
        b = geographic ? real(row, kb, 0.0, -180.0, 180.0, true)
                       : real(row, kb, 0.0, -1e8, 1e8, true);
        line = any_cell(row, ka).line;
        column = any_cell(row, ka).column;
    }
    // the header gives prefix + lat and lon, or x_m and y_m, or neither when `optional`
    void check_position_columns(const std::string& prefix = "", bool optional = false) const {
        const bool ll = has(prefix + "lat") || has(prefix + "lon");
        const bool xy = has(prefix + "x_m") || has(prefix + "y_m");
        const CsvCell& h0 = t_.header.front();
        if (optional && !ll && !xy) {
            return;
        }
        if (ll == xy) {
            std::string words = prefix;  // "pickup_" -> "pickup "
            std::replace(words.begin(), words.end(), '_', ' ');
            throw ScenarioError(t_.file, h0.line, h0.column,
                                ll ? "give " + words + "positions as " + prefix + "lat/" + prefix +
                                         "lon or as " + prefix + "x_m/" + prefix +
                                         "y_m columns, not both"
                                   : "missing position columns: lat and lon (or x_m and y_m)");
        }
        for (const char* k : ll ? std::array<const char*, 2>{"lat", "lon"}
                                : std::array<const char*, 2>{"x_m", "y_m"}) {
            if (!has(prefix + k)) {
                throw ScenarioError(t_.file, h0.line, h0.column,
                                    "missing column '" + prefix + k + "' in the header");
            }
        }
    }

  private:
    static std::string_view trimmed(std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
            s.remove_prefix(1);
        }
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
            s.remove_suffix(1);
        }
        return s;
    }
    double number(const CsvCell& c, std::string_view name) const {
        const std::string_view s = trimmed(c.text);
        double v = 0.0;
        const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || res.ec != std::errc() || res.ptr != s.data() + s.size()) {
            fail(c, name, "not a number");
        }
        if (!std::isfinite(v)) {
            fail(c, name, "must be finite");
        }
        return v;
    }

    const CsvTable& t_;
};

CsvTable load(const std::filesystem::path& file) {
    try {
        return read_csv(file);
    } catch (const CsvError& e) {
        throw ScenarioError(e.file(), e.line(), e.column(), e.message(), e.io());
    }
}

// an id as [[depots]] take them: letters, digits, '_' or '-'
bool plain_id(const std::string& v) {
    return !v.empty() && v != "*" && std::all_of(v.begin(), v.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
    });
}

std::string file_line(const CsvTable& t, const CsvCell& c) {
    return std::filesystem::path(t.file).filename().string() + ":" + std::to_string(c.line);
}

// the index of `id` among `ids` or a failure with a suggestion
std::uint32_t reference(const Columns& cols, std::size_t row, std::string_view column,
                        const std::vector<std::string>& ids, const std::string& what) {
    const std::string v = cols.text(row, column);
    const auto it = std::find(ids.begin(), ids.end(), v);
    if (it == ids.end()) {
        cols.fail(*cols.cell(row, column), column,
                  "no " + what + " with this id" + did_you_mean(v, ids));
    }
    return static_cast<std::uint32_t>(it - ids.begin());
}

}  // namespace

InputTables::InputTables(const Reader& r, toml::table& root, const std::filesystem::path& scenario,
                         const std::map<std::string, CsvTable>* in_memory)
    : given_(in_memory) {
    const toml::node* n = root.get("inputs");
    if (n == nullptr) {
        return;
    }
    toml::table& t = r.table(root, "", "inputs");
    r.check_keys(t, "inputs", {"depots", "vehicles", "orders", "orders_mode"});
    const auto path = [&](const char* key) -> std::filesystem::path {
        const toml::node* v = t.get(key);
        if (v == nullptr) {
            return {};
        }
        const std::string given = r.string(t, "inputs", key, "");
        if (given.empty()) {
            r.fail(*v, std::string("inputs.") + key + " must not be empty");
        }
        // relative to the scenario's directory; from --set, to the working directory
        std::filesystem::path p(given);
        const bool from_override = v->source().path && v->source().path->starts_with("--set");
        if (p.is_relative() && !from_override) {
            p = scenario.parent_path() / p;
        }
        return p.lexically_normal();
    };
    depots_file_ = path("depots");
    vehicles_file_ = path("vehicles");
    orders_file_ = path("orders");
    const std::string mode = r.choice(t, "inputs", "orders_mode", "replay", {"replay", "mixed"});
    mixed_ = mode == "mixed";
    if (mixed_ && orders_file_.empty()) {
        r.fail(*t.get("orders_mode"), "inputs.orders_mode = 'mixed' needs inputs.orders");
    }
}

CsvTable InputTables::table(const std::filesystem::path& file) const {
    if (given_ != nullptr) {
        if (const auto it = given_->find(file.string()); it != given_->end()) {
            return it->second;
        }
    }
    return load(file);
}

void InputTables::read_depots(Scenario& s, double default_demand) {
    first_csv_depot_ = s.spec.depots.size();
    if (!has_depots()) {
        return;
    }
    const CsvTable t = table(depots_file_);
    const Columns cols(t,
                       {"id", "lat", "lon", "x_m", "y_m", "docks", "dock_service_s",
                        "charging_points", "charge_power_kw", "stock_units", "demand_per_hour"},
                       {"id"});
    cols.check_position_columns();
    if (t.rows.empty()) {
        throw ScenarioError(t.file, 1, 1, "the depots table has a header but no depot");
    }
    if (static_cast<std::int64_t>(s.spec.depots.size() + t.rows.size()) > kMaxDepots) {
        throw ScenarioError(t.file, 0, 0,
                            "more than " + std::to_string(kMaxDepots) + " depots in all");
    }
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const std::string id = cols.text(i, "id");
        const CsvCell& idc = *cols.cell(i, "id");
        if (!plain_id(id)) {
            cols.fail(idc, "id", "an id is letters, digits, '_' or '-'");
        }
        if (std::find(s.depot_ids.begin(), s.depot_ids.end(), id) != s.depot_ids.end()) {
            cols.fail(idc, "id", "this depot id is used twice");
        }
        agents::DepotSpec d;
        d.docks = static_cast<std::uint32_t>(cols.integer(i, "docks", 2, 1, 10'000));
        d.dock_service.mean_s = cols.real(i, "dock_service_s", 60.0, 0.0, 86400.0);
        d.charging_points =
            static_cast<std::uint32_t>(cols.integer(i, "charging_points", 2, 1, 10'000));
        d.charge_power_kw = cols.real(i, "charge_power_kw", 50.0, 1e-9, 10'000.0);
        d.initial_stock = static_cast<std::uint64_t>(
            cols.integer(i, "stock_units", 1'000'000, 0, 1'000'000'000'000'000LL));
        d.demand_per_hour = cols.real(i, "demand_per_hour", default_demand, 0.0, 1e6);
        Place p;
        p.file = t.file;
        p.what = file_line(t, idc) + " '" + id + "'";
        cols.position(i, p.geographic, p.a, p.b, p.line, p.column);
        depot_places_.push_back(std::move(p));
        s.spec.depots.push_back(d);
        s.depot_ids.push_back(id);
    }
}

void InputTables::read_vehicles(Scenario& s) {
    std::uint32_t vehicles = s.spec.vehicle_count();
    s.vehicle_names.assign(vehicles, "");
    if (!has_vehicles()) {
        return;
    }
    const CsvTable t = table(vehicles_file_);
    const Columns cols(t,
                       {"id", "type", "home_depot", "fleet", "shift_start_s", "shift_end_s",
                        "capacity_units", "battery_kwh"},
                       {"id", "type", "home_depot"});
    if (t.rows.empty()) {
        throw ScenarioError(t.file, 1, 1, "the vehicles table has a header but no vehicle");
    }
    if (static_cast<std::int64_t>(vehicles + t.rows.size()) > kMaxVehicles) {
        throw ScenarioError(t.file, 0, 0,
                            "more than " + std::to_string(kMaxVehicles) + " vehicles in all");
    }
    std::vector<agents::VehicleShift> shifts(vehicles);
    bool bounded = false;
    // per-vehicle capacity/battery: one type per distinct (type, capacity, battery)
    std::map<std::tuple<std::uint32_t, std::uint32_t, double>, std::uint32_t> derived;
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const std::string id = cols.text(i, "id");
        if (std::find(seen.begin(), seen.end(), id) != seen.end()) {
            cols.fail(*cols.cell(i, "id"), "id", "this vehicle id is used twice");
        }
        seen.push_back(id);
        const std::uint32_t base = reference(cols, i, "type", s.type_ids, "vehicle type");
        const std::uint32_t home = reference(cols, i, "home_depot", s.depot_ids, "depot");
        agents::VehicleType type = s.spec.types[base];
        type.capacity = static_cast<std::uint32_t>(
            cols.integer(i, "capacity_units", type.capacity, 1, 1'000'000));
        type.battery_kwh = cols.real(i, "battery_kwh", type.battery_kwh, 1e-9, 100'000.0);
        std::uint32_t ti = base;
        if (type.capacity != s.spec.types[base].capacity ||
            type.battery_kwh != s.spec.types[base].battery_kwh) {
            const auto key = std::make_tuple(base, type.capacity, type.battery_kwh);
            const auto it = derived.find(key);
            if (it != derived.end()) {
                ti = it->second;
            } else {
                if (s.spec.types.size() >= 0xFFFF) {
                    cols.fail(
                        *cols.cell(i, "id"), "id",
                        "more than 65535 distinct vehicle types with capacities and batteries");
                }
                ti = static_cast<std::uint32_t>(s.spec.types.size());
                s.spec.types.push_back(type);
                s.type_ids.push_back(s.type_ids[base]);
                derived.emplace(key, ti);
            }
        }
        agents::VehicleShift shift;
        const std::optional<double> start =
            cols.time_s(i, "shift_start_s", s.spec.demand.start_hour);
        const std::optional<double> end = cols.time_s(i, "shift_end_s", s.spec.demand.start_hour);
        shift.start_s = start.value_or(0.0);
        shift.end_s = end.value_or(agents::VehicleShift::kNoEnd);
        if (end && *end <= shift.start_s) {
            cols.fail(*cols.cell(i, "shift_end_s"), "shift_end_s",
                      "the shift must end after it starts (shift_start_s = " +
                          number_text(shift.start_s) + " s)");
        }
        bounded = bounded || shift.bounded();
        shifts.push_back(shift);
        const CsvCell* fleet = cols.cell(i, "fleet");
        s.spec.fleets.push_back({ti, 1, home, fleet != nullptr ? fleet->text : s.type_ids[base]});
        s.vehicle_names.push_back(id);
    }
    if (bounded) {
        s.spec.shifts = std::move(shifts);
    }
}

void InputTables::read_orders(Scenario& s) {
    if (!has_orders()) {
        return;
    }
    const CsvTable t = table(orders_file_);
    const Columns cols(
        t,
        {"id", "depot", "lat", "lon", "x_m", "y_m", "size_units", "release_s", "earliest_s",
         "latest_s", "service_s", "priority", "pickup_lat", "pickup_lon", "pickup_x_m",
         "pickup_y_m", "pickup_earliest_s", "pickup_latest_s", "pickup_service_s"},
        {"id", "release_s"});
    cols.check_position_columns();
    cols.check_position_columns("pickup_", true);
    const CsvCell& h0 = t.header.front();
    if (!cols.has("depot") && !cols.has("pickup_lat") && !cols.has("pickup_x_m")) {
        throw ScenarioError(t.file, h0.line, h0.column, "missing column 'depot' in the header");
    }
    std::uint32_t largest = 0;
    for (const agents::VehicleType& ty : s.spec.types) {
        largest = std::max(largest, ty.capacity);
    }
    const double start_hour = s.spec.demand.start_hour;
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const std::string id = cols.text(i, "id");
        const CsvCell& idc = *cols.cell(i, "id");
        if (const auto it = seen.find(id); it != seen.end()) {
            cols.fail(idc, "id",
                      "this order id is used twice (first on line " +
                          std::to_string(t.rows[it->second][0].line) + ")");
        }
        seen.emplace(id, i);
        PendingOrder po;
        agents::ReplayOrder& o = po.order;
        po.row = i;
        // the pick-up location, when the order is not loaded at its depot's docks
        Place pickup;
        pickup.file = t.file;
        pickup.what = file_line(t, idc) + " '" + id + "' pick-up";
        const bool picked_up = cols.optional_position(i, "pickup_", pickup.geographic, pickup.a,
                                                      pickup.b, pickup.line, pickup.column);
        if (cols.cell(i, "depot") == nullptr && !picked_up) {
            cols.missing(i, "depot");  // no depot and no pick-up location: nowhere to load
        }
        // without a depot, the one nearest the pick-up location dispatches it (place())
        o.depot = cols.cell(i, "depot") == nullptr
                      ? kNearestDepot
                      : reference(cols, i, "depot", s.depot_ids, "depot");
        o.size = static_cast<std::uint32_t>(cols.integer(i, "size_units", 1, 1, 0xFFFF));
        if (o.size > largest) {
            cols.fail(*cols.cell(i, "size_units"), "size_units",
                      "larger than every vehicle's capacity (at most " + std::to_string(largest) +
                          " units)");
        }
        if (cols.cell(i, "release_s") == nullptr) {
            cols.missing(i, "release_s");
        }
        o.release_s = cols.time_s(i, "release_s", start_hour).value_or(0.0);
        o.earliest_s = cols.time_s(i, "earliest_s", start_hour).value_or(o.release_s);
        o.latest_s =
            cols.time_s(i, "latest_s", start_hour).value_or(o.release_s + s.spec.demand.due_s);
        // the cell to blame is one that was given (a default is not)
        if (o.latest_s < o.release_s) {
            cols.fail(*cols.cell(i, "latest_s"), "latest_s",
                      "before release_s = " + number_text(o.release_s) +
                          " s (due before the order exists)");
        }
        if (o.earliest_s > o.latest_s) {
            const bool earliest = cols.cell(i, "earliest_s") != nullptr;
            const char* key = earliest ? "earliest_s" : "latest_s";
            cols.fail(
                *cols.cell(i, key), key,
                earliest
                    ? "after latest_s = " + number_text(o.latest_s) + " s (an empty window)"
                    : "before earliest_s = " + number_text(o.earliest_s) + " s (an empty window)");
        }
        if (const CsvCell* c = cols.cell(i, "service_s"); c != nullptr) {
            // the order's own hand-over time; award messages carry it in whole seconds (the
            // demand's customer_service_s, which drawn orders take, may have a fraction)
            const double sv = cols.real(i, "service_s", 0.0, 0.0, agents::kMaxServiceS);
            if (sv != s.spec.demand.customer_service_s) {
                if (sv != std::floor(sv)) {
                    cols.fail(*c, "service_s",
                              "a whole number of seconds expected (or demand.customer_service_s "
                              "= " +
                                  number_text(s.spec.demand.customer_service_s) + " s)");
                }
                o.service_s = static_cast<std::uint16_t>(sv);
            }
        }
        o.priority =
            static_cast<std::uint8_t>(cols.integer(i, "priority", 0, 0, agents::kMaxPriority));
        for (const char* k : {"pickup_earliest_s", "pickup_latest_s", "pickup_service_s"}) {
            if (!picked_up && cols.cell(i, k) != nullptr) {
                cols.fail(*cols.cell(i, k), k, "a pick-up time without a pick-up location");
            }
        }
        if (picked_up) {
            o.pickup_earliest_s = cols.time_s(i, "pickup_earliest_s", start_hour).value_or(0.0);
            o.pickup_latest_s = cols.time_s(i, "pickup_latest_s", start_hour)
                                    .value_or(std::numeric_limits<double>::infinity());
            if (o.pickup_latest_s < o.pickup_earliest_s) {
                cols.fail(*cols.cell(i, "pickup_latest_s"), "pickup_latest_s",
                          "before pickup_earliest_s = " + number_text(o.pickup_earliest_s) +
                              " s (an empty window)");
            }
            if (o.pickup_earliest_s > o.latest_s) {
                cols.fail(*cols.cell(i, "pickup_earliest_s"), "pickup_earliest_s",
                          "after latest_s = " + number_text(o.latest_s) +
                              " s (loaded after the delivery is due)");
            }
            const double ps = cols.real(i, "pickup_service_s", 0.0, 0.0, agents::kMaxServiceS);
            if (ps != std::floor(ps)) {
                cols.fail(*cols.cell(i, "pickup_service_s"), "pickup_service_s",
                          "a whole number of seconds expected");
            }
            o.pickup_service_s = static_cast<std::uint16_t>(ps);
            o.pickup = 0;  // snapped in place()
            po.pickup = std::move(pickup);
        }
        Place p;
        p.file = t.file;
        p.what = file_line(t, idc) + " '" + id + "'";
        cols.position(i, p.geographic, p.a, p.b, p.line, p.column);
        order_places_.push_back(std::move(p));
        orders_.push_back(po);
        order_ids_.push_back(id);
    }
    // orders the run never reaches: a wrong start hour or run length, said before the run
    std::size_t late = 0;
    const CsvCell* first_late = nullptr;
    for (std::size_t i = 0; i < orders_.size(); ++i) {
        if (orders_[i].order.release_s >= s.run.duration_s) {
            first_late = late++ == 0 ? cols.cell(i, "release_s") : first_late;
        }
    }
    if (first_late != nullptr) {
        s.warnings.push_back(printable(t.file + ":" + std::to_string(first_late->line) + ":" +
                                       std::to_string(first_late->column)) +
                             ": warning: " + std::to_string(late) + " of " +
                             std::to_string(orders_.size()) +
                             " orders are released at or after the end of the run "
                             "(run.duration_s = " +
                             number_text(s.run.duration_s) +
                             " s, clock times counted from "
                             "demand.start_hour = " +
                             number_text(s.spec.demand.start_hour) + "): they never appear");
    }
    if (!mixed_) {
        for (agents::DepotSpec& d : s.spec.depots) {
            d.demand_per_hour = 0.0;
        }
    }
}

world::NodeId InputTables::snap(const Place& p, const world::RoadNetwork& net, Scenario& s) const {
    SnappedPoint sp;
    sp.what = p.what;
    sp.geographic = p.geographic;
    std::string given;
    if (p.geographic) {
        sp.lat = p.a;
        sp.lon = p.b;
        given = "lat " + number_text(p.a) + ", lon " + number_text(p.b);
        if (!s.network_settings.origin) {
            throw ScenarioError(p.file, p.line, p.column,
                                p.what +
                                    ": latitude/longitude need a map read from geographic "
                                    "coordinates (OSM, GraphML with lon/lat, DIMACS with a "
                                    ".co file); this network is laid out in metres: give "
                                    "x_m/y_m columns");
        }
        try {
            sp.point = GeoProjection(*s.network_settings.origin).to_local(p.a, p.b);
        } catch (const GeoError& e) {
            throw ScenarioError(p.file, p.line, p.column, p.what + ": " + e.what());
        }
    } else {
        sp.point = {p.a, p.b};
        given = "x " + number_text(p.a) + ", y " + number_text(p.b);
    }
    sp.node = agents::nearest_node(net, sp.point);
    const world::Point q = net.position(sp.node);
    sp.distance_m = std::hypot(q.x - sp.point.x, q.y - sp.point.y);
    const double max_snap = s.network_settings.max_snap_m;
    if (p.geographic && sp.distance_m > max_snap) {
        throw ScenarioError(p.file, p.line, p.column,
                            p.what + " at " + given + " is " +
                                number_text(std::round(sp.distance_m)) +
                                " m from the nearest road node " + std::to_string(sp.node) +
                                " (more than network.max_snap_m = " + number_text(max_snap) +
                                " m): is it on this map?");
    }
    const world::NodeId node = sp.node;
    s.snapped.push_back(std::move(sp));
    return node;
}

void InputTables::place(const world::RoadNetwork& net, Scenario& s) {
    for (std::size_t i = 0; i < depot_places_.size(); ++i) {
        s.spec.depots[first_csv_depot_ + i].node = snap(depot_places_[i], net, s);
    }
    if (orders_.empty()) {
        return;
    }
    for (std::size_t i = 0; i < orders_.size(); ++i) {
        agents::ReplayOrder& o = orders_[i].order;
        o.customer = snap(order_places_[i], net, s);
        if (!orders_[i].pickup) {
            continue;
        }
        o.pickup = snap(*orders_[i].pickup, net, s);
        if (o.depot == kNearestDepot) {
            // no depot given: the one nearest the pick-up location (straight line, ties to
            // the first) holds and dispatches it
            const world::Point at = net.position(o.pickup);
            double best = std::numeric_limits<double>::infinity();
            for (std::uint32_t d = 0; d < s.spec.depots.size(); ++d) {
                const world::Point q = net.position(s.spec.depots[d].node);
                const double dist = std::hypot(q.x - at.x, q.y - at.y);
                if (dist < best) {
                    best = dist;
                    o.depot = d;
                }
            }
        }
    }
    // grouped by depot, by release time, ties in file order
    std::vector<std::size_t> order(orders_.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const agents::ReplayOrder& x = orders_[a].order;
        const agents::ReplayOrder& y = orders_[b].order;
        return x.depot != y.depot ? x.depot < y.depot : x.release_s < y.release_s;
    });
    agents::OrderReplay& replay = s.spec.replay;
    replay.orders.clear();
    replay.first.assign(s.spec.depots.size() + 1, 0);
    s.order_refs.clear();
    for (const std::size_t i : order) {
        replay.orders.push_back(orders_[i].order);
        s.order_refs.push_back(order_ids_[i]);
        ++replay.first[orders_[i].order.depot + 1];
    }
    for (std::size_t d = 0; d < s.spec.depots.size(); ++d) {
        replay.first[d + 1] += replay.first[d];
    }
}

}  // namespace swarm::io::detail
