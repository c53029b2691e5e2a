#include "agents/fleet/central_planner.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

#include "agents/world/point_grid.hpp"

namespace swarm::agents {

namespace {

constexpr double kInfeasible = std::numeric_limits<double>::infinity();
// the regret of an order only one vehicle can take: it goes before any other
constexpr double kSoleOption = 1e300;
// exchange partners: the vehicles of this many of an order's candidates nearest its depot
constexpr std::size_t kExchangeNeighbours = 16;
// a move must gain more than this (currency units) to count: no cycling on rounding
constexpr double kMinGain = 1e-9;
// the planner's value of delivery time, as a share of the cost KPI's lateness rate: enough
// to prefer the earlier of two equally cheap deliveries and to keep a margin before the
// due time (travel times vary), small next to distance
constexpr double kTimeValueShare = 0.1;
// candidates per order taken from the caller's world::PointGrid up to this many (its
// nearest() query's most); more are chosen by a pass over every usable vehicle
constexpr std::size_t kMaxIndexed = 64;
// vehicles per cell of that grid, on average
constexpr double kPerCell = 8.0;

// a grid over the network's box for `points` points, about kPerCell to a cell
world::PointGrid empty_grid(const world::RoadNetwork& net, std::size_t points) {
    const world::BoundingBox box = net.bounds();
    const double area = std::max(box.max.x - box.min.x, 1.0) * std::max(box.max.y - box.min.y, 1.0);
    const double cell =
        std::sqrt(area * kPerCell / static_cast<double>(std::max<std::size_t>(points, 1)));
    return world::PointGrid(box, std::max(cell, 1.0), points);
}

struct Insertion {
    double delta = kInfeasible;  // cost increase of the vehicle's sequence
    double cost = kInfeasible;   // the vehicle's sequence cost with the order in it
    std::uint32_t pos = 0;
};

class Planner {
  public:
    Planner(const FleetSpec& spec, std::span<const PlannerVehicle> vehicles,
            std::span<const OrderMsg> orders, sim::Tick now, const PlannerOptions& options)
        : spec_(spec),
          vehicles_(vehicles),
          orders_(orders),
          now_(now),
          options_(options),
          base_metres_(vehicles.size(), std::numeric_limits<double>::quiet_NaN()),
          seq_(vehicles.size()),
          cur_(vehicles.size(), 0.0),
          where_(orders.size(), kNoVehicle) {}

    PlannerResult run() {
        dock_waits();
        candidates();
        insert();
        // relocate to a local optimum, then exchange; again while an exchange helps
        for (std::uint32_t round = 0; round < kMaxRelocatePasses; ++round) {
            relocate();
            if (!options_.exchange || !exchange()) {
                break;
            }
        }
        PlannerResult out;
        for (std::uint32_t v = 0; v < seq_.size(); ++v) {
            for (const std::uint32_t o : seq_[v]) {
                out.awards.emplace_back(o, v);
            }
            out.objective += cur_[v];
        }
        out.evaluations = evaluations_;
        return out;
    }

  private:
    static constexpr std::uint32_t kNoVehicle = 0xFFFFFFFFu;

