// A depot's orders and the only place their lifecycle changes. Each depot LP owns one book
// and applies the transitions its vehicles report, so no locks are needed and order ids
// (depot, sequence) are the same in every run. Every transition checks that it is legal
// and keeps the per-state counts, the depot's KPI counters and its KPI series up to date.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "agents/logistics/kpi.hpp"
#include "agents/logistics/order.hpp"
#include "agents/logistics/order_store.hpp"

namespace swarm::sim {
class StateArchive;
}

namespace swarm::agents {

// An impossible transition or an unknown order: a bug in the model, never a condition to
// recover from. The message names the order and, for transitions, both states.
class OrderTransitionError : public std::logic_error {
    using std::logic_error::logic_error;
};

// The end-of-run check: created == delivered + failed + open, the incremental per-state
// counts agree with a recount of the orders, and every order's record fits exactly one
// state (its timestamps, vehicle and reason say the same as its state field).
struct ConservationReport {
    std::uint32_t depot = 0;
    std::uint64_t created = 0;                               // orders ever created
    std::array<std::uint64_t, kOrderStateCount> by_state{};  // incremental counts
    std::uint64_t inconsistent = 0;  // orders whose record contradicts their state
    std::vector<std::string> problems;

    // from counts alone: checks created == sum over states
    [[nodiscard]] static ConservationReport from_counts(
        std::uint32_t depot, std::uint64_t created,
        const std::array<std::uint64_t, kOrderStateCount>& by_state);

    [[nodiscard]] std::uint64_t count(OrderState s) const {
        return by_state[static_cast<std::size_t>(s)];
    }
    [[nodiscard]] std::uint64_t delivered() const { return count(OrderState::kDelivered); }
    [[nodiscard]] std::uint64_t failed() const { return count(OrderState::kFailed); }
    [[nodiscard]] std::uint64_t open() const;
    [[nodiscard]] bool ok() const { return problems.empty(); }
    // one line when it holds, else every problem on its own line
    [[nodiscard]] std::string message() const;
};

// a depot's counters (or their sum over depots) under the archive's current scope
void save_counters(sim::StateArchive& ar, const DepotCounters& c);
void load_counters(const sim::StateArchive& ar, DepotCounters& c);

class OrderBook {
  public:
    // kpi_interval: the grid of the depot's KpiSeries (e.g. 15 minutes in ticks), > 0
    OrderBook(std::uint32_t depot, Tick kpi_interval, Tick kpi_origin = 0);

    [[nodiscard]] std::uint32_t depot() const { return depot_; }

    // Takes customer_node, size, created, ready, due and service_time from `order` (e.g.
    // from DemandProcess::make_order); everything else is reset. Returns the new id.
    // std::invalid_argument for a negative or non-finite size or due < created.
    OrderId create(const Order& order);

    // created -> assigned (also after being orphaned: records the time to reassign)
    void assign(OrderId id, std::uint32_t vehicle, Tick now);
    // assigned -> created: the vehicle was lost before pick-up (orphaned)
    void unassign(OrderId id, Tick now);
    // assigned -> picked_up
    void pick_up(OrderId id, Tick now);
    // picked_up -> delivered, in full, or with `quantity` units handed over
    void deliver(OrderId id, Tick now);
    void deliver(OrderId id, Tick now, double quantity);
    // created | assigned | picked_up -> failed; reason != kNone
    void fail(OrderId id, FailReason reason, Tick now);

    // records are packed (order_store.hpp): read as values, a copy as of the call
    [[nodiscard]] Order order(OrderId id) const { return orders_.get(checked_index(id)); }
    [[nodiscard]] OrderState state(OrderId id) const { return orders_.state(checked_index(id)); }
    [[nodiscard]] OrderView orders() const { return {orders_, 0}; }
    [[nodiscard]] std::uint64_t size() const { return orders_.size(); }
    // bytes the order records hold (whole chunks, and records kept aside)
    [[nodiscard]] std::size_t order_bytes() const { return orders_.memory_bytes(); }
    [[nodiscard]] std::uint64_t count(OrderState s) const {
        return by_state_[static_cast<std::size_t>(s)];
    }
    [[nodiscard]] std::uint64_t open() const;
    // The orders from the oldest open one on (every open order is in it, with the closed
    // ones created after the oldest open one): what a sample of the open orders scans.
    [[nodiscard]] OrderView from_oldest_open() const { return {orders_, oldest_open_}; }

    // order fields are the book's; the depot LP records its dock queue and dock time here
    [[nodiscard]] const DepotCounters& counters() const { return counters_; }
    [[nodiscard]] DepotCounters& counters() { return counters_; }
    [[nodiscard]] const KpiSeries& series() const { return series_; }

    // O(orders): recounts and checks every order; never throws
    [[nodiscard]] ConservationReport check_conservation() const;

    // A journal for one follower of the book (the trace): while set, the index of every order
    // created or moved is appended to *journal as it happens (an order can appear more than
    // once); the follower owns the vector and reads and clears it between windows. Null (the
    // default): no journal.
    void set_journal(std::vector<std::uint32_t>* journal) { journal_ = journal; }

    // checkpoints: the orders (field-wise), the per-state counts, the KPI counters and
    // series under the archive's current scope. load() refuses a book of another depot or
    // KPI grid (sim::CheckpointError) and keeps the journal, which is its follower's.
    void save(sim::StateArchive& ar) const;
    void load(const sim::StateArchive& ar);

  private:
    [[nodiscard]] std::size_t checked_index(OrderId id) const;
    // the order, after checking it is in one of `from` and that now is not before its
    // latest transition; `to` names the target state in the error message
    // (a copy: move() writes it back)
    Order transition(OrderId id, std::initializer_list<OrderState> from, OrderState to, Tick now);
    void move(Order& o, OrderState to);

    std::uint32_t depot_;
    OrderStore orders_;  // by index
    std::array<std::uint64_t, kOrderStateCount> by_state_{};
    std::size_t oldest_open_ = 0;  // index of the oldest open order (size() when none)
    DepotCounters counters_;
    KpiSeries series_;
    std::vector<std::uint32_t>* journal_ = nullptr;
};

}  // namespace swarm::agents
