// FleetModel: orders replayed from a table (FleetSpec::replay, docs/inputs.md). Each depot
// releases its orders at their release times, by self events on its own LP, so a replay is
// the same for any thread count; a released order takes the path of a drawn one (forwarded
// while its depot is closed, stock reserved, allocated).
#include <algorithm>
#include <numeric>
#include <vector>

#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_model_internal.hpp"

namespace swarm::agents {

using namespace fleet_detail;
using sim::Context;
using sim::Payload;
using sim::Tick;

void FleetModel::schedule_replay(sim::Engine& engine) {
    const OrderReplay& replay = spec_.replay;
    for (std::uint32_t d = 0; d < spec_.depot_count(); ++d) {
        DepotState& ds = world_.depots[d];
        ds.replay_next = replay.begin(d);
        if (ds.replay_next < replay.end(d)) {
            const Tick at = std::max(
                engine.now(), spec_.time.from_seconds(replay.orders[ds.replay_next].release_s));
            engine.inject(depot_lp(d), at, type_of(Msg::kReplay));
        }
    }
}

void FleetModel::on_replay(Context& ctx, std::uint32_t d) {
    const OrderReplay& replay = spec_.replay;
    DepotState& ds = world_.depots[d];
    const std::uint32_t end = replay.end(d);
    // every order released by now, in release order; orders released together by priority
    // (higher first: the first offered gets the nearest free vehicle), then in file order
    const std::uint32_t first = ds.replay_next;
    while (ds.replay_next < end &&
           spec_.time.from_seconds(replay.orders[ds.replay_next].release_s) <= ctx.now()) {
        ++ds.replay_next;
    }
    std::vector<std::uint32_t> released(ds.replay_next - first);
    std::iota(released.begin(), released.end(), first);
    std::stable_sort(released.begin(), released.end(), [&](std::uint32_t a, std::uint32_t b) {
        return replay.orders[a].priority > replay.orders[b].priority;
    });
    for (const std::uint32_t ref : released) {
        const ReplayOrder& r = replay.orders[ref];
        Order o;
        o.customer_node = r.customer;
        o.size = r.size;
        o.created = ctx.now();
        o.ready = std::max(ctx.now(), spec_.time.from_seconds(r.earliest_s));
        o.due = spec_.time.from_seconds(r.latest_s);
        o.service_time = service_ticks(r.service_s);
        o.ref = ref;
        arrive_order(ctx, d, o);
    }
    if (ds.replay_next < end) {
        const Tick at = spec_.time.from_seconds(replay.orders[ds.replay_next].release_s);
        ctx.schedule_self(at - ctx.now(), type_of(Msg::kReplay));
    }
}

}  // namespace swarm::agents