    // per order: the usable vehicles it may go to, by index
    void candidates() {
        const world::RoadNetwork& net = spec_.net();
        std::vector<std::uint32_t> usable;
        for (std::uint32_t v = 0; v < vehicles_.size(); ++v) {
            if (vehicles_[v].usable) {
                usable.push_back(v);
            }
        }
        cand_.resize(orders_.size());
        near_.resize(orders_.size());
        const std::size_t k = options_.candidates == 0
                                  ? usable.size()
                                  : std::min<std::size_t>(options_.candidates, usable.size());
        // the k nearest through the caller's spatial index when there is one and it can hold
        // k: an order then costs the vehicles around its depot, not a pass over the fleet
        // (the same vehicles either way: both order by distance, then index)
        const world::PointGrid* grid = options_.vehicles_index;
        const bool indexed = options_.index_candidates && grid != nullptr && k > 0 &&
                             k < usable.size() && k <= kMaxIndexed;
        for (std::size_t o = 0; o < orders_.size(); ++o) {
            std::vector<std::uint32_t>& c = cand_[o];
            const Point depot = net.position(load_node(spec_, orders_[o]));
            const std::uint32_t size = orders_[o].size;
            const auto fits = [&](std::uint32_t v) {
                return vehicles_[v].view.type->capacity >= size;
            };
            // the index holds the unusable vehicles too
            const auto takes = [&](std::uint32_t v) { return vehicles_[v].usable && fits(v); };
            c.clear();
            if (indexed) {
                c.resize(k);
                c.resize(grid->nearest(depot, std::numeric_limits<double>::infinity(), takes, c,
                                       [](std::uint32_t) { return 0; }));
                std::sort(c.begin(), c.end());
            } else {
                for (const std::uint32_t v : usable) {
                    if (fits(v)) {
                        c.push_back(v);
                    }
                }
                keep_nearest(c, k, depot);
            }
            near_[o] = c;
            keep_nearest(near_[o], kExchangeNeighbours, depot);
        }
    }

    // keeps the k of c nearest to `to` (ties to the lower index), sorted by index; each
    // distance computed once (a comparison reading both vehicles' positions was a seventh
    // of a run of the oracle on city_100k)
    void keep_nearest(std::vector<std::uint32_t>& c, std::size_t k, Point to) {
        if (k >= c.size()) {
            return;
        }
        const world::RoadNetwork& net = spec_.net();
        std::vector<std::pair<double, std::uint32_t>>& keyed = nearest_scratch_;
        keyed.clear();
        for (const std::uint32_t v : c) {
            const Point p = net.position(vehicles_[v].view.position);
            keyed.emplace_back((p.x - to.x) * (p.x - to.x) + (p.y - to.y) * (p.y - to.y), v);
        }
        // (distance, index) is a total order: the k nearest are the same set however found
        std::nth_element(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(k - 1),
                         keyed.end());
        for (std::size_t i = 0; i < k; ++i) {
            c[i] = keyed[i].second;
        }
        c.resize(k);
        std::sort(c.begin(), c.end());
    }

    // the queue a new visit finds at each depot's docks: the visits the known plans still
    // make there beyond the docks, each taking the mean service (an upper bound: they do not
    // all arrive at once)
    void dock_waits() {
        std::vector<std::uint32_t> visits(spec_.depots.size(), 0);
        for (const PlannerVehicle& pv : vehicles_) {
            const Plan& p = pv.plan;
            std::uint32_t units = 0;
            for (std::uint32_t i = p.loaded; i < p.size; ++i) {
                const PlanEntry& e = p.entries[i];
                if (e.has_row()) {
                    units = 0;  // loaded at its pick-up location, not at a dock
                    continue;
                }
                const bool joins = i > p.loaded && e.depot == p.entries[i - 1].depot &&
                                   !p.entries[i - 1].has_row() &&
                                   units + e.size <= pv.view.type->capacity;
                if (!joins) {
                    ++visits[e.depot];
                    units = 0;
                }
                units += e.size;
            }
        }
        wait_s_.assign(spec_.depots.size(), 0.0);
        for (std::size_t d = 0; d < spec_.depots.size(); ++d) {
            const DepotSpec& ds = spec_.depots[d];
            if (visits[d] > ds.docks) {
                wait_s_[d] = static_cast<double>(visits[d] - ds.docks) * ds.dock_service.mean_s /
                             static_cast<double>(ds.docks);
            }
        }
    }

    double money_per_metre(std::uint32_t v) const {
        const VehicleType& t = *vehicles_[v].view.type;
        return (spec_.cost.per_km + spec_.cost.per_kwh * t.kwh_per_km) / 1000.0;
    }

    double base_metres(std::uint32_t v) {
        double& m = base_metres_[v];
        if (std::isnan(m)) {
            VehicleView me = vehicles_[v].view;
            me.plan = &vehicles_[v].plan;
            ++evaluations_;
            m = estimate_plan(spec_, me, nullptr, now_, {}, true, wait_s_, options_.legs).metres;
        }
        return m;
    }

