// A depot's order records, packed to 64 B each (an Order is 128 B) in chunks of 32. At a
// million vehicles there are four orders per vehicle and hour, most of them finished, and
// the records were half of the model's memory. Packing is lossless: an order whose record
// does not fit the packed form (orphaned and reassigned, times more than 2^39 ticks from its
// creation, delivered in part) keeps its full record aside, and every write checks that the
// packed form reads back as the record it was given.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <unordered_map>

#include "agents/logistics/chunked_vector.hpp"
#include "agents/logistics/order.hpp"

namespace swarm::agents {

// The packed form: times as 40-bit offsets from `created` (ready, due, first assignment,
// pick-up, delivery or failure) and the service time; the latest assignment is the first
// and there was no orphaning (else the record is kept aside); the delivered size is all or
// nothing. `state` is kept even for records aside, for the book's scan of open orders.
struct PackedOrder {
    Tick created = 0;
    double size = 0.0;
    std::uint32_t customer_node = kNoCustomer;
    std::uint32_t vehicle = kUnassignedVehicle;
    std::uint32_t ref = kNoRef;
    OrderState state = OrderState::kCreated;
    FailReason reason = FailReason::kNone;
    std::uint8_t flags = 0;
    std::array<std::uint8_t, 30> times{};  // 6 x 40 bits, little end first

    static constexpr std::uint8_t kAside = 1;         // the full record is in the overflow
    static constexpr std::uint8_t kDeliveredAll = 2;  // delivered_size == size (else 0)
    static constexpr std::uint8_t kFailedAt = 4;      // the last time is failed_at
};
static_assert(sizeof(PackedOrder) == 64);

class OrderStore {
  public:
    explicit OrderStore(std::uint32_t depot) : depot_(depot) {}

    [[nodiscard]] std::size_t size() const { return packed_.size(); }
    [[nodiscard]] Order get(std::size_t i) const;
    [[nodiscard]] OrderState state(std::size_t i) const { return packed_[i].state; }
    // o.id must be (depot, size()) for push_back and (depot, i) for set
    void push_back(const Order& o);
    void set(std::size_t i, const Order& o);
    void clear();
    // a hint for a read soon (the trace walks its journal of orders scattered over books)
    void prefetch(std::size_t i) const { __builtin_prefetch(&packed_[i]); }

    // bytes held: packed chunks, and the records kept aside with their table
    [[nodiscard]] std::size_t memory_bytes() const;
    [[nodiscard]] std::size_t aside() const { return overflow_.size(); }

  private:
    std::uint32_t depot_;
    ChunkedVector<PackedOrder> packed_;
    std::unordered_map<std::uint32_t, Order> overflow_;  // by order index
};

// The orders of a book from `first` on, read as Order values (OrderBook::orders()).
class OrderView {
  public:
    class Iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Order;
        using difference_type = std::ptrdiff_t;
        using reference = Order;
        using pointer = void;

        Iterator() = default;
        Iterator(const OrderStore* store, std::size_t i) : store_(store), i_(i) {}
        [[nodiscard]] Order operator*() const { return store_->get(i_); }
        Iterator& operator++() {
            ++i_;
            return *this;
        }
        Iterator operator++(int) {
            Iterator old = *this;
            ++i_;
            return old;
        }
        friend bool operator==(const Iterator& a, const Iterator& b) { return a.i_ == b.i_; }

      private:
        const OrderStore* store_ = nullptr;
        std::size_t i_ = 0;
    };

    OrderView(const OrderStore& store, std::size_t first) : store_(&store), first_(first) {}
    [[nodiscard]] std::size_t size() const { return store_->size() - first_; }
    [[nodiscard]] bool empty() const { return size() == 0; }
    [[nodiscard]] Order operator[](std::size_t i) const { return store_->get(first_ + i); }
    // the order's state alone, without unpacking its record (a scan that skips closed orders)
    [[nodiscard]] OrderState state(std::size_t i) const { return store_->state(first_ + i); }
    [[nodiscard]] Iterator begin() const { return {store_, first_}; }
    [[nodiscard]] Iterator end() const { return {store_, store_->size()}; }
    void prefetch(std::size_t i) const { store_->prefetch(first_ + i); }

  private:
    const OrderStore* store_;
    std::size_t first_;
};

}  // namespace swarm::agents
