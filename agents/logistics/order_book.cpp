#include "agents/logistics/order_book.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <stdexcept>

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
    : depot_(depot), series_(kpi_interval, kpi_origin) {}

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
    Order& o = orders_.emplace_back();
    o.id = id;
    o.depot = depot_;
    o.customer_node = order.customer_node;
    o.size = order.size;
    o.created = order.created;
    o.ready = order.ready;
    o.due = order.due;
    o.service_time = order.service_time;
    o.ref = order.ref;
    ++by_state_[idx(OrderState::kCreated)];
    ++counters_.created;
    series_.on_created(o.created, o.due);
    if (journal_ != nullptr) {
        journal_->push_back(id.index);
    }
    return id;
}

Order& OrderBook::transition(OrderId id, std::initializer_list<OrderState> from, OrderState to,
                             Tick now) {
    Order& o = orders_[checked_index(id)];
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
    if (journal_ != nullptr) {
        journal_->push_back(o.id.index);
    }
    // closed orders never reopen: the oldest open one only moves forward
    while (oldest_open_ < orders_.size() && is_terminal(orders_[oldest_open_].state)) {
        ++oldest_open_;
    }
}

void OrderBook::assign(OrderId id, std::uint32_t vehicle, Tick now) {
    Order& o = transition(id, {OrderState::kCreated}, OrderState::kAssigned, now);
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
    Order& o = transition(id, {OrderState::kAssigned}, OrderState::kCreated, now);
    o.vehicle = kUnassignedVehicle;
    o.orphaned_at = now;
    ++o.reassignments;
    ++counters_.orphaned;
    move(o, OrderState::kCreated);
}

void OrderBook::pick_up(OrderId id, Tick now) {
    Order& o = transition(id, {OrderState::kAssigned}, OrderState::kPickedUp, now);
    o.picked_up_at = now;
    ++counters_.picked_up;
    move(o, OrderState::kPickedUp);
}

void OrderBook::deliver(OrderId id, Tick now) {
    deliver(id, now, order(id).size);
}

void OrderBook::deliver(OrderId id, Tick now, double quantity) {
    Order& o = transition(id, {OrderState::kPickedUp}, OrderState::kDelivered, now);
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
    Order& o = transition(id, {OrderState::kCreated, OrderState::kAssigned, OrderState::kPickedUp},
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
        const Order& o = orders_[i];
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

}  // namespace swarm::agents