    // the cost of vehicle v taking the orders `seq` in that sequence behind its plan;
    // kInfeasible when it would refuse one of them
    double sequence_cost(std::uint32_t v, std::span<const std::uint32_t> seq) {
        if (seq.empty()) {
            return 0.0;
        }
        const PlannerVehicle& pv = vehicles_[v];
        if (pv.plan.size + seq.size() > spec_.allocation.max_plan) {
            return kInfeasible;
        }
        Plan plan = pv.plan;
        for (std::size_t i = 0; i + 1 < seq.size(); ++i) {
            const OrderMsg& m = orders_[seq[i]];
            if (m.size > pv.view.type->capacity) {
                return kInfeasible;
            }
            plan.entries[plan.size++] = PlanEntry::of(m);
        }
        VehicleView me = pv.view;
        me.plan = &plan;
        const double base = base_metres(v);
        // the vehicle's own acceptance test, with its plan as the planner knows it
        evaluations_ += 2;
        if (!feasible(spec_, me, orders_[seq.back()], now_)) {
            return kInfeasible;
        }
        // and what the vehicle will do: orders of one depot in a row share a dock visit
        std::array<sim::Tick, kMaxPlan> handed{};
        const PlanEstimate est = estimate_plan(spec_, me, &orders_[seq.back()], now_, handed, true,
                                               wait_s_, options_.legs);
        if (!est.reachable) {
            return kInfeasible;
        }
        // on the roads' distances, too: never plan into the energy reserve
        const VehicleType& type = *pv.view.type;
        if (options_.legs != nullptr &&
            est.kwh > pv.view.energy_kwh - spec_.allocation.energy_reserve * type.battery_kwh) {
            return kInfeasible;
        }
        double cost = money_per_metre(v) * (est.metres - base);
        for (std::size_t i = 0; i + 1 < seq.size(); ++i) {
            cost += delivery_cost(spec_, orders_[seq[i]], handed[pv.plan.size + i], now_);
        }
        return cost + delivery_cost(spec_, orders_[seq.back()], est.finish, now_);
    }

    // the best position of order o in v's sequence (skip: a position to leave out)
    Insertion best_insertion(std::uint32_t o, std::uint32_t v, const std::vector<std::uint32_t>& s,
                             double current) {
        Insertion best;
        if (vehicles_[v].plan.size + s.size() >= spec_.allocation.max_plan) {
            return best;
        }
        std::vector<std::uint32_t> trial(s.size() + 1);
        for (std::uint32_t pos = 0; pos <= s.size(); ++pos) {
            std::copy(s.begin(), s.begin() + pos, trial.begin());
            trial[pos] = o;
            std::copy(s.begin() + pos, s.end(), trial.begin() + pos + 1);
            const double c = sequence_cost(v, trial);
            if (c < kInfeasible && c - current < best.delta) {
                best = {c - current, c, pos};
            }
        }
        return best;
    }

