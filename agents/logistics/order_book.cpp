#include "agents/logistics/order_book.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <stdexcept>

#include "sim/state_archive.hpp"

namespace swarm::agents {

namespace {

constexpr std::size_t kMaxProblems = 10;  // listed in full; the rest only counted

std::size_t idx(OrderState s) {
    return static_cast<std::size_t>(s);
}

// the time of the order's latest transition (its current state's timestamp)
Tick last_transition(const Order& o) {
    switch (o.state) {
        case OrderState::kCreated:
            return o.orphaned_at != sim::kTickNever ? o.orphaned_at : o.created;
        case OrderState::kAssigned:
            return o.assigned_at;
        case OrderState::kPickedUp:
            return o.picked_up_at;
        case OrderState::kDelivered:
            return o.delivered_at;
        case OrderState::kFailed:
            return o.failed_at;
    }
    return o.created;
}

// empty when the record fits its state, else what contradicts it
std::string contradiction(const Order& o, std::uint32_t depot, std::size_t index) {
    constexpr Tick kNever = sim::kTickNever;
    if (o.id.depot != depot || o.depot != depot || o.id.index != index) {
        return "id does not match its slot";
    }
    const bool no_reason = o.reason == FailReason::kNone;
    switch (o.state) {
        case OrderState::kCreated:
            if (o.vehicle != kUnassignedVehicle || o.picked_up_at != kNever ||
                o.delivered_at != kNever || o.failed_at != kNever || !no_reason) {
                return "created but carries later lifecycle data";
            }
            if (o.assigned_at != kNever && o.orphaned_at < o.assigned_at) {
                return "created after an assignment but not orphaned";
            }
            break;
        case OrderState::kAssigned:
            if (o.vehicle == kUnassignedVehicle || o.assigned_at == kNever ||
                o.picked_up_at != kNever || o.delivered_at != kNever || o.failed_at != kNever ||
                !no_reason) {
                return "assigned but its record says otherwise";
            }
            break;
        case OrderState::kPickedUp:
            if (o.vehicle == kUnassignedVehicle || o.picked_up_at == kNever ||
                o.delivered_at != kNever || o.failed_at != kNever || !no_reason) {
                return "picked up but its record says otherwise";
            }
            break;
        case OrderState::kDelivered:
            if (o.picked_up_at == kNever || o.delivered_at == kNever || o.failed_at != kNever ||
                !no_reason) {
                return "delivered but its record says otherwise";
            }
            break;
        case OrderState::kFailed:
            if (o.failed_at == kNever || o.delivered_at != kNever || no_reason) {
                return "failed but its record says otherwise";
            }
            break;
        default:
            return "has no valid state";
    }
    return {};
}

}  // namespace

// ---- ConservationReport ----

ConservationReport ConservationReport::from_counts(
    std::uint32_t depot, std::uint64_t created,
    const std::array<std::uint64_t, kOrderStateCount>& by_state) {
    ConservationReport r;
    r.depot = depot;
    r.created = created;
    r.by_state = by_state;
    std::uint64_t sum = 0;
    for (const std::uint64_t n : by_state) {
        sum += n;
    }
    if (sum != created) {
        r.problems.push_back("created " + std::to_string(created) + " != delivered " +
                             std::to_string(r.delivered()) + " + failed " +
                             std::to_string(r.failed()) + " + open " + std::to_string(r.open()));
    }
    return r;
}

std::uint64_t ConservationReport::open() const {
    return count(OrderState::kCreated) + count(OrderState::kAssigned) +
           count(OrderState::kPickedUp);
}

std::string ConservationReport::message() const {
    std::string head = "depot " + std::to_string(depot) + ": ";
    if (ok()) {
        return head + "conservation holds: created " + std::to_string(created) + " = delivered " +
               std::to_string(delivered()) + " + failed " + std::to_string(failed()) + " + open " +
               std::to_string(open());
    }
    std::string text = head + "order conservation violated";
    for (const std::string& p : problems) {
        text += "\n  " + p;
    }
    return text;
}

// ---- OrderBook ----

OrderBook::OrderBook(std::uint32_t depot, Tick kpi_interval, Tick kpi_origin)
    : depot_(depot), orders_(depot), series_(kpi_interval, kpi_origin) {}

std::uint64_t OrderBook::open() const {
    return count(OrderState::kCreated) + count(OrderState::kAssigned) +
           count(OrderState::kPickedUp);
}

std::size_t OrderBook::checked_index(OrderId id) const {
    if (id.depot != depot_ || id.index >= orders_.size()) {
        throw OrderTransitionError("order " + to_string(id) + ": unknown to the book of depot " +
                                   std::to_string(depot_) + " (" + std::to_string(orders_.size()) +
                                   " orders)");
    }
    return id.index;
}

OrderId OrderBook::create(const Order& order) {
    if (!std::isfinite(order.size) || order.size < 0.0) {
        throw std::invalid_argument("OrderBook: order size must be finite and >= 0");
    }
    if (order.due < order.created) {
        throw std::invalid_argument("OrderBook: order due before it was created");
    }
    if (orders_.size() >= 0xFFFF'FFFFu) {
        throw std::length_error("OrderBook: more than 2^32 - 1 orders at one depot");
    }
    const OrderId id{depot_, static_cast<std::uint32_t>(orders_.size())};
    Order o;
    o.id = id;
    o.depot = depot_;
    o.customer_node = order.customer_node;
    o.size = order.size;
    o.created = order.created;
    o.ready = order.ready;
    o.due = order.due;
    o.service_time = order.service_time;
    o.ref = order.ref;
    orders_.push_back(o);
    ++by_state_[idx(OrderState::kCreated)];
    ++counters_.created;
    series_.on_created(o.created, o.due);
    if (journal_ != nullptr) {
        journal_->push_back(id.index);
    }
    return id;
}

Order OrderBook::transition(OrderId id, std::initializer_list<OrderState> from, OrderState to,
                            Tick now) {
    Order o = orders_.get(checked_index(id));
    if (std::find(from.begin(), from.end(), o.state) == from.end()) {
        throw OrderTransitionError("order " + to_string(id) + ": illegal transition " +
                                   std::string(to_string(o.state)) + " -> " +
                                   std::string(to_string(to)));
    }
    const Tick last = last_transition(o);
    if (now < last) {
        throw OrderTransitionError("order " + to_string(id) + ": " +
                                   std::string(to_string(o.state)) + " -> " +
                                   std::string(to_string(to)) + " at " + std::to_string(now) +
                                   ", before its last transition at " + std::to_string(last));
    }
    return o;
}

void OrderBook::move(Order& o, OrderState to) {
    --by_state_[idx(o.state)];
    ++by_state_[idx(to)];
    o.state = to;
    orders_.set(o.id.index, o);
    if (journal_ != nullptr) {
        journal_->push_back(o.id.index);
    }
    // closed orders never reopen: the oldest open one only moves forward
    while (oldest_open_ < orders_.size() && is_terminal(orders_.state(oldest_open_))) {
        ++oldest_open_;
    }
}

void OrderBook::assign(OrderId id, std::uint32_t vehicle, Tick now) {
    Order o = transition(id, {OrderState::kCreated}, OrderState::kAssigned, now);
    if (vehicle == kUnassignedVehicle) {
        throw OrderTransitionError("order " + to_string(id) + ": assigned to no vehicle");
    }
    // an orphan waiting in created: this assignment ends its wait
    if (o.orphaned_at != sim::kTickNever) {
        const Tick wait = now - o.orphaned_at;
        ++counters_.reassigned;
        counters_.reassign_time += wait;
        counters_.reassign_time_max = std::max(counters_.reassign_time_max, wait);
    }
    if (o.first_assigned_at == sim::kTickNever) {
        o.first_assigned_at = now;
        ++counters_.first_assigned;
        counters_.first_assign_wait += now - o.created;
    }
    o.assigned_at = now;
    o.vehicle = vehicle;
    ++counters_.assignments;
    move(o, OrderState::kAssigned);
}

void OrderBook::unassign(OrderId id, Tick now) {
    Order o = transition(id, {OrderState::kAssigned}, OrderState::kCreated, now);
    o.vehicle = kUnassignedVehicle;
    o.orphaned_at = now;
    ++o.reassignments;
    ++counters_.orphaned;
    move(o, OrderState::kCreated);
}

void OrderBook::pick_up(OrderId id, Tick now) {
    Order o = transition(id, {OrderState::kAssigned}, OrderState::kPickedUp, now);
    o.picked_up_at = now;
    ++counters_.picked_up;
    move(o, OrderState::kPickedUp);
}

void OrderBook::deliver(OrderId id, Tick now) {
    deliver(id, now, order(id).size);
}

void OrderBook::deliver(OrderId id, Tick now, double quantity) {
    Order o = transition(id, {OrderState::kPickedUp}, OrderState::kDelivered, now);
    o.delivered_at = now;
    o.delivered_size = quantity;
    const bool on_time = now <= o.due;
    const bool in_full = quantity >= o.size;
    if (on_time) {
        ++counters_.delivered_on_time;
    } else {
        ++counters_.delivered_late;
        counters_.late_samples.push_back(now - o.due);
        counters_.late_total += now - o.due;
    }
    if (!in_full) {
        ++counters_.delivered_short;
    }
    if (on_time && in_full) {
        ++counters_.delivered_on_time_in_full;
    }
    series_.on_delivered(now, o.due, in_full);
    move(o, OrderState::kDelivered);
}

void OrderBook::fail(OrderId id, FailReason reason, Tick now) {
    Order o = transition(id, {OrderState::kCreated, OrderState::kAssigned, OrderState::kPickedUp},
                         OrderState::kFailed, now);
    if (reason == FailReason::kNone) {
        throw OrderTransitionError("order " + to_string(id) + ": failed without a reason");
    }
    o.failed_at = now;
    o.reason = reason;
    ++counters_.failed_by_reason[static_cast<std::size_t>(reason)];
    series_.on_failed(now, o.due);
    move(o, OrderState::kFailed);
}

ConservationReport OrderBook::check_conservation() const {
    ConservationReport r = ConservationReport::from_counts(depot_, counters_.created, by_state_);
    const auto problem = [&](std::string text) {
        if (r.problems.size() < kMaxProblems) {
            r.problems.push_back(std::move(text));
        }
    };

    // the book's own bookkeeping against its orders
    if (counters_.created != orders_.size()) {
        problem("created counter " + std::to_string(counters_.created) +
                " != " + std::to_string(orders_.size()) + " orders in the book");
    }
    std::array<std::uint64_t, kOrderStateCount> recount{};
    for (std::size_t i = 0; i < orders_.size(); ++i) {
        const Order o = orders_.get(i);
        const std::size_t s = idx(o.state);
        if (s < kOrderStateCount) {
            ++recount[s];
        }
        std::string why = contradiction(o, depot_, i);
        if (!why.empty()) {
            ++r.inconsistent;
            problem("order " + to_string(o.id) + ": " + why);
        }
    }
    for (std::size_t s = 0; s < kOrderStateCount; ++s) {
        if (recount[s] != by_state_[s]) {
            problem(std::string("state ") + std::string(to_string(static_cast<OrderState>(s))) +
                    ": counter " + std::to_string(by_state_[s]) + " != recount " +
                    std::to_string(recount[s]));
        }
    }

    // the KPI counters must tell the same story
    if (counters_.delivered() != r.delivered()) {
        problem("KPI delivered " + std::to_string(counters_.delivered()) +
                " != " + std::to_string(r.delivered()) + " orders delivered");
    }
    if (counters_.failed() != r.failed()) {
        problem("KPI failed " + std::to_string(counters_.failed()) +
                " != " + std::to_string(r.failed()) + " orders failed");
    }
    if (r.inconsistent > 0 && r.problems.size() >= kMaxProblems) {
        r.problems.push_back(std::to_string(r.inconsistent) + " inconsistent orders in all");
    }
    return r;
}

// ---- checkpoints ----

// a new member is state to save: add it below, then the size here
static_assert(sizeof(Order) == 128, "Order changed: save and load the new member (OrderBook)");
static_assert(sizeof(DepotCounters) == 15 * sizeof(std::uint64_t) +
                                           sizeof(std::array<std::uint64_t, kFailReasonCount>) +
                                           sizeof(std::vector<Tick>) + sizeof(TimeIntegral),
              "DepotCounters changed: save and load the new member (OrderBook)");
static_assert(sizeof(OrderBook) == 2 * sizeof(std::uint64_t) + sizeof(OrderStore) +
                                       sizeof(std::array<std::uint64_t, kOrderStateCount>) +
                                       sizeof(DepotCounters) + sizeof(KpiSeries) +
                                       sizeof(std::vector<std::uint32_t>*),
              "OrderBook changed: save and load the new member");

void save_counters(sim::StateArchive& ar, const DepotCounters& c) {
    ar.put_value("created", c.created);
    ar.put_value("assignments", c.assignments);
    ar.put_value("picked_up", c.picked_up);
    ar.put_value("delivered_on_time", c.delivered_on_time);
    ar.put_value("delivered_late", c.delivered_late);
    ar.put_value("delivered_short", c.delivered_short);
    ar.put_value("delivered_on_time_in_full", c.delivered_on_time_in_full);
    ar.put("failed_by_reason", std::span<const std::uint64_t>(c.failed_by_reason));
    ar.put_value("orphaned", c.orphaned);
    ar.put_value("reassigned", c.reassigned);
    ar.put_value("reassign_time", c.reassign_time);
    ar.put_value("reassign_time_max", c.reassign_time_max);
    ar.put_value("first_assigned", c.first_assigned);
    ar.put_value("first_assign_wait", c.first_assign_wait);
    ar.put("late_samples", c.late_samples);
    ar.put_value("late_total", c.late_total);
    {
        const auto q = ar.scope("queue");
        ar.put_value("since", c.queue.since);
        ar.put_value("level", c.queue.level);
        ar.put_value("max", c.queue.max);
        ar.put_value("area", c.queue.area);
    }
    ar.put_value("dock_busy", c.dock_busy);
}

void load_counters(const sim::StateArchive& ar, DepotCounters& c) {
    ar.get_value("created", c.created);
    ar.get_value("assignments", c.assignments);
    ar.get_value("picked_up", c.picked_up);
    ar.get_value("delivered_on_time", c.delivered_on_time);
    ar.get_value("delivered_late", c.delivered_late);
    ar.get_value("delivered_short", c.delivered_short);
    ar.get_value("delivered_on_time_in_full", c.delivered_on_time_in_full);
    std::vector<std::uint64_t> failed;
    ar.get("failed_by_reason", failed, kFailReasonCount);
    std::copy(failed.begin(), failed.end(), c.failed_by_reason.begin());
    ar.get_value("orphaned", c.orphaned);
    ar.get_value("reassigned", c.reassigned);
    ar.get_value("reassign_time", c.reassign_time);
    ar.get_value("reassign_time_max", c.reassign_time_max);
    ar.get_value("first_assigned", c.first_assigned);
    ar.get_value("first_assign_wait", c.first_assign_wait);
    ar.get("late_samples", c.late_samples);
    ar.get_value("late_total", c.late_total);
    {
        const auto q = ar.scope("queue");
        ar.get_value("since", c.queue.since);
        ar.get_value("level", c.queue.level);
        ar.get_value("max", c.queue.max);
        ar.get_value("area", c.queue.area);
    }
    ar.get_value("dock_busy", c.dock_busy);
}

void OrderBook::save(sim::StateArchive& ar) const {
    ar.put_value("depot", depot_);
    {
        // id and depot are the slot's (check_conservation holds them to it): not saved
        const auto s = ar.scope("orders");
        // the same columns as when the book held full records (the packing is not saved)
        std::vector<Order> orders;
        orders.reserve(orders_.size());
        for (const Order& o : this->orders()) {
            orders.push_back(o);
        }
        ar.put_field("customer_node", orders, &Order::customer_node);
        ar.put_field("size", orders, &Order::size);
        ar.put_field("created", orders, &Order::created);
        ar.put_field("ready", orders, &Order::ready);
        ar.put_field("due", orders, &Order::due);
        ar.put_field("service_time", orders, &Order::service_time);
        ar.put_field("state", orders, &Order::state);
        ar.put_field("reason", orders, &Order::reason);
        ar.put_field("vehicle", orders, &Order::vehicle);
        ar.put_field("reassignments", orders, &Order::reassignments);
        ar.put_field("first_assigned_at", orders, &Order::first_assigned_at);
        ar.put_field("assigned_at", orders, &Order::assigned_at);
        ar.put_field("orphaned_at", orders, &Order::orphaned_at);
        ar.put_field("picked_up_at", orders, &Order::picked_up_at);
        ar.put_field("delivered_at", orders, &Order::delivered_at);
        ar.put_field("failed_at", orders, &Order::failed_at);
        ar.put_field("delivered_size", orders, &Order::delivered_size);
        ar.put_field("ref", orders, &Order::ref);
    }
    ar.put("by_state", std::span<const std::uint64_t>(by_state_));
    ar.put_value("oldest_open", std::uint64_t{oldest_open_});
    {
        const auto c = ar.scope("counters");
        save_counters(ar, counters_);
    }
    const auto s = ar.scope("series");
    series_.save(ar);
}

void OrderBook::load(const sim::StateArchive& ar) {
    ar.expect_value("depot", depot_);
    {
        const auto s = ar.scope("orders");
        std::vector<Order> orders(ar.count("due"));
        for (std::size_t i = 0; i < orders.size(); ++i) {
            orders[i].id = {depot_, static_cast<std::uint32_t>(i)};
            orders[i].depot = depot_;
        }
        ar.get_field("customer_node", orders, &Order::customer_node);
        ar.get_field("size", orders, &Order::size);
        ar.get_field("created", orders, &Order::created);
        ar.get_field("ready", orders, &Order::ready);
        ar.get_field("due", orders, &Order::due);
        ar.get_field("service_time", orders, &Order::service_time);
        ar.get_field("state", orders, &Order::state);
        ar.get_field("reason", orders, &Order::reason);
        ar.get_field("vehicle", orders, &Order::vehicle);
        ar.get_field("reassignments", orders, &Order::reassignments);
        ar.get_field("first_assigned_at", orders, &Order::first_assigned_at);
        ar.get_field("assigned_at", orders, &Order::assigned_at);
        ar.get_field("orphaned_at", orders, &Order::orphaned_at);
        ar.get_field("picked_up_at", orders, &Order::picked_up_at);
        ar.get_field("delivered_at", orders, &Order::delivered_at);
        ar.get_field("failed_at", orders, &Order::failed_at);
        ar.get_field("delivered_size", orders, &Order::delivered_size);
        ar.get_field("ref", orders, &Order::ref);
        orders_.clear();
        for (const Order& o : orders) {
            orders_.push_back(o);
        }
    }
    std::vector<std::uint64_t> by_state;
    ar.get("by_state", by_state, kOrderStateCount);
    std::copy(by_state.begin(), by_state.end(), by_state_.begin());
    const auto oldest = ar.get_value<std::uint64_t>("oldest_open");
    if (oldest > orders_.size()) {
        ar.field_error("oldest_open",
                       "is past the book's " + std::to_string(orders_.size()) + " orders");
    }
    oldest_open_ = static_cast<std::size_t>(oldest);
    {
        const auto c = ar.scope("counters");
        load_counters(ar, counters_);
    }
    const auto s = ar.scope("series");
    series_.load(ar);
}

}  // namespace swarm::agents
