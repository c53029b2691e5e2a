// FleetModel::save / resume: the model's part of a checkpoint (docs/checkpoints.md).
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_model_internal.hpp"
#include "agents/fleet/fleet_run.hpp"
#include "agents/fleet/fleet_world_state.hpp"

namespace swarm::agents {

using namespace fleet_detail;

void FleetModel::save(sim::StateArchive& ar) const {
    {
        const auto s = ar.scope("world");
        save_world(world_, ar);
    }
    {
        const auto s = ar.scope("protocol");
        ar.put_string("name", protocol_->name());
        protocol_->save(ar);
    }
    ar.put_value("learning_on", std::uint8_t{learning_ ? std::uint8_t{1} : std::uint8_t{0}});
    if (learning_) {
        const auto s = ar.scope("learning");
        learning_->save(ar);
    }
}

namespace {

// the orders pending core messages are about: a retry at its depot, an award on its way to
// a vehicle, an accept or reject on its way back
std::set<std::pair<std::uint32_t, std::uint32_t>> orders_in_flight(const sim::StateArchive& ar,
                                                                   const LpLayout& layout) {
    const auto s = ar.scope("kernel/events");
    std::vector<sim::EventType> type;
    std::vector<sim::LpId> dst;
    std::vector<sim::Payload> payload;
    ar.get("type", type);
    ar.get("dst", dst, type.size());
    ar.get("payload", payload, type.size());
    std::set<std::pair<std::uint32_t, std::uint32_t>> busy;
    for (std::size_t i = 0; i < type.size(); ++i) {
        const bool to_depot = dst[i] < layout.size() && layout.at(dst[i]).kind == LpKind::kDepot;
        if (type[i] == type_of(Msg::kAward)) {
            const OrderMsg m = payload[i].as<OrderMsg>();
            busy.emplace(m.depot, m.order());
        } else if (to_depot &&
                   (type[i] == type_of(Msg::kRetry) || type[i] == type_of(Msg::kAccept) ||
                    type[i] == type_of(Msg::kReject))) {
            busy.emplace(layout.at(dst[i]).index, payload[i].as<AnswerMsg>().order);
        }
    }
    return busy;
}

}  // namespace

void FleetModel::hand_over(sim::Engine& engine, const sim::StateArchive& ar) {
    const auto busy = orders_in_flight(ar, layout_);
    for (std::uint32_t d = 0; d < spec_.depot_count(); ++d) {
        DepotState& ds = world_.depots[d];
        for (std::uint32_t o = 0; o < ds.allocations.size(); ++o) {
            if (ds.book.order(order_id(d, o)).state != OrderState::kCreated ||
                busy.contains({d, o})) {
                continue;
            }
            // offered and waiting for bids, or queued with the old protocol: offered anew
            AllocationState& a = ds.allocations[o];
            a.awarding = false;
            ++ds.allocation.retries;
            AnswerMsg key;
            key.order = o;
            key.round = a.round;
            engine.inject(depot_lp(d), engine.now(), type_of(Msg::kRetry), sim::Payload::of(key));
        }
    }
    // the new protocol's first board, as at the start of a run
    rebuild_board(engine.now());
}

void FleetModel::resume(sim::Engine& engine, const sim::StateArchive& ar,
                        const sim::Engine::ActionMaker& front_end) {
    prepare(engine);
    {
        const auto s = ar.scope("world");
        load_world(world_, ar);
    }
    std::string saved_protocol;
    {
        const auto s = ar.scope("protocol");
        saved_protocol = ar.get_string("name");
        if (saved_protocol == protocol_->name()) {
            protocol_->load(ar);
        }
    }
    const bool switched = saved_protocol != protocol_->name();
    if ((ar.get_value<std::uint8_t>("learning_on") != 0) != (learning_ != nullptr)) {
        throw sim::CheckpointError(learning_ ? "this run learns and the checkpoint's did not"
                                             : "the checkpoint's run learns and this run does not");
    }
    if (learning_) {
        const auto s = ar.scope("learning");
        learning_->load(ar);
    }
    {
        const auto s = ar.scope("kernel");
        // another protocol: the old one's messages (and its dispatcher's) are dropped
        const sim::LpId lps = static_cast<sim::LpId>(layout_.size());
        sim::Engine::EventFilter keep;
        if (switched) {
            keep = [lps](const sim::Event& e) { return e.type < kProtocolMsgBase && e.dst < lps; };
        }
        const auto make = [this, &front_end](const sim::ActionKey& k) {
            if (k.kind >= sim::ActionKey::kFrontEnd) {
                return front_end ? front_end(k) : sim::Engine::BarrierAction{};
            }
            return make_action(k);
        };
        engine.restore(ar, make, keep);
    }
    if (switched) {
        hand_over(engine, ar);
    }
}

void FleetRun::save(sim::StateArchive& ar) const {
    {
        const auto s = ar.scope("kernel");
        engine_->save(ar);
    }
    model_->save(ar);
    const auto s = ar.scope("kpi");
    kpi_->save(ar);
}

void FleetRun::resume(const sim::StateArchive& ar, const sim::Engine::ActionMaker& front_end) {
    if (started_) {
        throw sim::CheckpointError("a run that has started cannot resume a checkpoint");
    }
    model_->resume(*engine_, ar, front_end);
    {
        const auto s = ar.scope("kpi");
        kpi_->load(ar);
    }
    started_ = true;
}

}  // namespace swarm::agents