    // regret-2 insertion of every order, higher priorities first (as VROOM: when not every
    // order fits, the ones left out are of the lowest priorities)
    void insert() {
        std::vector<std::vector<Insertion>> ins(orders_.size());
        std::vector<std::uint32_t> open;
        for (std::uint32_t o = 0; o < orders_.size(); ++o) {
            open.push_back(o);
            ins[o].resize(cand_[o].size());
            for (std::size_t i = 0; i < cand_[o].size(); ++i) {
                const std::uint32_t v = cand_[o][i];
                ins[o][i] = best_insertion(o, v, seq_[v], cur_[v]);
            }
        }
        while (!open.empty()) {
            std::size_t pick = open.size();
            double pick_regret = 0.0;
            double pick_delta = 0.0;
            std::size_t pick_i = 0;
            std::uint8_t pick_priority = 0;
            for (std::size_t k = 0; k < open.size(); ++k) {
                const std::uint32_t o = open[k];
                double best = kInfeasible;
                double second = kInfeasible;
                std::size_t best_i = 0;
                for (std::size_t i = 0; i < ins[o].size(); ++i) {
                    const double d = ins[o][i].delta;
                    if (d < best) {
                        second = best;
                        best = d;
                        best_i = i;
                    } else if (d < second) {
                        second = d;
                    }
                }
                if (best == kInfeasible) {
                    continue;
                }
                const double regret = second == kInfeasible ? kSoleOption : second - best;
                const std::uint8_t priority = orders_[o].priority();
                const bool before =
                    priority > pick_priority ||
                    (priority == pick_priority &&
                     (regret > pick_regret || (regret == pick_regret && best < pick_delta)));
                if (pick == open.size() || before) {
                    pick = k;
                    pick_regret = regret;
                    pick_delta = best;
                    pick_i = best_i;
                    pick_priority = priority;
                }
            }
            if (pick == open.size()) {
                break;  // the rest fit nowhere
            }
            const std::uint32_t o = open[pick];
            const std::uint32_t v = cand_[o][pick_i];
            const Insertion& chosen = ins[o][pick_i];
            seq_[v].insert(seq_[v].begin() + chosen.pos, o);
            cur_[v] = chosen.cost;
            where_[o] = v;
            open.erase(open.begin() + static_cast<std::ptrdiff_t>(pick));
            // only v's sequence changed: the other orders' insertions into v anew
            for (const std::uint32_t other : open) {
                const auto it = std::lower_bound(cand_[other].begin(), cand_[other].end(), v);
                if (it != cand_[other].end() && *it == v) {
                    const auto i = static_cast<std::size_t>(it - cand_[other].begin());
                    ins[other][i] = best_insertion(other, v, seq_[v], cur_[v]);
                }
            }
        }
    }

    // relocate: an order out of its vehicle's sequence into the best position of any
    // candidate's, while that lowers the total
    void relocate() {
        for (std::uint32_t pass = 0; pass < kMaxRelocatePasses; ++pass) {
            bool improved = false;
            for (std::uint32_t o = 0; o < orders_.size(); ++o) {
                const std::uint32_t a = where_[o];
                if (a == kNoVehicle) {
                    continue;
                }
                std::vector<std::uint32_t> rest = seq_[a];
                const auto at = std::find(rest.begin(), rest.end(), o);
                const auto from = static_cast<std::uint32_t>(at - rest.begin());
                rest.erase(at);
                const double rest_cost = sequence_cost(a, rest);
                double best_gain = -kMinGain;
                std::uint32_t best_v = kNoVehicle;
                Insertion best_ins;
                for (const std::uint32_t v : cand_[o]) {
                    Insertion ins;
                    double gain = 0.0;
                    if (v == a) {
                        ins = best_insertion(o, v, rest, rest_cost);
                        if (ins.pos == from) {
                            continue;  // where it is
                        }
                        gain = ins.cost - cur_[a];
                    } else {
                        ins = best_insertion(o, v, seq_[v], cur_[v]);
                        gain = (rest_cost - cur_[a]) + ins.delta;
                    }
                    if (ins.delta < kInfeasible && gain < best_gain) {
                        best_gain = gain;
                        best_v = v;
                        best_ins = ins;
                    }
                }
                if (best_v == kNoVehicle) {
                    continue;
                }
                if (best_v != a) {
                    seq_[a] = rest;
                    cur_[a] = rest_cost;
                    seq_[best_v].insert(seq_[best_v].begin() + best_ins.pos, o);
                } else {
                    rest.insert(rest.begin() + best_ins.pos, o);
                    seq_[a] = rest;
                }
                cur_[best_v] = best_ins.cost;
                where_[o] = best_v;
                improved = true;
            }
            if (!improved) {
                break;
            }
        }
    }

    [[nodiscard]] bool near(std::uint32_t o, std::uint32_t v) const {
        return std::binary_search(near_[o].begin(), near_[o].end(), v);
    }

