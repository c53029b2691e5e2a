#include "io/output/run_tables.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "agents/logistics/order.hpp"

namespace swarm::io {

namespace {

// shortest text that reads back as the same double (the same bytes on every machine)
void put_number(std::string& out, double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// value / 10^decimals exactly, without trailing zeros ("3013.089", "-0.5", "12")
void put_fixed(std::string& out, std::int64_t value, int decimals) {
    const bool negative = value < 0;
    std::uint64_t v =
        negative ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
    std::uint64_t scale = 1;
    for (int i = 0; i < decimals; ++i) {
        scale *= 10;
    }
    std::string frac = std::to_string(v % scale);
    frac.insert(0, static_cast<std::size_t>(decimals) - frac.size(), '0');
    while (!frac.empty() && frac.back() == '0') {
        frac.pop_back();
    }
    if (negative) {
        out.push_back('-');
    }
    out += std::to_string(v / scale);
    if (!frac.empty()) {
        out += '.' + frac;
    }
}

// degrees to 7 decimals (1 cm, as OSM stores them), without the projection's rounding noise
void put_degrees(std::string& out, double deg) {
    put_fixed(out, static_cast<std::int64_t>(std::llround(deg * 1e7)), 7);
}

// seconds of `ticks`, exact: a tick is a whole number of microseconds (run.tick_us)
void put_seconds(std::string& out, sim::Tick ticks, const sim::TimeScale& time) {
    put_fixed(out, ticks * (1'000'000 / time.ticks_per_second), 6);
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled
void put_text(std::string& out, std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
        out.append(s);
        return;
    }
    out.push_back('"');
    for (const char c : s) {
        if (c == '"') {
            out.push_back('"');
        }
        out.push_back(c);
    }
    out.push_back('"');
}

std::string_view name_of(const std::vector<std::string>& names, std::size_t i) {
    return i < names.size() ? std::string_view(names[i]) : std::string_view();
}

// shift start, end and overrun: how long past its shift end the vehicle came home (or was
// still out at `end`); empty for a vehicle without a shift end
void put_shift(std::string& out, const agents::FleetModel& model, std::uint32_t v, sim::Tick end) {
    const agents::FleetSpec& spec = model.spec();
    if (v >= spec.shifts.size()) {
        out += ",,";
        return;
    }
    const agents::VehicleShift& s = spec.shifts[v];
    put_number(out, s.start_s);
    out.push_back(',');
    if (s.end_s == agents::VehicleShift::kNoEnd) {
        out.push_back(',');
        return;
    }
    put_number(out, s.end_s);
    out.push_back(',');
    const agents::FleetState& f = model.vehicles();
    const agents::VehicleState st = f.hot[v].state;
    const bool home = st == agents::VehicleState::kIdle || st == agents::VehicleState::kCharging ||
                      st == agents::VehicleState::kMaintenance;
    const sim::Tick back = home ? f.warm[v].returned_at : end;
    const sim::Tick shift_end = spec.time.from_seconds(s.end_s);
    put_seconds(out, back > shift_end ? back - shift_end : 0, spec.time);
}

}  // namespace

std::string orders_csv(const agents::FleetModel& model, const RunTableNames& names, sim::Tick end) {
    const sim::TimeScale& time = model.spec().time;
    const world::RoadNetwork& net = model.spec().net();
    const bool geo = static_cast<bool>(names.lat_lon);
    std::string out = "order,depot,customer_node,";
    out += geo ? "customer_lat,customer_lon," : "";
    out +=
        "size,created_s,ready_s,due_s,vehicle,first_assigned_s,assigned_s,picked_up_s,"
        "delivered_s,failed_s,lateness_s,status,fail_reason,reassignments,delivered_size,"
        "order_ref,priority,pickup_node";
    out += geo ? ",pickup_lat,pickup_lon\n" : "\n";
    // a time column: empty for a step not taken (by `end`)
    const auto put_time = [&](sim::Tick t) {
        if (t != sim::kTickNever && t <= end) {
            put_seconds(out, t, time);
        }
        out.push_back(',');
    };
    // an order's own times (also past `end`)
    const auto put_attribute = [&](sim::Tick t) {
        if (t != sim::kTickNever) {
            put_seconds(out, t, time);
        }
        out.push_back(',');
    };
    for (std::uint32_t d = 0; d < model.depot_count(); ++d) {
        for (const agents::Order& o : model.depot(d).book.orders()) {
            if (o.created > end) {
                continue;  // not yet created at the end of the run
            }
            put_text(out, agents::to_string(o.id));
            out.push_back(',');
            put_text(out, name_of(names.depots, o.depot));
            out.push_back(',');
            if (o.customer_node != agents::kNoCustomer) {
                out += std::to_string(o.customer_node);
            }
            out.push_back(',');
            if (geo) {
                if (o.customer_node != agents::kNoCustomer && o.customer_node < net.node_count()) {
                    const std::array<double, 2> ll = names.lat_lon(net.position(o.customer_node));
                    put_degrees(out, ll[0]);
                    out.push_back(',');
                    put_degrees(out, ll[1]);
                    out.push_back(',');
                } else {
                    out += ",,";
                }
            }
            put_number(out, o.size);
            out.push_back(',');
            put_attribute(o.created);
            put_attribute(o.ready);
            put_attribute(o.due);
            if (o.vehicle != agents::kUnassignedVehicle) {
                out += std::to_string(o.vehicle);
            }
            out.push_back(',');
            put_time(o.first_assigned_at);
            put_time(o.assigned_at);
            put_time(o.picked_up_at);
            put_time(o.delivered_at);
            put_time(o.failed_at);
            // against the order's own due time; only a delivered order has one
            if (o.state == agents::OrderState::kDelivered) {
                put_seconds(out, o.lateness(), time);
            }
            out.push_back(',');
            out += agents::to_string(o.state);
            out.push_back(',');
            if (o.state == agents::OrderState::kFailed) {
                out += agents::to_string(o.reason);
            }
            out.push_back(',');
            out += std::to_string(o.reassignments);
            out.push_back(',');
            put_number(out, o.delivered_size);
            out.push_back(',');
            // a replayed order: its id in the orders table and its priority
            const agents::OrderReplay& replay = model.spec().replay;
            const agents::ReplayOrder* row = nullptr;
            if (o.ref != agents::kNoRef && o.ref < replay.orders.size()) {
                row = &replay.orders[o.ref];
                put_text(out, name_of(names.order_refs, o.ref));
                out.push_back(',');
                out += std::to_string(row->priority);
            } else {
                out.push_back(',');
            }
            // where it is loaded when not at its depot (picked_up_s is when)
            out.push_back(',');
            const bool elsewhere = row != nullptr && row->has_pickup();
            if (elsewhere) {
                out += std::to_string(row->pickup);
            }
            if (geo) {
                if (elsewhere && row->pickup < net.node_count()) {
                    const std::array<double, 2> ll = names.lat_lon(net.position(row->pickup));
                    out.push_back(',');
                    put_degrees(out, ll[0]);
                    out.push_back(',');
                    put_degrees(out, ll[1]);
                } else {
                    out += ",,";
                }
            }
            out.push_back('\n');
        }
    }
    return out;
}

std::string vehicles_csv(const agents::FleetModel& model, const RunTableNames& names,
                         sim::Tick end) {
    const agents::FleetSpec& spec = model.spec();
    const sim::TimeScale& time = spec.time;
    std::string out =
        "vehicle,type,fleet,home_depot,distance_m,energy_kwh,busy_s,idle_s,charging_s,down_s,"
        "deliveries,breakdowns,services,energy_left_kwh,lowest_energy_kwh,name,shift_start_s,"
        "shift_end_s,shift_overrun_s\n";
    std::uint32_t v = 0;
    for (const agents::FleetGroup& g : spec.fleets) {
        for (std::uint32_t i = 0; i < g.count; ++i, ++v) {
            const agents::FleetCounters c = model.vehicle_counters(v, end);
            out += std::to_string(v);
            out.push_back(',');
            put_text(out, name_of(names.types, g.type));
            out.push_back(',');
            put_text(out, g.id);
            out.push_back(',');
            put_text(out, name_of(names.depots, g.home));
            out.push_back(',');
            put_fixed(out, c.distance_mm, 3);
            out.push_back(',');
            put_fixed(out, c.energy_uwh, 9);
            for (const sim::Tick t : {c.busy, c.idle, c.charging, c.down}) {
                out.push_back(',');
                put_seconds(out, t, time);
            }
            out += ',' + std::to_string(c.deliveries) + ',' + std::to_string(c.breakdowns) + ',' +
                   std::to_string(c.services) + ',';
            put_number(out, model.vehicles().hot[v].energy_kwh);
            out.push_back(',');
            put_number(out, model.vehicles().hot[v].min_energy_kwh);
            out.push_back(',');
            put_text(out, name_of(names.vehicles, v));
            out.push_back(',');
            put_shift(out, model, v, end);
            out.push_back('\n');
        }
    }
    return out;
}

}  // namespace swarm::io
