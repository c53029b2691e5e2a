#include "agents/logistics/order_store.hpp"

#include <bit>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace swarm::agents {

namespace {

constexpr std::int64_t kNever40 = (std::int64_t{1} << 39) - 1;  // kTickNever
constexpr std::int64_t kMin40 = -(std::int64_t{1} << 39);
constexpr std::size_t kTimeBytes = 5;

enum Slot : std::size_t { kReady, kDue, kServiceTime, kFirstAssigned, kPickedUp, kFinished };

// value - base in 40 bits; false when it does not fit (the record is then kept aside)
bool put40(PackedOrder& p, Slot slot, Tick value, Tick base) {
    std::int64_t d = kNever40;
    if (value != sim::kTickNever &&
        (__builtin_sub_overflow(value, base, &d) || d < kMin40 || d >= kNever40)) {
        return false;
    }
    const auto u = static_cast<std::uint64_t>(d);
    for (std::size_t b = 0; b < kTimeBytes; ++b) {
        p.times[(slot * kTimeBytes) + b] = static_cast<std::uint8_t>(u >> (8 * b));
    }
    return true;
}

static_assert(std::endian::native == std::endian::little, "get40 reads times by words");
static_assert(std::is_standard_layout_v<PackedOrder> && offsetof(PackedOrder, times) >= 3);

Tick get40(const PackedOrder& p, Slot slot, Tick base) {
    // one load of the eight bytes that end with the slot's five (the three before are the
    // previous slot's, or for the first the fields before `times`): the slot is the word's
    // high 40 bits, and the arithmetic shift sign-extends them
    const auto* bytes = reinterpret_cast<const unsigned char*>(&p);
    std::int64_t word = 0;
    std::memcpy(&word, bytes + offsetof(PackedOrder, times) + ((slot + 1) * kTimeBytes) - 8,
                sizeof word);
    const std::int64_t d = word >> 24;
    return d == kNever40 ? sim::kTickNever : base + d;
}

bool same_bits(double a, double b) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// every field, doubles bit for bit
bool same(const Order& a, const Order& b) {
    return a.id == b.id && a.depot == b.depot && a.customer_node == b.customer_node &&
           a.vehicle == b.vehicle && a.reassignments == b.reassignments && a.ref == b.ref &&
           a.state == b.state && a.reason == b.reason && same_bits(a.size, b.size) &&
           a.created == b.created && a.ready == b.ready && a.due == b.due &&
           a.service_time == b.service_time && a.first_assigned_at == b.first_assigned_at &&
           a.assigned_at == b.assigned_at && a.orphaned_at == b.orphaned_at &&
           a.picked_up_at == b.picked_up_at && a.delivered_at == b.delivered_at &&
           a.failed_at == b.failed_at && same_bits(a.delivered_size, b.delivered_size);
}

Order unpack(const PackedOrder& p, std::uint32_t depot, std::size_t index) {
    Order o;
    o.id = {depot, static_cast<std::uint32_t>(index)};
    o.depot = depot;
    o.customer_node = p.customer_node;
    o.vehicle = p.vehicle;
    o.ref = p.ref;
    o.state = p.state;
    o.reason = p.reason;
    o.size = p.size;
    o.created = p.created;
    o.ready = get40(p, kReady, p.created);
    o.due = get40(p, kDue, p.created);
    o.service_time = get40(p, kServiceTime, 0);
    o.first_assigned_at = get40(p, kFirstAssigned, p.created);
    o.assigned_at = o.first_assigned_at;
    o.picked_up_at = get40(p, kPickedUp, p.created);
    const Tick finished = get40(p, kFinished, p.created);
    if ((p.flags & PackedOrder::kFailedAt) != 0) {
        o.failed_at = finished;
    } else {
        o.delivered_at = finished;
    }
    o.delivered_size = (p.flags & PackedOrder::kDeliveredAll) != 0 ? p.size : 0.0;
    return o;
}

// the packed form, with kAside set when it does not read back as `o`
PackedOrder pack(const Order& o, std::uint32_t depot, std::size_t index) {
    PackedOrder p;
    p.created = o.created;
    p.size = o.size;
    p.customer_node = o.customer_node;
    p.vehicle = o.vehicle;
    p.ref = o.ref;
    p.state = o.state;
    p.reason = o.reason;
    const bool failed = o.failed_at != sim::kTickNever;
    p.flags = static_cast<std::uint8_t>(
        (failed ? PackedOrder::kFailedAt : 0) |
        (same_bits(o.delivered_size, o.size) ? PackedOrder::kDeliveredAll : 0));
    const bool fits = put40(p, kReady, o.ready, o.created) && put40(p, kDue, o.due, o.created) &&
                      put40(p, kServiceTime, o.service_time, 0) &&
                      put40(p, kFirstAssigned, o.first_assigned_at, o.created) &&
                      put40(p, kPickedUp, o.picked_up_at, o.created) &&
                      put40(p, kFinished, failed ? o.failed_at : o.delivered_at, o.created);
    if (!fits || !same(unpack(p, depot, index), o)) {
        p.flags |= PackedOrder::kAside;
    }
    return p;
}

}  // namespace

Order OrderStore::get(std::size_t i) const {
    const PackedOrder& p = packed_[i];
    if ((p.flags & PackedOrder::kAside) != 0) {
        return overflow_.at(static_cast<std::uint32_t>(i));
    }
    return unpack(p, depot_, i);
}

void OrderStore::push_back(const Order& o) {
    packed_.emplace_back();
    set(packed_.size() - 1, o);
}

void OrderStore::set(std::size_t i, const Order& o) {
    if (o.id.depot != depot_ || o.id.index != i) {
        throw std::logic_error("OrderStore: order " + to_string(o.id) + " written to slot " +
                               std::to_string(depot_) + ":" + std::to_string(i));
    }
    const PackedOrder p = pack(o, depot_, i);
    const auto key = static_cast<std::uint32_t>(i);
    if ((p.flags & PackedOrder::kAside) != 0) {
        overflow_.insert_or_assign(key, o);
    } else if ((packed_[i].flags & PackedOrder::kAside) != 0) {
        overflow_.erase(key);
    }
    packed_[i] = p;
}

void OrderStore::clear() {
    packed_.clear();
    overflow_.clear();
}

std::size_t OrderStore::memory_bytes() const {
    // a node of the table: its value and the link, rounded up to the allocator's 16 B
    constexpr std::size_t kNode =
        ((sizeof(std::pair<const std::uint32_t, Order>) + 8 + 15) / 16) * 16;
    return packed_.memory_bytes() + (overflow_.size() * kNode) +
           (overflow_.bucket_count() * sizeof(void*));
}

}  // namespace swarm::agents