    // swaps of two orders between two vehicles, each taking the other's place in its
    // sequence (what relocate cannot do when neither vehicle has room or time for both);
    // granular: each vehicle is among the kExchangeNeighbours candidates nearest the other
    // order's depot, which keeps a pass near-linear in the orders on big batches; first
    // improvement, one pass; true when something changed
    bool exchange() {
        bool improved = false;
        for (std::uint32_t o1 = 0; o1 < orders_.size(); ++o1) {
            for (std::uint32_t o2 = o1 + 1; o2 < orders_.size(); ++o2) {
                const std::uint32_t a = where_[o1];
                const std::uint32_t b = where_[o2];
                if (a == kNoVehicle || b == kNoVehicle || a == b || !near(o1, b) || !near(o2, a)) {
                    continue;
                }
                std::vector<std::uint32_t> sa = seq_[a];
                std::vector<std::uint32_t> sb = seq_[b];
                *std::find(sa.begin(), sa.end(), o1) = o2;
                *std::find(sb.begin(), sb.end(), o2) = o1;
                const double ca = sequence_cost(a, sa);
                if (ca == kInfeasible) {
                    continue;
                }
                const double cb = sequence_cost(b, sb);
                if (cb == kInfeasible || ca + cb - cur_[a] - cur_[b] >= -kMinGain) {
                    continue;
                }
                seq_[a] = std::move(sa);
                seq_[b] = std::move(sb);
                cur_[a] = ca;
                cur_[b] = cb;
                where_[o1] = b;
                where_[o2] = a;
                improved = true;
            }
        }
        return improved;
    }

