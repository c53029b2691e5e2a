#include "viz/live_feed.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <span>

#include "agents/fleet/allocation.hpp"
#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/kpi_observer.hpp"

namespace swarm::viz {

LiveFeed::LiveFeed(const agents::FleetModel& model, const RoadGeometry& roads,
                   SnapshotBuffer& buffer)
    : model_(model), roads_(roads), buffer_(buffer) {
    disruptions_.reset(model.spec().net().edge_count(), model.depot_count());
    history_.interval_s = model.spec().time.to_seconds(model.kpi_interval());
    history_.agents = model.vehicle_count();
    history_.has_orphaned = true;
    history_.has_leading = true;
    history_.resilience = model.spec().resilience;
}

void LiveFeed::on_sample(const sim::Engine& /*engine*/, sim::Tick t) {
    const auto started = std::chrono::steady_clock::now();
    fill(t);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    samples.fetch_add(1, std::memory_order_relaxed);
    nanos.fetch_add(static_cast<std::uint64_t>(s * 1e9), std::memory_order_relaxed);
}

void LiveFeed::fill(sim::Tick t) {
    const sim::TimeScale& scale = model_.spec().time;
    const agents::FleetState& fleet = model_.vehicles();
    const std::uint32_t n = model_.vehicle_count();
    Snapshot& s = buffer_.back();
    s.resize(n);
    s.time_s = scale.to_seconds(t);

    // agents
    KpiPoint k;
    k.time_s = s.time_s;
    std::size_t busy = 0;
    for (std::uint32_t v = 0; v < n; ++v) {
        const agents::Point p = model_.position_at(v, t);
        s.xy[2 * std::size_t{v}] = static_cast<float>(p.x - roads_.origin.x);
        s.xy[2 * std::size_t{v} + 1] = static_cast<float>(p.y - roads_.origin.y);
        s.state[v] = static_cast<std::uint8_t>(fleet.hot[v].state);
        s.load[v] = static_cast<float>(fleet.warm[v].load);
        s.energy[v] = static_cast<float>(fleet.hot[v].energy_kwh);
        busy += agents::serving(fleet.hot[v].state) ? 1U : 0U;
        k.energy_kwh += fleet.hot[v].energy_kwh;
        k.distance_km += fleet.hot[v].counters.metres() / 1000.0;
    }
    k.busy_fraction = n > 0 ? static_cast<double>(busy) / n : 0.0;
    // what the vehicles learn (wear, predicted risk, model scores): colour-by choices
    if (const agents::FleetLearning* l = model_.learning()) {
        s.extra.resize(agents::FleetLearning::kValues);
        for (std::size_t i = 0; i < agents::FleetLearning::kValues; ++i) {
            s.extra[i].name = agents::FleetLearning::kValueNames[i];
            const std::span<const float> values = l->value(i);
            s.extra[i].values.assign(values.begin(), values.end());
        }
    }

    // orders, summed over depots
    const agents::OrderTotals orders = agents::order_totals(model_);
    k.created = static_cast<double>(orders.created);
    k.delivered = static_cast<double>(orders.delivered());
    k.delivered_on_time = static_cast<double>(orders.delivered_on_time);
    k.failed = static_cast<double>(orders.failed);
    k.backlog = static_cast<double>(orders.open());
    k.orphaned = static_cast<double>(orders.orphaned);
    s.kpi = k;
    history_.samples.push_back(k);

    // KPI intervals completed since the last sample
    const std::vector<agents::IntervalKpis> completed =
        agents::completed_intervals(model_, history_.intervals.size(), t);
    if (!completed.empty()) {
        // once per KPI interval, as the trace records them: one scan of the open orders
        // for the leading indicators and the cost
        const agents::OpenOrderKpis open = agents::open_order_kpis(model_, t);
        const double cost = agents::running_cost(model_, t, open);
        for (const agents::IntervalKpis& c : completed) {
            IntervalKpi iv;
            iv.end_s = scale.to_seconds(c.end);
            iv.service_level = c.outcomes.q();
            iv.due = static_cast<double>(c.due);
            iv.deliveries = static_cast<double>(c.delivered);
            iv.utilisation = c.utilisation;
            iv.cost = cost;
            iv.open = k.backlog;
            iv.unassigned = static_cast<double>(open.unassigned);
            if (open.oldest_unassigned_created != sim::kTickNever) {
                iv.oldest_unassigned_age_s = scale.to_seconds(t - open.oldest_unassigned_created);
            }
            iv.at_risk = static_cast<double>(open.at_risk);
            iv.overdue = static_cast<double>(open.overdue);
            history_.intervals.push_back(iv);
        }
    }
    read_disruptions();
    s.kpis = history_;
    s.active = active_.active();
    fill_detail(t, s.detail);
    disruptions_.copy_to(s);
    fill_links(s);
    buffer_.publish();
}

void LiveFeed::fill_detail(sim::Tick /*t*/, AgentDetail& d) const {
    const std::uint32_t v = watched.load();
    const agents::FleetState& fleet = model_.vehicles();
    d.plan.clear();
    d.route_xy.clear();
    d.agent = v;
    if (v >= fleet.size()) {
        d.agent = 0xFFFFFFFFu;
        return;
    }
    d.home = fleet.warm[v].home;
    d.dest_node = fleet.hot[v].dest;
    const world::RoadNetwork& net = model_.spec().net();
    const std::vector<world::EdgeId>& route = fleet.warm[v].route;
    const std::size_t pos = std::min<std::size_t>(fleet.hot[v].route_pos, route.size());
    d.route_edges_left = static_cast<std::uint32_t>(route.size() - pos);
    for (std::size_t i = pos; i < route.size(); ++i) {
        const world::Point a = net.position(net.source(route[i]));
        const world::Point b = net.position(net.target(route[i]));
        d.route_xy.insert(
            d.route_xy.end(),
            {static_cast<float>(a.x - roads_.origin.x), static_cast<float>(a.y - roads_.origin.y),
             static_cast<float>(b.x - roads_.origin.x), static_cast<float>(b.y - roads_.origin.y)});
    }
    const agents::Plan& plan = fleet.plan[v];
    for (std::size_t i = 0; i < plan.size; ++i) {
        const agents::PlanEntry& e = plan.entries[i];
        d.plan.push_back({e.depot, e.order, agents::customer_node(model_.spec(), e), e.size,
                          model_.spec().time.to_seconds(e.due), i < plan.loaded});
    }
}

// the true state of the world from the model: closures (re-read when a road event was
// added), depots, the cloud link, and when disruptions started
void LiveFeed::read_disruptions() {
    const agents::RoadState& roads = model_.roads();
    if (roads.events().size() != road_events_) {
        road_events_ = roads.events().size();
        const std::size_t edges = model_.spec().net().edge_count();
        for (std::size_t e = 0; e < edges; ++e) {
            disruptions_.set_closed(static_cast<std::uint32_t>(e),
                                    roads.closed(static_cast<world::EdgeId>(e)));
        }
    }
    for (std::uint32_t d = 0; d < model_.depot_count(); ++d) {
        disruptions_.depot_down[d] = model_.depot_up(d) ? 0 : 1;
    }
    disruptions_.cloud_up = model_.cloud_up();
    const std::vector<agents::AppliedDisruption>& log = model_.disruption_log();
    for (; logged_ < log.size(); ++logged_) {
        const agents::AppliedDisruption& a = log[logged_];
        const double t_s = model_.spec().time.to_seconds(a.t);
        if (starts_disruption(effect_of(a.kind))) {
            history_.disruptions.push_back(t_s);
        }
        active_.apply(t_s, a.kind, a.label, a.targets);
    }
}

// radio links: each vehicle's nearest peers in radio range; gossip: the exchanges of
// road news the next round will make (each vehicle that knows something pushes it to its
// nearest peers that lack it), both as the model's board sees them, and the model
// transfers between vehicles of the latest learning round
void LiveFeed::fill_links(Snapshot& s) {
    s.radio_links.clear();
    s.gossip.clear();
    const bool radio = want_radio.load();
    const bool gossip = want_gossip.load();
    if (!radio && !gossip) {
        return;
    }
    const agents::FleetBoard& board = model_.board();
    const agents::FleetState& fleet = model_.vehicles();
    const double range = model_.spec().comms.radio_range_m;
    std::array<std::uint32_t, 64> near{};
    for (std::uint32_t v = 0; v < fleet.size() && v < board.size(); ++v) {
        const agents::Point p = board.entry(v).position;
        if (model_.radio_blocked(p)) {
            continue;
        }
        if (radio) {
            auto peer = [&](std::uint32_t u, const agents::FleetBoard::Entry& e) {
                return u > v && !model_.radio_blocked(e.position);
            };
            const std::size_t n =
                board.nearest(p, range, peer, std::span<std::uint32_t>(near).first(kRadioPeers));
            for (std::size_t i = 0; i < n; ++i) {
                s.radio_links.push_back({v, near[i]});
            }
        }
        if (gossip && fleet.known[v].count() > 0) {
            auto lacks = [&](std::uint32_t u, const agents::FleetBoard::Entry& e) {
                return u != v && !fleet.known[u].covers(fleet.known[v]) &&
                       !model_.radio_blocked(e.position);
            };
            const std::size_t fanout =
                std::min<std::size_t>(near.size(), model_.spec().gossip_fanout);
            const std::size_t n =
                board.nearest(p, range, lacks, std::span<std::uint32_t>(near).first(fanout));
            for (std::size_t i = 0; i < n; ++i) {
                s.gossip.push_back({v, near[i]});
            }
        }
    }
    const agents::FleetLearning* l = model_.learning();
    if (gossip && l != nullptr) {
        for (const agents::FleetLearning::Exchange& x : l->round_exchanges()) {
            if (x.from < fleet.size() && x.to < fleet.size()) {  // not the cloud
                s.gossip.push_back({x.from, x.to});
            }
        }
    }
}

void LiveFeed::continue_from(const LiveFeed& trunk, double at_s) {
    history_ = trunk.history_;
    history_.forked_at_s = at_s;
    disruptions_ = trunk.disruptions_;
    active_ = trunk.active_;
    road_events_ = trunk.road_events_;
    logged_ = trunk.logged_;
    watched.store(trunk.watched.load());
    want_radio.store(trunk.want_radio.load());
    want_gossip.store(trunk.want_gossip.load());
}

}  // namespace swarm::viz
