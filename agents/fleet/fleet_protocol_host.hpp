// FleetModel::Host: what the core offers the allocation protocol (AllocationHost), as views
// of the model's state. Included only by the files that implement FleetModel.
#pragma once

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_model_internal.hpp"

namespace swarm::agents {

class FleetModel::Host final : public AllocationHost {
  public:
    explicit Host(FleetModel& m) : m_(m) {}

    [[nodiscard]] const FleetSpec& spec() const override { return m_.spec_; }
    [[nodiscard]] const FleetBoard& board() const override { return m_.world_.board; }
    [[nodiscard]] std::span<const FleetBoard::Entry> board_rows() const override {
        return m_.world_.board.rows();
    }
    [[nodiscard]] std::uint32_t vehicle_count() const override { return m_.vehicle_count(); }
    [[nodiscard]] std::uint32_t depot_count() const override { return m_.depot_count(); }
    [[nodiscard]] sim::LpId depot_lp(std::uint32_t d) const override { return m_.depot_lp(d); }
    [[nodiscard]] sim::LpId vehicle_lp(std::uint32_t v) const override { return m_.vehicle_lp(v); }
    [[nodiscard]] sim::LpId dispatcher_lp() const override { return m_.layout_.cloud_lp(); }
    [[nodiscard]] Point depot_position(std::uint32_t d) const override {
        return m_.spec_.net().position(m_.depot_node_[d]);
    }
    [[nodiscard]] std::uint64_t seed() const override { return m_.engine_->config().seed; }

    [[nodiscard]] const comms::LinkModel& link() const override { return m_.link_; }
    [[nodiscard]] const comms::CommsConditions& conditions() const override {
        return m_.world_.conditions;
    }
    comms::MessageCounters& counters() override { return m_.world_.counters; }
    [[nodiscard]] comms::AgentIndex depot_agent(std::uint32_t d) const override {
        return m_.depot_agent(d);
    }
    [[nodiscard]] comms::AgentIndex cloud_agent() const override { return m_.cloud_agent(); }
    void send(sim::Context& ctx, sim::LpId dst, sim::EventType type, const sim::Payload& p,
              Point where) override {
        m_.send(ctx, dst, type, p, where);
    }
    void inject(sim::LpId lp, sim::Tick t, sim::EventType type, const sim::Payload& p) override {
        m_.engine_->inject(lp, t, type, p);
    }

    [[nodiscard]] Order order(std::uint32_t d, std::uint32_t o) const override {
        return m_.world_.depots[d].book.order(fleet_detail::order_id(d, o));
    }
    [[nodiscard]] OrderMsg order_msg(std::uint32_t d, std::uint32_t o) const override {
        return m_.order_msg(d, o);
    }
    AllocationState& allocation(std::uint32_t d, std::uint32_t o) override {
        return m_.world_.depots[d].allocations[o];
    }
    [[nodiscard]] bool open_for_bids(std::uint32_t d, std::uint32_t o) const override {
        return fleet_detail::open_for_bids(m_.world_.depots[d], d, o);
    }
    AllocationCounters& allocation_counters(std::uint32_t d) override {
        return m_.world_.depots[d].allocation;
    }
    void retry_later(sim::Context& ctx, std::uint32_t d, std::uint32_t o) override {
        m_.retry_later(ctx, d, o);
    }
    void retry_now(sim::Context& ctx, std::uint32_t d, std::uint32_t o) override {
        m_.on_retry(ctx, d, o);
    }
    void give_up(std::uint32_t d, std::uint32_t o, sim::Tick t) override {
        DepotState& ds = m_.world_.depots[d];
        const OrderId id = fleet_detail::order_id(d, o);
        m_.stop_waiting(d, o);
        ds.allocations[o].awarding = false;
        ds.stock += static_cast<std::uint64_t>(ds.book.order(id).size);
        ds.book.fail(id, fleet_detail::unserved_reason(ds.allocations[o]), t);
    }

    [[nodiscard]] VehicleView vehicle_view(std::uint32_t v, sim::Tick t) const override {
        return m_.view(v, t);
    }
    [[nodiscard]] bool takes_work(std::uint32_t v) const override {
        return m_.world_.vehicles.hot[v].state != VehicleState::kBroken &&
               m_.world_.vehicles.warm[v].service_due == 0;
    }
    void passed(std::uint32_t v) override { m_.world_.vehicles.pass(v); }
    [[nodiscard]] bool can_reach(sim::Context& ctx, std::uint32_t v, const OrderMsg& m) override {
        return m_.can_reach(ctx.partition(), v, m);
    }
    [[nodiscard]] const VehicleType& vehicle_type(std::uint32_t v) const override {
        return m_.type_of_vehicle(v);
    }
    [[nodiscard]] routing::Router& router(sim::Context& ctx) override {
        return *m_.routers_[ctx.partition()];
    }
    [[nodiscard]] const routing::RouteView& roads_now(sim::Context& ctx) override {
        return m_.roads_now(ctx.partition());
    }

  private:
    FleetModel& m_;
};

}  // namespace swarm::agents