    const FleetSpec& spec_;
    std::span<const PlannerVehicle> vehicles_;
    std::span<const OrderMsg> orders_;
    sim::Tick now_;
    PlannerOptions options_;
    std::vector<double> base_metres_;
    std::vector<double> wait_s_;  // per depot
    std::vector<std::vector<std::uint32_t>> cand_;
    std::vector<std::vector<std::uint32_t>> near_;  // per order: exchange partners' vehicles
    std::vector<std::pair<double, std::uint32_t>> nearest_scratch_;  // keep_nearest()
    std::vector<std::vector<std::uint32_t>> seq_;  // per vehicle: the new orders, in sequence
    std::vector<double> cur_;                      // per vehicle: its sequence's cost
    std::vector<std::uint32_t> where_;             // per order: its vehicle
    std::uint64_t evaluations_ = 0;
};

}  // namespace

double delivery_cost(const FleetSpec& spec, const OrderMsg& order, sim::Tick handed,
                     sim::Tick now) {
    const CostParams& c = spec.cost;
    double cost = kTimeValueShare * c.per_late_minute / 60.0 *
                  spec.time.to_seconds(std::max(handed, now) - now);
    if (handed > order.due) {
        cost +=
            c.per_late_order + c.per_late_minute / 60.0 * spec.time.to_seconds(handed - order.due);
    }
    return cost;
}

namespace {
Leg leg_of(const routing::Route& r) {
    return r.found ? Leg{r.travel_time_s, r.length_m} : Leg{routing::kUnreachable, 0.0};
}
}  // namespace

Leg RoutedLegs::leg(NodeId from, NodeId to, double depart_s, double speed_factor) {
    if (from == to) {
        return {};
    }
    if (profile_ != nullptr && !profile_->empty()) {
        return timed_leg(from, to, depart_s, speed_factor);
    }
    // static times: one route per pair, at speed factor 1
    const std::uint64_t key = (std::uint64_t{from} << 32) | to;
    auto it = memo_.find(key);
    if (it == memo_.end()) {
        const Leg l = may_reach(from, to) ? leg_of(router_->fastest(from, to, *view_))
                                          : Leg{routing::kUnreachable, 0.0};
        it = memo_.emplace(key, l).first;
    }
    return {it->second.seconds / speed_factor, it->second.metres};
}

void RoutedLegs::rebind(routing::Router& router, const routing::RouteView& view) {
    router_ = &router;
    const bool same = &view == view_ && view.id == view_id_;
    if (!same) {
        reach_.reset();
    }
    if (!same || routed() >= kMaxKept) {
        view_ = &view;
        view_id_ = view.id;
        memo_.clear();
        hour_paths_.clear();
        crossing_.clear();
    }
}

bool RoutedLegs::may_reach(NodeId from, NodeId to) {
    if (!reach_) {
        reach_.emplace(router_->network(), view_->closed);
    }
    return reach_->may_reach(from, to);
}

std::size_t RoutedLegs::memory_bytes() const {
    // a node per entry (key, value, next pointer, cached hash) and a bucket pointer
    constexpr std::size_t kNode = 2 * sizeof(void*) + sizeof(std::size_t);
    std::size_t bytes = memo_.size() * (sizeof(std::pair<const std::uint64_t, Leg>) + kNode) +
                        crossing_.size() * (sizeof(std::pair<const TimedKey, Leg>) + kNode) +
                        hour_paths_.size() * (sizeof(std::pair<const TimedKey, HourPath>) + kNode);
    for (const auto& [key, path] : hour_paths_) {
        bytes += path.edges.capacity() * sizeof(EdgeId);
    }
    return bytes + (reach_ ? reach_->memory_bytes() : 0);
}

std::size_t RoutedLegs::TimedHash::operator()(const TimedKey& k) const {
    std::uint64_t h = (std::uint64_t{k.from} << 32) | k.to;
    h ^= std::hash<double>{}(k.at_s) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    h ^= std::hash<double>{}(k.speed_factor) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    return static_cast<std::size_t>(h);
}

Leg RoutedLegs::timed_leg(NodeId from, NodeId to, double depart_s, double speed_factor) {
    routing::RouteView view = *view_;
    view.profile = profile_;
    view.speed_factor = speed_factor;
    // the pair's fastest path within the hour: leaving as it begins, all factors constant
    const double hour = routing::SpeedProfile::hour_start(depart_s);
    auto it = hour_paths_.find({from, to, hour, speed_factor});
    if (it == hour_paths_.end() && !may_reach(from, to)) {
        it = hour_paths_.emplace(TimedKey{from, to, hour, speed_factor}, HourPath{}).first;
    }
    if (it == hour_paths_.end()) {
        view.depart_s = hour;
        routing::Route r = router_->fastest(from, to, view);
        const bool within = r.found && r.travel_time_s < routing::SpeedProfile::kHourS;
        it = hour_paths_
                 .emplace(TimedKey{from, to, hour, speed_factor},
                          HourPath{r.found, within, r.length_m, std::move(r.edges)})
                 .first;
    }
    const HourPath& p = it->second;
    if (!p.found) {
        return {routing::kUnreachable, 0.0};  // closures do not depend on the hour
    }
    view.depart_s = depart_s;
    if (p.within) {
        // a path that ends within the hour beats every other: each of those takes its time
        // at this hour's factors, or is still driving when the hour ends
        const routing::RouteCheck c =
            routing::check_route(router_->network(), from, to, p.edges, view);
        if (depart_s + c.travel_time_s < hour + routing::SpeedProfile::kHourS) {
            return {c.travel_time_s, p.metres};
        }
    }
    // across an hour boundary: routed for this very departure
    const TimedKey key{from, to, depart_s, speed_factor};
    auto at = crossing_.find(key);
    if (at == crossing_.end()) {
        const routing::Route r = router_->fastest(from, to, view);
        at = crossing_.emplace(key, leg_of(r)).first;
    }
    return at->second;
}

void update_vehicle_index(const FleetSpec& spec, std::span<const PlannerVehicle> vehicles,
                          world::PointGrid& index, std::vector<NodeId>& placed) {
    const world::RoadNetwork& net = spec.net();
    if (placed.size() != vehicles.size() || index.size() != vehicles.size()) {
        index = empty_grid(net, vehicles.size());
        index.reset(vehicles.size());
        placed.assign(vehicles.size(), world::kNoNode);
    }
    for (std::uint32_t v = 0; v < vehicles.size(); ++v) {
        const NodeId at = vehicles[v].view.position;
        if (at == placed[v]) {
            continue;
        }
        if (at == world::kNoNode) {
            index.remove(v);  // not reported yet: never usable
        } else {
            index.place(v, net.position(at));
        }
        placed[v] = at;
    }
}

PlannerResult plan_batch(const FleetSpec& spec, std::span<const PlannerVehicle> vehicles,
                         std::span<const OrderMsg> orders, sim::Tick now,
                         const PlannerOptions& options) {
    return Planner(spec, vehicles, orders, now, options).run();
}

}  // namespace swarm::agents
