#include "agents/fleet/protocol.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace swarm::agents {

void AllocationProtocol::handle(AllocationHost& /*host*/, sim::Context& ctx, LpLayout::Entry at,
                                std::uint16_t type, const sim::Payload& /*p*/) {
    // a message the protocol sent to the wrong kind of LP, or never defined: a bug
    const char* kind = at.kind == LpKind::kDepot     ? "depot"
                       : at.kind == LpKind::kVehicle ? "vehicle"
                                                     : "dispatcher";
    throw std::logic_error("fleet: protocol '" + std::string(name()) + "' cannot handle its " +
                           "message " + std::string(message_name(type)) + " at " + kind + " " +
                           std::to_string(at.index) + " (LP " + std::to_string(ctx.self()) + ")");
}

std::string check_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

std::string check_seconds(const FleetSpec& spec, sim::Tick t) {
    return check_number(spec.time.to_seconds(t)) + " s";
}

namespace {

// OrderMsg and PlanEntry field by field, so that an analyst reads columns
template <class S>
void put_common(sim::StateArchive& ar, const std::vector<S>& items) {
    ar.put_field("customer", items, &S::customer);
    ar.put_field("depot", items, &S::depot);
    ar.put_field("size", items, &S::size);
    ar.put_field("service_s", items, &S::service_s);
    ar.put_field("ready", items, &S::ready);
    ar.put_field("due", items, &S::due);
}
template <class S>
void get_common(const sim::StateArchive& ar, std::vector<S>& items) {
    ar.get_field("customer", items, &S::customer);
    ar.get_field("depot", items, &S::depot);
    ar.get_field("size", items, &S::size);
    ar.get_field("service_s", items, &S::service_s);
    ar.get_field("ready", items, &S::ready);
    ar.get_field("due", items, &S::due);
}

}  // namespace

void save_orders(sim::StateArchive& ar, std::string_view name,
                 const std::vector<OrderMsg>& orders) {
    static_assert(sizeof(OrderMsg) == 32, "a new OrderMsg field? save and load it here");
    const auto s = ar.scope(name);
    ar.put_field("key", orders, &OrderMsg::key);
    ar.put_field("round", orders, &OrderMsg::round);
    put_common(ar, orders);
}

std::vector<OrderMsg> load_orders(const sim::StateArchive& ar, std::string_view name,
                                  std::uint32_t depots, std::size_t count) {
    const auto s = ar.scope(name);
    std::vector<std::uint32_t> key;
    if (count == kAnyCount) {
        ar.get("key", key);
    } else {
        ar.get("key", key, count);
    }
    std::vector<OrderMsg> orders(key.size());
    ar.get_field("key", orders, &OrderMsg::key);
    ar.get_field("round", orders, &OrderMsg::round);
    get_common(ar, orders);
    for (const OrderMsg& m : orders) {
        check_index(std::string(name) + "/depot", "depot", m.depot, depots);
    }
    return orders;
}

void save_plans(sim::StateArchive& ar, std::string_view name, const std::vector<Plan>& plans) {
    static_assert(sizeof(PlanEntry) == 32, "a new PlanEntry field? save and load it here");
    const auto s = ar.scope(name);
    ar.put_field("size", plans, &Plan::size);
    ar.put_field("loaded", plans, &Plan::loaded);
    // the entries in use (those past a plan's size are never read)
    std::vector<PlanEntry> entries;
    for (const Plan& p : plans) {
        entries.insert(entries.end(), p.entries.begin(), p.entries.begin() + p.size);
    }
    const auto e = ar.scope("entry");
    ar.put_field("row", entries, &PlanEntry::row);
    ar.put_field("order", entries, &PlanEntry::order);
    put_common(ar, entries);
}

std::vector<Plan> load_plans(const sim::StateArchive& ar, std::string_view name, std::size_t count,
                             std::uint32_t depots) {
    const auto s = ar.scope(name);
    std::vector<Plan> plans(count);
    ar.get_field("size", plans, &Plan::size);
    ar.get_field("loaded", plans, &Plan::loaded);
    std::size_t total = 0;
    for (const Plan& p : plans) {
        if (p.size > kMaxPlan || p.loaded > p.size) {
            throw sim::CheckpointError(
                "checkpoint field '" + std::string(name) + "/size' holds a plan of " +
                std::to_string(p.size) + " orders (" + std::to_string(p.loaded) +
                " loaded); a plan holds at most " + std::to_string(kMaxPlan));
        }
        total += p.size;
    }
    const auto e = ar.scope("entry");
    std::vector<PlanEntry> entries(total);
    ar.get_field("row", entries, &PlanEntry::row);
    ar.get_field("order", entries, &PlanEntry::order);
    get_common(ar, entries);
    for (const PlanEntry& pe : entries) {
        check_index(std::string(name) + "/entry/depot", "depot", pe.depot, depots);
    }
    std::size_t next = 0;
    for (Plan& p : plans) {
        std::copy_n(entries.begin() + static_cast<std::ptrdiff_t>(next), p.size, p.entries.begin());
        next += p.size;
    }
    return plans;
}

void check_index(std::string_view name, std::string_view what, std::uint64_t index,
                 std::uint64_t count) {
    if (index >= count) {
        throw sim::CheckpointError("checkpoint field '" + std::string(name) + "' names " +
                                   std::string(what) + " " + std::to_string(index) +
                                   ", but this run has " + std::to_string(count) + " " +
                                   std::string(what) + "s");
    }
}

std::string_view AllocationProtocol::message_name(std::uint16_t /*type*/) const {
    return "?";
}

std::uint32_t AllocationProtocol::message_bytes(std::uint16_t type) const {
    throw std::logic_error("fleet: protocol '" + std::string(name()) + "' has no message " +
                           std::to_string(type));
}

}  // namespace swarm::agents
